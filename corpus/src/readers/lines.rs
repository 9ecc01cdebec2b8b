//! Line reading shared by the line-based formats: bounded line length, UTF-8 checked with the
//! file and line named, `\r\n` accepted, and bad lines either fatal or skipped and counted.
//! A reader may also take one byte range of a plain file (a unit of a sharded run): the lines
//! that start in it, numbered from its first.

use super::open_stream;
use crate::config::InputConfig;
use crate::dedup::KeySet;
use crate::error::{CorpusError, Result};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_128;

/// The part of a file a range reader reads.
struct Span {
    /// Where its first line starts.
    first: u64,
    /// Lines starting at or after this offset belong to the next range.
    end: u64,
    /// The offset of the next unread byte.
    position: u64,
}

pub struct LineReader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    line: u64,
    max_bytes: usize,
    skip_bad: bool,
    skipped: u64,
    buffer: Vec<u8>,
    span: Option<Span>,
}

/// One line as read: its number and either its text or why it is unusable.
pub type Line<'a> = (u64, std::result::Result<&'a str, String>);

/// A line read, with the key of its bytes, or a line whose bytes were seen before.
pub enum Fetched<'a> {
    Line(Line<'a>, u128),
    Repeat(u64, &'a [u8]),
}

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
            span: None,
        })
    }

    /// Reads the lines of the plain (not compressed) file `path` that start in `range`; the
    /// line holding `range.start`, if it started before, belongs to the range before. Line
    /// numbers count from the range's first line; errors name the file's own line.
    pub fn open_range(path: &Path, input: &InputConfig, range: Range<u64>) -> Result<Self> {
        let io = |e| CorpusError::io(path, e);
        let mut file = BufReader::with_capacity(1 << 18, std::fs::File::open(path).map_err(io)?);
        let mut first = range.start;
        if first > 0 {
            file.seek(SeekFrom::Start(first - 1)).map_err(io)?;
            let mut before = [0u8];
            file.read_exact(&mut before).map_err(io)?;
            if before[0] != b'\n' {
                // Skip the rest of the line that started in the range before.
                loop {
                    let available = file.fill_buf().map_err(io)?;
                    if available.is_empty() {
                        break;
                    }
                    let (taken, found) = match available.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (available.len(), false),
                    };
                    file.consume(taken);
                    first += taken as u64;
                    if found {
                        break;
                    }
                }
            }
        }
        Ok(LineReader {
            path: path.to_path_buf(),
            inner: Box::new(file),
            line: 0,
            max_bytes: input.max_line_bytes,
            skip_bad: input.skip_bad_lines,
            skipped: 0,
            buffer: Vec::new(),
            span: Some(Span {
                first,
                end: range.end,
                position: first,
            }),
        })
    }

    /// The lines read so far (all of a range's, once it is read to its end).
    pub fn lines_read(&self) -> u64 {
        self.line
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
        let Some(too_long) = self.read_bytes()? else {
            return Ok(None);
        };
        Ok(Some((self.line, self.text(too_long))))
    }

    /// As [`Self::next_line`], unless the line's bytes have a key in `seen`: then it comes
    /// back as a [`Fetched::Repeat`] with its bytes, not validated (an equal line was). A line
    /// read comes with the key of its bytes, for the caller to add to `seen` once it accepts
    /// the line (a repeated bad line must fail again).
    pub fn next_line_unless_seen(&mut self, seen: &KeySet<u128>) -> Result<Option<Fetched<'_>>> {
        let Some(too_long) = self.read_bytes()? else {
            return Ok(None);
        };
        let key = xxh3_128(&self.buffer);
        if !too_long && seen.contains(&key) {
            return Ok(Some(Fetched::Repeat(self.line, &self.buffer)));
        }
        Ok(Some(Fetched::Line((self.line, self.text(too_long)), key)))
    }

    /// Reads the next line's bytes, without its line ending, into `buffer`; `None` at the end
    /// of the file, else whether the line was too long (then `buffer` is empty).
    fn read_bytes(&mut self) -> Result<Option<bool>> {
        self.buffer.clear();
        if self.span.as_ref().is_some_and(|s| s.position >= s.end) {
            return Ok(None);
        }
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
            let (chunk, done) = match memchr::memchr(b'\n', available) {
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
            if let Some(span) = &mut self.span {
                span.position += done as u64;
            }
            if found_newline {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        if self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
        }
        Ok(Some(too_long))
    }

    /// The line in `buffer` as text, or why it is bad.
    fn text(&self, too_long: bool) -> std::result::Result<&str, String> {
        if too_long {
            return Err(format!(
                "line longer than {} bytes (max_line_bytes); is the file missing its line breaks?",
                self.max_bytes
            ));
        }
        simdutf8::compat::from_utf8(&self.buffer).map_err(|e| {
            format!(
                "not valid UTF-8 (at byte {} of the line); convert the file to UTF-8",
                e.valid_up_to()
            )
        })
    }

    /// A bad line: an error naming file and line, or counted and skipped with `skip_bad_lines`.
    pub fn reject(&mut self, line: u64, reason: String) -> Result<()> {
        if self.skip_bad {
            self.skipped += 1;
            return Ok(());
        }
        // A range's lines are numbered from its first: name the file's own line.
        let before = match &self.span {
            Some(span) => count_lines(&self.path, span.first)?,
            None => 0,
        };
        Err(CorpusError::bad_line(&self.path, before + line, reason))
    }
}

/// The line breaks in the first `bytes` bytes of a plain file.
fn count_lines(path: &Path, bytes: u64) -> Result<u64> {
    let file = std::fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 18, file.take(bytes));
    let mut count = 0;
    loop {
        let available = reader.fill_buf().map_err(|e| CorpusError::io(path, e))?;
        if available.is_empty() {
            return Ok(count);
        }
        count += available.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = available.len();
        reader.consume(n);
    }
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
    fn ranges_split_lines_where_they_start() {
        let content = b"one\ntwo\nthree\n\xff\nfive";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        std::fs::write(&path, content).unwrap();
        let read = |range: std::ops::Range<u64>| {
            let mut r = LineReader::open_range(&path, &InputConfig::default(), range).unwrap();
            let mut lines = Vec::new();
            while let Some((n, text)) = r.next_line().unwrap() {
                lines.push((n, text.map(str::to_string).unwrap_or_else(|e| e)));
            }
            (lines, r)
        };
        let len = content.len() as u64;
        // Cut anywhere: every line is read once, by the range it starts in.
        for cut in 0..=len {
            let (a, _) = read(0..cut);
            let (b, _) = read(cut..len);
            let texts: Vec<&str> = a.iter().chain(&b).map(|(_, t)| t.as_str()).collect();
            assert_eq!(texts.len(), 5, "cut at {cut}");
            assert_eq!(texts[..3], ["one", "two", "three"], "cut at {cut}");
        }
        let (lines, mut reader) = read(5..len);
        assert_eq!(lines[0], (1, "three".to_string()));
        let error = reader.reject(2, "bad".into()).unwrap_err().to_string();
        assert!(error.contains("in.txt:4: bad"), "{error}");
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
