//! `mekong pretrain tokenize`: corpus Parquet → token shards (format in [`crate::data`]).
//!
//! Every `*.parquet` file directly in the corpus folder is read in sorted path order (not
//! `rejected/`). Monolingual files
//! (`id, lang, text`) give one document per row; parallel files (`id, src_lang, src_text,
//! tgt_lang, tgt_text`) give two, one per side, each in its own language. A document goes to the
//! validation split when a hash of its row id falls under `validation_fraction`, so both sides of
//! a translation pair land in the same split and nothing leaks between splits. Batches of
//! documents are encoded in parallel and written in input order, so the output is deterministic.

use crate::checkpoint::TokenizerInfo;
use crate::data::{
    stream_path, ShardsMeta, StreamCounts, TokenWidth, DOCS_EXT, SHARDS_FORMAT_VERSION,
    SHARDS_META_FILE, TOKENS_EXT, TRAIN_SPLIT, VALIDATION_SPLIT,
};
use crate::{PretrainError, Result};
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::corpus_shards::{row_count, shard_files, Columns, ShardReader, TextBatch};
use mekong_common::{Manifest, StagingDir};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// Separator tokens looked for, in order, when none is named: the first the tokenizer knows is
/// appended after every document so the model learns where texts end.
pub const SEPARATOR_CANDIDATES: [&str; 5] = ["<|endoftext|>", "</s>", "<eos>", "<|eos|>", "[SEP]"];

/// Parameters of tokenization (they go into the manifest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenizeConfig {
    /// Share of documents held out for validation, chosen by a hash of the document id.
    pub validation_fraction: f64,
    /// Token appended after each document; `None` takes the first of [`SEPARATOR_CANDIDATES`]
    /// the tokenizer has (and none if it has none).
    pub separator: Option<String>,
}

impl Default for TokenizeConfig {
    fn default() -> Self {
        TokenizeConfig {
            // 1%: enough validation text for a stable loss on a small corpus, little lost to training.
            validation_fraction: 0.01,
            separator: None,
        }
    }
}

/// What tokenization produced.
#[derive(Debug, Clone)]
pub struct TokenizeSummary {
    pub meta: ShardsMeta,
    pub files: usize,
    pub seconds: f64,
}

/// Loads a Hugging Face `tokenizer.json`.
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer> {
    let text = mekong_common::tokenizer_file::read(path)?;
    text.parse().map_err(|e| PretrainError::Tokenizer {
        path: path.to_path_buf(),
        message: format!("not a readable tokenizer.json: {e}"),
    })
}

