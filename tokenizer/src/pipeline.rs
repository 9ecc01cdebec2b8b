//! The tokenizer's two pipeline stages: `[tokenizer]` trains (into `<workdir>/tokenizer`) and
//! `[tokenizer.report]` compares the trained tokenizer with others (into
//! `<workdir>/tokenizer-report`).
//!
//! `[tokenizer]` holds `train` (default: the corpus stage's folder), `dev`, `test` (held out:
//! see `TrainConfig::test`), and the options of [`TrainOptions`] under their snake_case names.
//! `[tokenizer.report]` holds `parallel` (held-out text; default: `[tokenizer] test`, never the
//! dev set the merges were chosen on), `reference` (en), `tokenizers` (as on the command line: `NAME=PATH` or `NAME=cl100k`),
//! `include_trained` (true: the trained tokenizer comes first, named `trained_name`, mekong),
//! `split` and `languages`. Paths are relative to the pipeline file.

use crate::report::{self, FloresSplit, ReportConfig, TokenizerSource, TokenizerSpec};
use crate::train::{self, TrainConfig, TrainOptions, STAGE, TOKENIZER_FILE};
use mekong_common::artefacts::corpus;
use mekong_common::stage::{section, PipelineContext, PipelineStage, Stage, StageError};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Tokenizer training in a pipeline: `[tokenizer]`.
pub const PIPELINE_STAGE: PipelineStage = PipelineStage {
    name: STAGE,
    table: &["tokenizer"],
    plan: plan_training,
};

/// The comparison report in a pipeline: `[tokenizer.report]`.
pub const REPORT_PIPELINE_STAGE: PipelineStage = PipelineStage {
    name: report::STAGE,
    table: &["tokenizer", "report"],
    plan: plan_report,
};

impl Stage for TrainConfig {
    fn name(&self) -> &'static str {
        STAGE
    }

    fn inputs(&self) -> Vec<PathBuf> {
        TrainConfig::inputs(self)
    }

    fn parameters(&self) -> serde_json::Value {
        TrainConfig::parameters(self)
    }

    fn run(&self, output: &Path) -> Result<String, StageError> {
        let trained = train::run_stage(self, output)?;
        Ok(format!("{}\n", trained.summary.short_text()))
    }

    fn sharded(&self) -> Option<&dyn mekong_common::Sharded> {
        Some(self)
    }
}

/// The `[tokenizer]` table. Its options are read into [`TrainOptions`], which refuses unknown
/// keys; `report` is the report stage's table.
#[derive(Deserialize)]
struct TrainingSection {
    train: Option<PathBuf>,
    dev: Option<PathBuf>,
    test: Option<PathBuf>,
    #[serde(rename = "report")]
    _report: Option<toml::Value>,
    #[serde(flatten)]
    options: toml::Table,
}

fn plan_training(
    table: &toml::Value,
    context: &PipelineContext,
) -> Result<Box<dyn Stage>, StageError> {
    let table: TrainingSection = section(table, "tokenizer")?;
    let options: TrainOptions = section(&toml::Value::Table(table.options), "tokenizer")?;
    let config = TrainConfig {
        train: table
            .train
            .map(|p| context.resolve(p))
            .unwrap_or_else(|| context.stage_dir(corpus::STAGE)),
        dev: table.dev.map(|p| context.resolve(p)),
        test: table.test.map(|p| context.resolve(p)),
        options,
        show_progress: true,
    };
    config.validate()?;
    Ok(Box::new(config))
}

impl Stage for ReportConfig {
    fn name(&self) -> &'static str {
        report::STAGE
    }

    fn inputs(&self) -> Vec<PathBuf> {
        self.input_paths()
    }

    fn parameters(&self) -> serde_json::Value {
        ReportConfig::parameters(self)
    }

    fn run(&self, output: &Path) -> Result<String, StageError> {
        Ok(report::generate(self, output)?.summary_text(output))
    }
}

/// The `[tokenizer.report]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportSection {
    parallel: Option<PathBuf>,
    #[serde(default = "default_reference")]
    reference: String,
    #[serde(default)]
    tokenizers: Vec<String>,
    #[serde(default = "default_true")]
    include_trained: bool,
    #[serde(default = "default_trained_name")]
    trained_name: String,
    #[serde(default)]
    split: FloresSplit,
    #[serde(default)]
    languages: Vec<String>,
}

fn default_reference() -> String {
    report::DEFAULT_REFERENCE.into()
}

