//! `mekong tokenizer train|report|devset`.

pub mod devset;
pub mod report;
pub mod train;

use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(clap::Args)]
pub struct TokenizerArgs {
    #[command(subcommand)]
    command: TokenizerCommand,
}

#[derive(clap::Subcommand)]
enum TokenizerCommand {
    /// Train a BPE tokenizer (classic or parity-aware, from bytes or characters) and write tokenizer.json.
    Train(train::TrainArgs),
    /// Compare tokenizers per language on a parallel set: tables and charts.
    Report(report::ReportArgs),
    /// Build aligned dev and test sets (disjoint) from bitexts through a pivot language.
    Devset(devset::DevsetArgs),
}

pub fn run(args: TokenizerArgs) -> anyhow::Result<()> {
    match args.command {
        TokenizerCommand::Train(args) => train::run(args),
        TokenizerCommand::Report(args) => report::run(args),
        TokenizerCommand::Devset(args) => devset::run(args),
    }
}

/// `vi=1.0,km=1.2` → {vi: 1.0, km: 1.2}.
fn parse_language_ratios(text: &str) -> Result<BTreeMap<String, f64>, String> {
    parse_language_values(text, "number")
}

/// `vi=2000` → {vi: 2000}.
fn parse_language_counts(text: &str) -> Result<BTreeMap<String, usize>, String> {
    parse_language_values(text, "whole number")
}

/// `LANG=VALUE` items separated by commas; `kind` names a value in the error.
fn parse_language_values<T: FromStr>(
    text: &str,
    kind: &str,
) -> Result<BTreeMap<String, T>, String> {
    text.split(',')
        .filter(|item| !item.trim().is_empty())
        .map(|item| {
            let (lang, value) = item
                .split_once('=')
                .ok_or_else(|| format!("'{item}': expected LANG=NUMBER"))?;
            let value: T = value
                .trim()
                .parse()
                .map_err(|_| format!("'{item}': '{value}' is not a {kind}"))?;
            Ok((lang.trim().to_string(), value))
        })
        .collect()
}
