//! The `[corpus]` table of a pipeline file, and the corpus stage as the pipeline runner knows it.
//!
//! The table holds `parallel` and `mono` (lists of specs, as on the command line), `exclude`
//! (a list of paths), and the optional tables `input`, `normalize`, `filters`, `dedup` and
//! `output` with the fields of [`CorpusConfig`]. `mekong corpus --config FILE` reads the same keys.

use crate::config::{CorpusConfig, Source};
use crate::error::{CorpusError, Result};
use crate::stage::{parameters, run, STAGE};
use mekong_common::stage::{section, PipelineContext, PipelineStage, Stage, StageError};
use std::path::{Path, PathBuf};

/// The corpus stage in a pipeline: `[corpus]`, written to `<workdir>/corpus`.
pub const PIPELINE_STAGE: PipelineStage = PipelineStage {
    name: STAGE,
    table: &["corpus"],
    plan,
};

impl Stage for CorpusConfig {
    fn name(&self) -> &'static str {
        STAGE
    }

    fn inputs(&self) -> Vec<PathBuf> {
        self.input_paths()
    }

    fn parameters(&self) -> serde_json::Value {
        parameters(self)
    }

    fn run(&self, output: &Path) -> std::result::Result<String, StageError> {
        Ok(run(self, output)?.text())
    }

    fn sharded(&self) -> Option<&dyn mekong_common::Sharded> {
        Some(self)
    }
}

fn plan(
    table: &toml::Value,
    context: &PipelineContext,
) -> std::result::Result<Box<dyn Stage>, StageError> {
    let config = config_from_table(table, |path| context.resolve(path))?;
    config.validate()?;
    Ok(Box::new(config))
}

/// Reads a `[corpus]` table (or a `--config` file); paths in it are resolved with `resolve`.
pub fn config_from_table(
    table: &toml::Value,
    resolve: impl Fn(&str) -> PathBuf,
) -> Result<CorpusConfig> {
    let mut table = table
        .as_table()
        .ok_or_else(|| CorpusError::Config("[corpus] must be a table".into()))?
        .clone();
    if table.contains_key("sources") {
        return Err(CorpusError::Config(
            "use `parallel` and `mono` lists, not `sources`".into(),
        ));
    }
    let mut strings = |key: &str| -> Result<Vec<String>> {
        match table.remove(key) {
            None => Ok(Vec::new()),
            Some(value) => value
                .try_into()
                .map_err(|_| CorpusError::Config(format!("`{key}` must be a list of strings"))),
        }
    };
    let parallel = strings("parallel")?;
    let mono = strings("mono")?;
    let exclude = strings("exclude")?;
    let mut config: CorpusConfig = section(&toml::Value::Table(table), "corpus")?;
    for spec in &parallel {
        config.sources.push(Source::parse_parallel(spec, &resolve)?);
    }
    for spec in &mono {
        config.sources.push(Source::parse_mono(spec, &resolve)?);
    }
    config.exclude = exclude.iter().map(|p| resolve(p)).collect();
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Value {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn paths_resolve_against_the_pipeline_folder() {
        let context = PipelineContext::new(Path::new("pipelines/p.toml"), Some("../runs/p"));
        let stage = plan(
            &table("parallel = [\"en-vi=../data/x.tsv\"]\nexclude = [\"eval.txt\"]"),
            &context,
        )
        .unwrap();
        assert_eq!(
            stage.inputs(),
            [PathBuf::from("data/x.tsv"), "pipelines/eval.txt".into()]
        );
    }

    #[test]
    fn bad_tables_are_refused_by_name() {
        let resolve = |p: &str| PathBuf::from(p);
        let error = config_from_table(&table("parallel = \"x\""), resolve).unwrap_err();
        assert!(error.to_string().contains("`parallel` must be a list"));
        let error = config_from_table(&table("[filterz]\nx = 1"), resolve).unwrap_err();
        assert_eq!(error.to_string(), "invalid [corpus] section");
    }
}
