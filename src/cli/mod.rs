//! One module per stage: its clap arguments, and how its pipeline-file section is planned.

pub mod corpus;
pub mod eval;
pub mod export;
pub mod pretrain;
pub mod tokenizer;
