//! `mekong run` over a whole pipeline (corpus → tokenizer → pretrain → eval), through the built
//! binary: a stage reruns only when what it reads has changed, `--dry-run` says why, and a rerun
//! never destroys a trained model.

mod common;

use common::{mekong, ok, text, write_pipeline_inputs, VI};
use std::path::Path;

fn pipeline(vocab_size: usize) -> String {
    format!(
        "[pipeline]\nworkdir = \"run\"\n\n\
         [corpus]\nmono = [\"vi=vi-mono.txt\"]\nparallel = [\"en-vi=pairs.tsv\"]\n\n\
         [tokenizer]\nalgorithm = \"classic\"\nvocab_size = {vocab_size}\nmin_frequency = 1\n\n\
         [pretrain]\ndevice = \"cpu\"\n\n\
         [pretrain.train]\npreset = \"tiny\"\nsteps = 3\nbatch_size = 2\nseq_len = 32\n\
         warmup_steps = 1\neval_every = 0\neval_windows = 1\n\n\
         [eval]\nparallel = \"parallel\"\nprompts = [\"Huế\"]\nmax_new_tokens = 3\n"
    )
}

fn write_inputs(dir: &Path) {
    write_pipeline_inputs(dir);
    std::fs::write(dir.join("pipe.toml"), pipeline(300)).unwrap();
}

#[test]
fn reruns_follow_what_each_stage_reads_and_keep_earlier_models() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inputs(d);
    ok(d, &["run", "pipe.toml"]);
    let final_checkpoint = "run/pretrain/checkpoints/step-00000003";
    assert!(d.join(final_checkpoint).is_dir());

    // A line the corpus stage rejects (an exact duplicate): the kept shards stay byte-identical,
    // so nothing downstream reruns.
    let mut mono = std::fs::read_to_string(d.join("vi-mono.txt")).unwrap();
    mono.push_str(&format!("{} 0\n", VI[0]));
    std::fs::write(d.join("vi-mono.txt"), mono).unwrap();
    let plan = ok(d, &["run", "pipe.toml", "--dry-run"]);
    assert!(
        plan.contains("[corpus] will run: input vi-mono.txt changed"),
        "{plan}"
    );
    assert!(plan.contains("[tokenizer] cached"), "{plan}");
    assert!(plan.contains("dry run: nothing ran"), "{plan}");
    let rerun = ok(d, &["run", "pipe.toml"]);
    for stage in ["tokenizer", "pretrain", "eval"] {
        assert!(
            rerun.contains(&format!("[{stage}] cached")),
            "{stage}: {rerun}"
        );
    }
    assert!(!d.join("run/pretrain/runs").exists());

    // Another tokenizer: a new training run, and the earlier model is kept, evaluable.
    std::fs::write(d.join("pipe.toml"), pipeline(290)).unwrap();
    let plan = ok(d, &["run", "pipe.toml", "--dry-run"]);
    assert!(
        plan.contains("[tokenizer] will run: parameter vocab_size changed"),
        "{plan}"
    );
    let rerun = ok(d, &["run", "pipe.toml"]);
    assert!(rerun.contains("run/pretrain/runs/001"), "{rerun}");
    let kept = d.join("run/pretrain/runs/001");
    assert!(kept
        .join("checkpoints/step-00000003/checkpoint.json")
        .is_file());
    assert!(kept.join("train-log.jsonl").is_file());
    assert!(kept.join("manifest.json").is_file());
    assert!(
        d.join(final_checkpoint).is_dir(),
        "the new run's own checkpoint"
    );
    assert!(
        rerun.contains("[eval] the earlier output is kept in"),
        "{rerun}"
    );
    assert!(d.join("run/previous/eval-001/eval.json").is_file());
    assert!(d.join("run/eval/eval.json").is_file());
    let out = mekong(
        d,
        &[
            "eval",
            "--model",
            "earlier=run/pretrain/runs/001",
            "--tokenizer",
            "run/pretrain/runs/001/tokenizer.json",
            "--parallel",
            "parallel",
            "--output",
            "earlier-eval",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // --force reruns a completed stage without losing it either.
    let forced = ok(d, &["run", "pipe.toml", "--only", "pretrain", "--force"]);
    assert!(forced.contains("run/pretrain/runs/002"), "{forced}");
}

/// A second `mekong run` on a workdir in use is refused before it touches a stage; a dry run
/// still plans, and the lock of a run that is gone is taken over.
#[test]
fn a_workdir_in_use_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inputs(d);
    std::fs::create_dir_all(d.join("run")).unwrap();
    // This test's own process stands for a run in progress.
    let lock = d.join("run/.mekong.lock");
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let out = mekong(d, &["run", "pipe.toml", "--only", "corpus"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is in use by another mekong run"),
        "{stderr}"
    );
    assert!(!d.join("run/corpus").exists());
    ok(d, &["run", "pipe.toml", "--dry-run"]);

    let mut exited = std::process::Command::new("true").spawn().unwrap();
    let gone = exited.id();
    exited.wait().unwrap();
    std::fs::write(&lock, format!("{gone}\n")).unwrap();
    ok(d, &["run", "pipe.toml", "--only", "corpus"]);
    assert!(d.join("run/corpus/manifest.json").is_file());
    assert!(!lock.exists(), "the run removes its lock");
}
