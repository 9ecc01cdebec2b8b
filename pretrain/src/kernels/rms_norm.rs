//! RMSNorm, `x / √(mean(x²) + ε) × γ` over the last dimension, and its gradient, one pass over
//! the rows each way. burn's `RmsNorm` is six tensor ops forward (square, mean, add, root,
//! divide, scale) and about ten backward.

use super::math::sum;
use super::{fused, runs_on, FusedOp};
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};
use rayon::prelude::*;

/// Rows a task takes in the backward pass; each task sums its own share of γ's gradient.
const ROWS: usize = 32;

/// RMSNorm of `x [.., .., width]` with the scale `gamma [width]`; `Err(x)` when `B` is not the
/// CPU backend.
pub(crate) fn rms_norm<B: Backend>(
    x: Tensor<B, 3>,
    gamma: Tensor<B, 1>,
    epsilon: f64,
) -> Result<Tensor<B, 3>, Tensor<B, 3>> {
    // Reshaped for the kernel only: elsewhere that would be one more op in the graph.
    if !runs_on::<B>() {
        return Err(x);
    }
    let [width] = gamma.dims();
    let op = RmsNorm {
        epsilon: epsilon as f32,
    };
    fused(op, [x, gamma.reshape([1, 1, width])]).map_err(|[x, _]| x)
}

#[derive(Debug)]
struct RmsNorm {
    epsilon: f32,
}

impl RmsNorm {
    /// `1 / √(mean(x²) + ε)` of one row.
    fn inverse_rms(&self, row: &[f32]) -> f32 {
        1.0 / (sum(row, |x| x * x) / row.len() as f32 + self.epsilon).sqrt()
    }
}

impl FusedOp<2> for RmsNorm {
    type Saved = ();

    fn output_shape(&self, [x, _]: [&Shape; 2]) -> Shape {
        x.clone()
    }

    fn forward(&self, [x, gamma]: [&[f32]; 2]) -> (Vec<f32>, ()) {
        let width = gamma.len();
        let mut out = vec![0f32; x.len()];
        out.par_chunks_mut(width)
            .zip(x.par_chunks(width))
            .for_each(|(out, x)| {
                let r = self.inverse_rms(x);
                for ((out, &x), &g) in out.iter_mut().zip(x).zip(gamma) {
                    *out = x * r * g;
                }
            });
        (out, ())
    }

    /// With `g = dy ⊙ γ` and `r` the row's inverse RMS: `dx = r g − x r³ (g · x) / width`, and
    /// `dγ = Σ_rows dy ⊙ x r`, summed per block of rows and then over the blocks in order, so
    /// the result does not depend on the thread count.
    fn backward(&self, [x, gamma]: [&[f32]; 2], _: &[f32], _: &(), dy: &[f32]) -> [Vec<f32>; 2] {
        let width = gamma.len();
        let block = ROWS * width;
        let mut dx = vec![0f32; x.len()];
        let shares: Vec<Vec<f32>> = dx
            .par_chunks_mut(block)
            .zip(x.par_chunks(block))
            .zip(dy.par_chunks(block))
            .map(|((dx, x), dy)| {
                let mut d_gamma = vec![0f32; width];
                let rows = dx
                    .chunks_exact_mut(width)
                    .zip(x.chunks_exact(width))
                    .zip(dy.chunks_exact(width));
                for ((dx, x), dy) in rows {
                    let r = self.inverse_rms(x);
                    let dot: f32 = x
                        .iter()
                        .zip(dy)
                        .zip(gamma)
                        .map(|((x, d), g)| x * d * g)
                        .sum();
                    let c = r * r * r * dot / width as f32;
                    for j in 0..width {
                        dx[j] = r * dy[j] * gamma[j] - x[j] * c;
                        d_gamma[j] += dy[j] * x[j] * r;
                    }
                }
                d_gamma
            })
            .collect();
        let mut d_gamma = vec![0f32; width];
        for share in shares {
            d_gamma.iter_mut().zip(share).for_each(|(d, s)| *d += s);
        }
        [dx, d_gamma]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{assert_same, values_and_gradients};
    use crate::CpuBackend;
    use burn::tensor::Distribution;

    #[test]
    fn fused_norm_and_its_gradient_are_burns() {
        let device = Default::default();
        CpuBackend::seed(&device, 5);
        // 70 rows: more than one block of the backward pass, the last one short.
        let x =
            Tensor::<CpuBackend, 3>::random([2, 35, 24], Distribution::Normal(0.0, 2.0), &device);
        let gamma = Tensor::random([1, 1, 24], Distribution::Normal(1.0, 0.3), &device);
        let epsilon = 1e-5;
        let fused = values_and_gradients([x.clone(), gamma.clone()], |[x, gamma]| {
            rms_norm(x, gamma.reshape([24]), epsilon).expect("the CPU backend")
        });
        let composed = values_and_gradients([x, gamma], |[x, gamma]| {
            let rms = (x.clone().square().mean_dim(2) + epsilon).sqrt();
            (x / rms) * gamma
        });
        assert_same(fused, composed, 1e-5);
    }
}
