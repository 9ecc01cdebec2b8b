//! `mekong tokenizer devset`: a multi-parallel dev set and test set built from bitexts.
//!
//! Community teams have bitexts (en–vi, en–km, …), rarely a set aligned across all their
//! languages, which parity training and held-out fairness both need. A pivot-language segment
//! (English by default) that every bitext translates makes one aligned row: its pivot text and
//! each language's translation. Segments are compared after NFC, invisible-character and
//! whitespace normalisation (see `normalise`); the first translation of a segment in input order
//! is kept, and a pair whose two sides are the same text (an untranslated string) is no
//! translation. The aligned rows are ranked by a hash of
//! the seed and the pivot text, so a row's place does not depend on the other rows, and the first
//! ones go to the test set, the next to the dev set: the two never share a segment.
//!
//! With `partial`, a row needs only one translation: a language's line is empty where its
//! bitext lacks the segment, and each language is measured against the pivot on its own rows
//! (see [`crate::dev_set`]). Rows are taken in the same ranked order while some language still
//! needs rows, up to `test_size` (at most half of what it has) and `dev_size` per language, so a
//! language with a thousand pairs gets as many rows as one with a hundred thousand; a row's
//! languages that already have enough are left empty. Use it when the bitexts share few
//! segments (18 gettext catalogues share 10). `dev_size_for` gives chosen languages more dev
//! rows than the others.
//!
//! Bitexts are corpus-stage Parquet folders (their parallel shards) or TSV files
//! `pivot<TAB>translation` given as `en-vi=FILE` (either side may be the pivot).

use crate::error::{Result, TokenizerError};
use mekong_common::corpus_shards::{self, Columns, ShardReader};
use mekong_common::parallel::read_raw_lines;
use mekong_common::text::is_invisible;
use mekong_common::{CommonError, Manifest, StagingDir};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// The manifest's stage name for a devset folder.
pub const STAGE: &str = "tokenizer-devset";
/// The record of what was built, beside `dev/` and `test/`.
pub const DEVSET_FILE: &str = "devset.json";

/// One bitext: a TSV file of a language pair, or a corpus-stage folder (all its pairs).
#[derive(Debug, Clone, PartialEq)]
pub enum Bitext {
    Tsv {
        langs: (String, String),
        path: PathBuf,
    },
    Corpus(PathBuf),
}

