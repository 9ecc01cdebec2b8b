//! The local executor: every pending task of a step as a process of this binary on this
//! machine, all at once, each with its share of the cores (`RAYON_NUM_THREADS`) and its output
//! in its log; the next step starts when they have all ended.

use super::{failed_tasks, TaskCommand};
use mekong_common::{StageError, Step, TaskWork};
use std::process::{Child, Command, Stdio};

pub fn run(work: &TaskWork, steps: &[Step], command: &TaskCommand) -> Result<(), StageError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for step in steps {
        let pending = work.pending(step);
        if pending.is_empty() {
            continue;
        }
        let threads = (cores / pending.len()).max(1);
        let children: Vec<(usize, std::io::Result<Child>)> = pending
            .iter()
            .map(|&index| (index, start(work, step, index, command, threads)))
            .collect();
        let mut failed = Vec::new();
        for (index, child) in children {
            let outcome = child.and_then(|mut child| child.wait());
            match outcome {
                Ok(status) if status.success() && work.is_done(step.name, index) => {}
                Ok(status) => failed.push((index, status.to_string())),
                Err(error) => failed.push((index, format!("could not start: {error}"))),
            }
        }
        if !failed.is_empty() {
            return Err(failed_tasks(work, step, &failed));
        }
    }
    Ok(())
}

fn start(
    work: &TaskWork,
    step: &Step,
    index: usize,
    command: &TaskCommand,
    threads: usize,
) -> std::io::Result<Child> {
    let log = std::fs::File::create(work.log(step.name, index))?;
    Command::new(&command.program)
        .args(command.args(step.name))
        .args(["--task-index", &index.to_string()])
        .current_dir(&command.cwd)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
}