fn default_true() -> bool {
    true
}

fn default_trained_name() -> String {
    "mekong".into()
}

fn plan_report(
    table: &toml::Value,
    context: &PipelineContext,
) -> Result<Box<dyn Stage>, StageError> {
    let table: ReportSection = section(table, "tokenizer.report")?;
    let parallel = match table.parallel {
        Some(path) => path,
        None => held_out_set(context)?,
    };
    let mut tokenizers = Vec::new();
    if table.include_trained {
        tokenizers.push(TokenizerSpec {
            name: table.trained_name.clone(),
            source: TokenizerSource::HuggingFace(context.artefact(STAGE, TOKENIZER_FILE)),
        });
    }
    for text in &table.tokenizers {
        let mut spec = TokenizerSpec::parse(text)?;
        spec.source = match spec.source {
            TokenizerSource::HuggingFace(path) => {
                TokenizerSource::HuggingFace(context.resolve(path))
            }
            TokenizerSource::Tiktoken(path) => TokenizerSource::Tiktoken(context.resolve(path)),
            builtin => builtin,
        };
        tokenizers.push(spec);
    }
    let config = ReportConfig {
        tokenizers,
        parallel: context.resolve(&parallel),
        reference: table.reference,
        split: table.split,
        languages: table.languages,
    };
    config.validate()?;
    Ok(Box::new(config))
}

/// The `[tokenizer] test` set: the report's text unless `parallel` says otherwise.
fn held_out_set(context: &PipelineContext) -> Result<PathBuf, StageError> {
    let test = context
        .parent
        .as_ref()
        .and_then(|tokenizer| tokenizer.get("test"))
        .and_then(toml::Value::as_str);
    match test {
        Some(path) => Ok(PathBuf::from(path)),
        None => Err(
            "[tokenizer.report] needs `parallel` (a parallel set to compare on), or a \
                     held-out `test` set in [tokenizer] to default to"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> PipelineContext {
        PipelineContext::new(Path::new("pipelines/p.toml"), Some("../runs/p"))
    }

    fn table(text: &str) -> toml::Value {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn training_reads_the_corpus_stage_by_default() {
        let stage = plan_training(&table("vocab_size = 300\ndev = \"udhr\""), &context()).unwrap();
        assert_eq!(stage.parameters()["vocab_size"], 300);
        assert_eq!(stage.inputs().last().unwrap(), Path::new("pipelines/udhr"));
        let error = plan_training(&table("vocab_sise = 300"), &context())
            .err()
            .unwrap();
        assert_eq!(error.to_string(), "invalid [tokenizer] section");
    }

    #[test]
    fn the_test_set_is_an_input() {
        let text = "vocab_size = 300\ndev = \"udhr\"\ntest = \"held-out\"";
        let stage = plan_training(&table(text), &context()).unwrap();
        let inputs = stage.inputs();
        assert_eq!(
            inputs[inputs.len() - 2..],
            [
                PathBuf::from("pipelines/udhr"),
                PathBuf::from("pipelines/held-out")
            ]
        );
    }

    #[test]
    fn the_report_reads_the_held_out_test_set_unless_told_otherwise() {
        let mut context = context();
        let error = plan_report(&table("reference = \"en\""), &context)
            .err()
            .unwrap();
        assert!(error.to_string().contains("needs `parallel`"), "{error}");
        context.parent = Some(table("dev = \"udhr\"\ntest = \"held-out\""));
        let stage = plan_report(&table("reference = \"en\""), &context).unwrap();
        assert_eq!(stage.inputs()[0], PathBuf::from("pipelines/held-out"));
        let stage = plan_report(&table("parallel = \"flores\""), &context).unwrap();
        assert_eq!(stage.inputs()[0], PathBuf::from("pipelines/flores"));
    }

    #[test]
    fn the_report_compares_the_trained_tokenizer_first() {
        let text = "parallel = \"udhr\"\ntokenizers = [\"gpt4=cl100k\"]\nsplit = \"dev\"";
        let stage = plan_report(&table(text), &context()).unwrap();
        let parameters = stage.parameters();
        assert_eq!(parameters["split"], "dev");
        assert_eq!(parameters["tokenizers"].as_array().unwrap().len(), 2);
        assert_eq!(
            stage.inputs()[..2],
            [
                PathBuf::from("pipelines/udhr"),
                "runs/p/tokenizer/tokenizer.json".into()
            ]
        );
    }
}
