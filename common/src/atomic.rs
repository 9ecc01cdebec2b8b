//! Atomic outputs: write everything into a hidden sibling folder or file, rename when complete.
//! An interrupted or failed stage leaves the previous output (or nothing) in place, never half a file.

use crate::{CommonError, Result};
use std::path::{Path, PathBuf};

/// A folder that becomes `target` only when [`StagingDir::commit`] is called. Dropping it
/// without committing removes the staged files.
#[derive(Debug)]
pub struct StagingDir {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagingDir {
    /// Creates an empty staging folder beside `target` (same file system, so the final rename is atomic).
    pub fn new(target: &Path) -> Result<Self> {
        let staging = sibling(target, "staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| CommonError::io(&staging, e))?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| CommonError::io(&staging, e))?;
        Ok(StagingDir {
            staging,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where to write the stage's files.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Replaces `target` with the staged folder. The old output is moved aside first and removed
    /// only after the new one is in place.
    pub fn commit(mut self) -> Result<PathBuf> {
        let previous = sibling(&self.target, "previous");
        if previous.exists() {
            std::fs::remove_dir_all(&previous).map_err(|e| CommonError::io(&previous, e))?;
        }
        if self.target.exists() {
            std::fs::rename(&self.target, &previous)
                .map_err(|e| CommonError::io(&self.target, e))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .map_err(|e| CommonError::io(&self.target, e))?;
        self.committed = true;
        if previous.exists() {
            std::fs::remove_dir_all(&previous).map_err(|e| CommonError::io(&previous, e))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Writes `bytes` to `path` through a temporary sibling file and a rename.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| CommonError::io(parent, e))?;
    }
    let temporary = sibling(path, "tmp");
    std::fs::write(&temporary, bytes).map_err(|e| CommonError::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| CommonError::io(path, e))
}

/// `dir/.name.suffix-PID`: hidden, unique to this process, on the same file system as `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let hidden = format!(".{name}.{suffix}-{}", std::process::id());
    match path.parent() {
        Some(parent) => parent.join(hidden),
        None => PathBuf::from(hidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_staging_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        {
            let staging = StagingDir::new(&target).unwrap();
            std::fs::write(staging.path().join("part.parquet"), "half").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn commit_replaces_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        let staging = StagingDir::new(&target).unwrap();
        std::fs::write(staging.path().join("new.txt"), "new").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("old.txt").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("new.txt")).unwrap(),
            "new"
        );
    }

    #[test]
    fn atomic_file_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.json");
        write_file_atomic(&path, b"{}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
