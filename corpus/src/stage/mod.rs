//! The stage itself: read every source as a stream of batches (a reader thread keeps the next
//! batch coming); key each raw text and mark those read before (in input order); normalise and
//! key the others in parallel (rayon); mark exact duplicates of the normalised text; run the
//! filters, the contamination check and the MinHash signature in parallel on what is left; then
//! decide the remaining duplicates and write rows in input order on a writer thread, which
//! works on one batch while the next is prepared. Parallel sources are processed before
//! monolingual ones, each group in the order given. Everything is written into a staging folder
//! that replaces the output folder only when the run completes.

mod duplicates;
mod prepare;
mod sharded;
mod sink;

use crate::config::{CorpusConfig, Source, SourceKind};
use crate::error::{CorpusError, Result};
use crate::lang::Language;
use crate::readers::{open_source, Item, SegmentReader};
use crate::stats::{SourceStats, Stats};
use duplicates::ExactDuplicates;
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::corpus_shards::Table;
use mekong_common::{Manifest, StagingDir};
use prepare::{raw_key, Prepared, Preparer};
use rayon::prelude::*;
use sink::Sink;
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
    let manifest = Manifest::new(STAGE, &config.input_paths(), parameters(config))?;
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
    let (stats, files) = processor.finish()?;
    let outputs: Vec<PathBuf> = files.into_iter().map(|(_, path)| path).collect();
    complete(manifest, staging, stats, outputs)
}

/// Completes the output folder: stats.json and the manifest written, the folder renamed into
/// place.
fn complete(
    mut manifest: Manifest,
    staging: StagingDir,
    stats: Stats,
    mut outputs: Vec<PathBuf>,
) -> Result<Summary> {
    stats.write(staging.path())?;
    outputs.push(PathBuf::from(crate::stats::STATS_FILE));
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

struct Processor<'a> {
    preparer: Preparer,
    duplicates: ExactDuplicates,
    sink: Sink<'a>,
}

impl<'a> Processor<'a> {
    fn new(config: &'a CorpusConfig, dir: &Path) -> Result<Self> {
        let preparer = Preparer::new(config)?;
        let sink = Sink::new(config, dir, preparer.step_names());
        Ok(Processor {
            preparer,
            duplicates: ExactDuplicates::new(config.dedup.exact),
            sink,
        })
    }

    fn process(&mut self, source: &Source) -> Result<()> {
        let (preparer, duplicates, sink) = (&self.preparer, &mut self.duplicates, &mut self.sink);
        sink.open_writer(source.kind)?;
        let langs: Vec<Language> = source.langs.iter().map(|l| Language::new(l)).collect();
        let progress = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} segments ({per_sec})")
                .expect("valid template"),
        );
        progress.set_message(format!("{} {}", source.lang_key(), source.label));

        let reader = open_source(source, &sink.config.input)?;
        let repeats = sink.config.dedup.exact;
        let (raw_sender, raw_batches) = sync_channel::<Result<Vec<Item>>>(2);
        let (prepared_sender, prepared_batches) = sync_channel::<Vec<Prepared>>(2);
        let (skipped, source_stats) = std::thread::scope(|scope| {
            let producer = scope.spawn(move || read_batches(reader, repeats, raw_sender));
            let langs = &langs;
            let sink = &mut *sink;
            let writer = scope.spawn(move || write_batches(sink, prepared_batches, source, langs));
            // Ends (dropping `prepared_sender`, so the writer finishes) on the first error.
            let prepare_all = move || -> Result<()> {
                for batch in raw_batches {
                    let prepared = prepare_batch(preparer, duplicates, batch?, langs);
                    progress.inc(prepared.len() as u64);
                    if prepared_sender.send(prepared).is_err() {
                        break; // the writer stopped on an error, which it returns
                    }
                }
                progress.finish_and_clear();
                Ok(())
            };
            let outcome = prepare_all();
            let written = writer.join().expect("the writer thread does not panic");
            let skipped = producer.join().expect("the reader thread does not panic");
            outcome.and(written).map(|stats| (skipped, stats))
        })?;
        if source_stats.segments_in == 0 {
            return Err(CorpusError::bad_file(
                &source.paths[0],
                "empty input: no segments could be read",
            ));
        }
        sink.stats.skipped_lines += skipped;
        sink.stats.sources.push(SourceStats {
            skipped_lines: skipped,
            ..source_stats
        });
        Ok(())
    }

    fn finish(self) -> Result<(Stats, Vec<(Table, PathBuf)>)> {
        self.sink.finish()
    }
}

