//! Types shared by every Mekong stage: the [`Stage`] shape the pipeline runner knows them by,
//! the names of the artefacts they hand each other, the manifest each stage writes beside its
//! outputs, and atomic output (a stage writes into a staging folder that is renamed into place
//! only when complete, so an interrupted stage never leaves a half-written artefact).

pub mod artefacts;
pub mod atomic;
pub mod corpus_shards;
pub mod hash;
pub mod lock;
pub mod manifest;
pub mod names;
pub mod parallel;
pub mod report;
pub mod shard;
pub mod stage;
pub mod text;
pub mod tokenizer_file;

pub use atomic::{write_file_atomic, write_files_atomic, StagingDir};
pub use hash::{files_read, hash_file, visible_files, FileRecord};
pub use lock::WorkdirLock;
pub use manifest::{Manifest, MANIFEST_FILE};
pub use shard::{Sharded, Step, TaskId, TaskWork, Usage};
pub use stage::{PipelineContext, PipelineStage, Stage, StageError};

/// Errors of the shared helpers. Every variant names the path it concerns.
#[derive(Debug, thiserror::Error)]
pub enum CommonError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    BadLine {
        path: std::path::PathBuf,
        line: usize,
        message: String,
    },
    #[error("{dir}: {message}")]
    BadParallelSet {
        dir: std::path::PathBuf,
        message: String,
    },
    #[error("parallel files are not aligned: {first} has {first_lines} lines but {second} has {second_lines} lines; every file of a parallel set must have one line per segment")]
    Misaligned {
        first: std::path::PathBuf,
        first_lines: usize,
        second: std::path::PathBuf,
        second_lines: usize,
    },
    #[error("language '{code}': {why} ({dir} has: {available})")]
    UnknownLanguage {
        code: String,
        why: String,
        dir: std::path::PathBuf,
        available: String,
    },
    #[error("{path}: {message}")]
    BadShard {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{path}: cannot read Parquet: {source}")]
    Parquet {
        path: std::path::PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("{path}: cannot write Parquet: {source}")]
    ParquetWrite {
        path: std::path::PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("{path}: not valid JSON: {source}")]
    BadJson {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: not a valid manifest: {source}")]
    BadManifest {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid [{table}] section")]
    Section {
        table: String,
        #[source]
        source: toml::de::Error,
    },
    #[error(
        "{workdir} is in use by another mekong run (process {pid}): wait for it to end; a lock \
         whose process is gone is taken over"
    )]
    Locked {
        workdir: std::path::PathBuf,
        pid: u32,
    },
    #[error("chart '{title}': {message}")]
    Chart { title: String, message: String },
    /// A sharded run's tasks: a bad task index or count, a work folder of another run.
    #[error("{0}")]
    Tasks(String),
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

/// An error and every error beneath it, `outer: cause: root cause`: how `mekong` prints an
/// error and how reports quote one.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        // Some errors repeat their source in their own message; say it once.
        if !text.ends_with(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}
