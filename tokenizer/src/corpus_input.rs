//! Training text: a corpus-stage output folder (Parquet) or a folder of `<lang>.txt` files,
//! read one language at a time so memory holds word counts, never the corpus.
//!
//! Parquet files are the corpus stage's shards, read by [`mekong_common::corpus_shards`] (both
//! sides of a parallel shard are used). Text files hold one segment a line; the file stem is
//! the language code. Empty segments are skipped.

use crate::error::{Result, TokenizerError};
use mekong_common::artefacts::corpus::SHARD_EXTENSION;
use mekong_common::corpus_shards::{Columns, ShardReader};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

#[derive(Debug)]
enum Source {
    Text(BTreeMap<String, PathBuf>),
    Parquet(Vec<PathBuf>),
}

/// A training folder with its languages and how many bytes of text each has.
#[derive(Debug)]
pub struct TrainingCorpus {
    dir: PathBuf,
    source: Source,
    bytes_per_language: BTreeMap<String, u64>,
}

impl Source {
    /// The training files of `dir`: its shards, or else its `<lang>.txt` files.
    fn find(dir: &Path) -> Result<Self> {
        let mut parquet = Vec::new();
        let mut text = BTreeMap::new();
        for path in mekong_common::visible_files(dir, &[SHARD_EXTENSION, "txt"])? {
            match path.extension().and_then(|e| e.to_str()) {
                Some(SHARD_EXTENSION) => parquet.push(path),
                Some("txt") => {
                    let lang = language_of(&path);
                    text.insert(lang, path);
                }
                _ => {}
            }
        }
        if !parquet.is_empty() {
            Ok(Source::Parquet(parquet))
        } else if !text.is_empty() {
            Ok(Source::Text(text))
        } else {
            Err(TokenizerError::EmptyTrainingSet {
                path: dir.to_path_buf(),
            })
        }
    }
}

/// A part of the training text one task reads: a text file, or one row group of a shard. A
/// folder's units, in order, hold its texts in the order [`TrainingCorpus::for_each_text`] gives
/// them, whatever the number of tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Text { lang: String, path: PathBuf },
    RowGroup { path: PathBuf, group: usize },
}

impl Unit {
    /// The units of the training folder `dir`, with their sizes in bytes (a text file's, a
    /// row group's compressed), from the files' footers (no text is read).
    pub fn all(dir: &Path) -> Result<(Vec<Unit>, Vec<u64>)> {
        Ok(match Source::find(dir)? {
            Source::Text(files) => files
                .into_iter()
                .map(|(lang, path)| {
                    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                    (Unit::Text { lang, path }, size)
                })
                .unzip(),
            Source::Parquet(files) => {
                let mut units = (Vec::new(), Vec::new());
                for path in files {
                    for (group, size) in mekong_common::corpus_shards::row_group_sizes(&path)?
                        .into_iter()
                        .enumerate()
                    {
                        units.0.push(Unit::RowGroup {
                            path: path.clone(),
                            group,
                        });
                        units.1.push(size);
                    }
                }
                units
            }
        })
    }

    /// Calls `each(lang, text)` with every non-empty text of the unit, in order.
    pub fn for_each_text(&self, mut each: impl FnMut(&str, &str)) -> Result<()> {
        match self {
            Unit::Text { lang, path } => read_lines(path, |line| each(lang, line)),
            Unit::RowGroup { path, group } => {
                for batch in ShardReader::open_row_group(path, Columns::Texts, *group)? {
                    for text in batch?.texts()? {
                        each(text.lang, text.text);
                    }
                }
                Ok(())
            }
        }
    }
}

/// Checks what a folder's measure says: some text, and none of its languages without any.
pub fn check_measured(dir: &Path, bytes_per_language: &BTreeMap<String, u64>) -> Result<()> {
    if bytes_per_language.values().all(|&b| b == 0) {
        return Err(TokenizerError::EmptyTrainingSet {
            path: dir.to_path_buf(),
        });
    }
    if let Some((lang, _)) = bytes_per_language.iter().find(|(_, &b)| b == 0) {
        let path = match Source::find(dir)? {
            Source::Text(files) => files.get(lang).cloned().unwrap_or(dir.to_path_buf()),
            Source::Parquet(_) => dir.to_path_buf(),
        };
        return Err(TokenizerError::EmptyLanguage {
            path,
            lang: lang.clone(),
        });
    }
    Ok(())
}

impl TrainingCorpus {
    /// Finds the folder's files, checks they read, and measures each language.
    pub fn open(dir: &Path) -> Result<Self> {
        let mut corpus = TrainingCorpus {
            dir: dir.to_path_buf(),
            source: Source::find(dir)?,
            bytes_per_language: BTreeMap::new(),
        };
        corpus.bytes_per_language = corpus.measure()?;
        check_measured(dir, &corpus.bytes_per_language)?;
        Ok(corpus)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The languages, sorted by code.
    pub fn languages(&self) -> Vec<String> {
        self.bytes_per_language.keys().cloned().collect()
    }

    /// Bytes of non-empty text per language.
    pub fn bytes_per_language(&self) -> &BTreeMap<String, u64> {
        &self.bytes_per_language
    }

    /// Calls `each` with every non-empty text of `lang`, in file order.
    pub fn for_each_text(&self, lang: &str, mut each: impl FnMut(&str)) -> Result<()> {
        match &self.source {
            Source::Text(files) => match files.get(lang) {
                Some(path) => read_lines(path, |line| each(line)),
                None => Ok(()),
            },
            Source::Parquet(files) => {
                for path in files {
                    read_parquet(path, |row_lang, text| {
                        if row_lang == lang {
                            each(text);
                        }
                    })?;
                }
                Ok(())
            }
        }
    }

    fn measure(&self) -> Result<BTreeMap<String, u64>> {
        let mut bytes: BTreeMap<String, u64> = BTreeMap::new();
        match &self.source {
            Source::Text(files) => {
                for (lang, path) in files {
                    let mut total = 0u64;
                    read_lines(path, |line| total += line.len() as u64)?;
                    bytes.insert(lang.clone(), total);
                }
            }
            Source::Parquet(files) => {
                for path in files {
                    read_parquet(path, |lang, text| {
                        *bytes.entry(lang.to_string()).or_default() += text.len() as u64;
                    })?;
                }
            }
        }
        Ok(bytes)
    }
}

/// `<dir>/<lang>.txt` → `lang`.
pub fn language_of(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// Calls `each` with every non-empty line (without its line ending). Invalid UTF-8 is an error
/// naming the file and line.
pub fn read_lines(path: &Path, mut each: impl FnMut(&str)) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| TokenizerError::io(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut buffer = Vec::new();
    let mut number = 0;
    loop {
        buffer.clear();
        let n = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|e| TokenizerError::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        while matches!(buffer.last(), Some(b'\n' | b'\r')) {
            buffer.pop();
        }
        let line = std::str::from_utf8(&buffer).map_err(|e| TokenizerError::BadLine {
            path: path.to_path_buf(),
            line: number,
            message: format!("not valid UTF-8 ({e})"),
        })?;
        if !line.is_empty() {
            each(line);
        }
    }
}

/// Calls `each(lang, text)` for every non-empty text of a corpus-stage Parquet file, both
/// sides of a parallel file.
fn read_parquet(path: &Path, mut each: impl FnMut(&str, &str)) -> Result<()> {
    for batch in ShardReader::open(path, Columns::Texts)? {
        for text in batch?.texts()? {
            each(text.lang, text.text);
        }
    }
    Ok(())
}
