//! Checkpoints: one folder per saved step,
//!
//! ```text
//! checkpoints/step-00000100/
//!   model.mpk        burn record of the model (named MessagePack, f32)
//!   optimizer.mpk    burn record of AdamW's moments (absent in an exported model)
//!   checkpoint.json  CheckpointMeta: step, model config, tokenizer size and hash, training
//!                    parameters, data sampler state, and the size and SHA-256 of each file
//! ```
//!
//! A folder is written beside its final name and renamed into place when complete, so a crash
//! never leaves a half checkpoint; loading checks every file's size and hash first, so a truncated
//! or altered file is reported as such instead of surfacing as a decoder error.

use crate::model::{Model, ModelConfig};
use crate::{PretrainError, Result};
use burn::module::Module;
use burn::optim::Optimizer;
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
use burn::tensor::backend::{AutodiffBackend, Backend};
use mekong_common::{hash_file, StagingDir};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const META_FILE: &str = "checkpoint.json";
pub const MODEL_FILE: &str = "model.mpk";
pub const OPTIMIZER_FILE: &str = "optimizer.mpk";
/// Folder, under a training output folder, that holds the `step-*` checkpoints.
pub const CHECKPOINTS_DIR: &str = "checkpoints";
const FORMAT_VERSION: u32 = 1;

/// Records are full-precision named MessagePack: readable by any burn backend and precision.
pub(crate) type CheckpointRecorder = NamedMpkBytesRecorder<FullPrecisionSettings>;

/// The tokenizer a model was trained with: its vocabulary must match the model's embedding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerInfo {
    pub vocab_size: usize,
    /// SHA-256 of the `tokenizer.json` file.
    pub sha256: String,
}

impl TokenizerInfo {
    /// Reads a `tokenizer.json`: its vocabulary size (added tokens included) and file hash.
    pub fn of(path: &Path) -> Result<Self> {
        let tokenizer = crate::tokenize::load_tokenizer(path)?;
        Ok(TokenizerInfo {
            vocab_size: tokenizer.get_vocab_size(true),
            sha256: hash_file(path)?,
        })
    }
}

/// One file of a checkpoint, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// `checkpoint.json`: everything needed to rebuild the model and continue training exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub format_version: u32,
    /// Optimizer steps taken.
    pub step: u64,
    pub model: ModelConfig,
    pub tokenizer: TokenizerInfo,
    /// The training parameters of the run (a `TrainConfig` as JSON).
    pub training: serde_json::Value,
    /// Where the run stands: sampler position, tokens seen, last losses.
    pub state: serde_json::Value,
    pub files: Vec<CheckpointFile>,
}

/// Writes a checkpoint folder at `dir` atomically: `records` are `(file name, bytes)`.
pub(crate) fn write_checkpoint(
    dir: &Path,
    mut meta: CheckpointMeta,
    records: &[(&str, Vec<u8>)],
) -> Result<()> {
    let staging = StagingDir::new(dir)?;
    meta.format_version = FORMAT_VERSION;
    meta.files.clear();
    for (name, bytes) in records {
        let path = staging.path().join(name);
        std::fs::write(&path, bytes).map_err(|e| PretrainError::io(&path, e))?;
        meta.files.push(CheckpointFile {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
        });
    }
    let text = serde_json::to_string_pretty(&meta).expect("checkpoint metadata serialises");
    let meta_path = staging.path().join(META_FILE);
    std::fs::write(&meta_path, text + "\n").map_err(|e| PretrainError::io(&meta_path, e))?;
    staging.commit()?;
    Ok(())
}

/// Serialises a model's weights with the checkpoint recorder.
pub(crate) fn model_bytes<B: Backend>(model: &Model<B>) -> Result<Vec<u8>> {
    CheckpointRecorder::default()
        .record(model.clone().into_record(), ())
        .map_err(|e| PretrainError::Config {
            message: format!("cannot serialise the model: {e}"),
        })
}

