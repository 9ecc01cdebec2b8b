//! The vocabulary as it grows: token strings by id and ids by string.

use rustc_hash::FxHashMap;
use std::rc::Rc;

/// Token strings are shared (`Rc`) with the pair queues, which break count ties by them.
pub struct Vocab {
    tokens: Vec<Rc<str>>,
    ids: FxHashMap<Rc<str>, u32>,
}

impl Vocab {
    /// Special tokens first, then the alphabet in code-point order: the ids the `tokenizers`
    /// trainers give, so a tokenizer.json from either has the same numbering.
    pub fn new(special_tokens: &[String], alphabet: impl IntoIterator<Item = char>) -> Self {
        let mut vocab = Vocab {
            tokens: Vec::new(),
            ids: FxHashMap::default(),
        };
        for token in special_tokens {
            vocab.id_or_insert(token);
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
