//! The write step: a task's units' rows, kept and rejected, with their final reasons (a copy of
//! an earlier text anywhere is a duplicate, whatever else the map step found; a collision the
//! resolve step dropped is a duplicate or near duplicate), numbered from where the resolve step
//! says its units start. Then, in the runner, the assembly: every task's shards renamed into one
//! folder, parallel first as one process writes them, and the counts summed.

use super::map::{segments_file, UnitSummary, SUMMARY_FILE};
use super::records::{read_json, read_records, segment_id, write_json, Fate, SegmentRecord};
use super::reduce::copies_file;
use super::resolve::{drops_file, UnitStart, OFFSETS_FILE};
use super::Plan;
use crate::config::CorpusConfig;
use crate::error::{CorpusError, Result};
use crate::lang::Language;
use crate::stage::prepare::{Prepared, Preparer, Verdict, COPY_DETAIL};
use crate::stage::sink::Sink;
use crate::stage::{complete, parameters, Summary, STAGE};
use crate::stats::{SourceStats, Stats};
use crate::DropReason;
use mekong_common::corpus_shards::Table;
use mekong_common::{Manifest, StagingDir, TaskWork};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

const WRITTEN_FILE: &str = "written.json";

/// What a write task leaves for the assembly.
#[derive(Serialize, Deserialize)]
struct Written {
    /// Its counts, without the per-source ones.
    stats: Stats,
    /// Per source (by its place in processing order).
    sources: BTreeMap<usize, SourceStats>,
    /// Its shards, in the order written, with their tables (relative to its folder).
    files: Vec<(Table, PathBuf)>,
}

pub fn run(
    config: &CorpusConfig,
    work: &TaskWork,
    plan: &Plan,
    task: usize,
    out: &Path,
) -> Result<()> {
    let mine = plan.share(task);
    let starts: Vec<UnitStart> = read_json(&work.task_dir("resolve", 0).join(OFFSETS_FILE))?;
    let mut copies: HashSet<u64> = HashSet::new();
    for reducer in 0..plan.tasks {
        let path = work.task_dir("reduce", reducer).join(copies_file(task));
        for ids in read_records::<Vec<u64>>(&path)? {
            copies.extend(ids);
        }
    }
    let drops: HashMap<u64, DropReason> = read_records::<Vec<(u64, DropReason)>>(
        &work.task_dir("resolve", 0).join(drops_file(task)),
    )?
    .into_iter()
    .flatten()
    .collect();
    let summaries: BTreeMap<usize, UnitSummary> =
        read_json(&work.task_dir("map", task).join(SUMMARY_FILE))?;
    let step_names = Preparer::new(config)?.step_names();
    let first = starts.get(mine.start).map(|s| s.ids).unwrap_or_default();
    let mut sink = Sink::new(config, out, step_names).starting_at(first);
    let mut sources: BTreeMap<usize, SourceStats> = BTreeMap::new();
    for index in mine {
        let unit = &plan.units[index];
        let langs: Vec<Language> = unit.spec.langs.iter().map(|l| Language::new(l)).collect();
        let lang_key = unit.spec.lang_key();
        let summary = summaries.get(&index).cloned().unwrap_or_default();
        let stats = sources.entry(unit.source).or_insert_with(|| SourceStats {
            source: unit.spec.label.clone(),
            langs: lang_key.clone(),
            segments_in: 0,
            kept: 0,
            skipped_lines: 0,
        });
        stats.skipped_lines += summary.skipped;
        sink.stats.skipped_lines += summary.skipped;
        sink.open_writer(unit.spec.kind)?;
        let path = work.task_dir("map", task).join(segments_file(index));
        for (position, record) in read_records::<SegmentRecord>(&path)?
            .into_iter()
            .enumerate()
        {
            let id = segment_id(index, position);
            let (segment, outcome) = decide(record, id, &copies, &drops, starts[index].line);
            stats.segments_in += 1;
            if sink.record(&segment, outcome, unit.spec, &lang_key, &langs)? {
                stats.kept += 1;
            }
        }
    }
    let (stats, files) = sink.finish()?;
    write_json(
        &out.join(WRITTEN_FILE),
        &Written {
            stats,
            sources,
            files,
        },
    )
}

