//! One module per stage: its clap arguments, turned into a call of the stage's library.

pub mod corpus;
pub mod eval;
pub mod export;
pub mod pretrain;
pub mod task;
pub mod tokenizer;
