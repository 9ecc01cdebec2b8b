//! `mekong tokenizer devset`.

use mekong_tokenizer::devset_builder::{build, Bitext, DevsetConfig};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct DevsetArgs {
    /// A bitext, repeated: SRC-TGT=FILE.tsv (pivot<TAB>translation, either side the pivot) or a
    /// corpus-stage output folder (its parallel shards).
    #[arg(long = "bitext", required = true, value_name = "SPEC")]
    bitexts: Vec<String>,
    /// The language every row is aligned through.
    #[arg(long, default_value_t = DevsetConfig::default().pivot)]
    pivot: String,
    /// Rows of the dev set, at most.
    #[arg(long, default_value_t = DevsetConfig::default().dev_size)]
    dev_size: usize,
    /// Rows of the test set, at most (never more than half the aligned rows).
    #[arg(long, default_value_t = DevsetConfig::default().test_size)]
    test_size: usize,
    /// Which rows go to which set.
    #[arg(long, default_value_t = DevsetConfig::default().seed)]
    seed: u64,
    /// Take segments translated in some bitexts, not all (a language's line is empty where it
    /// lacks one); --dev-size and --test-size are then rows per language.
    #[arg(long)]
    partial: bool,
    /// With --partial: dev rows for these languages instead of --dev-size, e.g. vi=2000 (the
    /// language the tokenizer is for, held to a cap: more rows pin its premium down).
    #[arg(long, value_parser = super::parse_language_counts)]
    dev_size_for: Option<BTreeMap<String, usize>>,
    /// Folder to write dev/, test/ and devset.json into (replaced only when complete).
    #[arg(long)]
    output: PathBuf,
}

pub fn run(args: DevsetArgs) -> anyhow::Result<()> {
    let bitexts = args
        .bitexts
        .iter()
        .map(|spec| Bitext::parse(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let config = DevsetConfig {
        bitexts,
        pivot: args.pivot,
        dev_size: args.dev_size,
        test_size: args.test_size,
        seed: args.seed,
        partial: args.partial,
        dev_size_for: args.dev_size_for.unwrap_or_default(),
    };
    let summary = build(&config, &args.output)?;
    eprint!("{}", summary.text(&args.output));
    Ok(())
}
