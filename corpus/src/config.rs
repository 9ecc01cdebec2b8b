//! The stage's resolved configuration. Its serde form is what the manifest records as
//! `parameters`, so any change to it makes a cached corpus stale.

use crate::error::{CorpusError, Result};
use crate::DropReason;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Everything the corpus stage needs besides the output folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorpusConfig {
    /// Inputs in the order they are read; earlier sources win when deduplicating.
    pub sources: Vec<Source>,
    /// Evaluation texts to keep out of the corpus (decontamination).
    pub exclude: Vec<PathBuf>,
    pub input: InputConfig,
    pub normalize: NormalizeConfig,
    pub filters: FilterConfig,
    pub dedup: DedupConfig,
    pub output: OutputConfig,
}

impl CorpusConfig {
    /// Every file the stage reads, for the manifest's input hashes.
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self
            .sources
            .iter()
            .flat_map(|s| s.paths.iter().cloned())
            .collect();
        paths.extend(self.exclude.iter().cloned());
        paths
    }

    pub fn validate(&self) -> Result<()> {
        if self.sources.is_empty() {
            return Err(CorpusError::Config(
                "no input: give at least one parallel or monolingual source".into(),
            ));
        }
        let d = &self.dedup;
        if d.near && (d.bands == 0 || d.rows == 0 || d.ngram == 0) {
            return Err(CorpusError::Config(
                "dedup: bands, rows and ngram must be at least 1".into(),
            ));
        }
        if self.output.shard_rows == 0 {
            return Err(CorpusError::Config(
                "output: shard_rows must be at least 1".into(),
            ));
        }
        if let Some(reason) = self.filters.disable.iter().find(|r| !r.is_filter()) {
            let filters: Vec<&str> = DropReason::FILTERS.iter().map(|r| r.name()).collect();
            return Err(CorpusError::Config(format!(
                "filters.disable: '{reason}' is not a filter (filters: {})",
                filters.join(", ")
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Parallel,
    Mono,
}

/// One input: a parallel corpus (two languages) or a monolingual one (one language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    /// BCP 47 tags: `[source, target]` for parallel, `[lang]` for monolingual.
    pub langs: Vec<String>,
    /// One file, or two line-aligned files for Moses.
    pub paths: Vec<PathBuf>,
    /// The path part of the spec as the user wrote it; the Parquet `source` column holds it,
    /// so the output does not depend on where the command ran.
    pub label: String,
}

impl Source {
    /// Parses `en-vi=PATH` (TSV, TMX, XCES alignment file) or `en-vi=a.en,a.vi` (Moses).
    /// `resolve` turns a path as written into the path to open (the pipeline file's folder).
    pub fn parse_parallel(spec: &str, resolve: impl Fn(&str) -> PathBuf) -> Result<Source> {
        let (langs, paths) = split_spec(spec)?;
        let (src, tgt) = split_pair(langs).ok_or_else(|| {
            CorpusError::Config(format!(
                "'{spec}': a parallel source is LANG-LANG=PATH, e.g. en-vi=corpus.tsv"
            ))
        })?;
        let files: Vec<PathBuf> = paths.split(',').map(&resolve).collect();
        if files.len() > 2 || files.iter().any(|p| p.as_os_str().is_empty()) {
            return Err(CorpusError::Config(format!(
                "'{spec}': give one file, or two line-aligned files separated by a comma"
            )));
        }
        Ok(Source {
            kind: SourceKind::Parallel,
            langs: vec![src.to_string(), tgt.to_string()],
            paths: files,
            label: paths.to_string(),
        })
    }

    /// Parses `vi=PATH` (plain text, JSONL or Parquet).
    pub fn parse_mono(spec: &str, resolve: impl Fn(&str) -> PathBuf) -> Result<Source> {
        let (lang, path) = split_spec(spec)?;
        if lang.is_empty() || path.contains(',') {
            return Err(CorpusError::Config(format!(
                "'{spec}': a monolingual source is LANG=PATH, e.g. vi=wiki.txt"
            )));
        }
        Ok(Source {
            kind: SourceKind::Mono,
            langs: vec![lang.to_string()],
            paths: vec![resolve(path)],
            label: path.to_string(),
        })
    }

    /// `en-vi` or `vi`: the key its statistics are grouped under.
    pub fn lang_key(&self) -> String {
        self.langs.join("-")
    }
}

fn split_spec(spec: &str) -> Result<(&str, &str)> {
    spec.split_once('=')
        .filter(|(l, p)| !l.is_empty() && !p.is_empty())
        .ok_or_else(|| CorpusError::Config(format!("'{spec}': expected LANG=PATH")))
}

/// Splits `en-vi`, `en-zh-CN` or `zh-Hant-vi` into its two BCP 47 tags: the target tag starts
/// at the first later subtag of two or three lower-case letters (a primary language subtag;
/// region subtags are upper case and script subtags have four letters).
fn split_pair(langs: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for (i, subtag) in langs.split('-').enumerate() {
        let is_primary =
            (2..=3).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_lowercase());
        if i > 0 && is_primary {
            return Some((&langs[..offset - 1], &langs[offset..]));
        }
        offset += subtag.len() + 1;
    }
    None
}

/// How monolingual plain text is cut into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MonoUnit {
    /// One segment per line.
    #[default]
    Line,
    /// Paragraphs separated by blank lines; a paragraph's lines are joined with a space.
    Paragraph,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    pub mono_unit: MonoUnit,
    /// The field (JSONL) or column (Parquet) holding monolingual text.
    pub text_field: String,
    /// Longest line accepted, in bytes. A longer line is almost always a broken file (a whole
    /// corpus without newlines); reading it would cost memory for nothing.
    pub max_line_bytes: usize,
    /// Skip lines that are not valid UTF-8, too long, or malformed (JSONL, TSV) instead of
    /// failing; the count is recorded in the manifest and stats.
    pub skip_bad_lines: bool,
    /// When the stage runs as tasks: the size of the byte ranges plain line-based files are
    /// cut into, the units the tasks share (the result does not depend on it).
    pub unit_bytes: u64,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            mono_unit: MonoUnit::Line,
            text_field: "text".into(),
            max_line_bytes: 1 << 20,
            skip_bad_lines: false,
            unit_bytes: 64 << 20,
        }
    }
}

