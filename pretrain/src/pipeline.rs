//! The `[pretrain]` table of a pipeline file, and the pretrain stage as the runner knows it.
//!
//! ```toml
//! [pretrain]
//! corpus = "runs/demo/corpus"                   # default: the corpus stage's folder
//! tokenizer = "runs/demo/tokenizer/tokenizer.json"  # default: the tokenizer stage's
//! device = "cpu"                                # default: cuda when built in and present
//! peak_tflops = 989                             # for the MFU estimate in the log
//! [pretrain.tokenize]
//! validation_fraction = 0.01
//! [pretrain.train]
//! preset = "tiny"
//! steps = 300
//! language_weights = { vi = 0.7, "*" = 0.3 }
//! ```

use crate::stage::{run_stage, stage_inputs, StageParameters, STAGE};
use crate::{DeviceKind, TokenizeConfig, TrainConfig, TrainOptions};
use mekong_common::artefacts::{corpus, tokenizer};
use mekong_common::stage::{section, PipelineContext, PipelineStage, Stage, StageError};
use std::path::{Path, PathBuf};

/// Pretraining in a pipeline: `[pretrain]`, written to `<workdir>/pretrain`.
pub const PIPELINE_STAGE: PipelineStage = PipelineStage {
    name: STAGE,
    table: &["pretrain"],
    plan,
};

/// A planned tokenize + train run.
pub struct PretrainStage {
    pub(crate) corpus: PathBuf,
    pub(crate) tokenizer: PathBuf,
    pub(crate) parameters: StageParameters,
    pub(crate) options: TrainOptions,
}

impl Stage for PretrainStage {
    fn name(&self) -> &'static str {
        STAGE
    }

    fn inputs(&self) -> Vec<PathBuf> {
        stage_inputs(&self.corpus, &self.tokenizer, &self.parameters)
    }

    fn parameters(&self) -> serde_json::Value {
        self.parameters.to_json()
    }

    fn run(&self, output: &Path) -> Result<String, StageError> {
        let summary = run_stage(
            &self.corpus,
            &self.tokenizer,
            output,
            &self.parameters,
            &self.options,
        )?;
        Ok(summary.tokenize.short_text() + &summary.train.text())
    }

    fn sharded(&self) -> Option<&dyn mekong_common::Sharded> {
        Some(self)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PretrainSection {
    corpus: Option<PathBuf>,
    tokenizer: Option<PathBuf>,
    device: Option<DeviceKind>,
    peak_tflops: Option<f64>,
    #[serde(default)]
    tokenize: TokenizeConfig,
    #[serde(default)]
    train: TrainConfig,
}

fn plan(table: &toml::Value, context: &PipelineContext) -> Result<Box<dyn Stage>, StageError> {
    let table: PretrainSection = section(table, "pretrain")?;
    let mut train = table.train;
    train.init_from = train.init_from.map(|dir| context.resolve(dir));
    Ok(Box::new(PretrainStage {
        corpus: table
            .corpus
            .map(|p| context.resolve(p))
            .unwrap_or_else(|| context.stage_dir(corpus::STAGE)),
        tokenizer: table
            .tokenizer
            .map(|p| context.resolve(p))
            .unwrap_or_else(|| context.artefact(tokenizer::STAGE, tokenizer::TOKENIZER_FILE)),
        parameters: StageParameters {
            tokenize: table.tokenize,
            train,
        },
        options: TrainOptions {
            device: table.device,
            peak_tflops: table.peak_tflops,
            ..TrainOptions::default()
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_neighbours_outputs_by_default() {
        let context = PipelineContext::new(Path::new("p/x.toml"), Some("../runs/x"));
        let table = toml::from_str("[train]\nsteps = 7\ninit_from = \"hf\"").unwrap();
        let stage = plan(&table, &context).unwrap();
        assert_eq!(stage.parameters()["train"]["steps"], 7);
        // No corpus shards exist here: the folder stands for them, so hashing it reports that.
        assert_eq!(
            stage.inputs(),
            [
                PathBuf::from("runs/x/corpus"),
                "runs/x/tokenizer/tokenizer.json".into(),
                "p/hf".into()
            ]
        );
        let bad = toml::from_str("device = \"tpu\"").unwrap();
        assert!(plan(&bad, &context).is_err());
    }
}
