//! Exact duplicates, decided in input order between the parallel passes, before any filter
//! runs: a copy of a text would get the verdict its first occurrence got, so judging it again
//! would only cost time. A segment is a duplicate when its raw text was read before (found
//! without normalising it) or when its normalised text was; the first occurrence stands,
//! whatever its own fate.

use super::prepare::{Prepared, Verdict};
use crate::dedup::ExactIndex;

pub(super) struct ExactDuplicates {
    enabled: bool,
    raw: ExactIndex,
    normalized: ExactIndex,
}

impl ExactDuplicates {
    pub(super) fn new(enabled: bool) -> Self {
        ExactDuplicates {
            enabled,
            raw: ExactIndex::default(),
            normalized: ExactIndex::default(),
        }
    }

    /// For each raw key of a batch, whether its text is read for the first time (always,
    /// when exact deduplication is off). No key: a line the reader found repeated, a copy.
    pub(super) fn first_reads(&mut self, raw_keys: &[Option<u128>]) -> Vec<bool> {
        raw_keys
            .iter()
            .map(|key| key.is_some_and(|key| !self.enabled || self.raw.insert(key)))
            .collect()
    }

    /// Marks the normalised segments whose normalised text was seen before as duplicates.
    pub(super) fn mark(&mut self, batch: &mut [Prepared]) {
        if !self.enabled {
            return;
        }
        for segment in batch {
            if let Verdict::Normalized { key } = segment.verdict {
                if !self.normalized.insert(key) {
                    segment.verdict = Verdict::Copy;
                }
            }
        }
    }
}
