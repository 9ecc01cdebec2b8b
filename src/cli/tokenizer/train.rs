//! `mekong tokenizer train`.

use mekong_common::names::parse_name;
use mekong_tokenizer::train::{self, Algorithm, Base, Normalizer, TrainConfig, TrainOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Training text: a corpus-stage output folder (Parquet) or a folder of <lang>.txt files.
    #[arg(long)]
    train: PathBuf,
    /// Dev set: a folder of <lang>.txt files aligned line by line (needed for parity mode).
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Test set: aligned <lang>.txt files held out from training and from --dev; training.json
    /// and the summary give its premiums and Gini beside the dev set's.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Total vocabulary size: special tokens, the base symbols (256 bytes, or with --base char the characters and byte tokens) and merges.
    #[arg(long, default_value_t = TrainOptions::default().vocab_size)]
    vocab_size: usize,
    /// classic (most frequent pair overall) or parity (most frequent pair of the longest language).
    #[arg(long, default_value_t = TrainOptions::default().algorithm, value_parser = parse_name::<Algorithm>)]
    algorithm: Algorithm,
    /// Where to write tokenizer.json; training.json is written beside it.
    #[arg(long, default_value = train::TOKENIZER_FILE)]
    output: PathBuf,
    /// Parity: make the first N merges classic.
    #[arg(long, default_value_t = TrainOptions::default().global_merges)]
    global_merges: usize,
    /// Parity, moving-window variant: window length.
    #[arg(long)]
    window: Option<usize>,
    /// Moving-window variant: a language may take at most alpha/languages of the window.
    #[arg(long, default_value_t = TrainOptions::default().alpha)]
    alpha: f64,
    /// Parity serves a language only while its dev premium is above this level (e.g. 1.1);
    /// while every language is within it, the merge is the most frequent pair overall.
    #[arg(long)]
    parity_tolerance: Option<f64>,
    /// Parity without dev set: target compression ratios, e.g. vi=1.0,km=1.2 (others 1.0).
    #[arg(long, value_parser = super::parse_language_ratios)]
    target_ratio: Option<BTreeMap<String, f64>>,
    /// Hold these languages' dev premium at or under a value, e.g. vi=1.0 (Vietnamese-first).
    #[arg(long, value_parser = super::parse_language_ratios)]
    premium_cap: Option<BTreeMap<String, f64>>,
    /// Never merge a pair seen fewer times than this.
    #[arg(long, default_value_t = TrainOptions::default().min_frequency)]
    min_frequency: u64,
    /// Special tokens, comma-separated (an empty value for none).
    #[arg(long, value_delimiter = ',', default_values_t = TrainOptions::default().special_tokens)]
    special_tokens: Vec<String>,
    /// Sample each language down to about this many bytes (e.g. 50M).
    #[arg(long, value_parser = parse_bytes)]
    max_bytes_per_lang: Option<u64>,
    /// Seed of the --max-bytes-per-lang sampling.
    #[arg(long, default_value_t = TrainOptions::default().seed)]
    seed: u64,
    /// Language premiums are measured against (default en, else the first language).
    #[arg(long)]
    reference: Option<String>,
    /// Normaliser written into tokenizer.json: corpus (NFC, and the invisible characters the
    /// corpus stage removes, such as zero-width spaces, removed), nfc, or none.
    #[arg(long, default_value_t = TrainOptions::default().normalizer, value_parser = parse_name::<Normalizer>)]
    normalizer: Normalizer,
    /// What BPE starts from: byte (the 256 byte values, byte-level BPE) or char (each
    /// language's common characters, the rest as byte tokens: byte fallback).
    #[arg(long, default_value_t = TrainOptions::default().base, value_parser = parse_name::<Base>)]
    base: Base,
    /// --base char: the share of each language's characters that get a symbol of their own.
    #[arg(long, default_value_t = TrainOptions::default().char_coverage)]
    char_coverage: f64,
    /// Put a space before every segment (undone on decoding), so a segment's first word gets
    /// the tokens it has after a space, as SentencePiece's dummy prefix does.
    #[arg(long)]
    prefix_space: bool,
    /// Most clusters in one chunk of a script written without spaces (Thai, Lao, Khmer,
    /// Burmese, Chinese, Japanese).
    #[arg(long, default_value_t = TrainOptions::default().unspaced_chunk)]
    unspaced_chunk: usize,
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let options = TrainOptions {
        vocab_size: args.vocab_size,
        algorithm: args.algorithm,
        global_merges: args.global_merges,
        window: args.window,
        alpha: args.alpha,
        parity_tolerance: args.parity_tolerance,
        target_ratio: args.target_ratio.unwrap_or_default(),
        premium_cap: args.premium_cap.unwrap_or_default(),
        min_frequency: args.min_frequency,
        special_tokens: args
            .special_tokens
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect(),
        max_bytes_per_lang: args.max_bytes_per_lang,
        seed: args.seed,
        reference: args.reference,
        normalizer: args.normalizer,
        base: args.base,
        char_coverage: args.char_coverage,
        prefix_space: args.prefix_space,
        unspaced_chunk: args.unspaced_chunk,
    };
    let config = TrainConfig {
        train: args.train,
        dev: args.dev,
        test: args.test,
        options,
        show_progress: true,
    };
    let (trained, training) = train::train_to_file(&config, &args.output)?;
    eprintln!("{}", trained.summary.short_text());
    eprintln!("wrote {} and {}", args.output.display(), training.display());
    Ok(())
}

/// `5000000`, `500K`, `50M`, `2G` (powers of 1000; a trailing B is allowed).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let upper = text.trim().to_ascii_uppercase();
    let digits = upper.trim_end_matches('B');
    let (number, scale) = match digits.chars().last() {
        Some('K') => (&digits[..digits.len() - 1], 1_000),
        Some('M') => (&digits[..digits.len() - 1], 1_000_000),
        Some('G') => (&digits[..digits.len() - 1], 1_000_000_000),
        _ => (digits, 1),
    };
    let number: f64 = number
        .parse()
        .map_err(|_| format!("'{text}': expected a byte count such as 50M"))?;
    Ok((number * scale as f64) as u64)
}
