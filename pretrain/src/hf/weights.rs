//! `model.safetensors` in Hugging Face Llama's tensor names, from and into Mekong's [`Model`].
//!
//! The layouts differ in two ways, both handled here and nowhere else:
//! - burn's `Linear` stores `[in, out]` (it computes `x W`); PyTorch's stores `[out, in]`;
//! - Mekong fuses the query, key and value projections into one `[d, d + 2 × kv_dim]` matrix
//!   (one matmul), Llama keeps `q_proj`, `k_proj`, `v_proj` apart.
//!
//! Mekong's RoPE uses Llama's rotate-half layout, so the query and key rows need no permutation.

use super::config::ExportDtype;
use crate::model::{Model, ModelConfig};
use crate::{PretrainError, Result};
use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;
use std::path::Path;

pub const WEIGHTS_FILE: &str = "model.safetensors";
const EMBEDDING: &str = "model.embed_tokens.weight";
const FINAL_NORM: &str = "model.norm.weight";
const LM_HEAD: &str = "lm_head.weight";

fn layer(i: usize, part: &str) -> String {
    format!("model.layers.{i}.{part}.weight")
}

/// A tensor on the host in PyTorch's layout: row-major values of `shape`.
struct HostTensor {
    shape: Vec<usize>,
    values: Vec<f32>,
}

impl HostTensor {
    fn of<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> Self {
        let shape = tensor.dims().to_vec();
        let values = tensor
            .into_data()
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("an f32 tensor converts to f32 values");
        HostTensor { shape, values }
    }

    /// burn's `[in, out]` linear weight as PyTorch's `[out, in]`.
    fn of_linear<B: Backend>(weight: Tensor<B, 2>) -> Self {
        Self::of(weight.transpose())
    }

    fn bytes(&self, dtype: ExportDtype) -> Vec<u8> {
        match dtype {
            ExportDtype::F32 => self.values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ExportDtype::Bf16 => self
                .values
                .iter()
                .flat_map(|&v| half::bf16::from_f32(v).to_le_bytes())
                .collect(),
        }
    }
}

/// Serialises `model` as a Llama `model.safetensors`.
pub fn to_safetensors<B: Backend>(
    model: &Model<B>,
    config: &ModelConfig,
    dtype: ExportDtype,
) -> Result<Vec<u8>> {
    let (d, kv) = (config.d_model, config.kv_dim());
    let mut tensors: Vec<(String, HostTensor)> = vec![
        (
            EMBEDDING.into(),
            HostTensor::of(model.embedding.weight.val()),
        ),
        (FINAL_NORM.into(), HostTensor::of(model.norm.gamma.val())),
    ];
    if let Some(head) = &model.lm_head {
        tensors.push((LM_HEAD.into(), HostTensor::of_linear(head.weight.val())));
    }
    for (i, block) in model.blocks.iter().enumerate() {
        let qkv = block.qkv.weight.val();
        for (name, from, width) in [("q_proj", 0, d), ("k_proj", d, kv), ("v_proj", d + kv, kv)] {
            let part = qkv.clone().narrow(1, from, width);
            tensors.push((
                layer(i, &format!("self_attn.{name}")),
                HostTensor::of_linear(part),
            ));
        }
        let linears = [
            ("self_attn.o_proj", &block.attention_out),
            ("mlp.gate_proj", &block.mlp.linear_inner),
            ("mlp.up_proj", &block.mlp.linear_outer),
            ("mlp.down_proj", &block.mlp_out),
        ];
        for (name, linear) in linears {
            tensors.push((layer(i, name), HostTensor::of_linear(linear.weight.val())));
        }
        tensors.push((
            layer(i, "input_layernorm"),
            HostTensor::of(block.attention_norm.gamma.val()),
        ));
        tensors.push((
            layer(i, "post_attention_layernorm"),
            HostTensor::of(block.mlp_norm.gamma.val()),
        ));
    }

    let st_dtype = match dtype {
        ExportDtype::F32 => Dtype::F32,
        ExportDtype::Bf16 => Dtype::BF16,
    };
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(name, tensor)| {
            let bytes = tensor.bytes(dtype);
            (name, tensor.shape, bytes)
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, data)| {
            safetensors::tensor::TensorView::new(st_dtype, shape.clone(), data)
                .map(|view| (name.as_str(), view))
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| PretrainError::Config {
            message: format!("cannot lay out a tensor for safetensors: {e}"),
        })?;
    // transformers refuses a safetensors file whose metadata does not name its framework.
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize(views, Some(metadata)).map_err(|e| PretrainError::Config {
        message: format!("cannot serialise the weights: {e}"),
    })
}

