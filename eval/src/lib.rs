//! Mekong's eval stage: how well a model predicts text, per language, in numbers comparable
//! across tokenizers (bits per byte), with samples of what it writes and a check of how much of
//! the evaluation text it saw in training.
//!
//! The stage talks to models through the small [`ScoringModel`] trait; [`burn_model`] adapts the
//! pretrain stage's transformer to it.

pub mod burn_model;
pub mod contamination;
pub mod index;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod sampling;
pub mod scoring;
pub mod stage;
pub mod texts;

pub use model::{ScoringModel, UniformModel};
pub use pipeline::PIPELINE_STAGE;
pub use sampling::{generate, Recompute, SamplingConfig};
pub use scoring::{score_tokens, TextScore, Window, WindowPlan};
pub use stage::{run, EvalConfig, EvalOutcome, EvalResults, ModelSpec, TextSpec};

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
    /// The model failed or does not fit its tokenizer.
    #[error("model {model}: {message}")]
    Model { model: String, message: String },
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
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
