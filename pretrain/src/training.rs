//! `mekong pretrain train`: the training loop.
//!
//! A hand-written loop rather than burn's `Learner`, because exact resume needs every piece of
//! state in our hands: the model and AdamW records, the step, and the sampler's RNG position all
//! go into one checkpoint, and the learning rate is a pure function of the step. Each step draws
//! `batch_size × grad_accum` windows, accumulates gradients, clips them by their global norm,
//! and takes one AdamW step; every step is logged to `train-log.jsonl`.

use crate::checkpoint::{
    self, checkpoint_dir_name, latest_checkpoint, read_checkpoint_meta, write_checkpoint,
    CheckpointMeta, CheckpointRecorder, CHECKPOINTS_DIR, MODEL_FILE, OPTIMIZER_FILE,
};
use crate::data::{
    language_mix, validation_windows, Sampler, SamplerState, Stream, TokenShards, TRAIN_SPLIT,
    VALIDATION_SPLIT,
};
use crate::device::{resolve_device, DeviceKind, Precision};
use crate::model::{Model, ModelConfig};
use crate::{PretrainError, Result};
use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsAccumulator, GradientsParams, Optimizer};
use burn::record::Recorder;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use mekong_common::artefacts::pretrain::LOG_FILE;

/// Training parameters (they go into the manifest and every checkpoint; resuming requires the
/// same ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Model size preset (see `ModelConfig::preset_names`).
    pub preset: String,
    pub tie_embeddings: bool,
    /// Tokens per training window; at most the preset's `max_seq_len` (the default).
    pub seq_len: Option<usize>,
    /// Windows per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimizer step.
    pub grad_accum: usize,
    /// Optimizer steps.
    pub steps: u64,
    /// Peak learning rate, reached after `warmup_steps`, then cosine-decayed to
    /// `lr × min_lr_ratio` at the last step.
    pub lr: f64,
    pub min_lr_ratio: f64,
    pub warmup_steps: u64,
    /// Decoupled (AdamW) weight decay.
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    /// Largest global gradient norm; larger gradients are scaled down to it. 0 turns clipping off.
    pub grad_clip: f64,
    /// Seeds the initial weights and the data sampler.
    pub seed: u64,
    /// Validation loss and bits per byte every this many steps (and at the end); 0 = only at the end.
    pub eval_every: u64,
    /// Validation windows per language.
    pub eval_windows: usize,
    /// A checkpoint every this many steps (and at the end); 0 = only at the end.
    pub checkpoint_every: u64,
    /// Checkpoints kept; older ones are removed after a newer one is safely written. 0 keeps all.
    pub keep_checkpoints: usize,
    /// Sampling weight per language; `"*"` shares a weight among the languages not named
    /// (see `data::language_mix`). Empty: in proportion to each language's tokens.
    pub language_weights: BTreeMap<String, f64>,
    pub precision: Precision,
    /// Continued pretraining: start from the weights of this Hugging Face Llama folder (a
    /// `mekong export` or any checkpoint of the same features) instead of a fresh `preset`
    /// model; its config.json gives the model's shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_from: Option<PathBuf>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            preset: "tiny".to_string(),
            tie_embeddings: true,
            seq_len: None,
            batch_size: 8,
            grad_accum: 1,
            steps: 1000,
            lr: 1e-3,
            min_lr_ratio: 0.1,
            warmup_steps: 100,
            weight_decay: 0.1,
            beta1: 0.9,
            beta2: 0.95,
            epsilon: 1e-8,
            grad_clip: 1.0,
            seed: 0,
            eval_every: 100,
            eval_windows: 16,
            checkpoint_every: 500,
            keep_checkpoints: 3,
            language_weights: BTreeMap::new(),
            precision: Precision::Auto,
            init_from: None,
        }
    }
}

