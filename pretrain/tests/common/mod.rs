//! Fixtures written for these tests: a small bilingual corpus in the corpus stage's Parquet
//! schemas and a byte-level BPE tokenizer trained on it with the `tokenizers` crate.

#![allow(dead_code)]

use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use std::path::{Path, PathBuf};
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};

/// Short Vietnamese and English lines; repetitive on purpose so a tiny model can learn them.
pub fn vietnamese_lines() -> Vec<String> {
    let base = [
        "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền.",
        "Mọi người đều được phú bẩm lý trí và lương tâm.",
        "Hà Nội là thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam.",
        "Sông Mê Kông chảy qua sáu quốc gia trước khi đổ ra biển.",
        "Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau.",
    ];
    (0..40)
        .map(|i| format!("{} ({i})", base[i % base.len()]))
        .collect()
}

pub fn english_lines() -> Vec<String> {
    let base = [
        "All human beings are born free and equal in dignity and rights.",
        "They are endowed with reason and conscience.",
        "The Mekong river flows through six countries.",
    ];
    (0..30)
        .map(|i| format!("{} ({i})", base[i % base.len()]))
        .collect()
}

/// A monolingual corpus shard `dir/part-NNNNN.parquet` of `(lang, text)` rows, written by the
/// corpus stage's writer (ids numbered from 0).
pub fn write_monolingual(dir: &Path, shard: usize, rows: &[(&str, &str)]) {
    let mut writer = ShardWriter::new(dir, Table::Monolingual, rows.len().max(1), shard);
    for (lang, text) in rows {
        writer
            .push(&[Cell::Str("test"), Cell::Str(lang), Cell::Str(text)])
            .unwrap();
    }
    writer.finish().unwrap();
}

/// A parallel corpus shard `dir/part-NNNNN.parquet` of English–Vietnamese `(en, vi)` pairs.
pub fn write_parallel(dir: &Path, shard: usize, pairs: &[(&str, &str)]) {
    let mut writer = ShardWriter::new(dir, Table::Parallel, pairs.len().max(1), shard);
    for (en, vi) in pairs {
        let cells = [
            Cell::Str("test"),
            Cell::Str("en"),
            Cell::Str(en),
            Cell::Str("vi"),
            Cell::Str(vi),
        ];
        writer.push(&cells).unwrap();
    }
    writer.finish().unwrap();
}

/// Writes a corpus folder (one monolingual and one parallel file) and returns its path.
pub fn write_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    let (vi, en) = (vietnamese_lines(), english_lines());
    let pairs: Vec<(&str, &str)> = en
        .iter()
        .zip(&vi)
        .map(|(e, v)| (e.as_str(), v.as_str()))
        .collect();
    write_parallel(&corpus, 0, &pairs);
    let mono: Vec<(&str, &str)> = vi.iter().map(|t| ("vi", t.as_str())).collect();
    write_monolingual(&corpus, 1, &mono);
    // What the corpus stage dropped, in a subfolder: never part of the training text.
    write_parallel(
        &corpus.join("rejected"),
        0,
        &[("rejected english", "rejected vietnamese")],
    );
    corpus
}

/// Trains a byte-level BPE tokenizer with `vocab_size` ids (an end-of-text token included) on
/// the fixture lines and saves it as `dir/tokenizer.json`.
pub fn write_tokenizer(dir: &Path, vocab_size: usize) -> PathBuf {
    let text = dir.join("tokenizer-training.txt");
    let mut lines = vietnamese_lines();
    lines.extend(english_lines());
    std::fs::write(&text, lines.join("\n")).unwrap();
    let mut trainer: TrainerWrapper = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(1)
        .show_progress(false)
        .special_tokens(vec![AddedToken::from("<|endoftext|>", true)])
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build()
        .into();
    let mut tokenizer = Tokenizer::new(BPE::default());
    tokenizer.with_pre_tokenizer(Some(ByteLevel::default().add_prefix_space(false)));
    tokenizer.with_decoder(Some(ByteLevel::default()));
    tokenizer
        .train_from_files(&mut trainer, vec![text.to_string_lossy().into_owned()])
        .unwrap();
    let path = dir.join("tokenizer.json");
    tokenizer.save(&path, false).unwrap();
    path
}

/// The fixture corpus tokenized with a 300-id tokenizer (default settings) into `dir/tokens`.
pub fn write_tokens(dir: &Path) -> PathBuf {
    let corpus = write_corpus(dir);
    let tokenizer = write_tokenizer(dir, 300);
    let tokens = dir.join("tokens");
    mekong_pretrain::tokenize(&corpus, &tokenizer, &tokens, &Default::default()).unwrap();
    tokens
}

/// Training options for the tests: the CPU, no progress bar, `resume` as given.
pub fn cpu_options(resume: mekong_pretrain::Resume) -> mekong_pretrain::TrainOptions {
    mekong_pretrain::TrainOptions {
        device: Some(mekong_pretrain::DeviceKind::Cpu),
        resume,
        progress: false,
        ..Default::default()
    }
}

/// `original` with random edits applied in turn, as the fuzz targets draw them: each cuts up to
/// `cut` bytes at a relative position and inserts `insert` there.
pub fn edited(original: &str, edits: &[(f64, usize, String)]) -> Vec<u8> {
    let mut bytes = original.as_bytes().to_vec();
    for (at, cut, insert) in edits {
        let start = ((at * bytes.len() as f64) as usize).min(bytes.len());
        let end = (start + cut).min(bytes.len());
        bytes.splice(start..end, insert.bytes());
    }
    bytes
}
