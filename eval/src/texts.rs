//! The texts a model is evaluated on: single files given per language, and parallel sets (the
//! same content in several languages, so bits per byte compare languages fairly).
//!
//! A text is its non-empty lines joined by `\n`; its byte count is that string's UTF-8 length.
//! Parallel sets come in the layouts the tokenizer report reads:
//! - a folder of `<lang>.txt` files aligned line by line (`ids.txt` and `attribution.txt`, which
//!   hold segment ids and credits, are not languages);
//! - FLORES: `<code>.devtest` (preferred: the held-out split) or `<code>.dev` files, directly in
//!   the folder or in its `devtest/` / `dev/` subfolders;
//! - UDHR: `<code>.txt` plus `index.tsv` (columns `code`, `bcp47`, ...), where a language can be
//!   named by its file code or its BCP 47 tag, and a missing article is an empty line.
//!
//! Only the lines that are non-empty in every selected language are kept, so each language's text
//! says the same thing.

use crate::{EvalError, Result};
use serde::Serialize;
use std::collections::BTreeMap;
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

/// Files in parallel-set folders that hold ids or credits rather than a language.
const NOT_LANGUAGES: [&str; 2] = ["ids", "attribution"];

/// Reads a text file for `lang`; an empty file is an error (it has nothing to score).
pub fn load_text(lang: &str, path: &Path) -> Result<EvalText> {
    let lines: Vec<String> = read_lines(path)?
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return Err(EvalError::bad_input(
            path,
            None,
            format!("the evaluation text for '{lang}' is empty"),
        ));
    }
    Ok(EvalText {
        lang: lang.to_string(),
        source: path.to_path_buf(),
        segments: lines.len(),
        lines,
    })
}

/// Reads the aligned segments of `languages` (all of the set's languages when empty) from the
/// parallel set in `dir`.
pub fn load_parallel(dir: &Path, languages: &[String]) -> Result<Vec<EvalText>> {
    let available = parallel_files(dir)?;
    if available.is_empty() {
        return Err(EvalError::bad_input(
            dir,
            None,
            "no parallel texts found (expected <lang>.txt, <code>.dev/.devtest, or UDHR <code>.txt with index.tsv)",
        ));
    }
    let selected: Vec<(String, PathBuf)> = if languages.is_empty() {
        available
            .iter()
            .map(|(lang, file)| (lang.clone(), file.path.clone()))
            .collect()
    } else {
        languages
            .iter()
            .map(|wanted| {
                available
                    .iter()
                    .find(|(lang, file)| *lang == wanted || file.alias.as_deref() == Some(wanted))
                    .map(|(_, file)| (wanted.clone(), file.path.clone()))
                    .ok_or_else(|| {
                        let names: Vec<&str> = available.keys().map(String::as_str).collect();
                        EvalError::bad_input(
                            dir,
                            None,
                            format!(
                                "language '{wanted}' is not in this parallel set (it has: {})",
                                names.join(", ")
                            ),
                        )
                    })
            })
            .collect::<Result<_>>()?
    };

    let mut columns = Vec::new();
    for (lang, path) in &selected {
        columns.push((lang, path, read_lines(path)?));
    }
    let (_, first_path, first) = &columns[0];
    for (_, path, lines) in &columns[1..] {
        if lines.len() != first.len() {
            return Err(EvalError::bad_input(
                path,
                None,
                format!(
                    "{} lines, but {} has {}: a parallel set's files must align line by line",
                    lines.len(),
                    first_path.display(),
                    first.len()
                ),
            ));
        }
    }
    let kept: Vec<usize> = (0..first.len())
        .filter(|&i| {
            columns
                .iter()
                .all(|(_, _, lines)| !lines[i].trim().is_empty())
        })
        .collect();
    if kept.is_empty() {
        return Err(EvalError::bad_input(
            dir,
            None,
            "no segment is present in every selected language",
        ));
    }
    Ok(columns
        .into_iter()
        .map(|(lang, path, lines)| EvalText {
            lang: lang.clone(),
            source: path.clone(),
            segments: kept.len(),
            lines: kept.iter().map(|&i| lines[i].clone()).collect(),
        })
        .collect())
}

