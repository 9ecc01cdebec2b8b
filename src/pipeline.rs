//! `mekong run PIPELINE.toml`: runs the stages a pipeline file names, in the river's order.
//!
//! A pipeline file has an optional `[pipeline]` table (`workdir`, default `runs/<file stem>`;
//! the executor keys of [`PipelineSettings`]) and one table per stage: `[corpus]`,
//! `[tokenizer]` (with an optional `[tokenizer.report]`), `[pretrain]`, `[eval]`, `[export]`.
//! Relative paths are relative to the pipeline file's folder. Each stage writes into
//! `<workdir>/<stage>` with a `manifest.json`; a stage whose manifest matches its current inputs
//! (content hashes) and parameters is skipped as cached unless `--force`. With an executor, a
//! stage that can run as tasks does so ([`crate::executor`]); the others run here.

use crate::executor::{self, ExecutorKind, ExecutorSettings};
use anyhow::Context;
use mekong_common::{PipelineContext, PipelineStage, Stage};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every stage a pipeline file can name, in the order data flows through them. The runner knows
/// them only through this list and the [`Stage`] trait.
const STAGES: [PipelineStage; 6] = [
    mekong_corpus::PIPELINE_STAGE,
    mekong_tokenizer::PIPELINE_STAGE,
    mekong_tokenizer::REPORT_PIPELINE_STAGE,
    mekong_pretrain::PIPELINE_STAGE,
    mekong_eval::PIPELINE_STAGE,
    mekong_export::PIPELINE_STAGE,
];

#[derive(clap::Args)]
pub struct RunArgs {
    /// The pipeline file (TOML).
    pub pipeline: PathBuf,
    /// Rerun every stage even when its manifest says it is up to date.
    #[arg(long)]
    pub force: bool,
    /// Run only these stages (comma-separated names).
    #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(STAGES.map(|stage| stage.name)))]
    pub only: Vec<String>,
    /// Run nothing: say which stages are cached and, for the others, the first input or
    /// parameter that differs from their manifest.
    #[arg(long)]
    pub dry_run: bool,
    /// Run the stages that can be split (the tokenizer's word counting, …) as tasks: `local`
    /// processes of this binary, or `slurm` job arrays. Also `[pipeline] executor`.
    #[arg(long, value_name = "KIND", value_parser = mekong_common::names::parse_name::<ExecutorKind>)]
    pub executor: Option<ExecutorKind>,
    /// How many tasks a split stage runs as (also `[pipeline] tasks`).
    #[arg(long, value_name = "N")]
    pub tasks: Option<usize>,
    /// The Slurm partition the tasks are submitted to (also `[pipeline] partition`).
    #[arg(long, value_name = "NAME")]
    pub partition: Option<String>,
    /// An extra `sbatch` argument, such as `--time=02:00:00` (repeatable; also
    /// `[pipeline] sbatch_args`).
    #[arg(long = "sbatch-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub sbatch_args: Vec<String>,
}

/// The `[pipeline]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSettings {
    /// Where the stages write (relative to the pipeline file).
    pub workdir: Option<String>,
    pub executor: Option<ExecutorKind>,
    pub tasks: Option<usize>,
    pub partition: Option<String>,
    #[serde(default)]
    pub sbatch_args: Vec<String>,
}

/// A pipeline file read: its tables, where its stages write, and its `[pipeline]` settings.
pub struct PipelineFile {
    pub path: PathBuf,
    pub document: toml::Table,
    pub context: PipelineContext,
    pub settings: PipelineSettings,
}

impl PipelineFile {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read pipeline file {}", path.display()))?;
        let document: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{}: not a valid pipeline file", path.display()))?;
        let settings: PipelineSettings = match document.get("pipeline") {
            Some(table) => table
                .clone()
                .try_into()
                .with_context(|| format!("{}: invalid [pipeline] table", path.display()))?,
            None => PipelineSettings::default(),
        };
        let context = PipelineContext::new(path, settings.workdir.as_deref());
        check_known_tables(path, &document)?;
        Ok(PipelineFile {
            path: path.to_path_buf(),
            document,
            context,
            settings,
        })
    }

    /// The stage `name` as the file configures it; `None` when the file does not ask for it.
    pub fn plan(&self, kind: &PipelineStage) -> anyhow::Result<Option<Box<dyn Stage>>> {
        let Some(section) = lookup(&self.document, kind.table) else {
            return Ok(None);
        };
        if only_holds_substages(section, kind.table) {
            return Ok(None);
        }
        let context = PipelineContext {
            parent: kind
                .table
                .split_last()
                .filter(|(_, above)| !above.is_empty())
                .and_then(|(_, above)| lookup(&self.document, above))
                .cloned(),
            ..self.context.clone()
        };
        let stage = (kind.plan)(section, &context)
            .map_err(anyhow::Error::from_boxed)
            .with_context(|| format!("{}: [{}]", self.path.display(), kind.table_name()))?;
        debug_assert_eq!(
            stage.name(),
            kind.name,
            "a stage plans under its registered name"
        );
        Ok(Some(stage))
    }
}

