//! The corpus stage as tasks (`mekong run --executor`), with the result of one process. The
//! input is cut into units (byte ranges of plain line-based files, else whole files:
//! [`crate::readers::units_of`]); a segment's place in the run is (unit, place in the unit),
//! which does not depend on the number of tasks, and the tasks take contiguous shares of the
//! units.
//!
//! 1. `map` (every task): read, normalise, filter, decontaminate and key its units as one
//!    process does, dropping the copies it reads twice itself; write each segment's record,
//!    and the keys, partitioned by hash among the tasks.
//! 2. `reduce` (every task, one partition each): every occurrence of a key meets here. Exact
//!    keys: all but the first occurrence are copies. Side and band keys of the candidates: the
//!    keys that two distinct texts share are collisions (a copy's keys are its first
//!    occurrence's, so copies are left out).
//! 3. `resolve` (one task): the collisions in input order, as one process meets them: a
//!    candidate sharing a key with an earlier kept one is dropped, otherwise kept (first kept
//!    wins, not union-find transitivity). Memory grows with the colliding candidates only.
//!    Then every unit's first row id and first line, from the counts.
//! 4. `write` (every task): its units' rows, kept and rejected, with their final reasons, and
//!    their counts; the runner renames the shards into one folder and sums the counts.

mod map;
mod records;
mod reduce;
mod resolve;
mod write;

use crate::config::{CorpusConfig, Source, SourceKind};
use crate::readers::units_of;
use mekong_common::{Sharded, StageError, Step, TaskId, TaskWork};
use std::ops::Range;
use std::path::Path;

const STEPS: &[Step] = &[
    Step {
        name: "map",
        single: false,
    },
    Step {
        name: "reduce",
        single: false,
    },
    Step {
        name: "resolve",
        single: true,
    },
    Step {
        name: "write",
        single: false,
    },
];

/// One unit of the run: a source (its place in processing order) and the part of it.
#[derive(Debug, Clone)]
pub(super) struct Unit<'c> {
    pub(super) source: usize,
    pub(super) spec: &'c Source,
    pub(super) range: Option<Range<u64>>,
}

/// The run's units, in processing order (parallel sources first, as one process reads them),
/// and which task takes each.
pub(super) struct Plan<'c> {
    pub(super) units: Vec<Unit<'c>>,
    pub(super) sources: Vec<&'c Source>,
    /// Each unit's bytes: the tasks take even shares of them.
    weights: Vec<u64>,
    owner: Vec<usize>,
    tasks: usize,
}

impl<'c> Plan<'c> {
    pub(super) fn new(config: &'c CorpusConfig, tasks: usize) -> crate::error::Result<Self> {
        let sources: Vec<&Source> = config
            .sources
            .iter()
            .filter(|s| s.kind == SourceKind::Parallel)
            .chain(config.sources.iter().filter(|s| s.kind == SourceKind::Mono))
            .collect();
        let mut units = Vec::new();
        let mut weights = Vec::new();
        for (index, spec) in sources.iter().enumerate() {
            for range in units_of(spec, &config.input)? {
                weights.push(match &range {
                    Some(range) => range.end - range.start,
                    None => spec
                        .paths
                        .iter()
                        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
                        .sum(),
                });
                units.push(Unit {
                    source: index,
                    spec,
                    range,
                });
            }
        }
        let mut plan = Plan {
            owner: vec![0; units.len()],
            units,
            sources,
            weights,
            tasks,
        };
        for task in 0..tasks {
            let share = plan.share(task);
            plan.owner[share].fill(task);
        }
        Ok(plan)
    }

    /// The units task `task` takes (the same in every step).
    pub(super) fn share(&self, task: usize) -> Range<usize> {
        TaskId {
            index: task,
            count: self.tasks,
        }
        .share(&self.weights)
    }

    /// The task that takes unit `unit`.
    pub(super) fn owner(&self, unit: usize) -> usize {
        self.owner[unit]
    }
}

impl Sharded for CorpusConfig {
    fn steps(&self) -> &'static [Step] {
        STEPS
    }

    fn run_task(
        &self,
        step: &str,
        task: TaskId,
        work: &TaskWork,
        out: &Path,
    ) -> Result<(), StageError> {
        let plan = Plan::new(self, work.tasks())?;
        match step {
            "map" => map::run(self, &plan, task.index, out)?,
            "reduce" => reduce::run(work, &plan, task.index, out)?,
            "resolve" => resolve::run(work, &plan, out)?,
            _ => write::run(self, work, &plan, task.index, out)?,
        }
        Ok(())
    }

    fn assemble(&self, work: &TaskWork, output: &Path) -> Result<String, StageError> {
        let plan = Plan::new(self, work.tasks())?;
        Ok(write::assemble(self, work, &plan, output)?.text())
    }
}
