//! Tokenizer training as tasks (`mekong run --executor`): the training text's units (text
//! files, row groups of the corpus shards: [`Unit`]) are shared among the tasks, which
//!
//! 1. `measure`: count each unit's texts and bytes per language;
//! 2. `count`: count the words of their units, sampled as one process samples them (a text's
//!    index among its language's texts is its unit's offset, from the measures, plus its place
//!    in the unit);
//!
//! then the runner sums the counts (`min_frequency` applies to the sums, in the merge loop) and
//! learns the merges once. The sums are the one process's counts, so tokenizer.json comes out
//! byte-identical to `mekong tokenizer train`'s.

use super::feed::Sampler;
use super::{learn_from_counts, write_stage, CheckedInputs, Counted, TrainConfig, WordCounts};
use crate::corpus_input::{check_measured, Unit};
use crate::error::{Result, TokenizerError};
use crate::pretokenize::WordSplitter;
use mekong_common::{Manifest, Sharded, StageError, Step, TaskId, TaskWork};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

const STEPS: &[Step] = &[
    Step {
        name: "measure",
        single: false,
    },
    Step {
        name: "count",
        single: false,
    },
];

const MEASURE_FILE: &str = "measure.json";
const COUNTS_FILE: &str = "counts.bin";
const COUNTS_MAGIC: &[u8] = b"mekong word counts 1\n";

/// Per unit (by index), per language: (non-empty texts, bytes).
type Measures = BTreeMap<usize, BTreeMap<String, (u64, u64)>>;

impl Sharded for TrainConfig {
    fn steps(&self) -> &'static [Step] {
        STEPS
    }

    fn run_task(
        &self,
        step: &str,
        task: TaskId,
        work: &TaskWork,
        out: &Path,
    ) -> std::result::Result<(), StageError> {
        let (units, weights) = Unit::all(&self.train)?;
        let mine = task.share(&weights);
        match step {
            "measure" => {
                let measures: Measures = units[mine.clone()]
                    .par_iter()
                    .zip(mine)
                    .map(|(unit, index)| Ok((index, measure(unit)?)))
                    .collect::<Result<_>>()?;
                let path = out.join(MEASURE_FILE);
                let json = serde_json::to_vec(&measures).expect("measures serialise");
                std::fs::write(&path, json).map_err(|e| TokenizerError::io(&path, e))?;
            }
            _ => {
                let measures = read_measures(work, units.len())?;
                let counts = self.count(&units, mine, &measures)?;
                write_counts(&out.join(COUNTS_FILE), &counts)?;
            }
        }
        Ok(())
    }

    fn assemble(&self, work: &TaskWork, output: &Path) -> std::result::Result<String, StageError> {
        self.validate()?;
        let mut manifest = Manifest::new(super::STAGE, &self.inputs(), self.parameters())?;
        let (units, _) = Unit::all(&self.train)?;
        let measures = read_measures(work, units.len())?;
        let mut bytes: BTreeMap<String, u64> = BTreeMap::new();
        for (lang, (_, n)) in measures.values().flatten() {
            *bytes.entry(lang.clone()).or_default() += n;
        }
        check_measured(&self.train, &bytes)?;
        let languages: Vec<String> = bytes.keys().cloned().collect();
        let inputs = CheckedInputs::read(self, &languages)?;
        let mut sums: BTreeMap<String, (WordCounts, u64)> = BTreeMap::new();
        for index in 0..work.tasks() {
            for (lang, (counts, used)) in
                read_counts(&work.task_dir("count", index).join(COUNTS_FILE))?
            {
                let (sum, total) = sums.entry(lang).or_default();
                add(sum, counts);
                *total += used;
            }
        }
        let mut train_counts = Vec::with_capacity(languages.len());
        let mut train_bytes = BTreeMap::new();
        for lang in &languages {
            let (counts, used) = sums.remove(lang).unwrap_or_default();
            train_counts.push(counts);
            train_bytes.insert(lang.clone(), used);
        }
        let trained = learn_from_counts(
            self,
            inputs,
            Counted {
                languages,
                train_counts,
                train_bytes,
                seconds: 0.0,
            },
        )?;
        write_stage(&trained, &mut manifest, output)?;
        Ok(format!("{}\n", trained.summary.short_text()))
    }
}

impl TrainConfig {
    /// The sampled word counts of the units `mine`, per language, with the bytes counted.
    fn count(
        &self,
        units: &[Unit],
        mine: std::ops::Range<usize>,
        measures: &Measures,
    ) -> Result<BTreeMap<String, (WordCounts, u64)>> {
        let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
        for (lang, (_, bytes)) in measures.values().flatten() {
            *totals.entry(lang).or_default() += bytes;
        }
        let samplers: BTreeMap<&str, Sampler> = totals
            .iter()
            .map(|(&lang, &total)| {
                let options = &self.options;
                (
                    lang,
                    Sampler::new(options.seed, lang, total, options.max_bytes_per_lang),
                )
            })
            .collect();
        // A unit's first text of each language: the texts of that language in the units before.
        let mut offsets: Vec<BTreeMap<String, u64>> = Vec::with_capacity(units.len());
        let mut before: BTreeMap<String, u64> = BTreeMap::new();
        for unit in measures.values() {
            offsets.push(before.clone());
            for (lang, (texts, _)) in unit {
                *before.entry(lang.clone()).or_default() += texts;
            }
        }
        let splitter = WordSplitter::new(&self.options)?;
        units[mine.clone()]
            .par_iter()
            .zip(mine)
            .map(|(unit, index)| {
                let mut next = offsets[index].clone();
                let mut counts: BTreeMap<String, (WordCounts, u64)> = BTreeMap::new();
                let mut failed = None;
                unit.for_each_text(|lang, text| {
                    if !next.contains_key(lang) {
                        next.insert(lang.to_string(), 0);
                    }
                    let position = next.get_mut(lang).expect("inserted above");
                    let keep = samplers.get(lang).is_some_and(|s| s.keeps(*position));
                    *position += 1;
                    if !keep || failed.is_some() {
                        return;
                    }
                    let (words_of_lang, bytes) = counts.entry(lang.to_string()).or_default();
                    *bytes += text.len() as u64;
                    match splitter.words(text) {
                        Ok(found) => found
                            .into_iter()
                            .for_each(|word| *words_of_lang.entry(word).or_default() += 1),
                        Err(error) => failed = Some(error),
                    }
                })?;
                failed.map_or(Ok(counts), Err)
            })
            .try_reduce(BTreeMap::new, |mut a, b| {
                for (lang, (counts, bytes)) in b {
                    let (sum, total) = a.entry(lang).or_default();
                    add(sum, counts);
                    *total += bytes;
                }
                Ok(a)
            })
    }
}

