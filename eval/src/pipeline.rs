//! The `[eval]` table of a pipeline file, and the eval stage as the runner knows it.
//!
//! Every key is optional: `models` (default: the pipeline's own model, `<workdir>/pretrain`, with
//! its tokenizer), `parallel`, `languages`, `split`, `texts` (`lang = "path"`), `prompts`,
//! `prompts_file`, the scoring and sampling settings of [`EvalConfig`], `corpus` (default:
//! `<workdir>/corpus` when it exists; `contamination = false` skips the check) and `device`.
//! Paths are relative to the pipeline file.

use crate::config::{EvalConfig, ModelSpec, TextSpec};
use crate::stage::{run, summary, STAGE};
use crate::SamplingConfig;
use mekong_common::artefacts::{corpus, pretrain, tokenizer};
use mekong_common::parallel::FloresSplit;
use mekong_common::stage::{section, PipelineContext, PipelineStage, Stage, StageError};
use mekong_pretrain::DeviceKind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Evaluation in a pipeline: `[eval]`, written to `<workdir>/eval`.
pub const PIPELINE_STAGE: PipelineStage = PipelineStage {
    name: STAGE,
    table: &["eval"],
    plan,
};

impl Stage for EvalConfig {
    fn name(&self) -> &'static str {
        STAGE
    }

    fn inputs(&self) -> Vec<PathBuf> {
        EvalConfig::inputs(self)
    }

    fn parameters(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an eval config always serialises")
    }

    /// A report people may have read or cited is never replaced by a rerun.
    fn keeps_earlier_output(&self) -> bool {
        true
    }

    fn run(&self, output: &Path) -> Result<String, StageError> {
        Ok(summary(&run(self, output)?))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalSection {
    #[serde(default)]
    models: Vec<ModelSpec>,
    parallel: Option<PathBuf>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    split: FloresSplit,
    #[serde(default)]
    texts: BTreeMap<String, PathBuf>,
    #[serde(default)]
    prompts: Vec<String>,
    prompts_file: Option<PathBuf>,
    window: Option<usize>,
    stride: Option<usize>,
    batch_size: Option<usize>,
    max_new_tokens: Option<usize>,
    temperature: Option<f32>,
    top_k: Option<usize>,
    top_p: Option<f32>,
    seed: Option<u64>,
    corpus: Option<PathBuf>,
    #[serde(default = "yes")]
    contamination: bool,
    ngram: Option<usize>,
    device: Option<DeviceKind>,
}

fn yes() -> bool {
    true
}

fn plan(table: &toml::Value, context: &PipelineContext) -> Result<Box<dyn Stage>, StageError> {
    let table: EvalSection = section(table, "eval")?;
    let defaults = EvalConfig::default();
    let models = if table.models.is_empty() {
        vec![ModelSpec {
            name: "model".into(),
            checkpoint: context.stage_dir(pretrain::STAGE),
            tokenizer: context.artefact(tokenizer::STAGE, tokenizer::TOKENIZER_FILE),
        }]
    } else {
        table
            .models
            .into_iter()
            .map(|m| ModelSpec {
                checkpoint: context.resolve(&m.checkpoint),
                tokenizer: context.resolve(&m.tokenizer),
                name: m.name,
            })
            .collect()
    };
    let texts = table
        .texts
        .into_iter()
        .map(|(lang, path)| TextSpec {
            lang,
            path: context.resolve(path),
        })
        .collect();
    let corpus = if !table.contamination {
        None
    } else if let Some(corpus) = table.corpus {
        Some(context.resolve(corpus))
    } else {
        Some(context.stage_dir(corpus::STAGE)).filter(|dir| dir.is_dir())
    };
    let sampling = SamplingConfig {
        max_new_tokens: table
            .max_new_tokens
            .unwrap_or(defaults.sampling.max_new_tokens),
        temperature: table.temperature.unwrap_or(defaults.sampling.temperature),
        top_k: table.top_k.unwrap_or(defaults.sampling.top_k),
        top_p: table.top_p.unwrap_or(defaults.sampling.top_p),
        seed: table.seed.unwrap_or(defaults.sampling.seed),
    };
    let config = EvalConfig {
        models,
        texts,
        parallel: table.parallel.map(|p| context.resolve(p)),
        languages: table.languages,
        split: table.split,
        prompts: table.prompts,
        prompts_file: table.prompts_file.map(|p| context.resolve(p)),
        window: table.window,
        stride: table.stride,
        batch_size: table.batch_size.unwrap_or(defaults.batch_size),
        sampling,
        corpus,
        ngram: table.ngram.unwrap_or(defaults.ngram),
        device: table.device,
    };
    Ok(Box::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_the_pipelines_own_model_by_default() {
        let context = PipelineContext::new(Path::new("p/x.toml"), Some("../runs/x"));
        let table = toml::from_str("texts = { vi = \"vi.txt\" }\ntop_k = 5").unwrap();
        let stage = plan(&table, &context).unwrap();
        let parameters = stage.parameters();
        assert_eq!(parameters["models"][0]["checkpoint"], "runs/x/pretrain");
        assert_eq!(
            parameters["models"][0]["tokenizer"],
            "runs/x/tokenizer/tokenizer.json"
        );
        assert_eq!(parameters["texts"][0]["path"], "p/vi.txt");
        assert_eq!(parameters["sampling"]["top_k"], 5);
        assert_eq!(parameters["corpus"], serde_json::Value::Null);
    }
}