/// The tensors of one safetensors file, converted to f32 on request, each checked for the shape
/// the model expects.
struct WeightsFile<'a> {
    path: &'a Path,
    tensors: SafeTensors<'a>,
}

impl WeightsFile<'_> {
    fn bad(&self, message: String) -> PretrainError {
        PretrainError::BadInput {
            path: self.path.to_path_buf(),
            message,
        }
    }

    fn has(&self, name: &str) -> bool {
        self.tensors.names().contains(&name)
    }

    /// `name` as f32 values, after checking its shape is `shape` (PyTorch's layout).
    fn values(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let view = self
            .tensors
            .tensor(name)
            .map_err(|_| self.bad(format!("has no tensor {name}")))?;
        if view.shape() != shape {
            return Err(self.bad(format!(
                "tensor {name} has shape {:?}, the model's config needs {shape:?}",
                view.shape()
            )));
        }
        let data = view.data();
        let values = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => {
                return Err(self.bad(format!(
                    "tensor {name} is {other:?}; only F32, BF16 and F16 weights are read"
                )))
            }
        };
        Ok(values)
    }

    fn tensor<B: Backend, const D: usize>(
        &self,
        name: &str,
        shape: [usize; D],
        device: &B::Device,
    ) -> Result<Tensor<B, D>> {
        let values = self.values(name, &shape)?;
        Ok(Tensor::from_data(TensorData::new(values, shape), device))
    }

    /// PyTorch's `[out, in]` linear weight as burn's `[in, out]`.
    fn linear<B: Backend>(
        &self,
        name: &str,
        d_in: usize,
        d_out: usize,
        device: &B::Device,
    ) -> Result<Tensor<B, 2>> {
        Ok(self
            .tensor::<B, 2>(name, [d_out, d_in], device)?
            .transpose())
    }
}

fn set_linear<B: Backend>(linear: &mut Linear<B>, weight: Tensor<B, 2>) {
    linear.weight = Param::from_tensor(weight);
}

