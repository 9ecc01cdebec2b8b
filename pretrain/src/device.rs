//! Choosing where to train at run time: the CPU everywhere, an NVIDIA GPU when the binary was
//! built with the `cuda` feature and the machine has one.

use crate::{PretrainError, Result};
use burn::tensor::FloatDType;
use serde::{Deserialize, Serialize};

/// Where tensors live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    Cpu,
    #[serde(alias = "gpu")]
    Cuda,
}

mekong_common::display_as_name!(DeviceKind, Precision);

/// Evaluates `$body` with `$B` naming the backend of `$device` (a [`DeviceKind`]): the CPU
/// backend, or CUDA's in a build with the `cuda` feature. The one place where a run meets its
/// backend type; [`resolve_device`] never picks CUDA in a build without it. The `cfg` is the
/// calling crate's, so a crate that uses this has a `cuda` feature forwarding to this crate's.
#[macro_export]
macro_rules! with_backend {
    ($device:expr, |$B:ident| $body:expr) => {
        match $device {
            $crate::DeviceKind::Cpu => {
                type $B = $crate::CpuBackend;
                $body
            }
            #[cfg(feature = "cuda")]
            $crate::DeviceKind::Cuda => {
                type $B = $crate::CudaBackend;
                $body
            }
            #[cfg(not(feature = "cuda"))]
            $crate::DeviceKind::Cuda => {
                unreachable!("resolve_device never picks CUDA in a build without it")
            }
        }
    };
}

/// The device to use: the one asked for (failing clearly when it is not there), or CUDA when
/// built in and present, else the CPU.
pub fn resolve_device(requested: Option<DeviceKind>) -> Result<DeviceKind> {
    match requested {
        Some(DeviceKind::Cpu) => Ok(DeviceKind::Cpu),
        Some(DeviceKind::Cuda) if !cfg!(feature = "cuda") => Err(PretrainError::Config {
            message: "this mekong was built without CUDA support: rebuild with `--features cuda`"
                .to_string(),
        }),
        Some(DeviceKind::Cuda) if !cuda_available() => Err(PretrainError::Config {
            message: "no usable CUDA device: the NVIDIA driver or GPU was not found".to_string(),
        }),
        Some(DeviceKind::Cuda) => Ok(DeviceKind::Cuda),
        None if cuda_available() => Ok(DeviceKind::Cuda),
        None => Ok(DeviceKind::Cpu),
    }
}

/// Whether a CUDA device answers. cudarc loads the driver lazily and panics when it is
/// missing, so the probe runs one tiny op under `catch_unwind` with the panic message muted.
#[cfg(feature = "cuda")]
pub fn cuda_available() -> bool {
    use burn::tensor::Tensor;
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let probe = std::panic::catch_unwind(|| {
            let device = burn::backend::cuda::CudaDevice::default();
            Tensor::<crate::CudaBackend, 1>::zeros([1], &device).into_data();
        });
        std::panic::set_hook(hook);
        probe.is_ok()
    })
}

#[cfg(not(feature = "cuda"))]
pub fn cuda_available() -> bool {
    false
}

/// Precision of matrix multiplies during training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// bf16 on CUDA, f32 on the CPU.
    Auto,
    F32,
    Bf16,
    F16,
}

impl Precision {
    /// The compute dtype on `device` (`None` = f32 throughout). The CPU backend computes in f32
    /// only, so half precision there is refused rather than silently ignored.
    pub fn compute_dtype(self, device: DeviceKind) -> Result<Option<FloatDType>> {
        match (self, device) {
            (Precision::Auto, DeviceKind::Cuda) | (Precision::Bf16, DeviceKind::Cuda) => {
                Ok(Some(FloatDType::BF16))
            }
            (Precision::F16, DeviceKind::Cuda) => Ok(Some(FloatDType::F16)),
            (Precision::Auto, DeviceKind::Cpu) | (Precision::F32, _) => Ok(None),
            (other, DeviceKind::Cpu) => Err(PretrainError::Config {
                message: format!(
                    "precision {other:?} needs a CUDA device; the CPU backend trains in f32"
                ),
            }),
        }
    }
}
