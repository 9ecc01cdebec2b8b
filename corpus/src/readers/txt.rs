//! Plain monolingual text: one segment per line, or paragraphs separated by blank lines.
//! Blank lines in line mode are skipped silently: they are layout, not segments.

use super::{LineReader, RawSegment, SegmentReader};
use crate::config::{InputConfig, MonoUnit};
use crate::error::Result;
use std::path::Path;

pub struct TxtReader {
    lines: LineReader,
    unit: MonoUnit,
}

impl TxtReader {
    pub fn open(path: &Path, input: &InputConfig) -> Result<Self> {
        Ok(Self::from_lines(LineReader::open(path, input)?, input))
    }

    pub fn from_lines(lines: LineReader, input: &InputConfig) -> Self {
        TxtReader {
            lines,
            unit: input.mono_unit,
        }
    }
}

impl SegmentReader for TxtReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        let mut paragraph: Option<RawSegment> = None;
        loop {
            let Some((line, text)) = self.lines.next_line()? else {
                return Ok(paragraph);
            };
            let text = match text {
                Ok(text) => text,
                Err(reason) => {
                    self.lines.reject(line, reason)?;
                    continue;
                }
            };
            let blank = text.trim().is_empty();
            match (self.unit, &mut paragraph) {
                (MonoUnit::Line, _) if blank => {}
                (MonoUnit::Line, _) => {
                    return Ok(Some(RawSegment {
                        line,
                        src: text.to_string(),
                        tgt: None,
                    }))
                }
                (MonoUnit::Paragraph, None) if blank => {}
                (MonoUnit::Paragraph, Some(_)) if blank => return Ok(paragraph),
                (MonoUnit::Paragraph, Some(p)) => {
                    p.src.push(' ');
                    p.src.push_str(text);
                }
                (MonoUnit::Paragraph, None) => {
                    paragraph = Some(RawSegment {
                        line,
                        src: text.to_string(),
                        tgt: None,
                    })
                }
            }
        }
    }

    fn skipped_lines(&self) -> u64 {
        self.lines.skipped()
    }

    fn lines_read(&self) -> u64 {
        self.lines.lines_read()
    }
}
