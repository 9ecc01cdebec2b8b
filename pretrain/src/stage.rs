//! The pretrain stage as a pipeline runs it: tokenize the corpus into `<output>/tokens`, then
//! train into `<output>`, then write `<output>/manifest.json`.
//!
//! Training can take hours, so it checkpoints in place rather than in a staging folder. While it
//! runs, `<output>/run.json` records its inputs and parameters: a rerun with the same ones
//! continues from the last checkpoint of an interrupted run; any other rerun (inputs or
//! parameters changed, or a completed run forced again) starts afresh, because checkpoints of
//! other tokens or another model must not be continued. A run is never deleted: the earlier one
//! (its checkpoints, log, run record or manifest, and the tokenizer it was trained with) moves to
//! `<output>/runs/NNN/`, where `mekong eval` and `mekong export` still read it. Old runs are
//! removed only by deleting those folders.

use crate::checkpoint::CHECKPOINTS_DIR;
use crate::tokenize::{tokenize, TokenizeConfig, TokenizeSummary};
use crate::training::{train, Resume, TrainConfig, TrainOptions, TrainSummary, LOG_FILE};
use crate::{PretrainError, Result};
use mekong_common::artefacts::corpus::SHARD_EXTENSION;
use mekong_common::{Manifest, MANIFEST_FILE};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Stage name in manifests and pipelines.
pub use mekong_common::artefacts::pretrain::STAGE;
/// Folder of the token shards inside the stage's output.
pub const TOKENS_DIR: &str = "tokens";
/// The inputs and parameters of the run in progress (a manifest without counts or outputs).
pub const RUN_FILE: &str = "run.json";
/// The tokenizer the run in `<output>` is trained with, copied in, so the run stays evaluable
/// after the tokenizer stage has moved on.
pub const TOKENIZER_FILE: &str = mekong_common::artefacts::tokenizer::TOKENIZER_FILE;
/// Earlier runs, one numbered folder each (`runs/001`, …).
pub const RUNS_DIR: &str = "runs";

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

/// What the stage reads, as its manifest records it: the corpus shards (not the corpus stage's
/// statistics or rejected segments), the tokenizer, and the folder training continues from.
pub fn stage_inputs(corpus: &Path, tokenizer: &Path, parameters: &StageParameters) -> Vec<PathBuf> {
    let mut inputs = mekong_common::files_read(corpus, &[SHARD_EXTENSION]);
    inputs.push(tokenizer.to_path_buf());
    inputs.extend(parameters.train.init_from.clone());
    inputs
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
    run_stage_with(corpus, tokenizer, output, parameters, options, |tokens| {
        tokenize(corpus, tokenizer, tokens, &parameters.tokenize)
    })
}

/// Runs the stage with the token shards written into the tokens folder by `tokenize` (here, or
/// assembled from a sharded run's tasks), then trains.
pub(crate) fn run_stage_with(
    corpus: &Path,
    tokenizer: &Path,
    output: &Path,
    parameters: &StageParameters,
    options: &TrainOptions,
    tokenize: impl FnOnce(&Path) -> Result<TokenizeSummary>,
) -> Result<StageSummary> {
    let inputs = stage_inputs(corpus, tokenizer, parameters);
    let mut manifest = Manifest::new(STAGE, &inputs, parameters.to_json())?;
    let continues = continues_interrupted_run(output, &manifest);
    let tokens = output.join(TOKENS_DIR);
    let tokenize_summary = tokenize(&tokens)?;
    // Only now, with the new input known to be good: a bad corpus leaves the last run in place.
    if !continues {
        if let Some(archived) = archive_previous_run(output)? {
            eprintln!(
                "pretrain: the earlier run (other inputs or parameters, or a completed one) is \
                 kept in {}",
                archived.display()
            );
        }
    }
    // A run continued from an older Mekong may lack the copy; it is the same tokenizer.
    let copy = output.join(TOKENIZER_FILE);
    if !copy.exists() {
        std::fs::copy(tokenizer, &copy).map_err(|e| PretrainError::io(&copy, e))?;
    }
    manifest.write_file(&output.join(RUN_FILE))?;
    let options = TrainOptions {
        resume: Resume::IfPresent,
        ..options.clone()
    };
    let train_summary = train(&tokens, output, &parameters.train, &options)?;
    if train_summary.last_step == parameters.train.steps {
        manifest.counts = counts(&tokenize_summary, &train_summary);
        manifest.outputs = vec![
            PathBuf::from(TOKENS_DIR).join(crate::data::SHARDS_META_FILE),
            PathBuf::from(TOKENIZER_FILE),
            PathBuf::from(LOG_FILE),
            relative(output, &train_summary.checkpoint)?.join(crate::checkpoint::META_FILE),
        ];
        manifest.write(output)?;
        remove_if_present(&output.join(RUN_FILE))?;
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
    let mut inputs = vec![tokens.to_path_buf()];
    inputs.extend(config.init_from.clone());
    let mut manifest = Manifest::new("pretrain-train", &inputs, parameters)?;
    let summary = train(tokens, output, config, options)?;
    if summary.last_step == config.steps {
        manifest.counts = json!({
            "steps": summary.last_step,
            "tokens": summary.tokens,
            "parameters": summary.params,
            "device": summary.device.to_string(),
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
        "documents": tokenize.meta.documents(),
        "shard_tokens": tokenize.meta.splits.values().flat_map(|l| l.values()).map(|c| c.tokens).sum::<u64>(),
        "parameters": train.params,
        "device": train.device.to_string(),
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

/// True when `output` holds an interrupted run (a run record, no manifest) of the same inputs
/// and parameters as `current`.
fn continues_interrupted_run(output: &Path, current: &Manifest) -> bool {
    !output.join(MANIFEST_FILE).exists()
        && Manifest::read_file(&output.join(RUN_FILE))
            .is_ok_and(|previous| previous.same_run(current))
}

/// Moves what an earlier run left in `output` (checkpoints, log, run record or manifest, its
/// tokenizer) into the next free `output/runs/NNN`, and returns that folder; `None` when there
/// was no earlier run. The token shards were just rewritten by tokenizing.
fn archive_previous_run(output: &Path) -> Result<Option<PathBuf>> {
    let parts = [
        CHECKPOINTS_DIR,
        LOG_FILE,
        RUN_FILE,
        MANIFEST_FILE,
        TOKENIZER_FILE,
    ];
    let present: Vec<&str> = parts
        .into_iter()
        .filter(|part| output.join(part).exists())
        .collect();
    if !present
        .iter()
        .any(|p| *p == CHECKPOINTS_DIR || *p == LOG_FILE)
    {
        for part in present {
            remove_if_present(&output.join(part))?;
        }
        return Ok(None);
    }
    let runs = output.join(RUNS_DIR);
    let number = (1..)
        .find(|n| !runs.join(format!("{n:03}")).exists())
        .expect("a free run number");
    let archive = runs.join(format!("{number:03}"));
    std::fs::create_dir_all(&archive).map_err(|e| PretrainError::io(&archive, e))?;
    for part in present {
        let (from, to) = (output.join(part), archive.join(part));
        std::fs::rename(&from, &to).map_err(|e| PretrainError::io(&from, e))?;
    }
    Ok(Some(archive))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(PretrainError::io(path, e)),
        _ => Ok(()),
    }
}
