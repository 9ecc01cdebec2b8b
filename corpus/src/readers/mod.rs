//! Readers, one per input format, all behind [`SegmentReader`]. Each yields segments in file
//! order with the line (or unit number, for XML formats) they came from, so every error and
//! every rejected segment can be traced back to its place in the input. Gzip-compressed files
//! (recognised by their magic bytes, whatever their name) are decompressed as a stream.

mod jsonl;
mod lines;
mod moses;
mod parquet;
mod tmx;
mod tsv;
mod txt;
mod xces;
mod xml;

pub use lines::LineReader;

use crate::config::{InputConfig, Source, SourceKind};
use crate::error::{CorpusError, Result};
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::Path;

/// One unit read from an input: a monolingual text (`tgt` is `None`) or a translation pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSegment {
    /// 1-based line of the input (TMX: translation unit number; XCES: link number; Parquet: row).
    pub line: u64,
    pub src: String,
    pub tgt: Option<String>,
}

/// What [`SegmentReader::next_item`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Segment(RawSegment),
    /// A line whose bytes equal a line read before, so its segment equals that line's: all an
    /// exact deduplication needs of it is where it is and its size.
    Repeat {
        line: u64,
        /// Its texts' bytes, as [`RawSegment`]'s would count them.
        bytes: u64,
        pair: bool,
    },
}

/// A stream of segments from one source.
pub trait SegmentReader: Send {
    /// The next segment, or `None` at the end of the input.
    fn next_segment(&mut self) -> Result<Option<RawSegment>>;
    /// As [`Self::next_segment`], except that a reader of one segment a line may yield a line
    /// whose bytes it read before as an [`Item::Repeat`], without validating, splitting or
    /// copying it again (on repetitive input, most of the reading). For a stage that drops
    /// exact copies anyway.
    fn next_item(&mut self) -> Result<Option<Item>> {
        Ok(self.next_segment()?.map(Item::Segment))
    }
    /// Lines skipped as bad input (only when `skip_bad_lines` is on).
    fn skipped_lines(&self) -> u64 {
        0
    }
    /// Lines read so far, by a reader of lines (the line count of a byte range, once read).
    fn lines_read(&self) -> u64 {
        0
    }
}

/// Input formats, chosen from the file name (ignoring a trailing `.gz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tab-separated: source text, target text, optional further columns (ignored).
    Tsv,
    /// Two line-aligned plain-text files.
    Moses,
    /// TMX 1.4 translation memory.
    Tmx,
    /// OPUS XCES alignment file (`cesAlign` with `xtargets` links) over per-language documents.
    Xces,
    /// Plain text, one segment per line (or per paragraph).
    Txt,
    /// JSON Lines with the text in a configurable field.
    Jsonl,
    /// Parquet with the text in a configurable column.
    Parquet,
}

impl Format {
    pub fn detect(source: &Source) -> Result<Format> {
        if source.paths.len() == 2 {
            return Ok(Format::Moses);
        }
        let path = &source.paths[0];
        let extension = extension(path);
        Ok(match (source.kind, extension.as_str()) {
            (SourceKind::Parallel, "tsv" | "tab" | "txt") => Format::Tsv,
            (SourceKind::Parallel, "tmx") => Format::Tmx,
            (SourceKind::Parallel, "xml" | "xces") => Format::Xces,
            (SourceKind::Parallel, _) => {
                return Err(CorpusError::bad_file(
                    path,
                    "unknown parallel format: expected .tsv, .tmx, .xml (XCES alignment) or two \
                     Moses files separated by a comma (each may end in .gz)",
                ))
            }
            (SourceKind::Mono, "jsonl" | "json" | "ndjson") => Format::Jsonl,
            (SourceKind::Mono, "parquet") => Format::Parquet,
            (SourceKind::Mono, _) => Format::Txt,
        })
    }
}

/// The file's extension, lower case, after removing `.gz`.
fn extension(path: &Path) -> String {
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.') {
        Some((_, ext)) => ext.to_string(),
        None => String::new(),
    }
}

