//! The sequential phase, in input order on a thread of its own (while the next batch is
//! prepared): decide per-side and near duplicates against every kept segment before, write kept
//! and rejected rows, count.

use super::prepare::{Prepared, Verdict};
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
        lang_key: &str,
        langs: &[Language],
    ) -> Result<bool> {
        for (i, name) in self.step_names.iter().enumerate() {
            let changed =
                u64::from(segment.changed.0 >> i & 1) + u64::from(segment.changed.1 >> i & 1);
            if changed > 0 {
                *entry(&mut self.stats.normalize, name) += changed;
            }
        }
        let verdict = match segment.verdict {
            Verdict::Dropped { reason, detail } => Err((reason, detail)),
            Verdict::Candidate { side_keys, bands } => {
                self.deduplicate(side_keys, bands.as_deref())
            }
            Verdict::Normalized { .. } => unreachable!("every normalised segment is judged"),
        };
        let lang_stats: &mut LangStats = entry(&mut self.stats.languages, lang_key);
        lang_stats.segments_in += 1;
        lang_stats.bytes_in += segment.raw_bytes;
        match verdict {
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

    /// Per-side, then near duplicates (exact ones are marked before); a kept segment enters
    /// both indexes.
    fn deduplicate(
        &mut self,
        side_keys: Option<(u128, u128)>,
        bands: Option<&[u64]>,
    ) -> std::result::Result<(), (DropReason, Cow<'static, str>)> {
        if let Some((src, tgt)) = side_keys {
            if self.sides.contains(src) || self.sides.contains(tgt) {
                return Err((
                    DropReason::Duplicate,
                    Cow::Borrowed("one side seen in an earlier pair"),
                ));
            }
        }
        if let Some(bands) = bands {
            if self.lsh.check_and_insert(bands) {
                return Err((
                    DropReason::NearDuplicate,
                    Cow::Borrowed("MinHash-LSH band collision with an earlier segment"),
                ));
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

/// The count of `key` in a statistics map, added at zero the first time (looked up by `&str`,
/// so counting allocates only for a new key).
fn entry<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}
