//! One `mekong run` per workdir at a time. Two runs on the same workdir would stage, commit and
//! set aside the same stage folders under each other; the second one is refused instead.
//!
//! The lock is a file `<workdir>/.mekong.lock` created exclusively (`O_EXCL`), holding the
//! owner's process id. A lock whose process is gone (a run killed with SIGKILL) is stale: the
//! next run removes it and takes the lock, and of two runs that find it stale at once only one
//! creates the new file. The file is removed when the run ends, also on error.

use crate::atomic::process_runs;
use crate::{CommonError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name inside the workdir.
pub const LOCK_FILE: &str = ".mekong.lock";

/// Held while a run uses the workdir; dropping it releases the lock.
#[derive(Debug)]
pub struct WorkdirLock {
    path: PathBuf,
}

impl WorkdirLock {
    /// Takes the lock of `workdir` (created if missing), taking over a stale one.
    pub fn acquire(workdir: &Path) -> Result<Self> {
        std::fs::create_dir_all(workdir).map_err(|e| CommonError::io(workdir, e))?;
        let path = workdir.join(LOCK_FILE);
        // Two attempts: the second after removing a stale lock.
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let pid = std::process::id();
                    file.write_all(format!("{pid}\n").as_bytes())
                        .map_err(|e| CommonError::io(&path, e))?;
                    return Ok(WorkdirLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    match owner(&path) {
                        Some(pid) if process_runs(pid) => {
                            return Err(CommonError::Locked {
                                workdir: workdir.to_path_buf(),
                                pid,
                            })
                        }
                        // The owner is gone, or the file is not a lock we wrote: stale.
                        _ => match std::fs::remove_file(&path) {
                            Ok(()) => {}
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                            Err(e) => return Err(CommonError::io(&path, e)),
                        },
                    }
                }
                Err(e) => return Err(CommonError::io(&path, e)),
            }
        }
        // Another run took the stale lock between our removal and our second attempt.
        Err(CommonError::Locked {
            workdir: workdir.to_path_buf(),
            pid: owner(&path).unwrap_or(0),
        })
    }
}

impl Drop for WorkdirLock {
    fn drop(&mut self) {
        // Only our own lock: a run that found ours stale (it cannot, while we run) owns its own.
        if owner(&self.path) == Some(std::process::id()) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The process id a lock file names; `None` when it is unreadable or names none.
fn owner(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_lock_refuses_a_stale_one_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let lock = WorkdirLock::acquire(dir.path()).unwrap();
        let error = WorkdirLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "in use by another mekong run (process {})",
                std::process::id()
            )),
            "{error}"
        );
        drop(lock);
        assert!(!dir.path().join(LOCK_FILE).exists());

        // A process that has exited: its lock is stale.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), format!("{dead}\n")).unwrap();
        let lock = WorkdirLock::acquire(dir.path()).unwrap();
        assert_eq!(owner(&dir.path().join(LOCK_FILE)), Some(std::process::id()));
        drop(lock);
        std::fs::write(dir.path().join(LOCK_FILE), "not a pid").unwrap();
        WorkdirLock::acquire(dir.path()).unwrap();
    }
}