/// Reads `checkpoint.json` of a checkpoint folder and verifies every file it lists.
pub fn read_checkpoint_meta(dir: &Path) -> Result<CheckpointMeta> {
    let meta_path = dir.join(META_FILE);
    let bad = |message: String| PretrainError::Checkpoint {
        path: dir.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(&meta_path).map_err(|e| {
        bad(format!(
            "cannot read {META_FILE} ({e}); is this a checkpoint folder?"
        ))
    })?;
    let meta: CheckpointMeta = serde_json::from_str(&text)
        .map_err(|e| bad(format!("{META_FILE} is damaged or truncated: {e}")))?;
    if meta.format_version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {} is not the supported {FORMAT_VERSION}",
            meta.format_version
        )));
    }
    meta.model
        .validate()
        .map_err(|e| bad(format!("{META_FILE}: {e}")))?;
    let weights = meta
        .files
        .iter()
        .find(|file| file.name == MODEL_FILE)
        .ok_or_else(|| bad(format!("{META_FILE} lists no {MODEL_FILE}")))?;
    // The weights are f32: a record smaller than the declared parameters cannot hold them, and
    // building the model would first allocate what a damaged config declares.
    let parameters = meta.model.num_params();
    if (parameters as u64)
        .checked_mul(4)
        .is_none_or(|bytes| bytes > weights.bytes)
    {
        return Err(bad(format!(
            "{META_FILE} declares a model of {parameters} parameters, more than the {} bytes of \
             {MODEL_FILE} hold: the record is damaged",
            weights.bytes
        )));
    }
    for file in &meta.files {
        // A plain name in the folder: a damaged record must not send the check elsewhere.
        if Path::new(&file.name).file_name() != Some(std::ffi::OsStr::new(&file.name)) {
            return Err(bad(format!(
                "{META_FILE} lists {:?}, which is not a file of this folder",
                file.name
            )));
        }
        let path = dir.join(&file.name);
        let bytes = std::fs::metadata(&path)
            .map_err(|e| bad(format!("{} is missing: {e}", file.name)))?
            .len();
        if bytes != file.bytes {
            return Err(bad(format!(
                "{} has {bytes} bytes but {} were written: the file is truncated or damaged",
                file.name, file.bytes
            )));
        }
        if hash_file(&path)? != file.sha256 {
            return Err(bad(format!(
                "{} does not match the SHA-256 recorded when it was written: the file is damaged",
                file.name
            )));
        }
    }
    Ok(meta)
}

/// Reads a verified record file of a checkpoint.
pub(crate) fn read_record_bytes(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| PretrainError::Checkpoint {
        path: dir.to_path_buf(),
        message: format!("cannot read {name}: {e}"),
    })
}

/// Loads a model from a checkpoint folder, or from the latest checkpoint of a training output
/// folder. Returns the model (weights on `device`), its config and the checkpoint's metadata.
pub fn load_checkpoint<B: Backend>(
    dir: &Path,
    device: &B::Device,
) -> Result<(Model<B>, ModelConfig, CheckpointMeta)> {
    let dir = resolve_checkpoint_dir(dir)?;
    let meta = read_checkpoint_meta(&dir)?;
    let model = load_model_record(&dir, &meta.model, device)?;
    Ok((model, meta.model.clone(), meta))
}

/// Builds the model of `config` and loads the weights of checkpoint `dir` into it.
pub(crate) fn load_model_record<B: Backend>(
    dir: &Path,
    config: &ModelConfig,
    device: &B::Device,
) -> Result<Model<B>> {
    let bytes = read_record_bytes(dir, MODEL_FILE)?;
    let record = CheckpointRecorder::default()
        .load(bytes, device)
        .map_err(|e| PretrainError::Checkpoint {
            path: dir.to_path_buf(),
            message: format!("{MODEL_FILE} cannot be decoded: {e}"),
        })?;
    Ok(config.init::<B>(device)?.load_record(record))
}

/// A checkpoint folder itself, or the latest checkpoint under a training output folder.
pub fn resolve_checkpoint_dir(dir: &Path) -> Result<PathBuf> {
    if dir.join(META_FILE).exists() {
        return Ok(dir.to_path_buf());
    }
    latest_checkpoint(dir)?.ok_or_else(|| PretrainError::Checkpoint {
        path: dir.to_path_buf(),
        message: format!(
            "no {META_FILE} here and no {CHECKPOINTS_DIR}/step-* folder under it; \
             pass a checkpoint folder or a training output folder"
        ),
    })
}

/// The highest-step checkpoint under `run_dir/checkpoints`, if any.
pub fn latest_checkpoint(run_dir: &Path) -> Result<Option<PathBuf>> {
    let root = run_dir.join(CHECKPOINTS_DIR);
    if !root.is_dir() {
        return Ok(None);
    }
    let mut best: Option<(u64, PathBuf)> = None;
    for entry in std::fs::read_dir(&root).map_err(|e| PretrainError::io(&root, e))? {
        let path = entry.map_err(|e| PretrainError::io(&root, e))?.path();
        let Some(step) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("step-"))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| step > *b) {
            best = Some((step, path));
        }
    }
    Ok(best.map(|(_, path)| path))
}

/// Folder name of the checkpoint at `step` (zero-padded so names sort by step).
pub fn checkpoint_dir_name(step: u64) -> String {
    format!("step-{step:08}")
}

