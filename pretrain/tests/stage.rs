//! The pipeline stage (tokenize + train): an interrupted run continues from its checkpoint, a
//! rerun with other parameters or a completed run starts afresh instead of continuing checkpoints
//! that belong to other work (keeping that work in `runs/NNN`), and a rerun on bad input keeps
//! the last good checkpoint.

mod common;

use mekong_pretrain::stage::{run_stage, StageParameters, RUN_FILE};
use mekong_pretrain::training::read_log;
use mekong_pretrain::{DeviceKind, TokenizeConfig, TrainConfig, TrainOptions};

fn parameters(steps: u64, seed: u64) -> StageParameters {
    StageParameters {
        tokenize: TokenizeConfig {
            validation_fraction: 0.2,
            separator: None,
        },
        train: TrainConfig {
            preset: "tiny".to_string(),
            seq_len: Some(32),
            batch_size: 2,
            steps,
            warmup_steps: 1,
            eval_every: 0,
            checkpoint_every: 2,
            seed,
            ..TrainConfig::default()
        },
    }
}

fn options(stop_after: Option<u64>) -> TrainOptions {
    TrainOptions {
        device: Some(DeviceKind::Cpu),
        progress: false,
        stop_after,
        ..TrainOptions::default()
    }
}

#[test]
fn interrupted_runs_continue_and_changed_or_completed_runs_start_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::write_corpus(dir.path());
    let tokenizer = common::write_tokenizer(dir.path(), 300);
    let out = dir.path().join("pretrain");

    // Interrupted after step 2: a run record, a checkpoint, no manifest.
    let stopped = run_stage(
        &corpus,
        &tokenizer,
        &out,
        &parameters(4, 0),
        &options(Some(2)),
    );
    assert_eq!(stopped.unwrap().train.last_step, 2);
    assert!(out.join(RUN_FILE).exists());
    assert!(!out.join("manifest.json").exists());

    // The same inputs and parameters: continues from step 3 and completes.
    let resumed = run_stage(&corpus, &tokenizer, &out, &parameters(4, 0), &options(None)).unwrap();
    assert_eq!((resumed.train.first_step, resumed.train.last_step), (3, 4));
    assert!(out.join("manifest.json").exists());
    assert!(!out.join(RUN_FILE).exists());

    // Run again (forced) with the same parameters: a completed run is not continued.
    // The completed run is kept, with the tokenizer it was trained with.
    let again = run_stage(&corpus, &tokenizer, &out, &parameters(4, 0), &options(None)).unwrap();
    assert_eq!(again.train.first_step, 1);
    let first = out.join("runs/001");
    assert!(first
        .join("checkpoints/step-00000004/checkpoint.json")
        .exists());
    assert!(first.join("manifest.json").exists());
    assert_eq!(
        std::fs::read(first.join("tokenizer.json")).unwrap(),
        std::fs::read(&tokenizer).unwrap()
    );

    // A rerun on a bad (empty) corpus fails and leaves the last good checkpoint in place.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(run_stage(&empty, &tokenizer, &out, &parameters(4, 1), &options(None)).is_err());
    assert!(out
        .join("checkpoints/step-00000004/checkpoint.json")
        .exists());

    // Interrupted, then rerun with another seed: the old checkpoints are not continued.
    run_stage(
        &corpus,
        &tokenizer,
        &out,
        &parameters(4, 0),
        &options(Some(2)),
    )
    .unwrap();
    let changed = run_stage(&corpus, &tokenizer, &out, &parameters(4, 1), &options(None)).unwrap();
    assert_eq!((changed.train.first_step, changed.train.last_step), (1, 4));
    assert_eq!(read_log(&out).unwrap().len(), 4);
    // Every earlier run is still there: the completed one, then the interrupted one.
    assert!(out.join("runs/002/checkpoints/step-00000004").exists());
    assert!(out.join("runs/003/checkpoints/step-00000002").exists());
    assert!(out.join("runs/003/run.json").exists());
}