/// Opens a source with the reader its format needs.
pub fn open_source(source: &Source, input: &InputConfig) -> Result<Box<dyn SegmentReader>> {
    Ok(match Format::detect(source)? {
        Format::Tsv => Box::new(tsv::TsvReader::open(&source.paths[0], input)?),
        Format::Moses => Box::new(moses::MosesReader::open(
            &source.paths[0],
            &source.paths[1],
            input,
        )?),
        Format::Tmx => Box::new(tmx::TmxReader::open(
            &source.paths[0],
            &source.langs[0],
            &source.langs[1],
        )?),
        Format::Xces => Box::new(xces::XcesReader::open(&source.paths[0])?),
        Format::Txt => Box::new(txt::TxtReader::open(&source.paths[0], input)?),
        Format::Jsonl => Box::new(jsonl::JsonlReader::open(&source.paths[0], input)?),
        Format::Parquet => Box::new(parquet::ParquetReader::open(
            &source.paths[0],
            &input.text_field,
        )?),
    })
}

/// The parts of a source the tasks of a sharded run share, in order: byte ranges of about
/// `unit_bytes` for a plain (not compressed) line-based file (TSV, JSONL, text a line a segment),
/// else the whole source (`None`). Cut where the size says, whatever the number of tasks, so
/// the segments' places in the run do not depend on it.
pub fn units_of(source: &Source, input: &InputConfig) -> Result<Vec<Option<Range<u64>>>> {
    let splittable = match Format::detect(source)? {
        Format::Tsv | Format::Jsonl => true,
        Format::Txt => input.mono_unit == crate::config::MonoUnit::Line,
        _ => false,
    };
    let path = &source.paths[0];
    if !splittable || is_gzip(path)? {
        return Ok(vec![None]);
    }
    let size = std::fs::metadata(path)
        .map_err(|e| CorpusError::io(path, e))?
        .len();
    let unit = input.unit_bytes.max(1);
    Ok((0..size.div_ceil(unit).max(1))
        .map(|i| Some(i * unit..((i + 1) * unit).min(size)))
        .collect())
}

/// Opens one unit of a source (see [`units_of`]): a byte range, or the whole source.
pub fn open_unit(
    source: &Source,
    input: &InputConfig,
    range: Option<Range<u64>>,
) -> Result<Box<dyn SegmentReader>> {
    let Some(range) = range else {
        return open_source(source, input);
    };
    let lines = LineReader::open_range(&source.paths[0], input, range)?;
    Ok(match Format::detect(source)? {
        Format::Tsv => Box::new(tsv::TsvReader::from_lines(lines)),
        Format::Jsonl => Box::new(jsonl::JsonlReader::from_lines(lines, input)),
        _ => Box::new(txt::TxtReader::from_lines(lines, input)),
    })
}

fn is_gzip(path: &Path) -> Result<bool> {
    let mut head = [0u8; 2];
    let mut file = std::fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
    let n = file.read(&mut head).map_err(|e| CorpusError::io(path, e))?;
    Ok(n == 2 && head == [0x1f, 0x8b])
}

/// Opens an evaluation file to exclude: TSV (every text column counts), JSONL, Parquet, or
/// plain text lines.
pub fn open_exclude(path: &Path, input: &InputConfig) -> Result<Box<dyn SegmentReader>> {
    let line_input = InputConfig {
        mono_unit: crate::config::MonoUnit::Line,
        ..input.clone()
    };
    Ok(match extension(path).as_str() {
        "tsv" | "tab" => Box::new(tsv::TsvReader::open(path, input)?),
        "jsonl" | "json" | "ndjson" => Box::new(jsonl::JsonlReader::open(path, input)?),
        "parquet" => Box::new(parquet::ParquetReader::open(path, &input.text_field)?),
        _ => Box::new(txt::TxtReader::open(path, &line_input)?),
    })
}

/// Opens a file for reading, decompressing it as a stream when it starts with the gzip magic.
pub fn open_stream(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let file = std::fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 18, file);
    let head = reader.fill_buf().map_err(|e| CorpusError::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::bufread::MultiGzDecoder::new(reader);
        Ok(Box::new(BufReader::with_capacity(1 << 18, decoder)))
    } else {
        Ok(Box::new(reader))
    }
}

/// The 1-based line holding byte `offset` of the (decompressed) file; used to turn an XML
/// parser's byte position into a line a person can jump to.
pub(crate) fn line_of_offset(path: &Path, offset: u64) -> u64 {
    let Ok(stream) = open_stream(path) else {
        return 0;
    };
    let mut line = 1;
    for byte in stream.take(offset).bytes() {
        match byte {
            Ok(b'\n') => line += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    line
}
