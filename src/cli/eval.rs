//! `mekong eval`: arguments and pipeline section of the eval stage.

use crate::pipeline::{PipelineContext, PlannedStage};
use anyhow::Context;
use mekong_eval::{EvalConfig, ModelSpec, SamplingConfig, TextSpec};
use mekong_pretrain::DeviceKind;
use mekong_tokenizer::report::FloresSplit;
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
    #[arg(long, default_value = "devtest", value_parser = ["dev", "devtest"])]
    split: String,
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
    #[arg(long, default_value_t = 50)]
    ngram: usize,
    /// Tokens read per window (default: the model's context length).
    #[arg(long)]
    window: Option<usize>,
    /// Tokens newly scored per window (default: half the window).
    #[arg(long)]
    stride: Option<usize>,
    /// Windows read at once.
    #[arg(long, default_value_t = 8)]
    batch_size: usize,
    /// Tokens generated per prompt.
    #[arg(long, default_value_t = 64)]
    max_new_tokens: usize,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.8)]
    temperature: f32,
    /// Sample among the k most likely tokens only (0: all).
    #[arg(long, default_value_t = 40)]
    top_k: usize,
    /// Sample among the most likely tokens holding this much probability (1: all).
    #[arg(long, default_value_t = 0.95)]
    top_p: f32,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// cpu or cuda (default: CUDA when built in and present, else the CPU).
    #[arg(long)]
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
        split: if args.split == "dev" {
            FloresSplit::Dev
        } else {
            FloresSplit::Devtest
        },
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
    evaluate(&config, &args.output)
}

fn split_pair(value: &str, flag: &str, form: &str) -> anyhow::Result<(String, PathBuf)> {
    match value.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => anyhow::bail!("{flag} {value}: expected {form}"),
    }
}

/// Runs the stage and prints its summary.
fn evaluate(config: &EvalConfig, output: &Path) -> anyhow::Result<()> {
    let outcome = mekong_eval::run(config, output)?;
    eprint!("{}", mekong_eval::stage::summary(&outcome));
    Ok(())
}

/// The `[eval]` section of a pipeline file. Paths are relative to the pipeline file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalSection {
    /// Models to compare; default: the pipeline's own model (`<workdir>/pretrain`) with its
    /// tokenizer (`<workdir>/tokenizer/tokenizer.json`).
    #[serde(default)]
    models: Vec<ModelSpec>,
    parallel: Option<PathBuf>,
    #[serde(default)]
    languages: Vec<String>,
    /// `dev` or `devtest` (default) for FLORES-style sets.
    #[serde(default)]
    split: FloresSplit,
    /// `lang = "path"` pairs.
    #[serde(default)]
    texts: toml::Table,
    #[serde(default)]
    prompts: Vec<String>,
    prompts_file: Option<PathBuf>,
    window: Option<usize>,
    stride: Option<usize>,
    batch_size: Option<usize>,
    max_new_tokens: Option<usize>,
    temperature: Option<f32>,
    top_k: Option<usize>,
    top_p: Option<f32>,
    seed: Option<u64>,
    /// Corpus folder for the contamination check; default: `<workdir>/corpus` when it exists.
    corpus: Option<PathBuf>,
    /// `false` skips the contamination check.
    #[serde(default = "yes")]
    contamination: bool,
    ngram: Option<usize>,
    /// `cpu` or `cuda`; default: CUDA when built in and present.
    device: Option<DeviceKind>,
}

fn yes() -> bool {
    true
}

/// Plans the `[eval]` section of a pipeline file.
pub fn plan(section: &toml::Value, ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    let section: EvalSection = section
        .clone()
        .try_into()
        .context("invalid [eval] section")?;
    let defaults = EvalConfig::default();
    let models = if section.models.is_empty() {
        vec![ModelSpec {
            name: "model".into(),
            checkpoint: ctx.stage_dir("pretrain"),
            tokenizer: ctx.stage_dir("tokenizer").join("tokenizer.json"),
        }]
    } else {
        section
            .models
            .into_iter()
            .map(|m| ModelSpec {
                checkpoint: ctx.resolve(&m.checkpoint),
                tokenizer: ctx.resolve(&m.tokenizer),
                name: m.name,
            })
            .collect()
    };
    let texts = section
        .texts
        .iter()
        .map(|(lang, path)| match path {
            toml::Value::String(path) => Ok(TextSpec {
                lang: lang.clone(),
                path: ctx.resolve(path),
            }),
            _ => anyhow::bail!("texts.{lang} must be a path (string)"),
        })
        .collect::<anyhow::Result<_>>()?;
    let corpus = if !section.contamination {
        None
    } else if let Some(corpus) = section.corpus {
        Some(ctx.resolve(corpus))
    } else {
        Some(ctx.stage_dir("corpus")).filter(|dir| dir.is_dir())
    };
    let sampling = SamplingConfig {
        max_new_tokens: section
            .max_new_tokens
            .unwrap_or(defaults.sampling.max_new_tokens),
        temperature: section.temperature.unwrap_or(defaults.sampling.temperature),
        top_k: section.top_k.unwrap_or(defaults.sampling.top_k),
        top_p: section.top_p.unwrap_or(defaults.sampling.top_p),
        seed: section.seed.unwrap_or(defaults.sampling.seed),
    };
    let config = EvalConfig {
        models,
        texts,
        parallel: section.parallel.map(|p| ctx.resolve(p)),
        languages: section.languages,
        split: section.split,
        prompts: section.prompts,
        prompts_file: section.prompts_file.map(|p| ctx.resolve(p)),
        window: section.window,
        stride: section.stride,
        batch_size: section.batch_size.unwrap_or(defaults.batch_size),
        sampling,
        corpus,
        ngram: section.ngram.unwrap_or(defaults.ngram),
        device: section.device,
    };
    let out_dir = ctx.stage_dir(mekong_eval::stage::STAGE);
    let execute_out = out_dir.clone();
    let execute_config = config.clone();
    Ok(PlannedStage {
        name: mekong_eval::stage::STAGE,
        out_dir,
        inputs: config.inputs(),
        parameters: serde_json::to_value(&config)?,
        execute: Box::new(move || evaluate(&execute_config, &execute_out)),
    })
}
