//! `mekong run --executor local --tasks N`: a stage split into tasks (processes of the binary)
//! writes what one process writes; a failed task is the only one a rerun runs again; bad task
//! settings are errors that say what to do.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use common::{ok, text, write_pipeline_inputs, EN, VI};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// The corpus in small shards (several units for the tasks to share), and a tokenizer that
/// samples its input, so both the units' order and the sampling positions are exercised; its
/// base is characters (the byte base is split by the demo's stages in scripts/test-slurm.sh).
fn pipeline(workdir: &str) -> String {
    format!(
        "[pipeline]\nworkdir = \"{workdir}\"\n\n\
         [corpus]\nmono = [\"vi=vi-mono.txt\"]\nparallel = [\"en-vi=pairs.tsv\", \"en-vi=more.tsv\"]\n\n\
         [corpus.input]\nunit_bytes = 300\n\n\
         [corpus.dedup]\nexact_each_side = true\n\n\
         [corpus.output]\nshard_rows = 7\n\n\
         [tokenizer]\nalgorithm = \"classic\"\nbase = \"char\"\nvocab_size = 600\nmin_frequency = 2\n\
         max_bytes_per_lang = 900\n\n\
         [tokenizer.report]\nparallel = \"parallel\"\ntokenizers = []\n\n\
         [pretrain]\ndevice = \"cpu\"\n\n\
         [pretrain.tokenize]\nvalidation_fraction = 0.2\n\n\
         [pretrain.train]\npreset = \"tiny\"\nsteps = 2\nbatch_size = 2\nseq_len = 16\n\
         warmup_steps = 1\neval_every = 2\neval_windows = 1\n"
    )
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mekong"))
        .current_dir(dir)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the mekong binary runs")
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_pipeline_inputs(dir.path());
    // Planted across units and tasks: exact copies (one only after normalising), a pair
    // sharing a side with an earlier one, near duplicates, and a copy of a filtered pair.
    let mut more = Vec::new();
    for i in 0..40 {
        more.push(format!("{} {i}\t{} {i}", EN[i % 4], VI[i % 4]));
        more.push(format!("{}  {i}\t{} {i}", EN[i % 4], VI[i % 4]));
        more.push(format!("Another sentence {i}\t{} {i}", VI[i % 4]));
        more.push(format!("{} {i} again\t{} {i} nữa", EN[i % 4], VI[i % 4]));
        more.push("GNOME Shell\tGNOME Shell".to_string());
    }
    std::fs::write(dir.path().join("more.tsv"), more.join("\n") + "\n").unwrap();
    std::fs::write(dir.path().join("one.toml"), pipeline("one")).unwrap();
    std::fs::write(dir.path().join("split.toml"), pipeline("split")).unwrap();
    ok(dir.path(), &["run", "one.toml"]);
    dir
}

fn same_tokenizer(dir: &Path) {
    let one = std::fs::read(dir.join("one/tokenizer/tokenizer.json")).unwrap();
    let split = std::fs::read(dir.join("split/tokenizer/tokenizer.json")).unwrap();
    assert!(
        one == split,
        "tokenizer.json differs between one process and tasks"
    );
}

/// The token streams (and their index) of the two runs, file by file.
fn same_tokens(dir: &Path) {
    let one = dir.join("one/pretrain/tokens");
    let split = dir.join("split/pretrain/tokens");
    let files = common::outputs::files(&one);
    assert!(files.len() > 4, "{files:?}");
    assert_eq!(files, common::outputs::files(&split));
    for file in files.iter().filter(|f| !f.ends_with("manifest.json")) {
        let same =
            std::fs::read(one.join(file)).unwrap() == std::fs::read(split.join(file)).unwrap();
        assert!(
            same,
            "{} differs between one process and tasks",
            file.display()
        );
    }
}

#[test]
fn tasks_give_what_one_process_gives() {
    let dir = setup();
    let shards = std::fs::read_dir(dir.path().join("one/corpus"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "parquet")
        })
        .count();
    assert!(
        shards >= 4,
        "the fixture needs several units, got {shards} shards"
    );
    let log = ok(
        dir.path(),
        &["run", "split.toml", "--executor", "local", "--tasks", "3"],
    );
    assert!(
        log.contains("[tokenizer] running as 3 tasks (local)"),
        "{log}"
    );
    same_tokenizer(dir.path());
    assert!(
        !dir.path().join("split/.tasks").exists(),
        "the work folder is removed"
    );
    // More tasks than units: the idle tasks write empty results.
    let units = std::fs::read_dir(dir.path().join("one/corpus"))
        .unwrap()
        .count();
    let many = (units + 2).to_string();
    ok(
        dir.path(),
        &[
            "run",
            "split.toml",
            "--executor",
            "local",
            "--tasks",
            &many,
            "--force",
            "--only",
            "tokenizer,pretrain",
        ],
    );
    same_tokenizer(dir.path());
    same_tokens(dir.path());
}

/// Every row of every Parquet file of a corpus folder (kept, then rejected), as text cells.
fn rows(dir: &Path) -> BTreeSet<Vec<String>> {
    let mut rows = BTreeSet::new();
    for folder in [dir.to_path_buf(), dir.join("rejected")] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "parquet") {
                continue;
            }
            let file = std::fs::File::open(&path).unwrap();
            let reader =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap()
                    .build()
                    .unwrap();
            for batch in reader {
                let batch = batch.unwrap();
                for row in 0..batch.num_rows() {
                    let cells = batch.columns().iter().map(|column| {
                        if column.is_null(row) {
                            "∅".to_string()
                        } else if let Some(strings) = column.as_string_opt::<i32>() {
                            strings.value(row).to_string()
                        } else {
                            let numbers = column.as_primitive::<arrow_array::types::UInt64Type>();
                            numbers.value(row).to_string()
                        }
                    });
                    rows.insert(cells.collect());
                }
            }
        }
    }
    rows
}

