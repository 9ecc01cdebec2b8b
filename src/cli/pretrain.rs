//! `mekong pretrain`: arguments and pipeline section of the pretrain stage.
//!
//! Pipeline section (every key optional):
//! ```toml
//! [pretrain]
//! corpus = "runs/demo/corpus"                   # default: the corpus stage's folder
//! tokenizer = "runs/demo/tokenizer/tokenizer.json"  # default: the tokenizer stage's
//! device = "cpu"                                # default: cuda when built in and present
//! [pretrain.tokenize]
//! validation_fraction = 0.01
//! [pretrain.train]
//! preset = "tiny"
//! steps = 300
//! language_weights = { vi = 0.7, "*" = 0.3 }
//! ```

use crate::pipeline::{PipelineContext, PlannedStage};
use anyhow::Context;
use mekong_pretrain::stage::{run_stage, run_train, stage_inputs, StageParameters, STAGE};
use mekong_pretrain::{
    tokenize, DeviceKind, ModelConfig, Precision, Resume, TokenizeConfig, TrainConfig,
    TrainOptions, TrainSummary,
};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct PretrainArgs {
    #[command(subcommand)]
    command: PretrainCommand,
}

#[derive(clap::Subcommand)]
enum PretrainCommand {
    /// Encode corpus Parquet into token shards (train/validation, one stream per language).
    Tokenize(TokenizeArgs),
    /// Train a decoder-only transformer on token shards.
    Train(Box<TrainArgs>),
}

#[derive(clap::Args)]
struct TokenizeArgs {
    /// Corpus stage output: a folder of Parquet files (or one file).
    #[arg(long)]
    corpus: PathBuf,
    /// The tokenizer.json to encode with.
    #[arg(long)]
    tokenizer: PathBuf,
    /// Folder to write the shards to (replaced when complete).
    #[arg(long)]
    output: PathBuf,
    /// Share of documents held out for validation (by a hash of the document id).
    #[arg(long, default_value_t = TokenizeConfig::default().validation_fraction)]
    validation_fraction: f64,
    /// Token appended after each document (default: <|endoftext|>, </s>, ... if the tokenizer has one).
    #[arg(long)]
    separator: Option<String>,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Token shards written by `mekong pretrain tokenize`.
    #[arg(long)]
    tokens: PathBuf,
    /// Folder for checkpoints and train-log.jsonl.
    #[arg(long)]
    output: PathBuf,
    /// Training parameters as TOML (the keys of `[pretrain.train]`); flags below override them.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Model size preset.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(ModelConfig::preset_names()))]
    preset: Option<String>,
    #[arg(long)]
    steps: Option<u64>,
    /// Windows per micro-batch.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Micro-batches per optimizer step.
    #[arg(long)]
    grad_accum: Option<usize>,
    #[arg(long)]
    seq_len: Option<usize>,
    /// Peak learning rate.
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long)]
    warmup_steps: Option<u64>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long)]
    eval_every: Option<u64>,
    #[arg(long)]
    checkpoint_every: Option<u64>,
    /// auto (bf16 on CUDA, f32 on CPU), f32, bf16 or f16.
    #[arg(long, value_parser = parse_precision)]
    precision: Option<Precision>,
    /// Sampling weight of a language, LANG=WEIGHT; repeat for several ("*" = all others).
    #[arg(long = "lang-weight", value_parser = parse_weight)]
    lang_weights: Vec<(String, f64)>,
    /// cpu or cuda (default: cuda when built in and present, else cpu).
    #[arg(long, value_parser = parse_device)]
    device: Option<DeviceKind>,
    /// Continue from the latest checkpoint in --output.
    #[arg(long)]
    resume: bool,
    /// Stop after this step (continue later with --resume).
    #[arg(long)]
    stop_after: Option<u64>,
    /// The device's peak TFLOP/s, for the MFU estimate in the log.
    #[arg(long)]
    peak_tflops: Option<f64>,
    /// Continue pretraining from a Hugging Face Llama folder (a `mekong export`, or any
    /// checkpoint of the same features whose tokenizer.json made --tokens); it sets the model's shape.
    #[arg(long)]
    init_from: Option<PathBuf>,
}

fn parse_device(s: &str) -> Result<DeviceKind, String> {
    s.parse()
        .map_err(|e: mekong_pretrain::PretrainError| e.to_string())
}

fn parse_precision(s: &str) -> Result<Precision, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown precision '{s}' (auto, f32, bf16, f16)"))
}

fn parse_weight(s: &str) -> Result<(String, f64), String> {
    let (lang, weight) = s.split_once('=').ok_or("expected LANG=WEIGHT")?;
    let weight = weight
        .parse::<f64>()
        .map_err(|_| format!("'{weight}' is not a number"))?;
    Ok((lang.to_string(), weight))
}

pub fn run(args: PretrainArgs) -> anyhow::Result<()> {
    match args.command {
        PretrainCommand::Tokenize(args) => run_tokenize(args),
        PretrainCommand::Train(args) => run_train_command(*args),
    }
}

