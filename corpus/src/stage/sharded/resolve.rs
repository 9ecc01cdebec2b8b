//! The resolve step (one task): the colliding candidates in input order, decided as one
//! process decides them: a candidate sharing a side key with an earlier kept pair is a
//! duplicate, one sharing a band with an earlier kept segment a near duplicate, and a kept one
//! adds its keys. Only colliding candidates and their shared keys are held. Then each unit's
//! first row ids and first line follow from the counts of every step before.

use super::map::{UnitSummary, SUMMARY_FILE};
use super::records::{
    read_json, read_records, unit_of, write_json, Collision, KeyKind, RecordWriter, SegmentId,
};
use super::reduce::{COLLISIONS_FILE, COPIES_COUNT_FILE};
use super::Plan;
use crate::config::SourceKind;
use crate::dedup::KeySet;
use crate::error::Result;
use crate::stage::sink::FirstIds;
use crate::DropReason;
use mekong_common::TaskWork;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const OFFSETS_FILE: &str = "offsets.json";

pub fn drops_file(writer: usize) -> String {
    format!("drops-{writer}.bin")
}

/// Where a unit's rows and lines start.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct UnitStart {
    pub ids: FirstIds,
    /// Lines of its source before it (its lines are numbered from its own first).
    pub line: u64,
}

pub fn run(work: &TaskWork, plan: &Plan, out: &Path) -> Result<()> {
    let mut collisions: Vec<Collision> = Vec::new();
    for task in 0..plan.tasks {
        collisions.extend(read_records(
            &work.task_dir("reduce", task).join(COLLISIONS_FILE),
        )?);
    }
    collisions.sort_unstable_by_key(|c| (c.id, c.kind, c.key));
    let mut kept_sides = KeySet::<u128>::default();
    let mut kept_bands = KeySet::<u128>::default();
    let mut drops: Vec<Vec<(SegmentId, DropReason)>> = vec![Vec::new(); plan.tasks];
    let mut dropped_per_unit: BTreeMap<usize, u64> = BTreeMap::new();
    for keys in collisions.chunk_by(|a, b| a.id == b.id) {
        let shares = |kind: KeyKind, kept: &KeySet<u128>| {
            keys.iter().any(|c| c.kind == kind && kept.contains(&c.key))
        };
        let reason = if shares(KeyKind::Side, &kept_sides) {
            Some(DropReason::Duplicate)
        } else if shares(KeyKind::Band, &kept_bands) {
            Some(DropReason::NearDuplicate)
        } else {
            None
        };
        let id = keys[0].id;
        match reason {
            Some(reason) => {
                drops[plan.owner(unit_of(id))].push((id, reason));
                *dropped_per_unit.entry(unit_of(id)).or_default() += 1;
            }
            None => {
                for key in keys {
                    match key.kind {
                        KeyKind::Side => kept_sides.insert(key.key),
                        KeyKind::Band => kept_bands.insert(key.key),
                    };
                }
            }
        }
    }
    for (writer, dropped) in drops.into_iter().enumerate() {
        let mut file = RecordWriter::create(&out.join(drops_file(writer)))?;
        file.push(&dropped)?;
        file.finish()?;
    }
    write_json(
        &out.join(OFFSETS_FILE),
        &starts(work, plan, &dropped_per_unit)?,
    )
}

/// Every unit's first row ids and first line: its source's and table's rows before it.
fn starts(work: &TaskWork, plan: &Plan, dropped: &BTreeMap<usize, u64>) -> Result<Vec<UnitStart>> {
    let mut summaries: BTreeMap<usize, UnitSummary> = BTreeMap::new();
    let mut copies: BTreeMap<usize, u64> = BTreeMap::new();
    for task in 0..plan.tasks {
        summaries.extend(read_json::<BTreeMap<usize, UnitSummary>>(
            &work.task_dir("map", task).join(SUMMARY_FILE),
        )?);
        for (unit, n) in read_json::<BTreeMap<usize, u64>>(
            &work.task_dir("reduce", task).join(COPIES_COUNT_FILE),
        )? {
            *copies.entry(unit).or_default() += n;
        }
    }
    let mut next = FirstIds::default();
    let mut lines_before = 0;
    let mut starts = Vec::with_capacity(plan.units.len());
    for (index, unit) in plan.units.iter().enumerate() {
        if index > 0 && plan.units[index - 1].source != unit.source {
            lines_before = 0;
        }
        starts.push(UnitStart {
            ids: next,
            line: lines_before,
        });
        let summary = summaries.get(&index).cloned().unwrap_or_default();
        let kept = summary.candidates
            - copies.get(&index).copied().unwrap_or(0)
            - dropped.get(&index).copied().unwrap_or(0);
        match unit.spec.kind {
            SourceKind::Parallel => next.parallel += kept,
            SourceKind::Mono => next.mono += kept,
        }
        next.rejected += summary.segments - kept;
        lines_before += summary.lines;
    }
    Ok(starts)
}