struct ParallelFile {
    path: PathBuf,
    /// Another name the language answers to (the BCP 47 tag of a UDHR code).
    alias: Option<String>,
}

/// The set's languages (by file code, sorted) and their files.
fn parallel_files(dir: &Path) -> Result<BTreeMap<String, ParallelFile>> {
    if !dir.is_dir() {
        return Err(EvalError::bad_input(
            dir,
            None,
            "parallel set folder not found",
        ));
    }
    for (sub, extension) in [
        (".", "devtest"),
        ("devtest", "devtest"),
        (".", "dev"),
        ("dev", "dev"),
    ] {
        let files = files_with_extension(&dir.join(sub), extension)?;
        if !files.is_empty() {
            return Ok(files);
        }
    }
    let mut files = files_with_extension(dir, "txt")?;
    files.retain(|lang, _| !NOT_LANGUAGES.contains(&lang.as_str()));
    let index = dir.join("index.tsv");
    if index.is_file() {
        for (code, bcp47) in udhr_index(&index)? {
            if let Some(file) = files.get_mut(&code) {
                file.alias = Some(bcp47);
            }
        }
    }
    Ok(files)
}

fn files_with_extension(dir: &Path, extension: &str) -> Result<BTreeMap<String, ParallelFile>> {
    let mut files = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(dir).map_err(|e| EvalError::io(dir, e))? {
        let path = entry.map_err(|e| EvalError::io(dir, e))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == extension) {
            let lang = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.insert(lang, ParallelFile { path, alias: None });
        }
    }
    Ok(files)
}

/// `code → bcp47` from a UDHR `index.tsv` (header line naming the columns).
fn udhr_index(path: &Path) -> Result<Vec<(String, String)>> {
    let lines = read_lines(path)?;
    let header: Vec<&str> = lines
        .first()
        .map(|h| h.split('\t').collect())
        .unwrap_or_default();
    let column = |name: &str| {
        header.iter().position(|c| *c == name).ok_or_else(|| {
            EvalError::bad_input(path, Some(1), format!("no '{name}' column in the header"))
        })
    };
    let (code, bcp47) = (column("code")?, column("bcp47")?);
    Ok(lines[1..]
        .iter()
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            Some((
                fields.get(code)?.to_string(),
                fields.get(bcp47)?.to_string(),
            ))
        })
        .collect())
}

/// The file's lines (without `\r\n`/`\n`), refusing text that is not UTF-8 with its line number.
pub fn read_lines(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| EvalError::io(path, e))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(error) => {
            let line = bytes[..error.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return Err(EvalError::bad_input(path, Some(line), "not valid UTF-8"));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(text.lines().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let texts = load_parallel(dir.path(), &[]).unwrap();
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
        let texts = load_parallel(dir.path(), &["vie_Latn".into()]).unwrap();
        assert_eq!(texts[0].joined(), "b");

        let udhr = tempfile::tempdir().unwrap();
        write(
            udhr.path(),
            "index.tsv",
            "code\tbcp47\tname\nvie\tvi\tVietnamese\n",
        );
        write(udhr.path(), "vie.txt", "Điều 1\n");
        let texts = load_parallel(udhr.path(), &["vi".into()]).unwrap();
        assert_eq!((texts[0].lang.as_str(), texts[0].segments), ("vi", 1));
    }

    #[test]
    fn absent_language_and_misaligned_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "vi.txt", "a\nb\n");
        write(dir.path(), "en.txt", "a\n");
        let absent = load_parallel(dir.path(), &["km".into()])
            .unwrap_err()
            .to_string();
        assert!(
            absent.contains("'km' is not in this parallel set (it has: en, vi)"),
            "{absent}"
        );
        let misaligned = load_parallel(dir.path(), &[]).unwrap_err().to_string();
        assert!(misaligned.contains("align line by line"), "{misaligned}");
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
