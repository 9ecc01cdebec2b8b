//! Integration tests of the tokenizer comparison report, on small fixtures written here.

mod bad_input;
mod end_to_end;
mod fixtures;
mod fuzz_loaders;
mod loaders;
