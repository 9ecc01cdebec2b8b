//! How fair a tokenizer is on a parallel dev set: tokens per language, each language's premium
//! (its tokens divided by the reference language's on the same text), and the Gini coefficient
//! of the token counts (0 = every language costs the same).

use crate::dev_set::DevSet;
use crate::error::{Result, TokenizerError};
use crate::statistics::{gini, gini_noise_floor_if_known, ratio_of_sums, Z_95};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokenizers::Tokenizer;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fairness {
    /// The language premiums are relative to.
    pub reference: String,
    /// Tokens per language on the rows it shares with the reference (every row of a fully
    /// aligned set).
    pub tokens: BTreeMap<String, u64>,
    /// Tokens per language ÷ the reference language's tokens on the same rows.
    pub premium: BTreeMap<String, f64>,
    /// One standard error of each premium over its rows (`statistics::RatioOfSums`):
    /// how far another sample of as many segments could move it. Absent in summaries written
    /// before it was measured.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub premium_standard_error: BTreeMap<String, f64>,
    pub max_premium: f64,
    pub max_premium_language: String,
    /// Gini coefficient of the premiums (on a fully aligned set, of the token counts: the same).
    pub gini: f64,
    /// The Gini sampling alone would give equal premiums with these standard errors
    /// (`statistics::gini_noise_floor`); absent when a language has no standard error, and in
    /// summaries written before it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gini_noise_floor: Option<f64>,
    pub total_tokens: u64,
    /// Rows each language was measured on, when not every language has every row.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rows: BTreeMap<String, u64>,
}

/// Encodes every dev line (without special tokens) and measures the premiums, each language
/// on the rows where both it and the reference have text.
pub fn measure(tokenizer: &Tokenizer, dev: &DevSet, reference: &str) -> Result<Fairness> {
    let encode = |lines: Vec<&str>| -> Result<Vec<u64>> {
        let encodings = tokenizer
            .encode_batch(lines, false)
            .map_err(TokenizerError::library)?;
        Ok(encodings.iter().map(|e| e.len() as u64).collect())
    };
    // Tokens of every line, each language encoded once (the reference's serve every language).
    let per_row = |lang: &str| encode(dev.lines[lang].iter().map(String::as_str).collect());
    let reference_per_row = per_row(reference)?;
    let mut measured = BTreeMap::new();
    for lang in dev.lines.keys() {
        let own = match lang == reference {
            true => None,
            false => Some(per_row(lang)?),
        };
        let ours = own.as_deref().unwrap_or(&reference_per_row);
        let rows = dev.covered_rows(lang, reference);
        let on_rows: Vec<(u64, u64)> = rows
            .iter()
            .map(|&row| (ours[row], reference_per_row[row]))
            .collect();
        let ratio = ratio_of_sums(&on_rows);
        measured.insert(
            lang.clone(),
            Measured {
                tokens: ratio.numerator,
                reference_tokens: ratio.denominator,
                rows: rows.len() as u64,
                standard_error: ratio.standard_error,
            },
        );
    }
    let mut fairness = from_measured(&measured, reference);
    if !dev.fully_aligned(reference) {
        fairness.rows = measured.iter().map(|(l, m)| (l.clone(), m.rows)).collect();
    }
    Ok(fairness)
}

/// A language whose premium differs between two sets by more than both sets' noise.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    pub language: String,
    pub from: f64,
    pub to: f64,
}

impl Fairness {
    /// The languages whose premium here and on `other` differ by more than 1.96 standard errors
    /// of the difference (√(se₁² + se₂²)): more than two samples of the same kind of text would
    /// differ 95 % of the time. For a dev set and a test set, the dev figure does not hold for
    /// these languages: parity fitted the dev set's own segments, or the test text is of another
    /// kind. Languages without a standard error on either side are left out.
    pub fn shifts_beyond_noise(&self, other: &Fairness) -> Vec<Shift> {
        self.premium
            .iter()
            .filter_map(|(lang, &from)| {
                let to = *other.premium.get(lang)?;
                let here = self.premium_standard_error.get(lang)?;
                let there = other.premium_standard_error.get(lang)?;
                let noise = Z_95 * (here * here + there * there).sqrt();
                ((to - from).abs() > noise).then(|| Shift {
                    language: lang.clone(),
                    from,
                    to,
                })
            })
            .collect()
    }
}

