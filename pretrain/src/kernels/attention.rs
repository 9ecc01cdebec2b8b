//! Causal self-attention with rotary position embeddings, read straight from the fused
//! query/key/value projection: the forward pass and its gradient, on slices.
//!
//! burn composes attention from tensor ops, and its autodiff always takes that path in training:
//! split and permute the heads, rotate them (narrow, negate, concatenate, multiply, add), then
//! scores, scale, mask, softmax and the product with the values, each a pass over memory that
//! allocates a tensor, and as many again backwards. Here each (sequence, key/value head) is one
//! rayon task that copies its heads out of the projection, rotates them, and runs the products on
//! blocks of query rows that only reach the keys a causal mask lets them see. Like PyTorch's CPU
//! flash attention it keeps the log-sum-exp of each row's scores rather than the probabilities,
//! and the backward pass recomputes them, so memory stays linear in the sequence length. Every
//! task sums in a fixed order: results do not depend on the thread count.

use super::math::{exp_nonpositive, max, sum};
use super::matmul::{multiply, View};
use super::{fused, host_values, FusedOp};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};
use rayon::prelude::*;

/// Causal self-attention of `qkv [batch, seq, (heads + 2 × kv_heads) × head_dim]` (queries,
/// then keys, then values) with the rotary tables `cos` and `sin` `[≥ seq, head_dim]` applied
/// from position 0: the context `[batch, seq, heads × head_dim]`. `Err(qkv)` when `B` is not
/// the CPU backend or `qkv` is not f32.
pub(crate) fn rotary_causal_attention<B: Backend>(
    qkv: Tensor<B, 3>,
    cos: &Tensor<B, 2>,
    sin: &Tensor<B, 2>,
    heads: usize,
    kv_heads: usize,
) -> Result<Tensor<B, 3>, Tensor<B, 3>> {
    let (Some(cos), Some(sin)) = (host_values(cos), host_values(sin)) else {
        return Err(qkv);
    };
    let [batch, seq, width] = qkv.dims();
    let head_dim = width / (heads + 2 * kv_heads);
    let geometry = Geometry {
        batch,
        seq,
        heads,
        kv_heads,
        head_dim,
    };
    assert_eq!(geometry.width(), width, "projection width of another model");
    assert!(
        heads % kv_heads == 0 && head_dim % 2 == 0,
        "head layout of another model"
    );
    assert!(
        cos.storage::<f32>().len() >= seq * head_dim,
        "rotary tables shorter than the sequence"
    );
    let op = RotaryAttention { geometry, cos, sin };
    fused(op, [qkv]).map_err(|[qkv]| qkv)
}

#[derive(Debug)]
struct RotaryAttention {
    geometry: Geometry,
    cos: FlexTensor,
    sin: FlexTensor,
}

impl RotaryAttention {
    fn rotary(&self) -> Rotary<'_> {
        Rotary {
            cos: self.cos.storage::<f32>(),
            sin: self.sin.storage::<f32>(),
        }
    }
}

impl FusedOp<1> for RotaryAttention {
    /// The log-sum-exp of each row's scores ([`Forward::log_sum_exp`]).
    type Saved = Vec<f32>;

    fn output_shape(&self, _: [&Shape; 1]) -> Shape {
        let g = self.geometry;
        Shape::new([g.batch, g.seq, g.context_width()])
    }

    fn forward(&self, [qkv]: [&[f32]; 1]) -> (Vec<f32>, Vec<f32>) {
        let Forward {
            context,
            log_sum_exp,
        } = forward(qkv, self.geometry, self.rotary());
        (context, log_sum_exp)
    }

    fn backward(
        &self,
        [qkv]: [&[f32]; 1],
        context: &[f32],
        log_sum_exp: &Vec<f32>,
        d_context: &[f32],
    ) -> [Vec<f32>; 1] {
        let (g, rotary) = (self.geometry, self.rotary());
        [backward(qkv, context, log_sum_exp, d_context, g, rotary)]
    }
}

/// Query rows a block; a block's scores reach only the keys up to its last row.
const BLOCK: usize = 64;

/// The shapes involved: the projection is `[batch × seq, width]` with the query heads, then the
/// key heads, then the value heads, `head_dim` columns each (the layout `Block::split_heads`
/// reads); the context is `[batch × seq, heads × head_dim]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Geometry {
    batch: usize,
    seq: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
}

impl Geometry {
    /// Values in a row of the projection.
    fn width(&self) -> usize {
        (self.heads + 2 * self.kv_heads) * self.head_dim
    }

    /// Values in a row of the context.
    fn context_width(&self) -> usize {
        self.heads * self.head_dim
    }

    /// Query heads per key/value head (grouped-query attention; 1 for multi-head).
    fn groups(&self) -> usize {
        self.heads / self.kv_heads
    }

