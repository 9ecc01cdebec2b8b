//! The eval stage end to end on a tiny model trained by the pretrain stage: report files,
//! determinism, contamination, several models, and bad input (clear error, no report written).

mod common;

use mekong_eval::{EvalConfig, ModelSpec, SamplingConfig, TextSpec};
use std::path::Path;
use std::sync::OnceLock;

/// Training the fixture takes seconds: share one between the tests of this file.
fn shared() -> &'static common::Fixture {
    static FIXTURE: OnceLock<common::Fixture> = OnceLock::new();
    FIXTURE.get_or_init(common::fixture)
}

fn config(fixture: &common::Fixture, work: &Path) -> EvalConfig {
    let kieu = work.join("kieu.txt");
    std::fs::write(
        &kieu,
        "Trăm năm trong cõi người ta,\nChữ tài chữ mệnh khéo là ghét nhau.\n",
    )
    .unwrap();
    EvalConfig {
        models: vec![ModelSpec {
            name: "tiny".into(),
            checkpoint: fixture.model.clone(),
            tokenizer: fixture.tokenizer.clone(),
        }],
        texts: vec![TextSpec {
            lang: "kieu".into(),
            path: kieu,
        }],
        parallel: Some(common::write_parallel_set(work)),
        prompts: vec!["Nước Việt Nam".into()],
        sampling: SamplingConfig {
            max_new_tokens: 8,
            ..SamplingConfig::default()
        },
        corpus: Some(fixture.corpus.clone()),
        ..EvalConfig::default()
    }
}

#[test]
fn writes_a_deterministic_report_with_every_language() {
    let fixture = shared();
    let work = tempfile::tempdir().unwrap();
    let config = config(fixture, work.path());
    let first = work.path().join("eval-1");
    let outcome = mekong_eval::run(&config, &first).unwrap();
    for file in [
        "eval.md",
        "eval.html",
        "eval.json",
        "bits_per_byte.svg",
        "manifest.json",
    ] {
        assert!(first.join(file).is_file(), "{file} missing");
    }
    let model = &outcome.results.models[0];
    let langs: Vec<&str> = model.scores.iter().map(|s| s.lang.as_str()).collect();
    assert_eq!(langs, ["en", "vi", "kieu"]);
    for score in &model.scores {
        // A barely trained model is near uniform: well above 0, and below ~log2(V) bits per token.
        assert!(score.bits_per_byte > 0.0 && score.bits_per_byte.is_finite());
        assert!(score.totals.tokens > 0 && score.totals.bytes > 0);
    }
    assert_eq!(model.samples.len(), 1);
    assert!(model.samples[0].tokens <= 8);

    // The fixture corpus holds every line of the parallel set: all found, the poem is not.
    let contamination = outcome.results.contamination.as_ref().unwrap();
    let by_lang = |lang: &str| contamination.texts.iter().find(|c| c.lang == lang).unwrap();
    assert_eq!(by_lang("vi").exact_segments, 6);
    assert_eq!(by_lang("vi").ngram_share(), 1.0);
    assert_eq!(by_lang("kieu").exact_segments, 0);
    assert_eq!(by_lang("kieu").ngrams_found, 0);

    // Same inputs, same seed: byte-identical report.
    let second = work.path().join("eval-2");
    mekong_eval::run(&config, &second).unwrap();
    for file in ["eval.md", "eval.html", "eval.json"] {
        assert_eq!(
            std::fs::read(first.join(file)).unwrap(),
            std::fs::read(second.join(file)).unwrap(),
            "{file} differs between runs"
        );
    }
    let markdown = std::fs::read_to_string(first.join("eval.md")).unwrap();
    assert!(markdown.contains("Bits per byte per language"));
    assert!(markdown.contains("Nước Việt Nam"));
}

#[test]
fn compares_several_models_side_by_side() {
    let fixture = shared();
    let work = tempfile::tempdir().unwrap();
    let mut config = config(fixture, work.path());
    config.corpus = None;
    config.prompts.clear();
    config.models.push(ModelSpec {
        name: "again".into(),
        checkpoint: fixture.model.clone(),
        tokenizer: fixture.tokenizer.clone(),
    });
    let outcome = mekong_eval::run(&config, &work.path().join("eval")).unwrap();
    let [a, b] = &outcome.results.models[..] else {
        panic!("two models expected");
    };
    for (x, y) in a.scores.iter().zip(&b.scores) {
        assert_eq!(x.bits_per_byte, y.bits_per_byte);
    }
    let markdown = std::fs::read_to_string(work.path().join("eval/eval.md")).unwrap();
    assert!(
        markdown.contains("| language | tiny | again |"),
        "{markdown}"
    );
}

