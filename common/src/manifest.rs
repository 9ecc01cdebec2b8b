//! `manifest.json`: what a stage read (with sizes and hashes), with which parameters, by which
//! tool version, what it counted and what it wrote. The pipeline runner compares it with the
//! current inputs and parameters to decide whether a stage is cached.

use crate::{write_file_atomic, CommonError, FileRecord, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The stage that wrote it: `corpus`, `tokenizer`, `tokenizer-report`, `pretrain`, `eval`.
    pub stage: String,
    /// `mekong <version>`.
    pub tool_version: String,
    pub inputs: Vec<FileRecord>,
    /// The stage's resolved parameters, exactly as the stage used them.
    pub parameters: serde_json::Value,
    /// Stage-specific counts (segments kept, merges learned, steps trained, ...).
    pub counts: serde_json::Value,
    /// Output files, relative to the manifest's folder.
    pub outputs: Vec<PathBuf>,
}

impl Manifest {
    /// Starts a manifest for `stage`, hashing every input now (before the stage reads them, so a
    /// file changed during the run makes the next run see a mismatch).
    pub fn new(stage: &str, inputs: &[PathBuf], parameters: serde_json::Value) -> Result<Self> {
        Ok(Manifest {
            stage: stage.to_string(),
            tool_version: tool_version(),
            inputs: inputs
                .iter()
                .map(|p| FileRecord::of(p))
                .collect::<Result<_>>()?,
            parameters,
            counts: serde_json::Value::Null,
            outputs: Vec::new(),
        })
    }

    /// Reads `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Self> {
        Self::read_file(&dir.join(MANIFEST_FILE))
    }

    /// Reads a manifest saved under another name (a record of a run in progress, say).
    pub fn read_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| CommonError::io(path, e))?;
        serde_json::from_str(&text).map_err(|source| CommonError::BadManifest {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes `dir/manifest.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        self.write_file(&dir.join(MANIFEST_FILE))
    }

    /// Writes the manifest to `path` atomically.
    pub fn write_file(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serialises");
        text.push('\n');
        write_file_atomic(path, text.as_bytes())
    }

    /// True when the manifest in `dir` was written by this tool version for these exact
    /// parameters and inputs (content hashes compared), and all its outputs still exist.
    pub fn is_fresh(
        dir: &Path,
        stage: &str,
        inputs: &[PathBuf],
        parameters: &serde_json::Value,
    ) -> bool {
        let Ok(previous) = Manifest::read(dir) else {
            return false;
        };
        let Ok(current) = Manifest::new(stage, inputs, parameters.clone()) else {
            return false;
        };
        previous.same_run(&current) && previous.outputs.iter().all(|o| dir.join(o).exists())
    }

    /// True when both describe the same work: stage, tool version, parameters and inputs (by
    /// content hash). Counts and outputs are not compared.
    pub fn same_run(&self, other: &Manifest) -> bool {
        self.stage == other.stage
            && self.tool_version == other.tool_version
            && self.parameters == other.parameters
            && self.inputs == other.inputs
    }
}

/// The version recorded in manifests; a new Mekong release invalidates cached stages.
pub fn tool_version() -> String {
    format!("mekong {}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fresh_until_input_or_parameters_change() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        std::fs::write(&input, "xin chào").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("part-00000.parquet"), "x").unwrap();
        let params = json!({"min_chars": 3});
        let mut manifest =
            Manifest::new("corpus", std::slice::from_ref(&input), params.clone()).unwrap();
        manifest.outputs.push("part-00000.parquet".into());
        manifest.write(&out).unwrap();

        assert!(Manifest::is_fresh(
            &out,
            "corpus",
            std::slice::from_ref(&input),
            &params
        ));
        assert!(!Manifest::is_fresh(
            &out,
            "corpus",
            std::slice::from_ref(&input),
            &json!({"min_chars": 4})
        ));
        std::fs::write(&input, "xin chao").unwrap();
        assert!(!Manifest::is_fresh(
            &out,
            "corpus",
            std::slice::from_ref(&input),
            &params
        ));
    }

    #[test]
    fn missing_output_is_not_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::new("eval", &[], json!({})).unwrap();
        manifest.outputs.push("eval.json".into());
        manifest.write(dir.path()).unwrap();
        assert!(!Manifest::is_fresh(dir.path(), "eval", &[], &json!({})));
    }
}