    fn head_len(&self) -> usize {
        self.seq * self.head_dim
    }

    /// Query head `h` of key/value head `kv`'s group `member`.
    fn query_head(&self, kv: usize, member: usize) -> usize {
        kv * self.groups() + member
    }

    fn query_column(&self, head: usize) -> usize {
        head * self.head_dim
    }

    /// Query head `head`'s columns in the context.
    fn context_column(&self, head: usize) -> usize {
        head * self.head_dim
    }

    fn key_column(&self, kv: usize) -> usize {
        (self.heads + kv) * self.head_dim
    }

    fn value_column(&self, kv: usize) -> usize {
        (self.heads + self.kv_heads + kv) * self.head_dim
    }

    /// The softmax temperature, folded into the queries.
    fn scale(&self) -> f32 {
        1.0 / (self.head_dim as f32).sqrt()
    }
}

/// Rotary tables in the "rotate half" layout, `[positions ≥ seq, head_dim]` row-major.
#[derive(Debug, Clone, Copy)]
struct Rotary<'a> {
    cos: &'a [f32],
    sin: &'a [f32],
}

impl Rotary<'_> {
    /// Rotates each row of `rows [seq, head_dim]` by its position and multiplies it by `scale`.
    fn rotate(&self, rows: &mut [f32], head_dim: usize, scale: f32) {
        self.turn(rows, head_dim, scale, 1.0);
    }

    /// The transpose of [`Rotary::rotate`], which is the rotation back: turns the gradient with
    /// respect to rotated rows into the gradient with respect to the rows before rotation.
    fn rotate_back(&self, rows: &mut [f32], head_dim: usize, scale: f32) {
        self.turn(rows, head_dim, scale, -1.0);
    }

    /// Turns each pair of channels `(j, j + head_dim / 2)` by the row's angle for `j` (the
    /// tables hold each angle twice, at `j` and `j + head_dim / 2`), forwards (`direction` 1)
    /// or backwards (-1).
    fn turn(&self, rows: &mut [f32], head_dim: usize, scale: f32, direction: f32) {
        let half = head_dim / 2;
        for ((row, cos), sin) in rows
            .chunks_exact_mut(head_dim)
            .zip(self.cos.chunks_exact(head_dim))
            .zip(self.sin.chunks_exact(head_dim))
        {
            for j in 0..half {
                let (a, b, sin) = (row[j], row[j + half], sin[j] * direction);
                row[j] = (a * cos[j] - b * sin) * scale;
                row[j + half] = (b * cos[j] + a * sin) * scale;
            }
        }
    }
}

/// The columns `column..column + head_dim` of sequence `b`'s rows, as `[seq, head_dim]`.
fn head_rows(matrix: &[f32], width: usize, g: &Geometry, b: usize, column: usize) -> Vec<f32> {
    let rows = &matrix[b * g.seq * width..][..g.seq * width];
    let mut out = Vec::with_capacity(g.head_len());
    for row in rows.chunks_exact(width) {
        out.extend_from_slice(&row[column..column + g.head_dim]);
    }
    out
}

/// A task's rotated keys and its values, each `[seq, head_dim]`.
fn keys_and_values(
    qkv: &[f32],
    g: &Geometry,
    rotary: Rotary,
    b: usize,
    kv: usize,
) -> [Vec<f32>; 2] {
    let mut keys = head_rows(qkv, g.width(), g, b, g.key_column(kv));
    rotary.rotate(&mut keys, g.head_dim, 1.0);
    [keys, head_rows(qkv, g.width(), g, b, g.value_column(kv))]
}

/// Query head `h`, rotated and scaled.
fn queries(qkv: &[f32], g: &Geometry, rotary: Rotary, b: usize, h: usize) -> Vec<f32> {
    let mut queries = head_rows(qkv, g.width(), g, b, g.query_column(h));
    rotary.rotate(&mut queries, g.head_dim, g.scale());
    queries
}

/// The row blocks of a sequence: `(first row, end)`, where `end` is also the number of keys the
/// block's rows can see.
fn blocks(seq: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..seq)
        .step_by(BLOCK)
        .map(move |start| (start, (start + BLOCK).min(seq)))
}

/// The forward pass's results.
struct Forward {
    /// `[batch × seq, heads × head_dim]`.
    context: Vec<f32>,
    /// Per (sequence, query head, position): the log of the softmax's denominator, with which
    /// the backward pass recomputes the probabilities. `[batch, heads, seq]`.
    log_sum_exp: Vec<f32>,
}