/// Runs the stage expecting an error that mentions `expected`, and checks nothing was written.
fn fails_cleanly(config: &EvalConfig, expected: &str) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("eval");
    let error = mekong_eval::run(config, &target).unwrap_err().to_string();
    assert!(error.contains(expected), "'{error}' lacks '{expected}'");
    assert!(!target.exists(), "a partial report was written");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let fixture = shared();
    let work = tempfile::tempdir().unwrap();
    let good = config(fixture, work.path());

    let mut other_vocab = good.clone();
    other_vocab.models[0].tokenizer = common::write_tokenizer(work.path(), 280);
    fails_cleanly(&other_vocab, "use the tokenizer the model was trained with");

    let mut missing = good.clone();
    missing.models[0].checkpoint = work.path().join("no-such-model");
    fails_cleanly(&missing, "not found");

    let mut not_a_checkpoint = good.clone();
    not_a_checkpoint.models[0].checkpoint = work.path().to_path_buf();
    fails_cleanly(&not_a_checkpoint, "checkpoint");

    let empty = work.path().join("empty.txt");
    std::fs::write(&empty, "\n\n").unwrap();
    let mut empty_text = good.clone();
    empty_text.texts[0].path = empty;
    fails_cleanly(
        &empty_text,
        "empty.txt: the evaluation text for 'kieu' is empty",
    );

    let mut absent = good.clone();
    absent.languages = vec!["vi".into(), "km".into()];
    fails_cleanly(&absent, "language 'km': not in this set");

    let mut too_long = good.clone();
    too_long.window = Some(4096);
    fails_cleanly(&too_long, "context length");

    let mut nothing = good.clone();
    nothing.texts.clear();
    nothing.parallel = None;
    fails_cleanly(&nothing, "nothing to evaluate on");
}

#[test]
fn a_failed_run_keeps_the_previous_report() {
    let fixture = shared();
    let work = tempfile::tempdir().unwrap();
    let mut config = config(fixture, work.path());
    config.corpus = None;
    let target = work.path().join("eval");
    mekong_eval::run(&config, &target).unwrap();
    let before = std::fs::read(target.join("eval.json")).unwrap();
    config.languages = vec!["km".into()];
    assert!(mekong_eval::run(&config, &target).is_err());
    assert_eq!(std::fs::read(target.join("eval.json")).unwrap(), before);
}

#[test]
fn the_pipeline_index_links_every_stage_report() {
    let fixture = shared();
    let work = tempfile::tempdir().unwrap();
    let workdir = work.path().join("run");
    let mut config = config(fixture, work.path());
    config.corpus = None;
    mekong_eval::run(&config, &workdir.join("eval")).unwrap();
    // The training log of the fixture model stands in for the pipeline's pretrain stage.
    std::fs::create_dir_all(workdir.join("pretrain")).unwrap();
    std::fs::copy(
        fixture.model.join("train-log.jsonl"),
        workdir.join("pretrain/train-log.jsonl"),
    )
    .unwrap();
    // A tokenizer report's JSON, as the tokenizer-report stage writes it (the fields read back).
    let report_dir = workdir.join("tokenizer-report");
    std::fs::create_dir_all(&report_dir).unwrap();
    std::fs::write(report_dir.join("report.html"), "<html></html>").unwrap();
    std::fs::write(
        report_dir.join("report.json"),
        r#"{"reference": "en", "tokenizers": [{"name": "mekong", "summary": {
            "tokenizer": "mekong", "vocabulary_size": 8000, "languages": 3, "missing": [],
            "mean_premium": 1.25, "max_premium": 2.5, "max_premium_language": "km",
            "gini": 0.125, "over_2x": ["km"], "over_4x": [], "vocabulary_utilisation": 0.5}}]}"#,
    )
    .unwrap();
    let index = mekong_eval::index::write(&workdir).unwrap();
    assert_eq!(index, workdir.join("report.html"));
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(html.contains("<a href=\"eval/eval.html\">"));
    assert!(html.contains("<a href=\"training_curve.svg\">"));
    assert!(html.contains("The corpus stage has not run"));
    assert!(html.contains("Token premium against en"), "{html}");
    assert!(html.contains("2.50 (km)"), "{html}");
    assert!(workdir.join("training_curve.svg").is_file());

    // A report.json of another shape is said on the page, not silently left out.
    std::fs::write(report_dir.join("report.json"), r#"{"reference": "en"}"#).unwrap();
    mekong_eval::index::write(&workdir).unwrap();
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(
        html.contains("The comparison table cannot be shown"),
        "{html}"
    );
    assert!(html.contains("missing field"), "{html}");
}
