//! Hugging Face `tokenizer.json` files (ours from `mekong tokenizer train`, and published ones:
//! Llama, Qwen, Gemma, GPT-4o). Truncation and padding stored in the file are switched off, so
//! every line is counted whole.

use super::{Surface, Token, TokenEncoder, Vocabulary};
use crate::report::error::{ReportError, Result};
use rayon::prelude::*;
use std::path::Path;
use tokenizers::Tokenizer;

pub struct HfEncoder {
    tokenizer: Tokenizer,
}

impl TokenEncoder for HfEncoder {
    fn encode(&self, text: &str) -> std::result::Result<Vec<Token>, String> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| e.to_string())?;
        Ok(encoding
            .get_ids()
            .iter()
            .zip(encoding.get_offsets())
            .map(|(&id, &(start, end))| Token {
                id,
                start: start as u32,
                end: end as u32,
            })
            .collect())
    }
}

/// Reads `path`; a malformed file's error carries the JSON line and column.
pub fn load(path: &Path) -> Result<(HfEncoder, Vocabulary)> {
    let text = mekong_common::tokenizer_file::read(path)?;
    let mut tokenizer: Tokenizer = text
        .parse()
        .map_err(|e| ReportError::bad_tokenizer(path, e))?;
    tokenizer
        .with_truncation(None)
        .map_err(|e| ReportError::bad_tokenizer(path, e))?;
    tokenizer.with_padding(None);
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| ReportError::bad_tokenizer(path, e))?;
    let unknown = unknown_id(&tokenizer, &json);
    let vocabulary = vocabulary(&tokenizer, unknown);
    Ok((HfEncoder { tokenizer }, vocabulary))
}

/// The model's unknown token: `model.unk_token` (BPE, WordPiece, WordLevel) or
/// `model.unk_id` (Unigram).
fn unknown_id(tokenizer: &Tokenizer, json: &serde_json::Value) -> Option<u32> {
    let model = json.get("model")?;
    if let Some(token) = model.get("unk_token").and_then(|t| t.as_str()) {
        return tokenizer.token_to_id(token);
    }
    model
        .get("unk_id")
        .and_then(|id| id.as_u64())
        .and_then(|id| u32::try_from(id).ok())
}

/// Classifies every id by decoding it alone: a piece of a character decodes to U+FFFD.
fn vocabulary(tokenizer: &Tokenizer, unknown: Option<u32>) -> Vocabulary {
    let special: std::collections::HashSet<u32> = tokenizer
        .get_added_tokens_decoder()
        .into_iter()
        .filter(|(_, token)| token.special)
        .map(|(id, _)| id)
        .collect();
    let mut ids: Vec<u32> = tokenizer.get_vocab(true).into_values().collect();
    ids.sort_unstable();
    let entries: Vec<(u32, Surface)> = ids
        .into_par_iter()
        .map(|id| {
            let piece = tokenizer.id_to_token(id).unwrap_or_default();
            let surface = if Some(id) == unknown {
                Surface::Unknown
            } else if special.contains(&id) {
                Surface::Special
            } else if is_byte_fallback(&piece) {
                Surface::Bytes
            } else {
                match tokenizer.decode(&[id], false) {
                    Ok(text) if text.contains('\u{FFFD}') && !piece.contains('\u{FFFD}') => {
                        Surface::Bytes
                    }
                    Ok(text) => Surface::Text(text),
                    Err(_) => Surface::Text(piece),
                }
            };
            (id, surface)
        })
        .collect();
    Vocabulary::new(entries)
}

/// SentencePiece-style byte-fallback pieces: `<0x00>` … `<0xFF>`.
fn is_byte_fallback(piece: &str) -> bool {
    let bytes = piece.as_bytes();
    bytes.len() == 6
        && piece.starts_with("<0x")
        && piece.ends_with('>')
        && bytes[3..5].iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_byte_fallback_pieces() {
        assert!(is_byte_fallback("<0xE1>"));
        assert!(!is_byte_fallback("<0xE1"));
        assert!(!is_byte_fallback("<unk>"));
    }
}
