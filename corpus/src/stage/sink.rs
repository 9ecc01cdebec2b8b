//! The sequential phase, in input order on a thread of its own (while the next batch is
//! prepared): decide per-side and near duplicates against every kept segment before, write kept
//! and rejected rows, count.

use super::prepare::{Prepared, Verdict, COPY_DETAIL};
use crate::config::{CorpusConfig, Source, SourceKind};
use crate::dedup::{ExactIndex, LshIndex};
use crate::error::Result;
use crate::lang::Language;
use crate::stats::{LangStats, Stats};
use crate::DropReason;
use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a pair sharing a side with an earlier kept pair was dropped.
pub(super) const SIDE_DETAIL: &str = "one side seen in an earlier pair";
/// Why a segment sharing a MinHash band with an earlier kept one was dropped.
pub(super) const NEAR_DETAIL: &str = "MinHash-LSH band collision with an earlier segment";

/// The sequential half: dedup indexes, writers and counts, updated in input order.
pub(super) struct Sink<'a> {
    pub(super) config: &'a CorpusConfig,
    dir: PathBuf,
    step_names: Vec<&'static str>,
    sides: ExactIndex,
    lsh: LshIndex,
    parallel: Option<ShardWriter>,
    mono: Option<ShardWriter>,
    rejected: Option<ShardWriter>,
    next_shard: usize,
    /// The ids the parallel and monolingual tables' rows start at (0, except in a task of a
    /// sharded run, which writes a run of the rows).
    first_ids: [u64; 2],
    /// The files written, with their tables.
    outputs: Vec<(Table, PathBuf)>,
    pub(super) stats: Stats,
}

