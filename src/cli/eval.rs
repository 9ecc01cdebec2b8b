//! `mekong eval`: the eval stage's arguments.

use mekong_common::names::parse_name;
use mekong_common::parallel::FloresSplit;
use mekong_eval::{EvalConfig, ModelSpec, SamplingConfig, TextSpec};
use mekong_pretrain::DeviceKind;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// A model to evaluate, `NAME=CHECKPOINT_DIR` (a checkpoint folder or a training output
    /// folder, whose latest checkpoint is used); repeat to compare models side by side.
    #[arg(long = "model", required = true, value_name = "NAME=DIR")]
    models: Vec<String>,
    /// The tokenizer.json the model was trained with: once for all models, or once per model
    /// in the order of --model.
    #[arg(long = "tokenizer", required = true, value_name = "PATH")]
    tokenizers: Vec<PathBuf>,
    /// A parallel set (folder of <lang>.txt, FLORES <code>.dev/.devtest, or UDHR with index.tsv).
    #[arg(long)]
    parallel: Option<PathBuf>,
    /// Languages to take from the parallel set (default: all).
    #[arg(long, value_delimiter = ',')]
    languages: Vec<String>,
    /// Which FLORES split to read from a FLORES-style parallel set: dev or devtest.
    #[arg(long, default_value_t = FloresSplit::default(), value_parser = parse_name::<FloresSplit>)]
    split: FloresSplit,
    /// An evaluation text for one language, `LANG=PATH`; repeatable.
    #[arg(long = "text", value_name = "LANG=PATH")]
    texts: Vec<String>,
    /// A file of prompts to continue, one a line.
    #[arg(long = "prompts", value_name = "FILE")]
    prompts_file: Option<PathBuf>,
    /// A prompt to continue; repeatable.
    #[arg(long = "prompt", value_name = "TEXT")]
    prompts: Vec<String>,
    /// The training corpus folder (part-*.parquet) to check the texts' contamination against.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Characters per n-gram in the contamination check.
    #[arg(long, default_value_t = EvalConfig::default().ngram)]
    ngram: usize,
    /// Tokens read per window (default: the model's context length).
    #[arg(long)]
    window: Option<usize>,
    /// Tokens newly scored per window (default: half the window).
    #[arg(long)]
    stride: Option<usize>,
    /// Windows read at once.
    #[arg(long, default_value_t = EvalConfig::default().batch_size)]
    batch_size: usize,
    /// Tokens generated per prompt.
    #[arg(long, default_value_t = SamplingConfig::default().max_new_tokens)]
    max_new_tokens: usize,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = SamplingConfig::default().temperature)]
    temperature: f32,
    /// Sample among the k most likely tokens only (0: all).
    #[arg(long, default_value_t = SamplingConfig::default().top_k)]
    top_k: usize,
    /// Sample among the most likely tokens holding this much probability (1: all).
    #[arg(long, default_value_t = SamplingConfig::default().top_p)]
    top_p: f32,
    /// Seed of the sampling.
    #[arg(long, default_value_t = SamplingConfig::default().seed)]
    seed: u64,
    /// cpu or cuda (default: CUDA when built in and present, else the CPU).
    #[arg(long, value_parser = parse_name::<DeviceKind>)]
    device: Option<DeviceKind>,
    /// Where to write eval.md, eval.html, eval.json.
    #[arg(long)]
    output: PathBuf,
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let tokenizers = &args.tokenizers;
    anyhow::ensure!(
        tokenizers.len() == 1 || tokenizers.len() == args.models.len(),
        "give --tokenizer once (for every model) or once per --model ({} models, {} tokenizers)",
        args.models.len(),
        tokenizers.len()
    );
    let models = args
        .models
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let (name, checkpoint) = split_pair(value, "--model", "NAME=CHECKPOINT_DIR")?;
            Ok(ModelSpec {
                name,
                checkpoint,
                tokenizer: tokenizers[i.min(tokenizers.len() - 1)].clone(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let texts = args
        .texts
        .iter()
        .map(|value| {
            let (lang, path) = split_pair(value, "--text", "LANG=PATH")?;
            Ok(TextSpec { lang, path })
        })
        .collect::<anyhow::Result<_>>()?;
    let config = EvalConfig {
        models,
        texts,
        parallel: args.parallel,
        languages: args.languages,
        split: args.split,
        prompts: args.prompts,
        prompts_file: args.prompts_file,
        window: args.window,
        stride: args.stride,
        batch_size: args.batch_size,
        sampling: SamplingConfig {
            max_new_tokens: args.max_new_tokens,
            temperature: args.temperature,
            top_k: args.top_k,
            top_p: args.top_p,
            seed: args.seed,
        },
        corpus: args.corpus,
        ngram: args.ngram,
        device: args.device,
    };
    let outcome = mekong_eval::run(&config, &args.output)?;
    eprint!("{}", mekong_eval::stage::summary(&outcome));
    Ok(())
}

fn split_pair(value: &str, flag: &str, form: &str) -> anyhow::Result<(String, PathBuf)> {
    match value.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => anyhow::bail!("{flag} {value}: expected {form}"),
    }
}
