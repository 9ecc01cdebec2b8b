//! Parallel sets: the same segments in many languages, aligned line by line, read in one of
//! three layouts and NFC-normalised (so a decomposed file, like UDHR's Vietnamese, counts the
//! same as a composed one):
//!
//! - plain: a folder of `<lang>.txt`;
//! - FLORES: `<code>.dev` / `<code>.devtest` files, in the folder itself or in its `dev/` and
//!   `devtest/` subfolders (the FLORES-200 release layout);
//! - UDHR: `<code>.txt` plus an `index.tsv` (`code`, `bcp47`, `iso639_3`, `name` columns) that
//!   gives each version a name and the codes it may be referred to by.
//!
//! Empty lines are kept, so line k stays segment k in every language; a language with a
//! missing segment simply has an empty line there (the metrics skip such pairs).
//!
//! Every stage reads parallel sets and aligned text files through this module (the tokenizer's
//! dev set and comparison report, the eval stage's texts and prompts), so they accept the same
//! layouts, name languages the same way and treat line endings, byte-order marks and invalid
//! UTF-8 alike.

use crate::{CommonError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Which files of a FLORES-style folder to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FloresSplit {
    Dev,
    #[default]
    Devtest,
}

crate::display_as_name!(FloresSplit);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    Plain,
    Flores,
    Udhr,
}

#[derive(Debug, Clone)]
pub struct Language {
    /// The file's stem: `vie`, `vi`, `vie_Latn`.
    pub code: String,
    /// A human name, where the set's index gives one.
    pub name: Option<String>,
    /// Other codes this language answers to (BCP 47, ISO 639-3 from the index).
    pub aliases: Vec<String>,
    pub path: PathBuf,
    /// NFC-normalised lines, empty lines kept.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ParallelSet {
    pub dir: PathBuf,
    pub layout: Layout,
    /// Sorted by code.
    pub languages: Vec<Language>,
    /// Lines per file (the same in every file).
    pub line_count: usize,
}

impl ParallelSet {
    /// Reads the set in `dir`. With a non-empty `only`, reads just those languages (and the
    /// reference, which the caller includes in `only`).
    pub fn read(dir: &Path, split: FloresSplit, only: &[String]) -> Result<ParallelSet> {
        let (layout, files) = find_files(dir, split)?;
        let index = match layout {
            Layout::Udhr => read_index(&dir.join("index.tsv"))?,
            _ => BTreeMap::new(),
        };
        let mut languages: Vec<Language> = files
            .into_iter()
            .map(|(code, path)| {
                let entry = index.get(&code);
                Language {
                    name: entry.map(|e| e.name.clone()).filter(|n| !n.is_empty()),
                    aliases: entry.map(|e| e.aliases.clone()).unwrap_or_default(),
                    code,
                    path,
                    lines: Vec::new(),
                }
            })
            .collect();
        if !only.is_empty() {
            let mut keep = vec![false; languages.len()];
            for wanted in only {
                let index =
                    resolve(&languages, wanted).map_err(|why| CommonError::BadParallelSet {
                        dir: dir.to_path_buf(),
                        message: format!("language '{wanted}': {why}"),
                    })?;
                keep[index] = true;
            }
            let mut flags = keep.into_iter();
            languages.retain(|_| flags.next().unwrap_or(false));
        }
        for language in &mut languages {
            language.lines = read_lines(&language.path)?;
        }
        let line_count = check_aligned(&languages)?;
        Ok(ParallelSet {
            dir: dir.to_path_buf(),
            layout,
            languages,
            line_count,
        })
    }

    /// The index of the language `code` names, or an error listing what the set has.
    pub fn resolve(&self, code: &str) -> Result<usize> {
        resolve(&self.languages, code).map_err(|why| {
            let mut available: Vec<&str> = self
                .languages
                .iter()
                .map(|l| l.code.as_str())
                .take(20)
                .collect();
            if self.languages.len() > 20 {
                available.push("...");
            }
            CommonError::UnknownLanguage {
                code: code.to_string(),
                why,
                dir: self.dir.clone(),
                available: available.join(", "),
            }
        })
    }
}

