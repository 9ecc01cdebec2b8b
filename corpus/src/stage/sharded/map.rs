//! The map step: a task's units read, normalised, filtered and keyed as one process does it
//! (the same batches and passes, [`super::super::prepare_batch`]), with the copies it reads
//! twice itself marked; each segment's record written per unit, its keys per partition.

use super::records::{
    partition, segment_id, write_json, ExactRecord, Fate, KeyKind, NearRecord, RecordWriter,
    SegmentRecord,
};
use super::Plan;
use crate::config::CorpusConfig;
use crate::error::Result;
use crate::lang::Language;
use crate::readers::open_unit;
use crate::stage::duplicates::ExactDuplicates;
use crate::stage::prepare::{Prepared, Preparer, Verdict};
use crate::stage::{next_item, prepare_batch, BATCH_SEGMENTS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// What the map step says of a unit, for the counts and the line numbers.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct UnitSummary {
    pub segments: u64,
    /// Segments that passed everything the map step checks, not copies of its own.
    pub candidates: u64,
    /// Lines read (a byte range's lines; 0 for formats not read by lines).
    pub lines: u64,
    pub skipped: u64,
}

pub const SUMMARY_FILE: &str = "units.json";

pub fn segments_file(unit: usize) -> String {
    format!("unit-{unit}.seg")
}

pub fn exact_file(part: usize) -> String {
    format!("exact-{part}.bin")
}

pub fn near_file(part: usize) -> String {
    format!("near-{part}.bin")
}

pub fn run(config: &CorpusConfig, plan: &Plan, task: usize, out: &Path) -> Result<()> {
    let preparer = Preparer::new(config)?;
    let mut duplicates = ExactDuplicates::new(config.dedup.exact);
    let mut exact = writers(out, plan.tasks, exact_file)?;
    let mut near = writers(out, plan.tasks, near_file)?;
    // Without exact dedup no key is a copy's: none is sent.
    let exact_keys = config.dedup.exact;
    let mut summaries: BTreeMap<usize, UnitSummary> = BTreeMap::new();
    for index in plan.share(task) {
        let unit = &plan.units[index];
        let langs: Vec<Language> = unit.spec.langs.iter().map(|l| Language::new(l)).collect();
        let mut reader = open_unit(unit.spec, &config.input, unit.range.clone())?;
        let mut segments = RecordWriter::create(&out.join(segments_file(index)))?;
        let mut summary = UnitSummary::default();
        loop {
            let mut batch = Vec::with_capacity(BATCH_SEGMENTS);
            while batch.len() < BATCH_SEGMENTS {
                match next_item(reader.as_mut(), config.dedup.exact)? {
                    Some(item) => batch.push(item),
                    None => break,
                }
            }
            if batch.is_empty() {
                break;
            }
            for prepared in prepare_batch(&preparer, &mut duplicates, batch, &langs) {
                let id = segment_id(index, summary.segments as usize);
                summary.segments += 1;
                let exact = exact_keys.then_some(&mut exact[..]);
                let record = keep_keys(prepared, id, exact, &mut near, &mut summary)?;
                segments.push(&record)?;
            }
        }
        segments.finish()?;
        summary.lines = reader.lines_read();
        summary.skipped = reader.skipped_lines();
        summaries.insert(index, summary);
    }
    for writer in exact.into_iter().chain(near) {
        writer.finish()?;
    }
    write_json(&out.join(SUMMARY_FILE), &summaries)
}

fn writers(out: &Path, parts: usize, name: fn(usize) -> String) -> Result<Vec<RecordWriter>> {
    (0..parts)
        .map(|part| RecordWriter::create(&out.join(name(part))))
        .collect()
}

/// The segment's record; its keys go to their partitions.
fn keep_keys(
    prepared: Prepared,
    id: u64,
    exact: Option<&mut [RecordWriter]>,
    near: &mut [RecordWriter],
    summary: &mut UnitSummary,
) -> Result<SegmentRecord> {
    let fate = match prepared.verdict {
        Verdict::Copy => Fate::Copy,
        Verdict::Dropped { reason, detail } => Fate::Dropped {
            reason,
            detail: detail.into_owned(),
        },
        Verdict::Candidate {
            side_keys,
            ref bands,
        } => {
            summary.candidates += 1;
            let own = prepared.key.unwrap_or_default();
            let sides = side_keys.into_iter().flat_map(|(s, t)| [s, t]);
            let keys = sides.map(|key| (KeyKind::Side, key)).chain(
                bands.iter().flatten().enumerate().map(|(band, &key)| {
                    // One band's key space apart from another's.
                    (KeyKind::Band, (band as u128) << 64 | u128::from(key))
                }),
            );
            for (kind, key) in keys {
                near[partition(key, near.len())].push(&NearRecord {
                    kind,
                    key,
                    id,
                    exact: own,
                })?;
            }
            Fate::Candidate
        }
        Verdict::Normalized { .. } => unreachable!("every normalised segment is judged"),
    };
    // A copy's row is written without its text, so its record needs none.
    let copy = matches!(fate, Fate::Copy);
    if let (Some(exact), Some(key), false) = (exact, prepared.key, copy) {
        {
            exact[partition(key, exact.len())].push(&ExactRecord {
                key,
                id,
                candidate: matches!(fate, Fate::Candidate),
            })?;
        }
    }
    let text = |text: String| if copy { String::new() } else { text };
    Ok(SegmentRecord {
        line: prepared.line,
        raw_bytes: prepared.raw_bytes,
        src: text(prepared.src),
        tgt: prepared.tgt.map(text),
        changed: prepared.changed,
        fate,
    })
}
