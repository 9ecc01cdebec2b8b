//! training.json: what was trained, how fair it came out on the dev set, which language each
//! merge served, and how long each phase took. Everything but `timings_s` is deterministic.

use crate::fairness::{Fairness, Shift};
use crate::statistics::Z_95;
use crate::train::config::{Algorithm, TrainOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub tool_version: String,
    /// classic, parity-base, parity-window or parity-ratio.
    pub method: String,
    pub options: TrainOptions,
    pub languages: Vec<String>,
    /// Bytes of training text used per language (after `max_bytes_per_lang` sampling).
    pub train_bytes: BTreeMap<String, u64>,
    /// Final vocabulary, special tokens included.
    pub vocab_size: usize,
    pub merges: usize,
    /// Tokens, premiums and Gini on the dev set after training (absent without a dev set).
    /// Parity chooses its merges on this set, so these figures are not held out.
    pub dev: Option<Fairness>,
    /// The same on the test set (`--test`): text the trainer never saw, on the training
    /// languages it has. Absent without a test set (and in files written before it existed).
    #[serde(default)]
    pub test: Option<Fairness>,
    /// For each premium cap: the premium reached and whether it is within the cap.
    pub premium_caps: BTreeMap<String, CapOutcome>,
    /// How many times the merges were learned to bring the caps within bounds (1 without caps).
    pub cap_passes: usize,
    /// Parity on a dev set: the language each merge served.
    pub steps: Option<Steps>,
    pub timings_s: Timings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CapOutcome {
    pub cap: f64,
    /// The cap the final pass steered by (tightened after a miss).
    pub effective_cap: f64,
    pub premium: Option<f64>,
    pub met: Option<bool>,
}

/// How the premium caps were reached: passes made and the effective cap of each language.
#[derive(Debug, Clone)]
pub struct CapPasses {
    pub passes: usize,
    pub effective_caps: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Steps {
    pub merges_per_language: BTreeMap<String, usize>,
    /// Run-length encoded, in merge order: "km:3" = the next 3 merges served km; "global:N" =
    /// N classic merges (counts summed over languages).
    pub runs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timings {
    /// Reading the corpus and counting words.
    pub count_words: f64,
    /// Learning the merges, building the tokenizer and measuring the dev set (every pass).
    pub merge: f64,
    /// Writing the kept tokenizer out as JSON.
    pub evaluate: f64,
    pub total: f64,
}

impl TrainingSummary {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        options: &TrainOptions,
        languages: &[String],
        train_bytes: BTreeMap<String, u64>,
        vocab_size: usize,
        merges: usize,
        [dev, test]: [Option<Fairness>; 2],
        cap_passes: CapPasses,
        choices: Option<&[Option<usize>]>,
        [count_words, merge, evaluate, total]: [f64; 4],
    ) -> Self {
        let method = match (
            options.algorithm,
            options.window,
            options.target_ratio.is_empty(),
        ) {
            (Algorithm::Classic, _, _) => "classic",
            (Algorithm::Parity, _, false) => "parity-ratio",
            (Algorithm::Parity, Some(_), true) => "parity-window",
            (Algorithm::Parity, None, true) => "parity-base",
        };
        let premium_caps = options
            .premium_cap
            .iter()
            .map(|(lang, &cap)| {
                let premium = dev.as_ref().and_then(|d| d.premium.get(lang).copied());
                let outcome = CapOutcome {
                    cap,
                    effective_cap: cap_passes.effective_caps[lang],
                    premium,
                    met: premium.map(|p| p <= cap),
                };
                (lang.clone(), outcome)
            })
            .collect();
        let steps = choices.map(|choices| {
            let mut merges_per_language: BTreeMap<String, usize> = BTreeMap::new();
            for choice in choices {
                let name = choice.map_or("global", |l| languages[l].as_str());
                *merges_per_language.entry(name.to_string()).or_default() += 1;
            }
            Steps {
                merges_per_language,
                runs: runs(choices, languages),
            }
        });
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        TrainingSummary {
            tool_version: mekong_common::manifest::tool_version(),
            method: method.to_string(),
            options: options.clone(),
            languages: languages.to_vec(),
            train_bytes,
            vocab_size,
            merges,
            dev,
            test,
            premium_caps,
            cap_passes: cap_passes.passes,
            steps,
            timings_s: Timings {
                count_words: round(count_words),
                merge: round(merge),
                evaluate: round(evaluate),
                total: round(total),
            },
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a summary always serialises");
        text.push('\n');
        text
    }

    /// The few lines the command prints when it is done.
    pub fn short_text(&self) -> String {
        let mut text = format!(
            "{} tokenizer: {} languages, vocabulary {} ({} merges), trained in {:.1}s",
            self.method,
            self.languages.len(),
            self.vocab_size,
            self.merges,
            self.timings_s.total
        );
        let figures = |label: &str, f: &Fairness| {
            // How far another sample of as many segments could move the largest premium.
            let interval = f
                .premium_standard_error
                .get(&f.max_premium_language)
                .map_or(String::new(), |se| format!(" ± {:.3}", Z_95 * se));
            // The Gini perfectly even premiums would show on this set, from sampling alone.
            let floor = f.gini_noise_floor.map_or(String::new(), |floor| {
                format!(" ({floor:.4} from sampling alone)")
            });
            format!(
                "\n{label}: {} tokens, Gini {:.4}{floor}, max premium {:.3}{interval} ({}) vs {}",
                f.total_tokens, f.gini, f.max_premium, f.max_premium_language, f.reference
            )
        };
        if let Some(dev) = &self.dev {
            text.push_str(&figures("dev set (chosen on, not held out)", dev));
        }
        match &self.test {
            Some(test) => {
                text.push_str(&figures("test set (held out)", test));
                if let Some(dev) = &self.dev {
                    text.push_str(&shifts_line(&dev.shifts_beyond_noise(test)));
                }
            }
            None if self.dev.is_some() => text.push_str(
                "\nno test set: the figures above are on the dev set the trainer optimised; \
                 give --test DIR for figures on held-out text",
            ),
            None => {}
        }
        for (lang, cap) in &self.premium_caps {
            if let (Some(premium), Some(met)) = (cap.premium, cap.met) {
                text.push_str(&format!(
                    "\npremium cap {lang} ≤ {}: {premium:.3} ({}, {} training pass{})",
                    cap.cap,
                    if met { "met" } else { "NOT met" },
                    self.cap_passes,
                    if self.cap_passes == 1 { "" } else { "es" }
                ));
            }
        }
        text
    }
}

/// Whether the dev set's premiums held on the test set, as far as both sets' sizes can tell.
fn shifts_line(shifts: &[Shift]) -> String {
    if shifts.is_empty() {
        return "\ndev and test premiums agree within both sets' noise (95 %)".into();
    }
    let moved: Vec<String> = shifts
        .iter()
        .map(|s| format!("{} {:.3} → {:.3}", s.language, s.from, s.to))
        .collect();
    format!(
        "\npremiums that moved from dev to test beyond both sets' noise (95 %): {}",
        moved.join(", ")
    )
}

/// Run-length form for training.json: `["global:1000", "km:3", "lo:1", ...]`.
fn runs(choices: &[Option<usize>], languages: &[String]) -> Vec<String> {
    let mut runs: Vec<(Option<usize>, usize)> = Vec::new();
    for &choice in choices {
        match runs.last_mut() {
            Some((last, n)) if *last == choice => *n += 1,
            _ => runs.push((choice, 1)),
        }
    }
    runs.into_iter()
        .map(|(choice, n)| {
            let name = choice.map_or("global", |l| languages[l].as_str());
            format!("{name}:{n}")
        })
        .collect()
}
