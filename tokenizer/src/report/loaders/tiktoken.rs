//! tiktoken encodings: rank files (`<base64 token> <rank>` per line, the format OpenAI and
//! Llama 3 publish) and the built-in r50k/p50k/cl100k/o200k that `tiktoken-rs` ships.
//!
//! A rank file does not say which pre-tokenisation pattern goes with it; the loader takes
//! OpenAI's pattern of the nearest size (≥ 150k ranks: o200k; ≥ 60k: cl100k; else r50k/GPT-2),
//! which is right for OpenAI's files and for Llama 3's (cl100k-like).

use super::{Surface, Token, TokenEncoder, Vocabulary};
use crate::report::config::Builtin;
use crate::report::error::{ReportError, Result};
use base64::Engine;
use rustc_hash::FxHashMap;
use std::path::Path;
use tiktoken_rs::CoreBPE;

/// GPT-2 / r50k and p50k pre-tokenisation.
const R50K_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";
/// cl100k pre-tokenisation.
const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

pub struct TiktokenEncoder {
    bpe: CoreBPE,
    /// Byte length of each rank, to place tokens in the line (tiktoken is byte-exact).
    lengths: Vec<u32>,
}

impl TokenEncoder for TiktokenEncoder {
    fn encode(&self, text: &str) -> std::result::Result<Vec<Token>, String> {
        let mut start = 0u32;
        self.bpe
            .encode_ordinary(text)
            .into_iter()
            .map(|id| {
                let length = *self
                    .lengths
                    .get(id as usize)
                    .ok_or_else(|| format!("token id {id} has no bytes"))?;
                let token = Token {
                    id,
                    start,
                    end: start + length,
                };
                start += length;
                Ok(token)
            })
            .collect()
    }
}

/// Reads a rank file. Bad lines, duplicate tokens or ranks, and missing single bytes (which
/// would make encoding fail on some text) are errors naming the file and line.
pub fn load_rank_file(path: &Path) -> Result<(TiktokenEncoder, Vocabulary)> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    let bad_line = |line: usize, message: String| ReportError::BadLine {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut ranks: FxHashMap<Vec<u8>, u32> = FxHashMap::default();
    let mut by_rank: Vec<Option<Vec<u8>>> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let (token, rank) = line
            .split_once(' ')
            .ok_or_else(|| bad_line(number, "expected '<base64 token> <rank>'".to_string()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token)
            .map_err(|e| bad_line(number, format!("token '{token}' is not base64: {e}")))?;
        let rank: u32 = rank
            .trim()
            .parse()
            .map_err(|_| bad_line(number, format!("rank '{rank}' is not a whole number")))?;
        let slot = rank as usize;
        if by_rank.len() <= slot {
            by_rank.resize(slot + 1, None);
        }
        if by_rank[slot].is_some() {
            return Err(bad_line(number, format!("rank {rank} is given twice")));
        }
        if ranks.insert(bytes.clone(), rank).is_some() {
            return Err(bad_line(number, format!("token '{token}' is given twice")));
        }
        by_rank[slot] = Some(bytes);
    }
    if let Some(byte) = (0..=255u8).find(|b| !ranks.contains_key(&vec![*b])) {
        return Err(ReportError::bad_tokenizer(
            path,
            format!("no rank for the single byte 0x{byte:02X}: a byte-level BPE needs all 256"),
        ));
    }
    let pattern = match ranks.len() {
        n if n >= 150_000 => tiktoken_rs::O200K_BASE_PAT_STR,
        n if n >= 60_000 => CL100K_PATTERN,
        _ => R50K_PATTERN,
    };
    let bpe = CoreBPE::new(ranks, FxHashMap::default(), pattern)
        .map_err(|e| ReportError::bad_tokenizer(path, e))?;
    let lengths = by_rank
        .iter()
        .map(|bytes| bytes.as_ref().map_or(0, |b| b.len() as u32))
        .collect();
    let vocabulary = Vocabulary::new(
        by_rank
            .into_iter()
            .enumerate()
            .filter_map(|(rank, bytes)| Some((rank as u32, surface(bytes?)))),
    );
    Ok((TiktokenEncoder { bpe, lengths }, vocabulary))
}

/// One of the encodings `tiktoken-rs` ships.
pub fn load_builtin(builtin: Builtin) -> Result<(TiktokenEncoder, Vocabulary)> {
    let (bpe, upper) = match builtin {
        Builtin::R50k => (tiktoken_rs::r50k_base(), 50_257),
        Builtin::P50k => (tiktoken_rs::p50k_base(), 50_281),
        Builtin::Cl100k => (tiktoken_rs::cl100k_base(), 100_277),
        Builtin::O200k => (tiktoken_rs::o200k_base(), 200_019),
    };
    let bpe = bpe.map_err(|e| ReportError::BadTokenizerSpec {
        spec: builtin.name().to_string(),
        message: e.to_string(),
    })?;
    let specials: Vec<Vec<u8>> = bpe
        .special_tokens()
        .into_iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let mut lengths = Vec::with_capacity(upper);
    let mut entries = Vec::with_capacity(upper);
    for id in 0..upper as u32 {
        let Ok(bytes) = bpe.decode_bytes(&[id]) else {
            lengths.push(0);
            continue;
        };
        lengths.push(bytes.len() as u32);
        let entry = if specials.contains(&bytes) {
            Surface::Special
        } else {
            surface(bytes)
        };
        entries.push((id, entry));
    }
    Ok((TiktokenEncoder { bpe, lengths }, Vocabulary::new(entries)))
}

fn surface(bytes: Vec<u8>) -> Surface {
    match String::from_utf8(bytes) {
        Ok(text) => Surface::Text(text),
        Err(_) => Surface::Bytes,
    }
}
