//! Token shards on disk and what training draws from them.
//!
//! ```text
//! tokens/
//!   tokens.json            ShardsMeta: token width, vocabulary, tokenizer hash, separator id,
//!                          and per split and language: documents, tokens, UTF-8 bytes
//!   train/<lang>.tokens    token ids of that language's documents, concatenated, each document
//!                          followed by the separator; little-endian u16 (vocab ≤ 65,536) or u32
//!   train/<lang>.docs      little-endian u64: the end offset (in tokens) of each document
//!   validation/...         the same for the held-out documents
//! ```
//!
//! One stream per language makes language-weighted sampling a matter of picking a stream, and
//! keeps documents whole. Streams are memory-mapped, so a corpus larger than RAM trains fine.

use crate::checkpoint::TokenizerInfo;
use crate::{PretrainError, Result};
use memmap2::Mmap;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub const SHARDS_META_FILE: &str = "tokens.json";
pub const TOKENS_EXT: &str = "tokens";
pub const DOCS_EXT: &str = "docs";
pub const TRAIN_SPLIT: &str = "train";
pub const VALIDATION_SPLIT: &str = "validation";
pub(crate) const SHARDS_FORMAT_VERSION: u32 = 1;

/// Width of a stored token id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenWidth {
    U16,
    U32,
}

impl TokenWidth {
    /// The narrowest width that holds every id of a vocabulary.
    pub fn for_vocab(vocab_size: usize) -> Self {
        if vocab_size <= 1 << 16 {
            TokenWidth::U16
        } else {
            TokenWidth::U32
        }
    }

    pub fn bytes(self) -> usize {
        match self {
            TokenWidth::U16 => 2,
            TokenWidth::U32 => 4,
        }
    }
}

/// Counts of one language in one split.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamCounts {
    pub documents: u64,
    /// Token ids stored, separators included.
    pub tokens: u64,
    /// UTF-8 bytes of the documents' text (for bits per byte).
    pub bytes: u64,
}

/// `tokens.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardsMeta {
    pub format_version: u32,
    pub token_width: TokenWidth,
    pub tokenizer: TokenizerInfo,
    /// Token appended after every document, when the tokenizer has one.
    pub separator: Option<u32>,
    /// split → language → counts.
    pub splits: BTreeMap<String, BTreeMap<String, StreamCounts>>,
}

impl ShardsMeta {
    /// Documents in every split and language.
    pub fn documents(&self) -> u64 {
        self.splits
            .values()
            .flat_map(|langs| langs.values())
            .map(|counts| counts.documents)
            .sum()
    }

    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(SHARDS_META_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::BadInput {
            path: path.clone(),
            message: format!(
                "cannot read token shards metadata ({e}); run `mekong pretrain tokenize` first"
            ),
        })?;
        let meta: ShardsMeta =
            serde_json::from_str(&text).map_err(|e| PretrainError::BadInput {
                path: path.clone(),
                message: format!("damaged token shards metadata: {e}"),
            })?;
        if meta.format_version != SHARDS_FORMAT_VERSION {
            return Err(PretrainError::BadInput {
                path,
                message: format!(
                    "format version {} is not the supported {SHARDS_FORMAT_VERSION}; tokenize again",
                    meta.format_version
                ),
            });
        }
        Ok(meta)
    }
}

/// Path of a language's token stream in a split.
pub fn stream_path(dir: &Path, split: &str, lang: &str, ext: &str) -> PathBuf {
    dir.join(split).join(format!("{lang}.{ext}"))
}

/// One language's memory-mapped token stream.
#[derive(Debug)]
pub struct Stream {
    pub lang: String,
    pub counts: StreamCounts,
    width: TokenWidth,
    tokens: Mmap,
}

impl Stream {
    fn open(
        dir: &Path,
        split: &str,
        lang: &str,
        counts: &StreamCounts,
        width: TokenWidth,
        vocab_size: usize,
    ) -> Result<Self> {
        let path = stream_path(dir, split, lang, TOKENS_EXT);
        let file = std::fs::File::open(&path).map_err(|e| PretrainError::io(&path, e))?;
        // SAFETY: the shards are written once by `tokenize` and only read afterwards; a file
        // changed underneath a run would at worst feed wrong ids, which `token` bounds-checks.
        let tokens = unsafe { Mmap::map(&file) }.map_err(|e| PretrainError::io(&path, e))?;
        // Checked: a damaged index's count times the width could wrap around and match.
        let expected = counts.tokens.checked_mul(width.bytes() as u64);
        if expected != Some(tokens.len() as u64) {
            return Err(PretrainError::BadInput {
                path,
                message: format!(
                    "holds {} bytes but {SHARDS_META_FILE} promises {} tokens of {} bytes: the \
                     shard is truncated or damaged; tokenize again",
                    tokens.len(),
                    counts.tokens,
                    width.bytes()
                ),
            });
        }
        check_document_ends(&stream_path(dir, split, lang, DOCS_EXT), counts)?;
        let stream = Stream {
            lang: lang.to_string(),
            counts: counts.clone(),
            width,
            tokens,
        };
        stream.check_ids(&path, vocab_size)?;
        Ok(stream)
    }

