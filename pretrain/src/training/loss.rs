//! The training loss: the mean cross-entropy of next-token logits `[tokens, vocab]`.
//!
//! On the CPU it is one fused kernel with a backward of its own, as PyTorch's `cross_entropy`
//! is: burn's composed loss (log-softmax, gather, mean, then their backward ops) makes about ten
//! passes over the logits, each allocating a tensor of their size, and with a 16k vocabulary
//! those passes were most of a training step (`scripts/bench-pretrain.sh`). The fused kernel
//! takes one row at a time while it is in cache and turns it into its gradient during the
//! forward pass, allocating nothing when it owns the logits, so the backward pass only scales it
//! (which is why it does not go through `kernels::FusedOp`, whose ops allocate their gradients).
//! burn has no fused cross-entropy for its CPU backend; CUDA keeps burn's composed loss, whose
//! kernels its fusion already joins.

use crate::kernels::{exp_nonpositive, max, sum};
use crate::CpuBackend;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{unary, Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::Autodiff;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{DType, Int, Tensor, TensorData, TensorPrimitive};
use rayon::prelude::*;

/// A backend's training loss.
pub(crate) trait NextTokenLoss: AutodiffBackend {
    /// Mean cross-entropy `[1]` of `logits [n, vocab]` against `targets [n]`.
    fn next_token_loss(logits: Tensor<Self, 2>, targets: Tensor<Self, 1, Int>) -> Tensor<Self, 1>;
}

#[cfg(feature = "cuda")]
impl NextTokenLoss for Autodiff<crate::CudaBackend> {
    fn next_token_loss(logits: Tensor<Self, 2>, targets: Tensor<Self, 1, Int>) -> Tensor<Self, 1> {
        burn::nn::loss::CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, targets)
    }
}

impl NextTokenLoss for Autodiff<CpuBackend> {
    fn next_token_loss(logits: Tensor<Self, 2>, targets: Tensor<Self, 1, Int>) -> Tensor<Self, 1> {
        let logits = logits.into_primitive().tensor();
        let targets = target_ids(targets.into_primitive());
        let prepared = CrossEntropyBackward
            .prepare::<NoCheckpointing>([logits.node.clone()])
            .compute_bound()
            .stateful();
        let loss = match prepared {
            OpsKind::Tracked(prep) => {
                let (loss, gradient) = cross_entropy(logits.primitive, &targets, true);
                prep.finish(gradient.expect("asked for"), loss)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(cross_entropy(logits.primitive, &targets, false).0)
            }
        };
        Tensor::from_primitive(TensorPrimitive::Float(loss))
    }
}

/// The loss's backward: its state is the gradient of the loss with respect to the logits,
/// computed in the forward pass; the upstream gradient (a scalar) only scales it.
#[derive(Debug)]
struct CrossEntropyBackward;

impl Backward<CpuBackend, 1> for CrossEntropyBackward {
    type State = FlexTensor;

    fn backward(self, ops: Ops<FlexTensor, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let mut gradient = ops.state;
        unary::<CpuBackend, _>(ops.parents, ops.node, grads, |upstream| {
            let upstream = upstream.into_data().to_vec::<f32>().expect("an f32 loss")[0];
            if upstream != 1.0 {
                // In place: the state is this gradient's only owner.
                gradient
                    .storage_mut::<f32>()
                    .par_iter_mut()
                    .for_each(|g| *g *= upstream);
            }
            gradient
        });
    }
}

fn target_ids(targets: FlexTensor) -> Vec<usize> {
    let data = targets.into_data();
    match data.dtype {
        DType::I64 => data.iter::<i64>().map(|t| t as usize).collect(),
        _ => data.iter::<i32>().map(|t| t as usize).collect(),
    }
}

