//! `--test`: figures on a held-out set beside the dev set's, refused when the two share text.

use crate::fixtures::{config, parity, write_folder, SENTENCES};
use mekong_tokenizer::fairness;
use mekong_tokenizer::train::train;
use std::str::FromStr;

/// Dev set: the first two sentences of each language; test set: the last two.
fn dev_and_test(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let dev: Vec<(&str, &[&str])> = SENTENCES.iter().map(|(l, s)| (*l, &s[..2])).collect();
    let test: Vec<(&str, &[&str])> = SENTENCES.iter().map(|(l, s)| (*l, &s[2..])).collect();
    (
        write_folder(&dir.join("dev"), &dev),
        write_folder(&dir.join("test"), &test),
    )
}

#[test]
fn test_figures_are_measured_on_the_test_set_beside_the_dev_figures() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let (dev, test) = dev_and_test(dir.path());
    let mut request = config(&train_dir, Some(&dev), parity(256 + 1 + 60, 1));
    request.test = Some(test.clone());
    let trained = train(&request).unwrap();

    let summary = &trained.summary;
    let (on_dev, on_test) = (
        summary.dev.as_ref().unwrap(),
        summary.test.as_ref().unwrap(),
    );
    assert_ne!(on_dev.tokens, on_test.tokens);
    // The test figures are the test set encoded by the tokenizer that was saved.
    let saved = tokenizers::Tokenizer::from_str(&trained.json).unwrap();
    let test_set = mekong_tokenizer::dev_set::DevSet::read(&test).unwrap();
    assert_eq!(
        &fairness::measure(&saved, &test_set, "en").unwrap(),
        on_test
    );
    let text = summary.short_text();
    assert!(text.contains("dev set (chosen on, not held out)"), "{text}");
    assert!(text.contains("test set (held out)"), "{text}");
    // Whether the dev premiums held, as far as both sets can tell.
    assert!(
        text.contains("dev and test premiums agree within both sets' noise")
            || text.contains("premiums that moved from dev to test beyond both sets' noise"),
        "{text}"
    );
    // The Gini beside the one sampling alone would give.
    let floor = on_test.gini_noise_floor.unwrap();
    assert!(floor > 0.0, "{on_test:?}");
    assert!(
        text.contains(&format!(
            "Gini {:.4} ({floor:.4} from sampling alone)",
            on_test.gini
        )),
        "{text}"
    );
    // The largest premium with its 95 % interval over the test rows.
    let largest = &on_test.max_premium_language;
    let interval = 1.96 * on_test.premium_standard_error[largest];
    assert!(interval > 0.0, "{on_test:?}");
    assert!(
        text.contains(&format!(
            "{:.3} ± {interval:.3} ({largest})",
            on_test.max_premium
        )),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    assert_eq!(json["test"]["total_tokens"], on_test.total_tokens);
}

#[test]
fn without_a_test_set_the_summary_says_its_figures_are_not_held_out() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let (dev, _) = dev_and_test(dir.path());
    let trained = train(&config(&train_dir, Some(&dev), parity(256 + 1 + 20, 1))).unwrap();
    assert!(trained.summary.test.is_none());
    let text = trained.summary.short_text();
    assert!(text.contains("no test set"), "{text}");
}

#[test]
fn a_test_set_sharing_segments_with_the_dev_set_is_refused_with_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let (dev, _) = dev_and_test(dir.path());
    // Three rows of which the second is a dev segment (its Vietnamese line only).
    let test: Vec<(&str, Vec<&str>)> = SENTENCES
        .iter()
        .map(|(l, s)| {
            let second = if *l == "vi" { s[1] } else { s[3] };
            (*l, vec![s[2], second, s[3]])
        })
        .collect();
    let test: Vec<(&str, &[&str])> = test.iter().map(|(l, s)| (*l, s.as_slice())).collect();
    let test = write_folder(&dir.path().join("test-sharing"), &test);
    let mut request = config(&train_dir, Some(&dev), parity(256 + 1 + 20, 1));
    request.test = Some(test);
    let error = train(&request).err().unwrap().to_string();
    assert!(
        error.contains("shares 1 of its 3 segments with the dev set")
            && error.contains("(lines 2): figures measured on it would not be held out"),
        "{error}"
    );
}

#[test]
fn a_test_set_without_the_reference_language_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let (dev, _) = dev_and_test(dir.path());
    let test: Vec<(&str, &[&str])> = SENTENCES
        .iter()
        .filter(|(l, _)| *l != "en")
        .map(|(l, s)| (*l, &s[2..]))
        .collect();
    let test = write_folder(&dir.path().join("test-without-en"), &test);
    let mut request = config(&train_dir, Some(&dev), parity(256 + 1 + 20, 1));
    request.test = Some(test);
    let error = train(&request).err().unwrap().to_string();
    assert!(error.contains("has no en.txt"), "{error}");
}

/// A test language without training text, and a test set without text, are refused naming the
/// set; a test set of some of the training languages is measured on those.
#[test]
fn a_test_set_with_an_untrained_language_or_no_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let (dev, _) = dev_and_test(dir.path());
    let request = |test: &std::path::Path| {
        let mut request = config(&train_dir, Some(&dev), parity(256 + 1 + 20, 1));
        request.test = Some(test.to_path_buf());
        train(&request)
    };
    let with_dutch = write_folder(
        &dir.path().join("with-dutch"),
        &[
            ("en", &["hello"]),
            ("vi", &["xin chào"]),
            ("nl", &["hallo"]),
        ],
    );
    let error = request(&with_dutch).err().unwrap().to_string();
    assert!(
        error.contains("with-dutch has nl.txt without training text"),
        "{error}"
    );
    let blank = write_folder(&dir.path().join("blank"), &[("en", &[""]), ("vi", &[""])]);
    let error = request(&blank).err().unwrap().to_string();
    assert!(
        error.contains("en.txt has no text: the set is empty"),
        "{error}"
    );
    let two = write_folder(
        &dir.path().join("two"),
        &[("en", &["hello"]), ("vi", &["xin chào"])],
    );
    let measured = request(&two).unwrap().summary.test.unwrap();
    assert_eq!(measured.tokens.keys().collect::<Vec<_>>(), ["en", "vi"]);
}
