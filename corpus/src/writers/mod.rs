//! What the stage writes: Parquet shards (kept and rejected segments) and its statistics.

pub mod parquet;
pub mod stats;

pub use self::parquet::{Cell, ShardWriter, Table};
pub use stats::{LangStats, SourceStats, Stats};
