//! The sequential phase, in input order on one thread: decide duplicates against every kept
//! segment before, write kept and rejected rows, count.

use super::prepare::{Prepared, Verdict};
use crate::config::{CorpusConfig, Source, SourceKind};
use crate::dedup::{ExactIndex, LshIndex};
use crate::error::Result;
use crate::lang::Language;
use crate::stats::{LangStats, Stats};
use crate::DropReason;
use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use std::path::{Path, PathBuf};

/// The sequential half: dedup indexes, writers and counts, updated in input order.
pub(super) struct Sink<'a> {
    pub(super) config: &'a CorpusConfig,
    dir: PathBuf,
    step_names: Vec<&'static str>,
    exact: ExactIndex,
    sides: ExactIndex,
    lsh: LshIndex,
    parallel: Option<ShardWriter>,
    mono: Option<ShardWriter>,
    rejected: Option<ShardWriter>,
    next_shard: usize,
    outputs: Vec<PathBuf>,
    pub(super) stats: Stats,
}

impl<'a> Sink<'a> {
    pub(super) fn new(config: &'a CorpusConfig, dir: &Path, step_names: Vec<&'static str>) -> Self {
        let rejected = config.output.write_rejected.then(|| {
            ShardWriter::new(
                &dir.join("rejected"),
                Table::Rejected,
                config.output.shard_rows,
                0,
            )
        });
        Sink {
            config,
            dir: dir.to_path_buf(),
            step_names,
            exact: ExactIndex::default(),
            sides: ExactIndex::default(),
            lsh: LshIndex::new(config.dedup.bands),
            parallel: None,
            mono: None,
            rejected,
            next_shard: 0,
            outputs: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Opens the writer for a source's table, once. Parallel sources all come before
    /// monolingual ones, so the parallel shards are closed first and numbering continues.
    pub(super) fn open_writer(&mut self, kind: SourceKind) -> Result<()> {
        let open = match kind {
            SourceKind::Parallel => &self.parallel,
            SourceKind::Mono => &self.mono,
        };
        if open.is_some() {
            return Ok(());
        }
        if kind == SourceKind::Mono {
            self.close_parallel()?;
        }
        let table = match kind {
            SourceKind::Parallel => Table::Parallel,
            SourceKind::Mono => Table::Monolingual,
        };
        let writer = ShardWriter::new(
            &self.dir,
            table,
            self.config.output.shard_rows,
            self.next_shard,
        );
        match kind {
            SourceKind::Parallel => self.parallel = Some(writer),
            SourceKind::Mono => self.mono = Some(writer),
        }
        Ok(())
    }

    /// The sequential phase: count, deduplicate in input order, write. True when kept.
    pub(super) fn accept(
        &mut self,
        segment: Prepared,
        source: &Source,
        langs: &[Language],
    ) -> Result<bool> {
        let key = source.lang_key();
        for (i, name) in self.step_names.iter().enumerate() {
            let changed =
                u64::from(segment.changed.0 >> i & 1) + u64::from(segment.changed.1 >> i & 1);
            if changed > 0 {
                *self.stats.normalize.entry(name.to_string()).or_default() += changed;
            }
        }
        let verdict = match segment.verdict {
            Verdict::Dropped { reason, detail } => Err((reason, detail)),
            Verdict::Candidate {
                key: pair_key,
                side_keys,
                bands,
            } => self.deduplicate(pair_key, side_keys, bands.as_deref()),
        };
        let lang_stats: &mut LangStats = self.stats.languages.entry(key).or_default();
        lang_stats.segments_in += 1;
        lang_stats.bytes_in += segment.raw_bytes;
        match verdict {
            Ok(()) => {
                lang_stats.kept += 1;
                lang_stats.bytes_kept +=
                    (segment.src.len() + segment.tgt.as_ref().map_or(0, |t| t.len())) as u64;
                let (writer, cells) = match &segment.tgt {
                    Some(tgt) => (
                        self.parallel.as_mut(),
                        vec![
                            Cell::Str(&source.label),
                            Cell::Str(&langs[0].tag),
                            Cell::Str(&segment.src),
                            Cell::Str(&langs[1].tag),
                            Cell::Str(tgt),
                        ],
                    ),
                    None => (
                        self.mono.as_mut(),
                        vec![
                            Cell::Str(&source.label),
                            Cell::Str(&langs[0].tag),
                            Cell::Str(&segment.src),
                        ],
                    ),
                };
                writer.expect("writer opened for the source").push(&cells)?;
                Ok(true)
            }
            Err((reason, detail)) => {
                *lang_stats.dropped.entry(reason.name().into()).or_default() += 1;
                if let Some(rejected) = self.rejected.as_mut() {
                    let (tgt_lang, tgt_text) = match &segment.tgt {
                        Some(t) => (Cell::Str(&langs[1].tag), Cell::Str(t)),
                        None => (Cell::Null, Cell::Null),
                    };
                    rejected.push(&[
                        Cell::Str(&source.label),
                        Cell::U64(segment.line),
                        Cell::Str(reason.name()),
                        Cell::Str(&detail),
                        Cell::Str(&langs[0].tag),
                        Cell::Str(&segment.src),
                        tgt_lang,
                        tgt_text,
                    ])?;
                }
                Ok(false)
            }
        }
    }

    /// Exact, then per-side, then near duplicates; a kept segment enters every index.
    fn deduplicate(
        &mut self,
        key: u128,
        side_keys: Option<(u128, u128)>,
        bands: Option<&[u64]>,
    ) -> std::result::Result<(), (DropReason, String)> {
        if self.config.dedup.exact && self.exact.contains(key) {
            return Err((
                DropReason::Duplicate,
                "same normalised text as an earlier segment".into(),
            ));
        }
        if let Some((src, tgt)) = side_keys {
            if self.sides.contains(src) || self.sides.contains(tgt) {
                return Err((
                    DropReason::Duplicate,
                    "one side seen in an earlier pair".into(),
                ));
            }
        }
        if let Some(bands) = bands {
            if self.lsh.check_and_insert(bands) {
                return Err((
                    DropReason::NearDuplicate,
                    "MinHash-LSH band collision with an earlier segment".into(),
                ));
            }
        }
        if self.config.dedup.exact {
            self.exact.insert(key);
        }
        if let Some((src, tgt)) = side_keys {
            self.sides.insert(src);
            self.sides.insert(tgt);
        }
        Ok(())
    }

    fn close_parallel(&mut self) -> Result<()> {
        if let Some(writer) = self.parallel.take() {
            let (files, next) = writer.finish()?;
            self.outputs.extend(files);
            self.next_shard = next;
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<(Stats, Vec<PathBuf>)> {
        self.close_parallel()?;
        for writer in [self.mono.take(), self.rejected.take()]
            .into_iter()
            .flatten()
        {
            let (files, _) = writer.finish()?;
            self.outputs.extend(files);
        }
        let outputs = self
            .outputs
            .iter()
            .map(|p| p.strip_prefix(&self.dir).unwrap_or(p).to_path_buf())
            .collect();
        Ok((self.stats, outputs))
    }
}