/// Fails with a clear message when `tokenizer` is not the vocabulary checkpoint `dir` was
/// trained with (size differs). A same-size tokenizer with another hash is allowed but
/// reported by the returned `false`.
pub fn check_tokenizer_matches(tokenizer: &Path, dir: &Path) -> Result<bool> {
    let checkpoint = resolve_checkpoint_dir(dir)?;
    let meta = read_checkpoint_meta(&checkpoint)?;
    let info = TokenizerInfo::of(tokenizer)?;
    if info.vocab_size != meta.tokenizer.vocab_size {
        return Err(PretrainError::VocabMismatch {
            tokenizer: tokenizer.to_path_buf(),
            tokenizer_vocab: info.vocab_size,
            checkpoint,
            checkpoint_vocab: meta.tokenizer.vocab_size,
        });
    }
    Ok(info.sha256 == meta.tokenizer.sha256)
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the model and optimizer state of `meta.step` into `output/checkpoints/step-NNNNNNNN`.
pub(crate) fn save_checkpoint<B: AutodiffBackend, O: Optimizer<Model<B>, B>>(
    output: &Path,
    model: &Model<B>,
    optimizer: &O,
    meta: CheckpointMeta,
) -> Result<PathBuf> {
    let model_bytes = model_bytes(model)?;
    let optimizer_bytes = CheckpointRecorder::default()
        .record(optimizer.to_record(), ())
        .map_err(|e| PretrainError::Config {
            message: format!("cannot serialise the optimizer state: {e}"),
        })?;
    let dir = output
        .join(CHECKPOINTS_DIR)
        .join(checkpoint_dir_name(meta.step));
    std::fs::create_dir_all(output.join(CHECKPOINTS_DIR))
        .map_err(|e| PretrainError::io(output.join(CHECKPOINTS_DIR), e))?;
    write_checkpoint(
        &dir,
        meta,
        &[(MODEL_FILE, model_bytes), (OPTIMIZER_FILE, optimizer_bytes)],
    )?;
    Ok(dir)
}

/// Removes all but the newest `keep` checkpoints (0 keeps all).
pub(crate) fn prune_checkpoints(output: &Path, keep: usize) -> Result<()> {
    if keep == 0 {
        return Ok(());
    }
    let root = output.join(CHECKPOINTS_DIR);
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| PretrainError::io(&root, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("step-"))
        })
        .collect();
    steps.sort();
    for old in steps.iter().rev().skip(keep) {
        std::fs::remove_dir_all(old).map_err(|e| PretrainError::io(old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuBackend;
    use burn::tensor::{Int, Tensor, TensorData, Tolerance};

    fn meta(config: &ModelConfig) -> CheckpointMeta {
        CheckpointMeta {
            format_version: 0,
            step: 7,
            model: config.clone(),
            tokenizer: TokenizerInfo {
                vocab_size: config.vocab_size,
                sha256: "00".repeat(32),
            },
            training: serde_json::json!({}),
            state: serde_json::json!({}),
            files: Vec::new(),
        }
    }

    #[test]
    fn save_then_load_gives_identical_logits() {
        let dir = tempfile::tempdir().unwrap();
        let device = Default::default();
        let config = ModelConfig::preset("tiny", 64).unwrap();
        let model = config.init::<CpuBackend>(&device).unwrap();
        let target = dir.path().join(checkpoint_dir_name(7));
        write_checkpoint(
            &target,
            meta(&config),
            &[(MODEL_FILE, model_bytes(&model).unwrap())],
        )
        .unwrap();
        let (loaded, loaded_config, loaded_meta) =
            load_checkpoint::<CpuBackend>(&target, &device).unwrap();
        assert_eq!(loaded_config, config);
        assert_eq!(loaded_meta.step, 7);
        let ids = Tensor::<CpuBackend, 2, Int>::from_data(
            TensorData::new(vec![3i64, 1, 4, 1, 5, 9, 2, 6], [2, 4]),
            &device,
        );
        loaded
            .forward(ids.clone())
            .into_data()
            .assert_approx_eq::<f32>(&model.forward(ids).into_data(), Tolerance::absolute(0.0));
    }

    #[test]
    fn latest_checkpoint_is_the_highest_step() {
        let dir = tempfile::tempdir().unwrap();
        let config = ModelConfig::preset("tiny", 16).unwrap();
        for step in [2, 10, 9] {
            let target = dir
                .path()
                .join(CHECKPOINTS_DIR)
                .join(checkpoint_dir_name(step));
            write_checkpoint(&target, meta(&config), &[]).unwrap();
        }
        let latest = latest_checkpoint(dir.path()).unwrap().unwrap();
        assert!(latest.ends_with("step-00000010"));
        assert!(resolve_checkpoint_dir(&dir.path().join("nothing")).is_err());
    }

    #[test]
    fn damaged_metadata_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(META_FILE), "{\"format_version\": 1, \"st").unwrap();
        let error = read_checkpoint_meta(dir.path()).unwrap_err().to_string();
        assert!(error.contains("truncated"), "{error}");
    }
}
