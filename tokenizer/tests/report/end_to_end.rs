//! A whole report on the fixtures: hand-computed numbers, a failing tokenizer reported (not
//! dropped), every file written, byte-identical reruns.

use crate::fixtures;
use mekong_tokenizer::report::{self, FloresSplit, ReportConfig, TokenizerSpec};
use serde_json::Value;
use std::path::Path;

fn config(dir: &Path) -> ReportConfig {
    let set = fixtures::parallel_set(dir);
    let words = fixtures::write(dir, "words/tokenizer.json", fixtures::WORD_LEVEL);
    let strict = fixtures::write(
        dir,
        "strict/tokenizer.json",
        &fixtures::word_level_without_unknown(),
    );
    let tiny = fixtures::write(dir, "tiny.tiktoken", &fixtures::tiktoken_ranks());
    ReportConfig {
        tokenizers: vec![
            TokenizerSpec::parse(&format!("words={}", words.display())).unwrap(),
            TokenizerSpec::parse(&format!("strict={}", strict.display())).unwrap(),
            TokenizerSpec::parse(&format!("tiny={}", tiny.display())).unwrap(),
        ],
        parallel: set,
        reference: "en".into(),
        split: FloresSplit::Devtest,
        languages: vec![],
    }
}

fn result<'a>(json: &'a Value, tokenizer: &str, language: &str) -> &'a Value {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tokenizer"] == tokenizer && r["language"] == language)
        .unwrap()
}

fn close(value: &Value, expected: f64) -> bool {
    (value.as_f64().unwrap() - expected).abs() < 1e-9
}

#[test]
fn report_numbers_match_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let generated = report::generate(&config(dir.path()), &out).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["parallel"]["normalisation"], "NFC");
    assert_eq!(json["reference"], "en");

    let en = &result(&json, "words", "en")["metrics"];
    assert_eq!(en["tokens"], 6);
    assert!(close(&en["premium"], 1.0));
    // "hello world" + "hello" + "world hello ." = 11 + 5 + 13 bytes over 6 tokens.
    assert!(close(&en["bytes_per_token"], 29.0 / 6.0));
    // 5 words ("." is not a word), one token each.
    assert!(close(&en["fertility"], 1.0));
    assert!(close(&en["continued_words"], 0.0));
    assert!(close(&en["unknown_rate"], 0.0));
    // Distinct ids 1, 2, 3 of a 5-entry vocabulary.
    assert!(close(&en["vocabulary_utilisation"], 0.6));

    let vi = &result(&json, "words", "vi")["metrics"];
    assert_eq!(vi["tokens"], 6);
    assert_eq!(vi["aligned_lines"], 2);
    assert!(
        close(&vi["premium"], 2.0),
        "6 tokens vs en's 3 on lines 1–2"
    );
    // Twice en's tokens on each of its lines: nothing to move with another sample.
    assert!(close(&vi["premium_standard_error"], 0.0));
    // xin = 4; chào, thế, giới, chào = [UNK]: 4 of 6 tokens unknown.
    assert!(close(&vi["unknown_rate"], 4.0 / 6.0));

    let km = &result(&json, "words", "km")["metrics"];
    assert!(close(&km["premium"], 0.5));
    // Per line 1/2, 1/1, 1/3 (km / en): residuals 1 − 0.5·(2, 1, 3) = 0, 0.5, −0.5, so
    // √(0.5 / (3·2)) over the mean en line of 2 tokens.
    assert!(close(
        &km["premium_standard_error"],
        (0.5f64 / 6.0).sqrt() / 2.0
    ));
    assert_eq!(km["fertility"], Value::Null, "Khmer has no spaces");
    assert!(close(&km["tokens_per_char"], 3.0 / 32.0));

    let words = &json["tokenizers"][0]["summary"];
    assert!(close(&words["max_premium"], 2.0));
    assert_eq!(words["max_premium_language"], "vi");
    assert!(close(&words["mean_premium"], 3.5 / 3.0));
    // Premiums 0.5, 1, 2: Σ|xi − xj| = 2·(0.5 + 1.5 + 1) = 6; 2·9·(3.5/3) = 21.
    assert!(close(&words["gini"], 6.0 / 21.0));
    // Standard errors en 0, vi 0, km √(0.5/6)/2: pairs (km, other) 4 × s and (km, km) s√2,
    // times √(2/π), over 2·9.
    let km_error = (0.5f64 / 6.0).sqrt() / 2.0;
    let floor = (2.0 / std::f64::consts::PI).sqrt() * km_error * (4.0 + 2f64.sqrt()) / 18.0;
    assert!(close(&words["gini_noise_floor"], floor));
    // The printed line gives both.
    let printed = generated.summary_text(&out);
    assert!(
        printed.contains(&format!("Gini 0.286 (sampling alone {floor:.3})")),
        "{printed}"
    );
    assert_eq!(words["over_2x"], serde_json::json!([]));

    // Other tools read the summaries back through the report's own types.
    let summaries = report::ReportSummaries::read(&out.join("report.json")).unwrap();
    assert_eq!(summaries.reference, "en");
    assert_eq!(summaries.tokenizers[0].name, "words");
    assert_eq!(summaries.tokenizers[0].summary.max_premium, Some(2.0));
    assert_eq!(
        summaries.tokenizers[0].summary,
        serde_json::from_value(words.clone()).unwrap()
    );
}

#[test]
fn a_failing_language_is_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let report = report::generate(&config(dir.path()), &out).unwrap();
    let strict = &report.tokenizers[1].summary;
    let missing: Vec<&str> = strict.missing.iter().map(|m| m.language.as_str()).collect();
    assert_eq!(missing, ["km", "vi"]);
    assert!(
        strict.missing[1].reason.contains("line 1"),
        "{:?}",
        strict.missing
    );
    assert_eq!(strict.languages, 1, "only en has a premium");

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(result(&json, "strict", "vi")["missing"]
        .as_str()
        .unwrap()
        .contains("line 1"));
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("## Missing results"));
    assert!(markdown.contains("- strict × vi: encoding failed: line 1"));
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    let vi_row = csv.lines().find(|l| l.starts_with("strict,vi,")).unwrap();
    assert!(vi_row.contains("line 1"), "{vi_row}");
}

#[test]
fn writes_every_file_and_reruns_byte_identically() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let (first, second) = (dir.path().join("a"), dir.path().join("b"));
    report::generate(&config, &first).unwrap();
    report::generate(&config, &second).unwrap();
    for name in [
        "report.md",
        "report.html",
        "report.json",
        "report.csv",
        "report-summary.csv",
    ] {
        let a = std::fs::read(first.join(name)).unwrap();
        assert!(!a.is_empty(), "{name}");
        assert_eq!(a, std::fs::read(second.join(name)).unwrap(), "{name}");
    }
    let html = std::fs::read_to_string(first.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "premium bars, heatmap, scripts"
    );
    assert!(html.contains("NFC-normalised"));
    let manifest = mekong_common::Manifest::read(&first).unwrap();
    assert_eq!(manifest.stage, report::STAGE);
    assert_eq!(manifest.parameters, config.parameters());
    assert!(mekong_common::Manifest::is_fresh(
        &first,
        report::STAGE,
        &config.input_paths(),
        &config.parameters()
    ));
}
