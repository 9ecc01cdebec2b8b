//! `mekong export`: reads a checkpoint, its tokenizer and (for the model card) the other stages'
//! reports, and writes a Hugging Face model folder atomically:
//!
//! ```text
//! export/
//!   config.json  model.safetensors  generation_config.json      the model (LlamaForCausalLM)
//!   tokenizer.json  tokenizer_config.json  special_tokens_map.json   the tokenizer, as trained
//!   README.md                                                    the model card
//!   manifest.json                                                Mekong's record of the stage
//! ```

use crate::card::{self, Card, TrainingRun};
use crate::hub_files::{self, Separator};
use crate::{ExportError, Result};
use mekong_common::{artefacts, Manifest, StagingDir};
use mekong_eval::report::EvalJson;
use mekong_pretrain::checkpoint::{resolve_checkpoint_dir, CHECKPOINTS_DIR};
use mekong_pretrain::hf::{self, ExportDtype, SpecialIds};
use mekong_pretrain::{check_tokenizer_matches, load_checkpoint, CpuBackend};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The stage's name in manifests and pipelines, and the model card's file.
pub use mekong_common::artefacts::export::{CARD_FILE, STAGE};

/// What to export; serialised as the manifest's `parameters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportConfig {
    /// A checkpoint folder, or a training output folder (its latest checkpoint is exported).
    pub model: PathBuf,
    /// The tokenizer.json the model was trained with.
    pub tokenizer: PathBuf,
    #[serde(default)]
    pub dtype: ExportDtype,
    /// The Hub's licence id for the card (`apache-2.0`, `cc-by-sa-4.0`, …): the licence of the
    /// weights is the user's to choose, given the training data's licences. Default: `other`.
    pub license: Option<String>,
    /// The model's name in the card's title (default: the output folder's name).
    pub name: Option<String>,
    /// The corpus stage's folder, for the training data per language.
    pub corpus: Option<PathBuf>,
    /// The eval stage's folder, for bits per byte per language.
    pub eval: Option<PathBuf>,
}

impl ExportConfig {
    pub fn new(model: PathBuf, tokenizer: PathBuf) -> Self {
        ExportConfig {
            model,
            tokenizer,
            dtype: ExportDtype::default(),
            license: None,
            name: None,
            corpus: None,
            eval: None,
        }
    }

    /// The files the stage reads, for the manifest and the pipeline's cache check: the
    /// checkpoint actually exported, the tokenizer, and the reports the card quotes.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let checkpoint = resolve_checkpoint_dir(&self.model).unwrap_or_else(|_| self.model.clone());
        let mut inputs = vec![checkpoint, self.tokenizer.clone()];
        inputs.extend(self.stats_file());
        inputs.extend(self.training_file());
        inputs.extend(self.eval_file());
        inputs
    }

    fn stats_file(&self) -> Option<PathBuf> {
        let dir = self.corpus.as_ref()?;
        Some(dir.join(artefacts::corpus::STATS_FILE))
    }

    /// The tokenizer stage's training.json, when it sits beside tokenizer.json.
    fn training_file(&self) -> Option<PathBuf> {
        let path = self
            .tokenizer
            .with_file_name(artefacts::tokenizer::TRAINING_FILE);
        path.is_file().then_some(path)
    }

    fn eval_file(&self) -> Option<PathBuf> {
        Some(self.eval.as_ref()?.join(artefacts::eval::JSON_FILE))
    }

    /// The manifest's `parameters`.
    pub fn parameters(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("export config serialises")
    }
}

/// What the stage wrote.
#[derive(Debug, Clone)]
pub struct ExportOutcome {
    pub out_dir: PathBuf,
    pub checkpoint: PathBuf,
    pub step: u64,
    pub parameters: usize,
    pub weights_bytes: u64,
    pub dtype: ExportDtype,
    /// False when the tokenizer is not byte-identical to the one the model was trained with
    /// (same vocabulary size, another file).
    pub tokenizer_is_the_trained_one: bool,
}

impl ExportOutcome {
    /// What was exported, a note when the tokenizer is not the trained file, and how to load it.
    pub fn text(&self) -> String {
        let mut text = format!(
            "exported step {} of {} ({} parameters, {}, {:.1} MB of weights) → {}\n",
            self.step,
            self.checkpoint.display(),
            self.parameters,
            self.dtype.torch_name(),
            self.weights_bytes as f64 / 1e6,
            self.out_dir.display()
        );
        if !self.tokenizer_is_the_trained_one {
            text.push_str(
                "  note: the tokenizer has the model's vocabulary size but is not the file the \
                 model was trained with\n",
            );
        }
        text.push_str(&format!(
            "  load it: AutoModelForCausalLM.from_pretrained(\"{0}\"), \
             AutoTokenizer.from_pretrained(\"{0}\")\n",
            self.out_dir.display()
        ));
        text
    }
}