/// The registered stage called `name`.
pub fn stage_kind(name: &str) -> Option<&'static PipelineStage> {
    STAGES.iter().find(|stage| stage.name == name)
}

/// Where a rerun sets aside a stage's earlier output it must not replace
/// ([`Stage::keeps_earlier_output`]): `<workdir>/previous/<stage>-NNN/`.
const PREVIOUS_DIR: &str = "previous";

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let file = PipelineFile::read(&args.pipeline)?;
    let executor = ExecutorSettings::resolve(&args, &file)?;
    // A dry run writes nothing, so it does not wait for or block a run in progress.
    let _lock = if args.dry_run {
        None
    } else {
        Some(mekong_common::WorkdirLock::acquire(&file.context.workdir)?)
    };

    let mut ran = Vec::new();
    for kind in &STAGES {
        let name = kind.name;
        if !args.only.is_empty() && !args.only.iter().any(|o| o == name) {
            continue;
        }
        let Some(stage) = file.plan(kind)? else {
            continue;
        };
        let output = file.context.stage_dir(name);
        let stale = stage.staleness(&output);
        let how = match (&executor, stage.sharded()) {
            (Some(executor), Some(_)) => format!(" as {executor}"),
            _ => String::new(),
        };
        if args.dry_run {
            let plan = match (&stale, args.force) {
                (_, true) => format!("will run{how} (--force)"),
                (Some(reason), false) => format!("will run{how}: {reason}"),
                (None, false) => "cached".to_string(),
            };
            eprintln!("[{name}] {plan}");
            ran.push((name, "planned"));
            continue;
        }
        if !args.force && stale.is_none() {
            eprintln!(
                "[{name}] cached: {} is up to date (--force reruns it)",
                output.display()
            );
            ran.push((name, "cached"));
            continue;
        }
        let reason = stale.unwrap_or_else(|| "--force".to_string());
        eprintln!("[{name}] running{how} → {} ({reason})", output.display());
        run_stage(stage.as_ref(), &output, &file, executor.as_ref())?;
        ran.push((name, "ran"));
    }
    anyhow::ensure!(
        !ran.is_empty(),
        "{}: names no stage",
        args.pipeline.display()
    );
    if args.dry_run {
        eprintln!(
            "dry run: nothing ran. A stage after one that will run is judged on the files as they \
             are now; it stays cached if that stage rewrites them byte-identical."
        );
        return Ok(());
    }
    eprintln!("pipeline {} done:", args.pipeline.display());
    for (name, how) in ran {
        eprintln!("  {name:<17} {how}");
    }
    // The index page shows every stage's latest output, so it is rewritten after any run,
    // even one where every stage was cached.
    let index = mekong_eval::index::write(&file.context.workdir)?;
    eprintln!("report: {}", index.display());
    Ok(())
}

/// Runs one stage into `output` (as tasks, when an executor is given and the stage can be
/// split) and prints its summary. An earlier output the stage must not replace is set aside
/// first, and moved back if the stage fails.
fn run_stage(
    stage: &dyn Stage,
    output: &Path,
    file: &PipelineFile,
    executor: Option<&ExecutorSettings>,
) -> anyhow::Result<()> {
    let name = stage.name();
    let set_aside = if stage.keeps_earlier_output() {
        set_aside(output, &file.context.workdir.join(PREVIOUS_DIR), name)?
    } else {
        None
    };
    let outcome = match (executor, stage.sharded()) {
        (Some(executor), Some(sharded)) => {
            executor::run(stage, sharded, output, &file.path, executor)
        }
        _ => stage.run(output),
    };
    match outcome {
        Ok(summary) => eprint!("{summary}"),
        Err(error) => {
            // Nothing new replaced it: the earlier output goes back where it was.
            if let Some(previous) = &set_aside {
                std::fs::rename(previous, output)
                    .with_context(|| format!("cannot move {} back", previous.display()))?;
            }
            return Err(anyhow::Error::from_boxed(error).context(format!("stage {name} failed")));
        }
    }
    if let Some(previous) = set_aside {
        eprintln!(
            "[{name}] the earlier output is kept in {}",
            previous.display()
        );
    }
    Ok(())
}

