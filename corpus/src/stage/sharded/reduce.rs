//! The reduce step: one partition of the keys, with every occurrence of each key from every
//! map task. Exact keys: the first occurrence in input order stands, every later one is a copy
//! (listed for the task that writes its unit, and counted per unit when it was a candidate).
//! Side and band keys: the keys two distinct texts share (each text's first occurrence only:
//! a copy's keys are its first occurrence's) are collisions, for the resolve step.

use super::map::{exact_file, near_file};
use super::records::{
    read_records, unit_of, write_json, Collision, ExactRecord, NearRecord, RecordWriter, SegmentId,
};
use super::Plan;
use crate::error::Result;
use mekong_common::TaskWork;
use std::collections::BTreeMap;
use std::path::Path;

pub const COLLISIONS_FILE: &str = "collisions.bin";
/// Per unit: candidates that turned out to be copies of an earlier text.
pub const COPIES_COUNT_FILE: &str = "copies.json";

pub fn copies_file(writer: usize) -> String {
    format!("copies-{writer}.bin")
}

pub fn run(work: &TaskWork, plan: &Plan, part: usize, out: &Path) -> Result<()> {
    // Exact keys: all but the first occurrence of each are copies.
    let mut exact: Vec<ExactRecord> = Vec::new();
    for task in 0..plan.tasks {
        exact.extend(read_records(
            &work.task_dir("map", task).join(exact_file(part)),
        )?);
    }
    exact.sort_unstable_by_key(|r| (r.key, r.id));
    let mut copies: Vec<Vec<SegmentId>> = vec![Vec::new(); plan.tasks];
    let mut candidate_copies: BTreeMap<usize, u64> = BTreeMap::new();
    for group in exact.chunk_by(|a, b| a.key == b.key) {
        for copy in &group[1..] {
            copies[plan.owner(unit_of(copy.id))].push(copy.id);
            if copy.candidate {
                *candidate_copies.entry(unit_of(copy.id)).or_default() += 1;
            }
        }
    }
    drop(exact);
    for (writer, mut ids) in copies.into_iter().enumerate() {
        ids.sort_unstable();
        let mut file = RecordWriter::create(&out.join(copies_file(writer)))?;
        file.push(&ids)?;
        file.finish()?;
    }
    write_json(&out.join(COPIES_COUNT_FILE), &candidate_copies)?;

    // Side and band keys: the ones distinct texts share.
    let mut near: Vec<NearRecord> = Vec::new();
    for task in 0..plan.tasks {
        near.extend(read_records(
            &work.task_dir("map", task).join(near_file(part)),
        )?);
    }
    near.sort_unstable_by_key(|r| (r.kind, r.key, r.exact, r.id));
    let mut collisions = RecordWriter::create(&out.join(COLLISIONS_FILE))?;
    for group in near.chunk_by(|a, b| (a.kind, a.key) == (b.kind, b.key)) {
        // Sorted by text, then input order: each text's first occurrence.
        let firsts: Vec<&NearRecord> = group
            .chunk_by(|a, b| a.exact == b.exact)
            .map(|same_text| &same_text[0])
            .collect();
        if firsts.len() < 2 {
            continue;
        }
        for record in firsts {
            collisions.push(&Collision {
                id: record.id,
                kind: record.kind,
                key: record.key,
            })?;
        }
    }
    collisions.finish()
}
