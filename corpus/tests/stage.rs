//! The whole stage on planted data: every filter, exact and near duplicates, decontamination,
//! normalisation counts, byte-identical reruns, and atomic failure.

use arrow_array::cast::AsArray;
use arrow_array::Array;
use mekong_corpus::{CorpusConfig, DropReason, Source, Stats};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Rows of every Parquet file in `dir` (not recursive), as column name → values.
fn rows(dir: &Path) -> Vec<BTreeMap<String, Option<String>>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            for row in 0..batch.num_rows() {
                let mut map = BTreeMap::new();
                for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
                    let value = if column.is_null(row) {
                        None
                    } else if let Some(strings) = column.as_string_opt::<i32>() {
                        Some(strings.value(row).to_string())
                    } else {
                        Some(
                            column
                                .as_primitive::<arrow_array::types::UInt64Type>()
                                .value(row)
                                .to_string(),
                        )
                    };
                    map.insert(field.name().clone(), value);
                }
                out.push(map);
            }
        }
    }
    out
}

fn get<'a>(row: &'a BTreeMap<String, Option<String>>, key: &str) -> &'a str {
    row[key].as_deref().unwrap_or("")
}

/// Deterministic pseudo-random Vietnamese-looking sentences of `words` syllables.
fn sentences(count: usize, words: usize, seed: u64) -> Vec<String> {
    const SYLLABLES: [&str; 40] = [
        "người",
        "nước",
        "sông",
        "núi",
        "làng",
        "chợ",
        "thuyền",
        "cá",
        "lúa",
        "gạo",
        "trời",
        "mưa",
        "nắng",
        "gió",
        "đêm",
        "ngày",
        "nhà",
        "cửa",
        "đường",
        "phố",
        "trẻ",
        "già",
        "học",
        "làm",
        "đi",
        "về",
        "ăn",
        "uống",
        "xanh",
        "đỏ",
        "vàng",
        "trắng",
        "mới",
        "cũ",
        "lớn",
        "nhỏ",
        "xa",
        "gần",
        "nhanh",
        "chậm",
    ];
    let mut state = seed;
    (0..count)
        .map(|_| {
            (0..words)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    SYLLABLES[(state >> 33) as usize % SYLLABLES.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn run(dir: &Path, config: &CorpusConfig) -> (PathBuf, Stats) {
    let out = dir.join("out");
    let summary = mekong_corpus::run(config, &out).unwrap();
    (out, summary.stats)
}

/// Runs the stage with its defaults on English–Vietnamese pairs written as `p.tsv`.
fn run_pairs(dir: &Path, pairs: &[&str]) -> (PathBuf, Stats) {
    std::fs::write(dir.join("p.tsv"), pairs.join("\n")).unwrap();
    let config = CorpusConfig {
        sources: vec![Source::parse_parallel("en-vi=p.tsv", |p| dir.join(p)).unwrap()],
        ..CorpusConfig::default()
    };
    run(dir, &config)
}

#[test]
fn filters_reject_with_reasons_and_nothing_disappears() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = [
        "Open the file\tMở tập tin",
        "Save\tLưu",
        "\tTrống",
        "Open\tMở tập tin này bằng một chương trình khác trên máy tính",
        "GNOME Shell\tGNOME Shell",
        "Page 3 of 10\tTrang 3 trên 11",
        "Close the window\tЗакрыть окно сейчас",
        "See https://example.com/a/very/long/path/to/page.html\tXem https://example.com/a/very/long/path/to/page.html",
        "Yes yes yes yes yes yes\tCó có có có có có",
        "The children are playing happily in the garden behind the old house.\tThe children are playing happily in the garden behind the old house today.",
    ];
    let (out, stats) = run_pairs(dir.path(), &pairs);
    let kept = rows(&out);
    let kept_src: Vec<&str> = kept.iter().map(|r| get(r, "src_text")).collect();
    assert_eq!(kept_src, ["Open the file", "Save"]);
    assert_eq!(get(&kept[0], "src_lang"), "en");
    assert_eq!(get(&kept[0], "tgt_lang"), "vi");
    assert_eq!(get(&kept[0], "source"), "p.tsv");

    let rejected = rows(&out.join("rejected"));
    let reasons: BTreeMap<u64, &str> = rejected
        .iter()
        .map(|r| (get(r, "line").parse().unwrap(), get(r, "reason")))
        .collect();
    let expected: BTreeMap<u64, &str> = [
        (3, "length"),
        (4, "ratio"),
        (5, "untranslated"),
        (6, "numerals"),
        (7, "script"),
        (8, "markup"),
        (9, "repetition"),
        (10, "langid"),
    ]
    .into();
    assert_eq!(reasons, expected);
    let total = stats.total();
    assert_eq!(total.segments_in, 10);
    assert_eq!(total.kept + total.dropped.values().sum::<u64>(), 10);
    assert!(stats.render_table().contains("untranslated"));
}

#[test]
fn a_copy_is_a_duplicate_whatever_became_of_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = [
        "GNOME Shell\tGNOME Shell",
        "Open the file\tMở tập tin",
        "GNOME Shell\tGNOME Shell",
        "Open  the file\tMở tập tin",
        "Open the file\tMo\u{31b}\u{309} ta\u{323}\u{302}p tin",
    ];
    let (out, stats) = run_pairs(dir.path(), &pairs);
    assert_eq!(rows(&out).len(), 1);
    let rejected = rows(&out.join("rejected"));
    let reasons: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (get(r, "line"), get(r, "reason")))
        .collect();
    // The copy of the untranslated pair counts as a duplicate: filters count distinct texts.
    assert_eq!(
        reasons,
        [
            ("1", "untranslated"),
            ("3", "duplicate"),
            ("4", "duplicate"),
            ("5", "duplicate")
        ]
    );
    let dropped = &stats.languages["en-vi"].dropped;
    assert_eq!((dropped["untranslated"], dropped["duplicate"]), (1, 3));
    // A copy is recorded without its text (the input's at its line), whether it was found
    // before normalising or after; a row dropped by a filter keeps its text.
    assert_eq!(get(&rejected[0], "src_text"), "GNOME Shell");
    for copy in &rejected[1..] {
        assert_eq!((&copy["src_text"], &copy["tgt_text"]), (&None, &None));
        assert_eq!(get(copy, "tgt_lang"), "vi");
    }
    // Normalisation is counted for distinct texts: the copies' changes are not.
    assert_eq!(stats.normalize.get("whitespace"), None);
    assert_eq!(stats.normalize.get("nfc"), None);
}

#[test]
fn planted_exact_and_near_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let base = sentences(30, 40, 7);
    let mut lines = base.clone();
    // Exact duplicates, some only equal after normalisation (spacing, NFD, tone placement).
    lines.push(base[0].clone());
    lines.push(format!("  {}  ", base[1].replace(' ', "   ")));
    lines.push("Hòa bình và sức khỏe cho mọi người trên thế giới này.".into());
    lines.push("Hoà bình và sức khoẻ cho mọi người trên thế giới này.".into());
    lines.push("Ho\u{300}a bi\u{300}nh và sức khỏe cho mọi người trên thế giới này.".into());
    // Normalised, but no copy of anything.
    lines.push("Thuỷ triều lên, nước sông dâng cao qua những cánh đồng.".into());
    lines.push("Ngo\u{302}i nha\u{300} ma\u{300}u tra\u{306}ng bên bờ sông xanh.".into());
    // Near duplicates: the last word changed, or punctuation added.
    for sentence in &base[2..6] {
        let mut words: Vec<&str> = sentence.split(' ').collect();
        let last = words.len() - 1;
        words[last] = "khác";
        lines.push(words.join(" "));
    }
    lines.push(format!("{}!", base[6].replacen(' ', ", ", 3)));
    std::fs::write(dir.path().join("m.txt"), lines.join("\n")).unwrap();

    let mut config = CorpusConfig {
        sources: vec![Source::parse_mono("vi=m.txt", |p| dir.path().join(p)).unwrap()],
        ..CorpusConfig::default()
    };
    config.filters.disable = vec![DropReason::Langid];
    let (out, stats) = run(dir.path(), &config);
    let vi = &stats.languages["vi"];
    assert_eq!(vi.segments_in, 42);
    assert_eq!(vi.dropped.get("duplicate"), Some(&4));
    assert_eq!(vi.dropped.get("near-duplicate"), Some(&5));
    assert_eq!(vi.kept, 33);
    let kept = rows(&out);
    assert_eq!(get(&kept[0], "text"), base[0]);
    assert!(kept.iter().any(|r| get(r, "text").starts_with("Hòa bình")));
    assert!(kept
        .iter()
        .any(|r| get(r, "text").starts_with("Thủy triều")));
    assert_eq!(get(&kept[32], "id"), "32");
    assert_eq!((stats.normalize["vi_tone"], stats.normalize["nfc"]), (1, 1));

    // Without near-dedup only the exact duplicates go.
    config.dedup.near = false;
    let (_, stats) = run(dir.path(), &config);
    assert_eq!(stats.languages["vi"].kept, 38);
}

