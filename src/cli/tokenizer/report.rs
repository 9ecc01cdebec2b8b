//! `mekong tokenizer report`.

use anyhow::Context;
use mekong_common::names::parse_name;
use mekong_tokenizer::report::{self, FloresSplit, ReportConfig, TokenizerSpec};
use std::path::PathBuf;

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
    #[arg(long, default_value = report::DEFAULT_REFERENCE)]
    reference: String,
    /// Folder to write report.{md,html,json,csv} into (replaced only when complete).
    #[arg(long)]
    output: PathBuf,
    /// FLORES-style sets: which split to read (dev or devtest).
    #[arg(long, default_value_t = FloresSplit::default(), value_parser = parse_name::<FloresSplit>)]
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
    let report = report::generate(&config, &args.output)
        .with_context(|| format!("tokenizer report into {}", args.output.display()))?;
    eprint!("{}", report.summary_text(&args.output));
    Ok(())
}
