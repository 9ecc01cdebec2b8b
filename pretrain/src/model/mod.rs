//! The decoder-only transformer: Llama-style blocks (RMSNorm before attention and MLP, rotary
//! position embeddings, SwiGLU MLP, causal self-attention: Mekong's fused kernel on the CPU
//! backend, burn's attention op elsewhere),
//! optional tied input/output embeddings, and a key/value cache for generation.

use crate::kernels::{rms_norm, rotary_causal_attention, silu_gate};
use crate::{PretrainError, Result};
use burn::module::Module;
use burn::nn::{Embedding, Linear, RmsNorm, SwiGlu};
use burn::tensor::backend::Backend;
use burn::tensor::module::{attention, linear};
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{FloatDType, Int, Tensor};

mod config;

pub use config::ModelConfig;

/// The transformer. `forward` scores whole sequences (training, scoring); `forward_cached`
/// extends a [`KvCache`] one chunk at a time (generation) and gives the same logits.
#[derive(Module, Debug)]
pub struct Model<B: Backend> {
    pub(crate) embedding: Embedding<B>,
    pub(crate) blocks: Vec<Block<B>>,
    pub(crate) norm: RmsNorm<B>,
    /// `None` when the output projection is the (transposed) token embedding.
    pub(crate) lm_head: Option<Linear<B>>,
    rope: Rope<B>,
    max_seq_len: usize,
    /// Mixed precision: matrix multiplies and attention run in this dtype while weights, norms,
    /// the residual stream and the loss stay in f32 (what PyTorch's autocast does).
    #[module(skip)]
    compute_dtype: Option<FloatDType>,
}

#[derive(Module, Debug)]
pub(crate) struct Block<B: Backend> {
    pub(crate) attention_norm: RmsNorm<B>,
    /// Query, key and value projections in one matrix `[d, d + 2 × kv_dim]`: one matmul
    /// instead of three.
    pub(crate) qkv: Linear<B>,
    pub(crate) attention_out: Linear<B>,
    pub(crate) mlp_norm: RmsNorm<B>,
    pub(crate) mlp: SwiGlu<B>,
    pub(crate) mlp_out: Linear<B>,
    n_heads: usize,
    n_kv_heads: usize,
}

/// Rotary position embedding tables, in the "rotate half" layout of Llama and GPT-NeoX (the
/// PyTorch reference uses the same). Written here rather than taken from `burn::nn`, whose
/// `RotaryEncoding` pairs adjacent channels through a small matmul per call; the tables are
/// not parameters and are rebuilt from the config, never saved.
#[derive(Module, Debug)]
struct Rope<B: Backend> {
    /// `[max_seq_len, head_dim]`: cos/sin of position × frequency, each frequency twice.
    cos: Tensor<B, 2>,
    sin: Tensor<B, 2>,
}

impl<B: Backend> Rope<B> {
    fn new(max_seq_len: usize, head_dim: usize, theta: f64, device: &B::Device) -> Self {
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_seq_len * head_dim);
        let mut sin = Vec::with_capacity(max_seq_len * head_dim);
        for position in 0..max_seq_len {
            for _ in 0..2 {
                for i in 0..half {
                    let frequency = theta.powf(-2.0 * i as f64 / head_dim as f64);
                    let angle = position as f64 * frequency;
                    cos.push(angle.cos() as f32);
                    sin.push(angle.sin() as f32);
                }
            }
        }
        let table = |values: Vec<f32>| {
            Tensor::<B, 1>::from_floats(values.as_slice(), device).reshape([max_seq_len, head_dim])
        };
        Rope {
            cos: table(cos),
            sin: table(sin),
        }
    }

    /// Rotates `x: [batch, heads, seq, head_dim]` whose first token sits at `start`.
    fn apply(&self, x: Tensor<B, 4>, start: usize) -> Tensor<B, 4> {
        let [batch, heads, seq, head_dim] = x.dims();
        let dtype = x.dtype();
        // Each (sequence, head) as one row of `seq × head_dim` values that the tables' row is
        // shared by: the CPU backend multiplies that broadcast shape with SIMD, while the 4-D
        // broadcast took its slow element-by-element path.
        let rows = [batch * heads, seq * head_dim];
        let table = |table: &Tensor<B, 2>| {
            table
                .clone()
                .narrow(0, start, seq)
                .cast(dtype)
                .reshape([1, seq * head_dim])
        };
        let half = head_dim / 2;
        let first = x.clone().narrow(3, 0, half);
        let second = x.clone().narrow(3, half, half);
        let rotated = Tensor::cat(vec![second.neg(), first], 3);
        let rotated = x.reshape(rows) * table(&self.cos) + rotated.reshape(rows) * table(&self.sin);
        rotated.reshape([batch, heads, seq, head_dim])
    }
}