#[test]
fn dedup_each_side_and_across_sources() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.tsv"), "Open\tMở\nClose\tĐóng\n").unwrap();
    std::fs::write(dir.path().join("b.tsv"), "Open\tMở\nOpen\tMở ra\n").unwrap();
    let mut config = CorpusConfig {
        sources: vec![
            Source::parse_parallel("en-vi=a.tsv", |p| dir.path().join(p)).unwrap(),
            Source::parse_parallel("en-vi=b.tsv", |p| dir.path().join(p)).unwrap(),
        ],
        ..CorpusConfig::default()
    };
    let (_, stats) = run(dir.path(), &config);
    assert_eq!(stats.languages["en-vi"].kept, 3);
    config.dedup.exact_each_side = true;
    let (_, stats) = run(dir.path(), &config);
    assert_eq!(stats.languages["en-vi"].kept, 2);
    assert_eq!(stats.languages["en-vi"].dropped["duplicate"], 2);
}

#[test]
fn decontamination_drops_eval_text() {
    let dir = tempfile::tempdir().unwrap();
    let eval = sentences(3, 30, 99);
    std::fs::write(dir.path().join("eval.txt"), eval.join("\n")).unwrap();
    let mut corpus = sentences(5, 30, 1);
    corpus.push(eval[0].to_uppercase());
    let inside: Vec<&str> = eval[1].split(' ').skip(5).take(14).collect();
    corpus.push(format!("mở đầu {} kết thúc", inside.join(" ")));
    std::fs::write(dir.path().join("c.txt"), corpus.join("\n")).unwrap();
    let mut config = CorpusConfig {
        sources: vec![Source::parse_mono("vi=c.txt", |p| dir.path().join(p)).unwrap()],
        exclude: vec![dir.path().join("eval.txt")],
        ..CorpusConfig::default()
    };
    config.filters.disable = vec![DropReason::Langid];
    let (out, stats) = run(dir.path(), &config);
    assert_eq!(stats.languages["vi"].dropped.get("contaminated"), Some(&2));
    assert_eq!(stats.languages["vi"].kept, 5);
    let rejected = rows(&out.join("rejected"));
    assert!(rejected
        .iter()
        .any(|r| get(r, "detail").contains("13-word")));
}

