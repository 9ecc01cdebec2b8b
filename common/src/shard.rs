//! Sharded stages: a stage that can run as tasks in separate processes (N local processes, a
//! Slurm job array, a Kubernetes Indexed Job) gives the same result as one process. It runs as
//! steps; every task of a step reads what earlier steps wrote and writes only into its own
//! folder, staged and renamed into place, then a completion marker; a last step in the runner
//! assembles the stage's output folder. The executors (the binary's `executor` module) know a
//! sharded stage only through [`Sharded`], and the work folders only through [`TaskWork`].
//!
//! A task is retry-safe: its folder appears whole or not at all, and its marker holds the run's
//! fingerprint (the stage's input hashes and parameters, and the task count), so a rerun runs
//! only the tasks without a valid marker, and a rerun with other inputs or parameters starts
//! afresh. The runner hashes the inputs once; a task checks the plan against the inputs'
//! paths and sizes and the parameters, which costs no read of the data.

use crate::stage::StageError;
use crate::{write_file_atomic, CommonError, Manifest, Result, StagingDir};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One step of a sharded stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Its name, as `mekong task --step` takes it and as its folder is named.
    pub name: &'static str,
    /// Whether the step runs one task instead of one per task of the run.
    pub single: bool,
}

/// Which task of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskId {
    pub index: usize,
    pub count: usize,
}

impl TaskId {
    /// The task of `index` among `count`; an error unless `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        if count == 0 {
            return Err(CommonError::Tasks("a run needs at least one task".into()));
        }
        if index >= count {
            return Err(CommonError::Tasks(format!(
                "task index {index} is out of range: the run has {count} tasks (0 to {})",
                count - 1
            )));
        }
        Ok(TaskId { index, count })
    }

    /// The units of work this task takes, of units weighing `weights` (bytes, say): a
    /// contiguous run holding about its part of the total weight (a unit goes to the task its
    /// first byte falls to), so the tasks together take every unit once, in order.
    pub fn share(&self, weights: &[u64]) -> std::ops::Range<usize> {
        let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
        // Task i takes the units starting in [i·total/count, (i+1)·total/count); with no
        // weight at all, the units are shared by count.
        let first = |task: usize| -> usize {
            if total == 0 {
                return weights.len() * task / self.count;
            }
            let bound = total * task as u128 / self.count as u128;
            let mut start = 0u128;
            weights
                .iter()
                .position(|&w| {
                    let found = start >= bound;
                    start += u128::from(w);
                    found
                })
                .unwrap_or(weights.len())
        };
        first(self.index)..first(self.index + 1)
    }
}

/// A stage that runs as tasks.
pub trait Sharded: Sync {
    /// The steps, in order; a step starts when every task of the one before has completed.
    fn steps(&self) -> &'static [Step];

    /// Runs `task` of `step`: reads what earlier steps wrote (`work`) and writes into `out`,
    /// an empty folder that becomes the task's once this returns.
    fn run_task(
        &self,
        step: &str,
        task: TaskId,
        work: &TaskWork,
        out: &Path,
    ) -> std::result::Result<(), StageError>;

    /// Builds the stage's output folder from what the steps wrote, as the stage's own `run`
    /// would have built it: staged and renamed into place, with its manifest. Returns the short
    /// summary printed at the end of the stage.
    fn assemble(&self, work: &TaskWork, output: &Path) -> std::result::Result<String, StageError>;
}

/// What a task cost: its time, and the bytes it read and wrote (Linux's `/proc/self/io`
/// counts of `read` and `write` calls, whatever the page cache answered; 0 elsewhere).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub seconds: f64,
    pub read_bytes: u64,
    pub written_bytes: u64,
}

/// A task's time and I/O counters when it started.
struct Meter {
    started: std::time::Instant,
    read: u64,
    written: u64,
}

impl Meter {
    fn start() -> Self {
        let (read, written) = io_counts();
        Meter {
            started: std::time::Instant::now(),
            read,
            written,
        }
    }

    fn usage(&self) -> Usage {
        let (read, written) = io_counts();
        Usage {
            seconds: self.started.elapsed().as_secs_f64(),
            read_bytes: read.saturating_sub(self.read),
            written_bytes: written.saturating_sub(self.written),
        }
    }
}

/// The process's bytes read and written so far (0 where `/proc/self/io` is not there).
fn io_counts() -> (u64, u64) {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    let field = |name: &str| {
        io.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("rchar:"), field("wchar:"))
}

