//! Chaos: `mekong run` killed with SIGKILL at seeded random moments inside each stage (corpus,
//! tokenizer training, the tokenizer report, pretrain's tokenize and training, eval, export), on a
//! small pipeline. After every kill each stage's output folder is absent or complete; the next
//! `mekong run` takes over the dead run's lock, continues from the first incomplete stage, leaves
//! no staging folder behind, and writes what an undisturbed run writes (compared as
//! `common::outputs` says).
//!
//! The stages that run as tasks (corpus, tokenizer, pretrain) are also killed while their
//! tasks run (`--executor local --tasks 3`), runner and tasks at once, as when a node goes down;
//! the rerun runs only the tasks without a completion marker and writes what an undisturbed run
//! of as many tasks writes.
//!
//! `MEKONG_CHAOS_TRIALS` (kills per stage, default 2) and `MEKONG_CHAOS_SEED` set the long
//! version, which `scripts/chaos.sh` runs.

mod common;

use common::outputs::differences;
use common::{ok, write_every_stage_pipeline};
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The pipeline's stages in the order they run, as `--only` names them.
const STAGES: [&str; 6] = [
    "corpus",
    "tokenizer",
    "tokenizer-report",
    "pretrain",
    "eval",
    "export",
];

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).map_or(default, |v| {
        v.parse().unwrap_or_else(|_| panic!("{name}: not a number"))
    })
}

/// The stages that run as tasks, and how their runs are asked for.
const SPLIT_STAGES: [&str; 3] = ["corpus", "tokenizer", "pretrain"];
const SPLIT: [&str; 4] = ["--executor", "local", "--tasks", "3"];

/// The pipeline with its inputs cut into small units, so that every task has some.
fn write_split_pipeline(dir: &Path) {
    write_every_stage_pipeline(dir);
    let mut text = std::fs::read_to_string(dir.join("pipe.toml")).unwrap();
    text.push_str("\n[corpus.input]\nunit_bytes = 400\n\n[corpus.output]\nshard_rows = 9\n");
    std::fs::write(dir.join("pipe.toml"), text).unwrap();
}

/// Runs the pipeline stage by stage, undisturbed (with `extra` arguments), and returns how
/// long each stage took.
fn reference_run(dir: &Path, extra: &[&str]) -> Vec<Duration> {
    STAGES
        .iter()
        .map(|stage| {
            let start = Instant::now();
            let mut args = vec!["run", "pipe.toml", "--only", stage];
            args.extend(extra);
            ok(dir, &args);
            start.elapsed()
        })
        .collect()
}

/// Starts `mekong run pipe.toml` (with `extra` arguments) in `dir` and kills it with SIGKILL
/// after `moment`, unless it ended before, with every process it started (its process group:
/// a split stage's tasks). Returns whether it was killed.
fn run_and_kill(dir: &Path, moment: Duration, extra: &[&str]) -> bool {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mekong"))
        .current_dir(dir)
        .args(["run", "pipe.toml"])
        .args(extra)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + moment;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let group = format!("-{}", child.id());
    let killed = Command::new("kill").args(["-KILL", "--", &group]).status();
    assert!(killed.unwrap().success(), "kill -KILL -- {group}");
    child.wait().unwrap();
    // Tasks started just before the kill may still be dying: wait until none runs.
    while Command::new("kill")
        .args(["-0", "--", &group])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The stages whose output folder is complete (it holds its manifest). Panics on an output that
/// is visible but neither complete nor an interrupted training run the next run continues.
fn complete_stages(workdir: &Path, context: &str) -> Vec<&'static str> {
    let mut complete = Vec::new();
    for stage in STAGES {
        let output = workdir.join(stage);
        if !output.exists() {
            continue;
        }
        if output.join("manifest.json").is_file() {
            complete.push(stage);
            continue;
        }
        assert_eq!(
            stage,
            "pretrain",
            "{context}: {} is visible but incomplete",
            output.display()
        );
        // An interrupted pretrain stage: whole token shards, then (once training has started)
        // the run's record and whole checkpoints.
        if !output.join("run.json").is_file() {
            let visible: Vec<String> = std::fs::read_dir(&output)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .collect();
            assert!(
                visible.iter().all(|name| name == "tokens"),
                "{context}: {visible:?} in pretrain without run.json"
            );
        }
        if let Ok(checkpoints) = std::fs::read_dir(output.join("checkpoints")) {
            for checkpoint in checkpoints {
                let path = checkpoint.unwrap().path();
                let hidden = path.file_name().unwrap().to_string_lossy().starts_with('.');
                assert!(
                    hidden || path.join("checkpoint.json").is_file(),
                    "{context}: {} is a half checkpoint",
                    path.display()
                );
            }
        }
        let tokens = output.join("tokens");
        assert!(
            !tokens.exists() || tokens.join("tokens.json").is_file(),
            "{context}: half token shards"
        );
    }
    complete
}

