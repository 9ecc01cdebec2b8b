//! Atomic outputs: write everything into a hidden sibling folder or file, rename when complete.
//! An interrupted or failed stage leaves the previous output (or nothing) in place, never half a file.
//!
//! A process killed outright (SIGKILL, the OOM killer, a node going down) cannot clean up, so the
//! next writer of the same target removes the hidden siblings of processes that no longer run.

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
        remove_stale_siblings(target)?;
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
    write_files_atomic(&[(path, bytes)])
}

/// Writes files that belong together (a tokenizer.json and its training.json): each to a
/// temporary sibling first, then renames them all. A failed write (a full disk) removes the
/// temporaries and leaves every earlier file as it was, so no new file sits beside an old one.
pub fn write_files_atomic(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut written = Vec::with_capacity(files.len());
    for &(path, bytes) in files {
        match write_temporary(path, bytes) {
            Ok(temporary) => written.push((temporary, path)),
            Err(error) => {
                for (temporary, _) in &written {
                    let _ = std::fs::remove_file(temporary);
                }
                return Err(error);
            }
        }
    }
    for (temporary, path) in written {
        std::fs::rename(&temporary, path).map_err(|e| CommonError::io(path, e))?;
    }
    Ok(())
}

/// Writes `bytes` to a new hidden sibling of `path` and returns it; on error nothing is left.
fn write_temporary(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| CommonError::io(parent, e))?;
    }
    remove_stale_siblings(path)?;
    let temporary = sibling(path, "tmp");
    std::fs::write(&temporary, bytes).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        CommonError::io(&temporary, e)
    })?;
    Ok(temporary)
}

/// The kinds of hidden sibling this module writes: a staging folder, the earlier output moved
/// aside during a commit, a file being written.
const SIBLING_KINDS: [&str; 3] = ["staging", "previous", "tmp"];

/// `dir/.name.suffix-PID`: hidden, unique to this process, on the same file system as `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let hidden = format!(".{name}.{suffix}-{}", std::process::id());
    match path.parent() {
        Some(parent) => parent.join(hidden),
        None => PathBuf::from(hidden),
    }
}

/// Removes the hidden siblings of `path` left by processes that no longer run. An earlier output
/// a killed commit had moved aside, with nothing in its place yet, is moved back instead: it is
/// the last complete output.
fn remove_stale_siblings(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(()); // nothing written here yet
    };
    let prefix = format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.rsplit_once('-'))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if !SIBLING_KINDS.contains(&kind) || pid == std::process::id() || process_runs(pid) {
            continue;
        }
        let stale = entry.path();
        let outcome = if kind == "previous" && !path.exists() {
            std::fs::rename(&stale, path)
        } else if stale.is_dir() {
            std::fs::remove_dir_all(&stale)
        } else {
            std::fs::remove_file(&stale)
        };
        outcome.map_err(|e| CommonError::io(&stale, e))?;
    }
    Ok(())
}

/// Whether a process with this id runs. Without a readable process table (`/proc`) every
/// process is assumed to run, so nothing is removed.
pub(crate) fn process_runs(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new(&format!("/proc/{pid}")).exists()
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

    /// A process id no process has: above Linux's largest (2^22).
    const GONE: u32 = 4_999_999;

    #[test]
    fn a_killed_writers_leftovers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let stale = dir.path().join(format!(".out.staging-{GONE}"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("part.parquet"), "half").unwrap();
        let stale_file = dir.path().join(format!(".report.json.tmp-{GONE}"));
        std::fs::write(&stale_file, "{").unwrap();
        // A live process's staging folder (this test's parent, say) is not touched.
        let live = dir.path().join(format!(
            ".out.staging-{}",
            std::os::unix::process::parent_id()
        ));
        std::fs::create_dir(&live).unwrap();
        let other = dir.path().join(format!(".other.staging-{GONE}"));
        std::fs::create_dir(&other).unwrap();

        let staging = StagingDir::new(&target).unwrap();
        staging.commit().unwrap();
        write_file_atomic(&dir.path().join("report.json"), b"{}").unwrap();
        assert!(!stale.exists() && !stale_file.exists());
        assert!(live.exists() && other.exists());
    }

    #[test]
    fn an_output_moved_aside_by_a_killed_commit_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let aside = dir.path().join(format!(".out.previous-{GONE}"));
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("manifest.json"), "{}").unwrap();
        let staging = StagingDir::new(&target).unwrap();
        assert!(target.join("manifest.json").is_file());
        drop(staging);
        assert!(target.join("manifest.json").is_file());
    }
}
