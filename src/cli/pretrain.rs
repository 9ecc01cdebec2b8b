//! `mekong pretrain tokenize|train`: the pretrain stage's arguments.

use anyhow::Context;
use mekong_common::names::parse_name;
use mekong_pretrain::stage::run_train;
use mekong_pretrain::{
    tokenize, DeviceKind, ModelConfig, Precision, Resume, TokenizeConfig, TrainConfig, TrainOptions,
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
    #[arg(long, value_parser = parse_name::<Precision>)]
    precision: Option<Precision>,
    /// Sampling weight of a language, LANG=WEIGHT; repeat for several ("*" = all others).
    #[arg(long = "lang-weight", value_parser = parse_weight)]
    lang_weights: Vec<(String, f64)>,
    /// cpu or cuda (default: cuda when built in and present, else cpu).
    #[arg(long, value_parser = parse_name::<DeviceKind>)]
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
    eprint!("{}", summary.text(&args.output));
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
    eprint!("{}", summary.text());
    Ok(())
}
