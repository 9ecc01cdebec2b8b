//! Mekong's export stage: a trained checkpoint and its tokenizer become a Hugging Face model
//! folder that `transformers` loads with no extra code (`AutoModelForCausalLM`,
//! `AutoTokenizer`), with a model card that says what the model was trained on and how well it
//! does per language.
//!
//! # Modules
//! `stage` (what is read, the folder written atomically, the manifest), `pipeline` (its
//! `[export]` table), `hub_files` (the
//! tokenizer and generation configs transformers reads), `card` (README.md in the Hub's format,
//! from the corpus, tokenizer, pretrain and eval artefacts). The weights and `config.json` are
//! `mekong_pretrain::hf`'s, which `--init-from` reads back.

pub mod card;
pub mod hub_files;
pub mod pipeline;
pub mod stage;

pub use pipeline::PIPELINE_STAGE;
pub use stage::{run, ExportConfig, ExportOutcome, STAGE};

use std::path::PathBuf;

/// Errors of the export stage; every variant names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
    #[error(transparent)]
    Pretrain(#[from] mekong_pretrain::PretrainError),
    #[error(transparent)]
    Eval(#[from] mekong_eval::EvalError),
    #[error("{path}: {message}")]
    BadInput { path: PathBuf, message: String },
    #[error(
        "{path} exists and is not empty: export into a new folder, or pass --force to replace it"
    )]
    OutputNotEmpty { path: PathBuf },
}

impl ExportError {
    /// A failed read or write of `path` ([`mekong_common::CommonError::Io`], which every
    /// crate's I/O errors are).
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        mekong_common::CommonError::io(path, source).into()
    }

    pub(crate) fn bad_input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        ExportError::BadInput {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = ExportError> = std::result::Result<T, E>;