/// The mean loss `[1]` and, when asked, its gradient `[n, vocab]`: per row, the softmax of the
/// logits less one at the target, over `n`, written over the logits when nothing else holds
/// them (a fresh buffer of that size costs a page fault per 4 KiB). Rows run in parallel, each
/// summed in a fixed order, so the result does not depend on the thread count.
fn cross_entropy(
    logits: FlexTensor,
    targets: &[usize],
    with_gradient: bool,
) -> (FlexTensor, Option<FlexTensor>) {
    let shape = logits.layout().shape().clone();
    let (rows, vocab) = (shape[0], shape[1]);
    assert_eq!(rows, targets.len(), "one target per row of logits");
    if let Some(&t) = targets.iter().find(|&&t| t >= vocab) {
        panic!("target token {t} is outside the vocabulary of {vocab}");
    }
    // The whole buffer, in row-major order (a copy only for a view).
    let mut logits = logits.to_contiguous();
    let scale = 1.0 / rows as f32;
    let (losses, gradient): (Vec<f32>, _) = if !with_gradient {
        let losses = logits
            .storage::<f32>()
            .par_chunks(vocab)
            .zip(targets.par_iter())
            .map(|(row, &target)| {
                let max = max(row);
                max + sum(row, |x| exp_nonpositive(x - max)).ln() - row[target]
            })
            .collect();
        (losses, None)
    } else if let Some(values) = logits.try_storage_mut::<f32>() {
        let losses = values
            .par_chunks_mut(vocab)
            .zip(targets.par_iter())
            .map(|(row, &target)| into_gradient(row, target, scale))
            .collect();
        (losses, Some(logits))
    } else {
        // Shared (the graph holds them): each row is copied while it is in cache.
        let mut gradient = vec![0f32; rows * vocab];
        let losses = gradient
            .par_chunks_mut(vocab)
            .zip(logits.storage::<f32>().par_chunks(vocab))
            .zip(targets.par_iter())
            .map(|((gradient, row), &target)| {
                gradient.copy_from_slice(row);
                into_gradient(gradient, target, scale)
            })
            .collect();
        let gradient = FlexTensor::from_data(TensorData::new(gradient, [rows, vocab]));
        (losses, Some(gradient))
    };
    let mean = losses.iter().map(|&l| l as f64).sum::<f64>() / rows as f64;
    let loss = FlexTensor::from_data(TensorData::new(vec![mean as f32], [1]));
    (loss, gradient)
}

/// One row's loss; turns the row into `(softmax(row) - onehot(target)) × scale`.
fn into_gradient(row: &mut [f32], target: usize, scale: f32) -> f32 {
    let (max, chosen) = (max(row), row[target]);
    row.iter_mut().for_each(|x| *x = exp_nonpositive(*x - max));
    let total = sum(row, |e| e);
    let to_probability = scale / total;
    row.iter_mut().for_each(|e| *e *= to_probability);
    row[target] -= scale;
    max + total.ln() - chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::loss::CrossEntropyLossConfig;
    use burn::tensor::Distribution;

    type B = Autodiff<CpuBackend>;

    /// Loss and logits gradient, by the fused kernel and by burn's composed loss.
    fn both(rows: usize, vocab: usize, upstream: f32) -> [(f32, Vec<f32>); 2] {
        let device = Default::default();
        <CpuBackend as burn::tensor::backend::Backend>::seed(&device, 7);
        let logits =
            Tensor::<CpuBackend, 2>::random([rows, vocab], Distribution::Normal(0.0, 3.0), &device);
        let targets: Vec<i64> = (0..rows).map(|i| ((i * 7919) % vocab) as i64).collect();
        let run = |fused: bool| {
            let logits = Tensor::<B, 2>::from_inner(logits.clone()).require_grad();
            let targets = Tensor::<B, 1, Int>::from_data(targets.as_slice(), &device);
            let loss = if fused {
                B::next_token_loss(logits.clone(), targets)
            } else {
                CrossEntropyLossConfig::new()
                    .init(&device)
                    .forward(logits.clone(), targets)
            };
            let value = loss.clone().into_scalar();
            let grads = loss.mul_scalar(upstream).backward();
            let grad = logits.grad(&grads).unwrap().into_data().to_vec().unwrap();
            (value, grad)
        };
        [run(true), run(false)]
    }

    #[test]
    fn fused_loss_and_gradient_are_burns() {
        for (rows, vocab, upstream) in [(5, 11, 1.0), (64, 1000, 0.25), (3, 2, 2.0)] {
            let [(fused, fused_grad), (composed, composed_grad)] = both(rows, vocab, upstream);
            assert!(
                (fused - composed).abs() <= 1e-5 * composed.abs(),
                "{rows}×{vocab}: loss {fused} against burn's {composed}"
            );
            // Relative to the largest gradient (the entries are about 1 / (rows × vocab)).
            let largest = composed_grad.iter().fold(0f32, |m, g| m.max(g.abs()));
            let worst = fused_grad
                .iter()
                .zip(&composed_grad)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst <= 1e-5 * largest,
                "{rows}×{vocab}: gradients differ by {worst} (largest {largest})"
            );
        }
    }

    #[test]
    #[should_panic(expected = "target token 3 is outside the vocabulary of 3")]
    fn a_target_outside_the_vocabulary_is_refused() {
        let logits = FlexTensor::from_data(TensorData::new(vec![0f32; 6], [2, 3]));
        cross_entropy(logits, &[0, 3], false);
    }
}
