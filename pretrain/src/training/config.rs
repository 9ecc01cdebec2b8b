//! What a training run is asked to do: the model preset and its overrides, the batch, the
//! optimiser and its schedule, validation and checkpoint intervals, the language mix.

use crate::device::Precision;
use crate::model::ModelConfig;
use crate::{PretrainError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Training parameters (they go into the manifest and every checkpoint; resuming requires the
/// same ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Model size preset (see `ModelConfig::preset_names`).
    pub preset: String,
    pub tie_embeddings: bool,
    /// Tokens per training window; at most the preset's `max_seq_len` (the default).
    pub seq_len: Option<usize>,
    /// Windows per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimizer step.
    pub grad_accum: usize,
    /// Optimizer steps.
    pub steps: u64,
    /// Peak learning rate, reached after `warmup_steps`, then cosine-decayed to
    /// `lr × min_lr_ratio` at the last step.
    pub lr: f64,
    pub min_lr_ratio: f64,
    pub warmup_steps: u64,
    /// Decoupled (AdamW) weight decay.
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    /// Largest global gradient norm; larger gradients are scaled down to it. 0 turns clipping off.
    pub grad_clip: f64,
    /// Seeds the initial weights and the data sampler.
    pub seed: u64,
    /// Validation loss and bits per byte every this many steps (and at the end); 0 = only at the end.
    pub eval_every: u64,
    /// Validation windows per language.
    pub eval_windows: usize,
    /// A checkpoint every this many steps (and at the end); 0 = only at the end.
    pub checkpoint_every: u64,
    /// Checkpoints kept; older ones are removed after a newer one is safely written. 0 keeps all.
    pub keep_checkpoints: usize,
    /// Sampling weight per language; `"*"` shares a weight among the languages not named
    /// (see `data::language_mix`). Empty: in proportion to each language's tokens.
    pub language_weights: BTreeMap<String, f64>,
    pub precision: Precision,
    /// Continued pretraining: start from the weights of this Hugging Face Llama folder (a
    /// `mekong export` or any checkpoint of the same features) instead of a fresh `preset`
    /// model; its config.json gives the model's shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_from: Option<PathBuf>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            preset: "tiny".to_string(),
            tie_embeddings: true,
            seq_len: None,
            batch_size: 8,
            grad_accum: 1,
            steps: 1000,
            lr: 1e-3,
            min_lr_ratio: 0.1,
            warmup_steps: 100,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.95,
            epsilon: 1e-8,
            grad_clip: 1.0,
            seed: 0,
            eval_every: 100,
            eval_windows: 16,
            checkpoint_every: 500,
            keep_checkpoints: 3,
            language_weights: BTreeMap::new(),
            precision: Precision::Auto,
            init_from: None,
        }
    }
}

impl TrainConfig {
    pub(super) fn validate(&self) -> Result<()> {
        let fail = |message: &str| {
            Err(PretrainError::Config {
                message: message.to_string(),
            })
        };
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if self.batch_size == 0 || self.grad_accum == 0 || self.steps == 0 {
            return fail("batch_size, grad_accum and steps must be positive");
        }
        if !positive(self.lr) || !(0.0..=1.0).contains(&self.min_lr_ratio) {
            return fail("lr must be positive and min_lr_ratio within [0, 1]");
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return fail("beta1 and beta2 must be within [0, 1)");
        }
        if self.weight_decay < 0.0 || self.grad_clip < 0.0 || !positive(self.epsilon) {
            return fail("weight_decay and grad_clip must be non-negative, epsilon positive");
        }
        Ok(())
    }

    /// The model this config trains for a vocabulary of `vocab_size`, and its window length:
    /// the `preset`'s shape, or the `init_from` folder's.
    pub fn model_config(&self, vocab_size: usize) -> Result<(ModelConfig, usize)> {
        let model = match &self.init_from {
            Some(dir) => {
                let model = crate::hf::read_hf_config(dir)?;
                if model.vocab_size != vocab_size {
                    return Err(PretrainError::Config {
                        message: format!(
                            "{} has a vocabulary of {} tokens but the training tokens were made \
                             with a tokenizer of {vocab_size}: tokenize the corpus with the \
                             model's own tokenizer.json",
                            dir.display(),
                            model.vocab_size
                        ),
                    });
                }
                model
            }
            None => {
                let mut model = ModelConfig::preset(&self.preset, vocab_size)?;
                model.tie_embeddings = self.tie_embeddings;
                model
            }
        };
        let seq_len = self.seq_len.unwrap_or(model.max_seq_len);
        if seq_len > model.max_seq_len {
            return Err(PretrainError::Config {
                message: format!(
                    "seq_len {seq_len} is beyond the {} model's max_seq_len {}: use a shorter \
                     seq_len or a larger preset",
                    self.model_name(),
                    model.max_seq_len
                ),
            });
        }
        if seq_len < 2 {
            return Err(PretrainError::Config {
                message: "seq_len must be at least 2".to_string(),
            });
        }
        Ok((model, seq_len))
    }

    /// How the model is named in messages: its preset, or the folder it starts from.
    pub(super) fn model_name(&self) -> String {
        match &self.init_from {
            Some(dir) => format!("{} (--init-from)", dir.display()),
            None => format!("'{}'", self.preset),
        }
    }

    /// Learning rate at optimizer step `step` (1-based): linear warm-up, then cosine decay.
    pub fn lr_at(&self, step: u64) -> f64 {
        if step <= self.warmup_steps {
            return self.lr * step as f64 / self.warmup_steps.max(1) as f64;
        }
        let decay_steps = self.steps.saturating_sub(self.warmup_steps).max(1);
        let progress = ((step - self.warmup_steps) as f64 / decay_steps as f64).min(1.0);
        let min_lr = self.lr * self.min_lr_ratio;
        min_lr + 0.5 * (self.lr - min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
    }
}
