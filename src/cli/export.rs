//! `mekong export`: the export stage's arguments.

use mekong_common::names::parse_name;
use mekong_export::ExportConfig;
use mekong_pretrain::hf::ExportDtype;
use std::path::PathBuf;

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
    #[arg(long, default_value_t = ExportDtype::default(), value_parser = parse_name::<ExportDtype>)]
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
    eprint!("{}", outcome.text());
    Ok(())
}
