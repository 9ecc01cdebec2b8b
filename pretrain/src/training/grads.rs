//! Gradient clipping by the global norm: the norm over every parameter's gradient, and scaling
//! them all by one factor.

use super::scalar;
use crate::model::Model;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::Tensor;

/// Sum of squared gradients of every parameter, then the square root: the global L2 norm.
struct SquaredNorm<'a, B: AutodiffBackend> {
    grads: &'a GradientsParams,
    total: Option<Tensor<B::InnerBackend, 1>>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for SquaredNorm<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if let Some(grad) = self.grads.get::<B::InnerBackend, D>(param.id) {
            let squares = grad.cast(burn::tensor::FloatDType::F32).square().sum();
            self.total = Some(match self.total.take() {
                Some(total) => total + squares,
                None => squares,
            });
        }
    }
}

pub(super) fn global_norm<B: AutodiffBackend>(model: &Model<B>, grads: &GradientsParams) -> f64 {
    let mut visitor = SquaredNorm::<B> { grads, total: None };
    model.visit(&mut visitor);
    visitor.total.map_or(0.0, |t| scalar(t).sqrt())
}

/// Multiplies every gradient by `factor` (global-norm clipping; burn's own clipping works per
/// tensor, which changes the update's direction).
struct ScaleGrads<'a> {
    grads: &'a mut GradientsParams,
    factor: f64,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for ScaleGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if let Some(grad) = self.grads.remove::<B::InnerBackend, D>(param.id) {
            self.grads
                .register::<B::InnerBackend, D>(param.id, grad.mul_scalar(self.factor));
        }
    }
}

pub(super) fn scale_grads<B: AutodiffBackend>(
    model: &Model<B>,
    grads: &mut GradientsParams,
    factor: f64,
) {
    model.visit(&mut ScaleGrads { grads, factor });
}
