//! Integration tests of tokenizer training, on small corpora written by the tests.

mod bad_input;
mod classic;
mod fixtures;
mod held_out;
mod naive;
mod parity;
mod parquet_input;
mod partial_dev;
mod roundtrip;
