//! The texts a model is evaluated on: single files given per language, and parallel sets (the
//! same content in several languages, so bits per byte compare languages fairly).
//!
//! A text is its non-empty lines, NFC-normalised (as the corpus stage normalises training text,
//! so a decomposed file is not penalised for its encoding), joined by `\n`; its byte count is
//! that string's UTF-8 length. Files and parallel sets are read by [`mekong_common::parallel`],
//! as the tokenizer stage reads them, so both reports accept the same layouts and name
//! languages the same way: a folder of `<lang>.txt`, FLORES `<code>.devtest`/`.dev` (in the
//! folder or its `devtest/`/`dev/` subfolder), or UDHR `<code>.txt` + `index.tsv` (a language
//! may be named by its file code, BCP 47 tag or ISO 639-3 code, or by a primary subtag such as
//! `en` for `en-US.txt`). Only the lines that are non-empty in every selected language are kept,
//! so each language's text says the same thing.

use crate::{EvalError, Result};
use mekong_common::parallel::{read_lines, FloresSplit, ParallelSet};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One evaluation text in one language.
#[derive(Debug, Clone, Serialize)]
pub struct EvalText {
    /// The language label shown in the report.
    pub lang: String,
    /// Where it came from (a file, or a parallel set's file).
    pub source: PathBuf,
    /// Segments (lines) it holds.
    pub segments: usize,
    #[serde(skip)]
    pub lines: Vec<String>,
}

impl EvalText {
    /// The text as scored: its lines joined by `\n`.
    pub fn joined(&self) -> String {
        self.lines.join("\n")
    }

    pub fn bytes(&self) -> u64 {
        let newlines = self.lines.len().saturating_sub(1);
        (self.lines.iter().map(String::len).sum::<usize>() + newlines) as u64
    }
}

/// Reads a text file for `lang`; an empty file is an error (it has nothing to score).
pub fn load_text(lang: &str, path: &Path) -> Result<EvalText> {
    let empty = format!("the evaluation text for '{lang}' is empty");
    let lines = non_blank(path, read_lines(path)?, empty)?;
    Ok(EvalText {
        lang: lang.to_string(),
        source: path.to_path_buf(),
        segments: lines.len(),
        lines,
    })
}

/// The lines of `path` that hold more than white space; none is an error saying `empty`.
pub fn non_blank(path: &Path, lines: Vec<String>, empty: impl Into<String>) -> Result<Vec<String>> {
    let lines: Vec<String> = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err(EvalError::bad_input(path, None, empty));
    }
    Ok(lines)
}

/// Files in parallel-set folders that hold ids or credits rather than a language; skipped when
/// the whole set is evaluated.
const NOT_LANGUAGES: [&str; 2] = ["ids", "attribution"];

/// Reads the aligned segments of `languages` (all of the set's languages when empty) from the
/// parallel set in `dir`; FLORES folders are read at `split`.
pub fn load_parallel(
    dir: &Path,
    languages: &[String],
    split: FloresSplit,
) -> Result<Vec<EvalText>> {
    let set = ParallelSet::read(dir, split, languages)?;
    let mut selected: Vec<(String, usize)> = Vec::new();
    if languages.is_empty() {
        for (i, language) in set.languages.iter().enumerate() {
            if !NOT_LANGUAGES.contains(&language.code.as_str()) {
                selected.push((language.code.clone(), i));
            }
        }
    } else {
        for wanted in languages {
            let i = set.resolve(wanted)?;
            selected.push((wanted.clone(), i));
        }
    }
    let kept: Vec<usize> = (0..set.line_count)
        .filter(|&line| {
            selected
                .iter()
                .all(|&(_, i)| !set.languages[i].lines[line].trim().is_empty())
        })
        .collect();
    if kept.is_empty() {
        return Err(EvalError::bad_input(
            dir,
            None,
            "no segment is present in every selected language",
        ));
    }
    Ok(selected
        .into_iter()
        .map(|(lang, i)| {
            let language = &set.languages[i];
            EvalText {
                lang,
                source: language.path.clone(),
                segments: kept.len(),
                lines: kept.iter().map(|&l| language.lines[l].clone()).collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn folder_of_language_files_keeps_segments_present_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "vi.txt", "Xin chào\n\nCảm ơn\n");
        write(dir.path(), "en.txt", "Hello\nMissing in vi\nThank you\n");
        write(dir.path(), "ids.txt", "1\n2\n3\n");
        let texts = load_parallel(dir.path(), &[], FloresSplit::Devtest).unwrap();
        let langs: Vec<&str> = texts.iter().map(|t| t.lang.as_str()).collect();
        assert_eq!(langs, ["en", "vi"]);
        assert_eq!(texts[1].joined(), "Xin chào\nCảm ơn");
        assert_eq!(texts[1].bytes(), "Xin chào\nCảm ơn".len() as u64);
        assert_eq!(texts[0].segments, 2);
    }

    #[test]
    fn flores_prefers_devtest_and_udhr_answers_to_bcp47() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "dev/vie_Latn.dev", "a\n");
        write(dir.path(), "devtest/vie_Latn.devtest", "b\n");
        let texts = load_parallel(dir.path(), &["vie_Latn".into()], FloresSplit::Devtest).unwrap();
        assert_eq!(texts[0].joined(), "b");

        let udhr = tempfile::tempdir().unwrap();
        write(
            udhr.path(),
            "index.tsv",
            "code\tbcp47\tname\nvie\tvi\tVietnamese\n",
        );
        let decomposed: String = "Điều 1".nfd().collect();
        write(udhr.path(), "vie.txt", &format!("{decomposed}\n"));
        let texts = load_parallel(udhr.path(), &["vi".into()], FloresSplit::Devtest).unwrap();
        assert_eq!((texts[0].lang.as_str(), texts[0].segments), ("vi", 1));
        // Scored as NFC, like the training corpus: the decomposed file is not penalised.
        assert_eq!(texts[0].joined(), "Điều 1");
        assert_eq!(texts[0].bytes(), "Điều 1".len() as u64);
    }

    #[test]
    fn absent_language_and_misaligned_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "vi.txt", "a\nb\n");
        write(dir.path(), "en.txt", "a\n");
        let absent = load_parallel(dir.path(), &["km".into()], FloresSplit::Devtest)
            .unwrap_err()
            .to_string();
        assert!(
            absent.contains("language 'km': not in this set"),
            "{absent}"
        );
        let misaligned = load_parallel(dir.path(), &[], FloresSplit::Devtest)
            .unwrap_err()
            .to_string();
        assert!(misaligned.contains("not aligned"), "{misaligned}");
    }

    #[test]
    fn empty_and_invalid_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "empty.txt", "\n  \n");
        let error = load_text("vi", &dir.path().join("empty.txt")).unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");
        std::fs::write(dir.path().join("bad.txt"), b"ok\nok\n\xff\n").unwrap();
        let error = load_text("vi", &dir.path().join("bad.txt")).unwrap_err();
        assert!(
            error.to_string().ends_with("bad.txt:3: not valid UTF-8"),
            "{error}"
        );
    }
}
