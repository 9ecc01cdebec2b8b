//! Moses: two plain-text files, line k of one translating line k of the other. Different line
//! counts mean the files are misaligned, which would silently pair wrong translations: an error.

use super::{LineReader, RawSegment, SegmentReader};
use crate::config::InputConfig;
use crate::error::{CorpusError, Result};
use std::path::Path;

pub struct MosesReader {
    src: LineReader,
    tgt: LineReader,
    skipped: u64,
    skip_bad: bool,
}

impl MosesReader {
    pub fn open(src: &Path, tgt: &Path, input: &InputConfig) -> Result<Self> {
        // Bad lines are judged per pair here, so both sides are skipped together.
        let strict = InputConfig {
            skip_bad_lines: false,
            ..input.clone()
        };
        Ok(MosesReader {
            src: LineReader::open(src, &strict)?,
            tgt: LineReader::open(tgt, &strict)?,
            skipped: 0,
            skip_bad: input.skip_bad_lines,
        })
    }
}

impl MosesReader {
    fn mismatch(&self, src_is_longer: bool, line: u64) -> CorpusError {
        let (longer, shorter) = if src_is_longer {
            (self.src.path(), self.tgt.path())
        } else {
            (self.tgt.path(), self.src.path())
        };
        CorpusError::bad_line(
            longer,
            line,
            format!(
                "Moses files have different line counts: {} ends after line {}; the two files \
                 must be aligned line by line",
                shorter.display(),
                line - 1
            ),
        )
    }
}

impl SegmentReader for MosesReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        loop {
            let src = self
                .src
                .next_line()?
                .map(|(n, t)| (n, t.map(str::to_string)));
            let tgt = self
                .tgt
                .next_line()?
                .map(|(n, t)| (n, t.map(str::to_string)));
            let ((line, src), (_, tgt)) = match (src, tgt) {
                (None, None) => return Ok(None),
                (Some(s), Some(t)) => (s, t),
                (Some((line, _)), None) => return Err(self.mismatch(true, line)),
                (None, Some((line, _))) => return Err(self.mismatch(false, line)),
            };
            match (src, tgt) {
                (Ok(src), Ok(tgt)) => {
                    return Ok(Some(RawSegment {
                        line,
                        src,
                        tgt: Some(tgt),
                    }))
                }
                (Err(reason), _) if !self.skip_bad => {
                    return Err(CorpusError::bad_line(self.src.path(), line, reason))
                }
                (_, Err(reason)) if !self.skip_bad => {
                    return Err(CorpusError::bad_line(self.tgt.path(), line, reason))
                }
                _ => self.skipped += 1,
            }
        }
    }

    fn skipped_lines(&self) -> u64 {
        self.skipped
    }
}
