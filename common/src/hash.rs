//! Content hashes of stage inputs, so a stage can tell whether its inputs changed since it ran.

use crate::{CommonError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One input or output file as recorded in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: PathBuf,
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the file's content.
    pub sha256: String,
}

impl FileRecord {
    /// Reads and hashes `path`. A folder is recorded as the hash of its files' records, in
    /// sorted order, so a corpus folder counts as one input.
    pub fn of(path: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| CommonError::io(path, e))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| CommonError::io(path, e))?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<std::io::Result<_>>()
                .map_err(|e| CommonError::io(path, e))?;
            entries.sort();
            let mut hasher = Sha256::new();
            let mut bytes = 0;
            for entry in entries {
                let record = FileRecord::of(&entry)?;
                bytes += record.bytes;
                let name = entry.file_name().unwrap_or_default().to_string_lossy();
                hasher.update(name.as_bytes());
                hasher.update(record.sha256.as_bytes());
            }
            return Ok(FileRecord {
                path: path.to_path_buf(),
                bytes,
                sha256: hex(&hasher.finalize()),
            });
        }
        Ok(FileRecord {
            path: path.to_path_buf(),
            bytes: meta.len(),
            sha256: hash_file(path)?,
        })
    }
}

/// The files a stage reads from an input path, for its manifest: the path itself when it is a
/// file, else the [`visible_files`] of the folder with one of `extensions`. So a corpus folder
/// counts by its shards (`*.parquet`), not by its `stats.json` or `rejected/`, and a rerun
/// upstream that leaves the shards byte-identical leaves the stages downstream cached. A folder
/// that cannot be listed is returned as it is, so that hashing it reports the problem.
pub fn files_read(path: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    visible_files(path, extensions).unwrap_or_else(|_| vec![path.to_path_buf()])
}

/// The files directly in `dir` whose extension is one of `extensions`, sorted. Hidden files
/// (a stage's staging, an editor's swap files) and subfolders are left out: every stage lists
/// a folder of inputs this way.
pub fn visible_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| CommonError::io(dir, e))? {
        let path = entry.map_err(|e| CommonError::io(dir, e))?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        let wanted = path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x));
        if !hidden && wanted && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// SHA-256 of a file's content, streamed in 1 MiB blocks.
pub fn hash_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| CommonError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| CommonError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hexadecimal of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_known_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(
            hash_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn folder_hash_changes_with_any_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "one").unwrap();
        std::fs::write(dir.path().join("b.txt"), "two").unwrap();
        let before = FileRecord::of(dir.path()).unwrap();
        assert_eq!(before.bytes, 6);
        std::fs::write(dir.path().join("b.txt"), "tw0").unwrap();
        assert_ne!(before.sha256, FileRecord::of(dir.path()).unwrap().sha256);
    }
}
