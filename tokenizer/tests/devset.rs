//! `mekong tokenizer devset`: aligned, disjoint dev and test sets from bitexts.

use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use mekong_tokenizer::devset_builder::{build, Bitext, DevsetConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// en–vi and km–en (the pivot on the right) bitexts: rows 0..20 translated in both, row 20 only
/// in Vietnamese, one untranslated Khmer row, and one English text written twice (the first
/// translation wins).
fn write_bitexts(dir: &Path) -> Vec<Bitext> {
    let mut vi = String::new();
    let mut km = String::new();
    for i in 0..20 {
        // NFD and doubled spaces on one side: compared after normalisation.
        vi.push_str(&format!("sentence  {i}\tcâu thứ {i}\n"));
        km.push_str(&format!("ប្រយោគ {i}\tsentence {i}\n"));
    }
    vi.push_str("only vietnamese\tchỉ tiếng Việt\n");
    vi.push_str("sentence 3\tbản dịch thứ hai\n");
    km.push_str("untranslated\tuntranslated\n");
    std::fs::write(dir.join("en-vi.tsv"), vi.replace("câu", "ca\u{302}u")).unwrap();
    std::fs::write(dir.join("km-en.tsv"), km).unwrap();
    ["en-vi=", "km-en="]
        .iter()
        .zip(["en-vi.tsv", "km-en.tsv"])
        .map(|(pair, file)| Bitext::parse(&format!("{pair}{}", dir.join(file).display())).unwrap())
        .collect()
}

/// The error of a devset run with the default settings, which must leave no output.
fn error_of(bitexts: Vec<Bitext>, out: &Path) -> String {
    let config = DevsetConfig {
        bitexts,
        ..DevsetConfig::default()
    };
    let error = build(&config, out).unwrap_err().to_string();
    assert!(!out.exists(), "{error}");
    error
}

#[test]
fn rows_translated_in_every_bitext_are_split_into_disjoint_aligned_sets() {
    let dir = tempfile::tempdir().unwrap();
    let config = DevsetConfig {
        bitexts: write_bitexts(dir.path()),
        dev_size: 8,
        test_size: 5,
        ..DevsetConfig::default()
    };
    let out = dir.path().join("sets");
    let summary = build(&config, &out).unwrap();
    assert_eq!(summary.aligned, 20);
    assert_eq!(summary.coverage["vi"], 21);
    assert_eq!(summary.coverage["km"], 20);
    assert_eq!(summary.thinnest, "km");
    assert_eq!((summary.dev_rows, summary.test_rows), (8, 5));

    let (dev, test) = (
        lines(&out.join("dev/en.txt")),
        lines(&out.join("test/en.txt")),
    );
    assert_eq!((dev.len(), test.len()), (8, 5));
    assert!(dev.iter().all(|line| !test.contains(line)));
    for (set, english) in [("dev", &dev), ("test", &test)] {
        let vi = lines(&out.join(format!("{set}/vi.txt")));
        let km = lines(&out.join(format!("{set}/km.txt")));
        for (row, en) in english.iter().enumerate() {
            let i = en.strip_prefix("sentence ").unwrap();
            assert_eq!(
                vi[row],
                format!("câu thứ {i}"),
                "NFC, and the first translation"
            );
            assert_eq!(km[row], format!("ប្រយោគ {i}"));
        }
    }
    let again = dir.path().join("again");
    build(&config, &again).unwrap();
    assert_eq!(lines(&again.join("test/en.txt")), test);
    let other_seed = DevsetConfig { seed: 7, ..config };
    let reseeded = dir.path().join("reseeded");
    build(&other_seed, &reseeded).unwrap();
    assert_ne!(lines(&reseeded.join("test/en.txt")), test);
}

#[test]
fn a_corpus_folder_gives_its_parallel_rows() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let mut writer = ShardWriter::new(&corpus, Table::Parallel, 100, 0);
    for i in 0..6 {
        for (lang, text) in [("vi", format!("câu {i}")), ("km", format!("ប្រយោគ {i}"))]
        {
            let en = format!("sentence {i}");
            let cells = [
                Cell::Str("t"),
                Cell::Str("en"),
                Cell::Str(&en),
                Cell::Str(lang),
                Cell::Str(&text),
            ];
            writer.push(&cells).unwrap();
        }
    }
    writer.finish().unwrap();
    let config = DevsetConfig {
        bitexts: vec![Bitext::parse(corpus.to_str().unwrap()).unwrap()],
        ..DevsetConfig::default()
    };
    let summary = build(&config, &dir.path().join("sets")).unwrap();
    assert_eq!(
        (summary.aligned, summary.dev_rows, summary.test_rows),
        (6, 3, 3)
    );
}