impl Bitext {
    /// `SRC-TGT=FILE` (a TSV file) or a path (a corpus-stage folder).
    pub fn parse(spec: &str) -> Result<Self> {
        let Some((pair, path)) = spec.split_once('=') else {
            return Ok(Bitext::Corpus(PathBuf::from(spec)));
        };
        match pair.split_once('-') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() && !path.is_empty() => Ok(Bitext::Tsv {
                langs: (a.to_string(), b.to_string()),
                path: PathBuf::from(path),
            }),
            _ => Err(TokenizerError::Config(format!(
                "'{spec}': a bitext is SRC-TGT=FILE.tsv or a corpus folder"
            ))),
        }
    }

    fn path(&self) -> &Path {
        match self {
            Bitext::Tsv { path, .. } | Bitext::Corpus(path) => path,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DevsetConfig {
    pub bitexts: Vec<Bitext>,
    pub pivot: String,
    /// Rows for the dev set, at most.
    pub dev_size: usize,
    /// Rows for the test set, at most (never more than half of the aligned rows).
    pub test_size: usize,
    pub seed: u64,
    /// Rows need not be translated in every bitext; the sizes are per language.
    pub partial: bool,
    /// Partial sets: dev rows for these languages instead of `dev_size`. More rows for the
    /// language a team builds for pin its premium down: parity holds it at the level on the dev
    /// rows, so where it lands on other text moves with which rows those are.
    pub dev_size_for: BTreeMap<String, usize>,
}

impl Default for DevsetConfig {
    fn default() -> Self {
        DevsetConfig {
            bitexts: Vec::new(),
            pivot: "en".into(),
            // Thousands of rows: the 31 lines of the UDHR over-fit (see docs/tokenizer.md).
            dev_size: 2000,
            test_size: 1000,
            seed: 0,
            partial: false,
            dev_size_for: BTreeMap::new(),
        }
    }
}

/// What `devset.json` records.
#[derive(Debug, Clone, Serialize)]
pub struct DevsetSummary {
    pub pivot: String,
    pub seed: u64,
    /// Per language: pivot segments its bitexts translate.
    pub coverage: BTreeMap<String, usize>,
    /// Pivot segments every language translates.
    pub aligned: usize,
    /// The language with the fewest translated segments: the one that limits `aligned`.
    pub thinnest: String,
    pub dev_rows: usize,
    pub test_rows: usize,
    /// Partial sets: rows per language with text in each set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_rows: Option<PartialRows>,
}

/// Rows per language in a partial dev and test set.
#[derive(Debug, Clone, Serialize)]
pub struct PartialRows {
    pub dev: BTreeMap<String, usize>,
    pub test: BTreeMap<String, usize>,
}

impl DevsetSummary {
    pub fn text(&self, output: &Path) -> String {
        let listed = |counts: &BTreeMap<String, usize>| -> String {
            let items: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
            items.join(", ")
        };
        if let Some(rows) = &self.partial_rows {
            return format!(
                "devset (partial): dev {} rows, test {} rows of {} in {}\n\
                 coverage: {}\ndev rows per language: {}\ntest rows per language: {}\n",
                self.dev_rows,
                self.test_rows,
                self.pivot,
                output.display(),
                listed(&self.coverage),
                listed(&rows.dev),
                listed(&rows.test)
            );
        }
        let coverage = listed(&self.coverage);
        format!(
            "devset: {} segments of {} translated in all {} languages (thinnest: {}); \
             dev {} rows, test {} rows in {}\ncoverage: {}\n",
            self.aligned,
            self.pivot,
            self.coverage.len() + 1,
            self.thinnest,
            self.dev_rows,
            self.test_rows,
            output.display(),
            coverage
        )
    }
}

/// Builds `output/dev/<lang>.txt` and `output/test/<lang>.txt` (with `devset.json` and a
/// manifest), replacing `output` only when every file is written.
pub fn build(config: &DevsetConfig, output: &Path) -> Result<DevsetSummary> {
    if config.bitexts.is_empty() {
        return Err(TokenizerError::Config(
            "devset needs at least one bitext".into(),
        ));
    }
    let inputs: Vec<PathBuf> = config
        .bitexts
        .iter()
        .flat_map(|b| mekong_common::files_read(b.path(), &["parquet"]))
        .collect();
    if !config.dev_size_for.is_empty() && !config.partial {
        return Err(TokenizerError::Config(
            "--dev-size-for needs --partial (an aligned set has one size for every language)"
                .into(),
        ));
    }
    let mut parameters = serde_json::json!({
        "pivot": config.pivot, "dev_size": config.dev_size,
        "test_size": config.test_size, "seed": config.seed, "partial": config.partial,
    });
    // Only when given, so that sets built before it keep their manifests.
    if !config.dev_size_for.is_empty() {
        parameters["dev_size_for"] = serde_json::json!(config.dev_size_for);
    }
    let mut manifest = Manifest::new(STAGE, &inputs, parameters)?;

    let (translations, sources) = read_translations(config)?;
    if let Some(lang) = config
        .dev_size_for
        .keys()
        .find(|lang| !translations.contains_key(*lang))
    {
        return Err(TokenizerError::Config(format!(
            "--dev-size-for {lang}: no bitext translates the {} segments into {lang}",
            config.pivot
        )));
    }
    let (thinnest, _) = translations
        .iter()
        .min_by_key(|(_, t)| t.len())
        .expect("at least one bitext, so one language");
    let thinnest = thinnest.clone();
    let everywhere: Vec<&str> = translations[&thinnest]
        .keys()
        .filter(|key| translations.values().all(|t| t.contains_key(*key)))
        .map(String::as_str)
        .collect();
    let (dev, test) = if config.partial {
        partial_rows(config, &translations)?
    } else {
        aligned_rows(config, &translations, &sources, &everywhere)?
    };

    let staging = StagingDir::new(output)?;
    for (name, rows) in [("dev", &dev), ("test", &test)] {
        write_set(
            &staging.path().join(name),
            &config.pivot,
            rows,
            &translations,
        )?;
    }
    let summary = DevsetSummary {
        pivot: config.pivot.clone(),
        seed: config.seed,
        coverage: translations
            .iter()
            .map(|(l, t)| (l.clone(), t.len()))
            .collect(),
        aligned: everywhere.len(),
        thinnest,
        dev_rows: dev.len(),
        test_rows: test.len(),
        partial_rows: config.partial.then(|| PartialRows {
            dev: rows_per_language(&dev),
            test: rows_per_language(&test),
        }),
    };
    let json = serde_json::to_string_pretty(&summary).expect("the summary serialises") + "\n";
    let path = staging.path().join(DEVSET_FILE);
    std::fs::write(&path, json).map_err(|e| TokenizerError::io(&path, e))?;
    manifest.counts = serde_json::json!({
        "aligned": summary.aligned, "dev": summary.dev_rows, "test": summary.test_rows
    });
    manifest.outputs = vec!["dev".into(), "test".into(), DEVSET_FILE.into()];
    manifest.write(staging.path())?;
    staging.commit()?;
    Ok(summary)
}

/// Language → (normalised pivot text → its first translation).
type Translations = BTreeMap<String, HashMap<String, String>>;
/// Language → the bitext its translations were first read from (for errors).
type Sources = BTreeMap<String, PathBuf>;

/// One row of a set: a pivot segment and the languages whose translation it carries.
struct Row<'a> {
    key: &'a str,
    languages: Vec<&'a str>,
}

/// Test and dev rows from the segments translated in every bitext (`everywhere`): the first
/// ranked ones go to the test set.
fn aligned_rows<'a>(
    config: &DevsetConfig,
    translations: &'a Translations,
    sources: &Sources,
    everywhere: &[&'a str],
) -> Result<(Vec<Row<'a>>, Vec<Row<'a>>)> {
    let aligned = ranked(config.seed, everywhere.iter().copied());
    if aligned.len() < 2 {
        return Err(TokenizerError::Config(format!(
            "only {} {} segment(s) are translated in every bitext{}: a dev and a test set need 2 \
             (--partial takes segments translated in some)",
            aligned.len(),
            config.pivot,
            least_shared(translations, sources, &config.pivot)
        )));
    }
    let test_rows = config.test_size.min(aligned.len() / 2);
    let dev_rows = config.dev_size.min(aligned.len() - test_rows);
    let every: Vec<&str> = translations.keys().map(String::as_str).collect();
    let row = |key: &&'a str| Row {
        key,
        languages: every.clone(),
    };
    let test = aligned[..test_rows].iter().map(row).collect();
    let dev = aligned[test_rows..test_rows + dev_rows]
        .iter()
        .map(row)
        .collect();
    Ok((dev, test))
}

