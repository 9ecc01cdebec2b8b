use crate::fixtures::{classic, config, merges_of, write_folder, SENTENCES};
use crate::naive;
use mekong_tokenizer::train::train;

/// Each script alone, then all together: the trainer's merges equal the naive BPE's.
#[test]
fn classic_mode_equals_naive_bpe_in_several_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<Vec<(&str, &[&str])>> = SENTENCES.iter().map(|s| vec![*s]).collect();
    cases.push(SENTENCES.to_vec());
    for (case, files) in cases.iter().enumerate() {
        let train_dir = write_folder(&dir.path().join(format!("case{case}")), files);
        // 256 bytes + 1 special token + 120 merges.
        let options = classic(256 + 1 + 120, 2);
        let trained = train(&config(&train_dir, None, options)).unwrap();
        let lines: Vec<&str> = files.iter().flat_map(|(_, l)| l.iter().copied()).collect();
        let expected = naive::classic(&lines, 120, 2);
        let actual = merges_of(&trained.json);
        assert!(!expected.is_empty());
        assert_eq!(actual, expected, "case {case}: {:?}", files[0].0);
    }
}

/// min_frequency 1 merges down to whole words and stops when no pair is left.
#[test]
fn classic_stops_when_pairs_run_out() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(dir.path(), &[("vi", &["Việt Nam", "Việt Nam"])]);
    let trained = train(&config(&train_dir, None, classic(5000, 1))).unwrap();
    let expected = naive::classic(&["Việt Nam", "Việt Nam"], 5000, 1);
    assert_eq!(merges_of(&trained.json), expected);
    let encoding = trained.tokenizer.encode("Việt Nam", false).unwrap();
    assert_eq!(encoding.len(), 2, "{:?}", encoding.get_tokens());
}
