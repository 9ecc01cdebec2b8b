//! Small tokenizers and parallel sets written by the tests themselves.

use base64::Engine;
use std::path::{Path, PathBuf};

/// A word-level tokenizer.json: whitespace pre-tokenizer, a few English words, `[UNK]` = 0.
pub const WORD_LEVEL: &str = r#"{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": [],
  "normalizer": null,
  "pre_tokenizer": {"type": "Whitespace"},
  "post_processor": null,
  "decoder": null,
  "model": {
    "type": "WordLevel",
    "vocab": {"[UNK]": 0, "hello": 1, "world": 2, ".": 3, "xin": 4},
    "unk_token": "[UNK]"
  }
}"#;

/// The same model with no unknown token in its vocabulary: any unknown word fails to encode.
pub fn word_level_without_unknown() -> String {
    WORD_LEVEL.replace(r#""unk_token": "[UNK]""#, r#""unk_token": "<missing>""#)
}

/// A byte-level rank file: the 256 bytes (rank = byte value), then merges that make "hello"
/// (259) and " world" (264) single tokens.
pub fn tiktoken_ranks() -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut text = String::new();
    for byte in 0..=255u8 {
        text.push_str(&format!("{} {byte}\n", engine.encode([byte])));
    }
    for (rank, token) in [
        "he", "ll", "llo", "hello", " w", "or", "ld", " wor", " world",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!("{} {}\n", engine.encode(token), 256 + rank));
    }
    text
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// en / vi / km, 3 aligned lines. With [`WORD_LEVEL`]: en = 2 + 1 + 3 = 6 tokens;
/// vi = 4 + 2 + 0 (its third line is empty) = 6, on the 2 lines it shares with en: premium
/// 6 / 3 = 2.0; km (no spaces) = 1 + 1 + 1 = 3, premium 3 / 6 = 0.5.
pub fn parallel_set(dir: &Path) -> PathBuf {
    let set = dir.join("parallel");
    write(&set, "en.txt", "hello world\nhello\nworld hello .\n");
    write(&set, "vi.txt", "xin chào thế giới\nxin chào\n\n");
    write(&set, "km.txt", "សួស្តីពិភពលោក\nសួស្តី\nពិភពលោកសួស្តី\n");
    set
}
