//! `mekong pretrain train`: the training loop.
//!
//! A hand-written loop rather than burn's `Learner`, because exact resume needs every piece of
//! state in our hands: the model and AdamW records, the step, and the sampler's RNG position all
//! go into one checkpoint, and the learning rate is a pure function of the step. Each step draws
//! `batch_size × grad_accum` windows, accumulates gradients, clips them by their global norm,
//! and takes one AdamW step; every step is logged to `train-log.jsonl`.
//!
//! Modules: `config` (what a run is asked to do), `start` (a fresh, initialised or resumed
//! model), `log` (the step log), `grads` (clipping by the global norm), `validation` (loss and
//! bits per byte on the held-out windows); checkpoints are saved and pruned by
//! [`crate::checkpoint`].

use crate::checkpoint::{self, latest_checkpoint, CheckpointMeta};
use crate::data::{
    language_mix, validation_windows, Sampler, SamplerState, TokenShards, TRAIN_SPLIT,
    VALIDATION_SPLIT,
};
use crate::device::{resolve_device, DeviceKind};
use crate::model::{Model, ModelConfig};
use crate::Result;
use burn::module::{AutodiffModule, Module};
use burn::optim::{AdamWConfig, GradientsAccumulator, GradientsParams, Optimizer};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod allocator;
mod config;
mod grads;
mod log;
mod loss;
mod start;
mod validation;

pub use config::TrainConfig;
pub use log::{read_log, StepLog, Validation, LOG_FILE};

use checkpoint::{prune_checkpoints, save_checkpoint};
use grads::{global_norm, scale_grads};
use log::TrainLog;
use loss::NextTokenLoss;
use start::Start;
use validation::validate;

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
    if device == DeviceKind::Cpu {
        allocator::keep_freed_memory();
    }
    let setup = Setup {
        model_config,
        seq_len,
        device_kind: device,
        dtype,
    };
    crate::with_backend!(device, |B| run::<burn::backend::Autodiff<B>>(
        &shards,
        output,
        config,
        options,
        setup,
        &Default::default(),
    ))
}

struct Setup {
    model_config: ModelConfig,
    seq_len: usize,
    device_kind: DeviceKind,
    dtype: Option<burn::tensor::FloatDType>,
}

fn run<B: NextTokenLoss>(
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
    // 1. The data: the language mix of the training streams and the seeded window sampler.
    let train_streams = shards.split(TRAIN_SPLIT);
    let mix = language_mix(train_streams, &config.language_weights, seq_len + 1)?;
    let mut sampler = Sampler::new(config.seed, &mix);
    let training_json = serde_json::to_value(config).expect("train config serialises");

    // 2. The model and optimizer: fresh, from --init-from, or resumed from the latest checkpoint.
    let optimizer = AdamWConfig::new()
        .with_beta_1(config.beta1 as f32)
        .with_beta_2(config.beta2 as f32)
        .with_epsilon(config.epsilon as f32)
        .with_weight_decay(config.weight_decay as f32)
        .init::<B, Model<B>>();
    let start = Start {
        shards,
        output,
        config,
        options,
        model_config: &model_config,
        training_json: &training_json,
    };
    let (mut model, mut state, mut optimizer) = start.load(&mut sampler, optimizer, device)?;
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

    // 3. What each step needs: the validation windows, the loss, the counters.
    let last_step = options
        .stop_after
        .map_or(config.steps, |s| s.min(config.steps));
    let validation_streams = shards.split(VALIDATION_SPLIT);
    let validation_set = validation_windows(validation_streams, seq_len + 1, config.eval_windows);
    let tokens_per_step = (config.batch_size * config.grad_accum * seq_len) as u64;
    let flops_per_step = 3.0 * model_config.flops_per_token(seq_len) * tokens_per_step as f64;
    let progress = progress_bar(options.progress, first_step, last_step);
    let mut validation = None;
    let mut checkpoint_path = latest_checkpoint(output)?.unwrap_or_default();
    let mut run_tokens = 0u64;

    // 4. The steps: accumulate, clip, update, log; validate and checkpoint at their intervals.
    for step in first_step..=last_step {
        let step_started = Instant::now();
        let mut accumulator = GradientsAccumulator::<Model<B>>::new();
        let mut loss_sum = 0.0;
        for _ in 0..config.grad_accum {
            let windows = sampler.next_windows(train_streams, config.batch_size, seq_len + 1);
            let (inputs, targets) = split_window::<B>(windows, config.batch_size, seq_len, device);
            let logits = model.forward(inputs);
            let vocab = model_config.vocab_size;
            let loss = B::next_token_loss(
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
    // 5. What the run did.
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

/// A batch of windows of `seq_len + 1` tokens as (inputs, next-token targets).
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
