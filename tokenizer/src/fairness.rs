//! How fair a tokenizer is on a parallel dev set: tokens per language, each language's premium
//! (its tokens divided by the reference language's on the same text), and the Gini coefficient
//! of the token counts (0 = every language costs the same).

use crate::dev_set::DevSet;
use crate::error::{Result, TokenizerError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokenizers::Tokenizer;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fairness {
    /// The language premiums are relative to.
    pub reference: String,
    /// Tokens per language over the whole dev set.
    pub tokens: BTreeMap<String, u64>,
    /// Tokens per language ÷ the reference language's tokens.
    pub premium: BTreeMap<String, f64>,
    pub max_premium: f64,
    pub max_premium_language: String,
    /// Gini coefficient of the per-language token counts.
    pub gini: f64,
    pub total_tokens: u64,
}

/// Encodes every dev line (without special tokens) and measures the premiums.
pub fn measure(tokenizer: &Tokenizer, dev: &DevSet, reference: &str) -> Result<Fairness> {
    let mut tokens = BTreeMap::new();
    for (lang, lines) in &dev.lines {
        let inputs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let encodings = tokenizer
            .encode_batch(inputs, false)
            .map_err(TokenizerError::library)?;
        let count: usize = encodings.iter().map(|e| e.len()).sum();
        tokens.insert(lang.clone(), count as u64);
    }
    Ok(from_counts(tokens, reference))
}

/// Premiums and Gini from per-language token counts.
pub fn from_counts(tokens: BTreeMap<String, u64>, reference: &str) -> Fairness {
    let reference_tokens = tokens.get(reference).copied().unwrap_or(0).max(1) as f64;
    let premium: BTreeMap<String, f64> = tokens
        .iter()
        .map(|(lang, &n)| (lang.clone(), round4(n as f64 / reference_tokens)))
        .collect();
    let (max_premium_language, max_premium) =
        premium
            .iter()
            .fold((String::new(), f64::MIN), |best, (lang, &p)| {
                if p > best.1 {
                    (lang.clone(), p)
                } else {
                    best
                }
            });
    let counts: Vec<f64> = tokens.values().map(|&n| n as f64).collect();
    Fairness {
        reference: reference.to_string(),
        total_tokens: tokens.values().sum(),
        gini: round4(gini(&counts)),
        tokens,
        premium,
        max_premium,
        max_premium_language,
    }
}

/// Gini coefficient: mean absolute difference over all pairs, divided by twice the mean.
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.is_empty() || mean == 0.0 {
        return 0.0;
    }
    let mut differences = 0.0;
    for a in values {
        for b in values {
            differences += (a - b).abs();
        }
    }
    differences / (2.0 * n * n * mean)
}

/// Four decimals: enough for a premium, and stable in JSON.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_equal_values_is_zero_and_grows_with_inequality() {
        assert_eq!(gini(&[5.0, 5.0, 5.0]), 0.0);
        // One of two holds everything: (|0-2| + |2-0|) / (2 * 4 * 1) = 0.5.
        assert_eq!(gini(&[0.0, 2.0]), 0.5);
        assert!(gini(&[1.0, 2.0, 3.0]) > gini(&[2.0, 2.0, 2.5]));
    }

    #[test]
    fn premium_is_relative_to_reference() {
        let tokens = BTreeMap::from([("en".to_string(), 100), ("km".to_string(), 250)]);
        let fairness = from_counts(tokens, "en");
        assert_eq!(fairness.premium["km"], 2.5);
        assert_eq!(fairness.max_premium_language, "km");
        assert_eq!(fairness.total_tokens, 350);
    }
}
