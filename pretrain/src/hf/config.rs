//! `config.json` of a Hugging Face `LlamaForCausalLM`: written from a [`ModelConfig`] on export,
//! and read back (from Mekong's exports or any Llama checkpoint) for continued pretraining.
//!
//! Reading checks every feature of the Llama family that Mekong's model does not have and names
//! it, rather than loading weights into a model that computes something else.

use crate::model::ModelConfig;
use crate::{PretrainError, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::Path;

pub const CONFIG_FILE: &str = "config.json";
const ARCHITECTURE: &str = "LlamaForCausalLM";
const MODEL_TYPE: &str = "llama";

/// The weights' dtype in `model.safetensors` (and `torch_dtype` in config.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportDtype {
    #[default]
    #[serde(alias = "float32")]
    F32,
    /// bfloat16, rounded to nearest even: half the size, what GPU inference loads.
    #[serde(alias = "bfloat16")]
    Bf16,
}

mekong_common::display_as_name!(ExportDtype);

impl ExportDtype {
    /// The name PyTorch and transformers use.
    pub fn torch_name(self) -> &'static str {
        match self {
            ExportDtype::F32 => "float32",
            ExportDtype::Bf16 => "bfloat16",
        }
    }
}

/// The special-token ids config.json records (the document separator serves as all three:
/// Mekong's models read `[separator] text [separator] text …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialIds {
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    pub pad: Option<u32>,
}

/// config.json for `model`. RoPE settings are written both top-level (`rope_theta`,
/// `rope_scaling`: transformers 4.x) and as `rope_parameters` (transformers 5.x).
pub fn to_hf_config(model: &ModelConfig, ids: SpecialIds, dtype: ExportDtype) -> Value {
    json!({
        "architectures": [ARCHITECTURE],
        "model_type": MODEL_TYPE,
        "vocab_size": model.vocab_size,
        "hidden_size": model.d_model,
        "intermediate_size": model.d_ff,
        "num_hidden_layers": model.n_layers,
        "num_attention_heads": model.n_heads,
        "num_key_value_heads": model.kv_heads(),
        "head_dim": model.head_dim(),
        "hidden_act": "silu",
        "max_position_embeddings": model.max_seq_len,
        "rms_norm_eps": model.norm_eps,
        "rope_theta": model.rope_theta,
        "rope_scaling": null,
        "rope_parameters": { "rope_type": "default", "rope_theta": model.rope_theta },
        "tie_word_embeddings": model.tie_embeddings,
        "attention_bias": false,
        "attention_dropout": 0.0,
        "mlp_bias": false,
        "pretraining_tp": 1,
        "initializer_range": 0.02,
        "use_cache": true,
        "bos_token_id": ids.bos,
        "eos_token_id": ids.eos,
        "pad_token_id": ids.pad,
        "torch_dtype": dtype.torch_name(),
    })
}

/// The keys of a Llama config.json that decide the weights' layout and what the model computes.
/// Defaults are `LlamaConfig`'s in transformers.
#[derive(Debug, Deserialize)]
struct HfLlamaConfig {
    #[serde(default)]
    architectures: Vec<String>,
    model_type: Option<String>,
    vocab_size: usize,
    hidden_size: usize,
    intermediate_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    #[serde(default = "default_act")]
    hidden_act: String,
    #[serde(default = "default_positions")]
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    rms_norm_eps: f64,
    rope_theta: Option<f64>,
    #[serde(default)]
    rope_scaling: Value,
    #[serde(default)]
    rope_parameters: Value,
    #[serde(default)]
    tie_word_embeddings: bool,
    #[serde(default)]
    attention_bias: bool,
    #[serde(default)]
    mlp_bias: bool,
}

fn default_act() -> String {
    "silu".to_string()
}
fn default_positions() -> usize {
    2048
}
fn default_eps() -> f64 {
    1e-6
}