impl TrainConfig {
    fn validate(&self) -> Result<()> {
        let fail = |message: &str| {
            Err(PretrainError::Config {
                message: message.to_string(),
            })
        };
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if self.batch_size == 0 || self.grad_accum == 0 || self.steps == 0 {
            return fail("batch_size, grad_accum and steps must be positive");
        }
        if !positive(self.lr) || !(0.0..=1.0).contains(&self.min_lr_ratio) {
            return fail("lr must be positive and min_lr_ratio within [0, 1]");
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return fail("beta1 and beta2 must be within [0, 1)");
        }
        if self.weight_decay < 0.0 || self.grad_clip < 0.0 || !positive(self.epsilon) {
            return fail("weight_decay and grad_clip must be non-negative, epsilon positive");
        }
        Ok(())
    }

    /// The model this config trains for a vocabulary of `vocab_size`, and its window length:
    /// the `preset`'s shape, or the `init_from` folder's.
    pub fn model_config(&self, vocab_size: usize) -> Result<(ModelConfig, usize)> {
        let model = match &self.init_from {
            Some(dir) => {
                let model = crate::hf::read_hf_config(dir)?;
                if model.vocab_size != vocab_size {
                    return Err(PretrainError::Config {
                        message: format!(
                            "{} has a vocabulary of {} tokens but the training tokens were made \
                             with a tokenizer of {vocab_size}: tokenize the corpus with the \
                             model's own tokenizer.json",
                            dir.display(),
                            model.vocab_size
                        ),
                    });
                }
                model
            }
            None => {
                let mut model = ModelConfig::preset(&self.preset, vocab_size)?;
                model.tie_embeddings = self.tie_embeddings;
                model
            }
        };
        let seq_len = self.seq_len.unwrap_or(model.max_seq_len);
        if seq_len > model.max_seq_len {
            return Err(PretrainError::Config {
                message: format!(
                    "seq_len {seq_len} is beyond the {} model's max_seq_len {}: use a shorter \
                     seq_len or a larger preset",
                    self.model_name(),
                    model.max_seq_len
                ),
            });
        }
        if seq_len < 2 {
            return Err(PretrainError::Config {
                message: "seq_len must be at least 2".to_string(),
            });
        }
        Ok((model, seq_len))
    }

    /// How the model is named in messages: its preset, or the folder it starts from.
    fn model_name(&self) -> String {
        match &self.init_from {
            Some(dir) => format!("{} (--init-from)", dir.display()),
            None => format!("'{}'", self.preset),
        }
    }

    /// Learning rate at optimizer step `step` (1-based): linear warm-up, then cosine decay.
    pub fn lr_at(&self, step: u64) -> f64 {
        if step <= self.warmup_steps {
            return self.lr * step as f64 / self.warmup_steps.max(1) as f64;
        }
        let decay_steps = self.steps.saturating_sub(self.warmup_steps).max(1);
        let progress = ((step - self.warmup_steps) as f64 / decay_steps as f64).min(1.0);
        let min_lr = self.lr * self.min_lr_ratio;
        min_lr + 0.5 * (self.lr - min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
    }
}

/// Whether to continue from checkpoints already in the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Start fresh; refuse if the output folder already holds checkpoints (they are never
    /// overwritten by an unrelated run).
    Never,
    /// Continue from the latest checkpoint if there is one, else start fresh.
    IfPresent,
    /// Continue from the latest checkpoint; fail if there is none.
    Required,
}

/// How a run is carried out; none of this changes the numbers it produces.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// `None`: CUDA when built in and present, else the CPU.
    pub device: Option<DeviceKind>,
    pub resume: Resume,
    /// Stop after this step (a time-boxed run; resume later continues it).
    pub stop_after: Option<u64>,
    /// The device's peak FLOP/s in TFLOPs for the MFU estimate (e.g. 989 for an H100's bf16).
    pub peak_tflops: Option<f64>,
    pub progress: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            device: None,
            resume: Resume::Never,
            stop_after: None,
            peak_tflops: None,
            progress: true,
        }
    }
}

/// Validation results at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// Mean loss in nats per token over all windows.
    pub loss: f64,
    pub bits_per_byte: f64,
    /// language → (loss, bits per byte).
    pub languages: BTreeMap<String, (f64, f64)>,
}