/// Builds the model of `config` with the weights of the safetensors file `path`, whose `bytes`
/// have been read.
pub fn from_safetensors<B: Backend>(
    path: &Path,
    bytes: &[u8],
    config: &ModelConfig,
    device: &B::Device,
) -> Result<Model<B>> {
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| PretrainError::BadInput {
        path: path.to_path_buf(),
        message: format!("not a readable safetensors file (truncated or damaged?): {e}"),
    })?;
    let file = WeightsFile { path, tensors };
    let (d, v, ff, kv) = (
        config.d_model,
        config.vocab_size,
        config.d_ff,
        config.kv_dim(),
    );
    let mut model = config.init::<B>(device)?;
    model.embedding.weight = Param::from_tensor(file.tensor(EMBEDDING, [v, d], device)?);
    model.norm.gamma = Param::from_tensor(file.tensor(FINAL_NORM, [d], device)?);
    // A tied checkpoint may still carry lm_head.weight (a copy of the embedding): the tied
    // model reads the embedding and ignores it.
    if let Some(head) = model.lm_head.as_mut() {
        if !file.has(LM_HEAD) {
            return Err(file.bad(format!(
                "has no {LM_HEAD}, but config.json says tie_word_embeddings is false"
            )));
        }
        set_linear(head, file.linear(LM_HEAD, d, v, device)?);
    }
    for (i, block) in model.blocks.iter_mut().enumerate() {
        let attention = |name: &str, width| file.linear::<B>(&layer(i, name), d, width, device);
        let qkv = Tensor::cat(
            vec![
                attention("self_attn.q_proj", d)?,
                attention("self_attn.k_proj", kv)?,
                attention("self_attn.v_proj", kv)?,
            ],
            1,
        );
        set_linear(&mut block.qkv, qkv);
        set_linear(&mut block.attention_out, attention("self_attn.o_proj", d)?);
        let gate = file.linear(&layer(i, "mlp.gate_proj"), d, ff, device)?;
        set_linear(&mut block.mlp.linear_inner, gate);
        let up = file.linear(&layer(i, "mlp.up_proj"), d, ff, device)?;
        set_linear(&mut block.mlp.linear_outer, up);
        let down = file.linear(&layer(i, "mlp.down_proj"), ff, d, device)?;
        set_linear(&mut block.mlp_out, down);
        let norm = |name: &str| file.tensor::<B, 1>(&layer(i, name), [d], device);
        block.attention_norm.gamma = Param::from_tensor(norm("input_layernorm")?);
        block.mlp_norm.gamma = Param::from_tensor(norm("post_attention_layernorm")?);
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuBackend;
    use burn::tensor::{Int, Tolerance};

    fn model(tie_embeddings: bool) -> (Model<CpuBackend>, ModelConfig) {
        let mut config = ModelConfig::preset("tiny", 50).unwrap();
        config.tie_embeddings = tie_embeddings;
        (config.init(&Default::default()).unwrap(), config)
    }

    fn logits(model: &Model<CpuBackend>) -> TensorData {
        let ids = Tensor::<CpuBackend, 2, Int>::from_data(
            TensorData::new(vec![3i64, 1, 4, 1, 5, 9, 2, 6, 5, 3], [2, 5]),
            &Default::default(),
        );
        model.forward(ids).into_data()
    }

    fn values(tensors: &SafeTensors, name: &str) -> (Vec<usize>, Vec<f32>) {
        let view = tensors.tensor(name).unwrap();
        let values = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        (view.shape().to_vec(), values)
    }

    fn host(tensor: Tensor<CpuBackend, 2>) -> Vec<f32> {
        tensor.into_data().into_vec::<f32>().unwrap()
    }

    #[test]
    fn weights_read_back_give_identical_logits() {
        for tied in [true, false] {
            let (original, config) = model(tied);
            let bytes = to_safetensors(&original, &config, ExportDtype::F32).unwrap();
            let names = SafeTensors::deserialize(&bytes).unwrap().names().len();
            assert_eq!(names, 2 + 9 * config.n_layers + usize::from(!tied));
            let loaded: Model<CpuBackend> = from_safetensors(
                Path::new("m.safetensors"),
                &bytes,
                &config,
                &Default::default(),
            )
            .unwrap();
            logits(&loaded).assert_approx_eq::<f32>(&logits(&original), Tolerance::absolute(0.0));
        }
    }

    /// The layout transformers reads: `[out, in]`, q/k/v the thirds of the fused matrix.
    #[test]
    fn tensors_are_in_pytorch_layout() {
        let (model, config) = model(false);
        let bytes = to_safetensors(&model, &config, ExportDtype::F32).unwrap();
        let tensors = SafeTensors::deserialize(&bytes).unwrap();
        let d = config.d_model;
        let qkv = host(model.blocks[1].qkv.weight.val()); // [d, 3d]
        for (j, name) in ["q_proj", "k_proj", "v_proj"].iter().enumerate() {
            let (shape, hf) = values(&tensors, &layer(1, &format!("self_attn.{name}")));
            assert_eq!(shape, [d, d]);
            for (out, input) in [(0, 0), (3, 7), (d - 1, 2)] {
                assert_eq!(
                    hf[out * d + input],
                    qkv[input * 3 * d + j * d + out],
                    "{name}"
                );
            }
        }
        let ff = config.d_ff;
        let down = host(model.blocks[0].mlp_out.weight.val()); // [ff, d]
        let (shape, hf) = values(&tensors, &layer(0, "mlp.down_proj"));
        assert_eq!(shape, [d, ff]);
        assert_eq!(hf[5 * ff + 11], down[11 * d + 5]);
        let head = host(model.lm_head.as_ref().unwrap().weight.val()); // [d, vocab]
        let (shape, hf) = values(&tensors, LM_HEAD);
        assert_eq!(shape, [config.vocab_size, d]);
        assert_eq!(hf[7 * d + 3], head[3 * config.vocab_size + 7]);
    }

    #[test]
    fn bf16_weights_are_half_the_size_and_close() {
        let (original, config) = model(true);
        let f32_bytes = to_safetensors(&original, &config, ExportDtype::F32).unwrap();
        let bf16_bytes = to_safetensors(&original, &config, ExportDtype::Bf16).unwrap();
        assert!(bf16_bytes.len() < f32_bytes.len() * 6 / 10);
        let tensors = SafeTensors::deserialize(&bf16_bytes).unwrap();
        assert_eq!(tensors.tensor(EMBEDDING).unwrap().dtype(), Dtype::BF16);
        let loaded: Model<CpuBackend> = from_safetensors(
            Path::new("m.safetensors"),
            &bf16_bytes,
            &config,
            &Default::default(),
        )
        .unwrap();
        logits(&loaded).assert_approx_eq::<f32>(&logits(&original), Tolerance::absolute(2e-2));
    }

    /// A grouped-query model computes what transformers' `repeat_kv` does: the same as a
    /// full-attention model whose key/value head `j` is copied to query heads `j × g ..`.
    #[test]
    fn grouped_query_attention_repeats_each_kv_head_for_its_group() {
        let config = ModelConfig {
            n_kv_heads: Some(2),
            ..ModelConfig::preset("tiny", 50).unwrap()
        };
        let gqa: Model<CpuBackend> = config.init(&Default::default()).unwrap();
        let bytes = to_safetensors(&gqa, &config, ExportDtype::F32).unwrap();
        let tensors = SafeTensors::deserialize(&bytes).unwrap();
        let (d, head_dim) = (config.d_model, config.head_dim());
        let groups = config.n_heads / 2;
        let mut full: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        for (name, view) in tensors.tensors() {
            let (shape, values) = values(&tensors, &name);
            let widened = if name.ends_with("k_proj.weight") || name.ends_with("v_proj.weight") {
                assert_eq!(shape, [2 * head_dim, d]);
                let rows: Vec<f32> = (0..config.n_heads)
                    .flat_map(|head| {
                        let kv = head / groups;
                        values[kv * head_dim * d..(kv + 1) * head_dim * d].to_vec()
                    })
                    .collect();
                (vec![d, d], rows)
            } else {
                (view.shape().to_vec(), values)
            };
            let raw = widened.1.iter().flat_map(|v| v.to_le_bytes()).collect();
            full.push((name, widened.0, raw));
        }
        let views = full.iter().map(|(name, shape, data)| {
            let view = safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), data);
            (name.as_str(), view.unwrap())
        });
        let full_bytes = safetensors::serialize(views, None).unwrap();
        let mha_config = ModelConfig {
            n_kv_heads: None,
            ..config.clone()
        };
        let mha: Model<CpuBackend> = from_safetensors(
            Path::new("m.safetensors"),
            &full_bytes,
            &mha_config,
            &Default::default(),
        )
        .unwrap();
        logits(&gqa).assert_approx_eq::<f32>(&logits(&mha), Tolerance::absolute(1e-5));
        let reloaded: Model<CpuBackend> = from_safetensors(
            Path::new("m.safetensors"),
            &bytes,
            &config,
            &Default::default(),
        )
        .unwrap();
        logits(&reloaded).assert_approx_eq::<f32>(&logits(&gqa), Tolerance::absolute(0.0));
        assert_eq!(burn::module::Module::num_params(&gqa), config.num_params());
    }

    #[test]
    fn truncated_and_misshapen_files_are_refused() {
        let (original, config) = model(true);
        let bytes = to_safetensors(&original, &config, ExportDtype::F32).unwrap();
        let path = Path::new("exported/model.safetensors");
        let load = |bytes: &[u8], config: &ModelConfig| {
            from_safetensors::<CpuBackend>(path, bytes, config, &Default::default())
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        let error = load(&bytes[..bytes.len() / 2], &config);
        assert!(error.contains("exported/model.safetensors"), "{error}");
        assert!(error.contains("truncated"), "{error}");
        let mut wider = config.clone();
        wider.d_ff += 2;
        let error = load(&bytes, &wider);
        assert!(error.contains("mlp.gate_proj"), "{error}");
        let mut untied = config.clone();
        untied.tie_embeddings = false;
        assert!(load(&bytes, &untied).contains("has no lm_head.weight"));
    }
}
