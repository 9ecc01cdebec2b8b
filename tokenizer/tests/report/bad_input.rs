//! Bad input: a clear error naming the file (and line), and no report written — an earlier
//! report in the output folder stays as it was.

use crate::fixtures;
use mekong_tokenizer::report::{self, FloresSplit, ReportConfig, TokenizerSpec};
use std::path::Path;

/// Runs a report into `dir/out`, which holds an earlier report; returns the error and checks
/// that the earlier report is untouched and no staging folder is left behind.
fn fails(dir: &Path, config: &ReportConfig) -> String {
    let out = dir.join("out");
    fixtures::write(&out, "report.md", "earlier report");
    let error = report::generate(config, &out).unwrap_err().to_string();
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        "earlier report"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    error
}

fn config(dir: &Path, tokenizer: &str) -> ReportConfig {
    ReportConfig {
        tokenizers: vec![TokenizerSpec::parse(tokenizer).unwrap()],
        parallel: fixtures::parallel_set(dir),
        reference: "en".into(),
        split: FloresSplit::Devtest,
        languages: vec![],
    }
}

#[test]
fn malformed_tokenizer_json_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures::write(dir.path(), "bad.json", "{\n  \"model\": [1, 2,\n");
    let error = fails(
        dir.path(),
        &config(dir.path(), &format!("bad={}", path.display())),
    );
    assert!(error.contains("bad.json"), "{error}");
    assert!(error.contains("line"), "{error}");
}

#[test]
fn unreadable_tokenizer_names_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere/tokenizer.json");
    let error = fails(dir.path(), &config(dir.path(), missing.to_str().unwrap()));
    assert!(error.contains("nowhere/tokenizer.json"), "{error}");
}

#[test]
fn tiktoken_bad_line_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut ranks = fixtures::tiktoken_ranks();
    ranks.insert_str(0, "aGk= 1000\nnot-base64! 7\n");
    let path = fixtures::write(dir.path(), "bad.tiktoken", &ranks);
    let error = fails(dir.path(), &config(dir.path(), path.to_str().unwrap()));
    assert!(error.contains("bad.tiktoken:2:"), "{error}");

    let path = fixtures::write(dir.path(), "short.tiktoken", "aGk= 0\n");
    let error = fails(dir.path(), &config(dir.path(), path.to_str().unwrap()));
    assert!(
        error.contains("short.tiktoken") && error.contains("0x00"),
        "{error}"
    );
}

#[test]
fn misaligned_parallel_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "cl100k");
    fixtures::write(&config.parallel, "lo.txt", "one line only\n");
    let error = fails(dir.path(), &config);
    assert!(error.contains("lo.txt has 1 lines"), "{error}");
    assert!(error.contains("has 3 lines"), "{error}");
}

#[test]
fn unknown_reference_language_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), "cl100k");
    config.reference = "fr".into();
    let error = fails(dir.path(), &config);
    assert!(
        error.contains("'fr'") && error.contains("en, km, vi"),
        "{error}"
    );
}
