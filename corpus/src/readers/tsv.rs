//! TSV: `source<TAB>target[<TAB>more columns]` per line. Further columns (scores, ids) are
//! ignored. An empty line is read as an empty pair, which the length filter then rejects, so it
//! stays accounted for.

use super::{LineReader, RawSegment, SegmentReader};
use crate::config::InputConfig;
use crate::error::Result;
use std::path::Path;

pub struct TsvReader {
    lines: LineReader,
}

impl TsvReader {
    pub fn open(path: &Path, input: &InputConfig) -> Result<Self> {
        Ok(Self::from_lines(LineReader::open(path, input)?))
    }

    pub fn from_lines(lines: LineReader) -> Self {
        TsvReader { lines }
    }
}

impl SegmentReader for TsvReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        loop {
            let Some((line, text)) = self.lines.next_line()? else {
                return Ok(None);
            };
            let problem = match text {
                Ok("") => {
                    return Ok(Some(RawSegment {
                        line,
                        src: String::new(),
                        tgt: Some(String::new()),
                    }))
                }
                Ok(text) => match text.split_once('\t') {
                    Some((src, rest)) => {
                        let tgt = rest.split_once('\t').map_or(rest, |(tgt, _)| tgt);
                        return Ok(Some(RawSegment {
                            line,
                            src: src.to_string(),
                            tgt: Some(tgt.to_string()),
                        }));
                    }
                    None => {
                        "expected two tab-separated columns (source, target), found one".to_string()
                    }
                },
                Err(reason) => reason,
            };
            self.lines.reject(line, problem)?;
        }
    }

    fn skipped_lines(&self) -> u64 {
        self.lines.skipped()
    }

    fn lines_read(&self) -> u64 {
        self.lines.lines_read()
    }
}