/// One unit's non-empty texts and bytes per language.
fn measure(unit: &Unit) -> Result<BTreeMap<String, (u64, u64)>> {
    let mut measured: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    unit.for_each_text(|lang, text| {
        let (texts, bytes) = measured.entry(lang.to_string()).or_default();
        *texts += 1;
        *bytes += text.len() as u64;
    })?;
    Ok(measured)
}

/// Every unit's measure, from the `measure` tasks.
fn read_measures(work: &TaskWork, units: usize) -> Result<Measures> {
    let mut all = Measures::new();
    for index in 0..work.tasks() {
        let path = work.task_dir("measure", index).join(MEASURE_FILE);
        let text = std::fs::read(&path).map_err(|e| TokenizerError::io(&path, e))?;
        let measures: Measures = serde_json::from_slice(&text).map_err(|e| {
            TokenizerError::Config(format!("{}: not a measure file: {e}", path.display()))
        })?;
        all.extend(measures);
    }
    if all.len() != units || all.keys().copied().ne(0..units) {
        return Err(TokenizerError::Config(format!(
            "{}: the measures cover {} of the training folder's {units} units (did it change \
             since the run was planned?)",
            work.root().display(),
            all.len()
        )));
    }
    Ok(all)
}

/// Adds `counts` into `sum`, folding the smaller map into the larger.
fn add(sum: &mut WordCounts, counts: WordCounts) {
    let (small, large) = if counts.len() > sum.len() {
        (std::mem::replace(sum, counts), sum)
    } else {
        (counts, sum)
    };
    for (word, n) in small {
        *large.entry(word).or_default() += n;
    }
}

/// Writes word counts per language: the magic line, then per language its name, bytes counted
/// and words, each word as its length, bytes and count (little-endian).
fn write_counts(path: &Path, counts: &BTreeMap<String, (WordCounts, u64)>) -> Result<()> {
    let io = |e| TokenizerError::io(path, e);
    let mut out = BufWriter::new(std::fs::File::create(path).map_err(io)?);
    out.write_all(COUNTS_MAGIC).map_err(io)?;
    for (lang, (words, bytes)) in counts {
        write_bytes(&mut out, lang.as_bytes()).map_err(io)?;
        out.write_all(&bytes.to_le_bytes()).map_err(io)?;
        out.write_all(&(words.len() as u64).to_le_bytes())
            .map_err(io)?;
        for (word, n) in words {
            write_bytes(&mut out, word.as_bytes()).map_err(io)?;
            out.write_all(&n.to_le_bytes()).map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u32).to_le_bytes())?;
    out.write_all(bytes)
}

/// Reads what [`write_counts`] wrote.
fn read_counts(path: &Path) -> Result<Vec<(String, (WordCounts, u64))>> {
    let file = std::fs::File::open(path).map_err(|e| TokenizerError::io(path, e))?;
    let mut input = BufReader::new(file);
    let damaged = |what: &str| {
        TokenizerError::Config(format!("{}: damaged word counts ({what})", path.display()))
    };
    let mut magic = vec![0u8; COUNTS_MAGIC.len()];
    if input.read_exact(&mut magic).is_err() || magic != COUNTS_MAGIC {
        return Err(damaged("not a counts file"));
    }
    let mut all = Vec::new();
    while !input
        .fill_buf()
        .map_err(|e| TokenizerError::io(path, e))?
        .is_empty()
    {
        let lang = read_text(&mut input).ok_or_else(|| damaged("a language"))?;
        let bytes = read_u64(&mut input).ok_or_else(|| damaged("bytes"))?;
        let count = read_u64(&mut input).ok_or_else(|| damaged("a word count"))?;
        let mut words = WordCounts::default();
        for _ in 0..count {
            let word = read_text(&mut input).ok_or_else(|| damaged("a word"))?;
            let n = read_u64(&mut input).ok_or_else(|| damaged("a count"))?;
            words.insert(word, n);
        }
        all.push((lang, (words, bytes)));
    }
    Ok(all)
}

fn read_u64(input: &mut impl Read) -> Option<u64> {
    let mut bytes = [0u8; 8];
    input.read_exact(&mut bytes).ok()?;
    Some(u64::from_le_bytes(bytes))
}

fn read_text(input: &mut impl Read) -> Option<String> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len).ok()?;
    let len = u32::from_le_bytes(len) as usize;
    // No word or language is this long: a damaged length must not allocate gigabytes.
    if len > 1 << 20 {
        return None;
    }
    let mut bytes = vec![0u8; len];
    input.read_exact(&mut bytes).ok()?;
    String::from_utf8(bytes).ok()
}
