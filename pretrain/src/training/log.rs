//! `train-log.jsonl`: one line per step (loss, learning rate, gradient norm, speed) and the
//! validation results where they were measured.

use crate::{PretrainError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use mekong_common::artefacts::pretrain::LOG_FILE;

/// Validation results at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// Mean loss in nats per token over all windows.
    pub loss: f64,
    pub bits_per_byte: f64,
    /// language → (loss, bits per byte).
    pub languages: BTreeMap<String, (f64, f64)>,
}

/// One line of `train-log.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepLog {
    pub step: u64,
    pub loss: f64,
    pub lr: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Tokens trained on so far.
    pub tokens: u64,
    pub tokens_per_sec: f64,
    /// Model FLOPs utilisation, when the device's peak is known.
    pub mfu: Option<f64>,
    pub validation: Option<Validation>,
}

/// `train-log.jsonl`, appended one line per step. On resume, lines after the checkpoint's step
/// (written by the interrupted run after its last checkpoint) are dropped first, so the log
/// reads as one uninterrupted run.
pub(super) struct TrainLog {
    file: std::fs::File,
    path: PathBuf,
}

impl TrainLog {
    pub(super) fn open(output: &Path, resumed_step: u64) -> Result<Self> {
        std::fs::create_dir_all(output).map_err(|e| PretrainError::io(output, e))?;
        let path = output.join(LOG_FILE);
        let kept = if resumed_step > 0 && path.exists() {
            let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
            text.lines()
                .filter(|line| {
                    serde_json::from_str::<StepLog>(line).is_ok_and(|l| l.step <= resumed_step)
                })
                .map(|line| format!("{line}\n"))
                .collect::<String>()
        } else {
            String::new()
        };
        mekong_common::write_file_atomic(&path, kept.as_bytes())?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| PretrainError::io(&path, e))?;
        Ok(TrainLog { file, path })
    }

    pub(super) fn write(&mut self, entry: &StepLog) -> Result<()> {
        let line = serde_json::to_string(entry).expect("log entry serialises") + "\n";
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| PretrainError::io(&self.path, e))
    }
}

/// Reads `train-log.jsonl` of a training output folder.
pub fn read_log(output: &Path) -> Result<Vec<StepLog>> {
    let path = output.join(LOG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| PretrainError::BadInput {
                path: path.clone(),
                message: format!("line {}: {e}", i + 1),
            })
        })
        .collect()
}
