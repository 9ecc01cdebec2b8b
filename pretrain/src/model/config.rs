//! A model's shape ([`ModelConfig`]): the presets, the checks, and building a model of that
//! shape with its initial weights.

use super::{Block, Model, Rope};
use crate::{PretrainError, Result};
use burn::module::{Initializer, Module, ModuleMapper};
use burn::nn::{EmbeddingConfig, LinearConfig, RmsNormConfig, SwiGluConfig};
use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

/// The shape of a model. Everything the weights' layout depends on lives here, so a checkpoint
/// carries its config and can be rebuilt without the run that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Number of token ids; must equal the tokenizer's vocabulary size.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    pub n_layers: usize,
    /// Attention heads; `d_model / n_heads` is the head width (must be even for RoPE).
    pub n_heads: usize,
    /// Grouped-query attention: key/value heads, each shared by `n_heads / n_kv_heads` query
    /// heads (as in Llama 3, Qwen, TinyLlama). `None`: one per query head. Mekong's presets use
    /// none; it is here so `--init-from` can continue such checkpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_kv_heads: Option<usize>,
    /// Hidden width of the SwiGLU MLP (≈ 8/3 × d_model keeps the parameter count of a 4× GELU MLP).
    pub d_ff: usize,
    /// Longest sequence the model reads (size of the rotary tables and of the KV cache).
    pub max_seq_len: usize,
    /// RoPE base frequency.
    pub rope_theta: f64,
    pub norm_eps: f64,
    /// Share the token embedding with the output projection (saves `vocab × d_model` weights,
    /// which dominate small models).
    pub tie_embeddings: bool,
}

/// The longest context a model may declare. Its rotary tables are built for every position
/// when the model is, so an absurd length in a damaged config would allocate without bound;
/// 2^20 positions is far past anything Mekong trains.
pub const MAX_SEQ_LEN: usize = 1 << 20;

/// Named sizes, smallest first: `(name, d_model, n_layers, n_heads, d_ff, max_seq_len)`.
/// `tiny` trains in seconds on a CPU (tests); `base` is GPT-2-small-sized (≈110M parameters with a
/// 32k vocabulary and tied embeddings, ≈135M untied).
const PRESETS: [(&str, usize, usize, usize, usize, usize); 5] = [
    ("tiny", 64, 2, 4, 176, 128),
    ("mini", 256, 4, 4, 688, 256),
    ("small", 512, 8, 8, 1376, 512),
    ("medium", 640, 10, 10, 1728, 1024),
    ("base", 768, 12, 12, 2048, 1024),
];

