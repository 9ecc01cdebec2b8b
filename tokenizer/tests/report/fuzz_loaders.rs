//! Hostile tokenizer files for the report's loaders: a tokenizer.json (word-level and BPE) and a
//! tiktoken rank file, each with random edits, and random bytes. A loader gives a tokenizer that
//! encodes without panicking, or an error naming the file; it never panics.

use crate::fixtures;
use mekong_tokenizer::report::loaders;
use mekong_tokenizer::report::TokenizerSpec;
use proptest::prelude::*;

const BPE: &str = r#"{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
 "normalizer": {"type": "NFC"},
 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
 "post_processor": null,
 "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
 "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
  "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3}, "merges": ["a b"]}}"#;

/// A file: its name (which says how it is loaded) and its content before the edits.
fn files() -> [(&'static str, String); 3] {
    [
        ("words/tokenizer.json", fixtures::WORD_LEVEL.to_string()),
        ("bpe/tokenizer.json", BPE.to_string()),
        ("ranks.tiktoken", fixtures::tiktoken_ranks()),
    ]
}

/// Random bytes over `bytes` at positions given as fractions of its length.
fn edit(bytes: &mut Vec<u8>, edits: &[(f64, f64, Vec<u8>)]) {
    for (from, to, insert) in edits {
        let at = |f: f64| ((f * bytes.len() as f64) as usize).min(bytes.len());
        let (a, b) = (at(*from).min(at(*to)), at(*from).max(at(*to)));
        // Short ranges: a flip or a small cut, most of the file kept.
        let b = b.min(a + 8);
        bytes.splice(a..b, insert.iter().copied());
    }
}

fn check(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let spec = TokenizerSpec::parse(&format!("t={}", path.display())).unwrap();
    match loaders::load(&spec) {
        Ok(tokenizer) => {
            for text in ["hello world", "ab ba", "Việt Nam", ""] {
                let _ = tokenizer.encoder.encode(text);
            }
        }
        Err(error) => {
            let file = path.file_name().unwrap().to_str().unwrap();
            assert!(error.to_string().contains(file), "names no file: {error}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_tokenizer_files_load_or_fail_naming_the_file(
        which in 0..3usize,
        edits in prop::collection::vec((0.0..1.0f64, 0.0..1.0f64, prop::collection::vec(any::<u8>(), 0..4)), 1..5),
    ) {
        let (name, content) = &files()[which];
        let mut bytes = content.as_bytes().to_vec();
        edit(&mut bytes, &edits);
        check(name, &bytes);
    }

    #[test]
    fn random_bytes_load_or_fail_naming_the_file(
        which in 0..3usize,
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        check(files()[which].0, &bytes);
    }
}

/// The fault the edits found: `tokenizers` 0.23.2 panicked on malformed JSON inside `decoder`.
#[test]
fn malformed_json_in_the_decoder_is_an_error_not_a_panic() {
    let broken = BPE.replace(
        r#""decoder": {"type": "ByteLevel""#,
        "\"decoder\": {\"type\": \"Byte\u{1}Level\"",
    );
    assert_ne!(broken, BPE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokenizer.json");
    std::fs::write(&path, broken).unwrap();
    let spec = TokenizerSpec::parse(&format!("t={}", path.display())).unwrap();
    let error = loaders::load(&spec).err().unwrap().to_string();
    assert!(
        error.contains("tokenizer.json: not valid JSON: control character"),
        "{error}"
    );
}
