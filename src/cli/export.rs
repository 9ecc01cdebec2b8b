//! `mekong export`: arguments and pipeline section of the export stage.
//!
//! Pipeline section (every key optional):
//! ```toml
//! [export]
//! model = "runs/demo/pretrain"                     # default: the pretrain stage's folder
//! tokenizer = "runs/demo/tokenizer/tokenizer.json" # default: the tokenizer stage's
//! dtype = "f32"                                    # or "bf16"
//! license = "apache-2.0"                           # the Hub's licence id (default: other)
//! name = "mekong-demo"                             # the card's title (default: the workdir's name)
//! corpus = "runs/demo/corpus"                      # default: this workdir's corpus stage, if it ran
//! eval = "runs/demo/eval"                          # default: this workdir's eval stage, if it ran
//! ```
//! The model card quotes the corpus stage's stats.json and the eval stage's eval.json.

use crate::pipeline::{PipelineContext, PlannedStage};
use anyhow::Context;
use mekong_export::{ExportConfig, ExportOutcome, STAGE};
use mekong_pretrain::hf::ExportDtype;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ExportArgs {
    /// A checkpoint folder, or a training output folder (its latest checkpoint is exported).
    #[arg(long)]
    model: PathBuf,
    /// The tokenizer.json the model was trained with.
    #[arg(long)]
    tokenizer: PathBuf,
    /// The folder to write (must not exist or be empty, unless --force).
    #[arg(long)]
    output: PathBuf,
    /// Weights' dtype in model.safetensors: f32 or bf16.
    #[arg(long, default_value = "f32")]
    dtype: ExportDtype,
    /// The Hub's licence id for the model card (apache-2.0, cc-by-sa-4.0, …; default: other).
    #[arg(long)]
    license: Option<String>,
    /// The model's name in the card's title (default: the output folder's name).
    #[arg(long)]
    name: Option<String>,
    /// The corpus stage's folder: the card lists the training data per language.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// The eval stage's folder: the card lists bits per byte per language.
    #[arg(long)]
    eval: Option<PathBuf>,
    /// Replace a non-empty output folder.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let config = ExportConfig {
        dtype: args.dtype,
        license: args.license,
        name: args.name,
        corpus: args.corpus,
        eval: args.eval,
        ..ExportConfig::new(args.model, args.tokenizer)
    };
    let outcome = mekong_export::run(&config, &args.output, args.force)?;
    print_summary(&outcome);
    Ok(())
}

fn print_summary(outcome: &ExportOutcome) {
    eprintln!(
        "exported step {} of {} ({} parameters, {}, {:.1} MB of weights) → {}",
        outcome.step,
        outcome.checkpoint.display(),
        outcome.parameters,
        outcome.dtype.torch_name(),
        outcome.weights_bytes as f64 / 1e6,
        outcome.out_dir.display()
    );
    if !outcome.tokenizer_is_the_trained_one {
        eprintln!(
            "  note: the tokenizer has the model's vocabulary size but is not the file the model \
             was trained with"
        );
    }
    eprintln!(
        "  load it: AutoModelForCausalLM.from_pretrained(\"{0}\"), AutoTokenizer.from_pretrained(\"{0}\")",
        outcome.out_dir.display()
    );
}

/// The `[export]` table of a pipeline file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportSection {
    model: Option<PathBuf>,
    tokenizer: Option<PathBuf>,
    #[serde(default)]
    dtype: ExportDtype,
    license: Option<String>,
    name: Option<String>,
    /// The corpus and eval stage folders the card quotes (default: this workdir's, if they ran).
    corpus: Option<PathBuf>,
    eval: Option<PathBuf>,
}

/// Plans the `[export]` section of a pipeline file.
pub fn plan(section: &toml::Value, ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    let section: ExportSection = section
        .clone()
        .try_into()
        .context("invalid [export] section")?;
    let existing = |stage: &str, file: &str| {
        let dir = ctx.stage_dir(stage);
        dir.join(file).is_file().then_some(dir)
    };
    let config = ExportConfig {
        model: section
            .model
            .map(|p| ctx.resolve(p))
            .unwrap_or_else(|| ctx.stage_dir(mekong_pretrain::stage::STAGE)),
        tokenizer: section
            .tokenizer
            .map(|p| ctx.resolve(p))
            .unwrap_or_else(|| {
                ctx.stage_dir("tokenizer")
                    .join(mekong_tokenizer::train::TOKENIZER_FILE)
            }),
        dtype: section.dtype,
        license: section.license,
        name: Some(section.name.unwrap_or_else(|| workdir_name(&ctx.workdir))),
        corpus: section
            .corpus
            .map(|p| ctx.resolve(p))
            .or_else(|| existing("corpus", mekong_corpus::writers::stats::STATS_FILE)),
        eval: section
            .eval
            .map(|p| ctx.resolve(p))
            .or_else(|| existing(mekong_eval::stage::STAGE, mekong_eval::report::JSON_FILE)),
    };
    let out_dir = ctx.stage_dir(STAGE);
    let (execute_config, execute_out) = (config.clone(), out_dir.clone());
    Ok(PlannedStage {
        name: STAGE,
        out_dir,
        inputs: config.inputs(),
        parameters: serde_json::to_value(&config)?,
        execute: Box::new(move || {
            // The runner has set an earlier export aside; a folder filled otherwise is refused.
            let outcome = mekong_export::run(&execute_config, &execute_out, false)?;
            print_summary(&outcome);
            Ok(())
        }),
    })
}

fn workdir_name(workdir: &Path) -> String {
    let name = std::path::absolute(workdir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "model".to_string());
    format!("mekong-{name}")
}
