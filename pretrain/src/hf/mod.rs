//! Hugging Face Llama checkpoints: Mekong's model written as `config.json` + `model.safetensors`
//! that transformers' `LlamaForCausalLM` loads, and such a folder (Mekong's export or any Llama
//! checkpoint of the same features) read back to continue training (`--init-from`).

mod config;
mod weights;

pub use config::{read_hf_config, to_hf_config, ExportDtype, SpecialIds, CONFIG_FILE};
pub use weights::{to_safetensors, WEIGHTS_FILE};

use crate::model::{Model, ModelConfig};
use crate::{PretrainError, Result};
use burn::tensor::backend::Backend;
use std::path::Path;

/// Loads the model of a Hugging Face Llama folder (`config.json`, `model.safetensors`).
pub fn load_hf_model<B: Backend>(
    dir: &Path,
    device: &B::Device,
) -> Result<(Model<B>, ModelConfig)> {
    let config = read_hf_config(dir)?;
    let path = dir.join(WEIGHTS_FILE);
    if !path.is_file() {
        let other = ["model.safetensors.index.json", "pytorch_model.bin"]
            .into_iter()
            .find(|name| dir.join(name).exists());
        let message = match other {
            Some(name) => format!(
                "has {name} but no {WEIGHTS_FILE}: only a single-file safetensors checkpoint is read \
                 (save it with save_pretrained(dir, max_shard_size=\"100GB\", safe_serialization=True))"
            ),
            None => format!("has no {WEIGHTS_FILE}"),
        };
        return Err(PretrainError::BadInput {
            path: dir.to_path_buf(),
            message,
        });
    }
    let bytes = std::fs::read(&path).map_err(|e| PretrainError::io(&path, e))?;
    let model = weights::from_safetensors(&path, &bytes, &config, device)?;
    Ok((model, config))
}
