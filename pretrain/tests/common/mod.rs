//! Fixtures written for these tests: a small bilingual corpus in the corpus stage's Parquet
//! schemas and a byte-level BPE tokenizer trained on it with the `tokenizers` crate.

#![allow(dead_code)]

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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

fn strings(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

/// A monolingual corpus file `id, source, lang, text`.
pub fn write_monolingual(path: &Path, rows: &[(String, String, String)]) {
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let langs: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let texts: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let sources = vec!["test"; rows.len()];
    let batch = RecordBatch::try_from_iter(vec![
        ("id", strings(&ids)),
        ("source", strings(&sources)),
        ("lang", strings(&langs)),
        ("text", strings(&texts)),
    ])
    .unwrap();
    write_batch(path, batch);
}

/// A parallel corpus file `id, source, src_lang, src_text, tgt_lang, tgt_text`.
pub fn write_parallel(path: &Path, pairs: &[(String, String, String)]) {
    let ids: Vec<&str> = pairs.iter().map(|r| r.0.as_str()).collect();
    let en: Vec<&str> = pairs.iter().map(|r| r.1.as_str()).collect();
    let vi: Vec<&str> = pairs.iter().map(|r| r.2.as_str()).collect();
    let n = pairs.len();
    let batch = RecordBatch::try_from_iter(vec![
        ("id", strings(&ids)),
        ("source", strings(&vec!["test"; n])),
        ("src_lang", strings(&vec!["en"; n])),
        ("src_text", strings(&en)),
        ("tgt_lang", strings(&vec!["vi"; n])),
        ("tgt_text", strings(&vi)),
    ])
    .unwrap();
    write_batch(path, batch);
}

fn write_batch(path: &Path, batch: RecordBatch) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// Writes a corpus folder (one monolingual and one parallel file) and returns its path.
pub fn write_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    let mono: Vec<(String, String, String)> = vietnamese_lines()
        .into_iter()
        .enumerate()
        .map(|(i, t)| (format!("mono-{i}"), "vi".to_string(), t))
        .collect();
    write_monolingual(&corpus.join("part-00001.parquet"), &mono);
    let pairs: Vec<(String, String, String)> = english_lines()
        .into_iter()
        .zip(vietnamese_lines())
        .enumerate()
        .map(|(i, (en, vi))| (format!("pair-{i}"), en, vi))
        .collect();
    write_parallel(&corpus.join("part-00000.parquet"), &pairs);
    // What the corpus stage dropped, in a subfolder: never part of the training text.
    write_parallel(
        &corpus.join("rejected/part-00000.parquet"),
        &[(
            "bad".into(),
            "rejected english".into(),
            "rejected vietnamese".into(),
        )],
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
