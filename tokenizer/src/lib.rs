//! Mekong's tokenizer stage: parity-aware BPE (from bytes, or from characters with byte fallback)
//! with a pre-tokenizer fair to every script, written as a Hugging Face tokenizer.json.

pub mod corpus_input;
pub mod dev_set;
pub mod devset_builder;
pub mod error;
pub mod fairness;
pub mod pipeline;
pub mod pretokenize;
pub mod report;
pub mod statistics;
pub mod train;

pub use error::{Result, TokenizerError};
pub use pipeline::{PIPELINE_STAGE, REPORT_PIPELINE_STAGE};