    /// Fails unless every id is below `vocab_size`: a damaged shard (or one from another
    /// tokenizer) would otherwise index past the embedding table in the middle of training.
    /// One pass over the mapped file, at open.
    fn check_ids(&self, path: &Path, vocab_size: usize) -> Result<()> {
        match (0..self.len()).find(|&i| self.token(i) as usize >= vocab_size) {
            None => Ok(()),
            Some(index) => Err(PretrainError::BadInput {
                path: path.to_path_buf(),
                message: format!(
                    "token {index} is id {}, but the tokenizer has {vocab_size} ids: the shard is \
                     damaged or from another tokenizer; tokenize again",
                    self.token(index)
                ),
            }),
        }
    }

    pub fn len(&self) -> usize {
        self.counts.tokens as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id at `index`.
    pub fn token(&self, index: usize) -> u32 {
        match self.width {
            TokenWidth::U16 => {
                let b = &self.tokens[2 * index..2 * index + 2];
                u16::from_le_bytes([b[0], b[1]]) as u32
            }
            TokenWidth::U32 => {
                let b = &self.tokens[4 * index..4 * index + 4];
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            }
        }
    }

    /// Appends ids `start..start + len` to `out`.
    pub fn read_into(&self, start: usize, len: usize, out: &mut Vec<i64>) {
        out.extend((start..start + len).map(|i| self.token(i) as i64));
    }
}

/// Fails unless the `.docs` file beside a stream holds one end offset per document that
/// `tokens.json` counts, the last ending where the stream ends. Only its size and last offset
/// are read, so opening stays cheap on a corpus of millions of documents; and with every count
/// bounded by a file's size, summing them ([`ShardsMeta::documents`]) cannot overflow.
fn check_document_ends(path: &Path, counts: &StreamCounts) -> Result<()> {
    let bad = |message: String| PretrainError::BadInput {
        path: path.to_path_buf(),
        message,
    };
    let mut file = std::fs::File::open(path).map_err(|e| PretrainError::io(path, e))?;
    let size = file
        .metadata()
        .map_err(|e| PretrainError::io(path, e))?
        .len();
    if counts.documents.checked_mul(8) != Some(size) {
        return Err(bad(format!(
            "holds {size} bytes but {SHARDS_META_FILE} promises {} documents of 8 bytes: the \
             file is truncated or damaged; tokenize again",
            counts.documents
        )));
    }
    if size == 0 {
        return match counts.tokens {
            0 => Ok(()),
            tokens => Err(bad(format!(
                "holds no document, but the stream holds {tokens} tokens; tokenize again"
            ))),
        };
    }
    let mut last = [0u8; 8];
    file.seek(SeekFrom::End(-8))
        .and_then(|_| file.read_exact(&mut last))
        .map_err(|e| PretrainError::io(path, e))?;
    match u64::from_le_bytes(last) {
        end if end == counts.tokens => Ok(()),
        end => Err(bad(format!(
            "the last document ends at token {end}, but the stream holds {} tokens; tokenize again",
            counts.tokens
        ))),
    }
}

/// All streams of a tokens folder, opened and checked against `tokens.json`.
#[derive(Debug)]
pub struct TokenShards {
    pub dir: PathBuf,
    pub meta: ShardsMeta,
    /// split → streams in language order.
    pub splits: BTreeMap<String, Vec<Stream>>,
}

impl TokenShards {
    pub fn open(dir: &Path) -> Result<Self> {
        let meta = ShardsMeta::read(dir)?;
        let mut splits = BTreeMap::new();
        for (split, langs) in &meta.splits {
            let streams = langs
                .iter()
                .map(|(lang, counts)| {
                    let vocab_size = meta.tokenizer.vocab_size;
                    Stream::open(dir, split, lang, counts, meta.token_width, vocab_size)
                })
                .collect::<Result<Vec<_>>>()?;
            splits.insert(split.clone(), streams);
        }
        Ok(TokenShards {
            dir: dir.to_path_buf(),
            meta,
            splits,
        })
    }

