//! What the steps of a sharded corpus run hand each other: records in MessagePack streams, one
//! file per task and kind, read back whole by the step that needs them.

use crate::error::{CorpusError, Result};
use crate::DropReason;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A segment's place in the run: its unit, then its place in the unit. Ordered as the input.
pub type SegmentId = u64;

pub fn segment_id(unit: usize, position: usize) -> SegmentId {
    (unit as u64) << 32 | position as u64
}

pub fn unit_of(id: SegmentId) -> usize {
    (id >> 32) as usize
}

/// A segment as the map step leaves it for the write step.
#[derive(Debug, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// Its line in its unit (its file's line, for a unit that is a whole file).
    pub line: u64,
    pub raw_bytes: u64,
    pub src: String,
    pub tgt: Option<String>,
    pub changed: (u32, u32),
    pub fate: Fate,
}

/// What the map step could decide of a segment alone.
#[derive(Debug, Serialize, Deserialize)]
pub enum Fate {
    /// A copy of a text read before in the same task.
    Copy,
    /// Dropped by a filter or as contaminated (unless a copy of an earlier text elsewhere).
    Dropped { reason: DropReason, detail: String },
    /// Passed everything the map step checks.
    Candidate,
}

/// The exact key of a text read for the first time in its task.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExactRecord {
    pub key: u128,
    pub id: SegmentId,
    pub candidate: bool,
}

/// What kind of key two candidates may share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum KeyKind {
    /// The exact key of one side of a pair (`exact_each_side`).
    Side,
    /// One band of the MinHash signature.
    Band,
}

/// A key of a candidate, with the candidate's own exact key.
#[derive(Debug, Serialize, Deserialize)]
pub struct NearRecord {
    pub kind: KeyKind,
    pub key: u128,
    pub id: SegmentId,
    pub exact: u128,
}

/// A key a candidate shares with another.
#[derive(Debug, Serialize, Deserialize)]
pub struct Collision {
    pub id: SegmentId,
    pub kind: KeyKind,
    pub key: u128,
}

/// Writes records one after another.
pub struct RecordWriter {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
}

impl RecordWriter {
    pub fn create(path: &Path) -> Result<Self> {
        let file = std::fs::File::create(path).map_err(|e| CorpusError::io(path, e))?;
        Ok(RecordWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
        })
    }

    pub fn push<T: Serialize>(&mut self, record: &T) -> Result<()> {
        rmp_serde::encode::write(&mut self.out, record).map_err(|e| {
            CorpusError::bad_file(&self.path, format!("cannot write a task record: {e}"))
        })
    }

    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|e| CorpusError::io(&self.path, e))
    }
}

/// Every record of a file [`RecordWriter`] wrote.
pub fn read_records<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let file = std::fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
    let length = file.metadata().map_err(|e| CorpusError::io(path, e))?.len();
    let mut input = BufReader::with_capacity(1 << 16, file);
    let mut records = Vec::new();
    let mut consumed = 0;
    while consumed < length {
        let mut counted = CountingReader {
            inner: &mut input,
            count: 0,
        };
        let record = rmp_serde::decode::from_read(&mut counted)
            .map_err(|e| CorpusError::bad_file(path, format!("damaged task record: {e}")))?;
        consumed += counted.count;
        records.push(record);
    }
    Ok(records)
}

struct CountingReader<'a, R> {
    inner: &'a mut R,
    count: u64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Writes a small JSON record.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_vec(value).expect("task records serialise");
    std::fs::write(path, text).map_err(|e| CorpusError::io(path, e))
}

pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read(path).map_err(|e| CorpusError::io(path, e))?;
    serde_json::from_slice(&text)
        .map_err(|e| CorpusError::bad_file(path, format!("damaged task record: {e}")))
}

/// The partition a key goes to among `parts` (keys are uniform hashes already).
pub fn partition(key: u128, parts: usize) -> usize {
    ((key as u64 ^ (key >> 64) as u64) % parts as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_damage_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.bin");
        let mut writer = RecordWriter::create(&path).unwrap();
        for id in [3, segment_id(7, 2)] {
            writer
                .push(&ExactRecord {
                    key: u128::MAX - id as u128,
                    id,
                    candidate: id == 3,
                })
                .unwrap();
        }
        writer.finish().unwrap();
        let back: Vec<ExactRecord> = read_records(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!((back[1].id, unit_of(back[1].id)), (segment_id(7, 2), 7));
        assert_eq!(back[0].key, u128::MAX - 3);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let error = read_records::<ExactRecord>(&path).unwrap_err().to_string();
        assert!(
            error.contains("keys.bin") && error.contains("damaged"),
            "{error}"
        );
    }
}
