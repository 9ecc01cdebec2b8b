//! The stage itself: read every source as a stream of batches (a reader thread keeps the next
//! batch coming), normalise, filter, check contamination and compute dedup keys in parallel
//! (rayon), then decide duplicates and write rows in input order on one thread. Parallel
//! sources are processed before monolingual ones, each group in the order given. Everything is
//! written into a staging folder that replaces the output folder only when the run completes.

mod prepare;
mod sink;

use crate::config::{CorpusConfig, Source, SourceKind};
use crate::error::{CorpusError, Result};
use crate::lang::Language;
use crate::readers::{open_source, RawSegment, SegmentReader};
use crate::stats::{SourceStats, Stats};
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::{Manifest, StagingDir};
use prepare::{Prepared, Preparer};
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
    sink: Sink<'a>,
}

impl<'a> Processor<'a> {
    fn new(config: &'a CorpusConfig, dir: &Path) -> Result<Self> {
        let preparer = Preparer::new(config)?;
        let sink = Sink::new(config, dir, preparer.step_names());
        Ok(Processor { preparer, sink })
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
