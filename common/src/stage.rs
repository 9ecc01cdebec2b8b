//! The one shape every stage has: a name, the files it reads, the parameters it runs with, and
//! the work, which writes one output folder. The pipeline runner (`mekong run`), its cache check
//! and `--dry-run` know stages only through [`Stage`] and the [`PipelineStage`] each stage crate
//! registers; a new stage is a new implementation and one line in the binary's registry.
//!
//! The manifest contract: a stage's `run` writes `<output>/manifest.json` (through
//! [`crate::Manifest`]) with the same `name`, `inputs` and `parameters` it reports here, last,
//! once its outputs are complete. That is what makes a completed stage cached on the next run and
//! an interrupted one run again.

use crate::{CommonError, Manifest, Result};
use serde::de::DeserializeOwned;
use std::path::{Component, Path, PathBuf};

/// A stage's error, as the runner sees it: the stage crate's own error type, boxed, with its
/// chain of sources kept.
pub type StageError = Box<dyn std::error::Error + Send + Sync>;

/// A stage planned from its pipeline section, ready to compare with its manifest and to run.
/// Where it writes is the runner's choice (`<workdir>/<name>` in a pipeline), so a stage's
/// configuration type can be its `Stage`.
pub trait Stage {
    /// The name its manifest records: `corpus`, `tokenizer`, `tokenizer-report`, ….
    fn name(&self) -> &'static str;

    /// Every file its result depends on, hashed into the manifest before the stage reads them.
    fn inputs(&self) -> Vec<PathBuf>;

    /// Every parameter its result depends on, resolved: defaults filled in, paths resolved.
    fn parameters(&self) -> serde_json::Value;

    /// Does the work into `output`, which appears complete or not at all: staged in a hidden
    /// sibling folder and renamed into place (pretrain checkpoints in place instead and is
    /// completed by its manifest). Returns the short summary printed at the end of the stage.
    fn run(&self, output: &Path) -> std::result::Result<String, StageError>;

    /// Whether a rerun must keep the earlier output instead of replacing it: a report or model
    /// a person may have read, cited or shared. The runner then moves it to
    /// `<workdir>/previous/<name>-NNN/` first (and back if the rerun fails).
    fn keeps_earlier_output(&self) -> bool {
        false
    }

    /// The stage as tasks in separate processes (`mekong run --executor`), when it can run so;
    /// `None` for a stage that always runs in the runner's process.
    fn sharded(&self) -> Option<&dyn crate::Sharded> {
        None
    }

    /// Why the stage must run into `output`, naming the first input, parameter or output that
    /// differs from its manifest there; `None` when that output is up to date.
    fn staleness(&self, output: &Path) -> Option<String> {
        Manifest::staleness(output, self.name(), &self.inputs(), &self.parameters())
    }
}

/// Reads a stage's pipeline table (paths resolved against the pipeline file) into a [`Stage`].
pub type Planner =
    fn(&toml::Value, &PipelineContext) -> std::result::Result<Box<dyn Stage>, StageError>;

/// How a pipeline file asks for a stage: the table that configures it, and how that table
/// becomes a [`Stage`]. Each stage crate exports one; the binary lists them in the river's order.
pub struct PipelineStage {
    /// The stage's name, as `--only` takes it (the same as [`Stage::name`]).
    pub name: &'static str,
    /// The table path: `["tokenizer", "report"]` is `[tokenizer.report]`.
    pub table: &'static [&'static str],
    /// Plans the stage from its table.
    pub plan: Planner,
}

impl PipelineStage {
    /// `corpus`, `tokenizer.report`: the table as the pipeline file writes it.
    pub fn table_name(&self) -> String {
        self.table.join(".")
    }
}

/// What every planner gets: where the pipeline file is, and where stages write.
#[derive(Debug, Clone)]
pub struct PipelineContext {
    /// The pipeline file's folder; relative paths in the file are resolved against it.
    pub base_dir: PathBuf,
    /// `<workdir>`: each stage writes to `<workdir>/<stage>`.
    pub workdir: PathBuf,
    /// For a sub-stage, the table around its own (`[tokenizer]` for `[tokenizer.report]`),
    /// whose settings it may take as defaults.
    pub parent: Option<toml::Value>,
}