/// Keys and values of the tokens a sequence has read so far, per layer, for generation.
#[derive(Debug, Clone)]
pub struct KvCache<B: Backend> {
    /// Per layer: keys and values `[batch, heads, len, head_dim]`, `None` before the first chunk.
    layers: Vec<Option<(Tensor<B, 4>, Tensor<B, 4>)>>,
    len: usize,
}

impl<B: Backend> KvCache<B> {
    /// An empty cache for `model`.
    pub fn new(model: &Model<B>) -> Self {
        KvCache {
            layers: vec![None; model.blocks.len()],
            len: 0,
        }
    }

    /// Tokens read so far.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<B: Backend> Model<B> {
    /// Logits `[batch, seq, vocab]` for tokens `[batch, seq]`; position `i` only sees tokens
    /// `0..=i`. Panics when `seq` exceeds `max_seq_len` (callers check [`Model::max_seq_len`]).
    pub fn forward(&self, tokens: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        let [_, seq] = tokens.dims();
        assert!(
            seq <= self.max_seq_len,
            "sequence of {seq} tokens is longer than the model's max_seq_len {}",
            self.max_seq_len
        );
        let mut x = self.embedding.forward(tokens);
        for block in &self.blocks {
            x = block.forward(x, &self.rope, 0, None, self.compute_dtype);
        }
        self.project(x)
    }

    /// Reads `tokens [batch, new]` after those in `cache` and returns their logits
    /// `[batch, new, vocab]`, computing only the new positions. Over a whole sequence, feeding
    /// it in chunks gives the same logits as one `forward` call.
    pub fn forward_cached(
        &self,
        tokens: Tensor<B, 2, Int>,
        cache: &mut KvCache<B>,
    ) -> Result<Tensor<B, 3>> {
        let [_, new] = tokens.dims();
        if cache.len + new > self.max_seq_len {
            return Err(PretrainError::SequenceTooLong {
                len: cache.len + new,
                max: self.max_seq_len,
            });
        }
        let start = cache.len;
        let mut x = self.embedding.forward(tokens);
        for (block, layer_cache) in self.blocks.iter().zip(cache.layers.iter_mut()) {
            x = block.forward(x, &self.rope, start, Some(layer_cache), self.compute_dtype);
        }
        cache.len += new;
        Ok(self.project(x))
    }

    fn project(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let x = cast_to(norm(&self.norm, x), self.compute_dtype);
        let logits = match &self.lm_head {
            Some(head) => project_last(x, cast_to(head.weight.val(), self.compute_dtype)),
            None => project_last(
                x,
                cast_to(self.embedding.weight.val(), self.compute_dtype).transpose(),
            ),
        };
        to_f32(logits, self.compute_dtype)
    }

    /// The longest sequence the model reads.
    pub fn max_seq_len(&self) -> usize {
        self.max_seq_len
    }

    /// Runs matrix multiplies in `dtype` (bf16/f16 on GPUs) and everything else in f32;
    /// `None` runs everything in f32.
    pub fn with_compute_dtype(mut self, dtype: Option<FloatDType>) -> Self {
        self.compute_dtype = dtype;
        self
    }
}

