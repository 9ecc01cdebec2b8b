//! JSON Lines: one JSON object per line, the text in a configurable string field.

use super::{LineReader, RawSegment, SegmentReader};
use crate::config::InputConfig;
use crate::error::Result;
use std::path::Path;

pub struct JsonlReader {
    lines: LineReader,
    field: String,
}

impl JsonlReader {
    pub fn open(path: &Path, input: &InputConfig) -> Result<Self> {
        Ok(Self::from_lines(LineReader::open(path, input)?, input))
    }

    pub fn from_lines(lines: LineReader, input: &InputConfig) -> Self {
        JsonlReader {
            lines,
            field: input.text_field.clone(),
        }
    }
}

impl SegmentReader for JsonlReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        loop {
            let Some((line, text)) = self.lines.next_line()? else {
                return Ok(None);
            };
            let problem = match text {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(text) => match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(value) => match value.get(&self.field) {
                        Some(serde_json::Value::String(s)) => {
                            return Ok(Some(RawSegment {
                                line,
                                src: s.clone(),
                                tgt: None,
                            }))
                        }
                        Some(_) => format!("field \"{}\" is not a string", self.field),
                        None => format!(
                            "no field \"{}\" (set input.text_field to the field holding the text)",
                            self.field
                        ),
                    },
                    Err(e) => format!("not valid JSON: {e}"),
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
