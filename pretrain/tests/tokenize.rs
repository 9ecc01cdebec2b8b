//! Corpus Parquet → token shards: round trip through the tokenizer, splits, bad input.

mod common;

use mekong_pretrain::data::{TokenShards, TokenWidth, TRAIN_SPLIT, VALIDATION_SPLIT};
use mekong_pretrain::tokenize::{load_tokenizer, read_documents};
use mekong_pretrain::{tokenize, TokenizeConfig};
use std::collections::BTreeSet;

#[test]
fn shards_round_trip_to_the_original_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::write_corpus(dir.path());
    let tokenizer_path = common::write_tokenizer(dir.path(), 300);
    let out = dir.path().join("tokens");
    let config = TokenizeConfig {
        validation_fraction: 0.2,
        separator: None,
    };
    let summary = tokenize(&corpus, &tokenizer_path, &out, &config).unwrap();
    let meta = &summary.meta;
    assert_eq!(meta.token_width, TokenWidth::U16);
    let tokenizer = load_tokenizer(&tokenizer_path).unwrap();
    assert_eq!(meta.separator, tokenizer.token_to_id("<|endoftext|>"));

    // Every document comes back, in one split only: 40 monolingual + 30 pairs' Vietnamese
    // sides in vi, 30 English sides in en.
    let mut vi = Vec::new();
    let mut en = Vec::new();
    for split in [TRAIN_SPLIT, VALIDATION_SPLIT] {
        for (lang, texts) in [("vi", &mut vi), ("en", &mut en)] {
            let Ok(docs) = read_documents(&out, split, lang) else {
                continue;
            };
            for ids in docs {
                texts.push(tokenizer.decode(&ids, false).unwrap());
            }
        }
    }
    let mut expected_vi = common::vietnamese_lines();
    expected_vi.extend(common::vietnamese_lines().into_iter().take(30));
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(vi), sorted(expected_vi));
    assert_eq!(sorted(en), sorted(common::english_lines()));

    // Both sides of a translation pair share a split (the split hashes the row id).
    let validation_en: BTreeSet<String> = read_documents(&out, VALIDATION_SPLIT, "en")
        .unwrap_or_default()
        .iter()
        .map(|ids| tokenizer.decode(ids, false).unwrap())
        .collect();
    assert!(
        !validation_en.is_empty(),
        "20% of 30 pairs lands some in validation"
    );
    let validation_vi: BTreeSet<String> = read_documents(&out, VALIDATION_SPLIT, "vi")
        .unwrap()
        .iter()
        .map(|ids| tokenizer.decode(ids, false).unwrap())
        .collect();
    for (en, vi) in common::english_lines()
        .into_iter()
        .zip(common::vietnamese_lines())
    {
        if validation_en.contains(&en) {
            assert!(validation_vi.contains(&vi), "pair '{en}' split apart");
        }
    }
    // Counts are consistent with the streams.
    let shards = TokenShards::open(&out).unwrap();
    let bytes: u64 = shards
        .splits
        .values()
        .flatten()
        .map(|s| s.counts.bytes)
        .sum();
    let expected_bytes: usize = common::vietnamese_lines()
        .iter()
        .chain(common::vietnamese_lines().iter().take(30))
        .chain(common::english_lines().iter())
        .map(|t| t.len())
        .sum();
    assert_eq!(bytes, expected_bytes as u64);
    assert!(out.join("manifest.json").exists());
}

#[test]
fn same_input_gives_byte_identical_shards() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::write_corpus(dir.path());
    let tokenizer = common::write_tokenizer(dir.path(), 300);
    let config = TokenizeConfig::default();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    tokenize(&corpus, &tokenizer, &a, &config).unwrap();
    tokenize(&corpus, &tokenizer, &b, &config).unwrap();
    for file in [
        "train/vi.tokens",
        "train/vi.docs",
        "train/en.tokens",
        "tokens.json",
    ] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn empty_corpus_is_a_clear_error_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let tokenizer = common::write_tokenizer(dir.path(), 300);
    let corpus = dir.path().join("corpus");
    common::write_monolingual(&corpus, 0, &[("vi", "")]);
    let out = dir.path().join("tokens");
    let error = tokenize(&corpus, &tokenizer, &out, &TokenizeConfig::default()).unwrap_err();
    assert!(
        error.to_string().contains("no non-empty documents"),
        "{error}"
    );
    assert!(!out.exists());

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let error = tokenize(&empty, &tokenizer, &out, &TokenizeConfig::default()).unwrap_err();
    assert!(error.to_string().contains("no .parquet files"), "{error}");
}

#[test]
fn truncated_shard_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::write_tokens(dir.path());
    let shard = out.join("train/vi.tokens");
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() - 7]).unwrap();
    let error = TokenShards::open(&out).unwrap_err().to_string();
    assert!(
        error.contains("vi.tokens") && error.contains("truncated"),
        "{error}"
    );
}

/// The document ends must agree with `tokens.json`: one per counted document, the last at the
/// stream's end.
#[test]
fn document_ends_that_disagree_with_the_index_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::write_tokens(dir.path());
    let docs = out.join("train/vi.docs");
    let bytes = std::fs::read(&docs).unwrap();
    std::fs::write(&docs, &bytes[..bytes.len() - 8]).unwrap();
    let error = TokenShards::open(&out).unwrap_err().to_string();
    assert!(
        error.contains("vi.docs") && error.contains("documents of 8 bytes"),
        "{error}"
    );

    let mut moved = bytes.clone();
    let last = moved.len() - 8;
    let end = u64::from_le_bytes(moved[last..].try_into().unwrap());
    moved[last..].copy_from_slice(&(end - 1).to_le_bytes());
    std::fs::write(&docs, moved).unwrap();
    let error = TokenShards::open(&out).unwrap_err().to_string();
    assert!(
        error.contains("vi.docs") && error.contains(&format!("ends at token {}", end - 1)),
        "{error}"
    );
}

/// An id the tokenizer does not have (a damaged shard) is refused at open, before training could
/// index past the embedding table.
#[test]
fn an_id_outside_the_vocabulary_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::write_tokens(dir.path());
    let shard = out.join("train/vi.tokens");
    let mut bytes = std::fs::read(&shard).unwrap();
    // 300 ids fit in two bytes a token; the third token becomes id 65535.
    bytes[4..6].copy_from_slice(&u16::MAX.to_le_bytes());
    std::fs::write(&shard, bytes).unwrap();
    let error = TokenShards::open(&out).unwrap_err().to_string();
    assert!(
        error.contains("vi.tokens") && error.contains("token 2 is id 65535"),
        "{error}"
    );
}

#[test]
fn unreadable_inputs_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::write_corpus(dir.path());
    let bad_tokenizer = dir.path().join("tokenizer.json");
    std::fs::write(&bad_tokenizer, "{ not json").unwrap();
    let error = tokenize(
        &corpus,
        &bad_tokenizer,
        &dir.path().join("t"),
        &TokenizeConfig::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("tokenizer.json"), "{error}");

    let tokenizer = common::write_tokenizer(dir.path(), 300);
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("part.parquet"), b"PAR1 not really").unwrap();
    let error = tokenize(
        &broken,
        &tokenizer,
        &dir.path().join("t"),
        &TokenizeConfig::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("part.parquet"), "{error}");
}
