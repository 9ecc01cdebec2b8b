//! `mekong run PIPELINE.toml`: runs the stages a pipeline file names, in the river's order.
//!
//! A pipeline file has an optional `[pipeline]` table (`workdir`, default `runs/<file stem>`)
//! and one table per stage: `[corpus]`, `[tokenizer]` (with an optional `[tokenizer.report]`),
//! `[pretrain]`, `[eval]`, `[export]`. Relative paths are relative to the pipeline file's folder. Each stage
//! writes into `<workdir>/<stage>` with a `manifest.json`; a stage whose manifest matches its
//! current inputs (content hashes) and parameters is skipped as cached unless `--force`.

use anyhow::Context;
use mekong_common::Manifest;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct RunArgs {
    /// The pipeline file (TOML).
    pub pipeline: PathBuf,
    /// Rerun every stage even when its manifest says it is up to date.
    #[arg(long)]
    pub force: bool,
    /// Run only these stages (by name: corpus, tokenizer, tokenizer-report, pretrain, eval, export).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Run nothing: say which stages are cached and, for the others, the first input or
    /// parameter that differs from their manifest.
    #[arg(long)]
    pub dry_run: bool,
}

/// What every stage planner gets: where the pipeline file is, and where stages write.
pub struct PipelineContext {
    /// The pipeline file's folder; relative paths in the file are resolved against it.
    pub base_dir: PathBuf,
    /// `<workdir>`: each stage writes to `<workdir>/<stage>`.
    pub workdir: PathBuf,
}

impl PipelineContext {
    /// Resolves a path written in the pipeline file.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        self.base_dir.join(path)
    }

    /// The output folder of a stage.
    pub fn stage_dir(&self, stage: &str) -> PathBuf {
        self.workdir.join(stage)
    }
}

/// A stage ready to run: what the cache check compares, and the work itself. The stage's
/// library must write a manifest with the same `name`, `inputs` and `parameters`.
pub struct PlannedStage {
    pub name: &'static str,
    pub out_dir: PathBuf,
    pub inputs: Vec<PathBuf>,
    pub parameters: serde_json::Value,
    pub execute: Box<dyn FnOnce() -> anyhow::Result<()>>,
}

type Planner = fn(&toml::Value, &PipelineContext) -> anyhow::Result<PlannedStage>;

/// Stages whose earlier output a person may have read, cited or shared: a rerun sets it aside in
/// `<workdir>/previous/<stage>-NNN/` instead of replacing it (pretrain keeps its own earlier
/// runs in `pretrain/runs/`). Removing them is left to the user.
const KEPT_ON_RERUN: [&str; 2] = ["eval", "export"];
const PREVIOUS_DIR: &str = "previous";

/// The stages in the order data flows through them, with the table path that configures each.
const STAGES: [(&str, &[&str], Planner); 6] = [
    ("corpus", &["corpus"], crate::cli::corpus::plan),
    ("tokenizer", &["tokenizer"], crate::cli::tokenizer::plan),
    (
        "tokenizer-report",
        &["tokenizer", "report"],
        crate::cli::tokenizer::plan_report,
    ),
    ("pretrain", &["pretrain"], crate::cli::pretrain::plan),
    ("eval", &["eval"], crate::cli::eval::plan),
    ("export", &["export"], crate::cli::export::plan),
];

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.pipeline)
        .with_context(|| format!("cannot read pipeline file {}", args.pipeline.display()))?;
    let document: toml::Table = toml::from_str(&text)
        .with_context(|| format!("{}: not a valid pipeline file", args.pipeline.display()))?;
    let context = context_for(&args.pipeline, &document)?;
    check_known_tables(&args.pipeline, &document)?;
    for name in &args.only {
        anyhow::ensure!(
            STAGES.iter().any(|(stage, _, _)| stage == name),
            "--only: unknown stage '{name}'"
        );
    }

    let mut ran = Vec::new();
    for (name, table_path, planner) in STAGES {
        let Some(section) = lookup(&document, table_path) else {
            continue;
        };
        if only_holds_substages(section, table_path) {
            continue;
        }
        if !args.only.is_empty() && !args.only.iter().any(|o| o == name) {
            continue;
        }
        let stage = planner(section, &context)
            .with_context(|| format!("{}: [{}]", args.pipeline.display(), table_path.join(".")))?;
        let stale =
            Manifest::staleness(&stage.out_dir, stage.name, &stage.inputs, &stage.parameters);
        if args.dry_run {
            let plan = match (&stale, args.force) {
                (_, true) => "will run (--force)".to_string(),
                (Some(reason), false) => format!("will run: {reason}"),
                (None, false) => "cached".to_string(),
            };
            eprintln!("[{name}] {plan}");
            ran.push((name, "planned"));
            continue;
        }
        if !args.force && stale.is_none() {
            eprintln!(
                "[{name}] cached: {} is up to date (--force reruns it)",
                stage.out_dir.display()
            );
            ran.push((name, "cached"));
            continue;
        }
        let reason = stale.unwrap_or_else(|| "--force".to_string());
        eprintln!("[{name}] running → {} ({reason})", stage.out_dir.display());
        let set_aside = if KEPT_ON_RERUN.contains(&name) {
            set_aside(&stage.out_dir, &context.workdir.join(PREVIOUS_DIR), name)?
        } else {
            None
        };
        if let Err(error) = (stage.execute)() {
            // Nothing new replaced it: the earlier output goes back where it was.
            if let Some(previous) = &set_aside {
                std::fs::rename(previous, &stage.out_dir)
                    .with_context(|| format!("cannot move {} back", previous.display()))?;
            }
            return Err(error.context(format!("stage {name} failed")));
        }
        if let Some(previous) = set_aside {
            eprintln!(
                "[{name}] the earlier output is kept in {}",
                previous.display()
            );
        }
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
    let index = mekong_eval::index::write(&context.workdir)?;
    eprintln!("report: {}", index.display());
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

fn context_for(pipeline: &Path, document: &toml::Table) -> anyhow::Result<PipelineContext> {
    let base_dir = pipeline
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let workdir = match document.get("pipeline").and_then(|p| p.get("workdir")) {
        Some(toml::Value::String(dir)) => base_dir.join(dir),
        Some(_) => anyhow::bail!(
            "{}: [pipeline] workdir must be a string",
            pipeline.display()
        ),
        None => {
            let stem = pipeline.file_stem().unwrap_or_default().to_string_lossy();
            PathBuf::from("runs").join(stem.as_ref())
        }
    };
    Ok(PipelineContext { base_dir, workdir })
}

/// A misspelt table would silently skip a stage: reject tables no stage reads.
fn check_known_tables(pipeline: &Path, document: &toml::Table) -> anyhow::Result<()> {
    for key in document.keys() {
        let known = key == "pipeline" || STAGES.iter().any(|(_, path, _)| path[0] == key);
        anyhow::ensure!(
            known,
            "{}: unknown table [{key}] (known: pipeline, corpus, tokenizer, tokenizer.report, pretrain, eval, export)",
            pipeline.display()
        );
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
            STAGES.iter().any(|(_, path, _)| {
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
        assert!(error.to_string().contains("unknown table [corpsu]"));
    }

    #[test]
    fn workdir_is_relative_to_the_pipeline_file() {
        let document = parse("[pipeline]\nworkdir = \"../runs/x\"\n");
        let context = context_for(Path::new("pipelines/demo.toml"), &document).unwrap();
        assert_eq!(context.workdir, Path::new("pipelines/../runs/x"));
        assert_eq!(
            context.stage_dir("corpus"),
            Path::new("pipelines/../runs/x/corpus")
        );
    }
}
