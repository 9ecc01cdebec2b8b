//! Hostile token-shard indexes: a real `tokens.json` with random edits (digits included, so
//! counts can grow past any file), and random bytes. Opening the shards gives shards whose every
//! window can be read, or an error naming a file; it never panics.

mod common;

use mekong_pretrain::data::TokenShards;
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A tokens folder written once: (the folder's parent, the index's original text).
fn tokens() -> &'static (tempfile::TempDir, PathBuf, String) {
    static TOKENS: OnceLock<(tempfile::TempDir, PathBuf, String)> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = common::write_tokens(dir.path());
        let index = std::fs::read_to_string(out.join("tokens.json")).unwrap();
        (dir, out, index)
    })
}

fn check(index: &[u8]) {
    let (_, original, _) = tokens();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("tokens");
    for split in ["train", "validation"] {
        let from = original.join(split);
        if from.is_dir() {
            std::fs::create_dir_all(copy.join(split)).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, copy.join(split).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    std::fs::write(copy.join("tokens.json"), index).unwrap();
    match TokenShards::open(&copy) {
        Ok(shards) => {
            let _ = shards.meta.documents();
            // Every token of every stream can be read.
            for streams in shards.splits.values() {
                for stream in streams {
                    let mut ids = Vec::new();
                    stream.read_into(0, stream.len(), &mut ids);
                }
            }
        }
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains("tokens.json")
                    || message.contains(".tokens")
                    || message.contains(".docs"),
                "the error names no file: {message}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_indexes_open_or_fail_naming_a_file(
        edits in prop::collection::vec((0.0..1.0f64, 0..4usize, "[0-9]{0,22}|[^\\n]{0,3}"), 1..5),
    ) {
        check(&common::edited(&tokens().2, &edits));
    }

    #[test]
    fn random_indexes_fail_naming_a_file(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }
}

/// A count so large that its size in bytes does not fit in 64 bits.
#[test]
fn a_token_count_past_any_file_size_is_an_error() {
    let index = &tokens().2;
    let (at, _) = index.match_indices("\"tokens\": ").next().unwrap();
    let digits = index[at + 10..].find(',').unwrap();
    let edited = format!(
        "{}\"tokens\": {}{}",
        &index[..at],
        u64::MAX,
        &index[at + 10 + digits..]
    );
    check(edited.as_bytes());
}