/// Where the tone mark goes in the syllable endings `oa`, `oe`, `uy` without a final consonant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToneStyle {
    /// Traditional placement on the first vowel: hòa, khỏe, thủy. Default: it is what most
    /// Vietnamese text uses (87% of these syllables in Vietnamese Wikipedia), so normalising
    /// to it changes the fewest segments.
    #[default]
    Old,
    /// Placement on the main vowel (the 1980s school rule): hoà, khoẻ, thuỷ.
    New,
    /// Leave tone marks where they are.
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeConfig {
    /// Remove zero-width space, word joiner, soft hyphen and BOM (ZWJ and ZWNJ are kept).
    pub remove_invisible: bool,
    /// Remove control characters (tabs and newlines become spaces).
    pub remove_control: bool,
    /// Unicode NFC.
    pub nfc: bool,
    /// Vietnamese tone-mark placement (applies to `vi` text only).
    pub vi_tone: ToneStyle,
    /// Software strings: remove printf (`%s`, `%1$d`, `%(name)s`) and brace (`{0}`, `{name}`)
    /// placeholders.
    pub strip_placeholders: bool,
    /// Software strings: remove accelerator markers (`_File`, `&Open`, `~Save`, `(_O)`).
    pub strip_accelerators: bool,
    /// Collapse whitespace runs to one space and trim.
    pub collapse_whitespace: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            remove_invisible: true,
            remove_control: true,
            nfc: true,
            vi_tone: ToneStyle::Old,
            strip_placeholders: false,
            strip_accelerators: false,
            collapse_whitespace: true,
        }
    }
}