/// What a completion marker and the work folder's plan hold: the run a task belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Plan {
    stage: String,
    tasks: usize,
    /// The parameters, tool version and the inputs' paths and sizes: what a task checks.
    identity: String,
    /// The identity with the inputs' content hashes: what the markers hold.
    fingerprint: String,
}

/// SHA-256 of a value's JSON.
fn digest(value: &impl Serialize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(value).expect("plans serialise"));
    crate::hash::hex(&hasher.finalize())
}

/// The identity of a run: its stage, parameters, tool version, task count and the paths and
/// sizes of its inputs (a folder's size is its files', read from their metadata).
fn identity(
    stage: &str,
    inputs: &[PathBuf],
    parameters: &serde_json::Value,
    tasks: usize,
) -> Result<String> {
    fn size(path: &Path) -> Result<u64> {
        let meta = std::fs::metadata(path).map_err(|e| CommonError::io(path, e))?;
        if !meta.is_dir() {
            return Ok(meta.len());
        }
        let mut total = 0;
        for entry in std::fs::read_dir(path).map_err(|e| CommonError::io(path, e))? {
            total += size(&entry.map_err(|e| CommonError::io(path, e))?.path())?;
        }
        Ok(total)
    }
    let sizes = inputs
        .iter()
        .map(|path| Ok((path, size(path)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(digest(&(
        stage,
        sizes,
        parameters,
        crate::manifest::tool_version(),
        tasks,
    )))
}

/// The work folder of one sharded stage: `<workdir>/.tasks/<stage>/`, holding `plan.json`, a
/// folder per step with a folder and a marker per completed task, and `logs/`.
#[derive(Debug, Clone)]
pub struct TaskWork {
    root: PathBuf,
    plan: Plan,
}

const PLAN_FILE: &str = "plan.json";
const LOGS: &str = "logs";

impl TaskWork {
    /// The work folder of `stage` writing into `output` (`<workdir>/<stage>`), for a run of
    /// `tasks` tasks with these inputs (hashed now) and parameters: the runner's view.
    pub fn new(
        output: &Path,
        stage: &str,
        inputs: &[PathBuf],
        parameters: &serde_json::Value,
        tasks: usize,
    ) -> Result<Self> {
        TaskId::new(0, tasks)?;
        let identity = identity(stage, inputs, parameters, tasks)?;
        let manifest = Manifest::new(stage, inputs, parameters.clone())?;
        Ok(TaskWork {
            root: Self::root_of(output, stage),
            plan: Plan {
                stage: stage.to_string(),
                tasks,
                fingerprint: digest(&(&identity, &manifest.inputs)),
                identity,
            },
        })
    }

    /// The work folder the runner planned for this run, as a task finds it: an error when the
    /// plan is missing or is another run's (a pipeline file or input changed since the runner
    /// planned, say).
    pub fn open(
        output: &Path,
        stage: &str,
        inputs: &[PathBuf],
        parameters: &serde_json::Value,
        tasks: usize,
    ) -> Result<Self> {
        TaskId::new(0, tasks)?;
        let root = Self::root_of(output, stage);
        let path = root.join(PLAN_FILE);
        let plan: Plan = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| CommonError::BadJson {
                path: path.clone(),
                source,
            })?,
            Err(_) => {
                return Err(CommonError::Tasks(format!(
                    "{} is missing: tasks are started by `mekong run --executor ...`",
                    path.display()
                )))
            }
        };
        let identity = identity(stage, inputs, parameters, tasks)?;
        if plan.stage != stage || plan.tasks != tasks || plan.identity != identity {
            return Err(CommonError::Tasks(format!(
                "{} was planned for another run (the inputs, parameters or task count changed \
                 since): run `mekong run` again",
                path.display()
            )));
        }
        Ok(TaskWork { root, plan })
    }

    fn root_of(output: &Path, stage: &str) -> PathBuf {
        let workdir = output.parent().unwrap_or(Path::new("."));
        workdir.join(".tasks").join(stage)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn tasks(&self) -> usize {
        self.plan.tasks
    }

    /// Makes the folder ready for this run: one planned for another run (other inputs,
    /// parameters or task count) is removed first, so nothing of it is reused. Done by the
    /// runner before any task starts.
    pub fn prepare(&self) -> Result<()> {
        if self.planned() != Some(true) && self.root.exists() {
            std::fs::remove_dir_all(&self.root).map_err(|e| CommonError::io(&self.root, e))?;
        }
        std::fs::create_dir_all(self.root.join(LOGS))
            .map_err(|e| CommonError::io(&self.root, e))?;
        write_file_atomic(&self.root.join(PLAN_FILE), &self.plan_bytes())
    }

    fn planned(&self) -> Option<bool> {
        let text = std::fs::read(self.root.join(PLAN_FILE)).ok()?;
        Some(serde_json::from_slice::<Plan>(&text).ok().as_ref() == Some(&self.plan))
    }

    fn plan_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(&self.plan).expect("a plan always serialises");
        text.push(b'\n');
        text
    }

    /// The folder a completed task of `step` left.
    pub fn task_dir(&self, step: &str, index: usize) -> PathBuf {
        self.root.join(step).join(format!("task-{index:05}"))
    }

    fn usage_file(&self, step: &str, index: usize) -> PathBuf {
        self.root
            .join(step)
            .join(format!("task-{index:05}.usage.json"))
    }

    /// What the completed tasks of `step` cost (those that recorded it).
    pub fn usage(&self, step: &Step) -> Vec<Usage> {
        (0..self.task_count(step))
            .filter_map(|index| {
                let bytes = std::fs::read(self.usage_file(step.name, index)).ok()?;
                serde_json::from_slice(&bytes).ok()
            })
            .collect()
    }

    fn marker(&self, step: &str, index: usize) -> PathBuf {
        self.root.join(step).join(format!("task-{index:05}.done"))
    }

    /// Where a task's output and errors are logged (`<step>-<index>.log`, unpadded, as Slurm's
    /// `%a` writes it).
    pub fn log(&self, step: &str, index: usize) -> PathBuf {
        self.root.join(LOGS).join(format!("{step}-{index}.log"))
    }

    /// The folder of the logs.
    pub fn logs(&self) -> PathBuf {
        self.root.join(LOGS)
    }

    /// The tasks a step runs: one, or one per task of the run.
    pub fn task_count(&self, step: &Step) -> usize {
        if step.single {
            1
        } else {
            self.plan.tasks
        }
    }

    /// Whether the task completed in this run: its marker is there and names this run.
    pub fn is_done(&self, step: &str, index: usize) -> bool {
        std::fs::read(self.marker(step, index)).is_ok_and(|bytes| bytes == self.plan_bytes())
            && self.task_dir(step, index).is_dir()
    }

    /// The tasks of `step` still to run.
    pub fn pending(&self, step: &Step) -> Vec<usize> {
        (0..self.task_count(step))
            .filter(|&index| !self.is_done(step.name, index))
            .collect()
    }

    /// Runs one task in this process: its folder is staged and renamed into place, then its
    /// marker written; a task already done is not run again.
    pub fn run_task(
        &self,
        sharded: &dyn Sharded,
        step: &str,
        index: usize,
    ) -> std::result::Result<(), StageError> {
        let known = sharded
            .steps()
            .iter()
            .find(|s| s.name == step)
            .ok_or_else(|| {
                let names: Vec<&str> = sharded.steps().iter().map(|s| s.name).collect();
                CommonError::Tasks(format!(
                    "unknown step '{step}' of stage {} (steps: {})",
                    self.plan.stage,
                    names.join(", ")
                ))
            })?;
        let task = TaskId::new(index, self.task_count(known))?;
        if self.is_done(step, index) {
            return Ok(());
        }
        let meter = Meter::start();
        let staging = StagingDir::new(&self.task_dir(step, index))?;
        sharded.run_task(step, task, self, staging.path())?;
        staging.commit()?;
        let usage = meter.usage();
        write_file_atomic(
            &self.usage_file(step, index),
            &serde_json::to_vec(&usage).expect("usage serialises"),
        )?;
        write_file_atomic(&self.marker(step, index), &self.plan_bytes())?;
        Ok(())
    }

    /// Removes the work folder once the stage's output is assembled.
    pub fn remove(&self) -> Result<()> {
        if self.root.exists() {
            std::fs::remove_dir_all(&self.root).map_err(|e| CommonError::io(&self.root, e))?;
        }
        let tasks = self.root.parent().expect("the work folder has a parent");
        // The shared `.tasks` folder goes too once it holds nothing.
        let _ = std::fs::remove_dir(tasks);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Squares;

    impl Sharded for Squares {
        fn steps(&self) -> &'static [Step] {
            &[
                Step {
                    name: "square",
                    single: false,
                },
                Step {
                    name: "sum",
                    single: true,
                },
            ]
        }

        fn run_task(
            &self,
            step: &str,
            task: TaskId,
            work: &TaskWork,
            out: &Path,
        ) -> std::result::Result<(), StageError> {
            let value = match step {
                "square" => (task.index * task.index) as u64,
                _ => (0..work.tasks())
                    .map(|i| {
                        let text = std::fs::read_to_string(work.task_dir("square", i).join("n"));
                        text.unwrap().parse::<u64>().unwrap()
                    })
                    .sum(),
            };
            std::fs::write(out.join("n"), value.to_string())?;
            Ok(())
        }

        fn assemble(
            &self,
            work: &TaskWork,
            output: &Path,
        ) -> std::result::Result<String, StageError> {
            std::fs::create_dir_all(output)?;
            std::fs::copy(work.task_dir("sum", 0).join("n"), output.join("n"))?;
            Ok(String::new())
        }
    }

    fn work(dir: &Path, tasks: usize, seed: &str) -> TaskWork {
        let input = dir.join("input.txt");
        std::fs::write(&input, seed).unwrap();
        TaskWork::new(
            &dir.join("out"),
            "squares",
            &[input],
            &serde_json::json!({}),
            tasks,
        )
        .unwrap()
    }

    fn open(dir: &Path, tasks: usize) -> Result<TaskWork> {
        let input = dir.join("input.txt");
        TaskWork::open(
            &dir.join("out"),
            "squares",
            &[input],
            &serde_json::json!({}),
            tasks,
        )
    }

    #[test]
    fn tasks_run_once_and_a_changed_run_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let work = work(dir.path(), 3, "a");
        let unplanned = open(dir.path(), 3).unwrap_err().to_string();
        assert!(unplanned.contains("plan.json is missing"), "{unplanned}");
        work.prepare().unwrap();
        assert_eq!(open(dir.path(), 3).unwrap().plan, work.plan);
        assert!(open(dir.path(), 2).is_err());
        let square = Squares.steps()[0];
        assert_eq!(work.pending(&square), [0, 1, 2]);
        work.run_task(&Squares, "square", 1).unwrap();
        assert_eq!(work.pending(&square), [0, 2]);
        for i in [0, 2] {
            work.run_task(&Squares, "square", i).unwrap();
        }
        work.run_task(&Squares, "sum", 0).unwrap();
        Squares.assemble(&work, &dir.path().join("out")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out/n")).unwrap(),
            "5"
        );
        // The same run planned again keeps its completed tasks; another run does not.
        work.prepare().unwrap();
        assert!(work.pending(&square).is_empty());
        let changed = self::work(dir.path(), 3, "bb");
        let other = open(dir.path(), 3).unwrap_err().to_string();
        assert!(other.contains("planned for another run"), "{other}");
        changed.prepare().unwrap();
        assert_eq!(changed.pending(&square), [0, 1, 2]);
        work.remove().unwrap();
        assert!(!dir.path().join(".tasks").exists());
    }

    #[test]
    fn bad_task_ids_are_errors() {
        assert!(TaskId::new(0, 0)
            .unwrap_err()
            .to_string()
            .contains("at least one"));
        let error = TaskId::new(3, 3).unwrap_err().to_string();
        assert!(
            error.contains("out of range") && error.contains("0 to 2"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let work = work(dir.path(), 2, "a");
        work.prepare().unwrap();
        assert!(work
            .run_task(&Squares, "nope", 0)
            .unwrap_err()
            .to_string()
            .contains("steps: square, sum"));
        assert!(work.run_task(&Squares, "sum", 1).is_err());
    }

    #[test]
    fn shares_cover_every_unit_once_in_order() {
        let weighings: [&[u64]; 5] = [
            &[],
            &[0, 0, 0],
            &[5; 11],
            &[100, 1, 1, 1, 1, 1],
            &[1, 9, 3, 0, 7, 2, 2],
        ];
        for tasks in 1..6 {
            for weights in weighings {
                let covered: Vec<usize> = (0..tasks)
                    .flat_map(|i| TaskId::new(i, tasks).unwrap().share(weights))
                    .collect();
                assert_eq!(
                    covered,
                    (0..weights.len()).collect::<Vec<_>>(),
                    "{weights:?}"
                );
            }
        }
        // Even weights share evenly; a heavy unit leaves the next task the rest.
        let share = |i, n, w: &[u64]| TaskId::new(i, n).unwrap().share(w);
        assert_eq!(share(1, 2, &[5; 10]), 5..10);
        assert_eq!(share(0, 2, &[100, 1, 1, 1]), 0..1);
        assert_eq!(share(1, 2, &[100, 1, 1, 1]), 1..4);
    }
}