impl PipelineContext {
    /// The context of the pipeline file `pipeline`, whose `[pipeline] workdir` (if any) is
    /// `workdir`; without one the workdir is `runs/<file stem>` (relative to where Mekong runs).
    pub fn new(pipeline: &Path, workdir: Option<&str>) -> Self {
        let base_dir = pipeline
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let workdir = match workdir {
            Some(dir) => tidy(&base_dir.join(dir)),
            None => {
                let stem = pipeline.file_stem().unwrap_or_default().to_string_lossy();
                PathBuf::from("runs").join(stem.as_ref())
            }
        };
        PipelineContext {
            base_dir,
            workdir,
            parent: None,
        }
    }

    /// Resolves a path written in the pipeline file.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        tidy(&self.base_dir.join(path))
    }

    /// The output folder of a stage.
    pub fn stage_dir(&self, stage: &str) -> PathBuf {
        self.workdir.join(stage)
    }

    /// A file another stage writes in this workdir (names from [`crate::artefacts`]).
    pub fn artefact(&self, stage: &str, file: &str) -> PathBuf {
        self.stage_dir(stage).join(file)
    }
}

/// Reads a stage's table into its section type; the error names the table.
pub fn section<T: DeserializeOwned>(value: &toml::Value, table: &str) -> Result<T> {
    value
        .clone()
        .try_into()
        .map_err(|source| CommonError::Section {
            table: table.to_string(),
            source,
        })
}

/// `pipelines/../runs/demo` → `runs/demo`: the path as a user would type it. A `..` removes the
/// component before it only where that component is a plain folder, not a symbolic link (whose
/// parent may lie elsewhere), so the tidy path always names the same file.
pub(crate) fn tidy(path: &Path) -> PathBuf {
    let mut tidy = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(tidy.components().next_back(), Some(Component::Normal(_)))
                    && !tidy.is_symlink() =>
            {
                tidy.pop();
            }
            other => tidy.push(other),
        }
    }
    if tidy.as_os_str().is_empty() {
        tidy.push(".");
    }
    tidy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_typed() {
        let context = PipelineContext::new(Path::new("pipelines/demo.toml"), Some("../runs/x"));
        assert_eq!(context.workdir, Path::new("runs/x"));
        assert_eq!(context.stage_dir("corpus"), Path::new("runs/x/corpus"));
        assert_eq!(
            context.resolve("../../shared/data"),
            Path::new("../shared/data")
        );
        assert_eq!(context.resolve("./udhr"), Path::new("pipelines/udhr"));
        assert_eq!(context.resolve(".."), Path::new("."));
        let plain = PipelineContext::new(Path::new("demo.toml"), None);
        assert_eq!(plain.workdir, Path::new("runs/demo"));
        assert_eq!(plain.resolve("data/vi.txt"), Path::new("data/vi.txt"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_its_parent_step() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere/deep");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let context = PipelineContext::new(&link.join("p.toml"), Some("../runs"));
        assert_eq!(context.workdir, link.join("../runs"));
        // Through the link, `..` is `elsewhere`: the tidy path still names it.
        std::fs::create_dir(dir.path().join("elsewhere/runs")).unwrap();
        assert!(context.workdir.is_dir());
    }

    #[test]
    fn section_errors_name_the_table() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        struct Section {
            steps: u64,
        }
        let read = |text: &str| section::<Section>(&toml::from_str(text).unwrap(), "pretrain");
        assert_eq!(read("steps = 3").unwrap().steps, 3);
        let error = read("stpes = 3").unwrap_err();
        assert_eq!(error.to_string(), "invalid [pretrain] section");
        let cause = std::error::Error::source(&error).unwrap().to_string();
        assert!(cause.contains("unknown field `stpes`"), "{cause}");
    }
}