/// Causal attention of the projection `qkv` (see [`Geometry`]).
fn forward(qkv: &[f32], g: Geometry, rotary: Rotary) -> Forward {
    assert_eq!(
        qkv.len(),
        g.batch * g.seq * g.width(),
        "projection of another shape"
    );
    let (seq, head_dim, groups) = (g.seq, g.head_dim, g.groups());
    // Per task, its query heads' contexts `[groups, seq, head_dim]`: [batch, heads, seq, head_dim].
    let mut contexts = vec![0f32; g.batch * g.heads * g.head_len()];
    let mut log_sum_exp = vec![0f32; g.batch * g.heads * seq];
    contexts
        .par_chunks_mut(groups * g.head_len())
        .zip(log_sum_exp.par_chunks_mut(groups * seq))
        .enumerate()
        .for_each(|(task, (contexts, log_sum_exp))| {
            let (b, kv) = (task / g.kv_heads, task % g.kv_heads);
            let [keys, values] = keys_and_values(qkv, &g, rotary, b, kv);
            let mut scores = vec![0f32; BLOCK.min(seq) * seq];
            let heads = contexts
                .chunks_exact_mut(g.head_len())
                .zip(log_sum_exp.chunks_exact_mut(seq));
            for (member, (context, log_sum_exp)) in heads.enumerate() {
                let queries = queries(qkv, &g, rotary, b, g.query_head(kv, member));
                for (start, end) in blocks(seq) {
                    let rows = end - start;
                    // This block's scores, `[rows, end]`.
                    let scores = &mut scores[..rows * end];
                    let block_queries = View::rows(&queries[start * head_dim..], rows, head_dim);
                    let visible_keys = View::rows(&keys, end, head_dim);
                    multiply(scores, end, block_queries, visible_keys.t(), false);
                    for (r, row) in scores.chunks_exact_mut(end).enumerate() {
                        log_sum_exp[start + r] = causal_softmax(row, start + r);
                    }
                    let probabilities = View::rows(scores, rows, end);
                    let visible_values = View::rows(&values, end, head_dim);
                    let context = &mut context[start * head_dim..end * head_dim];
                    multiply(context, head_dim, probabilities, visible_values, false);
                }
            }
        });
    Forward {
        context: interleave_heads(&contexts, &g),
        log_sum_exp,
    }
}

/// Turns `row` (position `i`'s scores) into probabilities over keys `0..=i`, zero after, and
/// returns the log of the denominator (with the maximum added back).
fn causal_softmax(row: &mut [f32], i: usize) -> f32 {
    let (visible, masked) = row.split_at_mut(i + 1);
    let largest = max(visible);
    visible
        .iter_mut()
        .for_each(|x| *x = exp_nonpositive(*x - largest));
    let total = sum(visible, |e| e);
    let to_probability = 1.0 / total;
    visible.iter_mut().for_each(|e| *e *= to_probability);
    masked.fill(0.0);
    largest + total.ln()
}

/// `[batch, heads, seq, head_dim]` to `[batch × seq, heads × head_dim]`.
fn interleave_heads(per_head: &[f32], g: &Geometry) -> Vec<f32> {
    let mut out = vec![0f32; g.batch * g.seq * g.context_width()];
    out.par_chunks_mut(g.context_width())
        .enumerate()
        .for_each(|(row, out)| {
            let (b, i) = (row / g.seq, row % g.seq);
            for (h, out) in out.chunks_exact_mut(g.head_dim).enumerate() {
                let from = ((b * g.heads + h) * g.seq + i) * g.head_dim;
                out.copy_from_slice(&per_head[from..from + g.head_dim]);
            }
        });
    out
}

