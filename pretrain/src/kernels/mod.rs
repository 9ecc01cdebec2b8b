//! Hand-written CPU kernels, each with its own backward pass, where burn's composed ops cost
//! most of a training step: attention, RMSNorm and SwiGLU's gate (here), and the loss
//! (`training::loss`).
//!
//! burn builds these from element-wise tensor ops, each a pass over memory that allocates its
//! result, and autodiff records as many again for the backward pass. Before these kernels, a
//! `mini` training step without attention ran 1.7× as fast, though attention is 7 % of its
//! arithmetic, and one without the norms or without the gate a quarter to a third faster
//! (`scripts/bench-pretrain.sh`'s setting, runs that skipped each). A kernel here reads its
//! inputs once and writes its output once, forward and backward. CUDA keeps burn's ops, which its
//! fusion already joins.
//!
//! The model is generic over its backend and Rust has no specialisation, so [`fused`] checks at
//! run time whether the backend is the CPU backend (with or without autodiff) and otherwise
//! hands its inputs back for burn's ops.

mod attention;
mod math;
mod matmul;
mod rms_norm;
mod swiglu;

pub(crate) use attention::rotary_causal_attention;
pub(crate) use math::{exp_nonpositive, max, sum};
pub(crate) use rms_norm::rms_norm;
pub(crate) use swiglu::silu_gate;

use crate::CpuBackend;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::Autodiff;
use burn::tensor::backend::Backend;
use burn::tensor::{DType, Shape, Tensor, TensorData, TensorPrimitive};
use std::any::{Any, TypeId};
use std::fmt::Debug;

/// The CPU backend under autodiff (what training runs on).
type Tracked = Autodiff<CpuBackend>;

/// An operation on `N` f32 tensors, computed on their contiguous values.
pub(crate) trait FusedOp<const N: usize>: Debug + Send + Sized + 'static {
    /// What the backward pass needs of the forward pass besides its inputs and output.
    type Saved: Clone + Debug + Send + 'static;

    /// The output's shape for inputs of these shapes.
    fn output_shape(&self, inputs: [&Shape; N]) -> Shape;

    fn forward(&self, inputs: [&[f32]; N]) -> (Vec<f32>, Self::Saved);

    /// The gradient with respect to each input (same length as the input), given the gradient
    /// with respect to the output.
    fn backward(
        &self,
        inputs: [&[f32]; N],
        output: &[f32],
        saved: &Self::Saved,
        d_output: &[f32],
    ) -> [Vec<f32>; N];
}

/// Whether the kernels run on backend `B`: the CPU backend, with or without autodiff.
pub(crate) fn runs_on<B: Backend>() -> bool {
    let backend = TypeId::of::<B>();
    backend == TypeId::of::<Tracked>() || backend == TypeId::of::<CpuBackend>()
}

/// `op` on `inputs` when `B` is the CPU backend and the inputs are f32, tracked by autodiff when
/// `B` is; `Err(inputs)` otherwise.
pub(crate) fn fused<B: Backend, const D: usize, const N: usize, Op: FusedOp<N>>(
    op: Op,
    inputs: [Tensor<B, D>; N],
) -> Result<Tensor<B, D>, [Tensor<B, D>; N]> {
    if !runs_on::<B>() || inputs.iter().any(|input| input.dtype() != DType::F32) {
        return Err(inputs);
    }
    let inputs = match downcast::<_, [Tensor<Tracked, D>; N]>(inputs) {
        Ok(inputs) => return Ok(downcast(tracked(op, inputs)).expect("B is the tracked backend")),
        Err(inputs) => inputs,
    };
    let inputs = downcast::<_, [Tensor<CpuBackend, D>; N]>(inputs)?;
    let inputs = inputs.map(|tensor| tensor.into_primitive().tensor().to_contiguous());
    let (output, _) = run(&op, &inputs);
    let output = Tensor::<CpuBackend, D>::from_primitive(TensorPrimitive::Float(output));
    Ok(downcast(output).expect("B is the CPU backend"))
}

/// A tensor's values when `B` is the CPU backend (with or without autodiff), contiguous: for
/// constants an op keeps (no gradient flows to them).
pub(crate) fn host_values<B: Backend, const D: usize>(tensor: &Tensor<B, D>) -> Option<FlexTensor> {
    let any = tensor as &dyn Any;
    let inner = match any.downcast_ref::<Tensor<Tracked, D>>() {
        Some(tracked) => tracked.clone().inner(),
        None => any.downcast_ref::<Tensor<CpuBackend, D>>()?.clone(),
    };
    Some(inner.into_primitive().tensor().to_contiguous())
}

