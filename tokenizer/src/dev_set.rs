//! The development set: a folder of `<lang>.txt` files aligned line by line (line k of every
//! file is a translation of the same segment). Parity-aware training measures each language's
//! length in tokens on it, and the dev premiums in training.json are measured on it. A test set
//! (`--test`) has the same layout and is read the same way; it must share no segment with the
//! dev set, or its figures would not be held out.
//!
//! An empty line is a segment the language lacks. A language is measured on the rows where both
//! it and the reference language have text, against the reference's text on those rows, so a set
//! built from bitexts (en–vi pairs, en–km pairs, …) need not translate every row in every
//! language: its premiums still compare like with like.

use crate::error::{Result, TokenizerError};
use mekong_common::parallel::{FloresSplit, ParallelSet};
use mekong_common::text::remove_invisible;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DevSet {
    pub dir: PathBuf,
    /// Language → its lines (empty lines kept, so indices stay aligned).
    pub lines: BTreeMap<String, Vec<String>>,
}

impl DevSet {
    /// Reads the parallel set in `dir` (a folder of `<lang>.txt`, or any layout
    /// [`mekong_common::parallel`] reads), its lines normalised as the corpus stage normalises
    /// training text: NFC, since a dev set shipped in NFD (the UDHR's Vietnamese is) would
    /// otherwise never match the merges learned on NFC text, and its premium would look several
    /// times worse than it is; and without the invisible characters the corpus stage removes,
    /// since the zero-width spaces that Khmer text uses as word breaks (one character in eight
    /// of the demo's Khmer help text) would otherwise count as dev tokens no merge can shorten.
    /// Every file must have as many lines as the others.
    pub fn read(dir: &Path) -> Result<Self> {
        let set = ParallelSet::read(dir, FloresSplit::default(), &[])?;
        let visible = |line: String| remove_invisible(&line).unwrap_or(line);
        Ok(DevSet {
            dir: dir.to_path_buf(),
            lines: set
                .languages
                .into_iter()
                .map(|language| {
                    let lines = language.lines.into_iter().map(visible).collect();
                    (language.code, lines)
                })
                .collect(),
        })
    }

