//! What a training run is asked to do. [`TrainOptions`] is everything but the input paths: it is
//! what the pipeline file's `[tokenizer]` table holds and what manifest.json records as the
//! stage's parameters.

use crate::error::{Result, TokenizerError};
use crate::pretokenize::DEFAULT_UNSPACED_CHUNK;
use crate::train::char_base::byte_token;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use tokenizers::normalizers::replace::ReplacePattern;
use tokenizers::normalizers::unicode::NFC;
use tokenizers::normalizers::{Prepend, Replace, Sequence};
use tokenizers::NormalizerWrapper;

/// Classic BPE (most frequent pair over all languages) or parity-aware BPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Classic,
    Parity,
}

/// The symbols BPE starts from (see [`crate::train::char_base`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Base {
    /// The 256 byte values (GPT-2's byte-level BPE).
    #[default]
    Byte,
    /// Each language's common characters, other characters as byte tokens (byte fallback).
    Char,
}

impl Base {
    fn is_byte(&self) -> bool {
        *self == Base::Byte
    }
}

/// The share of each language's character occurrences the character base covers.
pub const DEFAULT_CHAR_COVERAGE: f64 = 0.9995;

fn is_default_coverage(coverage: &f64) -> bool {
    *coverage == DEFAULT_CHAR_COVERAGE
}

fn is_default_chunk(chunk: &usize) -> bool {
    *chunk == DEFAULT_UNSPACED_CHUNK
}

/// What the trained tokenizer.json does to text before splitting it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalizer {
    /// As the corpus stage normalised the training text: Unicode NFC, and the invisible
    /// characters of [`mekong_common::text::INVISIBLE`] removed (the zero-width spaces that
    /// Khmer, Lao, Thai and Burmese text uses as word breaks would otherwise cost tokens the
    /// training text never spent). `decode(encode(s))` is `s` so normalised.
    #[default]
    Corpus,
    /// Unicode NFC only (as Qwen's tokenizer.json does): decomposed input (macOS, many PDFs)
    /// gets the same tokens, and `decode(encode(s)) == NFC(s)` in every loader.
    Nfc,
    /// None: text is split as given (decomposed text costs about twice the tokens).
    None,
}

mekong_common::display_as_name!(Algorithm, Base, Normalizer);

impl Normalizer {
    /// What tokenizer.json does to text before splitting it, with the prefix space of
    /// [`TrainOptions::prefix_space`] last; `None` for nothing at all.
    pub fn wrapper(self, prefix_space: bool) -> Result<Option<NormalizerWrapper>> {
        let mut steps = match self {
            Normalizer::Corpus => {
                let invisible: String = mekong_common::text::INVISIBLE
                    .iter()
                    .map(|c| format!("\\u{:04x}", *c as u32))
                    .collect();
                let remove = Replace::new(ReplacePattern::Regex(format!("[{invisible}]")), "")
                    .map_err(TokenizerError::library)?;
                vec![
                    NormalizerWrapper::NFC(NFC),
                    NormalizerWrapper::Replace(remove),
                ]
            }
            Normalizer::Nfc => vec![NormalizerWrapper::NFC(NFC)],
            Normalizer::None => vec![],
        };
        if prefix_space {
            steps.push(NormalizerWrapper::Prepend(Prepend::new(" ".to_string())));
        }
        Ok(match steps.len() {
            0 => None,
            1 => steps.pop(),
            _ => Some(NormalizerWrapper::Sequence(Sequence::new(steps))),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainOptions {
    /// Total vocabulary: special tokens + the 256 byte symbols (+ the character alphabet with
    /// `base = "char"`) + merges.
    pub vocab_size: usize,
    pub algorithm: Algorithm,
    /// Parity mode: the first N merges are classic (counts summed over languages).
    pub global_merges: usize,
    /// Parity mode, moving-window variant: window length W (None = base variant).
    pub window: Option<usize>,
    /// Moving-window variant: a language may take at most `alpha / languages` of the last W merges.
    pub alpha: f64,
    /// Parity serves a language only while its dev premium is above this level; while every
    /// language is within it, the merge is the most frequent pair over all languages. Left out
    /// of the recorded parameters when unset, so runs from before the option stay cached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parity_tolerance: Option<f64>,
    /// Parity without a dev set: desired compression ratio per language (others 1.0).
    pub target_ratio: BTreeMap<String, f64>,
    /// Vietnamese-first: hold these languages' dev premium at or under the given value.
    pub premium_cap: BTreeMap<String, f64>,
    /// A pair seen fewer times than this (in the chosen language) is never merged.
    pub min_frequency: u64,
    pub special_tokens: Vec<String>,
    /// Sample each language down to about this many bytes of text.
    pub max_bytes_per_lang: Option<u64>,
    /// Seeds the sampling of `max_bytes_per_lang` (training itself has no randomness).
    pub seed: u64,
    /// The language premiums are measured against (default: en when present, else the first).
    pub reference: Option<String>,
    /// Written into tokenizer.json; the training text is normalised so already (the dev set is
    /// NFC), so it changes neither the merges nor the dev figures.
    pub normalizer: Normalizer,
    /// Bytes or characters as the starting symbols. Left out of the recorded parameters while
    /// it has its default, like `char_coverage`, so runs from before the option stay cached.
    #[serde(skip_serializing_if = "Base::is_byte")]
    pub base: Base,
    /// Character base: the share of each language's characters that get a symbol of their own.
    #[serde(skip_serializing_if = "is_default_coverage")]
    pub char_coverage: f64,
    /// One space before every non-empty segment, in training and in tokenizer.json (a `Prepend`
    /// normaliser, undone by a `Strip` decoder), so a segment's first word is split as it is
    /// after a space, as SentencePiece's dummy prefix and Llama's tokenizer do: the merges
    /// are not spent twice on a word, once with a space and once without. Left out of the
    /// recorded parameters while off, so runs from before the option stay cached.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub prefix_space: bool,
    /// Most clusters in one pre-tokenizer chunk of a script written without spaces (Thai, Lao,
    /// Khmer, Burmese, Chinese, Japanese; [`crate::pretokenize`]). Left out of the recorded
    /// parameters while it has its default.
    #[serde(skip_serializing_if = "is_default_chunk")]
    pub unspaced_chunk: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            vocab_size: 32_000,
            algorithm: Algorithm::Parity,
            global_merges: 0,
            window: None,
            alpha: 2.0,
            parity_tolerance: None,
            target_ratio: BTreeMap::new(),
            premium_cap: BTreeMap::new(),
            min_frequency: 2,
            special_tokens: vec!["<|endoftext|>".to_string()],
            max_bytes_per_lang: None,
            seed: 0,
            reference: None,
            normalizer: Normalizer::default(),
            base: Base::default(),
            char_coverage: DEFAULT_CHAR_COVERAGE,
            prefix_space: false,
            unspaced_chunk: DEFAULT_UNSPACED_CHUNK,
        }
    }
}

/// A full training request: inputs, options, and whether to draw progress bars.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Corpus-stage Parquet folder or folder of `<lang>.txt`.
    pub train: PathBuf,
    /// Folder of aligned `<lang>.txt` (required for parity mode unless `target_ratio` is set).
    pub dev: Option<PathBuf>,
    /// Folder of aligned `<lang>.txt` held out from training and from the dev set: the
    /// premiums measured on it are the ones a user of the tokenizer sees on new text.
    pub test: Option<PathBuf>,
    pub options: TrainOptions,
    pub show_progress: bool,
}

impl TrainConfig {
    /// The input files, as recorded in manifest.json.
    /// The training text is recorded by the files read (a corpus folder's shards, not its
    /// statistics or rejected segments).
    pub fn inputs(&self) -> Vec<PathBuf> {
        mekong_common::files_read(&self.train, &["parquet", "txt"])
            .into_iter()
            .chain(self.dev.clone())
            .chain(self.test.clone())
            .collect()
    }