/// Which bitext shares the fewest pivot segments with all the others, as a clause for the
/// error that too few are shared (empty with a single bitext).
fn least_shared(translations: &Translations, sources: &Sources, pivot: &str) -> String {
    if translations.len() < 2 {
        return String::new();
    }
    let shared = |lang: &str, own: &HashMap<String, String>| {
        let others = || translations.iter().filter(move |(other, _)| *other != lang);
        own.keys()
            .filter(|key| others().all(|(_, t)| t.contains_key(*key)))
            .count()
    };
    let (shared, lang, total) = translations
        .iter()
        .map(|(lang, own)| (shared(lang, own), lang, own.len()))
        .min()
        .expect("at least two languages");
    format!(
        " ({}, {lang}: {shared} of its {total} {pivot} segments are in every other bitext)",
        sources[lang].display()
    )
}

/// Test and dev rows for a partial set (see the module's comment): the test set is filled
/// first, then the dev set from the segments left, and a translation in the test set is never
/// repeated in the dev set (two pivot variants may share it).
fn partial_rows<'a>(
    config: &DevsetConfig,
    translations: &'a Translations,
) -> Result<(Vec<Row<'a>>, Vec<Row<'a>>)> {
    if let Some((lang, _)) = translations.iter().find(|(_, t)| t.len() < 2) {
        return Err(TokenizerError::Config(format!(
            "{lang} has fewer than 2 translated {} segments: a dev and a test set need one each",
            config.pivot
        )));
    }
    let all = translations.values().flat_map(HashMap::keys);
    let keys = ranked(config.seed, all.map(String::as_str));

    let mut used = HashSet::new();
    let test_wanted = translations
        .iter()
        .map(|(lang, t)| (lang.as_str(), config.test_size.min(t.len() / 2)))
        .collect();
    let test = take_rows(&keys, translations, test_wanted, &mut used, &HashSet::new());
    let in_test: HashSet<(&str, &str)> = test
        .iter()
        .flat_map(|row| {
            let texts = row.languages.iter();
            texts.map(|lang| (*lang, translations[*lang][row.key].as_str()))
        })
        .collect();
    let test_rows = rows_per_language(&test);
    let dev_wanted = translations
        .iter()
        .map(|(lang, t)| {
            let left = t.len() - test_rows.get(lang).copied().unwrap_or(0);
            let size = config.dev_size_for.get(lang).unwrap_or(&config.dev_size);
            (lang.as_str(), (*size).min(left))
        })
        .collect();
    let dev = take_rows(&keys, translations, dev_wanted, &mut used, &in_test);
    Ok((dev, test))
}

