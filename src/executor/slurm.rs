//! The Slurm executor: each step with pending tasks is one job array (`sbatch --array` of the
//! pending indices), chained to the step before with `--dependency=afterok`, every task logging
//! to the work folder's `logs/<step>-<index>.log`. The runner then waits for each step's array
//! to leave the queue (`squeue`) and checks its tasks' completion markers, since job
//! accounting (`sacct`) is often not set up; when a step's tasks failed, the arrays after it,
//! which could never start, are cancelled.

use super::{failed_tasks, ExecutorSettings, TaskCommand};
use anyhow::Context;
use mekong_common::{StageError, Step, TaskWork};
use std::process::Command;
use std::time::Duration;

/// How often the queue is asked whether a job array is still there.
const POLL: Duration = Duration::from_secs(2);

pub fn run(
    work: &TaskWork,
    steps: &[Step],
    command: &TaskCommand,
    settings: &ExecutorSettings,
) -> Result<(), StageError> {
    let mut jobs: Vec<(&Step, String)> = Vec::new();
    for step in steps {
        let pending = work.pending(step);
        if pending.is_empty() {
            continue;
        }
        let after = jobs.last().map(|(_, id)| id.as_str());
        let id = submit(work, step, &pending, command, settings, after)?;
        let plural = if pending.len() == 1 { "" } else { "s" };
        eprintln!(
            "[{}] step {}: job array {id} ({} task{plural})",
            command.stage,
            step.name,
            pending.len()
        );
        jobs.push((step, id));
    }
    for (i, (step, id)) in jobs.iter().enumerate() {
        wait(id)?;
        let failed: Vec<(usize, String)> = work
            .pending(step)
            .into_iter()
            .map(|index| (index, format!("Slurm job {id}_{index}")))
            .collect();
        if !failed.is_empty() {
            let later: Vec<&str> = jobs[i + 1..].iter().map(|(_, id)| id.as_str()).collect();
            if !later.is_empty() {
                // Their dependency can never be satisfied: they would wait in the queue forever.
                let _ = Command::new("scancel").args(&later).status();
            }
            return Err(failed_tasks(work, step, &failed));
        }
    }
    Ok(())
}

/// Submits the pending tasks of `step` as one job array; returns its job id.
fn submit(
    work: &TaskWork,
    step: &Step,
    pending: &[usize],
    command: &TaskCommand,
    settings: &ExecutorSettings,
    after: Option<&str>,
) -> anyhow::Result<String> {
    let indices: Vec<String> = pending.iter().map(usize::to_string).collect();
    let mut sbatch = Command::new("sbatch");
    sbatch
        .arg("--parsable")
        .arg(format!("--array={}", indices.join(",")))
        .arg(format!("--job-name=mekong-{}-{}", command.stage, step.name))
        .arg(format!(
            "--output={}",
            work.logs().join(format!("{}-%a.log", step.name)).display()
        ))
        .arg(format!("--chdir={}", command.cwd.display()));
    if let Some(partition) = &settings.partition {
        sbatch.arg(format!("--partition={partition}"));
    }
    if let Some(job) = after {
        sbatch.arg(format!("--dependency=afterok:{job}"));
    }
    sbatch.args(&settings.sbatch_args);
    let mut task = vec![command.program.display().to_string()];
    task.extend(command.args(step.name));
    sbatch.arg(format!("--wrap={}", shell_words(&task)));
    let output = sbatch.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::anyhow!("sbatch not found: the slurm executor needs Slurm's client commands")
        }
        _ => anyhow::Error::new(e).context("cannot run sbatch"),
    })?;
    anyhow::ensure!(
        output.status.success(),
        "sbatch refused step {}: {}",
        step.name,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    // `--parsable` prints `<job id>` or `<job id>;<cluster>`.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = stdout
        .trim()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    anyhow::ensure!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "sbatch printed no job id for step {}: {stdout:?}",
        step.name
    );
    Ok(id)
}

/// Waits until no task of job array `id` is in the queue any more.
fn wait(id: &str) -> anyhow::Result<()> {
    loop {
        let output = Command::new("squeue")
            .args(["--noheader", "--jobs", id, "--format=%i"])
            .output()
            .context("cannot run squeue")?;
        let listed = String::from_utf8_lossy(&output.stdout);
        // A job that has left the queue is either not listed or refused as an invalid id.
        if listed.trim().is_empty() {
            return Ok(());
        }
        std::thread::sleep(POLL);
    }
}

/// The words quoted for the shell `sbatch --wrap` runs them in.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_survive_the_shell() {
        let words = ["/bin/mekong".to_string(), "it's a path".to_string()];
        assert_eq!(shell_words(&words), r"'/bin/mekong' 'it'\''s a path'");
    }
}
