//! `mekong tokenizer train|report|devset`.

pub mod devset;
pub mod report;
pub mod train;

#[derive(clap::Args)]
pub struct TokenizerArgs {
    #[command(subcommand)]
    command: TokenizerCommand,
}

#[derive(clap::Subcommand)]
enum TokenizerCommand {
    /// Train a byte-level BPE tokenizer (classic or parity-aware) and write tokenizer.json.
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
