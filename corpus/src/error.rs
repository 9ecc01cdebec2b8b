//! The corpus stage's one error type. Every variant that concerns input names the file and,
//! where there is one, the line, so the user can find and fix the offending text.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}:{line}: {message}")]
    BadLine {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: {message}")]
    BadFile { path: PathBuf, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
}

impl CorpusError {
    /// A failed read or write of `path` ([`mekong_common::CommonError::Io`], which every
    /// crate's I/O errors are).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        mekong_common::CommonError::io(path, source).into()
    }

    pub fn bad_line(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        CorpusError::BadLine {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    pub fn bad_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        CorpusError::BadFile {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = CorpusError> = std::result::Result<T, E>;
