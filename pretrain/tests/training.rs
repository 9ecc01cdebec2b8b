//! The training loop on the CPU backend with the `tiny` preset: learning, exact resume, and
//! refusal of bad input without touching the last good checkpoint.

mod common;

use common::cpu_options;
use mekong_pretrain::checkpoint::{latest_checkpoint, MODEL_FILE};
use mekong_pretrain::training::read_log;
use mekong_pretrain::{
    check_tokenizer_matches, load_checkpoint, tokenize, train, CpuBackend, Resume, TokenizeConfig,
    TrainConfig, TrainOptions,
};
use std::path::{Path, PathBuf};

/// A corpus, a 300-id tokenizer and its shards in `dir`.
fn shards(dir: &Path) -> (PathBuf, PathBuf) {
    let corpus = common::write_corpus(dir);
    let tokenizer = common::write_tokenizer(dir, 300);
    let tokens = dir.join("tokens");
    let config = TokenizeConfig {
        validation_fraction: 0.2,
        separator: None,
    };
    tokenize(&corpus, &tokenizer, &tokens, &config).unwrap();
    (tokenizer, tokens)
}

fn config(steps: u64) -> TrainConfig {
    TrainConfig {
        preset: "tiny".to_string(),
        seq_len: Some(32),
        batch_size: 4,
        steps,
        lr: 3e-3,
        warmup_steps: 3,
        eval_every: 4,
        eval_windows: 2,
        checkpoint_every: 4,
        keep_checkpoints: 0,
        ..TrainConfig::default()
    }
}

/// Every file of a folder with its bytes, to show nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn loss_falls_well_below_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let (_, tokens) = shards(dir.path());
    let out = dir.path().join("run");
    let config = TrainConfig {
        batch_size: 8,
        lr: 5e-3,
        ..config(60)
    };
    let summary = train(&tokens, &out, &config, &cpu_options(Resume::Never)).unwrap();
    let log = read_log(&out).unwrap();
    assert_eq!(log.len(), 60);
    let first = log[0].loss;
    assert!(
        (first - (300f64).ln()).abs() < 0.5,
        "starts near ln(vocab): {first}"
    );
    let last: f64 = log[55..].iter().map(|l| l.loss).sum::<f64>() / 5.0;
    assert!(last < 0.5 * first, "loss {first} → {last}");
    let validation = summary.validation.unwrap();
    assert!(validation.bits_per_byte.is_finite() && validation.bits_per_byte > 0.0);
    assert!(validation.languages.contains_key("vi"));
    assert!(log.iter().all(|l| l.grad_norm.is_finite() && l.lr > 0.0));
    assert_eq!(
        summary.params,
        mekong_pretrain::ModelConfig::preset("tiny", 300)
            .unwrap()
            .num_params()
    );
}

#[test]
fn kill_and_resume_matches_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let (_, tokens) = shards(dir.path());
    let whole = dir.path().join("whole");
    train(&tokens, &whole, &config(12), &cpu_options(Resume::Never)).unwrap();

    // Interrupted after step 10, before step 10's checkpoint was written: the last good
    // checkpoint is step 8 and the log runs two steps past it.
    let parts = dir.path().join("parts");
    let stopped = TrainOptions {
        stop_after: Some(10),
        ..cpu_options(Resume::Never)
    };
    train(&tokens, &parts, &config(12), &stopped).unwrap();
    std::fs::remove_dir_all(parts.join("checkpoints/step-00000010")).unwrap();
    assert_eq!(read_log(&parts).unwrap().len(), 10);
    let resumed = train(&tokens, &parts, &config(12), &cpu_options(Resume::Required)).unwrap();
    assert_eq!(resumed.first_step, 9);

    let a = read_log(&whole).unwrap();
    let b = read_log(&parts).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.step, y.step);
        assert!(
            (x.loss - y.loss).abs() < 1e-5,
            "step {}: {} vs {}",
            x.step,
            x.loss,
            y.loss
        );
        assert!((x.grad_norm - y.grad_norm).abs() < 1e-4 * x.grad_norm.max(1.0));
    }
    let device = Default::default();
    let (m1, _, meta1) = load_checkpoint::<CpuBackend>(&whole, &device).unwrap();
    let (m2, _, meta2) = load_checkpoint::<CpuBackend>(&parts, &device).unwrap();
    assert_eq!(meta1.step, 12);
    assert_eq!(meta1.state, meta2.state);
    let ids = burn::tensor::Tensor::<CpuBackend, 2, burn::tensor::Int>::from_data(
        burn::tensor::TensorData::new(vec![1i64, 5, 9, 13, 2, 7], [1, 6]),
        &device,
    );
    m1.forward(ids.clone()).into_data().assert_approx_eq::<f32>(
        &m2.forward(ids).into_data(),
        burn::tensor::Tolerance::absolute(1e-4),
    );
}

#[test]
fn bad_input_is_refused_and_the_last_checkpoint_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (tokenizer, tokens) = shards(dir.path());
    let out = dir.path().join("run");
    train(&tokens, &out, &config(4), &cpu_options(Resume::Never)).unwrap();
    let checkpoint = latest_checkpoint(&out).unwrap().unwrap();
    let before = snapshot(&checkpoint);
    assert!(check_tokenizer_matches(&tokenizer, &out).unwrap());

    // A sequence length beyond the model's.
    let long = TrainConfig {
        seq_len: Some(4096),
        ..config(8)
    };
    let error = train(&tokens, &out, &long, &cpu_options(Resume::IfPresent)).unwrap_err();
    assert!(error.to_string().contains("max_seq_len"), "{error}");

    // Starting over into a folder with checkpoints.
    let error = train(&tokens, &out, &config(4), &cpu_options(Resume::Never)).unwrap_err();
    assert!(error.to_string().contains("--resume"), "{error}");

    // Other parameters than the checkpoint's.
    let other = TrainConfig {
        lr: 1e-2,
        ..config(4)
    };
    let error = train(&tokens, &out, &other, &cpu_options(Resume::Required)).unwrap_err();
    assert!(error.to_string().contains("differing: lr"), "{error}");

    // Shards from a tokenizer with another vocabulary.
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other_tokenizer = common::write_tokenizer(&other_dir, 280);
    let other_tokens = other_dir.join("tokens");
    tokenize(
        &common::write_corpus(&other_dir),
        &other_tokenizer,
        &other_tokens,
        &TokenizeConfig::default(),
    )
    .unwrap();
    let error = train(
        &other_tokens,
        &out,
        &config(8),
        &cpu_options(Resume::Required),
    )
    .unwrap_err();
    assert!(error.to_string().contains("280 tokens"), "{error}");
    let error = check_tokenizer_matches(&other_tokenizer, &out).unwrap_err();
    assert!(error.to_string().contains("use the tokenizer"), "{error}");
    assert_eq!(snapshot(&checkpoint), before);

    // A truncated checkpoint: reported as such by loading and by resuming.
    let model = checkpoint.join(MODEL_FILE);
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(&model, &bytes[..bytes.len() / 2]).unwrap();
    let truncated = snapshot(&checkpoint);
    let error = load_checkpoint::<CpuBackend>(&out, &Default::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("model.mpk") && error.contains("truncated"),
        "{error}"
    );
    let error = train(&tokens, &out, &config(8), &cpu_options(Resume::Required)).unwrap_err();
    assert!(error.to_string().contains("truncated"), "{error}");
    assert_eq!(snapshot(&checkpoint), truncated);
}
