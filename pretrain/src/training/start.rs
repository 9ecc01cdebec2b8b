//! Where a run starts: a fresh model drawn from the seed, a Hugging Face or Mekong checkpoint
//! given by `init_from`, or the latest checkpoint of this run resumed (model, optimizer, step
//! and the sampler's position), refused when it was made with another tokenizer, shape or
//! training parameters.

use super::{Resume, TrainConfig, TrainOptions, TrainState};
use crate::checkpoint::{
    self, latest_checkpoint, read_checkpoint_meta, CheckpointMeta, CheckpointRecorder,
    CHECKPOINTS_DIR, OPTIMIZER_FILE,
};
use crate::data::{Sampler, TokenShards};
use crate::model::{Model, ModelConfig};
use crate::{PretrainError, Result};
use burn::optim::Optimizer;
use burn::record::Recorder;
use burn::tensor::backend::AutodiffBackend;
use std::path::Path;

/// burn's backends keep their random generator in one process-wide static, so two runs that
/// initialise a model at the same time in one process (tests on parallel threads, a library
/// user's threads) would take each other's draws and start from other weights than their seed
/// gives. Seeding and initialising under this lock keeps a run's first weights a function of its
/// seed alone.
static SEEDED_INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A run's inputs and settings, as far as where it starts depends on them.
pub(super) struct Start<'a> {
    pub shards: &'a TokenShards,
    pub output: &'a Path,
    pub config: &'a TrainConfig,
    pub options: &'a TrainOptions,
    pub model_config: &'a ModelConfig,
    /// The run's training parameters as checkpoints record them.
    pub training_json: &'a serde_json::Value,
}

impl Start<'_> {
    /// The model, training state and optimizer the run starts from (the optimizer as given
    /// when nothing is resumed); a resumed run's sampler is moved to where it stopped.
    pub(super) fn load<B: AutodiffBackend, O: Optimizer<Model<B>, B>>(
        &self,
        sampler: &mut Sampler,
        mut optimizer: O,
        device: &B::Device,
    ) -> Result<(Model<B>, TrainState, O)> {
        let Start {
            shards,
            output,
            config,
            options,
            model_config,
            training_json,
        } = *self;
        let latest = latest_checkpoint(output)?;
        let (model, state) = match (options.resume, latest) {
            (Resume::Never, Some(existing)) => {
                return Err(PretrainError::Checkpoint {
                    path: existing,
                    message: "the output folder already holds checkpoints: resume them (--resume) \
                          or train into another folder"
                        .to_string(),
                })
            }
            (Resume::Required, None) => {
                return Err(PretrainError::Checkpoint {
                    path: output.join(CHECKPOINTS_DIR),
                    message: "nothing to resume: no checkpoint here".to_string(),
                })
            }
            (Resume::IfPresent | Resume::Required, Some(dir)) => {
                let meta = read_checkpoint_meta(&dir)?;
                check_resumable(&dir, &meta, shards, model_config, training_json)?;
                let model = checkpoint::load_model_record::<B>(&dir, model_config, device)?;
                let bytes = checkpoint::read_record_bytes(&dir, OPTIMIZER_FILE)?;
                let record = CheckpointRecorder::default()
                    .load(bytes, device)
                    .map_err(|e| PretrainError::Checkpoint {
                        path: dir.clone(),
                        message: format!("{OPTIMIZER_FILE} cannot be decoded: {e}"),
                    })?;
                optimizer = optimizer.load_record(record);
                let state: TrainState =
                    serde_json::from_value(meta.state.clone()).map_err(|e| {
                        PretrainError::Checkpoint {
                            path: dir.clone(),
                            message: format!("damaged training state: {e}"),
                        }
                    })?;
                sampler
                    .restore(&state.sampler)
                    .map_err(|e| PretrainError::Checkpoint {
                        path: dir.clone(),
                        message: format!("damaged training state: {e}"),
                    })?;
                (model, state)
            }
            (_, None) => {
                // Held until the model is initialised: see SEEDED_INIT.
                let _seeded = SEEDED_INIT.lock().unwrap_or_else(|e| e.into_inner());
                B::seed(device, config.seed);
                let model = match &config.init_from {
                    Some(dir) => {
                        check_init_tokenizer(dir, shards)?;
                        crate::hf::load_hf_model::<B>(dir, device)?.0
                    }
                    None => model_config.init::<B>(device)?,
                };
                let state = TrainState {
                    step: 0,
                    tokens: 0,
                    sampler: sampler.state(),
                    last_loss: f64::NAN,
                };
                (model, state)
            }
        };
        Ok((model, state, optimizer))
    }
}

/// The tokens must come from the tokenizer of the model training continues from: same-size
/// vocabularies of other tokenizers would silently give every embedding another meaning.
fn check_init_tokenizer(dir: &Path, shards: &TokenShards) -> Result<()> {
    let path = dir.join("tokenizer.json");
    if !path.is_file() {
        return Ok(());
    }
    let info = checkpoint::TokenizerInfo::of(&path)?;
    if info.sha256 != shards.meta.tokenizer.sha256 {
        return Err(PretrainError::Config {
            message: format!(
                "{} were made with another tokenizer than {}: tokenize the corpus with it",
                shards.dir.display(),
                path.display()
            ),
        });
    }
    Ok(())
}

/// A checkpoint can be resumed by this run only if it was made from the same tokenizer, model
/// and training parameters; anything else would silently train a different model.
fn check_resumable(
    dir: &Path,
    meta: &CheckpointMeta,
    shards: &TokenShards,
    model: &ModelConfig,
    training: &serde_json::Value,
) -> Result<()> {
    if meta.tokenizer.vocab_size != shards.meta.tokenizer.vocab_size {
        return Err(PretrainError::VocabMismatch {
            tokenizer: shards.dir.clone(),
            tokenizer_vocab: shards.meta.tokenizer.vocab_size,
            checkpoint: dir.to_path_buf(),
            checkpoint_vocab: meta.tokenizer.vocab_size,
        });
    }
    let bad = |message: String| {
        Err(PretrainError::Checkpoint {
            path: dir.to_path_buf(),
            message,
        })
    };
    if meta.tokenizer.sha256 != shards.meta.tokenizer.sha256 {
        return bad(format!(
            "was trained on tokens from another tokenizer (sha256 {}) than {} (sha256 {})",
            meta.tokenizer.sha256,
            shards.dir.display(),
            shards.meta.tokenizer.sha256
        ));
    }
    if &meta.model != model {
        return bad(format!(
            "holds a model of another shape ({:?}) than this run's ({model:?})",
            meta.model
        ));
    }
    if &meta.training != training {
        let (Some(saved), Some(now)) = (meta.training.as_object(), training.as_object()) else {
            return bad("has unreadable training parameters".to_string());
        };
        let differing: Vec<&str> = now
            .iter()
            .filter(|(k, v)| saved.get(*k) != Some(v))
            .map(|(k, _)| k.as_str())
            .collect();
        return bad(format!(
            "was trained with other parameters (differing: {}); resume with the same ones, or \
             remove {} to start over",
            differing.join(", "),
            dir.parent().unwrap_or(dir).display()
        ));
    }
    Ok(())
}
