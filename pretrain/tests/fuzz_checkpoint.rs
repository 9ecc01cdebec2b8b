//! Hostile `checkpoint.json` files: a real checkpoint's record with random edits (digit runs
//! among them, so model sizes and steps can grow past anything the weights hold), and random
//! bytes. Loading the checkpoint and continuing training from it either works or fails with an
//! error naming the checkpoint; it never panics, and never allocates more than the record holds.

mod common;

use common::cpu_options;
use mekong_pretrain::checkpoint::META_FILE;
use mekong_pretrain::{
    load_checkpoint, tokenize, train, CpuBackend, Resume, TokenizeConfig, TrainConfig, TrainOptions,
};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const CHECKPOINT: &str = "checkpoints/step-00000002";

struct Run {
    _dir: tempfile::TempDir,
    tokens: PathBuf,
    output: PathBuf,
    meta: String,
}

fn config() -> TrainConfig {
    TrainConfig {
        preset: "tiny".to_string(),
        seq_len: Some(16),
        batch_size: 2,
        steps: 3,
        warmup_steps: 1,
        eval_every: 0,
        checkpoint_every: 2,
        ..TrainConfig::default()
    }
}

/// A training run stopped after 2 of its 3 steps, written once: its tokens, its output and its checkpoint's record.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = common::write_corpus(dir.path());
        let tokenizer = common::write_tokenizer(dir.path(), 300);
        let tokens = dir.path().join("tokens");
        tokenize(&corpus, &tokenizer, &tokens, &TokenizeConfig::default()).unwrap();
        let output = dir.path().join("run");
        // A run of 3 steps stopped after its checkpoint at step 2, as an interrupted one.
        let stopped = TrainOptions {
            stop_after: Some(2),
            ..cpu_options(Resume::Never)
        };
        train(&tokens, &output, &config(), &stopped).unwrap();
        let meta = std::fs::read_to_string(output.join(CHECKPOINT).join(META_FILE)).unwrap();
        Run {
            _dir: dir,
            tokens,
            output,
            meta,
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn names_the_checkpoint(message: &str) -> bool {
    message.contains("step-00000002") || message.contains(META_FILE)
}

/// Loads and continues the run with `meta` as its checkpoint's record; returns whether training
/// continued. Panics when an error names no file.
fn check(meta: &[u8]) -> bool {
    let run = run();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("run");
    copy_dir(&run.output, &output);
    std::fs::write(output.join(CHECKPOINT).join(META_FILE), meta).unwrap();

    let device = Default::default();
    if let Err(error) = load_checkpoint::<CpuBackend>(&output.join(CHECKPOINT), &device) {
        let message = error.to_string();
        assert!(names_the_checkpoint(&message), "names no file: {message}");
    }
    // Continuing the run reads the rest of the record: the sampler's position, the losses, the
    // training parameters it must match.
    match train(
        &run.tokens,
        &output,
        &config(),
        &cpu_options(Resume::Required),
    ) {
        Ok(_) => true,
        Err(error) => {
            let message = error.to_string();
            assert!(names_the_checkpoint(&message), "names no file: {message}");
            false
        }
    }
}

/// The harness itself: the record as written loads and training continues from it.
#[test]
fn the_unedited_record_continues() {
    assert!(check(run().meta.as_bytes()));
}

/// A norm epsilon or rotary base that is not a positive number is refused naming the
/// checkpoint (burn's RMSNorm would panic on the epsilon; the property test above found it).
#[test]
fn a_non_positive_norm_epsilon_or_rope_base_is_refused() {
    for (field, value) in [
        ("norm_eps", "0.0"),
        ("norm_eps", "-1e-5"),
        ("rope_theta", "0.0"),
    ] {
        let written = run().meta.split_once(&format!("\"{field}\": ")).unwrap().1;
        let old = &written[..written.find([',', '\n']).unwrap()];
        let meta = run().meta.replacen(
            &format!("\"{field}\": {old}"),
            &format!("\"{field}\": {value}"),
            1,
        );
        assert_ne!(meta, run().meta);
        assert!(!check(meta.as_bytes()), "{field} {value} trained");
        let error = load_error(&meta);
        assert!(
            error.contains(field) && names_the_checkpoint(&error),
            "{error}"
        );
    }
}

/// Sizes no record holds are refused before the model is built: building it would first
/// allocate what the damaged record declares.
#[test]
fn a_model_larger_than_its_weights_is_refused_before_it_is_built() {
    let meta = run()
        .meta
        .replacen("\"d_model\": 64", "\"d_model\": 4194304", 1);
    assert_ne!(meta, run().meta);
    let error = load_error(&meta);
    assert!(error.contains("more than the"), "{error}");
}

/// The error of loading the run's checkpoint with `meta` as its record (which must fail).
fn load_error(meta: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("step-00000002");
    copy_dir(&run().output.join(CHECKPOINT), &checkpoint);
    std::fs::write(checkpoint.join(META_FILE), meta).unwrap();
    load_checkpoint::<CpuBackend>(&checkpoint, &Default::default())
        .expect_err("refused")
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn edited_checkpoint_records_load_or_fail_naming_the_checkpoint(
        edits in prop::collection::vec((0.0..1.0f64, 0..4usize, "[0-9]{0,12}|[^\\n]{0,3}"), 1..5),
    ) {
        check(&common::edited(&run().meta, &edits));
    }

    #[test]
    fn random_checkpoint_records_fail_naming_the_checkpoint(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        check(&bytes);
    }
}
