//! Executors: how the tasks of a sharded stage ([`mekong_common::Sharded`]) run. `local` starts
//! them as processes of this binary on this machine (which proves the process boundaries);
//! `slurm` submits each step as a job array, chained with `--dependency=afterok`, and waits.
//! Either way every task is `mekong task PIPELINE --stage S --step X --tasks N` with its index
//! ([`crate::cli::task`]), and the runner assembles the output once the last step completes.

mod local;
mod slurm;

use crate::pipeline::{PipelineFile, RunArgs};
use anyhow::Context;
use mekong_common::{Sharded, Stage, StageError, Step, TaskWork};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutorKind {
    /// Processes of this binary on this machine.
    Local,
    /// Slurm job arrays.
    Slurm,
}

mekong_common::display_as_name!(ExecutorKind);

/// Where and how split stages run: flags over the `[pipeline]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutorSettings {
    pub kind: ExecutorKind,
    pub tasks: usize,
    pub partition: Option<String>,
    pub sbatch_args: Vec<String>,
}

impl std::fmt::Display for ExecutorSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} tasks ({})", self.tasks, self.kind)
    }
}

impl ExecutorSettings {
    /// The settings a run asks for; `None` when it names no executor (every stage runs here).
    pub fn resolve(args: &RunArgs, file: &PipelineFile) -> anyhow::Result<Option<Self>> {
        let settings = &file.settings;
        let Some(kind) = args.executor.or(settings.executor) else {
            anyhow::ensure!(
                args.tasks.is_none() && args.partition.is_none() && args.sbatch_args.is_empty(),
                "--tasks, --partition and --sbatch-arg need an executor (--executor local|slurm)"
            );
            return Ok(None);
        };
        let tasks = args.tasks.or(settings.tasks).with_context(|| {
            format!("the {kind} executor needs a task count: --tasks N or [pipeline] tasks")
        })?;
        anyhow::ensure!(
            tasks > 0,
            "--tasks must be at least 1 (a split stage runs as that many tasks)"
        );
        let mut sbatch_args = settings.sbatch_args.clone();
        sbatch_args.extend(args.sbatch_args.iter().cloned());
        Ok(Some(ExecutorSettings {
            kind,
            tasks,
            partition: args.partition.clone().or(settings.partition.clone()),
            sbatch_args,
        }))
    }
}

/// What a task process needs to be started: this binary, the pipeline file as the run was given
/// it, and the folder `mekong run` runs in, where the task runs too (so the pipeline's paths,
/// and the input paths its fingerprint holds, read the same).
pub struct TaskCommand {
    pub program: PathBuf,
    pub pipeline: PathBuf,
    pub cwd: PathBuf,
    pub stage: &'static str,
    pub tasks: usize,
}

impl TaskCommand {
    /// The arguments of `mekong task` for `step`, without the task index.
    pub fn args(&self, step: &str) -> Vec<String> {
        vec![
            "task".into(),
            self.pipeline.display().to_string(),
            "--stage".into(),
            self.stage.into(),
            "--step".into(),
            step.into(),
            "--tasks".into(),
            self.tasks.to_string(),
        ]
    }
}

/// Runs a sharded stage into `output`: plans its work folder (reusing the tasks a failed run
/// completed), runs every step's pending tasks with the executor, assembles the output, and
/// removes the work folder.
pub fn run(
    stage: &dyn Stage,
    sharded: &dyn Sharded,
    output: &Path,
    pipeline: &Path,
    settings: &ExecutorSettings,
) -> Result<String, StageError> {
    let work = TaskWork::new(
        output,
        stage.name(),
        &stage.inputs(),
        &stage.parameters(),
        settings.tasks,
    )?;
    work.prepare()?;
    let command = TaskCommand {
        program: std::env::current_exe()?,
        pipeline: pipeline.to_path_buf(),
        cwd: std::env::current_dir()?,
        stage: stage.name(),
        tasks: settings.tasks,
    };
    let steps = sharded.steps();
    let reused: usize = steps
        .iter()
        .map(|s| work.task_count(s) - work.pending(s).len())
        .sum();
    if reused > 0 {
        eprintln!(
            "[{}] {reused} tasks completed by an earlier run are kept",
            stage.name()
        );
    }
    match settings.kind {
        ExecutorKind::Local => local::run(&work, steps, &command)?,
        ExecutorKind::Slurm => slurm::run(&work, steps, &command, settings)?,
    }
    for step in steps {
        eprintln!("[{}] {}", stage.name(), usage_line(step, &work.usage(step)));
    }
    let started = std::time::Instant::now();
    let summary = sharded.assemble(&work, output)?;
    eprintln!(
        "[{}] assembled in {:.1} s",
        stage.name(),
        started.elapsed().as_secs_f64()
    );
    work.remove()?;
    Ok(summary)
}

/// What a step's tasks cost: the slowest task's time, and the bytes read and written, in all
/// and by the busiest task.
fn usage_line(step: &Step, usage: &[mekong_common::Usage]) -> String {
    let mb = |bytes: u64| bytes as f64 / 1e6;
    let longest = usage.iter().map(|u| u.seconds).fold(0.0, f64::max);
    let read: u64 = usage.iter().map(|u| u.read_bytes).sum();
    let written: u64 = usage.iter().map(|u| u.written_bytes).sum();
    let most_read = usage.iter().map(|u| u.read_bytes).max().unwrap_or(0);
    let most_written = usage.iter().map(|u| u.written_bytes).max().unwrap_or(0);
    let plural = if usage.len() == 1 { "" } else { "s" };
    format!(
        "step {}: {} task{plural}, slowest {longest:.1} s; read {:.1} MB (at most {:.1} a task), \
         wrote {:.1} MB (at most {:.1} a task)",
        step.name,
        usage.len(),
        mb(read),
        mb(most_read),
        mb(written),
        mb(most_written)
    )
}

/// The error for tasks that did not complete: which, and where their logs are, with the last
/// lines of the first one.
fn failed_tasks(work: &TaskWork, step: &Step, failed: &[(usize, String)]) -> StageError {
    let (total, step) = (work.task_count(step), step.name);
    let list: Vec<String> = failed
        .iter()
        .map(|(index, how)| format!("task {index} ({how}): {}", work.log(step, *index).display()))
        .collect();
    let tail = failed
        .first()
        .and_then(|(index, _)| std::fs::read_to_string(work.log(step, *index)).ok())
        .map(|log| {
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(5)..].join("\n")
        })
        .unwrap_or_default();
    format!(
        "step {step}: {} of {} tasks failed; a rerun runs only the failed ones. {}\n{tail}",
        failed.len(),
        total,
        list.join("; ")
    )
    .into()
}
