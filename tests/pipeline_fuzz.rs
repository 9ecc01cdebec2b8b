//! Hostile pipeline files: the demo's pipeline with random edits, and random bytes, planned by
//! `mekong run --dry-run` (which reads and checks every table but runs nothing). Whatever the
//! file, mekong exits with success or with an error naming the pipeline file; it never panics
//! (exit status 101). 64 cases a property: each case starts the binary.

mod common;

use common::{mekong, text};
use proptest::prelude::*;

const PIPELINE: &str = include_str!("../pipelines/demo.toml");

fn check(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.toml"), bytes).unwrap();
    let out = mekong(dir.path(), &["run", "p.toml", "--dry-run"]);
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "mekong panicked: {stderr}");
    if !out.status.success() {
        assert!(
            stderr.contains("p.toml"),
            "the error names no file: {stderr}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn edited_pipelines_plan_or_fail_naming_the_file(
        edits in prop::collection::vec((0.0..1.0f64, 0..12usize, prop::collection::vec(any::<u8>(), 0..6)), 1..5),
    ) {
        let mut bytes = PIPELINE.as_bytes().to_vec();
        for (at, cut, insert) in &edits {
            let start = ((at * bytes.len() as f64) as usize).min(bytes.len());
            let end = (start + cut).min(bytes.len());
            bytes.splice(start..end, insert.iter().copied());
        }
        check(&bytes);
    }

    #[test]
    fn random_bytes_fail_naming_the_file(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }
}
