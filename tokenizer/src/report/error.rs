//! Errors of the comparison report. Every variant that concerns a file names it (and the line,
//! where one is at fault), so a user can fix the input without reading code.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}:{line}: {message}")]
    BadLine {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: not a usable tokenizer: {message}")]
    BadTokenizer { path: PathBuf, message: String },
    #[error("tokenizer '{spec}': {message}")]
    BadTokenizerSpec { spec: String, message: String },
    #[error("{path}: not a tokenizer report's report.json")]
    BadReportJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
}

impl ReportError {
    /// A failed read or write of `path` ([`mekong_common::CommonError::Io`], which every
    /// crate's I/O errors are).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        mekong_common::CommonError::io(path, source).into()
    }

    pub fn bad_tokenizer(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        ReportError::BadTokenizer {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;