/// Exact code first, then an alias from the index, then a language whose primary subtag
/// (before `-` or `_`) is `code`, so `en` finds `en-US.txt`. A code that names several
/// languages (`deu` in UDHR: `deu_1901`, `deu_1996`) is refused with the candidates, never
/// guessed.
fn resolve(languages: &[Language], code: &str) -> Result<usize, String> {
    if let Some(i) = languages.iter().position(|l| l.code == code) {
        return Ok(i);
    }
    let by_alias: Vec<usize> = (0..languages.len())
        .filter(|&i| languages[i].aliases.iter().any(|a| a == code))
        .collect();
    let by_primary = || -> Vec<usize> {
        (0..languages.len())
            .filter(|&i| languages[i].code.split(['-', '_']).next() == Some(code))
            .collect()
    };
    let candidates = if by_alias.is_empty() {
        by_primary()
    } else {
        by_alias
    };
    match candidates[..] {
        [only] => Ok(only),
        [] => Err("not in this set".to_string()),
        _ => Err(format!(
            "ambiguous, name one of: {}",
            candidates
                .iter()
                .map(|&i| languages[i].code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Finds the layout and the `(code, path)` of each file, sorted by code.
fn find_files(dir: &Path, split: FloresSplit) -> Result<(Layout, Vec<(String, PathBuf)>)> {
    if !dir.is_dir() {
        return Err(CommonError::BadParallelSet {
            dir: dir.to_path_buf(),
            message: "not a folder (expected a parallel set: <lang>.txt files, FLORES <code>.dev/.devtest, or the UDHR layout)".into(),
        });
    }
    let udhr = dir.join("index.tsv").is_file();
    let extension = match split {
        FloresSplit::Dev => "dev",
        FloresSplit::Devtest => "devtest",
    };
    let mut flores = files_with_extension(dir, extension)?;
    let subfolder = dir.join(extension);
    if flores.is_empty() && subfolder.is_dir() {
        flores = files_with_extension(&subfolder, extension)?;
    }
    let (layout, files) = if !udhr && !flores.is_empty() {
        (Layout::Flores, flores)
    } else {
        let layout = if udhr { Layout::Udhr } else { Layout::Plain };
        (layout, files_with_extension(dir, "txt")?)
    };
    if files.is_empty() {
        return Err(CommonError::BadParallelSet {
            dir: dir.to_path_buf(),
            message: format!("no parallel files (looked for <lang>.txt, <code>.{extension})"),
        });
    }
    Ok((layout, files))
}

fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<(String, PathBuf)>> {
    Ok(crate::visible_files(dir, &[extension])?
        .into_iter()
        .map(|path| {
            let code = path.file_stem().unwrap_or_default().to_string_lossy();
            (code.into_owned(), path)
        })
        .collect())
}

/// A text file's lines, NFC-normalised (see [`read_raw_lines`] for the rest).
pub fn read_lines(path: &Path) -> Result<Vec<String>> {
    Ok(read_raw_lines(path)?
        .into_iter()
        .map(|line| match is_nfc_quick(line.chars()) {
            IsNormalized::Yes => line,
            _ => line.nfc().collect(),
        })
        .collect())
}

/// A text file's lines as written, without their `\n` or `\r\n`. Empty lines are kept (line k
/// stays segment k); a final line ending does not make an extra line; a byte-order mark at the
/// start (Windows editors write one) is an encoding mark, not text, and is dropped. Text that is
/// not UTF-8 is refused, naming the line.
pub fn read_raw_lines(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| CommonError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        CommonError::BadLine {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            message: "not valid UTF-8".into(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    Ok(body
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).to_string())
        .collect())
}

/// The common line count, or an error naming the first file that differs.
fn check_aligned(languages: &[Language]) -> Result<usize> {
    let Some(first) = languages.first() else {
        return Ok(0);
    };
    for language in &languages[1..] {
        if language.lines.len() != first.lines.len() {
            return Err(CommonError::Misaligned {
                first: first.path.clone(),
                first_lines: first.lines.len(),
                second: language.path.clone(),
                second_lines: language.lines.len(),
            });
        }
    }
    Ok(first.lines.len())
}

struct IndexEntry {
    name: String,
    aliases: Vec<String>,
}

/// UDHR's `index.tsv`: a header naming the columns, then one row per version.
fn read_index(path: &Path) -> Result<BTreeMap<String, IndexEntry>> {
    let text = std::fs::read_to_string(path).map_err(|e| CommonError::io(path, e))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let code = column("code").ok_or_else(|| CommonError::BadLine {
        path: path.to_path_buf(),
        line: 1,
        message: "header has no 'code' column".into(),
    })?;
    let (name, aliases) = (column("name"), [column("bcp47"), column("iso639_3")]);
    let mut index = BTreeMap::new();
    for (number, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            return Err(CommonError::BadLine {
                path: path.to_path_buf(),
                line: number + 2,
                message: format!(
                    "{} fields, but the header has {}",
                    fields.len(),
                    header.len()
                ),
            });
        }
        let entry = IndexEntry {
            name: name.map(|c| fields[c].to_string()).unwrap_or_default(),
            aliases: aliases
                .iter()
                .flatten()
                .map(|&c| fields[c].to_string())
                .filter(|a| !a.is_empty())
                .collect(),
        };
        index.insert(fields[code].to_string(), entry);
    }
    Ok(index)
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
    fn reads_plain_folder_and_normalises() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "en.txt", "Hello\n\nworld\n");
        // "Việt" fully decomposed (NFD), as UDHR ships it.
        write(dir.path(), "vi.txt", "Vie\u{0323}\u{0302}t\r\n\nNam");
        let set = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[]).unwrap();
        assert_eq!(set.layout, Layout::Plain);
        assert_eq!(set.line_count, 3);
        assert_eq!(set.languages[1].code, "vi");
        assert_eq!(set.languages[1].lines, ["Việt", "", "Nam"]);
        assert_eq!(set.languages[1].lines[0].chars().count(), 4);
    }

    #[test]
    fn reads_flores_subfolders() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "dev/eng_Latn.dev", "a\nb\n");
        write(dir.path(), "devtest/eng_Latn.devtest", "c\n");
        write(dir.path(), "devtest/vie_Latn.devtest", "d\n");
        let set = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[]).unwrap();
        assert_eq!(set.layout, Layout::Flores);
        assert_eq!(set.languages.len(), 2);
        assert_eq!(set.resolve("eng").unwrap(), 0);
        let dev = ParallelSet::read(dir.path(), FloresSplit::Dev, &[]).unwrap();
        assert_eq!(dev.line_count, 2);
    }

    #[test]
    fn reads_udhr_index_aliases() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "index.tsv",
            "code\tbcp47\tiso639_3\tname\nvie\tvi\tvie\tVietnamese\neng\ten\teng\tEnglish\n",
        );
        write(dir.path(), "eng.txt", "x\n");
        write(dir.path(), "vie.txt", "y\n");
        let set = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[]).unwrap();
        assert_eq!(set.layout, Layout::Udhr);
        assert_eq!(set.resolve("en").unwrap(), 0);
        assert_eq!(set.languages[1].name.as_deref(), Some("Vietnamese"));
        let only = ParallelSet::read(dir.path(), FloresSplit::Devtest, &["vi".into()]).unwrap();
        assert_eq!(only.languages.len(), 1);
    }

    #[test]
    fn ambiguous_codes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "index.tsv",
            "code\tbcp47\tiso639_3\tname\ndeu_1901\tde-1901\tdeu\tGerman\ndeu_1996\tde-1996\tdeu\tGerman\n",
        );
        write(dir.path(), "deu_1901.txt", "x\n");
        write(dir.path(), "deu_1996.txt", "y\n");
        let set = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[]).unwrap();
        let error = set.resolve("deu").unwrap_err().to_string();
        assert!(
            error.contains("ambiguous, name one of: deu_1901, deu_1996"),
            "{error}"
        );
        assert_eq!(set.resolve("deu_1996").unwrap(), 1);
    }

    #[test]
    fn misaligned_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "en.txt", "a\nb\nc\n");
        write(dir.path(), "km.txt", "a\nb\n");
        let error = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("en.txt has 3 lines"), "{error}");
        assert!(error.contains("km.txt has 2 lines"), "{error}");
    }

    #[test]
    fn unknown_reference_lists_languages() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "en-US.txt", "a\n");
        write(dir.path(), "vi.txt", "b\n");
        let set = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[]).unwrap();
        assert_eq!(set.resolve("en").unwrap(), 0, "unique primary subtag");
        let error = set.resolve("fr").unwrap_err().to_string();
        assert!(
            error.contains("'fr'") && error.contains("en-US, vi"),
            "{error}"
        );
    }

    #[test]
    fn line_endings_and_byte_order_marks() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "\u{feff}one\r\n\ntwo\n");
        let lines = read_raw_lines(&dir.path().join("a.txt")).unwrap();
        assert_eq!(lines, ["one", "", "two"]);
        write(dir.path(), "b.txt", "no final newline");
        assert_eq!(read_raw_lines(&dir.path().join("b.txt")).unwrap().len(), 1);
        write(dir.path(), "c.txt", "");
        assert!(read_raw_lines(&dir.path().join("c.txt"))
            .unwrap()
            .is_empty());
        write(dir.path(), "d.txt", "\n");
        assert_eq!(read_raw_lines(&dir.path().join("d.txt")).unwrap(), [""]);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("en.txt"), b"ok\nbad \xff\n").unwrap();
        let error = ParallelSet::read(dir.path(), FloresSplit::Devtest, &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("en.txt:2: not valid UTF-8"), "{error}");
    }
}
