//! The stage itself: read every source as a stream of batches (a reader thread keeps the next
//! batch coming), normalise, filter, check contamination and compute dedup keys in parallel
//! (rayon), then decide duplicates and write rows in input order on one thread. Parallel
//! sources are processed before monolingual ones, each group in the order given. Everything is
//! written into a staging folder that replaces the output folder only when the run completes.

use crate::config::{CorpusConfig, Source, SourceKind};
use crate::dedup::{exact_key, Decontaminator, ExactIndex, LshIndex, MinHasher};
use crate::error::{CorpusError, Result};
use crate::filters::{Candidate, FilterChain, Side};
use crate::lang::Language;
use crate::normalize::Normalizer;
use crate::readers::{open_exclude, open_source, RawSegment, SegmentReader};
use crate::writers::{Cell, LangStats, ShardWriter, SourceStats, Stats, Table};
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::{Manifest, StagingDir};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

/// The stage name recorded in manifests.
pub use mekong_common::artefacts::corpus::STAGE;

/// Segments read, normalised and filtered together.
const BATCH_SEGMENTS: usize = 16_384;

/// The manifest `parameters` of a configuration (what the pipeline's cache check compares).
pub fn parameters(config: &CorpusConfig) -> serde_json::Value {
    serde_json::to_value(config).expect("a corpus configuration always serialises")
}

/// What a run produced.
#[derive(Debug)]
pub struct Summary {
    pub output: PathBuf,
    pub stats: Stats,
    /// Files written, relative to the output folder.
    pub outputs: Vec<PathBuf>,
}

impl Summary {
    /// The per-language table and a line of totals, printed at the end of the stage.
    pub fn text(&self) -> String {
        let total = self.stats.total();
        format!(
            "{}corpus: kept {} of {} segments → {} ({} files)\n",
            self.stats.render_table(),
            total.kept,
            total.segments_in,
            self.output.display(),
            self.outputs.len()
        )
    }
}

/// Runs the corpus stage into `output` (replaced atomically when the run completes).
pub fn run(config: &CorpusConfig, output: &Path) -> Result<Summary> {
    config.validate()?;
    let mut manifest = Manifest::new(STAGE, &config.input_paths(), parameters(config))?;
    let staging = StagingDir::new(output)?;
    let mut processor = Processor::new(config, staging.path())?;
    let ordered = config
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Parallel)
        .chain(config.sources.iter().filter(|s| s.kind == SourceKind::Mono));
    for source in ordered {
        processor.process(source)?;
    }
    let (stats, mut outputs) = processor.finish()?;
    stats.write(staging.path())?;
    outputs.push(PathBuf::from(crate::writers::stats::STATS_FILE));
    let total = stats.total();
    manifest.counts = serde_json::json!({
        "segments_in": total.segments_in,
        "bytes_in": total.bytes_in,
        "kept": total.kept,
        "bytes_kept": total.bytes_kept,
        "dropped": total.dropped,
        "skipped_lines": stats.skipped_lines,
    });
    manifest.outputs = outputs.clone();
    manifest.write(staging.path())?;
    let output = staging.commit()?;
    Ok(Summary {
        output,
        stats,
        outputs,
    })
}

/// A segment after the parallel phase.
struct Prepared {
    line: u64,
    raw_bytes: u64,
    src: String,
    tgt: Option<String>,
    /// Normalisation steps that changed the source / target text (bit masks).
    changed: (u32, u32),
    verdict: Verdict,
}

enum Verdict {
    Dropped {
        reason: &'static str,
        detail: String,
    },
    Candidate {
        key: u128,
        side_keys: Option<(u128, u128)>,
        bands: Option<Vec<u64>>,
    },
}

/// The read-only half, shared by the rayon workers: normalise, filter, key.
struct Preparer {
    normalizer: Normalizer,
    filters: FilterChain,
    decontaminator: Decontaminator,
    minhasher: Option<MinHasher>,
    exact_each_side: bool,
}

/// The sequential half: dedup indexes, writers and counts, updated in input order.
struct Sink<'a> {
    config: &'a CorpusConfig,
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
    stats: Stats,
}

struct Processor<'a> {
    preparer: Preparer,
    sink: Sink<'a>,
}

