use crate::fixtures::{classic, config, parity, write_folder, SENTENCES};
use mekong_tokenizer::train::{run_stage, train, train_to_file, Base, TrainOptions};
use mekong_tokenizer::TokenizerError;

#[test]
fn empty_training_folder() {
    let dir = tempfile::tempdir().unwrap();
    let error = train(&config(dir.path(), None, classic(1000, 2)))
        .err()
        .unwrap();
    assert!(
        matches!(error, TokenizerError::EmptyTrainingSet { .. }),
        "{error}"
    );
    // A folder of empty files is just as empty.
    std::fs::write(dir.path().join("vi.txt"), "\n\n").unwrap();
    let error = train(&config(dir.path(), None, classic(1000, 2)))
        .err()
        .unwrap();
    assert!(
        matches!(error, TokenizerError::EmptyTrainingSet { .. }),
        "{error}"
    );
}

#[test]
fn language_missing_in_dev_or_in_train() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), &SENTENCES[..3]);
    let dev_dir = write_folder(&dir.path().join("dev"), &SENTENCES[..2]);
    let error = train(&config(&train_dir, Some(&dev_dir), parity(1000, 2)))
        .err()
        .unwrap();
    assert!(error.to_string().contains("th"), "{error}");
    assert!(matches!(error, TokenizerError::MissingInDev { .. }));
    let error = train(&config(&dev_dir, Some(&train_dir), parity(1000, 2)))
        .err()
        .unwrap();
    assert!(
        matches!(error, TokenizerError::MissingInTrain { .. }),
        "{error}"
    );
}

#[test]
fn misaligned_dev_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), &SENTENCES[..2]);
    let dev_dir = write_folder(
        &dir.path().join("dev"),
        &[("en", &["a", "b"]), ("vi", &["a"])],
    );
    let error = train(&config(&train_dir, Some(&dev_dir), parity(1000, 2)))
        .err()
        .unwrap();
    let message = error.to_string();
    assert!(
        message.contains("en.txt") && message.contains("vi.txt"),
        "{message}"
    );
}

#[test]
fn vocabulary_smaller_than_the_byte_alphabet() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(dir.path(), &SENTENCES[..1]);
    let error = train(&config(&train_dir, None, classic(200, 2)))
        .err()
        .unwrap();
    assert!(error.to_string().contains("byte alphabet"), "{error}");
}

#[test]
fn a_character_coverage_outside_zero_to_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(dir.path(), &SENTENCES[..1]);
    for coverage in [0.0, 1.5, f64::NAN] {
        let options = TrainOptions {
            base: Base::Char,
            char_coverage: coverage,
            ..classic(1000, 2)
        };
        let error = train(&config(&train_dir, None, options)).err().unwrap();
        assert!(error.to_string().contains("--char-coverage"), "{error}");
    }
}

#[test]
fn an_empty_unspaced_chunk_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(dir.path(), &SENTENCES[..1]);
    let options = TrainOptions {
        unspaced_chunk: 0,
        ..classic(1000, 2)
    };
    let error = train(&config(&train_dir, None, options)).err().unwrap();
    assert!(error.to_string().contains("--unspaced-chunk"), "{error}");
}

#[test]
fn a_special_token_named_like_a_byte_token_is_refused_with_a_character_base() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(dir.path(), &SENTENCES[..1]);
    let options = TrainOptions {
        base: Base::Char,
        special_tokens: vec!["<s>".into(), "<0x0A>".into()],
        ..classic(1000, 2)
    };
    let error = train(&config(&train_dir, None, options)).err().unwrap();
    assert!(
        error.to_string().contains("special token <0x0A>"),
        "{error}"
    );
}

#[test]
fn a_parity_tolerance_below_one_or_without_parity_on_a_dev_set_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), &SENTENCES[..2]);
    let dev_dir = write_folder(&dir.path().join("dev"), &SENTENCES[..2]);
    for (tolerance, base) in [(0.9, parity(1000, 2)), (f64::NAN, parity(1000, 2))] {
        let options = TrainOptions {
            parity_tolerance: Some(tolerance),
            ..base
        };
        let error = train(&config(&train_dir, Some(&dev_dir), options))
            .err()
            .unwrap();
        assert!(error.to_string().contains("at least 1"), "{error}");
    }
    let options = TrainOptions {
        parity_tolerance: Some(1.1),
        ..classic(1000, 2)
    };
    let error = train(&config(&train_dir, None, options)).err().unwrap();
    assert!(error.to_string().contains("parity only"), "{error}");
}

#[test]
fn parity_without_dev_set_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(dir.path(), &SENTENCES[..2]);
    let error = train(&config(&train_dir, None, parity(1000, 2)))
        .err()
        .unwrap();
    assert!(error.to_string().contains("--dev"), "{error}");
}

#[test]
fn invalid_utf8_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vi.txt"),
        b"xin ch\xc3\xa0o\nbad \xff line\n",
    )
    .unwrap();
    let error = train(&config(dir.path(), None, classic(1000, 2)))
        .err()
        .unwrap();
    assert!(error.to_string().contains("vi.txt:2"), "{error}");
}

/// One 3 MB line without spaces trains (the pre-tokenizer caps word length) and encodes. Its
/// few distinct words run out of pairs before 50 merges: training stops early, as documented.
#[test]
fn one_giant_line_trains() {
    let dir = tempfile::tempdir().unwrap();
    let line = "ทุกคนมีสิทธิ".repeat(100_000) + &"abcdefgh".repeat(50_000);
    std::fs::write(dir.path().join("th.txt"), &line).unwrap();
    let trained = train(&config(dir.path(), None, classic(256 + 1 + 50, 2))).unwrap();
    assert!(
        (10..=50).contains(&trained.summary.merges),
        "{}",
        trained.summary.merges
    );
    let encoding = trained.tokenizer.encode(line.as_str(), false).unwrap();
    assert_eq!(
        trained.tokenizer.decode(encoding.get_ids(), false).unwrap(),
        line
    );
}

/// A failed run leaves neither tokenizer.json nor the stage folder behind.
#[test]
fn failure_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), &SENTENCES[..2]);
    let dev_dir = write_folder(
        &dir.path().join("dev"),
        &[("en", &["a", "b"]), ("vi", &["a"])],
    );
    let cfg = config(&train_dir, Some(&dev_dir), parity(1000, 2));
    let output = dir.path().join("out/tokenizer.json");
    assert!(train_to_file(&cfg, &output).is_err());
    assert!(!output.exists());
    let stage = dir.path().join("stage");
    assert!(run_stage(&cfg, &stage).is_err());
    assert!(!stage.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}
