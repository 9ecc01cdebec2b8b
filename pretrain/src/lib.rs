//! Mekong's pretrain stage: corpus Parquet → token shards → a decoder-only transformer trained
//! with burn (CPU through `Flex`, pure Rust on `gemm`, NVIDIA GPUs through burn's CUDA backend with `--features cuda`).
//!
//! # Public API (stable: the eval stage builds on it)
//!
//! - [`ModelConfig`]: the model's shape (serde; named presets via [`ModelConfig::preset`],
//!   `tiny` … `base` ≈ 110M parameters), [`ModelConfig::num_params`].
//! - [`Model<B>`]: `forward(tokens: Tensor<B, 2, Int> /* [batch, seq] */) -> Tensor<B, 3>`
//!   (logits `[batch, seq, vocab]`, position `i` sees tokens `0..=i`), and
//!   `forward_cached(tokens, &mut KvCache<B>) -> Result<Tensor<B, 3>>` for generation: it reads
//!   only the new tokens and returns their logits, equal to `forward` over the whole sequence.
//!   [`KvCache::new(&model)`](KvCache::new) starts an empty cache. [`Model::max_seq_len`] is the
//!   longest sequence either reads.
//! - [`load_checkpoint(dir, device)`](load_checkpoint) → `(Model<B>, ModelConfig, CheckpointMeta)`.
//!   `dir` is a checkpoint folder (`checkpoints/step-00000100`) or a training output folder (its
//!   latest checkpoint is taken). [`CheckpointMeta`] records the step, the tokenizer's vocabulary
//!   size and SHA-256 ([`TokenizerInfo`]), the training parameters and the data position.
//!   [`check_tokenizer_matches`] compares a `tokenizer.json` with a checkpoint.
//! - Backends: [`CpuBackend`] (and `CudaBackend` with the `cuda` feature); [`resolve_device`]
//!   picks one at run time ([`DeviceKind`]).
//!
//! # Modules
//! `model` (the transformer), `tokenize` (Parquet → shards), `data` (memory-mapped shards,
//! language-weighted sampling, validation windows), `training` (the loop: AdamW, schedule,
//! clipping, accumulation, validation, logs), `checkpoint` (atomic save, verified load),
//! `device` (CPU or CUDA, precision), `stage` (tokenize + train as one stage), `pipeline` (its `[pretrain]` table), `summary`
//! (what tokenize and train print), `hf`
//! (Hugging Face Llama `config.json` + `model.safetensors`: export, and `--init-from`), `kernels`
//! (fused CPU attention and the loss's vectorised arithmetic).

pub mod checkpoint;
pub mod data;
pub mod device;
pub mod hf;
mod kernels;
pub mod model;
pub mod pipeline;
mod sharded;
pub mod stage;
mod summary;
pub mod tokenize;
pub mod training;

pub use checkpoint::{
    check_tokenizer_matches, latest_checkpoint, load_checkpoint, read_checkpoint_meta,
    CheckpointMeta, TokenizerInfo,
};
pub use device::{resolve_device, DeviceKind, Precision};
pub use model::{KvCache, Model, ModelConfig};
pub use pipeline::PIPELINE_STAGE;
pub use tokenize::{tokenize, TokenizeConfig, TokenizeSummary};
pub use training::{train, Resume, TrainConfig, TrainOptions, TrainSummary};

use std::path::PathBuf;

/// The CPU backend (pure Rust, no system libraries).
pub type CpuBackend = burn::backend::Flex<f32>;

/// The CUDA backend; cudarc loads the driver and NVRTC at run time, so building needs no toolkit.
#[cfg(feature = "cuda")]
pub type CudaBackend = burn::backend::Cuda<f32, i32>;

/// Errors of the pretrain stage; every variant names the file or setting it concerns.
#[derive(Debug, thiserror::Error)]
pub enum PretrainError {
    #[error(transparent)]
    Common(#[from] mekong_common::CommonError),
    /// An invalid setting (model shape, training parameter, device).
    #[error("{message}")]
    Config { message: String },
    /// Bad content in an input file, with the row or line when known.
    #[error("{path}: {message}")]
    BadInput { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Tokenizer { path: PathBuf, message: String },
    /// A checkpoint that is missing, truncated or does not fit what it is used with.
    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },
    #[error(
        "tokenizer {tokenizer} has {tokenizer_vocab} tokens but checkpoint {checkpoint} was trained \
         with {checkpoint_vocab}: use the tokenizer the model was trained with"
    )]
    VocabMismatch {
        tokenizer: PathBuf,
        tokenizer_vocab: usize,
        checkpoint: PathBuf,
        checkpoint_vocab: usize,
    },
    #[error("sequence of {len} tokens is longer than the model's max_seq_len {max}")]
    SequenceTooLong { len: usize, max: usize },
}

impl PretrainError {
    /// A failed read or write of `path` ([`mekong_common::CommonError::Io`], which every
    /// crate's I/O errors are).
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        mekong_common::CommonError::io(path, source).into()
    }
}

pub type Result<T, E = PretrainError> = std::result::Result<T, E>;
