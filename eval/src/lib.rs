//! Mekong's eval stage: how well a model predicts text, per language, in numbers comparable
//! across tokenizers (bits per byte), with samples of what it writes and a check of how much of
//! the evaluation text it saw in training.
//!
//! The stage talks to models through the small [`ScoringModel`] trait; [`burn_model`] adapts the
//! pretrain stage's transformer to it.

pub mod burn_model;
pub mod config;
pub mod contamination;
pub mod index;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod results;
pub mod sampling;
pub mod scoring;
pub mod stage;
pub mod texts;

pub use config::{EvalConfig, ModelSpec, TextSpec};
pub use model::{ScoringModel, UniformModel};
pub use pipeline::PIPELINE_STAGE;
pub use results::EvalResults;
pub use sampling::{generate, Recompute, SamplingConfig};
pub use scoring::{score_tokens, TextScore, Window, WindowPlan};
pub use stage::{run, EvalOutcome};

use std::path::PathBuf;

/// Everything that can go wrong in the eval stage; each variant names what it concerns.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Bad content in an input file, with the line when there is one.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    BadInput {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A setting that cannot work (window longer than the model's context, ...).
    #[error("{0}")]
    Invalid(String),
    /// The model cannot be loaded or does not fit its tokenizer.
    #[error("model {model}: {source}")]
    Model {
        model: String,
        #[source]
        source: Box<mekong_pretrain::PretrainError>,
    },
    #[error("model {model}: checkpoint folder {path} not found")]
    NoCheckpoint { model: String, path: PathBuf },
    /// The device or the model's forward pass failed.
    #[error(transparent)]
    Pretrain(Box<mekong_pretrain::PretrainError>),
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
}

// Boxed: a pretrain error is large, and every result of the stage would carry its size.
impl From<mekong_pretrain::PretrainError> for EvalError {
    fn from(error: mekong_pretrain::PretrainError) -> Self {
        EvalError::Pretrain(Box::new(error))
    }
}

impl EvalError {
    /// A failed read or write of `path` ([`mekong_common::CommonError::Io`], which every
    /// crate's I/O errors are).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        mekong_common::CommonError::io(path, source).into()
    }

    pub fn bad_input(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        EvalError::BadInput {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

pub type Result<T, E = EvalError> = std::result::Result<T, E>;
