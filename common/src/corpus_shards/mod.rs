//! The corpus stage's Parquet shards: written by `mekong-corpus` and read back by the tokenizer
//! (training text), pretrain (documents to tokenize) and eval (the contamination check). The one
//! writer and the one reader of that artefact live here, so the schema is stated once; test
//! fixtures write through the same writer.
//!
//! The tables:
//! - parallel: `id, source, src_lang, src_text, tgt_lang, tgt_text`, each side a text;
//! - monolingual: `id, source, lang, text`;
//! - rejected: `id, source, line, reason, detail, src_lang, src_text, tgt_lang, tgt_text`
//!   (`tgt_*` null for monolingual segments), kept in the corpus folder's `rejected/`.

mod read;
mod write;

pub use read::{
    row_count, row_group_sizes, shard_files, Columns, Schema, ShardReader, ShardText, TextBatch,
};
pub use write::{Cell, ShardWriter, Table};