#[test]
fn reruns_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sentences(3000, 12, 3);
    lines.extend(sentences(500, 12, 3));
    std::fs::write(dir.path().join("m.txt"), lines.join("\n")).unwrap();
    std::fs::write(dir.path().join("p.tsv"), "Open\tMở\nOpen\tMở\nSave\tLưu\n").unwrap();
    let mut config = CorpusConfig {
        sources: vec![
            Source::parse_mono("vi=m.txt", |p| dir.path().join(p)).unwrap(),
            Source::parse_parallel("en-vi=p.tsv", |p| dir.path().join(p)).unwrap(),
        ],
        ..CorpusConfig::default()
    };
    config.output.shard_rows = 1000;
    let first = mekong_corpus::run(&config, &dir.path().join("one")).unwrap();
    let second = mekong_corpus::run(&config, &dir.path().join("two")).unwrap();
    assert_eq!(first.outputs, second.outputs);
    // Parallel shards come first, then monolingual ones, numbered on.
    assert_eq!(first.outputs[0], PathBuf::from("part-00000.parquet"));
    assert!(first.outputs.len() >= 5, "{:?}", first.outputs);
    for file in first
        .outputs
        .iter()
        .chain([&PathBuf::from("manifest.json")])
    {
        let a = std::fs::read(dir.path().join("one").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(file)).unwrap();
        assert!(a == b, "{} differs between runs", file.display());
    }
    let manifest = mekong_common::Manifest::read(&dir.path().join("one")).unwrap();
    assert_eq!(manifest.stage, "corpus");
    assert_eq!(manifest.parameters, mekong_corpus::parameters(&config));
    assert_eq!(manifest.counts["segments_in"], 3503);
}

#[test]
fn empty_input_fails_without_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    let config = CorpusConfig {
        sources: vec![Source::parse_mono("vi=empty.txt", |p| dir.path().join(p)).unwrap()],
        ..CorpusConfig::default()
    };
    let out = dir.path().join("out");
    let error = mekong_corpus::run(&config, &out).unwrap_err().to_string();
    assert!(error.contains("empty.txt: empty input"), "{error}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn failed_rerun_keeps_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.txt"), "Một câu.\n").unwrap();
    let mut config = CorpusConfig {
        sources: vec![Source::parse_mono("vi=m.txt", |p| dir.path().join(p)).unwrap()],
        ..CorpusConfig::default()
    };
    let (out, _) = run(dir.path(), &config);
    std::fs::write(dir.path().join("bad.txt"), b"ok\n\xff\n").unwrap();
    config
        .sources
        .push(Source::parse_mono("vi=bad.txt", |p| dir.path().join(p)).unwrap());
    let error = mekong_corpus::run(&config, &out).unwrap_err().to_string();
    assert!(error.contains("bad.txt:2"), "{error}");
    assert!(out.join("part-00000.parquet").exists());
    assert_eq!(rows(&out).len(), 1);
}