impl<B: Backend> Block<B> {
    fn forward(
        &self,
        x: Tensor<B, 3>,
        rope: &Rope<B>,
        start: usize,
        cache: Option<&mut Option<(Tensor<B, 4>, Tensor<B, 4>)>>,
        dtype: Option<FloatDType>,
    ) -> Tensor<B, 3> {
        let h = cast_to(norm(&self.attention_norm, x.clone()), dtype);
        let qkv = dense(&self.qkv, h, dtype);
        // The CPU backend's fused kernel covers whole sequences in f32; generation (a cache)
        // takes burn's ops, as mixed precision and other backends do.
        let fused = match cache {
            None => {
                rotary_causal_attention(qkv, &rope.cos, &rope.sin, self.n_heads, self.n_kv_heads)
            }
            Some(_) => Err(qkv),
        };
        let context = fused.unwrap_or_else(|qkv| self.attention(qkv, rope, start, cache));
        let x = x + to_f32(dense(&self.attention_out, context, dtype), dtype);

        let h = cast_to(norm(&self.mlp_norm, x.clone()), dtype);
        let gated = swiglu(&self.mlp, h, dtype);
        x + to_f32(dense(&self.mlp_out, gated, dtype), dtype)
    }

    /// Causal self-attention of the fused projection `qkv` by burn's tensor ops: the context
    /// `[batch, seq, d_model]`. With a cache, the queries start at `start` and see the cached
    /// keys and values too.
    fn attention(
        &self,
        qkv: Tensor<B, 3>,
        rope: &Rope<B>,
        start: usize,
        cache: Option<&mut Option<(Tensor<B, 4>, Tensor<B, 4>)>>,
    ) -> Tensor<B, 3> {
        let [batch, seq, _] = qkv.dims();
        let (q, k, v) = self.split_heads(qkv);
        let d_model = q.dims()[1] * q.dims()[3];
        let q = rope.apply(q, start);
        let mut k = rope.apply(k, start);
        let mut v = v;
        if let Some(cache) = cache {
            if let Some((k_past, v_past)) = cache.take() {
                k = Tensor::cat(vec![k_past, k], 2);
                v = Tensor::cat(vec![v_past, v], 2);
            }
            *cache = Some((k.clone(), v.clone()));
        }
        // Causal masking is aligned to the last key, so queries after a cached prefix see the
        // whole prefix and the earlier new tokens only.
        let options = AttentionModuleOptions {
            scale: None,
            softcap: None,
            is_causal: true,
        };
        let groups = self.n_heads / self.n_kv_heads;
        let (k, v) = (repeat_kv(k, groups), repeat_kv(v, groups));
        attention(q, k, v, None, None, options)
            .swap_dims(1, 2)
            .reshape([batch, seq, d_model])
    }
}

impl<B: Backend> Block<B> {
    /// Queries `[batch, heads, seq, head_dim]`, keys and values `[batch, kv_heads, seq, head_dim]`
    /// from the fused projection `[batch, seq, d + 2 × kv_dim]`.
    fn split_heads(&self, qkv: Tensor<B, 3>) -> (Tensor<B, 4>, Tensor<B, 4>, Tensor<B, 4>) {
        let [batch, seq, width] = qkv.dims();
        let head_dim = width / (self.n_heads + 2 * self.n_kv_heads);
        if self.n_kv_heads == self.n_heads {
            // One reshape and permute for all three (the layout every preset trains with).
            let qkv = qkv
                .reshape([batch, seq, 3, self.n_heads, head_dim])
                .permute([2, 0, 3, 1, 4]);
            let part = |i: usize| {
                qkv.clone()
                    .narrow(0, i, 1)
                    .reshape([batch, self.n_heads, seq, head_dim])
            };
            return (part(0), part(1), part(2));
        }
        let (q_width, kv_width) = (self.n_heads * head_dim, self.n_kv_heads * head_dim);
        let heads = |from: usize, heads: usize| {
            qkv.clone()
                .narrow(2, from, heads * head_dim)
                .reshape([batch, seq, heads, head_dim])
                .swap_dims(1, 2)
        };
        (
            heads(0, self.n_heads),
            heads(q_width, self.n_kv_heads),
            heads(q_width + kv_width, self.n_kv_heads),
        )
    }
}

/// Grouped-query attention: key/value head `j` serves query heads `j × groups .. (j + 1) × groups`
/// (transformers' `repeat_kv`). The cache keeps the unrepeated heads.
fn repeat_kv<B: Backend>(x: Tensor<B, 4>, groups: usize) -> Tensor<B, 4> {
    if groups == 1 {
        return x;
    }
    let [batch, heads, seq, head_dim] = x.dims();
    x.unsqueeze_dim::<5>(2)
        .expand([batch, heads, groups, seq, head_dim])
        .reshape([batch, heads * groups, seq, head_dim])
}

