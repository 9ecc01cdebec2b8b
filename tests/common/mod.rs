//! Running the built `mekong` binary, for the CLI tests.
// Each test file uses its own subset of these.
#![allow(dead_code)]

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
