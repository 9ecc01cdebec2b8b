//! Training text: a corpus-stage output folder (Parquet) or a folder of `<lang>.txt` files,
//! read one language at a time so memory holds word counts, never the corpus.
//!
//! Parquet files use one of the corpus stage's two schemas: monolingual (`lang`, `text`) or
//! parallel (`src_lang`, `src_text`, `tgt_lang`, `tgt_text`, both sides used). Text files hold
//! one segment a line; the file stem is the language code. Empty segments are skipped.

use crate::error::{Result, TokenizerError};
use arrow_array::{Array, ArrayRef, LargeStringArray, RecordBatch, StringArray, StringViewArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The (language column, text column) pairs of the corpus stage's two Parquet schemas.
const MONOLINGUAL_COLUMNS: [(&str, &str); 1] = [("lang", "text")];
const PARALLEL_COLUMNS: [(&str, &str); 2] = [("src_lang", "src_text"), ("tgt_lang", "tgt_text")];

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

impl TrainingCorpus {
    /// Finds the folder's files, checks they read, and measures each language.
    pub fn open(dir: &Path) -> Result<Self> {
        let mut parquet = Vec::new();
        let mut text = BTreeMap::new();
        for path in list_dir(dir)? {
            match path.extension().and_then(|e| e.to_str()) {
                Some("parquet") => parquet.push(path),
                Some("txt") => {
                    let lang = language_of(&path);
                    text.insert(lang, path);
                }
                _ => {}
            }
        }
        let source = if !parquet.is_empty() {
            Source::Parquet(parquet)
        } else if !text.is_empty() {
            Source::Text(text)
        } else {
            return Err(TokenizerError::EmptyTrainingSet {
                path: dir.to_path_buf(),
            });
        };
        let mut corpus = TrainingCorpus {
            dir: dir.to_path_buf(),
            source,
            bytes_per_language: BTreeMap::new(),
        };
        corpus.bytes_per_language = corpus.measure()?;
        if corpus.bytes_per_language.values().all(|&b| b == 0) {
            return Err(TokenizerError::EmptyTrainingSet {
                path: dir.to_path_buf(),
            });
        }
        if let Some((lang, _)) = corpus.bytes_per_language.iter().find(|(_, &b)| b == 0) {
            return Err(TokenizerError::EmptyLanguage {
                path: corpus.path_of(lang),
                lang: lang.clone(),
            });
        }
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

    /// The file to name in an error about `lang`.
    fn path_of(&self, lang: &str) -> PathBuf {
        match &self.source {
            Source::Text(files) => files.get(lang).cloned().unwrap_or(self.dir.clone()),
            Source::Parquet(_) => self.dir.clone(),
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

/// The folder's visible files, sorted by name (hidden staging files are skipped).
pub fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| TokenizerError::io(dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| TokenizerError::io(dir, e))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.path().is_file() {
            paths.push(entry.path());
        }
    }
    paths.sort();
    Ok(paths)
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
    let parquet_error = |message: String| TokenizerError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| TokenizerError::io(path, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(e.to_string()))?;
    let has = |name: &str| builder.schema().field_with_name(name).is_ok();
    let columns: &[(&str, &str)] = if has("src_lang") && has("tgt_lang") {
        &PARALLEL_COLUMNS
    } else if has("lang") && has("text") {
        &MONOLINGUAL_COLUMNS
    } else {
        return Err(parquet_error(
            "expected columns lang, text (monolingual) or src_lang, src_text, tgt_lang, tgt_text (parallel)"
                .into(),
        ));
    };
    let names = columns.iter().flat_map(|(lang, text)| [*lang, *text]);
    let mask = ProjectionMask::columns(builder.parquet_schema(), names);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| parquet_error(e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(e.to_string()))?;
        for (lang_column, text_column) in columns {
            let langs = string_column(&batch, lang_column).map_err(parquet_error)?;
            let texts = string_column(&batch, text_column).map_err(parquet_error)?;
            for (lang, text) in langs.into_iter().zip(texts) {
                if let (Some(lang), Some(text)) = (lang, text) {
                    if !text.is_empty() {
                        each(lang, text);
                    }
                }
            }
        }
    }
    Ok(())
}

/// A string column's values, whichever of Arrow's three string layouts it uses.
fn string_column<'a>(
    batch: &'a RecordBatch,
    name: &str,
) -> std::result::Result<Vec<Option<&'a str>>, String> {
    let column: &ArrayRef = batch
        .column_by_name(name)
        .ok_or_else(|| format!("missing column {name}"))?;
    let any = column.as_any();
    if let Some(array) = any.downcast_ref::<StringArray>() {
        Ok(array.iter().collect())
    } else if let Some(array) = any.downcast_ref::<LargeStringArray>() {
        Ok(array.iter().collect())
    } else if let Some(array) = any.downcast_ref::<StringViewArray>() {
        Ok(array.iter().collect())
    } else {
        Err(format!(
            "column {name} is {}, expected a string",
            column.data_type()
        ))
    }
}
