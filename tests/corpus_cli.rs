//! `mekong corpus` and the `[corpus]` pipeline section, through the built binary.

mod common;

use common::{mekong, text};
use std::path::Path;

fn fixtures(dir: &Path) {
    std::fs::write(
        dir.join("ui.tsv"),
        "Open the file\tMở tập tin\nOpen the file\tMở tập tin\nGNOME\tGNOME\nSave _As\tLưu _dưới tên\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.en"), "Hello\nGood morning\n").unwrap();
    std::fs::write(dir.join("a.vi"), "Xin chào\nChào buổi sáng\n").unwrap();
    std::fs::write(
        dir.join("wiki.txt"),
        "Hoà bình là mong ước của mọi người.\n\nSông Mekong chảy qua sáu nước.\n",
    )
    .unwrap();
    std::fs::write(dir.join("eval.txt"), "Sông Mekong chảy qua sáu nước.\n").unwrap();
}

#[test]
fn cli_writes_shards_stats_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let out = mekong(
        dir.path(),
        &[
            "corpus",
            "--parallel",
            "en-vi=ui.tsv",
            "--parallel",
            "en-vi=a.en,a.vi",
            "--mono",
            "vi=wiki.txt",
            "--exclude",
            "eval.txt",
            "--strip-accelerators",
            "--output",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("en-vi") && stderr.contains("duplicate"),
        "{stderr}"
    );
    for file in [
        "part-00000.parquet",
        "part-00001.parquet",
        "rejected/part-00000.parquet",
        "stats.json",
        "manifest.json",
    ] {
        assert!(dir.path().join("out").join(file).exists(), "{file} missing");
    }
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/stats.json")).unwrap())
            .unwrap();
    assert_eq!(stats["languages"]["en-vi"]["kept"], 4);
    assert_eq!(stats["languages"]["en-vi"]["dropped"]["duplicate"], 1);
    assert_eq!(stats["languages"]["en-vi"]["dropped"]["untranslated"], 1);
    assert_eq!(stats["languages"]["vi"]["kept"], 1);
    assert_eq!(stats["languages"]["vi"]["dropped"]["contaminated"], 1);
    assert_eq!(stats["normalize"]["accelerators"], 2);

    let again = mekong(dir.path(), &["corpus", "stats", "out"]);
    assert!(again.status.success());
    let table = text(&again.stdout);
    assert!(table.contains("contaminated") && table.lines().any(|l| l.starts_with("total")));
}

#[test]
fn bad_input_fails_with_file_and_line_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.txt"), b"good line\nbad \xff line\n").unwrap();
    let out = mekong(
        dir.path(),
        &["corpus", "--mono", "vi=bad.txt", "--output", "out"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("bad.txt:2: not valid UTF-8"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("out").exists());

    let skipped = mekong(
        dir.path(),
        &[
            "corpus",
            "--mono",
            "vi=bad.txt",
            "--skip-bad-lines",
            "--output",
            "out",
        ],
    );
    assert!(skipped.status.success(), "{}", text(&skipped.stderr));
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"skipped_lines\": 1"), "{manifest}");
}

#[test]
fn pipeline_runs_then_caches() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    std::fs::write(
        dir.path().join("p.toml"),
        r#"
[pipeline]
workdir = "runs"

[corpus]
parallel = ["en-vi=ui.tsv"]
mono = ["vi=wiki.txt"]
exclude = ["eval.txt"]

[corpus.normalize]
vi_tone = "new"

[corpus.filters]
disable = ["langid"]
"#,
    )
    .unwrap();
    let first = mekong(dir.path(), &["run", "p.toml"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(dir.path().join("runs/corpus/part-00000.parquet").exists());
    let manifest = std::fs::read_to_string(dir.path().join("runs/corpus/manifest.json")).unwrap();
    assert!(manifest.contains("\"vi_tone\": \"new\""));
    let second = mekong(dir.path(), &["run", "p.toml"]);
    assert!(second.status.success());
    assert!(
        text(&second.stderr).contains("cached"),
        "{}",
        text(&second.stderr)
    );

    std::fs::write(
        dir.path().join("bad.toml"),
        "[corpus]\nmono = [\"vi=wiki.txt\"]\n[corpus.filters]\nmin_charz = 3\n",
    )
    .unwrap();
    let bad = mekong(dir.path(), &["run", "bad.toml"]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("min_charz"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn langid_shows_each_lines_verdict() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vi.txt"),
        "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm.\n\
         The children are playing happily in the garden behind the old house.\n\
         Xin chào\n",
    )
    .unwrap();
    let out = mekong(dir.path(), &["corpus", "langid", "--lang", "vi", "vi.txt"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Vec<String>> = text(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[0][3].as_str(), rows[0][8].as_str()), ("vi", "keep"));
    assert_eq!(rows[1][3], "en");
    assert!(
        rows[1][8].starts_with("drop langid: vi: reads as en"),
        "{:?}",
        rows[1]
    );
    // Too short to judge.
    assert_eq!(rows[2][8], "keep");
    assert!(text(&out.stderr).contains("1 of 3 lines would be dropped"));

    let missing = mekong(
        dir.path(),
        &["corpus", "langid", "--lang", "vi", "nope.txt"],
    );
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("nope.txt"));
}
