//! The `[export]` table of a pipeline file, and the export stage as the runner knows it.
//!
//! ```toml
//! [export]
//! model = "runs/demo/pretrain"                     # default: the pretrain stage's folder
//! tokenizer = "runs/demo/tokenizer/tokenizer.json" # default: the tokenizer stage's
//! dtype = "f32"                                    # or "bf16"
//! license = "apache-2.0"                           # the Hub's licence id (default: other)
//! name = "mekong-demo"                             # the card's title (default: the workdir's name)
//! corpus = "runs/demo/corpus"                      # default: this workdir's corpus stage, if it ran
//! eval = "runs/demo/eval"                          # default: this workdir's eval stage, if it ran
//! ```
//! The model card quotes the corpus stage's stats.json and the eval stage's eval.json.

use crate::stage::{run, ExportConfig, STAGE};
use mekong_common::artefacts::{corpus, eval, pretrain, tokenizer};
use mekong_common::stage::{section, PipelineContext, PipelineStage, Stage, StageError};
use mekong_pretrain::hf::ExportDtype;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The export in a pipeline: `[export]`, written to `<workdir>/export`.
pub const PIPELINE_STAGE: PipelineStage = PipelineStage {
    name: STAGE,
    table: &["export"],
    plan,
};

impl Stage for ExportConfig {
    fn name(&self) -> &'static str {
        STAGE
    }

    fn inputs(&self) -> Vec<PathBuf> {
        ExportConfig::inputs(self)
    }

    fn parameters(&self) -> serde_json::Value {
        ExportConfig::parameters(self)
    }

    /// A model people may have downloaded or shared is never replaced by a rerun.
    fn keeps_earlier_output(&self) -> bool {
        true
    }

    fn run(&self, output: &Path) -> Result<String, StageError> {
        // The runner has set an earlier export aside; a folder filled otherwise is refused.
        Ok(run(self, output, false)?.text())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportSection {
    model: Option<PathBuf>,
    tokenizer: Option<PathBuf>,
    #[serde(default)]
    dtype: ExportDtype,
    license: Option<String>,
    name: Option<String>,
    corpus: Option<PathBuf>,
    eval: Option<PathBuf>,
}

fn plan(table: &toml::Value, context: &PipelineContext) -> Result<Box<dyn Stage>, StageError> {
    let table: ExportSection = section(table, "export")?;
    // The card quotes a neighbour's report only where that stage has run in this workdir.
    let existing = |stage: &str, file: &str| {
        let dir = context.stage_dir(stage);
        dir.join(file).is_file().then_some(dir)
    };
    let config = ExportConfig {
        model: table
            .model
            .map(|p| context.resolve(p))
            .unwrap_or_else(|| context.stage_dir(pretrain::STAGE)),
        tokenizer: table
            .tokenizer
            .map(|p| context.resolve(p))
            .unwrap_or_else(|| context.artefact(tokenizer::STAGE, tokenizer::TOKENIZER_FILE)),
        dtype: table.dtype,
        license: table.license,
        name: Some(table.name.unwrap_or_else(|| workdir_name(&context.workdir))),
        corpus: table
            .corpus
            .map(|p| context.resolve(p))
            .or_else(|| existing(corpus::STAGE, corpus::STATS_FILE)),
        eval: table
            .eval
            .map(|p| context.resolve(p))
            .or_else(|| existing(eval::STAGE, eval::JSON_FILE)),
    };
    Ok(Box::new(config))
}

/// `mekong-<workdir's folder name>`, the card's default title.
fn workdir_name(workdir: &Path) -> String {
    let name = std::path::absolute(workdir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "model".to_string());
    format!("mekong-{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_the_pipelines_own_model_by_default() {
        let context = PipelineContext::new(Path::new("p/x.toml"), Some("../runs/demo"));
        let table = toml::from_str("dtype = \"bf16\"").unwrap();
        let stage = plan(&table, &context).unwrap();
        let parameters = stage.parameters();
        assert_eq!(parameters["model"], "runs/demo/pretrain");
        assert_eq!(
            parameters["tokenizer"],
            "runs/demo/tokenizer/tokenizer.json"
        );
        assert_eq!(parameters["name"], "mekong-demo");
        assert_eq!(parameters["eval"], serde_json::Value::Null);
        let bad = toml::from_str("dtype = \"f8\"").unwrap();
        let error = plan(&bad, &context).err().unwrap();
        assert_eq!(error.to_string(), "invalid [export] section");
    }
}
