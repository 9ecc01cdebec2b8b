//! What the eval stage is asked to do: the models, texts, prompts and settings, as the command
//! line and the pipeline's `[eval]` table give them, with their defaults and checks.

use crate::{EvalError, Result, SamplingConfig};
use mekong_common::parallel::FloresSplit;
use mekong_pretrain::DeviceKind;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One model to evaluate: a checkpoint and the tokenizer it was trained with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The label in the report (e.g. `classic`, `parity`).
    pub name: String,
    /// A checkpoint folder, or a training output folder (its latest checkpoint is used).
    pub checkpoint: PathBuf,
    pub tokenizer: PathBuf,
}

/// An evaluation text given as a file for one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextSpec {
    pub lang: String,
    pub path: PathBuf,
}

/// Everything the stage does, resolved; serialised as the manifest's `parameters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalConfig {
    pub models: Vec<ModelSpec>,
    pub texts: Vec<TextSpec>,
    /// A parallel set folder (see [`crate::texts`] for its layouts).
    pub parallel: Option<PathBuf>,
    /// Languages taken from the parallel set (empty: all of them).
    pub languages: Vec<String>,
    /// Which split of a FLORES-style parallel set to read.
    pub split: FloresSplit,
    pub prompts: Vec<String>,
    /// A file of prompts, one a line.
    pub prompts_file: Option<PathBuf>,
    /// Tokens per window (default: the model's context length).
    pub window: Option<usize>,
    /// Tokens newly scored per window (default: half the window).
    pub stride: Option<usize>,
    /// Windows read at once.
    pub batch_size: usize,
    pub sampling: SamplingConfig,
    /// The corpus stage folder to check contamination against (`part-*.parquet`).
    pub corpus: Option<PathBuf>,
    /// Characters per n-gram in the contamination check.
    pub ngram: usize,
    /// Where the models run; `None`: CUDA when built in and present, else the CPU.
    pub device: Option<DeviceKind>,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            models: Vec::new(),
            texts: Vec::new(),
            parallel: None,
            languages: Vec::new(),
            split: FloresSplit::Devtest,
            prompts: Vec::new(),
            prompts_file: None,
            window: None,
            stride: None,
            batch_size: 8,
            sampling: SamplingConfig::default(),
            corpus: None,
            ngram: 50,
            device: None,
        }
    }
}

impl EvalConfig {
    /// The files and folders the stage reads, for the manifest and the pipeline's cache check.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let mut inputs = Vec::new();
        for model in &self.models {
            // The checkpoint actually read, not the whole training folder (its token shards
            // and older checkpoints would be hashed for nothing).
            let checkpoint = mekong_pretrain::checkpoint::resolve_checkpoint_dir(&model.checkpoint)
                .unwrap_or_else(|_| model.checkpoint.clone());
            inputs.push(checkpoint);
            inputs.push(model.tokenizer.clone());
        }
        inputs.extend(self.texts.iter().map(|t| t.path.clone()));
        inputs.extend(self.parallel.iter().cloned());
        inputs.extend(self.prompts_file.iter().cloned());
        // The contamination check reads the corpus shards only.
        if let Some(corpus) = &self.corpus {
            inputs.extend(mekong_common::files_read(
                corpus,
                &[mekong_common::artefacts::corpus::SHARD_EXTENSION],
            ));
        }
        inputs
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.models.is_empty() {
            return Err(EvalError::Invalid(
                "no model to evaluate: give at least one --model NAME=CHECKPOINT".into(),
            ));
        }
        for (i, model) in self.models.iter().enumerate() {
            if self.models[..i].iter().any(|m| m.name == model.name) {
                return Err(EvalError::Invalid(format!(
                    "two models are named '{}'",
                    model.name
                )));
            }
        }
        if self.texts.is_empty() && self.parallel.is_none() {
            return Err(EvalError::Invalid(
                "nothing to evaluate on: give --text LANG=PATH and/or --parallel DIR".into(),
            ));
        }
        if !self.languages.is_empty() && self.parallel.is_none() {
            return Err(EvalError::Invalid(
                "languages select from a parallel set: give --parallel DIR".into(),
            ));
        }
        for model in &self.models {
            if !model.checkpoint.exists() {
                return Err(EvalError::NoCheckpoint {
                    model: model.name.clone(),
                    path: model.checkpoint.clone(),
                });
            }
            if !model.tokenizer.is_file() {
                return Err(EvalError::bad_input(
                    &model.tokenizer,
                    None,
                    "tokenizer file not found",
                ));
            }
        }
        for text in &self.texts {
            if !text.path.is_file() {
                return Err(EvalError::bad_input(
                    &text.path,
                    None,
                    format!("evaluation text for '{}' not found", text.lang),
                ));
            }
        }
        if let Some(path) = self.prompts_file.as_ref().filter(|p| !p.is_file()) {
            return Err(EvalError::bad_input(path, None, "prompts file not found"));
        }
        if let Some(path) = self.corpus.as_ref().filter(|p| !p.is_dir()) {
            return Err(EvalError::bad_input(path, None, "corpus folder not found"));
        }
        if self.batch_size == 0 {
            return Err(EvalError::Invalid("batch size must be at least 1".into()));
        }
        self.sampling.validate()
    }
}