    /// The parameters recorded in manifest.json (and compared by the pipeline's cache check).
    pub fn parameters(&self) -> serde_json::Value {
        serde_json::to_value(&self.options).expect("options always serialise")
    }

    /// Rejects combinations that mean nothing, before any input is read.
    pub fn validate(&self) -> Result<()> {
        let o = &self.options;
        let bad = |m: &str| Err(TokenizerError::Config(m.to_string()));
        let parity = o.algorithm == Algorithm::Parity;
        if parity && self.dev.is_none() && o.target_ratio.is_empty() {
            return bad("parity training needs --dev (an aligned dev set) or --target-ratio");
        }
        if !parity
            && (o.window.is_some()
                || !o.target_ratio.is_empty()
                || !o.premium_cap.is_empty()
                || o.global_merges > 0
                || o.parity_tolerance.is_some())
        {
            return bad("--window, --target-ratio, --premium-cap, --global-merges and --parity-tolerance apply to --algorithm parity only");
        }
        if o.parity_tolerance.is_some() && (self.dev.is_none() || !o.target_ratio.is_empty()) {
            return bad("--parity-tolerance needs a dev set and no --target-ratio (premiums are measured on the dev set)");
        }
        if o.parity_tolerance
            .is_some_and(|t| !(t.is_finite() && t >= 1.0))
        {
            return bad("--parity-tolerance must be a number of at least 1 (a premium against the reference language)");
        }
        if !o.premium_cap.is_empty() && (self.dev.is_none() || !o.target_ratio.is_empty()) {
            return bad("--premium-cap needs a dev set and no --target-ratio (caps are measured on the dev set)");
        }
        if o.window == Some(0) {
            return bad("--window must be at least 1");
        }
        if o.unspaced_chunk == 0 {
            return bad("--unspaced-chunk must be at least 1");
        }
        if !(o.char_coverage > 0.0 && o.char_coverage <= 1.0) {
            return bad("--char-coverage must be above 0 and at most 1");
        }
        let spells_a_byte = |t: &String| (0..=u8::MAX).any(|b| *t == byte_token(b));
        if o.base == Base::Char {
            if let Some(token) = o.special_tokens.iter().find(|t| spells_a_byte(t)) {
                return Err(TokenizerError::Config(format!(
                    "special token {token} is the name of a byte-fallback token of --base char"
                )));
            }
        }
        if !(o.alpha.is_finite() && o.alpha > 0.0) {
            return bad("--alpha must be a positive number");
        }
        for (lang, value) in o.target_ratio.iter().chain(&o.premium_cap) {
            if !(value.is_finite() && *value > 0.0) {
                return Err(TokenizerError::Config(format!(
                    "{lang}={value}: ratios and premium caps must be positive numbers"
                )));
            }
        }
        let base = crate::train::BYTE_ALPHABET_SIZE + o.special_tokens.len();
        if o.vocab_size <= base {
            return Err(TokenizerError::Config(format!(
                "--vocab-size {} leaves no room for merges: the byte alphabet ({}) and the special tokens ({}) already take {base}",
                o.vocab_size,
                crate::train::BYTE_ALPHABET_SIZE,
                o.special_tokens.len()
            )));
        }
        Ok(())
    }
}