    /// The test set in `dir`, refused when it has a language the tokenizer has no training text
    /// for, none of the training `languages`, lacks the `reference` language premiums are
    /// measured against, or shares segments with the dev set.
    pub fn read_test(
        dir: &Path,
        dev: Option<&DevSet>,
        languages: &[String],
        reference: &str,
    ) -> Result<Self> {
        let test = DevSet::read(dir)?;
        let untrained = test.languages_not_in(languages);
        if !untrained.is_empty() {
            return Err(TokenizerError::Config(format!(
                "the test set {} has {} without training text: a tokenizer is measured on the \
                 languages it was trained for (compare others with `mekong tokenizer report`)",
                dir.display(),
                untrained
                    .iter()
                    .map(|l| format!("{l}.txt"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if test.lines.is_empty() {
            return Err(TokenizerError::Config(format!(
                "the test set {} has none of the training languages ({})",
                dir.display(),
                languages.join(", ")
            )));
        }
        if !test.lines.contains_key(reference) {
            return Err(TokenizerError::Config(format!(
                "the test set {} has no {reference}.txt: premiums are measured against it",
                dir.display()
            )));
        }
        test.check_coverage(reference)?;
        if let Some(dev) = dev {
            dev.check_held_out(&test)?;
        }
        Ok(test)
    }

    /// The rows (from 0) of `other` that share a segment with this set: a non-empty line of
    /// some language that this set also has in that language.
    fn shared_rows(&self, other: &DevSet) -> Vec<usize> {
        let mut shared = BTreeSet::new();
        for (lang, lines) in &other.lines {
            let Some(ours) = self.lines.get(lang) else {
                continue;
            };
            let ours: HashSet<&str> = ours.iter().map(String::as_str).collect();
            for (row, line) in lines.iter().enumerate() {
                if !line.trim().is_empty() && ours.contains(line.as_str()) {
                    shared.insert(row);
                }
            }
        }
        shared.into_iter().collect()
    }

    /// Fails when the test set `test` shares segments with this dev set (the count and the
    /// first rows are named).
    fn check_held_out(&self, test: &DevSet) -> Result<()> {
        let shared = self.shared_rows(test);
        if shared.is_empty() {
            return Ok(());
        }
        let first: Vec<String> = shared.iter().take(5).map(|r| (r + 1).to_string()).collect();
        Err(TokenizerError::Config(format!(
            "the test set {} shares {} of its {} segments with the dev set {} (lines {}{}): \
             figures measured on it would not be held out; remove those lines from one of them",
            test.dir.display(),
            shared.len(),
            test.rows(),
            self.dir.display(),
            first.join(", "),
            if shared.len() > first.len() {
                ", …"
            } else {
                ""
            }
        )))
    }

    /// Aligned rows (lines per file).
    fn rows(&self) -> usize {
        self.lines.values().next().map_or(0, Vec::len)
    }

    /// The rows where both `lang` and `reference` have text.
    pub fn covered_rows(&self, lang: &str, reference: &str) -> Vec<usize> {
        let (Some(ours), Some(theirs)) = (self.lines.get(lang), self.lines.get(reference)) else {
            return Vec::new();
        };
        ours.iter()
            .zip(theirs)
            .enumerate()
            .filter(|(_, (a, b))| !a.trim().is_empty() && !b.trim().is_empty())
            .map(|(row, _)| row)
            .collect()
    }

    /// `lang`'s lines on `rows`.
    pub fn lines_at<'a>(&'a self, lang: &str, rows: &[usize]) -> Vec<&'a str> {
        let lines = &self.lines[lang];
        rows.iter().map(|&row| lines[row].as_str()).collect()
    }

    /// Whether every language has text on exactly the rows the reference has: then all are
    /// measured on the same segments, and raw lengths compare.
    pub fn fully_aligned(&self, reference: &str) -> bool {
        let has_text = |lines: &Vec<String>| -> Vec<bool> {
            lines.iter().map(|l| !l.trim().is_empty()).collect()
        };
        let Some(reference_rows) = self.lines.get(reference).map(has_text) else {
            return false;
        };
        self.lines
            .values()
            .all(|lines| has_text(lines) == reference_rows)
    }

    /// Fails naming the languages that share no row with the reference: they could not be
    /// measured.
    pub fn check_coverage(&self, reference: &str) -> Result<()> {
        let reference_has_text = self
            .lines
            .get(reference)
            .is_some_and(|lines| lines.iter().any(|l| !l.trim().is_empty()));
        if !reference_has_text {
            return Err(TokenizerError::Config(format!(
                "{}: {reference}.txt has no text: the set is empty",
                self.dir.display()
            )));
        }
        let uncovered: Vec<&str> = self
            .lines
            .keys()
            .filter(|lang| self.covered_rows(lang, reference).is_empty())
            .map(String::as_str)
            .collect();
        if uncovered.is_empty() {
            return Ok(());
        }
        Err(TokenizerError::Config(format!(
            "{}: {} {} no line on a row where {reference}.txt has text, so {} cannot be measured against {reference}",
            self.dir.display(),
            uncovered.join(", "),
            if uncovered.len() == 1 { "has" } else { "have" },
            if uncovered.len() == 1 { "it" } else { "they" },
        )))
    }

    /// This set's languages that `languages` lacks.
    fn languages_not_in(&self, languages: &[String]) -> Vec<&str> {
        self.lines
            .keys()
            .filter(|lang| !languages.contains(lang))
            .map(String::as_str)
            .collect()
    }

    /// Checks that the dev set and the training set name the same languages.
    pub fn check_languages(&self, train_dir: &Path, train_languages: &[String]) -> Result<()> {
        let missing_in_dev: Vec<&str> = train_languages
            .iter()
            .filter(|l| !self.lines.contains_key(*l))
            .map(String::as_str)
            .collect();
        if !missing_in_dev.is_empty() {
            return Err(TokenizerError::MissingInDev {
                langs: missing_in_dev.join(", "),
                train: train_dir.to_path_buf(),
                dev: self.dir.clone(),
            });
        }
        let missing_in_train = self.languages_not_in(train_languages);
        if !missing_in_train.is_empty() {
            return Err(TokenizerError::MissingInTrain {
                langs: missing_in_train.join(", "),
                train: train_dir.to_path_buf(),
                dev: self.dir.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_lines_are_normalised_as_training_text() {
        let dir = tempfile::tempdir().unwrap();
        // "hoà bình" in NFD (a + combining grave, i + combining grave) and an empty line; Khmer
        // with a zero-width space between its words.
        std::fs::write(dir.path().join("vi.txt"), "hoa\u{300} bi\u{300}nh\n\n").unwrap();
        std::fs::write(dir.path().join("km.txt"), "សន្តិភាព\u{200b}ពិភពលោក\n\n").unwrap();
        std::fs::write(dir.path().join("en.txt"), "peace\n\n").unwrap();
        let dev = DevSet::read(dir.path()).unwrap();
        assert_eq!(dev.lines["vi"], vec!["hoà bình".to_string(), String::new()]);
        assert_eq!(dev.lines["km"][0], "សន្តិភាពពិភពលោក");
    }
}