/// Where a sink's rows start in each table: parallel, monolingual, rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct FirstIds {
    pub(super) parallel: u64,
    pub(super) mono: u64,
    pub(super) rejected: u64,
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
            sides: ExactIndex::default(),
            lsh: LshIndex::new(config.dedup.bands),
            parallel: None,
            mono: None,
            rejected,
            next_shard: 0,
            first_ids: [0, 0],
            outputs: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Numbers the tables' rows from `ids` instead of 0.
    pub(super) fn starting_at(mut self, ids: FirstIds) -> Self {
        self.rejected = self.rejected.map(|w| w.with_first_id(ids.rejected));
        self.first_ids = [ids.parallel, ids.mono];
        self
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
        let first_id = self.first_ids[usize::from(kind == SourceKind::Mono)];
        let writer = ShardWriter::new(
            &self.dir,
            table,
            self.config.output.shard_rows,
            self.next_shard,
        )
        .with_first_id(first_id);
        match kind {
            SourceKind::Parallel => self.parallel = Some(writer),
            SourceKind::Mono => self.mono = Some(writer),
        }
        Ok(())
    }

    /// The sequential phase: deduplicate in input order, then count and write. True when kept.
    pub(super) fn accept(
        &mut self,
        segment: Prepared,
        source: &Source,
        lang_key: &str,
        langs: &[Language],
    ) -> Result<bool> {
        let outcome = match &segment.verdict {
            Verdict::Copy => Err((DropReason::Duplicate, Cow::Borrowed(COPY_DETAIL))),
            Verdict::Dropped { reason, detail } => Err((*reason, detail.clone())),
            Verdict::Candidate { side_keys, bands } => {
                self.deduplicate(*side_keys, bands.as_deref())
            }
            Verdict::Normalized { .. } => unreachable!("every normalised segment is judged"),
        };
        self.record(&segment, outcome, source, lang_key, langs)
    }

    /// Counts a segment whose fate is decided and writes its row: kept, or rejected with its
    /// reason. A copy is written without its text, and its normalisation not counted again
    /// (the counts are of distinct texts). True when kept.
    pub(super) fn record<'s>(
        &mut self,
        segment: &'s Prepared,
        outcome: std::result::Result<(), (DropReason, Cow<'static, str>)>,
        source: &Source,
        lang_key: &str,
        langs: &[Language],
    ) -> Result<bool> {
        let copy = matches!(segment.verdict, Verdict::Copy);
        if !copy {
            for (i, name) in self.step_names.iter().enumerate() {
                let changed =
                    u64::from(segment.changed.0 >> i & 1) + u64::from(segment.changed.1 >> i & 1);
                if changed > 0 {
                    *entry(&mut self.stats.normalize, name) += changed;
                }
            }
        }
        let lang_stats: &mut LangStats = entry(&mut self.stats.languages, lang_key);
        lang_stats.segments_in += 1;
        lang_stats.bytes_in += segment.raw_bytes;
        match outcome {
            Ok(()) => {
                lang_stats.kept += 1;
                lang_stats.bytes_kept +=
                    (segment.src.len() + segment.tgt.as_ref().map_or(0, |t| t.len())) as u64;
                let opened = "writer opened for the source";
                match &segment.tgt {
                    Some(tgt) => self.parallel.as_mut().expect(opened).push(&[
                        Cell::Str(&source.label),
                        Cell::Str(&langs[0].tag),
                        Cell::Str(&segment.src),
                        Cell::Str(&langs[1].tag),
                        Cell::Str(tgt),
                    ])?,
                    None => self.mono.as_mut().expect(opened).push(&[
                        Cell::Str(&source.label),
                        Cell::Str(&langs[0].tag),
                        Cell::Str(&segment.src),
                    ])?,
                }
                Ok(true)
            }
            Err((reason, detail)) => {
                *entry(&mut lang_stats.dropped, reason.name()) += 1;
                if let Some(rejected) = self.rejected.as_mut() {
                    // A copy's text is the input's at its line, and an earlier row's: it is
                    // not written again (copies are most of the rows on repetitive input).
                    let text = |text: &'s str| if copy { Cell::Null } else { Cell::Str(text) };
                    let (tgt_lang, tgt_text) = match &segment.tgt {
                        Some(t) => (Cell::Str(&langs[1].tag), text(t)),
                        None => (Cell::Null, Cell::Null),
                    };
                    rejected.push(&[
                        Cell::Str(&source.label),
                        Cell::U64(segment.line),
                        Cell::Str(reason.name()),
                        Cell::Str(&detail),
                        Cell::Str(&langs[0].tag),
                        text(&segment.src),
                        tgt_lang,
                        tgt_text,
                    ])?;
                }
                Ok(false)
            }
        }
    }

    /// Per-side, then near duplicates (exact ones are marked before); a kept segment enters
    /// both indexes.
    fn deduplicate(
        &mut self,
        side_keys: Option<(u128, u128)>,
        bands: Option<&[u64]>,
    ) -> std::result::Result<(), (DropReason, Cow<'static, str>)> {
        if let Some((src, tgt)) = side_keys {
            if self.sides.contains(src) || self.sides.contains(tgt) {
                return Err((DropReason::Duplicate, Cow::Borrowed(SIDE_DETAIL)));
            }
        }
        if let Some(bands) = bands {
            if self.lsh.check_and_insert(bands) {
                return Err((DropReason::NearDuplicate, Cow::Borrowed(NEAR_DETAIL)));
            }
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
            self.outputs
                .extend(files.into_iter().map(|f| (Table::Parallel, f)));
            self.next_shard = next;
        }
        Ok(())
    }

    /// Closes the writers; returns the counts and the files written (relative to the output
    /// folder, with their tables): parallel shards, monolingual shards, rejected rows.
    pub(super) fn finish(mut self) -> Result<(Stats, Vec<(Table, PathBuf)>)> {
        self.close_parallel()?;
        for (table, writer) in [
            (Table::Monolingual, self.mono.take()),
            (Table::Rejected, self.rejected.take()),
        ] {
            if let Some(writer) = writer {
                let (files, _) = writer.finish()?;
                self.outputs.extend(files.into_iter().map(|f| (table, f)));
            }
        }
        let outputs = self
            .outputs
            .iter()
            .map(|(table, p)| (*table, p.strip_prefix(&self.dir).unwrap_or(p).to_path_buf()))
            .collect();
        Ok((self.stats, outputs))
    }
}

/// The count of `key` in a statistics map, added at zero the first time (looked up by `&str`,
/// so counting allocates only for a new key).
fn entry<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}