    pub fn split(&self, name: &str) -> &[Stream] {
        self.splits.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// How much of each language training draws, before normalisation.
///
/// `weights` names languages explicitly; the key `"*"` shares its weight among the languages not
/// named, in proportion to their token counts. Without weights every language is drawn in
/// proportion to its token count (the corpus's natural mix). Languages with weight 0 or fewer
/// tokens than one window are never drawn.
pub fn language_mix(
    streams: &[Stream],
    weights: &BTreeMap<String, f64>,
    window: usize,
) -> Result<Vec<(usize, f64)>> {
    for (lang, weight) in weights {
        if !weight.is_finite() || *weight < 0.0 {
            return Err(PretrainError::Config {
                message: format!(
                    "language weight of '{lang}' must be a non-negative number, not {weight}"
                ),
            });
        }
        if lang != "*" && !streams.iter().any(|s| &s.lang == lang) {
            return Err(PretrainError::Config {
                message: format!(
                    "language weight given for '{lang}' but the training shards hold no such language (they hold: {})",
                    streams.iter().map(|s| s.lang.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    let usable: Vec<usize> = (0..streams.len())
        .filter(|&i| streams[i].len() >= window)
        .collect();
    let rest_tokens: f64 = usable
        .iter()
        .filter(|&&i| !weights.contains_key(&streams[i].lang))
        .map(|&i| streams[i].len() as f64)
        .sum();
    let mut mix = Vec::new();
    for &i in &usable {
        let tokens = streams[i].len() as f64;
        let weight = if weights.is_empty() {
            tokens
        } else if let Some(w) = weights.get(&streams[i].lang) {
            *w
        } else {
            weights.get("*").copied().unwrap_or(0.0) * tokens / rest_tokens.max(1.0)
        };
        if weight > 0.0 {
            mix.push((i, weight));
        }
    }
    let total: f64 = mix.iter().map(|m| m.1).sum();
    if mix.is_empty() || total <= 0.0 {
        return Err(PretrainError::Config {
            message: format!(
                "no training language has both a positive weight and at least {window} tokens \
                 (one window): use more text or a shorter seq_len"
            ),
        });
    }
    Ok(mix.into_iter().map(|(i, w)| (i, w / total)).collect())
}

/// Where the sampler stands: enough to continue the exact same sequence of batches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplerState {
    pub seed: u64,
    /// ChaCha8 word position, as a decimal string (u128 does not fit JSON numbers).
    pub word_pos: String,
    /// Windows drawn so far.
    pub windows: u64,
}

/// Draws training windows: a language by its weight, then a uniformly random start in its stream.
pub struct Sampler {
    rng: ChaCha8Rng,
    seed: u64,
    windows: u64,
    /// Cumulative mix: (stream index, cumulative probability).
    cumulative: Vec<(usize, f64)>,
}

impl Sampler {
    pub fn new(seed: u64, mix: &[(usize, f64)]) -> Self {
        let mut acc = 0.0;
        let cumulative = mix
            .iter()
            .map(|&(i, p)| {
                acc += p;
                (i, acc)
            })
            .collect();
        Sampler {
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            windows: 0,
            cumulative,
        }
    }

    pub fn state(&self) -> SamplerState {
        SamplerState {
            seed: self.seed,
            word_pos: self.rng.get_word_pos().to_string(),
            windows: self.windows,
        }
    }

    /// Continues from a saved state (same seed and mix as the run that saved it).
    pub fn restore(&mut self, state: &SamplerState) -> Result<()> {
        let word_pos = state
            .word_pos
            .parse::<u128>()
            .map_err(|_| PretrainError::Config {
                message: format!("sampler position '{}' is not a number", state.word_pos),
            })?;
        self.rng = ChaCha8Rng::seed_from_u64(state.seed);
        self.rng.set_word_pos(word_pos);
        self.seed = state.seed;
        self.windows = state.windows;
        Ok(())
    }

    /// `rows` windows of `window` consecutive ids each, row-major.
    pub fn next_windows(&mut self, streams: &[Stream], rows: usize, window: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(rows * window);
        for _ in 0..rows {
            let draw: f64 = self.rng.random();
            let index = self
                .cumulative
                .iter()
                .find(|c| draw < c.1)
                .or(self.cumulative.last())
                .expect("the mix is never empty")
                .0;
            let stream = &streams[index];
            let start = self.rng.random_range(0..=stream.len() - window);
            stream.read_into(start, window, &mut out);
            self.windows += 1;
        }
        out
    }
}

/// Fixed validation windows per language: up to `per_language` non-overlapping windows spread
/// evenly over each stream, the same at every evaluation so losses are comparable over time.
pub fn validation_windows(
    streams: &[Stream],
    window: usize,
    per_language: usize,
) -> Vec<(usize, Vec<i64>)> {
    let mut out = Vec::new();
    for (index, stream) in streams.iter().enumerate() {
        let available = stream.len() / window;
        let count = available.min(per_language);
        for k in 0..count {
            // Spread: window k of `count` starts at the k-th of `available` equal slots.
            let slot = k * available / count;
            let mut ids = Vec::with_capacity(window);
            stream.read_into(slot * window, window, &mut ids);
            out.push((index, ids));
        }
    }
    out
}