/// The gradient with respect to the projection `[batch × seq, width]`, given the gradient of
/// the context `d_context`, and the forward pass's input and results ([`Forward`]).
fn backward(
    qkv: &[f32],
    context: &[f32],
    log_sum_exp: &[f32],
    d_context: &[f32],
    g: Geometry,
    rotary: Rotary,
) -> Vec<f32> {
    let context_len = g.batch * g.seq * g.context_width();
    assert_eq!(
        qkv.len(),
        g.batch * g.seq * g.width(),
        "projection of another shape"
    );
    assert_eq!(
        d_context.len(),
        context_len,
        "context gradient of another shape"
    );
    assert_eq!(context.len(), context_len, "context of another shape");
    assert_eq!(
        log_sum_exp.len(),
        g.batch * g.heads * g.seq,
        "denominators of another shape"
    );
    let (seq, head_dim, groups) = (g.seq, g.head_dim, g.groups());
    // Per task: its query heads' gradients, then its keys', then its values', each
    // `[seq, head_dim]`.
    let task_len = (groups + 2) * g.head_len();
    let mut per_task = vec![0f32; g.batch * g.kv_heads * task_len];
    per_task
        .par_chunks_mut(task_len)
        .enumerate()
        .for_each(|(task, gradients)| {
            let (b, kv) = (task / g.kv_heads, task % g.kv_heads);
            let [keys, values] = keys_and_values(qkv, &g, rotary, b, kv);
            let (d_queries, d_keys_values) = gradients.split_at_mut(groups * g.head_len());
            let (d_keys, d_values) = d_keys_values.split_at_mut(g.head_len());
            let mut probabilities = vec![0f32; BLOCK.min(seq) * seq];
            let mut d_scores = vec![0f32; BLOCK.min(seq) * seq];
            for (member, d_queries) in d_queries.chunks_exact_mut(g.head_len()).enumerate() {
                let h = g.query_head(kv, member);
                let queries = queries(qkv, &g, rotary, b, h);
                let column = g.context_column(h);
                let outputs = head_rows(context, g.context_width(), &g, b, column);
                let d_outputs = head_rows(d_context, g.context_width(), &g, b, column);
                let log_sum_exp = &log_sum_exp[(b * g.heads + h) * seq..][..seq];
                for (start, end) in blocks(seq) {
                    let rows = end - start;
                    let probabilities = &mut probabilities[..rows * end];
                    let d_scores = &mut d_scores[..rows * end];
                    let block_queries = View::rows(&queries[start * head_dim..], rows, head_dim);
                    let block_d_outputs =
                        View::rows(&d_outputs[start * head_dim..], rows, head_dim);
                    let visible_keys = View::rows(&keys, end, head_dim);
                    let visible_values = View::rows(&values, end, head_dim);
                    // The forward pass's probabilities, from its scores and denominators.
                    multiply(probabilities, end, block_queries, visible_keys.t(), false);
                    for (r, row) in probabilities.chunks_exact_mut(end).enumerate() {
                        let i = start + r;
                        let (visible, masked) = row.split_at_mut(i + 1);
                        let log_total = log_sum_exp[i];
                        visible
                            .iter_mut()
                            .for_each(|x| *x = exp_nonpositive(*x - log_total));
                        masked.fill(0.0);
                    }
                    let block_probabilities = View::rows(probabilities, rows, end);
                    multiply(
                        &mut d_values[..end * head_dim],
                        head_dim,
                        block_probabilities.t(),
                        block_d_outputs,
                        true,
                    );
                    // The softmax's backward: dS = P ⊙ (dP − rowsum(dO ⊙ O)).
                    multiply(d_scores, end, block_d_outputs, visible_values.t(), false);
                    for (r, (d_row, p_row)) in d_scores
                        .chunks_exact_mut(end)
                        .zip(probabilities.chunks_exact(end))
                        .enumerate()
                    {
                        let i = start + r;
                        let at = i * head_dim..(i + 1) * head_dim;
                        let delta: f32 = d_outputs[at.clone()]
                            .iter()
                            .zip(&outputs[at])
                            .map(|(d, o)| d * o)
                            .sum();
                        d_row
                            .iter_mut()
                            .zip(p_row)
                            .for_each(|(d, &p)| *d = p * (*d - delta));
                    }
                    let block_d_scores = View::rows(d_scores, rows, end);
                    multiply(
                        &mut d_queries[start * head_dim..end * head_dim],
                        head_dim,
                        block_d_scores,
                        visible_keys,
                        false,
                    );
                    multiply(
                        &mut d_keys[..end * head_dim],
                        head_dim,
                        block_d_scores.t(),
                        block_queries,
                        true,
                    );
                }
                // The queries were scaled before the product.
                rotary.rotate_back(d_queries, head_dim, g.scale());
            }
            rotary.rotate_back(d_keys, head_dim, 1.0);
        });
    scatter_into_projection(&per_task, &g)
}

/// Per-task gradients (see [`backward`]) to `[batch × seq, width]`.
fn scatter_into_projection(per_task: &[f32], g: &Geometry) -> Vec<f32> {
    let (groups, head_dim) = (g.groups(), g.head_dim);
    let task_len = (groups + 2) * g.head_len();
    let mut out = vec![0f32; g.batch * g.seq * g.width()];
    out.par_chunks_mut(g.width())
        .enumerate()
        .for_each(|(row, out)| {
            let (b, i) = (row / g.seq, row % g.seq);
            for kv in 0..g.kv_heads {
                let task = &per_task[(b * g.kv_heads + kv) * task_len..][..task_len];
                let at = |part: usize| &task[part * g.head_len() + i * head_dim..][..head_dim];
                for member in 0..groups {
                    let column = g.query_column(g.query_head(kv, member));
                    out[column..column + head_dim].copy_from_slice(at(member));
                }
                let column = g.key_column(kv);
                out[column..column + head_dim].copy_from_slice(at(groups));
                let column = g.value_column(kv);
                out[column..column + head_dim].copy_from_slice(at(groups + 1));
            }
        });
    out
}