/// Filter thresholds; the reasons for each default are in docs/corpus.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilterConfig {
    /// Filters to switch off, by name (one of [`DropReason::FILTERS`]).
    pub disable: Vec<DropReason>,
    pub min_chars: usize,
    pub max_chars: usize,
    pub min_words: usize,
    pub max_words: usize,
    /// Longest side / shortest side, in length units (a CJK character counts as 3: roughly
    /// the letters of one word in alphabetic scripts).
    pub max_length_ratio: f64,
    /// Pairs whose longer side is shorter than this are not ratio-checked (short UI strings
    /// vary wildly in ratio and are fine).
    pub ratio_min_chars: usize,
    /// Least share of letters written in the language's expected scripts.
    pub min_script_share: f64,
    /// Texts with fewer letters than this are not language-identified (too little evidence).
    pub langid_min_letters: u32,
    /// Reject only when another language explains the text better by at least this many nats
    /// a letter.
    pub langid_margin: f64,
    /// Longest run of one repeated non-space character.
    pub max_char_run: usize,
    /// Most consecutive repeats of the same word 1-, 2- or 3-gram.
    pub max_ngram_repeats: usize,
    /// Largest share of characters inside URLs, e-mail addresses, HTML/XML tags and entities.
    pub max_markup_share: f64,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            disable: Vec::new(),
            min_chars: 1,
            max_chars: 10_000,
            min_words: 1,
            max_words: 2_000,
            max_length_ratio: 3.0,
            ratio_min_chars: 10,
            min_script_share: 0.5,
            langid_min_letters: 20,
            langid_margin: 0.25,
            max_char_run: 10,
            max_ngram_repeats: 4,
            max_markup_share: 0.5,
        }
    }
}

/// What near-duplicate shingles are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShingleUnit {
    #[default]
    Word,
    Char,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Drop exact duplicates of the normalised text (the pair, for parallel data).
    pub exact: bool,
    /// Parallel data: also drop a pair whose source or target text alone was seen before.
    pub exact_each_side: bool,
    /// Drop near duplicates found by MinHash-LSH.
    pub near: bool,
    pub unit: ShingleUnit,
    /// Shingle length, in `unit`s (datatrove: 5 words).
    pub ngram: usize,
    /// LSH bands × rows per band = hashes per signature (datatrove: 14 × 8, which flags pairs
    /// above a Jaccard similarity of about 0.72).
    pub bands: usize,
    pub rows: usize,
    /// Seed of the MinHash permutations.
    pub seed: u64,
    /// Decontamination: a segment sharing a word n-gram this long with an excluded text is
    /// dropped (13, as in the GPT-3 paper's contamination study); shorter segments only on
    /// exact match.
    pub exclude_ngram: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            exact: true,
            exact_each_side: false,
            near: true,
            unit: ShingleUnit::Word,
            ngram: 5,
            bands: 14,
            rows: 8,
            seed: 1,
            exclude_ngram: 13,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Rows per `part-NNNNN.parquet` shard.
    pub shard_rows: usize,
    /// Write every dropped segment to `rejected/` with its reason.
    pub write_rejected: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            shard_rows: 1_000_000,
            write_rejected: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = Source::parse_parallel("en-vi=a.en,a.vi", |p: &str| PathBuf::from(p)).unwrap();
        assert_eq!(s.langs, ["en", "vi"]);
        assert_eq!(s.paths.len(), 2);
        assert_eq!(s.label, "a.en,a.vi");
        let s = Source::parse_parallel("en-zh-CN=x.tmx", |p: &str| PathBuf::from(p)).unwrap();
        assert_eq!(s.langs, ["en", "zh-CN"]);
        let s = Source::parse_parallel("zh-Hant-vi=x.tsv", |p: &str| PathBuf::from(p)).unwrap();
        assert_eq!(s.langs, ["zh-Hant", "vi"]);
        assert!(Source::parse_parallel("en=x.tsv", |p: &str| PathBuf::from(p)).is_err());
        assert!(Source::parse_parallel("en-vi", |p: &str| PathBuf::from(p)).is_err());
        let m = Source::parse_mono("vi=wiki.txt.gz", |p| PathBuf::from("/base").join(p)).unwrap();
        assert_eq!(m.paths, [PathBuf::from("/base/wiki.txt.gz")]);
        assert_eq!(m.label, "wiki.txt.gz");
    }
}
