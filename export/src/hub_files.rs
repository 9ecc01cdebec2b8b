//! The small JSON files beside the weights that transformers reads to set up the tokenizer and
//! generation: `tokenizer_config.json`, `special_tokens_map.json`, `generation_config.json`.
//!
//! Mekong's models read `[separator] text [separator] text …`: the document separator
//! (`<|endoftext|>`) starts every text and ends every document, so it is the beginning-, end-
//! and padding token at once, as GPT-2's `<|endoftext|>` is.

use mekong_eval::SamplingConfig;
use serde_json::{json, Map, Value};
use tokenizers::Tokenizer;

pub const TOKENIZER_CONFIG_FILE: &str = "tokenizer_config.json";
pub const SPECIAL_TOKENS_FILE: &str = "special_tokens_map.json";
pub const GENERATION_CONFIG_FILE: &str = "generation_config.json";

/// The separator token, by id and text.
#[derive(Debug, Clone)]
pub struct Separator {
    pub id: u32,
    pub token: String,
}

/// `tokenizer_config.json`: the fast tokenizer over tokenizer.json, adding no tokens of its own
/// (`tok(text)` gives exactly Mekong's ids) and decoding without clean-up (so `decode` is
/// Mekong's decode).
pub fn tokenizer_config(tokenizer: &Tokenizer, separator: &Separator, max_len: usize) -> Value {
    let mut added = Map::new();
    let mut decoder: Vec<_> = tokenizer.get_added_tokens_decoder().into_iter().collect();
    decoder.sort_by_key(|(id, _)| *id);
    for (id, token) in decoder {
        added.insert(
            id.to_string(),
            json!({
                "content": token.content,
                "lstrip": token.lstrip,
                "normalized": token.normalized,
                "rstrip": token.rstrip,
                "single_word": token.single_word,
                "special": token.special,
            }),
        );
    }
    json!({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "added_tokens_decoder": added,
        "bos_token": separator.token,
        "eos_token": separator.token,
        "pad_token": separator.token,
        "add_bos_token": false,
        "add_eos_token": false,
        "clean_up_tokenization_spaces": false,
        "model_max_length": max_len,
    })
}

pub fn special_tokens_map(separator: &Separator) -> Value {
    json!({
        "bos_token": separator.token,
        "eos_token": separator.token,
        "pad_token": separator.token,
    })
}

/// `generation_config.json`: stop at the separator, and sample as `mekong eval` does.
pub fn generation_config(separator: &Separator) -> Value {
    let sampling = SamplingConfig::default();
    json!({
        "bos_token_id": separator.id,
        "eos_token_id": separator.id,
        "pad_token_id": separator.id,
        "do_sample": true,
        "temperature": shortest(sampling.temperature),
        "top_k": sampling.top_k,
        "top_p": shortest(sampling.top_p),
        "max_new_tokens": sampling.max_new_tokens,
    })
}

/// An f32 setting as the shortest decimal that reads back as it (0.8, not 0.800000011920929).
fn shortest(value: f32) -> f64 {
    value.to_string().parse().expect("a float's display parses")
}
