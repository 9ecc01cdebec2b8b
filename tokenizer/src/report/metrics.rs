//! The report's numbers, from [`Counts`]: per tokenizer × language, and the summaries per
//! tokenizer. Definitions (also printed in the report):
//!
//! - premium: the language's tokens ÷ the reference language's tokens on the same segments
//!   (segments empty in either are left out), Petrov et al. 2023;
//! - fertility: tokens per word (Σ tokens overlapping each word ÷ words; words by Unicode word
//!   boundaries); proportion of continued words: words split into 2+ tokens (Rust et al. 2021);
//!   neither is reported for scripts written without spaces;
//! - Rényi efficiency: H_α(p) / log |V| with α = 2.5, p the unigram distribution of the tokens
//!   and |V| the vocabulary size (Zouhar et al. 2023);
//! - Gini: Σᵢ Σⱼ |cᵢ − cⱼ| / (2 n² μ) over the languages' token counts, each measured on the
//!   segments it shares with the reference and scaled by the reference's count there, i.e. over
//!   the premiums (identical to the Gini of raw counts when every language has every segment).

use super::counting::{Counts, PreparedLanguage};
use crate::statistics::{gini, gini_noise_floor_if_known, ratio_of_sums};
use serde::{Deserialize, Serialize};

/// Zouhar et al. 2023 found α = 2.5 correlates best with downstream BLEU.
pub const RENYI_ALPHA: f64 = 2.5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguageMetrics {
    /// Non-empty lines.
    pub lines: usize,
    /// Lines non-empty in this language and in the reference (the premium's segments).
    pub aligned_lines: usize,
    pub tokens: u64,
    pub premium: Option<f64>,
    /// How far the premium may move with another sample of as many segments (one standard
    /// error; `statistics::RatioOfSums`).
    pub premium_standard_error: Option<f64>,
    pub bytes_per_token: Option<f64>,
    pub chars_per_token: Option<f64>,
    pub tokens_per_char: Option<f64>,
    /// `None` for scripts without spaces.
    pub fertility: Option<f64>,
    /// `None` for scripts without spaces.
    pub continued_words: Option<f64>,
    pub renyi_efficiency: Option<f64>,
    /// Distinct ids used ÷ vocabulary size.
    pub vocabulary_utilisation: f64,
    pub unknown_rate: Option<f64>,
    pub byte_fallback_rate: Option<f64>,
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

/// The metrics of one language; `reference` is the reference language's counts with the same
/// tokenizer (`None` when the reference failed to encode).
pub fn language_metrics(
    counts: &Counts,
    language: &PreparedLanguage,
    reference: Option<(&Counts, &PreparedLanguage)>,
    vocabulary_size: usize,
) -> LanguageMetrics {
    let tokens = counts.tokens as f64;
    // (this language's, the reference's) tokens on each segment both have.
    let aligned: Vec<(u64, u64)> = match reference {
        Some((reference, reference_language)) => (0..counts.tokens_per_line.len())
            .filter(|&i| {
                !language.language.lines[i].is_empty()
                    && !reference_language.language.lines[i].is_empty()
            })
            .map(|i| {
                (
                    u64::from(counts.tokens_per_line[i]),
                    u64::from(reference.tokens_per_line[i]),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let on_aligned = ratio_of_sums(&aligned);
    // No reference, or no segment both have: no reference tokens, so no premium.
    let premium = ratio(on_aligned.numerator as f64, on_aligned.denominator as f64);
    let words = language.word_count as f64;
    let spaced = !language.spaceless;
    LanguageMetrics {
        lines: language
            .language
            .lines
            .iter()
            .filter(|l| !l.is_empty())
            .count(),
        aligned_lines: aligned.len(),
        tokens: counts.tokens,
        premium,
        premium_standard_error: on_aligned.standard_error,
        bytes_per_token: ratio(language.bytes as f64, tokens),
        chars_per_token: ratio(language.chars as f64, tokens),
        tokens_per_char: ratio(tokens, language.chars as f64),
        fertility: ratio(counts.word_tokens as f64, words).filter(|_| spaced),
        continued_words: ratio(counts.continued_words as f64, words).filter(|_| spaced),
        renyi_efficiency: renyi_efficiency(&counts.frequencies, vocabulary_size, RENYI_ALPHA),
        vocabulary_utilisation: counts.distinct_ids.len() as f64 / vocabulary_size.max(1) as f64,
        unknown_rate: ratio(counts.unknown as f64, tokens),
        byte_fallback_rate: ratio(counts.byte_pieces as f64, tokens),
    }
}

/// Rényi entropy of order `alpha` of the token distribution, divided by the log of the
/// vocabulary size (1 = every vocabulary entry equally used). `None` without tokens or with a
/// vocabulary of one.
pub fn renyi_efficiency(frequencies: &[u32], vocabulary_size: usize, alpha: f64) -> Option<f64> {
    let total: f64 = frequencies.iter().map(|&f| f64::from(f)).sum();
    if total == 0.0 || vocabulary_size < 2 {
        return None;
    }
    let sum: f64 = frequencies
        .iter()
        .map(|&f| (f64::from(f) / total).powf(alpha))
        .sum();
    let entropy = sum.ln() / (1.0 - alpha);
    Some(entropy / (vocabulary_size as f64).ln())
}

/// A language that has no result for a tokenizer, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Missing {
    pub language: String,
    pub reason: String,
}

/// One tokenizer over all languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenizerSummary {
    pub tokenizer: String,
    pub vocabulary_size: usize,
    /// Languages with a premium.
    pub languages: usize,
    pub missing: Vec<Missing>,
    pub mean_premium: Option<f64>,
    pub max_premium: Option<f64>,
    pub max_premium_language: Option<String>,
    pub gini: Option<f64>,
    /// The Gini equal premiums would show from sampling alone (`statistics::gini_noise_floor`);
    /// absent when a premium has no standard error, and in reports written before it existed.
    #[serde(default)]
    pub gini_noise_floor: Option<f64>,
    pub over_2x: Vec<String>,
    pub over_4x: Vec<String>,
    /// Distinct ids used over all languages ÷ vocabulary size.
    pub vocabulary_utilisation: f64,
}

/// Summarises `(language code, premium)` pairs of one tokenizer, with each premium's standard
/// error in `standard_errors` (same order).
pub fn summarise(
    tokenizer: &str,
    vocabulary_size: usize,
    premiums: &[(String, f64)],
    standard_errors: &[Option<f64>],
    missing: Vec<Missing>,
    distinct_ids_used: usize,
) -> TokenizerSummary {
    let values: Vec<f64> = premiums.iter().map(|(_, p)| *p).collect();
    let max = premiums
        .iter()
        .fold(None, |best: Option<&(String, f64)>, item| match best {
            Some(b) if b.1 >= item.1 => Some(b),
            _ => Some(item),
        });
    let over = |limit: f64| -> Vec<String> {
        premiums
            .iter()
            .filter(|(_, p)| *p > limit)
            .map(|(l, _)| l.clone())
            .collect()
    };
    TokenizerSummary {
        tokenizer: tokenizer.to_string(),
        vocabulary_size,
        languages: premiums.len(),
        missing,
        mean_premium: (!values.is_empty())
            .then(|| values.iter().sum::<f64>() / values.len() as f64),
        max_premium: max.map(|m| m.1),
        max_premium_language: max.map(|m| m.0.clone()),
        gini: gini(&values),
        gini_noise_floor: gini_noise_floor_if_known(standard_errors.iter().copied()),
        over_2x: over(2.0),
        over_4x: over(4.0),
        vocabulary_utilisation: distinct_ids_used as f64 / vocabulary_size.max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::gini_noise_floor;
    use mekong_common::parallel::Language;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn renyi_efficiency_by_hand() {
        // Two tokens equally often, vocabulary of 4: H_α = log 2 for every α → log 2 / log 4.
        assert!(close(renyi_efficiency(&[5, 5], 4, 2.5).unwrap(), 0.5));
        // p = (3/4, 1/4), α = 2.5: H = ln(0.75^2.5 + 0.25^2.5) / (1 − 2.5).
        let h = (0.75f64.powf(2.5) + 0.25f64.powf(2.5)).ln() / -1.5;
        assert!(close(
            renyi_efficiency(&[3, 1], 8, 2.5).unwrap(),
            h / 8f64.ln()
        ));
        assert_eq!(renyi_efficiency(&[], 8, 2.5), None);
    }

    fn prepared(lines: &[&str]) -> Language {
        Language {
            code: "xx".into(),
            name: None,
            aliases: vec![],
            path: "xx.txt".into(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn premium_uses_only_segments_both_have() {
        let ours = prepared(&["a b", "c", ""]);
        let theirs = prepared(&["x", "", "y"]);
        let (ours_p, theirs_p) = (PreparedLanguage::new(&ours), PreparedLanguage::new(&theirs));
        let counts = Counts {
            tokens_per_line: vec![6, 4, 0],
            tokens: 10,
            word_tokens: 6,
            continued_words: 1,
            unknown: 1,
            byte_pieces: 2,
            frequencies: vec![5, 5],
            distinct_ids: vec![1, 2],
        };
        let reference = Counts {
            tokens_per_line: vec![3, 0, 9],
            tokens: 12,
            ..Counts::default()
        };
        let m = language_metrics(&counts, &ours_p, Some((&reference, &theirs_p)), 10);
        assert_eq!(m.aligned_lines, 1);
        assert!(
            close(m.premium.unwrap(), 2.0),
            "6 / 3 on the one shared line"
        );
        assert_eq!(m.lines, 2);
        // "a b" + "c" = 4 bytes, 4 chars, 3 words.
        assert!(close(m.bytes_per_token.unwrap(), 0.4));
        assert!(close(m.tokens_per_char.unwrap(), 2.5));
        assert!(close(m.fertility.unwrap(), 2.0));
        assert!(close(m.continued_words.unwrap(), 1.0 / 3.0));
        assert!(close(m.vocabulary_utilisation, 0.2));
        assert!(close(m.unknown_rate.unwrap(), 0.1));
        assert!(close(m.byte_fallback_rate.unwrap(), 0.2));
        assert!(close(m.renyi_efficiency.unwrap(), 2f64.ln() / 10f64.ln()));
        let alone = language_metrics(&counts, &ours_p, None, 10);
        assert_eq!(alone.premium, None);
    }

    #[test]
    fn summary_of_known_premiums() {
        let premiums = vec![
            ("en".to_string(), 1.0),
            ("vi".to_string(), 1.5),
            ("km".to_string(), 4.5),
            ("my".to_string(), 3.0),
        ];
        let missing = vec![Missing {
            language: "lo".into(),
            reason: "line 3: boom".into(),
        }];
        let errors = [Some(0.0), Some(0.1), Some(0.2), Some(0.1)];
        let s = summarise("t", 100, &premiums, &errors, missing, 25);
        assert_eq!(s.max_premium, Some(4.5));
        assert_eq!(s.max_premium_language.as_deref(), Some("km"));
        assert!(close(s.mean_premium.unwrap(), 2.5));
        assert_eq!(s.over_2x, ["km", "my"]);
        assert_eq!(s.over_4x, ["km"]);
        // Σ|xi − xj| over sorted 1, 1.5, 3, 4.5 = 2·(0.5+2+3.5+1.5+3+1.5) = 24; 2·16·2.5 = 80.
        assert!(close(s.gini.unwrap(), 24.0 / 80.0));
        assert!(close(
            s.gini_noise_floor.unwrap(),
            gini_noise_floor(&[0.0, 0.1, 0.2, 0.1])
        ));
        assert_eq!(s.missing[0].language, "lo");
        assert!(close(s.vocabulary_utilisation, 0.25));
        // One premium without a standard error: no floor.
        let unknown = [Some(0.0), None, Some(0.2), Some(0.1)];
        let partial = summarise("t", 100, &premiums, &unknown, Vec::new(), 25);
        assert_eq!(partial.gini_noise_floor, None);
    }
}
