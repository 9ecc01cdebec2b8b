//! What the eval stage measured, as `eval.json` holds it (and as the report, the index page and
//! the model card read it back).

use crate::contamination::Contamination;
use crate::{TextScore, WindowPlan};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What the stage measured; written as `eval.json` and rendered into `eval.md`/`eval.html`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalResults {
    pub texts: Vec<TextInfo>,
    pub models: Vec<ModelResult>,
    pub contamination: Option<ContaminationResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextInfo {
    pub lang: String,
    pub source: PathBuf,
    pub segments: usize,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelResult {
    pub name: String,
    pub checkpoint: PathBuf,
    pub tokenizer: PathBuf,
    pub step: u64,
    pub parameters: usize,
    pub vocab_size: usize,
    pub context: usize,
    pub window: WindowPlan,
    pub scores: Vec<LanguageScore>,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LanguageScore {
    pub lang: String,
    pub bits_per_byte: f64,
    pub token_perplexity: f64,
    pub tokens_per_byte: f64,
    #[serde(flatten)]
    pub totals: TextScore,
}

impl LanguageScore {
    pub(crate) fn new(lang: &str, totals: TextScore) -> Self {
        LanguageScore {
            lang: lang.to_string(),
            bits_per_byte: totals.bits_per_byte(),
            token_perplexity: totals.token_perplexity(),
            tokens_per_byte: totals.tokens_per_byte(),
            totals,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sample {
    pub prompt: String,
    pub continuation: String,
    pub tokens: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContaminationResult {
    pub corpus: PathBuf,
    pub shards: usize,
    pub ngram_chars: usize,
    pub texts: Vec<Contamination>,
}
