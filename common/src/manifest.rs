//! `manifest.json`: what a stage read (with sizes and hashes), with which parameters, by which
//! tool version, what it counted and what it wrote. The pipeline runner compares it with the
//! current inputs and parameters to decide whether a stage is cached.

use crate::stage::tidy;
use crate::{write_file_atomic, CommonError, FileRecord, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
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
        Self::staleness(dir, stage, inputs, parameters).is_none()
    }

    /// Why the stage in `dir` must run again, naming the first input, parameter or output that
    /// differs from its manifest; `None` when it is up to date.
    pub fn staleness(
        dir: &Path,
        stage: &str,
        inputs: &[PathBuf],
        parameters: &serde_json::Value,
    ) -> Option<String> {
        let previous = match Manifest::read(dir) {
            Ok(previous) => previous,
            Err(_) if !dir.join(MANIFEST_FILE).exists() => {
                return Some("no manifest.json: it has not run to the end here".to_string())
            }
            Err(e) => return Some(e.to_string()),
        };
        let current = match Manifest::new(stage, inputs, parameters.clone()) {
            Ok(current) => current,
            Err(e) => return Some(format!("an input cannot be read: {e}")),
        };
        if previous.stage != current.stage {
            return Some(format!("manifest.json is stage '{}'", previous.stage));
        }
        if previous.tool_version != current.tool_version {
            return Some(format!(
                "written by {}, this is {}",
                previous.tool_version, current.tool_version
            ));
        }
        if let Some(path) = first_difference(&previous.parameters, &current.parameters, "") {
            return Some(format!("parameter {path} changed"));
        }
        // Paths are compared as written tidily: a manifest from before paths were tidied
        // (`pipelines/../data/x.tsv`) still names the same file as `data/x.tsv`. Each path is
        // tidied once (tidying looks at the file system), then looked up by name.
        let recorded: BTreeMap<PathBuf, &FileRecord> =
            previous.inputs.iter().map(|p| (tidy(&p.path), p)).collect();
        let mut read_now = BTreeSet::new();
        for input in &current.inputs {
            let path = tidy(&input.path);
            match recorded.get(&path) {
                None => return Some(format!("new input {}", input.path.display())),
                Some(p) if p.sha256 != input.sha256 => {
                    return Some(format!("input {} changed", input.path.display()))
                }
                Some(_) => {}
            }
            read_now.insert(path);
        }
        if let Some((_, gone)) = recorded.iter().find(|(path, _)| !read_now.contains(*path)) {
            return Some(format!("no longer reads {}", gone.path.display()));
        }
        if let Some(missing) = previous.outputs.iter().find(|o| !dir.join(o).exists()) {
            return Some(format!("output {} is missing", dir.join(missing).display()));
        }
        None
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

/// The dotted path of the first value that differs between two parameter trees (`train.steps`),
/// `None` when they are equal.
fn first_difference(
    previous: &serde_json::Value,
    current: &serde_json::Value,
    at: &str,
) -> Option<String> {
    use serde_json::Value;
    let name = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    match (previous, current) {
        (Value::Object(old), Value::Object(new)) => {
            let keys = old
                .keys()
                .chain(new.keys().filter(|k| !old.contains_key(*k)));
            for key in keys {
                let (a, b) = (old.get(key), new.get(key));
                let missing = Value::Null;
                let found =
                    first_difference(a.unwrap_or(&missing), b.unwrap_or(&missing), &name(key));
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ if previous == current => None,
        _ => Some(if at.is_empty() {
            "(all)".to_string()
        } else {
            at.to_string()
        }),
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
    fn staleness_names_what_differs() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        std::fs::write(&a, "một").unwrap();
        std::fs::write(&b, "hai").unwrap();
        let out = dir.path().join("out");
        let params = json!({"train": {"steps": 10, "lr": 0.1}});
        Manifest::new("pretrain", &[a.clone(), b.clone()], params.clone())
            .unwrap()
            .write(&out)
            .unwrap();
        let why = |inputs: &[PathBuf], params: &serde_json::Value| {
            Manifest::staleness(&out, "pretrain", inputs, params)
        };
        assert_eq!(why(&[a.clone(), b.clone()], &params), None);
        let more_steps = json!({"train": {"steps": 20, "lr": 0.1}});
        assert_eq!(
            why(&[a.clone(), b.clone()], &more_steps).unwrap(),
            "parameter train.steps changed"
        );
        assert!(why(std::slice::from_ref(&a), &params)
            .unwrap()
            .starts_with("no longer reads"));
        std::fs::write(&b, "ba").unwrap();
        let changed = why(&[a.clone(), b.clone()], &params).unwrap();
        assert_eq!(changed, format!("input {} changed", b.display()));
        let never = Manifest::staleness(&dir.path().join("none"), "eval", &[], &params);
        assert!(never.unwrap().contains("no manifest.json"));
    }

    #[test]
    fn inputs_recorded_with_parent_steps_still_match() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let tidy_input = dir.path().join("data/vi.txt");
        std::fs::write(&tidy_input, "một").unwrap();
        let recorded = dir.path().join("data/../data/vi.txt");
        let out = dir.path().join("out");
        Manifest::new("corpus", std::slice::from_ref(&recorded), json!({}))
            .unwrap()
            .write(&out)
            .unwrap();
        assert_eq!(
            Manifest::staleness(&out, "corpus", &[tidy_input], &json!({})),
            None
        );
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