impl ModelConfig {
    /// Names accepted by [`ModelConfig::preset`], smallest first.
    pub fn preset_names() -> Vec<&'static str> {
        PRESETS.iter().map(|p| p.0).collect()
    }

    /// A named size for a tokenizer with `vocab_size` ids.
    pub fn preset(name: &str, vocab_size: usize) -> Result<Self> {
        let &(_, d_model, n_layers, n_heads, d_ff, max_seq_len) = PRESETS
            .iter()
            .find(|p| p.0 == name)
            .ok_or_else(|| PretrainError::Config {
                message: format!(
                    "unknown model preset '{name}' (known: {})",
                    Self::preset_names().join(", ")
                ),
            })?;
        Ok(ModelConfig {
            vocab_size,
            d_model,
            n_layers,
            n_heads,
            n_kv_heads: None,
            d_ff,
            max_seq_len,
            rope_theta: 10_000.0,
            norm_eps: 1e-5,
            tie_embeddings: true,
        })
    }

    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads
    }

    /// Key/value heads: `n_kv_heads`, or one per query head.
    pub fn kv_heads(&self) -> usize {
        self.n_kv_heads.unwrap_or(self.n_heads)
    }

    /// Width of the key (and of the value) projection.
    pub fn kv_dim(&self) -> usize {
        self.kv_heads() * self.head_dim()
    }

    /// Rejects shapes the model cannot be built with, naming the field.
    pub fn validate(&self) -> Result<()> {
        let fail = |message: String| Err(PretrainError::Config { message });
        if self.vocab_size == 0 || self.d_model == 0 || self.n_layers == 0 || self.n_heads == 0 {
            return fail(format!("model sizes must be positive: {self:?}"));
        }
        if self.d_model % self.n_heads != 0 {
            return fail(format!(
                "d_model {} is not divisible by n_heads {}",
                self.d_model, self.n_heads
            ));
        }
        let kv_heads = self.kv_heads();
        if kv_heads == 0 || self.n_heads % kv_heads != 0 {
            return fail(format!(
                "n_heads {} is not a multiple of n_kv_heads {kv_heads}",
                self.n_heads
            ));
        }
        if self.head_dim() % 2 != 0 {
            return fail(format!(
                "head width {} must be even for rotary embeddings",
                self.head_dim()
            ));
        }
        if !(2..=MAX_SEQ_LEN).contains(&self.max_seq_len) {
            return fail(format!(
                "max_seq_len must be from 2 to {MAX_SEQ_LEN}, not {}",
                self.max_seq_len
            ));
        }
        if self.checked_num_params().is_none() {
            return fail(format!("model sizes too large to count: {self:?}"));
        }
        // burn's RMSNorm asserts a positive epsilon; an edited record must fail here instead.
        for (name, value) in [("norm_eps", self.norm_eps), ("rope_theta", self.rope_theta)] {
            if !(value.is_finite() && value > 0.0) {
                return fail(format!("{name} must be a positive number, not {value}"));
            }
        }
        Ok(())
    }

    /// Trainable parameters, counted from the shapes (equals `Model::num_params`).
    pub fn num_params(&self) -> usize {
        self.checked_num_params()
            .expect("model sizes are validated before their parameters are counted")
    }

    /// [`Self::num_params`], or `None` where the count overflows (sizes no model has, as in a
    /// damaged config).
    pub fn checked_num_params(&self) -> Option<usize> {
        let (d, v) = (self.d_model, self.vocab_size);
        let square = d.checked_mul(d)?;
        let attention = square
            .checked_mul(2)?
            .checked_add(d.checked_mul(self.kv_dim())?.checked_mul(2)?)?;
        let mlp = d.checked_mul(self.d_ff)?.checked_mul(3)?;
        let layer = attention.checked_add(mlp)?.checked_add(d.checked_mul(2)?)?;
        let embedding = v.checked_mul(d)?;
        let head = if self.tie_embeddings { 0 } else { embedding };
        embedding
            .checked_add(self.n_layers.checked_mul(layer)?)?
            .checked_add(d)?
            .checked_add(head)
    }

    /// Matrix-multiply FLOPs of one token's forward pass, attention over `seq_len` included
    /// (the usual `2 × params + 2 × layers × seq × d_model` estimate); training costs 3×.
    pub fn flops_per_token(&self, seq_len: usize) -> f64 {
        let (d, v) = (self.d_model as f64, self.vocab_size as f64);
        let attention = 2.0 * d * d + 2.0 * d * self.kv_dim() as f64;
        let matmul_params = self.n_layers as f64 * (attention + 3.0 * d * self.d_ff as f64) + d * v;
        2.0 * matmul_params + 2.0 * self.n_layers as f64 * seq_len as f64 * d
    }

    /// Builds a freshly initialised model.
    pub fn init<B: Backend>(&self, device: &B::Device) -> Result<Model<B>> {
        self.validate()?;
        // GPT-2 initialisation: N(0, 0.02), residual output projections scaled by 1/√(2L) so the
        // residual stream's variance does not grow with depth.
        let std = 0.02;
        let normal = |std: f64| Initializer::Normal { mean: 0.0, std };
        let projection = normal(std / (2.0 * self.n_layers as f64).sqrt());
        let dense = |d_in, d_out, init: Initializer| {
            LinearConfig::new(d_in, d_out)
                .with_bias(false)
                .with_initializer(init)
                .init(device)
        };
        let blocks = (0..self.n_layers)
            .map(|_| Block {
                attention_norm: RmsNormConfig::new(self.d_model)
                    .with_epsilon(self.norm_eps)
                    .init(device),
                qkv: dense(self.d_model, self.d_model + 2 * self.kv_dim(), normal(std)),
                attention_out: dense(self.d_model, self.d_model, projection.clone()),
                mlp_norm: RmsNormConfig::new(self.d_model)
                    .with_epsilon(self.norm_eps)
                    .init(device),
                mlp: SwiGluConfig::new(self.d_model, self.d_ff)
                    .with_initializer(normal(std))
                    .init(device),
                mlp_out: dense(self.d_ff, self.d_model, projection.clone()),
                n_heads: self.n_heads,
                n_kv_heads: self.kv_heads(),
            })
            .collect();
        let embedding = EmbeddingConfig::new(self.vocab_size, self.d_model)
            .with_initializer(normal(std))
            .init(device);
        let lm_head =
            (!self.tie_embeddings).then(|| dense(self.d_model, self.vocab_size, normal(std)));
        let rope = Rope::new(self.max_seq_len, self.head_dim(), self.rope_theta, device);
        let model = Model {
            embedding,
            blocks,
            norm: RmsNormConfig::new(self.d_model)
                .with_epsilon(self.norm_eps)
                .init(device),
            lm_head,
            rope,
            max_seq_len: self.max_seq_len,
            compute_dtype: None,
        };
        Ok(model.map(&mut Materialize))
    }
}

/// burn initialises parameters lazily, at first use, and a clone of a parameter not used yet
/// draws values of its own. Materialising every parameter right away makes clones (what a
/// checkpoint serialises) equal the original, and draws all values in one fixed order after the
/// backend is seeded.
struct Materialize;

impl<B: Backend> ModuleMapper<B> for Materialize {}