impl<'a> Processor<'a> {
    fn new(config: &'a CorpusConfig, dir: &Path) -> Result<Self> {
        let normalizer = Normalizer::new(&config.normalize);
        let decontaminator = build_decontaminator(config, &normalizer)?;
        let rejected = config.output.write_rejected.then(|| {
            ShardWriter::new(
                &dir.join("rejected"),
                Table::Rejected,
                config.output.shard_rows,
                0,
            )
        });
        Ok(Processor {
            sink: Sink {
                config,
                dir: dir.to_path_buf(),
                step_names: normalizer.step_names(),
                exact: ExactIndex::default(),
                sides: ExactIndex::default(),
                lsh: LshIndex::new(config.dedup.bands),
                parallel: None,
                mono: None,
                rejected,
                next_shard: 0,
                outputs: Vec::new(),
                stats: Stats::default(),
            },
            preparer: Preparer {
                normalizer,
                filters: FilterChain::new(&config.filters),
                decontaminator,
                minhasher: config.dedup.near.then(|| MinHasher::new(&config.dedup)),
                exact_each_side: config.dedup.exact_each_side,
            },
        })
    }

    fn process(&mut self, source: &Source) -> Result<()> {
        let (preparer, sink) = (&self.preparer, &mut self.sink);
        sink.open_writer(source.kind)?;
        let langs: Vec<Language> = source.langs.iter().map(|l| Language::new(l)).collect();
        let progress = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} segments ({per_sec})")
                .expect("valid template"),
        );
        progress.set_message(format!("{} {}", source.lang_key(), source.label));

        let reader = open_source(source, &sink.config.input)?;
        let (sender, receiver) = sync_channel::<Result<Vec<RawSegment>>>(2);
        let mut source_stats = SourceStats {
            source: source.label.clone(),
            langs: source.lang_key(),
            segments_in: 0,
            kept: 0,
            skipped_lines: 0,
        };
        let skipped = std::thread::scope(|scope| -> Result<u64> {
            let producer = scope.spawn(move || read_batches(reader, sender));
            for batch in receiver {
                let batch = batch?;
                let prepared: Vec<Prepared> = batch
                    .into_par_iter()
                    .map(|raw| preparer.prepare(raw, &langs))
                    .collect();
                progress.inc(prepared.len() as u64);
                for segment in prepared {
                    source_stats.segments_in += 1;
                    if sink.accept(segment, source, &langs)? {
                        source_stats.kept += 1;
                    }
                }
            }
            Ok(producer.join().expect("the reader thread does not panic"))
        })?;
        progress.finish_and_clear();
        if source_stats.segments_in == 0 {
            return Err(CorpusError::bad_file(
                &source.paths[0],
                "empty input: no segments could be read",
            ));
        }
        source_stats.skipped_lines = skipped;
        sink.stats.skipped_lines += skipped;
        sink.stats.sources.push(source_stats);
        Ok(())
    }

    fn finish(self) -> Result<(Stats, Vec<PathBuf>)> {
        self.sink.finish()
    }
}

impl Preparer {
    /// The parallel phase: normalise, filter, check contamination, compute dedup keys.
    fn prepare(&self, raw: RawSegment, langs: &[Language]) -> Prepared {
        let raw_bytes = (raw.src.len() + raw.tgt.as_ref().map_or(0, |t| t.len())) as u64;
        let (src, src_changed) = self.normalizer.normalize(&raw.src, &langs[0]);
        let (tgt, tgt_changed) = match &raw.tgt {
            Some(t) => {
                let (t, changed) = self.normalizer.normalize(t, &langs[1]);
                (Some(t), changed)
            }
            None => (None, 0),
        };
        let candidate = Candidate {
            src: Side {
                text: &src,
                lang: &langs[0],
            },
            tgt: tgt.as_deref().map(|text| Side {
                text,
                lang: &langs[1],
            }),
        };
        let verdict = self.judge(&candidate);
        Prepared {
            line: raw.line,
            raw_bytes,
            changed: (src_changed, tgt_changed),
            verdict,
            src,
            tgt,
        }
    }

