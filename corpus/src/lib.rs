//! Mekong's corpus stage: turn raw parallel and monolingual text into clean, deduplicated
//! Parquet with an account of every segment dropped.
//!
//! Data flows `readers` → `normalize` → `filters` → `dedup` → Parquet shards (written by
//! `mekong_common::corpus_shards`) and `stats`; [`run`] drives it.
//! See docs/corpus.md for the formats, options and their defaults.

mod chars;
pub mod config;
pub mod dedup;
mod drop_reason;
pub mod error;
pub mod filters;
pub mod lang;
pub mod langid;
pub mod normalize;
pub mod pipeline;
pub mod readers;
mod stage;
pub mod stats;

pub use config::{
    CorpusConfig, DedupConfig, FilterConfig, InputConfig, MonoUnit, NormalizeConfig, OutputConfig,
    ShingleUnit, Source, SourceKind, ToneStyle,
};
pub use drop_reason::DropReason;
pub use error::{CorpusError, Result};
pub use pipeline::PIPELINE_STAGE;
pub use stage::{parameters, run, Summary, STAGE};
pub use stats::Stats;