/// `value` as a `U` when it is one, else `value` back.
fn downcast<T: 'static, U: 'static>(value: T) -> Result<U, T> {
    let boxed: Box<dyn Any> = Box::new(value);
    boxed
        .downcast::<U>()
        .map(|u| *u)
        .map_err(|boxed| *boxed.downcast::<T>().expect("the value just boxed"))
}

fn run<const N: usize, Op: FusedOp<N>>(
    op: &Op,
    inputs: &[FlexTensor; N],
) -> (FlexTensor, Op::Saved) {
    let shape = op.output_shape(inputs.each_ref().map(|t| t.layout().shape()));
    let (output, saved) = op.forward(inputs.each_ref().map(|t| t.storage::<f32>()));
    (FlexTensor::from_data(TensorData::new(output, shape)), saved)
}

/// The forward pass under autodiff, recording the op's backward pass when an input needs a
/// gradient.
fn tracked<const D: usize, const N: usize, Op: FusedOp<N>>(
    op: Op,
    inputs: [Tensor<Tracked, D>; N],
) -> Tensor<Tracked, D> {
    let nodes = inputs
        .each_ref()
        .map(|tensor| tensor.clone().into_primitive().tensor().node);
    let inputs = inputs.map(|tensor| tensor.inner().into_primitive().tensor().to_contiguous());
    let (output, saved) = run(&op, &inputs);
    let recorded = Recorded(op)
        .prepare::<NoCheckpointing>(nodes)
        .compute_bound()
        .stateful();
    let output = match recorded {
        OpsKind::Tracked(prep) => {
            let state = State {
                inputs,
                output: output.clone(),
                saved,
            };
            prep.finish(state, output)
        }
        OpsKind::UnTracked(prep) => prep.finish(output),
    };
    Tensor::from_primitive(TensorPrimitive::Float(output))
}

/// A [`FusedOp`] in the autodiff graph.
#[derive(Debug)]
struct Recorded<Op>(Op);

#[derive(Debug, Clone)]
struct State<const N: usize, Saved> {
    inputs: [FlexTensor; N],
    output: FlexTensor,
    saved: Saved,
}

impl<const N: usize, Op: FusedOp<N>> Backward<CpuBackend, N> for Recorded<Op> {
    type State = State<N, Op::Saved>;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_output = grads.consume::<CpuBackend>(&ops.node).to_contiguous();
        let State {
            inputs,
            output,
            saved,
        } = ops.state;
        let gradients = self.0.backward(
            inputs.each_ref().map(|t| t.storage::<f32>()),
            output.storage::<f32>(),
            &saved,
            d_output.storage::<f32>(),
        );
        for ((parent, gradient), input) in ops.parents.into_iter().zip(gradients).zip(&inputs) {
            if let Some(parent) = parent {
                let shape = input.layout().shape().clone();
                let gradient = FlexTensor::from_data(TensorData::new(gradient, shape));
                grads.register::<CpuBackend>(parent.id, gradient);
            }
        }
    }
}

/// Comparing a kernel with burn's ops.
#[cfg(test)]
pub(crate) mod testing {
    use super::Tracked;
    use crate::CpuBackend;
    use burn::tensor::backend::Backend;
    use burn::tensor::{Distribution, Tensor, TensorData, Tolerance};

    /// The output of `f` on `inputs`, then the gradient of each input under an arbitrary
    /// upstream gradient (so every output value matters).
    pub(crate) fn values_and_gradients<const N: usize, const D: usize>(
        inputs: [Tensor<CpuBackend, D>; N],
        f: impl Fn([Tensor<Tracked, D>; N]) -> Tensor<Tracked, D>,
    ) -> Vec<TensorData> {
        let device = Default::default();
        let inputs = inputs.map(|input| Tensor::<Tracked, D>::from_inner(input).require_grad());
        let output = f(inputs.clone());
        CpuBackend::seed(&device, 11);
        let upstream = Tensor::random(output.shape(), Distribution::Default, &device);
        let grads = (output.clone() * upstream).sum().backward();
        let gradients = inputs
            .iter()
            .map(|input| input.grad(&grads).unwrap().into_data());
        std::iter::once(output.inner().into_data())
            .chain(gradients)
            .collect()
    }

    /// Both ways give the same values and gradients, within `absolute`.
    pub(crate) fn assert_same(fused: Vec<TensorData>, composed: Vec<TensorData>, absolute: f64) {
        for (fused, composed) in fused.iter().zip(&composed) {
            fused.assert_approx_eq::<f32>(composed, Tolerance::absolute(absolute));
        }
    }
}
