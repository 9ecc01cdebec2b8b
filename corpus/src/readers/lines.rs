//! Line reading shared by the line-based formats: bounded line length, UTF-8 checked with the
//! file and line named, `\r\n` accepted, and bad lines either fatal or skipped and counted.

use super::open_stream;
use crate::config::InputConfig;
use crate::error::{CorpusError, Result};
use std::io::BufRead;
use std::path::{Path, PathBuf};

pub struct LineReader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    line: u64,
    max_bytes: usize,
    skip_bad: bool,
    skipped: u64,
    buffer: Vec<u8>,
}

/// One line as read: its number and either its text or why it is unusable.
pub type Line<'a> = (u64, std::result::Result<&'a str, String>);

impl LineReader {
    pub fn open(path: &Path, input: &InputConfig) -> Result<Self> {
        Ok(LineReader {
            path: path.to_path_buf(),
            inner: open_stream(path)?,
            line: 0,
            max_bytes: input.max_line_bytes,
            skip_bad: input.skip_bad_lines,
            skipped: 0,
            buffer: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The next line without its line ending, or `None` at the end of the file. A line that
    /// is too long or not UTF-8 comes back as `Err(reason)`; pass it to [`Self::reject`].
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>> {
        self.buffer.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let available = self
                .inner
                .fill_buf()
                .map_err(|e| CorpusError::io(&self.path, e))?;
            if available.is_empty() {
                break;
            }
            any = true;
            let (chunk, done) = match memchr(available) {
                Some(i) => (&available[..i], i + 1),
                None => (available, available.len()),
            };
            if !too_long {
                if self.buffer.len() + chunk.len() > self.max_bytes {
                    too_long = true;
                    self.buffer.clear();
                } else {
                    self.buffer.extend_from_slice(chunk);
                }
            }
            let found_newline = done > chunk.len();
            self.inner.consume(done);
            if found_newline {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        if too_long {
            let reason = format!(
                "line longer than {} bytes (max_line_bytes); is the file missing its line breaks?",
                self.max_bytes
            );
            return Ok(Some((self.line, Err(reason))));
        }
        if self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
        }
        match std::str::from_utf8(&self.buffer) {
            Ok(text) => Ok(Some((self.line, Ok(text)))),
            Err(e) => Ok(Some((
                self.line,
                Err(format!(
                    "not valid UTF-8 (at byte {} of the line); convert the file to UTF-8",
                    e.valid_up_to()
                )),
            ))),
        }
    }

    /// A bad line: an error naming file and line, or counted and skipped with `skip_bad_lines`.
    pub fn reject(&mut self, line: u64, reason: String) -> Result<()> {
        if self.skip_bad {
            self.skipped += 1;
            Ok(())
        } else {
            Err(CorpusError::bad_line(&self.path, line, reason))
        }
    }
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(content: &[u8], max: usize, skip: bool) -> (tempfile::TempDir, LineReader) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        std::fs::write(&path, content).unwrap();
        let input = InputConfig {
            max_line_bytes: max,
            skip_bad_lines: skip,
            ..InputConfig::default()
        };
        let reader = LineReader::open(&path, &input).unwrap();
        (dir, reader)
    }

    #[test]
    fn reads_lines_and_names_bad_ones() {
        let (_dir, mut r) = reader(b"one\r\ntwo\n\xff\xfe\nlast", 100, false);
        assert_eq!(r.next_line().unwrap().unwrap(), (1, Ok("one")));
        assert_eq!(r.next_line().unwrap().unwrap(), (2, Ok("two")));
        let (line, bad) = r.next_line().unwrap().unwrap();
        assert_eq!(line, 3);
        let reason = bad.unwrap_err();
        let error = r.reject(line, reason).unwrap_err().to_string();
        assert!(error.contains("in.txt:3: not valid UTF-8"), "{error}");
        assert_eq!(r.next_line().unwrap().unwrap(), (4, Ok("last")));
        assert!(r.next_line().unwrap().is_none());
    }

    #[test]
    fn overlong_line_is_bounded_and_skippable() {
        let mut content = vec![b'x'; 10_000];
        content.extend_from_slice(b"\nok\n");
        let (_dir, mut r) = reader(&content, 64, true);
        let (line, bad) = r.next_line().unwrap().unwrap();
        let reason = bad.unwrap_err();
        assert!(reason.contains("longer than 64 bytes"));
        r.reject(line, reason).unwrap();
        assert_eq!(r.skipped(), 1);
        assert_eq!(r.next_line().unwrap().unwrap(), (2, Ok("ok")));
    }
}
