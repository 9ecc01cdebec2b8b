//! `mekong`: the command line over Mekong's stage libraries. It only parses arguments and calls
//! the libraries; every stage can also run from a pipeline file (`mekong run PIPELINE.toml`).

mod cli;
mod executor;
mod pipeline;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mekong",
    version,
    about = "Build a fair language model for your language: corpus → tokenizer → pretrain → eval → export"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the stages named in a pipeline file, in order, skipping those already up to date.
    Run(pipeline::RunArgs),
    /// Ingest, normalise, filter and deduplicate parallel and monolingual text into Parquet.
    Corpus(cli::corpus::CorpusArgs),
    /// Train a (parity-aware) BPE tokenizer, build its dev and test sets, or compare tokenizers.
    Tokenizer(cli::tokenizer::TokenizerArgs),
    /// Tokenize the corpus into shards and train a decoder-only model.
    Pretrain(cli::pretrain::PretrainArgs),
    /// Evaluate models: bits per byte per language, samples, contamination.
    Eval(cli::eval::EvalArgs),
    /// Write a trained model as a Hugging Face folder (transformers loads it) with a model card.
    Export(cli::export::ExportArgs),
    /// Run one task of a stage split into tasks (what `mekong run --executor` starts).
    Task(cli::task::TaskArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => pipeline::run(args),
        Command::Corpus(args) => cli::corpus::run(args),
        Command::Tokenizer(args) => cli::tokenizer::run(args),
        Command::Pretrain(args) => cli::pretrain::run(args),
        Command::Eval(args) => cli::eval::run(args),
        Command::Export(args) => cli::export::run(args),
        Command::Task(args) => cli::task::run(args),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", mekong_common::error_chain(error.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}
