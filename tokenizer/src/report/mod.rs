//! Tokenizer comparison reports: how much each tokenizer inflates each language of a parallel
//! set relative to a reference language (Petrov et al. 2023's premium), with fertility,
//! continued words, Rényi efficiency, vocabulary use per script and unknown / byte-fallback
//! rates, written as Markdown, self-contained HTML with SVG charts, JSON and CSV.
//!
//! Flow ([`generate`]): read the parallel set ([`mekong_common::parallel`], NFC-normalised) → load every
//! tokenizer ([`loaders`]) → encode every language with every tokenizer in parallel
//! ([`counting`]) → compute the numbers ([`metrics`]) → render ([`render`]) into a staging
//! folder that replaces the output folder only when every file is written.

pub mod config;
pub mod counting;
pub mod error;
pub mod loaders;
pub mod metrics;
pub mod render;
pub mod scripts;
pub mod stage;
pub mod summaries;

pub use config::{
    Builtin, FloresSplit, ReportConfig, TokenizerSource, TokenizerSpec, DEFAULT_REFERENCE,
};
pub use error::{ReportError, Result};
pub use stage::{generate, Report, STAGE};
pub use summaries::ReportSummaries;
