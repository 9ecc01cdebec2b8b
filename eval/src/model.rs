//! The language model as the eval stage sees it: log-probabilities of the tokens that follow, and
//! one generation step at a time with a cache. Keeping this a small trait lets the metrics,
//! windowing and sampling be tested with models whose probabilities are known exactly, and lets
//! the burn model (see [`crate::burn_model`]) plug in without the rest of the stage knowing burn.

use crate::Result;

/// A causal language model over token ids `0..vocab_size()`.
pub trait ScoringModel {
    /// What generation keeps between steps (a transformer's key/value cache).
    type Cache;

    /// Number of token ids the model assigns probabilities to.
    fn vocab_size(&self) -> usize;

    /// The longest token sequence the model reads at once.
    fn max_context(&self) -> usize;

    /// For each window `w`: `ln p(w[i] | w[..i])` for `i` in `1..w.len()` (so `w.len() - 1`
    /// values). Windows may differ in length; none is longer than [`Self::max_context`].
    fn target_log_probs(&self, windows: &[&[u32]]) -> Result<Vec<Vec<f64>>>;

    /// Unnormalised scores (logits) of the token after `tokens`, computed from scratch.
    fn next_logits(&self, tokens: &[u32]) -> Result<Vec<f32>>;

    /// An empty cache for one generated sequence.
    fn new_cache(&self) -> Self::Cache;

    /// Reads `tokens` after those the cache already holds and returns the logits of the token
    /// after the last one; only the new tokens are computed.
    fn next_logits_cached(&self, tokens: &[u32], cache: &mut Self::Cache) -> Result<Vec<f32>>;
}

/// A model that gives every token the same probability `1 / vocab_size`: its bits per byte are
/// known exactly (`log2(V) × tokens / bytes`), which pins the metric arithmetic down in tests,
/// and it is the baseline a trained model must beat.
#[derive(Debug, Clone)]
pub struct UniformModel {
    vocab_size: usize,
    max_context: usize,
}

impl UniformModel {
    pub fn new(vocab_size: usize, max_context: usize) -> Self {
        UniformModel {
            vocab_size,
            max_context,
        }
    }
}

impl ScoringModel for UniformModel {
    /// How many tokens the sequence holds so far (checked against the context length).
    type Cache = usize;

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn max_context(&self) -> usize {
        self.max_context
    }

    fn target_log_probs(&self, windows: &[&[u32]]) -> Result<Vec<Vec<f64>>> {
        let log_p = -(self.vocab_size as f64).ln();
        Ok(windows
            .iter()
            .map(|w| vec![log_p; w.len().saturating_sub(1)])
            .collect())
    }

    fn next_logits(&self, _tokens: &[u32]) -> Result<Vec<f32>> {
        Ok(vec![0.0; self.vocab_size])
    }

    fn new_cache(&self) -> usize {
        0
    }

    fn next_logits_cached(&self, tokens: &[u32], cache: &mut usize) -> Result<Vec<f32>> {
        *cache += tokens.len();
        Ok(vec![0.0; self.vocab_size])
    }
}
