//! The pretrain stage's transformer behind [`ScoringModel`]: loads a checkpoint, checks it
//! against the tokenizer, and turns logits into the log-probabilities the metrics need.

use crate::{EvalError, Result, ScoringModel};
use burn::tensor::activation::log_softmax;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use mekong_pretrain::{KvCache, Model, ModelConfig};
use std::path::{Path, PathBuf};

/// A trained model ready to evaluate.
pub struct BurnModel<B: Backend> {
    model: Model<B>,
    config: ModelConfig,
    device: B::Device,
    /// The checkpoint folder it was loaded from (the latest one when given a training folder).
    checkpoint: PathBuf,
    step: u64,
}

impl<B: Backend> BurnModel<B> {
    /// Loads the checkpoint in `dir` (a checkpoint folder or a training output folder) and fails
    /// unless `tokenizer` has the vocabulary the model was trained with.
    pub fn load(name: &str, dir: &Path, tokenizer: &Path, device: &B::Device) -> Result<Self> {
        let model_error = |source| EvalError::Model {
            model: name.to_string(),
            source: Box::new(source),
        };
        let checkpoint =
            mekong_pretrain::checkpoint::resolve_checkpoint_dir(dir).map_err(model_error)?;
        mekong_pretrain::check_tokenizer_matches(tokenizer, &checkpoint).map_err(model_error)?;
        let (model, config, meta) =
            mekong_pretrain::load_checkpoint::<B>(&checkpoint, device).map_err(model_error)?;
        Ok(BurnModel::new(model, config, device, checkpoint, meta.step))
    }

    /// Wraps a model already in memory (`checkpoint` is only recorded for the report).
    pub fn new(
        model: Model<B>,
        config: ModelConfig,
        device: &B::Device,
        checkpoint: PathBuf,
        step: u64,
    ) -> Self {
        BurnModel {
            model,
            config,
            device: device.clone(),
            checkpoint,
            step,
        }
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    pub fn checkpoint(&self) -> &Path {
        &self.checkpoint
    }

    pub fn step(&self) -> u64 {
        self.step
    }

    fn tokens(&self, rows: &[Vec<u32>]) -> Tensor<B, 2, Int> {
        let len = rows.first().map_or(0, Vec::len);
        let flat: Vec<i32> = rows.iter().flatten().map(|&t| t as i32).collect();
        Tensor::from_data(TensorData::new(flat, [rows.len(), len]), &self.device)
    }

    fn last_logits(&self, logits: Tensor<B, 3>) -> Result<Vec<f32>> {
        let [_, len, vocab] = logits.dims();
        let last = logits.slice([0..1, len - 1..len, 0..vocab]);
        floats(last.into_data())
    }
}

fn floats(data: TensorData) -> Result<Vec<f32>> {
    data.convert::<f32>()
        .into_vec::<f32>()
        .map_err(|e| EvalError::Invalid(format!("cannot read the model's output: {e:?}")))
}

impl<B: Backend> ScoringModel for BurnModel<B> {
    type Cache = KvCache<B>;

    fn vocab_size(&self) -> usize {
        self.config.vocab_size
    }

    fn max_context(&self) -> usize {
        self.model.max_seq_len()
    }

    /// Windows are right-padded to the longest one and read in one batch: the model is causal,
    /// so padding after a window never changes the logits of its own positions.
    fn target_log_probs(&self, windows: &[&[u32]]) -> Result<Vec<Vec<f64>>> {
        let len = windows.iter().map(|w| w.len()).max().unwrap_or(0);
        if len < 2 {
            return Ok(windows.iter().map(|_| Vec::new()).collect());
        }
        let padded: Vec<Vec<u32>> = windows
            .iter()
            .map(|w| {
                let mut row = w.to_vec();
                row.resize(len, 0);
                row
            })
            .collect();
        let targets: Vec<Vec<u32>> = padded.iter().map(|row| row[1..].to_vec()).collect();
        let batch = windows.len();
        let logits = self.model.forward(self.tokens(&padded));
        let vocab = self.config.vocab_size;
        let log_probs = log_softmax(logits.slice([0..batch, 0..len - 1, 0..vocab]), 2);
        let picked = log_probs
            .gather(2, self.tokens(&targets).unsqueeze_dim::<3>(2))
            .into_data();
        let values = floats(picked)?;
        Ok(windows
            .iter()
            .enumerate()
            .map(|(row, w)| {
                let start = row * (len - 1);
                values[start..start + w.len().saturating_sub(1)]
                    .iter()
                    .map(|&v| f64::from(v))
                    .collect()
            })
            .collect())
    }

    fn next_logits(&self, tokens: &[u32]) -> Result<Vec<f32>> {
        let logits = self.model.forward(self.tokens(&[tokens.to_vec()]));
        self.last_logits(logits)
    }

    fn new_cache(&self) -> KvCache<B> {
        KvCache::new(&self.model)
    }

    fn next_logits_cached(&self, tokens: &[u32], cache: &mut KvCache<B>) -> Result<Vec<f32>> {
        let logits = self
            .model
            .forward_cached(self.tokens(&[tokens.to_vec()]), cache)?;
        self.last_logits(logits)
    }
}