/// Reads `dir/config.json` into the model shape it describes, refusing, with the feature named,
/// any Llama variant Mekong's model cannot compute.
pub fn read_hf_config(dir: &Path) -> Result<ModelConfig> {
    let path = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
    let bad = |message: String| PretrainError::BadInput {
        path: path.clone(),
        message,
    };
    let raw: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let config: HfLlamaConfig =
        serde_json::from_value(raw).map_err(|e| bad(format!("not a Llama config.json: {e}")))?;
    let unsupported = |feature: String| {
        Err(bad(format!(
            "{feature}: Mekong's model cannot continue from this checkpoint"
        )))
    };

    let is_llama = config.model_type.as_deref() == Some(MODEL_TYPE)
        || config.architectures.iter().any(|a| a == ARCHITECTURE);
    if !is_llama {
        return unsupported(format!(
            "architecture {:?} (model_type {:?}) is not {ARCHITECTURE}",
            config.architectures, config.model_type
        ));
    }
    if config.hidden_act != "silu" {
        return unsupported(format!(
            "hidden_act '{}' (only silu, the SwiGLU of Llama)",
            config.hidden_act
        ));
    }
    if config.attention_bias {
        return unsupported("attention_bias (biases in the attention projections)".into());
    }
    if config.mlp_bias {
        return unsupported("mlp_bias (biases in the MLP projections)".into());
    }
    if let Some(rope) = scaled_rope(&config) {
        return unsupported(format!("rope scaling {rope} (only plain RoPE)"));
    }
    let heads = config.num_attention_heads;
    let kv_heads = config.num_key_value_heads.unwrap_or(heads);
    if kv_heads == 0 || heads % kv_heads != 0 {
        return unsupported(format!(
            "num_key_value_heads {kv_heads} does not divide num_attention_heads {heads}"
        ));
    }
    if heads == 0 || config.hidden_size % heads != 0 {
        return unsupported(format!(
            "hidden_size {} is not a multiple of num_attention_heads {heads}",
            config.hidden_size
        ));
    }
    if let Some(head_dim) = config.head_dim.filter(|&h| h != config.hidden_size / heads) {
        return unsupported(format!(
            "head_dim {head_dim} differs from hidden_size / num_attention_heads = {}",
            config.hidden_size / heads
        ));
    }

    let rope_theta = config
        .rope_parameters
        .get("rope_theta")
        .and_then(Value::as_f64)
        .or(config.rope_theta)
        .unwrap_or(10_000.0);
    let model = ModelConfig {
        vocab_size: config.vocab_size,
        d_model: config.hidden_size,
        n_layers: config.num_hidden_layers,
        n_heads: heads,
        n_kv_heads: (kv_heads != heads).then_some(kv_heads),
        d_ff: config.intermediate_size,
        max_seq_len: config.max_position_embeddings,
        rope_theta,
        norm_eps: config.rms_norm_eps,
        tie_embeddings: config.tie_word_embeddings,
    };
    model.validate().map_err(|e| bad(e.to_string()))?;
    Ok(model)
}

/// The rope type when it is anything but plain RoPE (`rope_scaling` set, or `rope_parameters`
/// of a type other than `default`).
fn scaled_rope(config: &HfLlamaConfig) -> Option<String> {
    if !config.rope_scaling.is_null() {
        return Some(config.rope_scaling.to_string());
    }
    match config
        .rope_parameters
        .get("rope_type")
        .and_then(Value::as_str)
    {
        None | Some("default") => None,
        Some(other) => Some(format!("'{other}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_config(value: &Value) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), value.to_string()).unwrap();
        dir
    }

    fn exported() -> Value {
        let model = ModelConfig::preset("tiny", 300).unwrap();
        let ids = SpecialIds {
            bos: Some(0),
            eos: Some(0),
            pad: Some(0),
        };
        to_hf_config(&model, ids, ExportDtype::F32)
    }

    #[test]
    fn an_exported_config_reads_back_as_the_same_model() {
        let dir = write_config(&exported());
        let model = read_hf_config(dir.path()).unwrap();
        assert_eq!(model, ModelConfig::preset("tiny", 300).unwrap());
    }

    #[test]
    fn unsupported_features_are_named() {
        let cases = [
            (
                "num_key_value_heads",
                json!(3),
                "does not divide num_attention_heads 4",
            ),
            ("attention_bias", json!(true), "attention_bias"),
            ("mlp_bias", json!(true), "mlp_bias"),
            ("hidden_act", json!("gelu"), "hidden_act 'gelu'"),
            (
                "rope_scaling",
                json!({"rope_type": "linear", "factor": 2.0}),
                "rope scaling",
            ),
            ("model_type", json!("mistral"), "is not LlamaForCausalLM"),
            ("head_dim", json!(8), "head_dim 8"),
        ];
        for (key, value, expected) in cases {
            let mut config = exported();
            config[key] = value;
            if key == "model_type" {
                config["architectures"] = json!(["MistralForCausalLM"]);
            }
            let dir = write_config(&config);
            let error = read_hf_config(dir.path()).unwrap_err().to_string();
            assert!(error.contains(expected), "{key}: {error}");
            assert!(error.contains(CONFIG_FILE), "{key}: {error}");
        }
    }

    #[test]
    fn rope_theta_is_read_from_either_place() {
        let mut config = exported();
        config["rope_parameters"] = json!({"rope_type": "default", "rope_theta": 500000.0});
        config["rope_theta"] = Value::Null;
        let dir = write_config(&config);
        assert_eq!(read_hf_config(dir.path()).unwrap().rope_theta, 500000.0);
        let mut config = exported();
        config.as_object_mut().unwrap().remove("rope_parameters");
        config["rope_theta"] = json!(20000.0);
        let dir = write_config(&config);
        assert_eq!(read_hf_config(dir.path()).unwrap().rope_theta, 20000.0);
    }
}