/// Rows in the ranked order of `keys` while some language still wants rows: each carries the
/// languages that translate its segment and still want one, never with a translation in `avoid`
/// (language, text); a segment in `used` is skipped, and each row's segment is added to it.
fn take_rows<'a>(
    keys: &[&'a str],
    translations: &'a Translations,
    mut wanted: BTreeMap<&'a str, usize>,
    used: &mut HashSet<&'a str>,
    avoid: &HashSet<(&str, &str)>,
) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for &key in keys {
        if wanted.values().all(|&n| n == 0) {
            break;
        }
        if used.contains(key) {
            continue;
        }
        let languages: Vec<&'a str> = translations
            .iter()
            .filter(|(lang, t)| {
                let text = t.get(key).map(String::as_str);
                wanted[lang.as_str()] > 0
                    && text.is_some_and(|text| !avoid.contains(&(lang.as_str(), text)))
            })
            .map(|(lang, _)| lang.as_str())
            .collect();
        if languages.is_empty() {
            continue;
        }
        for lang in &languages {
            *wanted.get_mut(lang).expect("every language has a quota") -= 1;
        }
        used.insert(key);
        rows.push(Row { key, languages });
    }
    rows
}

fn rows_per_language(rows: &[Row]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for row in rows {
        for lang in &row.languages {
            *counts.entry(lang.to_string()).or_default() += 1;
        }
    }
    counts
}

/// Language → (normalised pivot text → its first translation), over every bitext.
fn read_translations(config: &DevsetConfig) -> Result<(Translations, Sources)> {
    let mut translations: Translations = BTreeMap::new();
    let mut sources = Sources::new();
    let mut add = |path: &Path, (a, b): (&str, &str), (left, right): (&str, &str)| {
        let (lang, pivot, text) = if a == config.pivot {
            (b, left, right)
        } else if b == config.pivot {
            (a, right, left)
        } else {
            return Err(TokenizerError::Config(format!(
                "{}: the pair {a}-{b} has no {} side (the pivot language)",
                path.display(),
                config.pivot
            )));
        };
        let (pivot, text) = (normalise(pivot), normalise(text));
        let translated = !pivot.is_empty() && !text.is_empty() && pivot != text;
        if translated {
            let by_key = translations.entry(lang.to_string()).or_default();
            by_key.entry(pivot).or_insert(text);
            sources
                .entry(lang.to_string())
                .or_insert_with(|| path.to_path_buf());
        }
        Ok(translated)
    };
    for bitext in &config.bitexts {
        let mut translated = 0usize;
        match bitext {
            Bitext::Tsv { langs, path } => read_tsv(path, |pair| {
                translated += usize::from(add(path, (&langs.0, &langs.1), pair)?);
                Ok(())
            })?,
            // A corpus folder may hold pairs of other languages too: those are not read.
            Bitext::Corpus(dir) => read_corpus(dir, |path, langs, pair| {
                if langs.0 == config.pivot || langs.1 == config.pivot {
                    translated += usize::from(add(path, langs, pair)?);
                }
                Ok(())
            })?,
        }
        // Without this, a language whose only bitext is empty would silently drop out of the
        // sets instead of leaving them empty.
        if translated == 0 {
            return Err(TokenizerError::Config(format!(
                "{}: no translated {} segment (empty, untranslated, or no pair with {})",
                bitext.path().display(),
                config.pivot,
                config.pivot
            )));
        }
    }
    Ok((translations, sources))
}

