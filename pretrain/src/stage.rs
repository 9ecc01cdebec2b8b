//! The pretrain stage as a pipeline runs it: tokenize the corpus into `<output>/tokens`, then
//! train into `<output>` (continuing from its checkpoints when an earlier run was interrupted),
//! then write `<output>/manifest.json`.

use crate::tokenize::{tokenize, TokenizeConfig, TokenizeSummary};
use crate::training::{train, Resume, TrainConfig, TrainOptions, TrainSummary, LOG_FILE};
use crate::{PretrainError, Result};
use mekong_common::{Manifest, MANIFEST_FILE};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Stage name in manifests and pipelines.
pub const STAGE: &str = "pretrain";
/// Folder of the token shards inside the stage's output.
pub const TOKENS_DIR: &str = "tokens";

/// Everything the stage's result depends on (its manifest `parameters`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StageParameters {
    pub tokenize: TokenizeConfig,
    pub train: TrainConfig,
}

impl StageParameters {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("stage parameters serialise")
    }
}

/// What the stage did.
pub struct StageSummary {
    pub tokenize: TokenizeSummary,
    pub train: TrainSummary,
}

/// Runs tokenize + train. `inputs` are hashed into the manifest before anything is read.
pub fn run_stage(
    corpus: &Path,
    tokenizer: &Path,
    output: &Path,
    parameters: &StageParameters,
    options: &TrainOptions,
) -> Result<StageSummary> {
    let inputs = [corpus.to_path_buf(), tokenizer.to_path_buf()];
    let mut manifest = Manifest::new(STAGE, &inputs, parameters.to_json())?;
    // A manifest left by an earlier run must not vouch for outputs this run is replacing.
    remove_if_present(&output.join(MANIFEST_FILE))?;
    let tokens = output.join(TOKENS_DIR);
    let tokenize_summary = tokenize(corpus, tokenizer, &tokens, &parameters.tokenize)?;
    let options = TrainOptions {
        resume: Resume::IfPresent,
        ..options.clone()
    };
    let train_summary = train(&tokens, output, &parameters.train, &options)?;
    if train_summary.last_step == parameters.train.steps {
        manifest.counts = counts(&tokenize_summary, &train_summary);
        manifest.outputs = vec![
            PathBuf::from(TOKENS_DIR).join(crate::data::SHARDS_META_FILE),
            PathBuf::from(LOG_FILE),
            relative(output, &train_summary.checkpoint)?.join(crate::checkpoint::META_FILE),
        ];
        manifest.write(output)?;
    }
    Ok(StageSummary {
        tokenize: tokenize_summary,
        train: train_summary,
    })
}

/// Runs `mekong pretrain train` alone and records it in `<output>/manifest.json`
/// (stage `pretrain-train`, input: the tokens folder).
pub fn run_train(
    tokens: &Path,
    output: &Path,
    config: &TrainConfig,
    options: &TrainOptions,
) -> Result<TrainSummary> {
    let parameters = serde_json::to_value(config).expect("train config serialises");
    let mut manifest = Manifest::new("pretrain-train", &[tokens.to_path_buf()], parameters)?;
    let summary = train(tokens, output, config, options)?;
    if summary.last_step == config.steps {
        manifest.counts = json!({
            "steps": summary.last_step,
            "tokens": summary.tokens,
            "parameters": summary.params,
        });
        manifest.outputs = vec![
            PathBuf::from(LOG_FILE),
            relative(output, &summary.checkpoint)?.join(crate::checkpoint::META_FILE),
        ];
        manifest.write(output)?;
    }
    Ok(summary)
}

fn counts(tokenize: &TokenizeSummary, train: &TrainSummary) -> serde_json::Value {
    json!({
        "documents": tokenize.meta.splits.values().flat_map(|l| l.values()).map(|c| c.documents).sum::<u64>(),
        "shard_tokens": tokenize.meta.splits.values().flat_map(|l| l.values()).map(|c| c.tokens).sum::<u64>(),
        "parameters": train.params,
        "steps": train.last_step,
        "tokens_trained": train.tokens,
        "final_loss": train.last_loss,
        "validation_loss": train.validation.as_ref().map(|v| v.loss),
        "validation_bits_per_byte": train.validation.as_ref().map(|v| v.bits_per_byte),
    })
}

fn relative(base: &Path, path: &Path) -> Result<PathBuf> {
    path.strip_prefix(base)
        .map(Path::to_path_buf)
        .map_err(|_| PretrainError::Config {
            message: format!("{} is not inside {}", path.display(), base.display()),
        })
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(PretrainError::io(path, e)),
        _ => Ok(()),
    }
}
