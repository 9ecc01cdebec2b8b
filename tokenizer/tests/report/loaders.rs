//! Each loader encodes a fixture to known ids.

use crate::fixtures;
use mekong_tokenizer::report::loaders::{self, TokenKind};
use mekong_tokenizer::report::TokenizerSpec;

fn ids(spec: &str, text: &str) -> Vec<u32> {
    let tokenizer = loaders::load(&TokenizerSpec::parse(spec).unwrap()).unwrap();
    tokenizer
        .encoder
        .encode(text)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect()
}

#[test]
fn tokenizer_json_encodes_to_known_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures::write(dir.path(), "words/tokenizer.json", fixtures::WORD_LEVEL);
    let spec = TokenizerSpec::parse(path.to_str().unwrap()).unwrap();
    assert_eq!(spec.name, "words", "named after its folder");
    let tokenizer = loaders::load(&spec).unwrap();
    let tokens = tokenizer.encoder.encode("hello world . chào").unwrap();
    let ids: Vec<u32> = tokens.iter().map(|t| t.id).collect();
    assert_eq!(ids, [1, 2, 3, 0]);
    assert_eq!((tokens[1].start, tokens[1].end), (6, 11), "byte spans");
    assert_eq!(tokenizer.vocabulary.size, 5);
    assert_eq!(tokenizer.vocabulary.kind(0), TokenKind::Unknown);
}

#[test]
fn tiktoken_file_encodes_to_known_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures::write(dir.path(), "tiny.tiktoken", &fixtures::tiktoken_ranks());
    let spec = format!("tiny={}", path.display());
    assert_eq!(ids(&spec, "hello world"), [259, 264]);
    // " there": no merge but "he": ' ', 't', "he", 'r', 'e'.
    assert_eq!(ids(&spec, "hello there"), [259, 32, 116, 256, 114, 101]);
    let tokenizer = loaders::load(&TokenizerSpec::parse(&spec).unwrap()).unwrap();
    assert_eq!(tokenizer.vocabulary.size, 265);
    // Bytes 0x80..0xFF alone are not UTF-8: byte pieces.
    assert_eq!(tokenizer.vocabulary.kind(0xE1), TokenKind::Bytes);
    let spans: Vec<(u32, u32)> = tokenizer
        .encoder
        .encode("hello world")
        .unwrap()
        .iter()
        .map(|t| (t.start, t.end))
        .collect();
    assert_eq!(spans, [(0, 5), (5, 11)]);
}

#[test]
fn builtin_encodings_give_openai_ids() {
    assert_eq!(ids("cl100k", "hello world"), [15339, 1917]);
    assert_eq!(ids("gpt2", "hello world"), [31373, 995]);
}

#[test]
fn builtin_vocabulary_knows_special_and_byte_tokens() {
    let tokenizer = loaders::load(&TokenizerSpec::parse("r50k").unwrap()).unwrap();
    assert_eq!(tokenizer.vocabulary.size, 50_257);
    assert_eq!(tokenizer.vocabulary.kind(50_256), TokenKind::Special);
    let scripts: Vec<&str> = tokenizer
        .vocabulary
        .scripts
        .iter()
        .map(|s| s.script.as_str())
        .collect();
    assert!(scripts.contains(&"Latin") && scripts.contains(&"Bytes (partial characters)"));
}