/// One line of `train-log.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepLog {
    pub step: u64,
    pub loss: f64,
    pub lr: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Tokens trained on so far.
    pub tokens: u64,
    pub tokens_per_sec: f64,
    /// Model FLOPs utilisation, when the device's peak is known.
    pub mfu: Option<f64>,
    pub validation: Option<Validation>,
}

/// Where training stands, stored in each checkpoint's `state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    pub step: u64,
    pub tokens: u64,
    pub sampler: SamplerState,
    pub last_loss: f64,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    pub device: DeviceKind,
    pub model: ModelConfig,
    pub params: usize,
    pub seq_len: usize,
    /// First step of this run (1 for a fresh run).
    pub first_step: u64,
    pub last_step: u64,
    pub tokens: u64,
    pub last_loss: f64,
    pub validation: Option<Validation>,
    pub tokens_per_sec: f64,
    pub seconds: f64,
    pub checkpoint: PathBuf,
}

/// Trains on the shards in `tokens` into `output` (`train-log.jsonl`, `checkpoints/step-*`).
pub fn train(
    tokens: &Path,
    output: &Path,
    config: &TrainConfig,
    options: &TrainOptions,
) -> Result<TrainSummary> {
    config.validate()?;
    let shards = TokenShards::open(tokens)?;
    let (model_config, seq_len) = config.model_config(shards.meta.tokenizer.vocab_size)?;
    let device = resolve_device(options.device)?;
    let dtype = config.precision.compute_dtype(device)?;
    let setup = Setup {
        model_config,
        seq_len,
        device_kind: device,
        dtype,
    };
    match device {
        DeviceKind::Cpu => run::<burn::backend::Autodiff<crate::CpuBackend>>(
            &shards,
            output,
            config,
            options,
            setup,
            &Default::default(),
        ),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => run::<burn::backend::Autodiff<crate::CudaBackend>>(
            &shards,
            output,
            config,
            options,
            setup,
            &Default::default(),
        ),
        #[cfg(not(feature = "cuda"))]
        DeviceKind::Cuda => unreachable!("resolve_device refuses CUDA without the feature"),
    }
}

struct Setup {
    model_config: ModelConfig,
    seq_len: usize,
    device_kind: DeviceKind,
    dtype: Option<burn::tensor::FloatDType>,
}