fn run_tokenize(args: TokenizeArgs) -> anyhow::Result<()> {
    let config = TokenizeConfig {
        validation_fraction: args.validation_fraction,
        separator: args.separator,
    };
    let summary = tokenize(&args.corpus, &args.tokenizer, &args.output, &config)?;
    eprintln!(
        "tokenized {} file(s) in {:.1}s → {}",
        summary.files,
        summary.seconds,
        args.output.display()
    );
    for (split, langs) in &summary.meta.splits {
        for (lang, counts) in langs {
            eprintln!(
                "  {split:<10} {lang:<8} {:>9} docs {:>12} tokens {:>6.2} bytes/token",
                counts.documents,
                counts.tokens,
                counts.bytes as f64 / counts.tokens.max(1) as f64
            );
        }
    }
    Ok(())
}

fn run_train_command(args: TrainArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str::<TrainConfig>(&text)
                .with_context(|| format!("{}: not valid training parameters", path.display()))?
        }
        None => TrainConfig::default(),
    };
    macro_rules! set {
        ($($field:ident),*) => {$(if let Some(v) = args.$field.clone() { config.$field = v; })*};
    }
    set!(
        preset,
        steps,
        batch_size,
        grad_accum,
        lr,
        warmup_steps,
        seed,
        eval_every,
        checkpoint_every,
        precision
    );
    if args.seq_len.is_some() {
        config.seq_len = args.seq_len;
    }
    if args.init_from.is_some() {
        config.init_from = args.init_from.clone();
    }
    for (lang, weight) in &args.lang_weights {
        config.language_weights.insert(lang.clone(), *weight);
    }
    let options = TrainOptions {
        device: args.device,
        resume: if args.resume {
            Resume::Required
        } else {
            Resume::Never
        },
        stop_after: args.stop_after,
        peak_tflops: args.peak_tflops,
        progress: true,
    };
    let summary = run_train(&args.tokens, &args.output, &config, &options)?;
    print_train_summary(&summary);
    Ok(())
}

fn print_train_summary(summary: &TrainSummary) {
    eprintln!(
        "trained steps {}..={} on {} ({} parameters, seq_len {}) in {:.1}s, {:.0} tokens/s",
        summary.first_step,
        summary.last_step,
        summary.device,
        summary.params,
        summary.seq_len,
        summary.seconds,
        summary.tokens_per_sec
    );
    eprintln!(
        "  tokens seen {}  last loss {:.4}",
        summary.tokens, summary.last_loss
    );
    if let Some(v) = &summary.validation {
        eprintln!(
            "  validation loss {:.4}  bits/byte {:.4}",
            v.loss, v.bits_per_byte
        );
        for (lang, (loss, bpb)) in &v.languages {
            eprintln!("    {lang:<8} loss {loss:.4}  bits/byte {bpb:.4}");
        }
    }
    eprintln!("  checkpoint {}", summary.checkpoint.display());
}

/// The `[pretrain]` table of a pipeline file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PretrainSection {
    corpus: Option<PathBuf>,
    tokenizer: Option<PathBuf>,
    device: Option<String>,
    peak_tflops: Option<f64>,
    #[serde(default)]
    tokenize: TokenizeConfig,
    #[serde(default)]
    train: TrainConfig,
}

/// Plans the `[pretrain]` section of a pipeline file.
pub fn plan(section: &toml::Value, ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    let section: PretrainSection = section
        .clone()
        .try_into()
        .context("invalid [pretrain] section")?;
    let corpus = section
        .corpus
        .map(|p| ctx.resolve(p))
        .unwrap_or_else(|| ctx.stage_dir("corpus"));
    let tokenizer = section
        .tokenizer
        .map(|p| ctx.resolve(p))
        .unwrap_or_else(|| ctx.stage_dir("tokenizer").join("tokenizer.json"));
    let device = section
        .device
        .as_deref()
        .map(str::parse::<DeviceKind>)
        .transpose()?;
    let mut train = section.train;
    train.init_from = train.init_from.map(|dir| ctx.resolve(dir));
    let parameters = StageParameters {
        tokenize: section.tokenize,
        train,
    };
    let inputs = stage_inputs(&corpus, &tokenizer, &parameters);
    let out_dir = ctx.stage_dir(STAGE);
    let options = TrainOptions {
        device,
        peak_tflops: section.peak_tflops,
        ..TrainOptions::default()
    };
    let (exec_corpus, exec_tokenizer, exec_out) =
        (corpus.clone(), tokenizer.clone(), out_dir.clone());
    let exec_parameters = parameters.clone();
    Ok(PlannedStage {
        name: STAGE,
        out_dir,
        inputs,
        parameters: parameters.to_json(),
        execute: Box::new(move || {
            let summary = run_stage(
                &exec_corpus,
                &exec_tokenizer,
                &exec_out,
                &exec_parameters,
                &options,
            )?;
            let documents: u64 = summary
                .tokenize
                .meta
                .splits
                .values()
                .flat_map(|langs| langs.values())
                .map(|counts| counts.documents)
                .sum();
            eprintln!(
                "tokenized {documents} documents from {} file(s) in {:.1}s",
                summary.tokenize.files, summary.tokenize.seconds
            );
            print_train_summary(&summary.train);
            Ok(())
        }),
    })
}
