//! The development set: a folder of `<lang>.txt` files aligned line by line (line k of every
//! file is a translation of the same segment). Parity-aware training measures each language's
//! length in tokens on it, and the premiums in training.json are measured on it.

use crate::corpus_input::{language_of, list_dir};
use crate::error::{Result, TokenizerError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone)]
pub struct DevSet {
    pub dir: PathBuf,
    /// Language → its lines (empty lines kept, so indices stay aligned).
    pub lines: BTreeMap<String, Vec<String>>,
}

impl DevSet {
    /// Reads every `<lang>.txt` of `dir` and checks they have the same number of lines.
    pub fn read(dir: &Path) -> Result<Self> {
        let mut lines = BTreeMap::new();
        let mut first: Option<(PathBuf, usize)> = None;
        for path in list_dir(dir)? {
            if path.extension().and_then(|e| e.to_str()) != Some("txt") {
                continue;
            }
            let file_lines = read_aligned_lines(&path)?;
            match &first {
                None => first = Some((path.clone(), file_lines.len())),
                Some((first_path, count)) if *count != file_lines.len() => {
                    return Err(TokenizerError::MisalignedDev {
                        first: first_path.clone(),
                        first_lines: *count,
                        second: path,
                        second_lines: file_lines.len(),
                    })
                }
                Some(_) => {}
            }
            lines.insert(language_of(&path), file_lines);
        }
        if lines.is_empty() {
            return Err(TokenizerError::Config(format!(
                "{}: the dev folder holds no <lang>.txt file",
                dir.display()
            )));
        }
        Ok(DevSet {
            dir: dir.to_path_buf(),
            lines,
        })
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
        let missing_in_train: Vec<&str> = self
            .lines
            .keys()
            .filter(|l| !train_languages.contains(l))
            .map(String::as_str)
            .collect();
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

/// All lines of a file, empty ones included; a final line ending does not make an extra line.
/// Lines are NFC-normalised, as the corpus stage normalises training text: a dev set shipped in
/// NFD (the UDHR's Vietnamese is) would otherwise never match the merges learned on NFC text and
/// its premium would look several times worse than it is.
fn read_aligned_lines(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| TokenizerError::io(path, e))?;
    let mut lines = Vec::new();
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if body.is_empty() && bytes.is_empty() {
        return Ok(lines);
    }
    for (index, raw) in body.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = std::str::from_utf8(raw).map_err(|e| TokenizerError::BadLine {
            path: path.to_path_buf(),
            line: index + 1,
            message: format!("not valid UTF-8 ({e})"),
        })?;
        lines.push(line.nfc().collect());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_lines_are_nfc_normalised() {
        let dir = tempfile::tempdir().unwrap();
        // "hoà bình" in NFD (a + combining grave, i + combining grave) and an empty line.
        std::fs::write(dir.path().join("vi.txt"), "hoa\u{300} bi\u{300}nh\n\n").unwrap();
        std::fs::write(dir.path().join("en.txt"), "peace\n\n").unwrap();
        let dev = DevSet::read(dir.path()).unwrap();
        assert_eq!(dev.lines["vi"], vec!["hoà bình".to_string(), String::new()]);
    }
}
