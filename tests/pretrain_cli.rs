//! `mekong pretrain` and the `[pretrain]` pipeline section, through the built binary: corpus and
//! tokenizer come from the earlier stages' commands on a small text written here.

mod common;

use common::{mekong, ok, train_test_tokenizer};
use std::path::Path;

/// A corpus folder and a 300-id tokenizer, made with `mekong corpus` and `mekong tokenizer train`.
fn corpus_and_tokenizer(dir: &Path) {
    let lines: Vec<String> = (0..60)
        .map(|i| {
            let base = [
                "Sông Mê Kông chảy qua sáu quốc gia trước khi đổ ra biển",
                "Mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm",
                "Hà Nội là thủ đô của nước Việt Nam",
            ];
            format!("{} số {i}.", base[i % 3])
        })
        .collect();
    std::fs::write(dir.join("vi.txt"), lines.join("\n") + "\n").unwrap();
    ok(
        dir,
        &[
            "corpus",
            "--mono",
            "vi=vi.txt",
            "--no-near-dedup",
            "--output",
            "corpus",
        ],
    );
    train_test_tokenizer(dir);
}

const TRAIN: [&str; 14] = [
    "--preset",
    "tiny",
    "--seq-len",
    "32",
    "--batch-size",
    "2",
    "--steps",
    "4",
    "--warmup-steps",
    "1",
    "--checkpoint-every",
    "2",
    "--device",
    "cpu",
];

#[test]
fn tokenize_train_and_resume_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    corpus_and_tokenizer(d);
    let stderr = ok(
        d,
        &[
            "pretrain",
            "tokenize",
            "--corpus",
            "corpus",
            "--tokenizer",
            "tok/tokenizer.json",
            "--output",
            "tokens",
            "--validation-fraction",
            "0.1",
        ],
    );
    assert!(
        stderr.contains("train") && stderr.contains("vi"),
        "{stderr}"
    );
    assert!(d.join("tokens/tokens.json").exists());

    let mut args = vec![
        "pretrain", "train", "--tokens", "tokens", "--output", "model",
    ];
    args.extend(TRAIN);
    let stopped: Vec<&str> = args.iter().copied().chain(["--stop-after", "2"]).collect();
    let stderr = ok(d, &stopped);
    assert!(stderr.contains("parameters"), "{stderr}");
    assert!(
        !d.join("model/manifest.json").exists(),
        "an unfinished run is not recorded as done"
    );

    // Without --resume an existing run is never overwritten.
    let refused = mekong(d, &args);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));

    let resumed: Vec<&str> = args.iter().copied().chain(["--resume"]).collect();
    let stderr = ok(d, &resumed);
    assert!(stderr.contains("steps 3..=4"), "{stderr}");
    assert!(d.join("model/checkpoints/step-00000004/model.mpk").exists());
    assert!(d.join("model/manifest.json").exists());
    let log = std::fs::read_to_string(d.join("model/train-log.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 4);

    // A sequence longer than the model's is refused with the reason.
    let long = [
        "pretrain",
        "train",
        "--tokens",
        "tokens",
        "--output",
        "other",
        "--seq-len",
        "4096",
        "--device",
        "cpu",
    ];
    let out = mekong(d, &long);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_seq_len"));
}

#[test]
fn pipeline_runs_the_stage_then_finds_it_cached() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    corpus_and_tokenizer(d);
    std::fs::write(
        d.join("p.toml"),
        r#"
[pipeline]
workdir = "work"

[pretrain]
corpus = "corpus"
tokenizer = "tok/tokenizer.json"
device = "cpu"

[pretrain.train]
preset = "tiny"
seq_len = 32
batch_size = 2
steps = 3
warmup_steps = 1
language_weights = { vi = 1.0 }
"#,
    )
    .unwrap();
    let stderr = ok(d, &["run", "p.toml"]);
    assert!(stderr.contains("tokenized"), "{stderr}");
    let manifest = std::fs::read_to_string(d.join("work/pretrain/manifest.json")).unwrap();
    assert!(manifest.contains("\"stage\": \"pretrain\""));
    assert!(d.join("work/pretrain/tokens/train/vi.tokens").exists());
    assert!(d.join("work/pretrain/checkpoints/step-00000003").exists());
    let stderr = ok(d, &["run", "p.toml"]);
    assert!(stderr.contains("cached"), "{stderr}");

    // Changed parameters: the stage trains again from the start, not from the old checkpoints.
    let text = std::fs::read_to_string(d.join("p.toml")).unwrap();
    std::fs::write(d.join("p.toml"), text.replace("steps = 3", "steps = 4")).unwrap();
    let stderr = ok(d, &["run", "p.toml"]);
    assert!(stderr.contains("is kept in"), "{stderr}");
    assert!(d
        .join("work/pretrain/runs/001/checkpoints/step-00000003")
        .exists());
    let log = std::fs::read_to_string(d.join("work/pretrain/train-log.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 4);

    // Misspelt keys are caught, not ignored.
    let text = std::fs::read_to_string(d.join("p.toml")).unwrap();
    std::fs::write(d.join("bad.toml"), text.replace("batch_size", "batchsize")).unwrap();
    let out = mekong(d, &["run", "bad.toml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("batchsize"));
}