/// `input × weight` with the weight cast to the compute dtype.
fn dense<B: Backend, const D: usize>(
    layer: &Linear<B>,
    input: Tensor<B, D>,
    dtype: Option<FloatDType>,
) -> Tensor<B, D> {
    project_last(input, cast_to(layer.weight.val(), dtype))
}

/// `input [.., d_in] × weight [d_in, d_out]` as one 2-D matrix multiply over all leading
/// positions. burn's `linear` on a 3-D input broadcasts the weight over the batch: a batched
/// multiply whose weight gradient is one product per sequence, then summed (on the CPU, a
/// fifth of a training step went to that and its copies).
fn project_last<B: Backend, const D: usize>(
    input: Tensor<B, D>,
    weight: Tensor<B, 2>,
) -> Tensor<B, D> {
    let mut dims = input.dims();
    let positions = dims[..D - 1].iter().product();
    let output = linear(input.reshape([positions, dims[D - 1]]), weight, None);
    dims[D - 1] = output.dims()[1];
    output.reshape(dims)
}

/// SwiGLU in the compute dtype: `silu(x W_gate) ⊙ (x W_up)`, as `burn::nn::SwiGlu` computes it
/// (its bias-free layers), with the projections as 2-D multiplies.
fn swiglu<B: Backend>(
    mlp: &SwiGlu<B>,
    input: Tensor<B, 3>,
    dtype: Option<FloatDType>,
) -> Tensor<B, 3> {
    let gate = dense(&mlp.linear_inner, input.clone(), dtype);
    let up = dense(&mlp.linear_outer, input, dtype);
    // The CPU backend's fused kernel in f32; burn's ops in mixed precision or elsewhere.
    silu_gate(gate, up).unwrap_or_else(|[gate, up]| burn::tensor::activation::silu(gate) * up)
}

/// RMSNorm by the CPU backend's fused kernel, else by burn's op.
fn norm<B: Backend>(norm: &RmsNorm<B>, x: Tensor<B, 3>) -> Tensor<B, 3> {
    rms_norm(x, norm.gamma.val(), norm.epsilon).unwrap_or_else(|x| norm.forward(x))
}

fn cast_to<B: Backend, const D: usize>(
    tensor: Tensor<B, D>,
    dtype: Option<FloatDType>,
) -> Tensor<B, D> {
    match dtype {
        Some(dtype) => tensor.cast(dtype),
        None => tensor,
    }
}

/// Back to f32 after a mixed-precision op (a no-op when everything runs in f32).
fn to_f32<B: Backend, const D: usize>(
    tensor: Tensor<B, D>,
    dtype: Option<FloatDType>,
) -> Tensor<B, D> {
    match dtype {
        Some(_) => tensor.cast(FloatDType::F32),
        None => tensor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{assert_same, values_and_gradients};
    use crate::CpuBackend;
    use burn::tensor::Distribution;

    #[test]
    fn fused_attention_and_its_gradient_are_burns() {
        // Multi-head and grouped-query; 70 and 150 positions cross blocks of query rows.
        for (kv_heads, seq) in [(4, 150), (2, 70), (4, 5), (1, 64)] {
            let config = ModelConfig {
                n_kv_heads: Some(kv_heads),
                max_seq_len: 160,
                ..ModelConfig::preset("tiny", 20).unwrap()
            };
            let device = Default::default();
            let model = config.init(&device).unwrap();
            let (block, rope) = (&model.blocks[0], &model.rope);
            let width = config.d_model + 2 * config.kv_dim();
            CpuBackend::seed(&device, 3);
            let qkv = Tensor::random([2, seq, width], Distribution::Normal(0.0, 1.5), &device);
            let (heads, kv_heads) = (block.n_heads, block.n_kv_heads);
            let fused = values_and_gradients([qkv.clone()], |[qkv]| {
                rotary_causal_attention(qkv, &rope.cos, &rope.sin, heads, kv_heads)
                    .expect("the CPU backend")
            });
            let composed = values_and_gradients([qkv], |[qkv]| block.attention(qkv, rope, 0, None));
            assert_same(fused, composed, 2e-5);
        }
    }
}
