//! TSV: `source<TAB>target[<TAB>more columns]` per line. Further columns (scores, ids) are
//! ignored. An empty line is read as an empty pair, which the length filter then rejects, so it
//! stays accounted for.

use super::lines::Fetched;
use super::{Item, LineReader, RawSegment, SegmentReader};
use crate::config::InputConfig;
use crate::dedup::KeySet;
use crate::error::Result;
use std::path::Path;

pub struct TsvReader {
    lines: LineReader,
    /// The keys of the lines read as segments, for [`SegmentReader::next_item`].
    seen: KeySet<u128>,
}

impl TsvReader {
    pub fn open(path: &Path, input: &InputConfig) -> Result<Self> {
        Ok(Self::from_lines(LineReader::open(path, input)?))
    }

    pub fn from_lines(lines: LineReader) -> Self {
        TsvReader {
            lines,
            seen: KeySet::default(),
        }
    }
}

/// The pair on a line: the first two columns (an empty line: an empty pair).
fn columns(text: &str) -> std::result::Result<(&str, &str), String> {
    if text.is_empty() {
        return Ok(("", ""));
    }
    match text.split_once('\t') {
        Some((src, rest)) => Ok((src, rest.split_once('\t').map_or(rest, |(tgt, _)| tgt))),
        None => Err("expected two tab-separated columns (source, target), found one".to_string()),
    }
}

/// What [`columns`] keeps of a line it accepted (empty, or with a tab): the bytes of its
/// first two columns, without the tab between them.
fn column_bytes(line: &[u8]) -> u64 {
    let mut tabs = line
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\t')
        .map(|(i, _)| i);
    match (tabs.next(), tabs.next()) {
        (None, _) => 0,
        (Some(_), second) => (second.unwrap_or(line.len()) - 1) as u64,
    }
}

impl SegmentReader for TsvReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        loop {
            let Some((line, text)) = self.lines.next_line()? else {
                return Ok(None);
            };
            match text.and_then(columns) {
                Ok((src, tgt)) => return Ok(Some(segment(line, src, tgt))),
                Err(problem) => self.lines.reject(line, problem)?,
            }
        }
    }

    fn next_item(&mut self) -> Result<Option<Item>> {
        loop {
            let (line, problem) = match self.lines.next_line_unless_seen(&self.seen)? {
                None => return Ok(None),
                Some(Fetched::Repeat(line, bytes)) => {
                    return Ok(Some(Item::Repeat {
                        line,
                        bytes: column_bytes(bytes),
                        pair: true,
                    }))
                }
                Some(Fetched::Line((line, text), key)) => match text.and_then(columns) {
                    Ok((src, tgt)) => {
                        let read = Item::Segment(segment(line, src, tgt));
                        self.seen.insert(key);
                        return Ok(Some(read));
                    }
                    Err(problem) => (line, problem),
                },
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

fn segment(line: u64, src: &str, tgt: &str) -> RawSegment {
    RawSegment {
        line,
        src: src.to_string(),
        tgt: Some(tgt.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_read_before_comes_back_as_a_repeat_with_its_columns_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.tsv");
        let lines = "ab\tcde\nab\tcde\nbad\nbad\nab\tcde\tscore\n\n\nab\tcde\tscore\r\n";
        std::fs::write(&path, lines).unwrap();
        let input = InputConfig {
            skip_bad_lines: true,
            ..InputConfig::default()
        };
        let mut reader = TsvReader::open(&path, &input).unwrap();
        let mut items = Vec::new();
        while let Some(item) = reader.next_item().unwrap() {
            items.push(item);
        }
        let pair = |line, src: &str, tgt: &str| {
            Item::Segment(RawSegment {
                line,
                src: src.into(),
                tgt: Some(tgt.into()),
            })
        };
        let repeat = |line, bytes| Item::Repeat {
            line,
            bytes,
            pair: true,
        };
        assert_eq!(
            items,
            [
                pair(1, "ab", "cde"),
                repeat(2, 5),
                // A bad line is bad again; a pair with other bytes on its line is read again.
                pair(5, "ab", "cde"),
                pair(6, "", ""),
                repeat(7, 0),
                repeat(8, 5),
            ]
        );
        assert_eq!(reader.skipped_lines(), 2);
    }
}