/// The parallel passes over one batch, with the exact-duplicate marks between them (in order).
fn prepare_batch(
    preparer: &Preparer,
    duplicates: &mut ExactDuplicates,
    batch: Vec<Item>,
    langs: &[Language],
) -> Vec<Prepared> {
    let keys: Vec<Option<u128>> = batch
        .par_iter()
        .map(|item| match item {
            Item::Segment(raw) => Some(raw_key(raw, langs)),
            Item::Repeat { .. } => None,
        })
        .collect();
    let first_reads = duplicates.first_reads(&keys);
    let mut prepared: Vec<Prepared> = batch
        .into_par_iter()
        .zip(first_reads)
        .map(|(item, first)| match (item, first) {
            (Item::Segment(raw), true) => preparer.normalize(raw, langs),
            (Item::Segment(raw), false) => Preparer::raw_duplicate(raw),
            (Item::Repeat { line, bytes, pair }, _) => Preparer::repeat(line, bytes, pair),
        })
        .collect();
    duplicates.mark(&mut prepared);
    prepared
        .par_iter_mut()
        .for_each(|segment| preparer.judge(segment, langs));
    prepared
}

/// The writer thread: every prepared segment of a source into the sink, in order.
fn write_batches(
    sink: &mut Sink,
    batches: std::sync::mpsc::Receiver<Vec<Prepared>>,
    source: &Source,
    langs: &[Language],
) -> Result<SourceStats> {
    let mut stats = SourceStats {
        source: source.label.clone(),
        langs: source.lang_key(),
        segments_in: 0,
        kept: 0,
        skipped_lines: 0,
    };
    for batch in batches {
        for segment in batch {
            stats.segments_in += 1;
            if sink.accept(segment, source, &stats.langs, langs)? {
                stats.kept += 1;
            }
        }
    }
    Ok(stats)
}

/// The reader's next item; with `repeats` (exact deduplication on), lines read before may
/// come as [`Item::Repeat`]s.
fn next_item(reader: &mut dyn SegmentReader, repeats: bool) -> Result<Option<Item>> {
    match repeats {
        true => reader.next_item(),
        false => Ok(reader.next_segment()?.map(Item::Segment)),
    }
}

/// Reads a source in batches and sends them on; stops at the end, on error, or when the
/// receiver is gone. With `repeats`, lines read before come as [`Item::Repeat`]s (exact
/// deduplication drops them anyway). Returns the number of bad lines skipped.
fn read_batches(
    mut reader: Box<dyn SegmentReader>,
    repeats: bool,
    sender: std::sync::mpsc::SyncSender<Result<Vec<Item>>>,
) -> u64 {
    loop {
        let mut batch = Vec::with_capacity(BATCH_SEGMENTS);
        let mut bytes = 0usize;
        let mut failure = None;
        while batch.len() < BATCH_SEGMENTS && bytes < 32 << 20 {
            match next_item(reader.as_mut(), repeats) {
                Ok(Some(item)) => {
                    bytes += match &item {
                        Item::Segment(s) => s.src.len() + s.tgt.as_ref().map_or(0, |t| t.len()),
                        Item::Repeat { .. } => 0, // no text held
                    };
                    batch.push(item);
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
