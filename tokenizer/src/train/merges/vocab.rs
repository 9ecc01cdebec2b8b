//! The vocabulary as it grows: token strings by id and ids by string.

use crate::train::char_base::byte_token;
use crate::train::BYTE_ALPHABET_SIZE;
use rustc_hash::FxHashMap;
use std::ops::Range;
use std::rc::Rc;

/// Token strings are shared (`Rc`) with the pair queues, which break count ties by them.
pub struct Vocab {
    tokens: Vec<Rc<str>>,
    ids: FxHashMap<Rc<str>, u32>,
    /// The ids of the byte-fallback tokens (empty without byte fallback).
    byte_tokens: Range<u32>,
}

impl Vocab {
    /// Special tokens first, then with `byte_fallback` the 256 byte tokens (where Llama's
    /// tokenizer.json has them), then the alphabet in code-point order: the ids the
    /// `tokenizers` trainers give, so a tokenizer.json from either has the same numbering.
    pub fn new(
        special_tokens: &[String],
        byte_fallback: bool,
        alphabet: impl IntoIterator<Item = char>,
    ) -> Self {
        let mut vocab = Vocab {
            tokens: Vec::new(),
            ids: FxHashMap::default(),
            byte_tokens: 0..0,
        };
        for token in special_tokens {
            vocab.id_or_insert(token);
        }
        if byte_fallback {
            let first = vocab.len() as u32;
            for b in 0..=u8::MAX {
                vocab.id_or_insert(&byte_token(b));
            }
            vocab.byte_tokens = first..first + BYTE_ALPHABET_SIZE as u32;
        }
        let mut buffer = [0u8; 4];
        for c in alphabet {
            vocab.id_or_insert(c.encode_utf8(&mut buffer));
        }
        vocab
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// The symbols of `word`: one per character, or, for a character outside the alphabet, its
    /// UTF-8 bytes as byte-fallback tokens. Panics on such a character without byte fallback
    /// (byte-level alphabets hold every character of the input).
    pub fn symbols(&self, word: &str) -> Vec<u32> {
        let mut buffer = [0u8; 4];
        let mut symbols = Vec::with_capacity(word.len());
        for c in word.chars() {
            let text = c.encode_utf8(&mut buffer);
            match self.id(text) {
                Some(id) => symbols.push(id),
                None => {
                    assert!(
                        !self.byte_tokens.is_empty(),
                        "the alphabet holds every character of the input"
                    );
                    let first = self.byte_tokens.start;
                    symbols.extend(text.bytes().map(|b| first + b as u32));
                }
            }
        }
        symbols
    }

    /// Whether `id` is a byte-fallback token (never merged).
    pub fn is_byte_token(&self, id: u32) -> bool {
        self.byte_tokens.contains(&id)
    }

    pub fn token(&self, id: u32) -> &Rc<str> {
        &self.tokens[id as usize]
    }

    /// The id of the token `left` + `right`. Two merges can spell the same token ("ab"+"c" and
    /// "a"+"bc"); they then share one id, as in the `tokenizers` trainers.
    pub fn merged(&mut self, (left, right): (u32, u32)) -> u32 {
        let token = format!("{}{}", self.token(left), self.token(right));
        self.id_or_insert(&token)
    }

    fn id_or_insert(&mut self, token: &str) -> u32 {
        if let Some(id) = self.id(token) {
            return id;
        }
        let id = self.tokens.len() as u32;
        let token: Rc<str> = Rc::from(token);
        self.tokens.push(token.clone());
        self.ids.insert(token, id);
        id
    }

    pub fn into_tokens(self) -> Vec<String> {
        self.tokens.iter().map(|t| t.to_string()).collect()
    }
}