/// Moves a completed earlier output of `stage` (its folder holds a manifest) to the next free
/// `previous/<stage>-NNN`, and returns where; `None` when there is none.
fn set_aside(out_dir: &Path, previous: &Path, stage: &str) -> anyhow::Result<Option<PathBuf>> {
    if !out_dir.join(mekong_common::MANIFEST_FILE).is_file() {
        return Ok(None);
    }
    std::fs::create_dir_all(previous)
        .with_context(|| format!("cannot create {}", previous.display()))?;
    let target = (1..)
        .map(|n| previous.join(format!("{stage}-{n:03}")))
        .find(|path| !path.exists())
        .expect("a free number");
    std::fs::rename(out_dir, &target)
        .with_context(|| format!("cannot move {} to {}", out_dir.display(), target.display()))?;
    Ok(Some(target))
}

/// A misspelt table would silently skip a stage: reject tables no stage reads.
fn check_known_tables(pipeline: &Path, document: &toml::Table) -> anyhow::Result<()> {
    for key in document.keys() {
        let known = key == "pipeline" || STAGES.iter().any(|stage| stage.table[0] == key);
        if !known {
            let tables: Vec<String> = STAGES.iter().map(PipelineStage::table_name).collect();
            anyhow::bail!(
                "{}: unknown table [{key}] (known: pipeline, {})",
                pipeline.display(),
                tables.join(", ")
            );
        }
    }
    Ok(())
}

/// `[tokenizer.report]` alone creates a `[tokenizer]` table that holds nothing but the report's
/// sub-table: that does not ask for the training stage.
fn only_holds_substages(section: &toml::Value, table_path: &[&str]) -> bool {
    let Some(table) = section.as_table() else {
        return false;
    };
    !table.is_empty()
        && table.keys().all(|key| {
            STAGES.iter().any(|stage| {
                let path = stage.table;
                path.len() == table_path.len() + 1
                    && path.starts_with(table_path)
                    && path[table_path.len()] == key
            })
        })
}

fn lookup<'a>(document: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let mut value = document.get(path[0])?;
    for key in &path[1..] {
        value = value.get(key)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn report_table_alone_does_not_ask_for_training() {
        let document = parse("[tokenizer.report]\nparallel = \"udhr\"\n");
        let section = lookup(&document, &["tokenizer"]).unwrap();
        assert!(only_holds_substages(section, &["tokenizer"]));
        let document =
            parse("[tokenizer]\nvocab_size = 8000\n[tokenizer.report]\nparallel = \"u\"\n");
        let section = lookup(&document, &["tokenizer"]).unwrap();
        assert!(!only_holds_substages(section, &["tokenizer"]));
    }

    #[test]
    fn misspelt_table_is_rejected() {
        let document = parse("[corpsu]\nmono = []\n");
        let error = check_known_tables(Path::new("p.toml"), &document).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("unknown table [corpsu]"), "{message}");
        assert!(message.contains("tokenizer.report, pretrain"), "{message}");
    }

    #[test]
    fn pipeline_table_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| {
            let path = dir.path().join("sub/p.toml");
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            PipelineFile::read(&path)
        };
        let file = write("[pipeline]\nworkdir = \"../runs/x\"\nexecutor = \"slurm\"\ntasks = 3\n")
            .unwrap();
        assert_eq!(file.context.workdir, dir.path().join("runs/x"));
        assert_eq!(file.settings.executor, Some(ExecutorKind::Slurm));
        assert_eq!(file.settings.tasks, Some(3));
        for bad in ["[pipeline]\nworkdir = 3\n", "[pipeline]\ntaks = 3\n"] {
            let error = format!("{:#}", write(bad).err().unwrap());
            assert!(
                error.contains("p.toml: invalid [pipeline] table"),
                "{error}"
            );
        }
    }

    #[test]
    fn stage_names_and_tables_are_unique() {
        for (i, stage) in STAGES.iter().enumerate() {
            for other in &STAGES[i + 1..] {
                assert_ne!(stage.name, other.name);
                assert_ne!(stage.table, other.table);
            }
        }
    }
}
