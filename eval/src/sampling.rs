//! Continuations of a prompt: greedy, or sampled with temperature, top-k and top-p (nucleus)
//! from a seeded ChaCha8 generator, so the same seed gives the same text on every machine.
//! Generation reads each new token once through the model's key/value cache, so producing `n`
//! tokens costs `O(n)` model steps over the new positions, not a full recomputation each step.

use crate::{EvalError, Result, ScoringModel};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How to pick each next token.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplingConfig {
    /// Tokens to generate after the prompt (fewer when the stop token comes or the context is full).
    pub max_new_tokens: usize,
    /// 0 means greedy (always the most likely token); otherwise logits are divided by it.
    pub temperature: f32,
    /// Keep only the `top_k` most likely tokens (0: all).
    pub top_k: usize,
    /// Keep the smallest set of most likely tokens whose probability reaches `top_p` (1: all).
    pub top_p: f32,
    pub seed: u64,
}

impl Default for SamplingConfig {
    fn default() -> Self {
        SamplingConfig {
            max_new_tokens: 64,
            temperature: 0.8,
            top_k: 40,
            top_p: 0.95,
            seed: 0,
        }
    }
}

impl SamplingConfig {
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return Err(EvalError::Invalid(format!(
                "temperature {} must be 0 (greedy) or positive",
                self.temperature
            )));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(EvalError::Invalid(format!(
                "top_p {} must be in (0, 1]",
                self.top_p
            )));
        }
        Ok(())
    }
}

/// Whether generation reads new tokens through the cache or recomputes the whole sequence each
/// step (slow; kept to check the cache against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recompute {
    Cached,
    Full,
}

/// Generates up to `config.max_new_tokens` after `prompt`, stopping after `stop` when it is
/// generated or the context is full. A prompt that leaves no room for `max_new_tokens` keeps only
/// its last tokens (at least half the context's worth). `stream` is the generator's stream number (use the prompt's index), so
/// each prompt's continuation depends only on the seed and its own position.
pub fn generate<M: ScoringModel>(
    model: &M,
    prompt: &[u32],
    config: &SamplingConfig,
    stop: Option<u32>,
    stream: u64,
    recompute: Recompute,
) -> Result<Vec<u32>> {
    config.validate()?;
    if prompt.is_empty() {
        return Err(EvalError::Invalid(
            "a prompt needs at least one token".into(),
        ));
    }
    let context = model.max_context();
    // Room for the continuation, but never less than half the context for the prompt.
    let keep = prompt
        .len()
        .min(
            context
                .saturating_sub(config.max_new_tokens)
                .max(context / 2),
        )
        .max(1);
    let mut sequence: Vec<u32> = prompt[prompt.len() - keep..].to_vec();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(stream);
    let mut cache = model.new_cache();
    let mut fresh = sequence.len();
    let mut generated = Vec::new();
    while generated.len() < config.max_new_tokens && sequence.len() < context {
        let logits = match recompute {
            Recompute::Cached => {
                model.next_logits_cached(&sequence[sequence.len() - fresh..], &mut cache)?
            }
            Recompute::Full => model.next_logits(&sequence)?,
        };
        let token = pick(&logits, config, &mut rng);
        sequence.push(token);
        generated.push(token);
        fresh = 1;
        if Some(token) == stop {
            break;
        }
    }
    Ok(generated)
}

/// Picks the next token from `logits` according to `config`.
pub fn pick(logits: &[f32], config: &SamplingConfig, rng: &mut impl Rng) -> u32 {
    // Candidates by decreasing logit; ties go to the lower id so the order is deterministic.
    let mut order: Vec<u32> = (0..logits.len() as u32).collect();
    order.sort_by(|&a, &b| {
        logits[b as usize]
            .total_cmp(&logits[a as usize])
            .then(a.cmp(&b))
    });
    if config.temperature == 0.0 {
        return order[0];
    }
    if config.top_k > 0 {
        order.truncate(config.top_k);
    }
    let temperature = f64::from(config.temperature);
    let best = f64::from(logits[order[0] as usize]) / temperature;
    let weights: Vec<f64> = order
        .iter()
        .map(|&t| (f64::from(logits[t as usize]) / temperature - best).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    // Nucleus: the shortest prefix whose probability reaches top_p.
    let mut kept = 0;
    let mut mass = 0.0;
    for w in &weights {
        kept += 1;
        mass += w / total;
        if mass >= f64::from(config.top_p) {
            break;
        }
    }
    let kept_total: f64 = weights[..kept].iter().sum();
    let mut target = rng.random::<f64>() * kept_total;
    for (i, w) in weights[..kept].iter().enumerate() {
        if target < *w {
            return order[i];
        }
        target -= w;
    }
    order[kept - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(temperature: f32, top_k: usize, top_p: f32) -> SamplingConfig {
        SamplingConfig {
            max_new_tokens: 1,
            temperature,
            top_k,
            top_p,
            seed: 7,
        }
    }

    #[test]
    fn greedy_takes_the_highest_logit() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert_eq!(
            pick(&[0.1, 2.0, 2.0, -1.0], &config(0.0, 0, 1.0), &mut rng),
            1
        );
    }

    #[test]
    fn top_k_one_is_greedy() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for _ in 0..50 {
            assert_eq!(
                pick(&[0.0, 0.5, 3.0, 1.0], &config(5.0, 1, 1.0), &mut rng),
                2
            );
        }
    }

    #[test]
    fn top_p_keeps_only_the_nucleus() {
        // Probabilities ~0.84, 0.11, 0.04, 0.01: top_p 0.9 keeps the first two.
        let logits = [4.0, 2.0, 1.0, -0.5];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut seen = [0usize; 4];
        for _ in 0..2000 {
            seen[pick(&logits, &config(1.0, 0, 0.9), &mut rng) as usize] += 1;
        }
        assert!(seen[0] > 0 && seen[1] > 0, "{seen:?}");
        assert_eq!(seen[2] + seen[3], 0, "{seen:?}");
    }

    #[test]
    fn sampling_follows_the_probabilities() {
        let logits = [0.0f32, (3.0f32).ln()]; // p = 1/4, 3/4
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000;
        let ones = (0..n)
            .filter(|_| pick(&logits, &config(1.0, 0, 1.0), &mut rng) == 1)
            .count();
        let share = ones as f64 / n as f64;
        assert!((share - 0.75).abs() < 0.02, "{share}");
    }

    #[test]
    fn bad_settings_are_rejected() {
        assert!(config(-1.0, 0, 1.0).validate().is_err());
        assert!(config(1.0, 0, 0.0).validate().is_err());
        assert!(config(1.0, 0, 1.5).validate().is_err());
    }
}