fn run<B: AutodiffBackend>(
    shards: &TokenShards,
    output: &Path,
    config: &TrainConfig,
    options: &TrainOptions,
    setup: Setup,
    device: &B::Device,
) -> Result<TrainSummary> {
    let started = Instant::now();
    let Setup {
        model_config,
        seq_len,
        device_kind,
        dtype,
    } = setup;
    let train_streams = shards.split(TRAIN_SPLIT);
    let mix = language_mix(train_streams, &config.language_weights, seq_len + 1)?;
    let mut sampler = Sampler::new(config.seed, &mix);
    let training_json = serde_json::to_value(config).expect("train config serialises");

    let mut optimizer = AdamWConfig::new()
        .with_beta_1(config.beta1 as f32)
        .with_beta_2(config.beta2 as f32)
        .with_epsilon(config.epsilon as f32)
        .with_weight_decay(config.weight_decay as f32)
        .init::<B, Model<B>>();
    let latest = latest_checkpoint(output)?;
    let (mut model, mut state) = match (options.resume, latest) {
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
            check_resumable(&dir, &meta, shards, &model_config, &training_json)?;
            let model = checkpoint::load_model_record::<B>(&dir, &model_config, device)?;
            let bytes = checkpoint::read_record_bytes(&dir, OPTIMIZER_FILE)?;
            let record = CheckpointRecorder::default()
                .load(bytes, device)
                .map_err(|e| PretrainError::Checkpoint {
                    path: dir.clone(),
                    message: format!("{OPTIMIZER_FILE} cannot be decoded: {e}"),
                })?;
            optimizer = optimizer.load_record(record);
            let state: TrainState = serde_json::from_value(meta.state.clone()).map_err(|e| {
                PretrainError::Checkpoint {
                    path: dir.clone(),
                    message: format!("damaged training state: {e}"),
                }
            })?;
            sampler.restore(&state.sampler)?;
            (model, state)
        }
        (_, None) => {
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
    model = model.with_compute_dtype(dtype);
    let params = model.num_params();
    let first_step = state.step + 1;
    if options.progress {
        eprintln!(
            "model {}: {params} parameters ({} layers, d_model {}, vocab {}); seq_len {seq_len}, \
             {} tokens/step on {device_kind}{}",
            config.model_name(),
            model_config.n_layers,
            model_config.d_model,
            model_config.vocab_size,
            config.batch_size * config.grad_accum * seq_len,
            if first_step > 1 {
                format!(", resuming at step {first_step}")
            } else {
                String::new()
            }
        );
    }
    let mut log = TrainLog::open(output, state.step)?;

    let last_step = options
        .stop_after
        .map_or(config.steps, |s| s.min(config.steps));
    let validation_streams = shards.split(VALIDATION_SPLIT);
    let validation_set = validation_windows(validation_streams, seq_len + 1, config.eval_windows);
    let tokens_per_step = (config.batch_size * config.grad_accum * seq_len) as u64;
    let flops_per_step = 3.0 * model_config.flops_per_token(seq_len) * tokens_per_step as f64;
    let loss_fn = CrossEntropyLossConfig::new().init::<B>(device);
    let progress = progress_bar(options.progress, first_step, last_step);
    let mut validation = None;
    let mut checkpoint_path = latest_checkpoint(output)?.unwrap_or_default();
    let mut run_tokens = 0u64;

    for step in first_step..=last_step {
        let step_started = Instant::now();
        let mut accumulator = GradientsAccumulator::<Model<B>>::new();
        let mut loss_sum = 0.0;
        for _ in 0..config.grad_accum {
            let windows = sampler.next_windows(train_streams, config.batch_size, seq_len + 1);
            let (inputs, targets) = split_window::<B>(windows, config.batch_size, seq_len, device);
            let logits = model.forward(inputs);
            let vocab = model_config.vocab_size;
            let loss = loss_fn.forward(
                logits.reshape([config.batch_size * seq_len, vocab]),
                targets.reshape([config.batch_size * seq_len]),
            );
            let loss = loss.div_scalar(config.grad_accum as f64);
            loss_sum += scalar(loss.clone().inner());
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            accumulator.accumulate(&model, grads);
        }
        let mut grads = accumulator.grads();
        let grad_norm = global_norm(&model, &grads);
        if config.grad_clip > 0.0 && grad_norm > config.grad_clip {
            scale_grads(&model, &mut grads, config.grad_clip / (grad_norm + 1e-6));
        }
        let lr = config.lr_at(step);
        model = optimizer.step(lr, model, grads);
        state.step = step;
        state.tokens += tokens_per_step;
        state.last_loss = loss_sum;
        run_tokens += tokens_per_step;

        let is_last = step == last_step;
        let evaluate = is_last || (config.eval_every > 0 && step % config.eval_every == 0);
        let step_validation = if evaluate && !validation_set.is_empty() {
            let result = validate::<B::InnerBackend>(
                &model.valid(),
                &validation_set,
                validation_streams,
                config.batch_size,
                device,
            );
            validation = Some(result.clone());
            Some(result)
        } else {
            None
        };
        let seconds = step_started.elapsed().as_secs_f64();
        let tokens_per_sec = tokens_per_step as f64 / seconds.max(1e-9);
        let mfu = options
            .peak_tflops
            .map(|peak| flops_per_step / seconds.max(1e-9) / (peak * 1e12));
        log.write(&StepLog {
            step,
            loss: loss_sum,
            lr,
            grad_norm,
            tokens: state.tokens,
            tokens_per_sec,
            mfu,
            validation: step_validation.clone(),
        })?;
        progress.set_position(step);
        progress.set_message(format!(
            "loss {loss_sum:.3} lr {lr:.2e} {:.0} tok/s{}",
            tokens_per_sec,
            step_validation
                .map(|v| format!(" val {:.3} ({:.3} bpb)", v.loss, v.bits_per_byte))
                .unwrap_or_default()
        ));

        let save = is_last || (config.checkpoint_every > 0 && step % config.checkpoint_every == 0);
        if save {
            state.sampler = sampler.state();
            checkpoint_path = save_checkpoint(
                output,
                &model,
                &optimizer,
                CheckpointMeta {
                    format_version: 0,
                    step,
                    model: model_config.clone(),
                    tokenizer: shards.meta.tokenizer.clone(),
                    training: training_json.clone(),
                    state: serde_json::to_value(&state).expect("state serialises"),
                    files: Vec::new(),
                },
            )?;
            prune_checkpoints(output, config.keep_checkpoints)?;
        }
    }
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    Ok(TrainSummary {
        device: device_kind,
        model: model_config,
        params,
        seq_len,
        first_step,
        last_step: state.step,
        tokens: state.tokens,
        last_loss: state.last_loss,
        validation,
        tokens_per_sec: run_tokens as f64 / seconds.max(1e-9),
        seconds,
        checkpoint: checkpoint_path,
    })
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

fn split_window<B: Backend>(
    windows: Vec<i64>,
    batch: usize,
    seq_len: usize,
    device: &B::Device,
) -> (Tensor<B, 2, Int>, Tensor<B, 2, Int>) {
    let all =
        Tensor::<B, 2, Int>::from_data(TensorData::new(windows, [batch, seq_len + 1]), device);
    (all.clone().narrow(1, 0, seq_len), all.narrow(1, 1, seq_len))
}

fn scalar<B: Backend>(tensor: Tensor<B, 1>) -> f64 {
    tensor
        .into_data()
        .convert::<f64>()
        .to_vec::<f64>()
        .expect("a float tensor converts to f64")[0]
}

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

fn global_norm<B: AutodiffBackend>(model: &Model<B>, grads: &GradientsParams) -> f64 {
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

fn scale_grads<B: AutodiffBackend>(model: &Model<B>, grads: &mut GradientsParams, factor: f64) {
    model.visit(&mut ScaleGrads { grads, factor });
}

/// Loss and bits per byte on the fixed validation windows, per language and overall.
fn validate<B: Backend>(
    model: &Model<B>,
    windows: &[(usize, Vec<i64>)],
    streams: &[Stream],
    batch_size: usize,
    device: &B::Device,
) -> Validation {
    let seq_len = windows[0].1.len() - 1;
    // Per stream: nats summed, tokens scored.
    let mut nats = vec![0.0f64; streams.len()];
    let mut scored = vec![0u64; streams.len()];
    for chunk in windows.chunks(batch_size) {
        let ids: Vec<i64> = chunk.iter().flat_map(|(_, w)| w.iter().copied()).collect();
        let (inputs, targets) = split_window::<B>(ids, chunk.len(), seq_len, device);
        let log_probs = burn::tensor::activation::log_softmax(model.forward(inputs), 2);
        let picked = log_probs
            .gather(2, targets.unsqueeze_dim::<3>(2))
            .sum_dim(1)
            .reshape([chunk.len()]);
        let sums = picked
            .into_data()
            .convert::<f64>()
            .to_vec::<f64>()
            .expect("f64");
        for ((stream, _), sum) in chunk.iter().zip(sums) {
            nats[*stream] -= sum;
            scored[*stream] += seq_len as u64;
        }
    }
    let ln2 = std::f64::consts::LN_2;
    let mut languages = BTreeMap::new();
    let (mut total_nats, mut total_tokens, mut total_bytes) = (0.0, 0u64, 0.0);
    for (i, stream) in streams.iter().enumerate() {
        if scored[i] == 0 {
            continue;
        }
        let bytes_per_token = stream.counts.bytes as f64 / stream.counts.tokens.max(1) as f64;
        let bytes = scored[i] as f64 * bytes_per_token;
        languages.insert(
            stream.lang.clone(),
            (nats[i] / scored[i] as f64, nats[i] / ln2 / bytes),
        );
        total_nats += nats[i];
        total_tokens += scored[i];
        total_bytes += bytes;
    }
    Validation {
        loss: total_nats / total_tokens.max(1) as f64,
        bits_per_byte: total_nats / ln2 / total_bytes.max(1e-9),
        languages,
    }
}

fn save_checkpoint<B: AutodiffBackend, O: Optimizer<Model<B>, B>>(
    output: &Path,
    model: &Model<B>,
    optimizer: &O,
    meta: CheckpointMeta,
) -> Result<PathBuf> {
    let model_bytes = checkpoint::model_bytes(model)?;
    let optimizer_bytes = CheckpointRecorder::default()
        .record(optimizer.to_record(), ())
        .map_err(|e| PretrainError::Config {
            message: format!("cannot serialise the optimizer state: {e}"),
        })?;
    let dir = output
        .join(CHECKPOINTS_DIR)
        .join(checkpoint_dir_name(meta.step));
    std::fs::create_dir_all(output.join(CHECKPOINTS_DIR))
        .map_err(|e| PretrainError::io(output.join(CHECKPOINTS_DIR), e))?;
    write_checkpoint(
        &dir,
        meta,
        &[(MODEL_FILE, model_bytes), (OPTIMIZER_FILE, optimizer_bytes)],
    )?;
    Ok(dir)
}

/// Removes all but the newest `keep` checkpoints (0 keeps all).
fn prune_checkpoints(output: &Path, keep: usize) -> Result<()> {
    if keep == 0 {
        return Ok(());
    }
    let root = output.join(CHECKPOINTS_DIR);
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| PretrainError::io(&root, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("step-"))
        })
        .collect();
    steps.sort();
    for old in steps.iter().rev().skip(keep) {
        std::fs::remove_dir_all(old).map_err(|e| PretrainError::io(old, e))?;
    }
    Ok(())
}

/// `train-log.jsonl`, appended one line per step. On resume, lines after the checkpoint's step
/// (written by the interrupted run after its last checkpoint) are dropped first, so the log
/// reads as one uninterrupted run.
struct TrainLog {
    file: std::fs::File,
    path: PathBuf,
}

impl TrainLog {
    fn open(output: &Path, resumed_step: u64) -> Result<Self> {
        std::fs::create_dir_all(output).map_err(|e| PretrainError::io(output, e))?;
        let path = output.join(LOG_FILE);
        let kept = if resumed_step > 0 && path.exists() {
            let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
            text.lines()
                .filter(|line| {
                    serde_json::from_str::<StepLog>(line).is_ok_and(|l| l.step <= resumed_step)
                })
                .map(|line| format!("{line}\n"))
                .collect::<String>()
        } else {
            String::new()
        };
        mekong_common::write_file_atomic(&path, kept.as_bytes())?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| PretrainError::io(&path, e))?;
        Ok(TrainLog { file, path })
    }

    fn write(&mut self, entry: &StepLog) -> Result<()> {
        let line = serde_json::to_string(entry).expect("log entry serialises") + "\n";
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| PretrainError::io(&self.path, e))
    }
}

/// Reads `train-log.jsonl` of a training output folder.
pub fn read_log(output: &Path) -> Result<Vec<StepLog>> {
    let path = output.join(LOG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| PretrainError::BadInput {
                path: path.clone(),
                message: format!("line {}: {e}", i + 1),
            })
        })
        .collect()
}

fn progress_bar(show: bool, first: u64, last: u64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(last).with_style(
        ProgressStyle::with_template("train {bar:30} step {pos}/{len} {msg} eta {eta}")
            .expect("valid template"),
    );
    bar.set_position(first.saturating_sub(1));
    bar
}