/// Every line `left<TAB>right[<TAB>…]`, read by the project's one line reader (its rules for
/// line endings, a byte-order mark and invalid UTF-8); a line without a tab is an error naming it.
fn read_tsv(path: &Path, mut pair: impl FnMut((&str, &str)) -> Result<()>) -> Result<()> {
    for (index, line) in read_raw_lines(path)?.iter().enumerate() {
        let mut fields = line.split('\t');
        match (fields.next(), fields.next()) {
            (Some(left), Some(right)) => pair((left, right))?,
            _ if line.trim().is_empty() => {}
            _ => {
                return Err(CommonError::BadLine {
                    path: path.to_path_buf(),
                    line: index + 1,
                    message: "expected two tab-separated columns".into(),
                }
                .into())
            }
        }
    }
    Ok(())
}

/// The pairs of a corpus folder's parallel shards, with each row's languages.
fn read_corpus(
    dir: &Path,
    mut pair: impl FnMut(&Path, (&str, &str), (&str, &str)) -> Result<()>,
) -> Result<()> {
    for shard in corpus_shards::shard_files(dir)? {
        for batch in ShardReader::open(&shard, Columns::Texts)? {
            for [src_lang, src_text, tgt_lang, tgt_text] in batch?.pairs()? {
                pair(&shard, (src_lang, tgt_lang), (src_text, tgt_text))?;
            }
        }
    }
    Ok(())
}

/// NFC without the invisible characters the corpus stage removes (zero-width spaces, which
/// Khmer and Thai files use as word breaks, and the like), runs of whitespace as one space,
/// trimmed: how segments are compared, and how they are written, so dev text is what training
/// text is.
fn normalise(text: &str) -> String {
    let nfc: String = text.nfc().filter(|&c| !is_invisible(c)).collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The distinct `keys` in the order of their [`rank`] (ties, which SHA-256 makes theoretical,
/// by the text).
fn ranked<'a>(seed: u64, keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ranked: Vec<(&str, [u8; 32])> = keys.map(|key| (key, rank(seed, key))).collect();
    ranked.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    ranked.dedup_by(|a, b| a.0 == b.0);
    ranked.into_iter().map(|(key, _)| key).collect()
}

fn rank(seed: u64, key: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(key.as_bytes());
    hasher.finalize().into()
}

/// One set: `<pivot>.txt` holding the rows' segments, and each language's translations of
/// them (an empty line where a row does not carry the language).
fn write_set(dir: &Path, pivot: &str, rows: &[Row], translations: &Translations) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| TokenizerError::io(dir, e))?;
    write_lines(
        &dir.join(format!("{pivot}.txt")),
        rows.iter().map(|r| r.key),
    )?;
    for (lang, by_key) in translations {
        let lines = rows
            .iter()
            .map(|row| match row.languages.contains(&lang.as_str()) {
                true => by_key[row.key].as_str(),
                false => "",
            });
        write_lines(&dir.join(format!("{lang}.txt")), lines)?;
    }
    Ok(())
}

fn write_lines<'a>(path: &Path, lines: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|e| TokenizerError::io(path, e))
}