#[test]
fn bad_bitexts_are_errors_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("en-vi.tsv"), "one\tmột\nno tab here\n").unwrap();
    let tsv = format!("en-vi={}", dir.path().join("en-vi.tsv").display());
    let out = dir.path().join("sets");
    let error = error_of(vec![Bitext::parse(&tsv).unwrap()], &out);
    assert!(
        error.contains("en-vi.tsv:2: expected two tab-separated columns"),
        "{error}"
    );

    let no_pivot = format!("vi-km={}", dir.path().join("en-vi.tsv").display());
    let error = error_of(vec![Bitext::parse(&no_pivot).unwrap()], &out);
    assert!(error.contains("the pair vi-km has no en side"), "{error}");
    assert!(Bitext::parse("en-=x.tsv").is_err());
}

/// When too few segments are translated in every bitext, the error names the bitext that
/// shares the fewest, and nothing is written.
#[test]
fn a_bitext_sharing_no_pivot_segment_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut bitexts = write_bitexts(dir.path());
    let other: String = (0..5).map(|i| format!("other {i}\tanders {i}\n")).collect();
    std::fs::write(dir.path().join("en-de.tsv"), other).unwrap();
    let de = format!("en-de={}", dir.path().join("en-de.tsv").display());
    bitexts.push(Bitext::parse(&de).unwrap());
    let error = error_of(bitexts, &dir.path().join("sets"));
    assert!(
        error.contains("en-de.tsv, de: 0 of its 5 en segments are in every other bitext"),
        "{error}"
    );
}

/// An empty or untranslated bitext is an error naming it: its language would otherwise drop out
/// of the sets unnoticed. Invalid UTF-8 names the line; a byte-order mark is not text.
#[test]
fn empty_untranslated_and_undecodable_bitexts() {
    let dir = tempfile::tempdir().unwrap();
    let vi = (0..4)
        .map(|i| format!("line {i}\tdòng {i}\n"))
        .collect::<String>();
    std::fs::write(dir.path().join("en-vi.tsv"), format!("\u{feff}{vi}")).unwrap();
    let bitext = |pair: &str, file: &str| {
        Bitext::parse(&format!("{pair}={}", dir.path().join(file).display())).unwrap()
    };
    let config = |bitexts| DevsetConfig {
        bitexts,
        ..DevsetConfig::default()
    };
    let out = dir.path().join("sets");
    build(&config(vec![bitext("en-vi", "en-vi.tsv")]), &out).unwrap();
    assert_eq!(lines(&out.join("test/en.txt")).len(), 2);
    assert!(lines(&out.join("test/en.txt"))
        .iter()
        .chain(&lines(&out.join("dev/en.txt")))
        .all(|line| line.starts_with("line ")));

    for (name, content) in [("en-km.tsv", "".as_bytes()), ("same.tsv", b"same\tsame\n")] {
        std::fs::write(dir.path().join(name), content).unwrap();
        let bitexts = vec![bitext("en-vi", "en-vi.tsv"), bitext("en-km", name)];
        let error = build(&config(bitexts), &out).unwrap_err().to_string();
        assert!(
            error.contains(&format!("{name}: no translated en segment")),
            "{error}"
        );
    }
    std::fs::write(dir.path().join("bad.tsv"), b"one\tmot\ntwo\thai \xff\n").unwrap();
    let bitexts = vec![bitext("en-vi", "bad.tsv")];
    let error = build(&config(bitexts), &out).unwrap_err().to_string();
    assert!(error.contains("bad.tsv:2: not valid UTF-8"), "{error}");
}

/// Writes `en-vi.tsv` and `en-km.tsv` into `dir`: a partial devset request over them.
fn partial_vi_km(
    dir: &Path,
    vi: &str,
    km: &str,
    dev_size: usize,
    test_size: usize,
) -> DevsetConfig {
    let bitexts = [("en-vi", vi), ("en-km", km)].map(|(pair, text)| {
        let path = dir.join(format!("{pair}.tsv"));
        std::fs::write(&path, text).unwrap();
        Bitext::parse(&format!("{pair}={}", path.display())).unwrap()
    });
    DevsetConfig {
        bitexts: bitexts.to_vec(),
        dev_size,
        test_size,
        partial: true,
        ..DevsetConfig::default()
    }
}