type Outcome = std::result::Result<(), (DropReason, Cow<'static, str>)>;

/// A segment's final fate, from its record and what the reduce and resolve steps found.
fn decide(
    record: SegmentRecord,
    id: u64,
    copies: &HashSet<u64>,
    drops: &HashMap<u64, DropReason>,
    lines_before: u64,
) -> (Prepared, Outcome) {
    let copy = matches!(record.fate, Fate::Copy) || copies.contains(&id);
    let (verdict, outcome) = match record.fate {
        _ if copy => (
            Verdict::Copy,
            Err((DropReason::Duplicate, Cow::Borrowed(COPY_DETAIL))),
        ),
        Fate::Dropped { reason, detail } => (
            Verdict::Dropped {
                reason,
                detail: Cow::Owned(detail.clone()),
            },
            Err((reason, Cow::Owned(detail))),
        ),
        _ => {
            let outcome = match drops.get(&id) {
                Some(&DropReason::Duplicate) => Err((
                    DropReason::Duplicate,
                    Cow::Borrowed(crate::stage::sink::SIDE_DETAIL),
                )),
                Some(&reason) => Err((reason, Cow::Borrowed(crate::stage::sink::NEAR_DETAIL))),
                None => Ok(()),
            };
            (
                Verdict::Candidate {
                    side_keys: None,
                    bands: None,
                },
                outcome,
            )
        }
    };
    let segment = Prepared {
        line: record.line + lines_before,
        raw_bytes: record.raw_bytes,
        src: record.src,
        tgt: record.tgt,
        changed: record.changed,
        key: None,
        verdict,
    };
    (segment, outcome)
}

/// Builds the output folder from the write tasks: their shards renamed in order (parallel
/// ones, then monolingual, then rejected), their counts summed, the manifest written.
pub fn assemble(
    config: &CorpusConfig,
    work: &TaskWork,
    plan: &Plan,
    output: &Path,
) -> Result<Summary> {
    config.validate()?;
    let manifest = Manifest::new(STAGE, &config.input_paths(), parameters(config))?;
    let staging = StagingDir::new(output)?;
    let mut stats = Stats::default();
    let mut sources: BTreeMap<usize, SourceStats> = BTreeMap::new();
    let mut tables: BTreeMap<u8, Vec<PathBuf>> = BTreeMap::new();
    for task in 0..plan.tasks {
        let dir = work.task_dir("write", task);
        let written: Written = read_json(&dir.join(WRITTEN_FILE))?;
        add(&mut stats, &written.stats);
        for (index, source) in written.sources {
            match sources.get_mut(&index) {
                Some(sum) => {
                    sum.segments_in += source.segments_in;
                    sum.kept += source.kept;
                    sum.skipped_lines += source.skipped_lines;
                }
                None => {
                    sources.insert(index, source);
                }
            }
        }
        for (table, file) in written.files {
            let order = match table {
                Table::Parallel => 0,
                Table::Monolingual => 1,
                Table::Rejected => 2,
            };
            tables.entry(order).or_default().push(dir.join(file));
        }
    }
    for (index, source) in plan.sources.iter().enumerate() {
        if sources.get(&index).is_none_or(|s| s.segments_in == 0) {
            return Err(CorpusError::bad_file(
                &source.paths[0],
                "empty input: no segments could be read",
            ));
        }
    }
    stats.sources = sources.into_values().collect();
    let mut outputs = Vec::new();
    let mut shard = 0;
    for (order, files) in tables {
        let (folder, numbered) = match order {
            2 => (staging.path().join("rejected"), &mut 0),
            _ => (staging.path().to_path_buf(), &mut shard),
        };
        std::fs::create_dir_all(&folder).map_err(|e| CorpusError::io(&folder, e))?;
        for file in files {
            let name = format!("part-{:05}.parquet", *numbered);
            *numbered += 1;
            let target = folder.join(&name);
            std::fs::rename(&file, &target).map_err(|e| CorpusError::io(&file, e))?;
            outputs.push(
                target
                    .strip_prefix(staging.path())
                    .unwrap_or(&target)
                    .to_path_buf(),
            );
        }
    }
    complete(manifest, staging, stats, outputs)
}

/// Adds a task's counts (but its per-source ones) into the sum.
fn add(sum: &mut Stats, task: &Stats) {
    for (lang, counts) in &task.languages {
        sum.languages.entry(lang.clone()).or_default().add(counts);
    }
    for (step, n) in &task.normalize {
        *sum.normalize.entry(step.clone()).or_default() += n;
    }
    sum.skipped_lines += task.skipped_lines;
}