    fn judge(&self, candidate: &Candidate) -> Verdict {
        if let Some(rejection) = self.filters.check(candidate) {
            return Verdict::Dropped {
                reason: rejection.filter,
                detail: rejection.detail,
            };
        }
        if let Some(detail) = candidate
            .sides()
            .find_map(|side| self.decontaminator.check(side.text))
        {
            return Verdict::Dropped {
                reason: "contaminated",
                detail,
            };
        }
        let src = candidate.src;
        let (key, side_keys, near_text) = match candidate.tgt {
            Some(tgt) => (
                exact_key(&[&src.lang.tag, src.text, &tgt.lang.tag, tgt.text]),
                self.exact_each_side.then(|| {
                    (
                        exact_key(&[&src.lang.tag, src.text]),
                        exact_key(&[&tgt.lang.tag, tgt.text]),
                    )
                }),
                std::borrow::Cow::Owned(format!("{} {}", src.text, tgt.text)),
            ),
            None => (
                exact_key(&[&src.lang.tag, src.text]),
                None,
                std::borrow::Cow::Borrowed(src.text),
            ),
        };
        Verdict::Candidate {
            key,
            side_keys,
            bands: self
                .minhasher
                .as_ref()
                .and_then(|m| m.band_keys(&near_text)),
        }
    }
}

impl Sink<'_> {
    /// Opens the writer for a source's table, once. Parallel sources all come before
    /// monolingual ones, so the parallel shards are closed first and numbering continues.
    fn open_writer(&mut self, kind: SourceKind) -> Result<()> {
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
            SourceKind::Mono => Table::Mono,
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
    fn accept(&mut self, segment: Prepared, source: &Source, langs: &[Language]) -> Result<bool> {
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
                *lang_stats.dropped.entry(reason.to_string()).or_default() += 1;
                if let Some(rejected) = self.rejected.as_mut() {
                    let (tgt_lang, tgt_text) = match &segment.tgt {
                        Some(t) => (Cell::Str(&langs[1].tag), Cell::Str(t)),
                        None => (Cell::Null, Cell::Null),
                    };
                    rejected.push(&[
                        Cell::Str(&source.label),
                        Cell::U64(segment.line),
                        Cell::Str(reason),
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
    ) -> std::result::Result<(), (&'static str, String)> {
        if self.config.dedup.exact && self.exact.contains(key) {
            return Err((
                "duplicate",
                "same normalised text as an earlier segment".into(),
            ));
        }
        if let Some((src, tgt)) = side_keys {
            if self.sides.contains(src) || self.sides.contains(tgt) {
                return Err(("duplicate", "one side seen in an earlier pair".into()));
            }
        }
        if let Some(bands) = bands {
            if self.lsh.check_and_insert(bands) {
                return Err((
                    "near-duplicate",
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

    fn finish(mut self) -> Result<(Stats, Vec<PathBuf>)> {
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

/// Reads a source in batches and sends them on; stops at the end, on error, or when the
/// receiver is gone. Returns the number of bad lines skipped.
fn read_batches(
    mut reader: Box<dyn SegmentReader>,
    sender: std::sync::mpsc::SyncSender<Result<Vec<RawSegment>>>,
) -> u64 {
    loop {
        let mut batch = Vec::with_capacity(BATCH_SEGMENTS);
        let mut bytes = 0usize;
        let mut failure = None;
        while batch.len() < BATCH_SEGMENTS && bytes < 32 << 20 {
            match reader.next_segment() {
                Ok(Some(segment)) => {
                    bytes += segment.src.len() + segment.tgt.as_ref().map_or(0, |t| t.len());
                    batch.push(segment);
                }
                Ok(None) => break,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let done = batch.len() < BATCH_SEGMENTS && bytes < 32 << 20;
        if !batch.is_empty() && sender.send(Ok(batch)).is_err() {
            break;
        }
        if let Some(error) = failure {
            let _ = sender.send(Err(error));
            break;
        }
        if done {
            break;
        }
    }
    reader.skipped_lines()
}

/// Reads every `exclude` file into the decontamination index, normalised like the corpus
/// (with Vietnamese tone placement applied, whatever the file's language: it changes nothing
/// else).
fn build_decontaminator(config: &CorpusConfig, normalizer: &Normalizer) -> Result<Decontaminator> {
    let mut decontaminator = Decontaminator::new(config.dedup.exclude_ngram);
    let vi = Language::new("vi");
    for path in &config.exclude {
        let mut reader = open_exclude(path, &config.input)?;
        while let Some(segment) = reader.next_segment()? {
            for text in std::iter::once(&segment.src).chain(segment.tgt.as_ref()) {
                decontaminator.add(&normalizer.normalize(text, &vi).0);
            }
        }
    }
    Ok(decontaminator)
}
