//! The one error type of the tokenizer crate. Every variant that concerns a file names it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    #[error("{path}:{line}: {message}")]
    BadLine {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: no training text (expected <lang>.txt files or corpus-stage Parquet files)")]
    EmptyTrainingSet { path: PathBuf },
    #[error("{path}: no text for language '{lang}'")]
    EmptyLanguage { path: PathBuf, lang: String },
    #[error("language(s) {langs} in --train ({train}) but not in --dev ({dev})")]
    MissingInDev {
        langs: String,
        train: PathBuf,
        dev: PathBuf,
    },
    #[error("language(s) {langs} in --dev ({dev}) but not in --train ({train})")]
    MissingInTrain {
        langs: String,
        train: PathBuf,
        dev: PathBuf,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("tokenizers: {0}")]
    Library(#[source] tokenizers::Error),
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
}

impl TokenizerError {
    /// A failed read or write of `path` ([`mekong_common::CommonError::Io`], which every
    /// crate's I/O errors are).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        mekong_common::CommonError::io(path, source).into()
    }

    /// Wraps an error of the `tokenizers` crate (a boxed dyn Error there).
    pub fn library(error: tokenizers::Error) -> Self {
        TokenizerError::Library(error)
    }
}

pub type Result<T, E = TokenizerError> = std::result::Result<T, E>;
