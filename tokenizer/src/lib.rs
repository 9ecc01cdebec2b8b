//! Mekong's tokenizer stage (work in progress).