/// Bitexts that share few segments: with `partial`, each language gets its rows (the sizes are
/// per language), empty lines where it lacks the row, and the two sets share no translation.
#[test]
fn a_partial_set_gives_every_language_its_rows_from_its_own_bitext() {
    let dir = tempfile::tempdir().unwrap();
    // 100 en–vi pairs; 10 en–km pairs, 4 of them on segments vi also has. Two English
    // variants share a Vietnamese translation ("Mở tệp").
    let mut vi: String = (0..100).map(|i| format!("line {i}\tdòng {i}\n")).collect();
    vi.push_str("Open file\tMở tệp\nOpen a file\tMở tệp\n");
    let km: String = (96..106).map(|i| format!("line {i}\tបន្ទាត់ {i}\n")).collect();
    let config = partial_vi_km(dir.path(), &vi, &km, 20, 5);
    let out = dir.path().join("sets");
    let summary = build(&config, &out).unwrap();
    assert_eq!(summary.aligned, 4);
    let rows = summary.partial_rows.as_ref().unwrap();
    assert_eq!((rows.test["vi"], rows.test["km"]), (5, 5));
    assert_eq!((rows.dev["vi"], rows.dev["km"]), (20, 5));

    let mut seen_in_test = Vec::new();
    for set in ["test", "dev"] {
        let en = lines(&out.join(format!("{set}/en.txt")));
        let vi = lines(&out.join(format!("{set}/vi.txt")));
        let km = lines(&out.join(format!("{set}/km.txt")));
        assert_eq!((vi.len(), km.len()), (en.len(), en.len()));
        for (row, english) in en.iter().enumerate() {
            assert!(
                !vi[row].is_empty() || !km[row].is_empty(),
                "{set} row {row}"
            );
            if let Some(i) = english.strip_prefix("line ") {
                assert!(vi[row].is_empty() || vi[row] == format!("dòng {i}"));
                assert!(km[row].is_empty() || km[row] == format!("បន្ទាត់ {i}"));
            }
            for text in [&vi[row], &km[row]].into_iter().filter(|t| !t.is_empty()) {
                if set == "test" {
                    seen_in_test.push(text.clone());
                } else {
                    assert!(!seen_in_test.contains(text), "{text} is in both sets");
                }
            }
        }
    }
    // The sets read as dev and test sets: each language measured on its own rows.
    let test = mekong_tokenizer::dev_set::DevSet::read(&out.join("test")).unwrap();
    assert_eq!(test.covered_rows("km", "en").len(), 5);
    assert!(!test.fully_aligned("en"));

    let one_pair = "line 0\tបន្ទាត់ 0\n";
    std::fs::write(dir.path().join("en-km.tsv"), one_pair).unwrap();
    let error = build(&config, &out).unwrap_err().to_string();
    assert!(
        error.contains("km has fewer than 2 translated en segments"),
        "{error}"
    );
}

/// `dev_size_for`: one language gets more dev rows than the others (its test rows and the
/// other languages' rows unchanged); without `partial`, or for a language no bitext has, it
/// is an error and nothing is written.
#[test]
fn a_chosen_language_gets_more_dev_rows() {
    let dir = tempfile::tempdir().unwrap();
    let vi: String = (0..100).map(|i| format!("line {i}\tdòng {i}\n")).collect();
    let km: String = (0..40).map(|i| format!("line {i}\tបន្ទាត់ {i}\n")).collect();
    let plain = partial_vi_km(dir.path(), &vi, &km, 10, 5);
    let more_vi = DevsetConfig {
        dev_size_for: BTreeMap::from([("vi".to_string(), 50)]),
        ..plain.clone()
    };
    let (out, out_vi) = (dir.path().join("plain"), dir.path().join("more-vi"));
    build(&plain, &out).unwrap();
    let rows = build(&more_vi, &out_vi).unwrap().partial_rows.unwrap();
    assert_eq!((rows.dev["vi"], rows.dev["km"]), (50, 10));
    assert_eq!((rows.test["vi"], rows.test["km"]), (5, 5));
    let non_empty = |path: PathBuf| -> Vec<String> {
        lines(&path).into_iter().filter(|l| !l.is_empty()).collect()
    };
    for file in ["test/en.txt", "test/vi.txt", "test/km.txt", "dev/km.txt"] {
        assert_eq!(
            non_empty(out.join(file)),
            non_empty(out_vi.join(file)),
            "{file}"
        );
    }
    let dev_vi = non_empty(out_vi.join("dev/vi.txt"));
    assert!(non_empty(out.join("dev/vi.txt"))
        .iter()
        .all(|line| dev_vi.contains(line)));

    let aligned = DevsetConfig {
        partial: false,
        ..more_vi.clone()
    };
    let gone = dir.path().join("gone");
    let error = build(&aligned, &gone).unwrap_err().to_string();
    assert!(error.contains("--dev-size-for needs --partial"), "{error}");
    let unknown = DevsetConfig {
        dev_size_for: BTreeMap::from([("lo".to_string(), 50)]),
        ..plain
    };
    let error = build(&unknown, &gone).unwrap_err().to_string();
    assert!(
        error.contains("--dev-size-for lo: no bitext translates the en segments into lo"),
        "{error}"
    );
    assert!(!gone.exists());
}