/// One language's tokens on its rows, and the reference's on the same rows.
#[derive(Debug, Clone, Copy)]
struct Measured {
    tokens: u64,
    reference_tokens: u64,
    rows: u64,
    standard_error: Option<f64>,
}

/// Premiums and Gini from what was measured per language.
fn from_measured(measured: &BTreeMap<String, Measured>, reference: &str) -> Fairness {
    let ratios: BTreeMap<String, f64> = measured
        .iter()
        .map(|(lang, m)| {
            (
                lang.clone(),
                m.tokens as f64 / m.reference_tokens.max(1) as f64,
            )
        })
        .collect();
    let premium: BTreeMap<String, f64> = ratios
        .iter()
        .map(|(lang, &ratio)| (lang.clone(), round4(ratio)))
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
    let ratios: Vec<f64> = ratios.into_values().collect();
    Fairness {
        reference: reference.to_string(),
        total_tokens: measured.values().map(|m| m.tokens).sum(),
        gini: round4(gini(&ratios).unwrap_or(0.0)),
        gini_noise_floor: gini_noise_floor_if_known(measured.values().map(|m| m.standard_error))
            .map(round4),
        tokens: measured
            .iter()
            .map(|(l, m)| (l.clone(), m.tokens))
            .collect(),
        premium,
        premium_standard_error: measured
            .iter()
            .filter_map(|(l, m)| Some((l.clone(), round4(m.standard_error?))))
            .collect(),
        max_premium,
        max_premium_language,
        rows: BTreeMap::new(),
    }
}

/// Four decimals: enough for a premium, and stable in JSON.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(tokens: u64, reference_tokens: u64) -> Measured {
        Measured {
            tokens,
            reference_tokens,
            rows: 1,
            standard_error: None,
        }
    }

    #[test]
    fn premium_is_relative_to_the_reference_on_the_same_rows() {
        let measured = BTreeMap::from([
            ("en".to_string(), measured(100, 100)),
            ("km".to_string(), measured(250, 100)),
            // Measured on fewer rows: 30 tokens where English spends 20.
            ("lo".to_string(), measured(30, 20)),
        ]);
        let fairness = from_measured(&measured, "en");
        assert_eq!(fairness.premium["km"], 2.5);
        assert_eq!(fairness.premium["lo"], 1.5);
        assert_eq!(fairness.max_premium_language, "km");
        assert_eq!(fairness.total_tokens, 380);
        // The Gini of the premiums, not of counts over different rows.
        assert_eq!(fairness.gini, round4(gini(&[1.0, 2.5, 1.5]).unwrap()));
    }

    fn with_errors(premiums: &[(&str, f64, f64)]) -> Fairness {
        let measured = premiums
            .iter()
            .map(|&(lang, premium, _)| {
                (lang.to_string(), measured((premium * 1000.0) as u64, 1000))
            })
            .collect();
        let mut fairness = from_measured(&measured, "en");
        fairness.premium_standard_error = premiums
            .iter()
            .map(|&(lang, _, se)| (lang.to_string(), se))
            .collect();
        fairness
    }

    #[test]
    fn a_premium_shifts_beyond_noise_only_past_both_sets_errors() {
        let dev = with_errors(&[
            ("en", 1.0, 0.0),
            ("my", 1.0, 0.03),
            ("th", 1.0, 0.03),
            ("vi", 1.0, 0.03),
        ]);
        // The noise is 1.96·√(0.03² + 0.04²) = 0.098: Burmese (0.3) and Vietnamese (0.11) move
        // past it, Thai (0.09) does not.
        let test = with_errors(&[
            ("en", 1.0, 0.0),
            ("my", 1.3, 0.04),
            ("th", 1.09, 0.04),
            ("vi", 0.89, 0.04),
        ]);
        let shift = |language: &str, to| Shift {
            language: language.into(),
            from: 1.0,
            to,
        };
        assert_eq!(
            dev.shifts_beyond_noise(&test),
            vec![shift("my", 1.3), shift("vi", 0.89)]
        );
        // A language without an error on one side is not judged.
        let mut unknown = test.clone();
        unknown.premium_standard_error.remove("my");
        assert_eq!(dev.shifts_beyond_noise(&unknown), vec![shift("vi", 0.89)]);
    }
}
