//! Dev sets whose languages do not share every row (built from bitexts): each language is
//! compared with the reference on its own rows, in the merge choice and in the figures.

use crate::fixtures::{config, four_languages, merges_of, parity, write_folder};
use mekong_tokenizer::train::train;

/// The first two sentences twice over; `vi` keeps only the first copy and `km` only the second
/// (empty lines elsewhere), `en` and `th` keep both.
fn partial_rows(lang: &str, lines: &[&'static str]) -> Vec<&'static str> {
    let copy = &lines[..2];
    let blank = ["", ""];
    match lang {
        "vi" => [copy, &blank].concat(),
        "km" => [&blank, copy].concat(),
        _ => [copy, copy].concat(),
    }
}

#[test]
fn a_partial_dev_set_chooses_and_measures_as_the_aligned_set_it_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = four_languages();
    let train_dir = write_folder(&dir.path().join("train"), &chosen);
    let aligned: Vec<(&str, &[&str])> = chosen.iter().map(|(l, s)| (*l, &s[..2])).collect();
    let aligned = write_folder(&dir.path().join("aligned"), &aligned);
    let partial: Vec<(&str, Vec<&str>)> = chosen
        .iter()
        .map(|(l, s)| (*l, partial_rows(l, s)))
        .collect();
    let partial: Vec<(&str, &[&str])> = partial.iter().map(|(l, s)| (*l, s.as_slice())).collect();
    let partial = write_folder(&dir.path().join("partial"), &partial);

    let options = || parity(256 + 1 + 150, 1);
    let on_aligned = train(&config(&train_dir, Some(&aligned), options())).unwrap();
    let on_partial = train(&config(&train_dir, Some(&partial), options())).unwrap();

    // Compared by raw length, vi and km would look half as long and be served later.
    assert_eq!(merges_of(&on_partial.json), merges_of(&on_aligned.json));
    let (aligned, partial) = (
        on_aligned.summary.dev.as_ref().unwrap(),
        on_partial.summary.dev.as_ref().unwrap(),
    );
    assert_eq!(partial.premium, aligned.premium);
    assert_eq!(partial.gini, aligned.gini);
    assert_eq!(partial.tokens["vi"], aligned.tokens["vi"]);
    assert_eq!(partial.tokens["th"], 2 * aligned.tokens["th"]);
    let rows: Vec<(&str, u64)> = partial.rows.iter().map(|(l, &n)| (l.as_str(), n)).collect();
    assert_eq!(rows, [("en", 4), ("km", 2), ("th", 4), ("vi", 2)]);
    assert!(aligned.rows.is_empty(), "a fully aligned set lists no rows");
}

#[test]
fn a_language_with_no_row_beside_the_reference_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = four_languages();
    let train_dir = write_folder(&dir.path().join("train"), &chosen);
    // km has text only where en has none.
    let dev: Vec<(&str, Vec<&str>)> = chosen
        .iter()
        .map(|(l, s)| match *l {
            "km" => (*l, vec!["", s[1]]),
            "en" => (*l, vec![s[0], ""]),
            _ => (*l, s[..2].to_vec()),
        })
        .collect();
    let dev: Vec<(&str, &[&str])> = dev.iter().map(|(l, s)| (*l, s.as_slice())).collect();
    let dev = write_folder(&dir.path().join("dev"), &dev);
    let error = train(&config(&train_dir, Some(&dev), parity(256 + 1 + 20, 1)))
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("km has no line on a row where en.txt has text") && error.contains("dev"),
        "{error}"
    );
}
