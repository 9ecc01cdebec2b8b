//! Running the built `mekong` binary, for the CLI tests.
// Each test file uses its own subset of these.
#![allow(dead_code)]

pub mod outputs;

use std::path::Path;
use std::process::{Command, Output};

/// A Vietnamese–English parallel set the CLI tests build their corpora from: `VI[i]`
/// translates `EN[i]`.
pub const VI: [&str; 4] = [
    "Sông Mê Kông chảy qua sáu quốc gia.",
    "Người dân đồng bằng trồng lúa và nuôi cá.",
    "Mùa mưa bắt đầu vào tháng năm.",
    "Huế từng là kinh đô của triều Nguyễn.",
];
pub const EN: [&str; 4] = [
    "The Mekong flows through six countries.",
    "People in the delta grow rice and raise fish.",
    "The rainy season begins in May.",
    "Hue was once the imperial capital.",
];

/// The inputs of the pipeline tests' small pipelines, written into `dir`: `vi-mono.txt` (40
/// Vietnamese lines), `pairs.tsv` (40 English–Vietnamese pairs) and the aligned evaluation set
/// `parallel/{vi,en}.txt`.
pub fn write_pipeline_inputs(dir: &Path) {
    let mono: Vec<String> = (0..40).map(|i| format!("{} {i}", VI[i % 4])).collect();
    std::fs::write(dir.join("vi-mono.txt"), mono.join("\n") + "\n").unwrap();
    let pairs: Vec<String> = (0..40)
        .map(|i| format!("{} {i}\t{} {i}", EN[i % 4], VI[i % 4]))
        .collect();
    std::fs::write(dir.join("pairs.tsv"), pairs.join("\n") + "\n").unwrap();
    std::fs::create_dir_all(dir.join("parallel")).unwrap();
    std::fs::write(dir.join("parallel/vi.txt"), VI.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("parallel/en.txt"), EN.join("\n") + "\n").unwrap();
}

/// `pipe.toml` naming every stage, small enough to run in a second or two (`workdir = "run"`),
/// written with its inputs into `dir`. Training saves a checkpoint every 2 of its 6 steps, so
/// an interrupted run has checkpoints to continue from.
pub fn write_every_stage_pipeline(dir: &Path) {
    write_pipeline_inputs(dir);
    std::fs::write(dir.join("pipe.toml"), EVERY_STAGE_PIPELINE).unwrap();
}

const EVERY_STAGE_PIPELINE: &str = "[pipeline]\nworkdir = \"run\"\n\n\
    [corpus]\nmono = [\"vi=vi-mono.txt\"]\nparallel = [\"en-vi=pairs.tsv\"]\n\n\
    [tokenizer]\nalgorithm = \"classic\"\nvocab_size = 300\nmin_frequency = 1\n\n\
    [tokenizer.report]\nparallel = \"parallel\"\n\n\
    [pretrain]\ndevice = \"cpu\"\n\n\
    [pretrain.train]\npreset = \"tiny\"\nsteps = 6\nbatch_size = 2\nseq_len = 32\n\
    warmup_steps = 1\neval_every = 3\neval_windows = 1\ncheckpoint_every = 2\n\n\
    [eval]\nparallel = \"parallel\"\nprompts = [\"Huế\"]\nmax_new_tokens = 3\n\n\
    [export]\n";

/// Runs `mekong ARGS` in `dir`.
pub fn mekong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mekong"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the mekong binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `mekong ARGS` in `dir`, checks that it succeeded and returns what it wrote to stderr.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = mekong(dir, args);
    assert!(
        out.status.success(),
        "mekong {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stderr)
}

/// `mekong tokenizer train` on the corpus folder `corpus` in `dir`: a classic 300-id BPE written
/// to `tok/tokenizer.json`, small enough for the tiny test corpora.
pub fn train_test_tokenizer(dir: &Path) {
    ok(
        dir,
        &[
            "tokenizer",
            "train",
            "--train",
            "corpus",
            "--algorithm",
            "classic",
            "--vocab-size",
            "300",
            "--min-frequency",
            "1",
            "--output",
            "tok/tokenizer.json",
        ],
    );
}