/// Tokenizes the corpus at `corpus` with `tokenizer` into the folder `output` (replaced
/// atomically when complete).
pub fn tokenize(
    corpus: &Path,
    tokenizer_path: &Path,
    output: &Path,
    config: &TokenizeConfig,
) -> Result<TokenizeSummary> {
    let started = std::time::Instant::now();
    let encoder = Encoder::new(tokenizer_path, config)?;
    let manifest = encoder.manifest(corpus)?;
    let files = corpus_files(corpus)?;
    let total_rows: u64 = files
        .iter()
        .map(|f| row_count(f))
        .sum::<mekong_common::Result<u64>>()?;
    let progress = ProgressBar::new(total_rows).with_style(
        ProgressStyle::with_template("tokenize {bar:40} {pos}/{len} rows {per_sec} eta {eta}")
            .expect("valid template"),
    );
    let staging = StagingDir::new(output)?;
    let mut writer = encoder.writer(staging.path());
    for file in &files {
        encoder.encode(file, None, &mut writer, &progress)?;
    }
    progress.finish_and_clear();
    let splits = writer.finish()?;
    let meta = encoder.complete(corpus, splits, files.len(), manifest, staging.path())?;
    staging.commit()?;
    Ok(TokenizeSummary {
        meta,
        files: files.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The corpus shards to tokenize; an error when there are none.
pub(crate) fn corpus_files(corpus: &Path) -> Result<Vec<PathBuf>> {
    let files = shard_files(corpus)?;
    if files.is_empty() {
        return Err(PretrainError::BadInput {
            path: corpus.to_path_buf(),
            message: "holds no .parquet files; run `mekong corpus` first".to_string(),
        });
    }
    Ok(files)
}

/// What tokenizing needs, checked once: the tokenizer, what it is, and the separator.
pub(crate) struct Encoder<'a> {
    tokenizer: Tokenizer,
    path: &'a Path,
    info: TokenizerInfo,
    separator: Option<u32>,
    config: &'a TokenizeConfig,
}

impl<'a> Encoder<'a> {
    pub(crate) fn new(path: &'a Path, config: &'a TokenizeConfig) -> Result<Self> {
        if !(0.0..1.0).contains(&config.validation_fraction) {
            return Err(PretrainError::Config {
                message: format!(
                    "validation_fraction must be in [0, 1), not {}",
                    config.validation_fraction
                ),
            });
        }
        let tokenizer = load_tokenizer(path)?;
        let info = TokenizerInfo::of(path)?;
        let separator = find_separator(&tokenizer, path, config.separator.as_deref())?;
        Ok(Encoder {
            tokenizer,
            path,
            info,
            separator,
            config,
        })
    }

    /// The tokens folder's own manifest, its inputs hashed now.
    pub(crate) fn manifest(&self, corpus: &Path) -> Result<Manifest> {
        Ok(Manifest::new(
            "pretrain-tokenize",
            &[corpus.to_path_buf(), self.path.to_path_buf()],
            serde_json::to_value(self.config).expect("tokenize config serialises"),
        )?)
    }

    pub(crate) fn width(&self) -> TokenWidth {
        TokenWidth::for_vocab(self.info.vocab_size)
    }

    /// A writer of token streams into `dir`.
    pub(crate) fn writer(&self, dir: &Path) -> ShardWriter {
        ShardWriter::new(dir, self.width(), self.separator)
    }

    /// Encodes the documents of a corpus shard (or of its row group `group`) into `writer`.
    pub(crate) fn encode(
        &self,
        file: &Path,
        group: Option<usize>,
        writer: &mut ShardWriter,
        progress: &ProgressBar,
    ) -> Result<()> {
        let reader = match group {
            Some(group) => ShardReader::open_row_group(file, Columns::TextsAndIds, group)?,
            None => ShardReader::open(file, Columns::TextsAndIds)?,
        };
        for batch in reader {
            let batch = batch?;
            let documents = documents_of(&batch, file, self.config.validation_fraction)?;
            let encoded = documents
                .par_iter()
                .map(|doc| {
                    self.tokenizer
                        .encode_fast(doc.text, false)
                        .map(|e| e.get_ids().to_vec())
                        .map_err(|e| PretrainError::Tokenizer {
                            path: self.path.to_path_buf(),
                            message: format!(
                                "cannot encode document '{}' of {}: {e}",
                                doc.id,
                                file.display()
                            ),
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            for (doc, ids) in documents.iter().zip(encoded) {
                writer.push(doc, &ids)?;
            }
            progress.inc(batch.rows() as u64);
        }
        Ok(())
    }

    /// Writes tokens.json and the manifest beside the streams in `dir`; an error when no
    /// document was found.
    pub(crate) fn complete(
        &self,
        corpus: &Path,
        splits: BTreeMap<String, BTreeMap<String, StreamCounts>>,
        files: usize,
        mut manifest: Manifest,
        dir: &Path,
    ) -> Result<ShardsMeta> {
        let meta = ShardsMeta {
            format_version: SHARDS_FORMAT_VERSION,
            token_width: self.width(),
            tokenizer: self.info.clone(),
            separator: self.separator,
            splits,
        };
        let documents = meta.documents();
        if documents == 0 {
            return Err(PretrainError::BadInput {
                path: corpus.to_path_buf(),
                message: "holds no non-empty documents: nothing to train on".to_string(),
            });
        }
        let meta_path = dir.join(SHARDS_META_FILE);
        let text = serde_json::to_string_pretty(&meta).expect("shards metadata serialises") + "\n";
        std::fs::write(&meta_path, text).map_err(|e| PretrainError::io(&meta_path, e))?;
        manifest.counts = serde_json::json!({ "documents": documents, "files": files });
        manifest.outputs = vec![PathBuf::from(SHARDS_META_FILE)];
        manifest.write(dir)?;
        Ok(meta)
    }
}

fn find_separator(tokenizer: &Tokenizer, path: &Path, named: Option<&str>) -> Result<Option<u32>> {
    match named {
        Some(token) => {
            tokenizer
                .token_to_id(token)
                .map(Some)
                .ok_or_else(|| PretrainError::Tokenizer {
                    path: path.to_path_buf(),
                    message: format!("has no token '{token}' to use as the document separator"),
                })
        }
        None => Ok(SEPARATOR_CANDIDATES
            .iter()
            .find_map(|t| tokenizer.token_to_id(t))),
    }
}

/// One document to encode: a monolingual row, or one side of a parallel row.
struct Document<'a> {
    id: String,
    lang: &'a str,
    text: &'a str,
    validation: bool,
}

/// The documents of a record batch of corpus shard `path`.
fn documents_of<'a>(
    batch: &'a TextBatch,
    path: &Path,
    validation_fraction: f64,
) -> Result<Vec<Document<'a>>> {
    batch
        .texts()?
        .into_iter()
        .map(|text| {
            check_lang(text.lang, path, text.row)?;
            let id = text.id.expect("ids were asked for");
            let validation = hash_fraction(&id) < validation_fraction;
            Ok(Document {
                id,
                lang: text.lang,
                text: text.text,
                validation,
            })
        })
        .collect()
}

/// Language codes become file names: keep them to what is safe and meaningful in a BCP 47 tag.
fn check_lang(lang: &str, path: &Path, row: u64) -> Result<()> {
    let ok = !lang.is_empty()
        && lang.len() <= 35
        && lang
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(PretrainError::BadInput {
            path: path.to_path_buf(),
            message: format!("row {row}: language code '{lang}' is not a BCP 47 tag"),
        })
    }
}

/// A stable number in [0, 1) from a document id (first 8 bytes of its SHA-256).
fn hash_fraction(id: &str) -> f64 {
    let digest = Sha256::digest(id.as_bytes());
    let value = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    (value >> 11) as f64 / (1u64 << 53) as f64
}

/// Open output streams, one pair of files per split and language.
pub(crate) struct ShardWriter {
    dir: PathBuf,
    width: TokenWidth,
    separator: Option<u32>,
    streams: BTreeMap<(String, String), OpenStream>,
}

struct OpenStream {
    tokens: BufWriter<std::fs::File>,
    docs: BufWriter<std::fs::File>,
    tokens_path: PathBuf,
    counts: StreamCounts,
}

impl ShardWriter {
    fn new(dir: &Path, width: TokenWidth, separator: Option<u32>) -> Self {
        ShardWriter {
            dir: dir.to_path_buf(),
            width,
            separator,
            streams: BTreeMap::new(),
        }
    }

    fn push(&mut self, doc: &Document, ids: &[u32]) -> Result<()> {
        let split = if doc.validation {
            VALIDATION_SPLIT
        } else {
            TRAIN_SPLIT
        };
        let key = (split.to_string(), doc.lang.to_string());
        if !self.streams.contains_key(&key) {
            let stream = self.open(split, doc.lang)?;
            self.streams.insert(key.clone(), stream);
        }
        let stream = self.streams.get_mut(&key).expect("just inserted");
        let width = self.width;
        let mut write = |id: u32| match width {
            TokenWidth::U16 => stream.tokens.write_all(&(id as u16).to_le_bytes()),
            TokenWidth::U32 => stream.tokens.write_all(&id.to_le_bytes()),
        };
        for &id in ids.iter().chain(self.separator.as_ref()) {
            write(id).map_err(|e| PretrainError::io(&stream.tokens_path, e))?;
        }
        stream.counts.documents += 1;
        stream.counts.tokens += (ids.len() + self.separator.is_some() as usize) as u64;
        stream.counts.bytes += doc.text.len() as u64;
        stream
            .docs
            .write_all(&stream.counts.tokens.to_le_bytes())
            .map_err(|e| PretrainError::io(&stream.tokens_path, e))
    }

    fn open(&self, split: &str, lang: &str) -> Result<OpenStream> {
        let split_dir = self.dir.join(split);
        std::fs::create_dir_all(&split_dir).map_err(|e| PretrainError::io(&split_dir, e))?;
        let create = |path: &Path| {
            std::fs::File::create(path)
                .map(|f| BufWriter::with_capacity(1 << 20, f))
                .map_err(|e| PretrainError::io(path, e))
        };
        let tokens_path = stream_path(&self.dir, split, lang, TOKENS_EXT);
        Ok(OpenStream {
            tokens: create(&tokens_path)?,
            docs: create(&stream_path(&self.dir, split, lang, DOCS_EXT))?,
            tokens_path,
            counts: StreamCounts::default(),
        })
    }

    pub(crate) fn finish(self) -> Result<BTreeMap<String, BTreeMap<String, StreamCounts>>> {
        let mut splits: BTreeMap<String, BTreeMap<String, StreamCounts>> = BTreeMap::new();
        for ((split, lang), mut stream) in self.streams {
            stream
                .tokens
                .flush()
                .and_then(|_| stream.docs.flush())
                .map_err(|e| PretrainError::io(&stream.tokens_path, e))?;
            splits.entry(split).or_default().insert(lang, stream.counts);
        }
        Ok(splits)
    }
}

/// The documents of one split and language as token ids, read back from the shards (for
/// inspection and round-trip tests).
pub fn read_documents(dir: &Path, split: &str, lang: &str) -> Result<Vec<Vec<u32>>> {
    let shards = crate::data::TokenShards::open(dir)?;
    let stream = shards
        .split(split)
        .iter()
        .find(|s| s.lang == lang)
        .ok_or_else(|| PretrainError::BadInput {
            path: dir.to_path_buf(),
            message: format!("no {split} stream for language '{lang}'"),
        })?;
    let docs_path = stream_path(dir, split, lang, DOCS_EXT);
    let ends = std::fs::read(&docs_path).map_err(|e| PretrainError::io(&docs_path, e))?;
    let mut start = 0usize;
    let mut out = Vec::new();
    for chunk in ends.chunks_exact(8) {
        let end = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) as usize;
        if end < start || end > stream.len() {
            return Err(PretrainError::BadInput {
                path: docs_path,
                message: format!(
                    "document end {end} is outside the stream of {} tokens",
                    stream.len()
                ),
            });
        }
        let body_end = end - shards.meta.separator.is_some() as usize;
        out.push((start..body_end).map(|i| stream.token(i)).collect());
        start = end;
    }
    Ok(out)
}
