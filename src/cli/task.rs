//! `mekong task`: runs one task of a sharded stage, as `mekong run --executor` starts it. The
//! task's index comes from `--task-index`, else from the environment a scheduler sets:
//! `SLURM_ARRAY_TASK_ID` (a Slurm array) or `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job).

use crate::pipeline::{stage_kind, PipelineFile};
use anyhow::Context;
use mekong_common::{TaskId, TaskWork};
use std::path::PathBuf;

/// The environment variables a task's index is read from, in this order.
const INDEX_VARIABLES: [&str; 2] = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

/// Makes the task `<stage>:<step>:<index>` fail before it starts: how scripts/test-slurm.sh
/// and the tests show that a rerun resubmits only the failed task.
const FAULT_VARIABLE: &str = "MEKONG_FAIL_TASK";

#[derive(clap::Args)]
pub struct TaskArgs {
    /// The pipeline file of the run.
    pipeline: PathBuf,
    /// The stage (corpus, tokenizer, …).
    #[arg(long)]
    stage: String,
    /// The step of the stage.
    #[arg(long)]
    step: String,
    /// How many tasks the run has.
    #[arg(long)]
    tasks: usize,
    /// This task's index, from 0 [default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX].
    #[arg(long)]
    task_index: Option<usize>,
}

pub fn run(args: TaskArgs) -> anyhow::Result<()> {
    let index = match args.task_index {
        Some(index) => index,
        None => index_from_environment()?,
    };
    TaskId::new(index, args.tasks)?;
    let kind =
        stage_kind(&args.stage).with_context(|| format!("unknown stage '{}'", args.stage))?;
    let file = PipelineFile::read(&args.pipeline)?;
    let stage = file.plan(kind)?.with_context(|| {
        format!(
            "{} has no [{}] table",
            args.pipeline.display(),
            kind.table_name()
        )
    })?;
    let sharded = stage
        .sharded()
        .with_context(|| format!("stage {} does not run as tasks", args.stage))?;
    let output = file.context.stage_dir(kind.name);
    let work = TaskWork::open(
        &output,
        kind.name,
        &stage.inputs(),
        &stage.parameters(),
        args.tasks,
    )?;
    if std::env::var(FAULT_VARIABLE).ok().as_deref()
        == Some(&format!("{}:{}:{index}", args.stage, args.step))
    {
        anyhow::bail!(
            "task {index} of step {} failed on purpose ({FAULT_VARIABLE} is set)",
            args.step
        );
    }
    work.run_task(sharded, &args.step, index)
        .map_err(anyhow::Error::from_boxed)
        .with_context(|| format!("{} step {} task {index}", args.stage, args.step))?;
    eprintln!(
        "{} step {} task {index} of {} done",
        args.stage, args.step, args.tasks
    );
    Ok(())
}

fn index_from_environment() -> anyhow::Result<usize> {
    for name in INDEX_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            return value
                .trim()
                .parse()
                .with_context(|| format!("${name} is not a task index: {value:?}"));
        }
    }
    anyhow::bail!(
        "no task index: give --task-index or run as an array task (${} or ${})",
        INDEX_VARIABLES[0],
        INDEX_VARIABLES[1]
    )
}
