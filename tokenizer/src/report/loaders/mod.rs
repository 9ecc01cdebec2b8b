//! Loading the tokenizers a report compares, behind one small interface: encode a line into
//! ids with byte spans, and describe the vocabulary (what each id is, which script it writes).
//!
//! - [`hf`]: Hugging Face `tokenizer.json` (via the `tokenizers` crate);
//! - [`tiktoken`]: tiktoken rank files and the built-in OpenAI encodings (via `tiktoken-rs`).

pub mod hf;
pub mod tiktoken;

use super::config::{TokenizerSource, TokenizerSpec};
use super::error::Result;
use super::scripts::{self, BYTES, SPECIAL};
use serde::Serialize;

/// One token of an encoded line: its id and the bytes `start..end` of the line it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub id: u32,
    pub start: u32,
    pub end: u32,
}

/// Encodes one line, without special tokens, with no truncation. An error is the tokenizer's
/// message (e.g. a word-level model without an unknown token meeting an unknown word).
pub trait TokenEncoder: Send + Sync {
    fn encode(&self, text: &str) -> std::result::Result<Vec<Token>, String>;
}

/// What a vocabulary entry is, for the unknown / byte-fallback rates and the script shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Surface {
    /// A token that decodes to this text.
    Text(String),
    /// Part of a character: a byte-level piece that is not valid UTF-8 alone, or a
    /// byte-fallback token (`<0xE1>`).
    Bytes,
    /// The unknown token.
    Unknown,
    /// A special / control token (`<|endoftext|>`, `<s>`).
    Special,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Text,
    Bytes,
    Unknown,
    Special,
}

/// The vocabulary as the report needs it.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Number of entries (ids may be sparse).
    pub size: usize,
    /// Indexed by id; ids not in the vocabulary read as `Text`.
    kinds: Vec<TokenKind>,
    /// Entries per script label, sorted by label.
    pub scripts: Vec<ScriptShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptShare {
    pub script: String,
    pub tokens: usize,
    /// `tokens / size`.
    pub share: f64,
}

impl Vocabulary {
    pub fn new(entries: impl IntoIterator<Item = (u32, Surface)>) -> Vocabulary {
        let mut kinds = Vec::new();
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        let mut size = 0;
        for (id, surface) in entries {
            let index = id as usize;
            if kinds.len() <= index {
                kinds.resize(index + 1, TokenKind::Text);
            }
            let (kind, label) = match surface {
                Surface::Text(text) => (
                    TokenKind::Text,
                    scripts::script_label(scripts::dominant_script(&text)),
                ),
                Surface::Bytes => (TokenKind::Bytes, BYTES.to_string()),
                Surface::Unknown => (TokenKind::Unknown, SPECIAL.to_string()),
                Surface::Special => (TokenKind::Special, SPECIAL.to_string()),
            };
            kinds[index] = kind;
            *counts.entry(label).or_default() += 1;
            size += 1;
        }
        let scripts = counts
            .into_iter()
            .map(|(script, tokens)| ScriptShare {
                script,
                tokens,
                share: tokens as f64 / size.max(1) as f64,
            })
            .collect();
        Vocabulary {
            size,
            kinds,
            scripts,
        }
    }

    pub fn kind(&self, id: u32) -> TokenKind {
        self.kinds
            .get(id as usize)
            .copied()
            .unwrap_or(TokenKind::Text)
    }
}

/// A tokenizer ready to encode.
pub struct LoadedTokenizer {
    pub spec: TokenizerSpec,
    pub encoder: Box<dyn TokenEncoder>,
    pub vocabulary: Vocabulary,
}

/// Loads the tokenizer `spec` names; errors name the file (and line, for rank files).
pub fn load(spec: &TokenizerSpec) -> Result<LoadedTokenizer> {
    let (encoder, vocabulary): (Box<dyn TokenEncoder>, Vocabulary) = match &spec.source {
        TokenizerSource::HuggingFace(path) => {
            let (encoder, vocabulary) = hf::load(path)?;
            (Box::new(encoder), vocabulary)
        }
        TokenizerSource::Tiktoken(path) => {
            let (encoder, vocabulary) = tiktoken::load_rank_file(path)?;
            (Box::new(encoder), vocabulary)
        }
        TokenizerSource::Builtin(builtin) => {
            let (encoder, vocabulary) = tiktoken::load_builtin(*builtin)?;
            (Box::new(encoder), vocabulary)
        }
    };
    Ok(LoadedTokenizer {
        spec: spec.clone(),
        encoder,
        vocabulary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_counts_scripts_and_kinds() {
        let vocabulary = Vocabulary::new([
            (0, Surface::Text("a".into())),
            (1, Surface::Text(" xin".into())),
            (2, Surface::Text("ខ្មែរ".into())),
            (3, Surface::Bytes),
            (5, Surface::Special),
            (6, Surface::Text(", ".into())),
        ]);
        assert_eq!(vocabulary.size, 6);
        assert_eq!(vocabulary.kind(3), TokenKind::Bytes);
        assert_eq!(vocabulary.kind(4), TokenKind::Text);
        let latin = vocabulary
            .scripts
            .iter()
            .find(|s| s.script == "Latin")
            .unwrap();
        assert_eq!(latin.tokens, 2);
        assert!((latin.share - 2.0 / 6.0).abs() < 1e-12);
        let labels: Vec<&str> = vocabulary
            .scripts
            .iter()
            .map(|s| s.script.as_str())
            .collect();
        assert_eq!(
            labels,
            [BYTES, scripts::COMMON, "Khmer", "Latin", SPECIAL],
            "sorted by label"
        );
    }
}
