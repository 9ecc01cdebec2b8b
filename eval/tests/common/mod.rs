//! Fixtures written for the eval tests: a small Vietnamese/English corpus in the corpus stage's
//! Parquet schema, a byte-level BPE tokenizer trained on it, and a tiny model trained for a few
//! steps by the pretrain stage, so the eval stage reads real checkpoints.

#![allow(dead_code)]

use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use mekong_pretrain::stage::{run_stage, StageParameters};
use mekong_pretrain::{DeviceKind, TrainConfig, TrainOptions};
use std::path::{Path, PathBuf};
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};

pub const VI: [&str; 6] = [
    "Nước Việt Nam nằm ở phía đông bán đảo Đông Dương.",
    "Người dân ở đồng bằng sông Cửu Long trồng lúa và nuôi cá.",
    "Mùa mưa thường bắt đầu vào tháng năm và kết thúc vào tháng mười.",
    "Thành phố Huế từng là kinh đô của triều Nguyễn.",
    "Bánh chưng được gói bằng lá dong vào dịp Tết.",
    "Chợ nổi Cái Răng họp từ sáng sớm trên sông.",
];

pub const EN: [&str; 6] = [
    "Vietnam lies on the eastern side of the Indochinese peninsula.",
    "People in the Mekong Delta grow rice and raise fish.",
    "The rainy season usually begins in May and ends in October.",
    "The city of Hue was once the capital of the Nguyen dynasty.",
    "Chung cake is wrapped in dong leaves for Tet.",
    "The Cai Rang floating market opens early in the morning on the river.",
];

/// Everything a test needs: a corpus folder, a tokenizer and a trained model folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub corpus: PathBuf,
    pub tokenizer: PathBuf,
    pub model: PathBuf,
}

/// Trains the fixture (a few seconds on a CPU).
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let mut rows = Vec::new();
    for i in 0..30 {
        rows.push(("vi".to_string(), VI[i % VI.len()].to_string()));
        rows.push(("en".to_string(), EN[i % EN.len()].to_string()));
    }
    write_monolingual(&corpus, &rows);
    let tokenizer = write_tokenizer(dir.path(), 300);
    let model = dir.path().join("pretrain");
    let parameters = StageParameters {
        train: TrainConfig {
            steps: 3,
            batch_size: 2,
            seq_len: Some(32),
            warmup_steps: 1,
            eval_every: 0,
            eval_windows: 1,
            checkpoint_every: 0,
            ..TrainConfig::default()
        },
        ..StageParameters::default()
    };
    let options = TrainOptions {
        device: Some(DeviceKind::Cpu),
        progress: false,
        ..TrainOptions::default()
    };
    run_stage(&corpus, &tokenizer, &model, &parameters, &options).unwrap();
    Fixture {
        dir,
        corpus,
        tokenizer,
        model,
    }
}

/// A monolingual corpus shard `dir/part-00000.parquet`, written by the corpus stage's writer.
pub fn write_monolingual(dir: &Path, rows: &[(String, String)]) {
    let mut writer = ShardWriter::new(dir, Table::Monolingual, rows.len().max(1), 0);
    for (lang, text) in rows {
        writer
            .push(&[Cell::Str("fixture"), Cell::Str(lang), Cell::Str(text)])
            .unwrap();
    }
    writer.finish().unwrap();
}

/// A byte-level BPE with `vocab_size` ids (`<|endoftext|>` included), trained on the fixture
/// lines, saved as `dir/tokenizer-<vocab_size>.json`.
pub fn write_tokenizer(dir: &Path, vocab_size: usize) -> PathBuf {
    let text = dir.join("tokenizer-training.txt");
    std::fs::write(&text, [VI, EN].concat().join("\n")).unwrap();
    let mut trainer: TrainerWrapper = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(1)
        .show_progress(false)
        .special_tokens(vec![AddedToken::from("<|endoftext|>", true)])
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build()
        .into();
    let mut tokenizer = Tokenizer::new(BPE::default());
    tokenizer.with_pre_tokenizer(Some(ByteLevel::default()));
    tokenizer.with_decoder(Some(ByteLevel::default()));
    tokenizer
        .train_from_files(&mut trainer, vec![text.to_string_lossy().into_owned()])
        .unwrap();
    let path = dir.join(format!("tokenizer-{vocab_size}.json"));
    tokenizer.save(&path, false).unwrap();
    path
}

/// A parallel set folder `<lang>.txt` with the fixture lines.
pub fn write_parallel_set(dir: &Path) -> PathBuf {
    let set = dir.join("parallel");
    std::fs::create_dir_all(&set).unwrap();
    std::fs::write(set.join("vi.txt"), VI.join("\n") + "\n").unwrap();
    std::fs::write(set.join("en.txt"), EN.join("\n") + "\n").unwrap();
    set
}