/// Writes the model folder `out_dir`. An existing non-empty `out_dir` is refused unless
/// `replace`; it is replaced only once the new folder is complete.
pub fn run(config: &ExportConfig, out_dir: &Path, replace: bool) -> Result<ExportOutcome> {
    if !replace && is_non_empty_dir(out_dir)? {
        return Err(ExportError::OutputNotEmpty {
            path: out_dir.to_path_buf(),
        });
    }
    let mut manifest = Manifest::new(STAGE, &config.inputs(), config.parameters())?;
    let checkpoint = resolve_checkpoint_dir(&config.model)?;
    let same_tokenizer = check_tokenizer_matches(&config.tokenizer, &checkpoint)?;
    let (model, model_config, meta) =
        load_checkpoint::<CpuBackend>(&checkpoint, &Default::default())?;
    let tokenizer = mekong_eval::stage::load_tokenizer(&config.tokenizer)?;
    let separator_id = mekong_eval::stage::document_token(&tokenizer, &config.tokenizer)?;
    let separator = Separator {
        id: separator_id,
        token: tokenizer
            .id_to_token(separator_id)
            .expect("the separator is in the vocabulary"),
    };
    let name = config.name.clone().unwrap_or_else(|| folder_name(out_dir));
    let card = Card {
        name: &name,
        license: config.license.as_deref(),
        model: &model_config,
        dtype: config.dtype,
        checkpoint: &meta,
        training: TrainingRun::read(&checkpoint)?,
        corpus: read_json(config.stats_file().as_deref())?,
        tokenizer: read_json(config.training_file().as_deref())?,
        eval: read_json::<EvalJson>(config.eval_file().as_deref())?.map(|json| json.results),
        normalizer: describe_normalizer(&tokenizer),
    };

    let staging = StagingDir::new(out_dir)?;
    let weights = hf::to_safetensors(&model, &model_config, config.dtype)?;
    let ids = SpecialIds {
        bos: Some(separator.id),
        eos: Some(separator.id),
        pad: Some(separator.id),
    };
    let tokenizer_bytes =
        std::fs::read(&config.tokenizer).map_err(|e| ExportError::io(&config.tokenizer, e))?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            hf::CONFIG_FILE,
            pretty(&hf::to_hf_config(&model_config, ids, config.dtype)),
        ),
        (hf::WEIGHTS_FILE, weights),
        (
            hub_files::GENERATION_CONFIG_FILE,
            pretty(&hub_files::generation_config(&separator)),
        ),
        (mekong_tokenizer::train::TOKENIZER_FILE, tokenizer_bytes),
        (
            hub_files::TOKENIZER_CONFIG_FILE,
            pretty(&hub_files::tokenizer_config(
                &tokenizer,
                &separator,
                model_config.max_seq_len,
            )),
        ),
        (
            hub_files::SPECIAL_TOKENS_FILE,
            pretty(&hub_files::special_tokens_map(&separator)),
        ),
        (CARD_FILE, card::render(&card).into_bytes()),
    ];
    let weights_bytes = files[1].1.len() as u64;
    for (file, bytes) in &files {
        let path = staging.path().join(file);
        std::fs::write(&path, bytes).map_err(|e| ExportError::io(&path, e))?;
        manifest.outputs.push(PathBuf::from(file));
    }
    let parameters = model_config.num_params();
    manifest.counts = serde_json::json!({
        "step": meta.step,
        "parameters": parameters,
        "weights_bytes": weights_bytes,
        "dtype": config.dtype,
    });
    manifest.write(staging.path())?;
    let out_dir = staging.commit()?;
    Ok(ExportOutcome {
        out_dir,
        checkpoint,
        step: meta.step,
        parameters,
        weights_bytes,
        dtype: config.dtype,
        tokenizer_is_the_trained_one: same_tokenizer,
    })
}

fn is_non_empty_dir(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(ExportError::bad_input(
            dir,
            "is a file, not a folder to export into",
        )),
        Err(e) => Err(ExportError::io(dir, e)),
    }
}

fn folder_name(dir: &Path) -> String {
    std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "mekong-model".to_string())
}

/// Reads one of the other stages' JSON reports with its own type; absent when not given.
fn read_json<T: serde::de::DeserializeOwned>(path: Option<&Path>) -> Result<Option<T>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| ExportError::io(path, e))?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        ExportError::bad_input(path, format!("cannot be read for the model card: {e}"))
    })
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    (serde_json::to_string_pretty(value).expect("JSON serialises") + "\n").into_bytes()
}

/// The training output folder a checkpoint folder belongs to (`<run>/checkpoints/step-N`).
pub(crate) fn training_dir(checkpoint: &Path) -> Option<&Path> {
    let parent = checkpoint.parent()?;
    (parent.file_name()? == CHECKPOINTS_DIR).then(|| parent.parent())?
}

/// The model card's sentence on the tokenizer's normaliser (Mekong writes NFC, or NFC and the
/// removal of invisible characters as a sequence; see `mekong_tokenizer::train::Normalizer`).
fn describe_normalizer(tokenizer: &tokenizers::Tokenizer) -> &'static str {
    match tokenizer.get_normalizer() {
        None => "It has no normaliser: give it NFC text (decomposed input costs more tokens).",
        Some(tokenizers::NormalizerWrapper::NFC(_)) => {
            "It normalises text to NFC first, so decomposed (NFD) input gets the same tokens."
        }
        Some(tokenizers::NormalizerWrapper::Sequence(_)) => {
            "It normalises text as the training text was: to NFC, so decomposed (NFD) input gets \
             the same tokens, and without zero-width spaces, word joiners, soft hyphens and \
             byte-order marks (Khmer, Lao, Thai and Burmese text often marks word breaks with \
             zero-width spaces)."
        }
        Some(_) => "It normalises text before splitting it (its tokenizer.json says how).",
    }
}
