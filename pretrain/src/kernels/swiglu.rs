//! SwiGLU's gate, `silu(gate) ⊙ up = gate σ(gate) ⊙ up`, and its gradient, one pass each way.
//! burn's `silu` and the product are three tensor ops forward and six backward, over the MLP's
//! widest activations (`d_ff` per token).

use super::math::exp_nonpositive;
use super::{fused, FusedOp};
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};
use rayon::prelude::*;

/// Values a task takes.
const CHUNK: usize = 1 << 14;

/// `silu(gate) ⊙ up` for two tensors of one shape; `Err([gate, up])` when `B` is not the CPU
/// backend.
pub(crate) fn silu_gate<B: Backend>(
    gate: Tensor<B, 3>,
    up: Tensor<B, 3>,
) -> Result<Tensor<B, 3>, [Tensor<B, 3>; 2]> {
    assert_eq!(gate.dims(), up.dims(), "gate and up of other shapes");
    fused(SiluGate, [gate, up])
}

#[derive(Debug)]
struct SiluGate;

/// The logistic function, through `e^x` of non-positive `x` only (no overflow, and the
/// vectorised `exp` of the loss).
fn sigmoid(x: f32) -> f32 {
    let e = exp_nonpositive(-x.abs());
    let s = 1.0 / (1.0 + e);
    if x >= 0.0 {
        s
    } else {
        e * s
    }
}

impl FusedOp<2> for SiluGate {
    type Saved = ();

    fn output_shape(&self, [gate, _]: [&Shape; 2]) -> Shape {
        gate.clone()
    }

    fn forward(&self, [gate, up]: [&[f32]; 2]) -> (Vec<f32>, ()) {
        let mut out = vec![0f32; gate.len()];
        out.par_chunks_mut(CHUNK)
            .zip(gate.par_chunks(CHUNK).zip(up.par_chunks(CHUNK)))
            .for_each(|(out, (gate, up))| {
                for ((out, &g), &u) in out.iter_mut().zip(gate).zip(up) {
                    *out = g * sigmoid(g) * u;
                }
            });
        (out, ())
    }

    /// `d_up = dy ⊙ silu(gate)`, `d_gate = dy ⊙ up ⊙ σ(gate) (1 + gate (1 − σ(gate)))`.
    fn backward(&self, [gate, up]: [&[f32]; 2], _: &[f32], _: &(), dy: &[f32]) -> [Vec<f32>; 2] {
        let mut d_gate = vec![0f32; gate.len()];
        let mut d_up = vec![0f32; up.len()];
        d_gate
            .par_chunks_mut(CHUNK)
            .zip(d_up.par_chunks_mut(CHUNK))
            .zip(gate.par_chunks(CHUNK).zip(up.par_chunks(CHUNK)))
            .zip(dy.par_chunks(CHUNK))
            .for_each(|(((d_gate, d_up), (gate, up)), dy)| {
                for i in 0..gate.len() {
                    let (g, s) = (gate[i], sigmoid(gate[i]));
                    d_up[i] = dy[i] * g * s;
                    d_gate[i] = dy[i] * up[i] * s * (1.0 + g * (1.0 - s));
                }
            });
        [d_gate, d_up]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{assert_same, values_and_gradients};
    use crate::CpuBackend;
    use burn::tensor::activation::silu;
    use burn::tensor::{Distribution, FloatDType};

    #[test]
    fn fused_gate_and_its_gradient_are_burns() {
        let device = Default::default();
        CpuBackend::seed(&device, 6);
        // Over one task's chunk, with large gates of both signs.
        let shape = [2, 100, 90];
        let gate = Tensor::<CpuBackend, 3>::random(shape, Distribution::Normal(0.0, 6.0), &device);
        let up = Tensor::random(shape, Distribution::Normal(0.0, 1.0), &device);
        let fused = values_and_gradients([gate.clone(), up.clone()], |[gate, up]| {
            silu_gate(gate, up).expect("the CPU backend")
        });
        let composed = values_and_gradients([gate, up], |[gate, up]| silu(gate) * up);
        assert_same(fused, composed, 1e-5);
    }

    #[test]
    fn other_dtypes_take_burns_ops() {
        let device = Default::default();
        let half = Tensor::<CpuBackend, 3>::ones([1, 2, 3], &device).cast(FloatDType::BF16);
        assert!(silu_gate(half.clone(), half).is_err());
    }

    #[test]
    fn sigmoid_is_the_logistic_function() {
        for i in -2000..=2000 {
            let x = i as f32 * 0.05;
            let exact = 1.0 / (1.0 + (-x as f64).exp());
            assert!((sigmoid(x) as f64 - exact).abs() < 1e-6, "σ({x})");
        }
    }
}
