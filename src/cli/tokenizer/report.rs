//! `mekong tokenizer report` and the `[tokenizer.report]` pipeline section.

use crate::pipeline::{PipelineContext, PlannedStage};
use anyhow::Context;
use mekong_tokenizer::report::{self, FloresSplit, ReportConfig, TokenizerSource, TokenizerSpec};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// A tokenizer to compare, repeated: NAME=PATH (a tokenizer.json or a .tiktoken rank file)
    /// or NAME=r50k|p50k|cl100k|o200k (built in); NAME= may be left out.
    #[arg(long = "tokenizer", required = true, value_name = "NAME=PATH")]
    tokenizers: Vec<String>,
    /// The parallel set: a folder of <lang>.txt, FLORES <code>.dev/.devtest, or the UDHR layout.
    #[arg(long)]
    parallel: PathBuf,
    /// The language premiums are relative to (a file's code, or a code from index.tsv).
    #[arg(long, default_value = "en")]
    reference: String,
    /// Folder to write report.{md,html,json,csv} into (replaced only when complete).
    #[arg(long)]
    output: PathBuf,
    /// FLORES-style sets: which split to read (dev or devtest).
    #[arg(long, default_value = "devtest", value_parser = parse_split)]
    split: FloresSplit,
    /// Only these languages (comma-separated; the reference is always included).
    #[arg(long, value_delimiter = ',')]
    languages: Vec<String>,
}

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let tokenizers = args
        .tokenizers
        .iter()
        .map(|spec| TokenizerSpec::parse(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let config = ReportConfig {
        tokenizers,
        parallel: args.parallel,
        reference: args.reference,
        split: args.split,
        languages: args.languages,
    };
    generate(&config, &args.output)
}

fn generate(config: &ReportConfig, output: &Path) -> anyhow::Result<()> {
    let report = report::generate(config, output)
        .with_context(|| format!("tokenizer report into {}", output.display()))?;
    for line in report.summary_lines() {
        eprintln!("{line}");
    }
    eprintln!("wrote {}/report.{{md,html,json,csv}}", output.display());
    Ok(())
}

fn parse_split(text: &str) -> Result<FloresSplit, String> {
    match text {
        "dev" => Ok(FloresSplit::Dev),
        "devtest" => Ok(FloresSplit::Devtest),
        _ => Err(format!("'{text}': expected dev or devtest")),
    }
}

/// The `[tokenizer.report]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    /// The parallel set's folder.
    parallel: PathBuf,
    #[serde(default = "default_reference")]
    reference: String,
    /// Other tokenizers, as on the command line: "NAME=PATH" or "NAME=cl100k".
    #[serde(default)]
    tokenizers: Vec<String>,
    /// Also compare the tokenizer stage's `tokenizer.json` (named `trained_name`).
    #[serde(default = "default_true")]
    include_trained: bool,
    #[serde(default = "default_trained_name")]
    trained_name: String,
    #[serde(default)]
    split: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
}

fn default_reference() -> String {
    "en".into()
}

fn default_true() -> bool {
    true
}

fn default_trained_name() -> String {
    "mekong".into()
}

/// Plans `[tokenizer.report]`: writes `<workdir>/tokenizer-report/`. By default the freshly
/// trained `<workdir>/tokenizer/tokenizer.json` comes first, then the listed tokenizers, whose
/// paths are relative to the pipeline file.
pub fn plan(section: &toml::Value, ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    let section: Section = section.clone().try_into()?;
    let mut tokenizers = Vec::new();
    if section.include_trained {
        tokenizers.push(TokenizerSpec {
            name: section.trained_name.clone(),
            source: TokenizerSource::HuggingFace(ctx.stage_dir("tokenizer").join("tokenizer.json")),
        });
    }
    for text in &section.tokenizers {
        let mut spec = TokenizerSpec::parse(text)?;
        spec.source = match spec.source {
            TokenizerSource::HuggingFace(path) => TokenizerSource::HuggingFace(ctx.resolve(path)),
            TokenizerSource::Tiktoken(path) => TokenizerSource::Tiktoken(ctx.resolve(path)),
            builtin => builtin,
        };
        tokenizers.push(spec);
    }
    let split = match section.split.as_deref() {
        None => FloresSplit::default(),
        Some(text) => parse_split(text).map_err(|e| anyhow::anyhow!("split: {e}"))?,
    };
    let config = ReportConfig {
        tokenizers,
        parallel: ctx.resolve(&section.parallel),
        reference: section.reference,
        split,
        languages: section.languages,
    };
    config.validate()?;
    let out_dir = ctx.stage_dir(report::STAGE);
    Ok(PlannedStage {
        name: report::STAGE,
        out_dir: out_dir.clone(),
        inputs: config.input_paths(),
        parameters: config.parameters(),
        execute: Box::new(move || generate(&config, &out_dir)),
    })
}
