//! Mekong's side of `scripts/check-hf-export.sh`: what a checkpoint and its tokenizer compute,
//! written as JSON for the Python check to compare with transformers on the exported folder.
//!
//! ```text
//! hf_reference --checkpoint DIR --tokenizer tokenizer.json --parallel EVAL_SET
//!              [--texts DIR]... --output reference.json
//! ```
//!
//! - `logits`: the model's f32 logits for one sequence (the document token, then up to 63 tokens
//!   of the first evaluation text);
//! - `eval_texts`: each language of `--parallel` as `mekong eval` reads it (lines joined by `\n`),
//!   with its UTF-8 length and Mekong's token ids;
//! - `encodings`: Mekong's ids of every line of every `*.txt` file under each `--texts` folder.

use burn::tensor::{Int, Tensor, TensorData};
use mekong_common::parallel::read_raw_lines;
use mekong_common::parallel::FloresSplit;
use mekong_eval::stage::{document_token, load_tokenizer};
use mekong_eval::texts::load_parallel;
use mekong_pretrain::{load_checkpoint, CpuBackend};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// Positions of the logits sequence: enough to cover several tokens of context, small enough
/// that the JSON stays a few megabytes at a 32k vocabulary.
const LOGIT_POSITIONS: usize = 64;

struct Args {
    checkpoint: PathBuf,
    tokenizer: PathBuf,
    parallel: PathBuf,
    texts: Vec<PathBuf>,
    output: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut checkpoint, mut tokenizer, mut parallel, mut output) = (None, None, None, None);
    let mut texts = Vec::new();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .map(PathBuf::from)
            .ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--checkpoint" => checkpoint = Some(value),
            "--tokenizer" => tokenizer = Some(value),
            "--parallel" => parallel = Some(value),
            "--texts" => texts.push(value),
            "--output" => output = Some(value),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    let need = |value: Option<PathBuf>, flag: &str| value.ok_or(format!("{flag} is required"));
    Ok(Args {
        checkpoint: need(checkpoint, "--checkpoint")?,
        tokenizer: need(tokenizer, "--tokenizer")?,
        parallel: need(parallel, "--parallel")?,
        texts,
        output: need(output, "--output")?,
    })
}

fn encode(tokenizer: &Tokenizer, text: &str) -> Result<Vec<u32>, String> {
    tokenizer
        .encode(text, false)
        .map(|e| e.get_ids().to_vec())
        .map_err(|e| format!("cannot encode: {e}"))
}

fn encodings(tokenizer: &Tokenizer, dir: &Path) -> Result<Vec<Value>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let lines = read_raw_lines(file).map_err(|e| e.to_string())?;
            let ids = lines
                .iter()
                .map(|line| encode(tokenizer, line))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(json!({ "file": file, "lines": lines, "ids": ids }))
        })
        .collect()
}

fn run(args: Args) -> Result<(), String> {
    let device = Default::default();
    let (model, config, _) =
        load_checkpoint::<CpuBackend>(&args.checkpoint, &device).map_err(|e| e.to_string())?;
    let tokenizer = load_tokenizer(&args.tokenizer).map_err(|e| e.to_string())?;
    let start = document_token(&tokenizer, &args.tokenizer).map_err(|e| e.to_string())?;

    let texts =
        load_parallel(&args.parallel, &[], FloresSplit::Devtest).map_err(|e| e.to_string())?;
    let mut eval_texts = Vec::new();
    for text in &texts {
        let joined = text.joined();
        let ids = encode(&tokenizer, &joined)?;
        eval_texts
            .push(json!({ "lang": text.lang, "text": joined, "bytes": text.bytes(), "ids": ids }));
    }

    let first: Vec<u32> = eval_texts
        .first()
        .and_then(|t| t["ids"].as_array())
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_u64())
                .map(|id| id as u32)
                .collect()
        })
        .unwrap_or_default();
    let positions = LOGIT_POSITIONS.min(config.max_seq_len);
    let ids: Vec<u32> = std::iter::once(start)
        .chain(first)
        .take(positions)
        .collect();
    let input = Tensor::<CpuBackend, 2, Int>::from_data(
        TensorData::new(ids.iter().map(|&id| id as i64).collect(), [1, ids.len()]),
        &device,
    );
    let values = model
        .forward(input)
        .into_data()
        .into_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?;
    let rows: Vec<&[f32]> = values.chunks(config.vocab_size).collect();

    let mut all_encodings = Vec::new();
    for dir in &args.texts {
        all_encodings.extend(encodings(&tokenizer, dir)?);
    }
    let reference = json!({
        "document_token": start,
        "logits": { "ids": ids, "values": rows },
        "eval_texts": eval_texts,
        "encodings": all_encodings,
    });
    std::fs::write(&args.output, reference.to_string())
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    eprintln!(
        "reference: {} logit positions, {} eval texts, {} files of lines → {}",
        ids.len(),
        texts.len(),
        all_encodings.len(),
        args.output.display()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    match parse_args().and_then(run) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
