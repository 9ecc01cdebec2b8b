//! `mekong tokenizer train --test` (held-out figures beside the dev set's) and `mekong tokenizer devset`.

mod common;

use common::{mekong, ok, text, EN, VI};
use std::path::Path;

fn write_set(dir: &Path, name: &str, rows: std::ops::Range<usize>) {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("vi.txt"), VI[rows.clone()].join("\n") + "\n").unwrap();
    std::fs::write(folder.join("en.txt"), EN[rows].join("\n") + "\n").unwrap();
}

fn train(dir: &Path, test: &str) -> std::process::Output {
    mekong(
        dir,
        &[
            "tokenizer",
            "train",
            "--train",
            "train",
            "--dev",
            "dev",
            "--test",
            test,
            "--algorithm",
            "parity",
            "--vocab-size",
            "300",
            "--min-frequency",
            "1",
            "--output",
            "tok/tokenizer.json",
        ],
    )
}

#[test]
fn train_reports_held_out_figures_and_refuses_a_test_set_that_is_the_dev_set() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path(), "train", 0..4);
    write_set(dir.path(), "dev", 0..2);
    write_set(dir.path(), "test", 2..4);

    let out = train(dir.path(), "test");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("dev set (chosen on, not held out)"),
        "{stderr}"
    );
    assert!(stderr.contains("test set (held out)"), "{stderr}");
    let training = std::fs::read_to_string(dir.path().join("tok/training.json")).unwrap();
    let training: serde_json::Value = serde_json::from_str(&training).unwrap();
    assert!(training["test"]["premium"]["vi"].as_f64().unwrap() > 0.0);

    let out = train(dir.path(), "dev");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("shares 2 of its 2 segments"), "{stderr}");
    // The earlier tokenizer is still there, untouched by the refused run.
    assert!(dir.path().join("tok/tokenizer.json").is_file());
}

#[test]
fn devset_builds_aligned_sets_from_bitexts() {
    let dir = tempfile::tempdir().unwrap();
    let pairs: Vec<String> = EN
        .iter()
        .zip(VI)
        .map(|(en, vi)| format!("{en}\t{vi}"))
        .collect();
    std::fs::write(dir.path().join("en-vi.tsv"), pairs.join("\n")).unwrap();
    let stderr = ok(
        dir.path(),
        &[
            "tokenizer",
            "devset",
            "--bitext",
            "en-vi=en-vi.tsv",
            "--output",
            "sets",
        ],
    );
    assert!(
        stderr.contains("devset: 4 segments of en translated in all 2 languages"),
        "{stderr}"
    );
    let dev = std::fs::read_to_string(dir.path().join("sets/dev/vi.txt")).unwrap();
    let test = std::fs::read_to_string(dir.path().join("sets/test/vi.txt")).unwrap();
    assert_eq!((dev.lines().count(), test.lines().count()), (2, 2));
}

/// `--dev-size-for LANG=N`: more dev rows for one language; a count that is not a whole number
/// is refused before anything is read.
#[test]
fn devset_takes_a_dev_size_for_one_language() {
    let dir = tempfile::tempdir().unwrap();
    let pairs: String = (0..30).map(|i| format!("line {i}\tdòng {i}\n")).collect();
    std::fs::write(dir.path().join("en-vi.tsv"), pairs).unwrap();
    let args = |sizes: &'static str| {
        [
            "tokenizer",
            "devset",
            "--bitext",
            "en-vi=en-vi.tsv",
            "--partial",
            "--dev-size",
            "4",
            "--test-size",
            "4",
            "--dev-size-for",
            sizes,
            "--output",
            "sets",
        ]
    };
    ok(dir.path(), &args("vi=10"));
    let dev = std::fs::read_to_string(dir.path().join("sets/dev/vi.txt")).unwrap();
    assert_eq!(dev.lines().count(), 10);

    let out = mekong(dir.path(), &args("vi=2.5"));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("'vi=2.5': '2.5' is not a whole number"),
        "{stderr}"
    );
}