#[test]
fn the_corpus_split_keeps_and_rejects_what_one_process_does() {
    let dir = setup();
    let stats = |workdir: &str| {
        let text = std::fs::read_to_string(dir.path().join(workdir).join("corpus/stats.json"));
        serde_json::from_str::<serde_json::Value>(&text.unwrap()).unwrap()
    };
    let one = rows(&dir.path().join("one/corpus"));
    let reasons: BTreeSet<&str> = one
        .iter()
        .filter(|r| r.len() == 9)
        .map(|r| r[3].as_str())
        .collect();
    for reason in ["duplicate", "near-duplicate", "untranslated"] {
        assert!(
            reasons.contains(reason),
            "the fixture plants {reason}: {reasons:?}"
        );
    }
    for tasks in ["1", "3", "7"] {
        let _ = std::fs::remove_dir_all(dir.path().join("split"));
        let log = ok(
            dir.path(),
            &[
                "run",
                "split.toml",
                "--executor",
                "local",
                "--tasks",
                tasks,
                "--only",
                "corpus",
            ],
        );
        assert!(log.contains("[corpus] running as"), "{log}");
        assert_eq!(rows(&dir.path().join("split/corpus")), one, "{tasks} tasks");
        assert_eq!(stats("split"), stats("one"), "{tasks} tasks");
    }
}

#[test]
fn a_failed_task_is_named_and_the_only_one_run_again() {
    let dir = setup();
    let fault = [("MEKONG_FAIL_TASK", "tokenizer:count:2")];
    let args = ["run", "split.toml", "--executor", "local", "--tasks", "3"];
    let failed = run(dir.path(), &args, &fault);
    assert!(!failed.status.success());
    let message = text(&failed.stderr);
    assert!(
        message.contains("step count: 1 of 3 tasks failed")
            && message.contains("task 2")
            && message.contains("split/.tasks/tokenizer/logs/count-2.log")
            && message.contains("failed on purpose"),
        "{message}"
    );
    assert!(!dir.path().join("split/tokenizer").exists());
    let rerun = ok(dir.path(), &args);
    assert!(
        rerun.contains("5 tasks completed by an earlier run are kept"),
        "{rerun}"
    );
    same_tokenizer(dir.path());
}

#[test]
fn bad_task_settings_are_errors() {
    let dir = setup();
    let error = |args: &[&str], env: &[(&str, &str)]| {
        let out = run(dir.path(), args, env);
        assert!(!out.status.success(), "{args:?} succeeded");
        text(&out.stderr)
    };
    let zero = error(
        &["run", "split.toml", "--executor", "local", "--tasks", "0"],
        &[],
    );
    assert!(zero.contains("--tasks must be at least 1"), "{zero}");
    let no_count = error(&["run", "split.toml", "--executor", "local"], &[]);
    assert!(no_count.contains("needs a task count"), "{no_count}");
    let no_executor = error(&["run", "split.toml", "--tasks", "2"], &[]);
    assert!(no_executor.contains("need an executor"), "{no_executor}");
    ok(dir.path(), &["run", "split.toml", "--only", "corpus"]);
    let task = [
        "task",
        "split.toml",
        "--stage",
        "tokenizer",
        "--step",
        "count",
        "--tasks",
        "3",
    ];
    let no_index = error(&task, &[]);
    assert!(no_index.contains("SLURM_ARRAY_TASK_ID"), "{no_index}");
    let out_of_range = error(&task, &[("JOB_COMPLETION_INDEX", "3")]);
    assert!(
        out_of_range.contains("task index 3 is out of range"),
        "{out_of_range}"
    );
    let unplanned = error(&task, &[("SLURM_ARRAY_TASK_ID", "1")]);
    assert!(unplanned.contains("plan.json is missing"), "{unplanned}");
    let not_in_file = error(
        &[
            "task",
            "split.toml",
            "--stage",
            "eval",
            "--step",
            "x",
            "--tasks",
            "1",
            "--task-index",
            "0",
        ],
        &[],
    );
    assert!(not_in_file.contains("has no [eval] table"), "{not_in_file}");
    let step = |stage: &str, step: &str, env: &[(&str, &str)]| {
        error(
            &[
                "task",
                "split.toml",
                "--stage",
                stage,
                "--step",
                step,
                "--tasks",
                "1",
                "--task-index",
                "0",
            ],
            env,
        )
    };
    let unsplit = step("tokenizer-report", "x", &[]);
    assert!(unsplit.contains("does not run as tasks"), "{unsplit}");
    let no_slurm = error(
        &["run", "split.toml", "--executor", "slurm", "--tasks", "2"],
        &[("PATH", "/nonexistent")],
    );
    assert!(no_slurm.contains("sbatch not found"), "{no_slurm}");
    // The failed submission planned a run of 2 tasks: a task of another run is refused.
    let other_run = error(&task, &[("SLURM_ARRAY_TASK_ID", "1")]);
    assert!(other_run.contains("planned for another run"), "{other_run}");
}