/// Hidden siblings a writer stages into (`.NAME.staging-PID` and the like) anywhere under `dir`.
fn staging_leftovers(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if [".staging-", ".tmp-", ".previous-"]
                .iter()
                .any(|kind| name.contains(kind))
            {
                found.push(path.display().to_string());
            } else if path.is_dir() {
                pending.push(path);
            }
        }
    }
    found
}

#[test]
fn a_run_killed_in_any_stage_continues_to_the_same_outputs() {
    kill_trials(write_every_stage_pipeline, &STAGES, &[], "chaos");
}

#[test]
fn a_split_run_killed_in_any_task_continues_to_the_same_outputs() {
    kill_trials(
        write_split_pipeline,
        &SPLIT_STAGES,
        &SPLIT,
        "chaos, split into 3 tasks",
    );
}

/// Kills runs (with `extra` arguments) inside each of `stages`, at seeded moments, and checks
/// what every kill left and what the rerun writes, against an undisturbed run of the same kind.
fn kill_trials(write: fn(&Path), stages: &[&str], extra: &[&str], name: &str) {
    let trials = setting("MEKONG_CHAOS_TRIALS", 2);
    let seed = setting("MEKONG_CHAOS_SEED", 18);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let reference = tempfile::tempdir().unwrap();
    write(reference.path());
    let durations = reference_run(reference.path(), extra);
    let mut killed_in = vec![0; STAGES.len()];

    for (index, stage) in STAGES.iter().enumerate() {
        if !stages.contains(stage) {
            continue;
        }
        for trial in 0..trials {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            write(d);
            // The stages before this one have completed, as after an earlier run.
            for done in &STAGES[..index] {
                copy_dir(
                    &reference.path().join("run").join(done),
                    &d.join("run").join(done),
                );
            }
            let moment = durations[index].mul_f64(rng.random::<f64>());
            let context = format!("{stage}, trial {trial}, killed after {moment:?} (seed {seed})");
            let killed = run_and_kill(d, moment, extra);
            let complete = complete_stages(&d.join("run"), &context);
            if killed && !complete.contains(stage) {
                killed_in[index] += 1;
            }

            let mut args = vec!["run", "pipe.toml"];
            args.extend(extra);
            let rerun = ok(d, &args);
            for each in STAGES {
                let cached = rerun.contains(&format!("[{each}] cached"));
                assert_eq!(
                    cached,
                    complete.contains(&each),
                    "{context}: [{each}] complete after the kill is {}, but the rerun said:\n{rerun}",
                    complete.contains(&each)
                );
            }
            let leftovers = staging_leftovers(d);
            assert!(leftovers.is_empty(), "{context}: left {leftovers:?}");
            assert!(!d.join("run/.mekong.lock").exists(), "{context}: lock left");
            assert!(
                !d.join("run/.tasks").exists(),
                "{context}: task folders left"
            );
            let differing = differences(&reference.path().join("run"), &d.join("run"));
            assert!(differing.is_empty(), "{context}: {differing:#?}");
        }
    }
    eprintln!(
        "{name} (seed {seed}): {trials} kills per stage; killed before the stage completed: {}",
        STAGES
            .iter()
            .zip(&killed_in)
            .filter(|(stage, _)| stages.contains(stage))
            .map(|(stage, n)| format!("{stage} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
