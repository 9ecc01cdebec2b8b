//! Types shared by every Mekong stage: the manifest each stage writes beside its outputs, and
//! atomic output (a stage writes into a staging folder that is renamed into place only when
//! complete, so an interrupted stage never leaves a half-written artefact).

pub mod atomic;
pub mod hash;
pub mod manifest;
pub mod report;

pub use atomic::{write_file_atomic, StagingDir};
pub use hash::{files_read, hash_file, FileRecord};
pub use manifest::{Manifest, MANIFEST_FILE};

/// Errors of the shared helpers. Every variant names the path it concerns.
#[derive(Debug, thiserror::Error)]
pub enum CommonError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a valid manifest: {source}")]
    BadManifest {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("chart '{title}': {message}")]
    Chart { title: String, message: String },
}

impl CommonError {
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        CommonError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = CommonError> = std::result::Result<T, E>;
