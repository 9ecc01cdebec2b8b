//! Counting words: training text one language at a time (read on one thread, pre-tokenized
//! and counted in parallel), dev text per language.

use crate::corpus_input::TrainingCorpus;
use crate::dev_set::DevSet;
use crate::error::{Result, TokenizerError};
use crate::pretokenize::WordSplitter;
use crate::train::merges::WordCounts;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::iter::{ParallelBridge, ParallelIterator};
use std::collections::BTreeMap;
use std::sync::mpsc::sync_channel;

/// Keeps a seeded, deterministic share of a language's segments so that about `cap` of its
/// `total` bytes are used: segment i is kept when a hash of (seed, language, i) falls under
/// the share. Sampling, unlike truncation, does not favour the start of the files.
#[derive(Debug, Clone, Copy)]
pub struct Sampler {
    key: u64,
    threshold: u64,
}

impl Sampler {
    pub fn new(seed: u64, lang: &str, total: u64, cap: Option<u64>) -> Self {
        let share = match cap {
            Some(cap) if total > cap => cap as f64 / total as f64,
            _ => 1.0,
        };
        let lang_hash = lang.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
        Sampler {
            key: seed ^ lang_hash,
            threshold: if share >= 1.0 {
                u64::MAX
            } else {
                (share * u64::MAX as f64) as u64
            },
        }
    }

    pub fn keeps(&self, index: u64) -> bool {
        self.threshold == u64::MAX
            || splitmix64(self.key ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15)) < self.threshold
    }
}

/// SplitMix64's finaliser: a fast, well-mixed 64-bit hash.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Lines are sent from the reader to the counting threads in batches of this many.
const BATCH_LINES: usize = 1024;

/// Counts every language's (sampled) training words; returns the counts by language and the
/// bytes used per language. One thread reads while rayon pre-tokenizes and counts batches of
/// lines into per-batch maps that are then summed.
pub fn count_training_words(
    corpus: &TrainingCorpus,
    languages: &[String],
    splitter: &WordSplitter,
    max_bytes_per_lang: Option<u64>,
    seed: u64,
    show_progress: bool,
) -> Result<(Vec<WordCounts>, BTreeMap<String, u64>)> {
    let expected: u64 = corpus
        .bytes_per_language()
        .values()
        .map(|&b| max_bytes_per_lang.map_or(b, |cap| b.min(cap)))
        .sum();
    let progress = if show_progress {
        ProgressBar::new(expected)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template(
            "counting words {msg:>6} {wide_bar} {binary_bytes}/{binary_total_bytes} {elapsed}",
        )
        .expect("valid template"),
    );
    let mut all = Vec::with_capacity(languages.len());
    let mut used = BTreeMap::new();
    for lang in languages {
        progress.set_message(lang.clone());
        let total = corpus.bytes_per_language().get(lang).copied().unwrap_or(0);
        let sampler = Sampler::new(seed, lang, total, max_bytes_per_lang);
        let (sender, receiver) = sync_channel::<Vec<String>>(16);
        let (counts, bytes) = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let mut bytes = 0u64;
                let mut segment = 0u64;
                let mut batch = Vec::with_capacity(BATCH_LINES);
                let mut receiver_gone = false;
                let outcome = corpus.for_each_text(lang, |text| {
                    let keep = sampler.keeps(segment);
                    segment += 1;
                    if keep && !receiver_gone {
                        bytes += text.len() as u64;
                        progress.inc(text.len() as u64);
                        batch.push(text.to_string());
                        if batch.len() == BATCH_LINES {
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(BATCH_LINES));
                            receiver_gone = sender.send(full).is_err();
                        }
                    }
                });
                if !batch.is_empty() && !receiver_gone {
                    let _ = sender.send(batch);
                }
                drop(sender);
                outcome.map(|()| bytes)
            });
            let counted = receiver
                .into_iter()
                .par_bridge()
                .map(|batch| {
                    let mut counts = WordCounts::default();
                    for line in &batch {
                        for word in splitter.words(line)? {
                            *counts.entry(word).or_default() += 1;
                        }
                    }
                    Ok::<_, TokenizerError>(counts)
                })
                .try_reduce(WordCounts::default, |a, b| {
                    // Fold the smaller map into the larger.
                    let (small, mut large) = if a.len() < b.len() { (a, b) } else { (b, a) };
                    for (word, n) in small {
                        *large.entry(word).or_default() += n;
                    }
                    Ok(large)
                });
            let bytes = reader.join().expect("the corpus reader does not panic")?;
            Ok::<_, TokenizerError>((counted?, bytes))
        })?;
        all.push(counts);
        used.insert(lang.clone(), bytes);
    }
    progress.finish_and_clear();
    Ok((all, used))
}

/// The dev set as the merge loop counts it.
#[derive(Default)]
pub struct DevCounts {
    /// Word counts (in the form BPE trains on) of each language's lines on the rows it shares
    /// with the reference.
    pub languages: Vec<WordCounts>,
    /// The reference's word counts on each language's rows, when not every language has every
    /// row (a set built from bitexts): parity then compares each language with the reference on
    /// the same rows. None for a fully aligned set, where raw lengths compare.
    pub reference: Option<Vec<WordCounts>>,
}

/// Counts the dev set's words for the merge loop (see [`DevCounts`]).
pub fn dev_word_counts(
    dev: &DevSet,
    languages: &[String],
    reference: &str,
    splitter: &WordSplitter,
) -> Result<DevCounts> {
    let count = |lines: Vec<&str>| -> Result<WordCounts> {
        let mut counts = WordCounts::default();
        for line in lines {
            for word in splitter.words(line)? {
                *counts.entry(word).or_default() += 1;
            }
        }
        Ok(counts)
    };
    let aligned = dev.fully_aligned(reference);
    let mut counts = DevCounts {
        languages: Vec::with_capacity(languages.len()),
        reference: (!aligned).then(Vec::new),
    };
    for lang in languages {
        let rows = dev.covered_rows(lang, reference);
        counts.languages.push(count(dev.lines_at(lang, &rows))?);
        if let Some(reference_counts) = &mut counts.reference {
            reference_counts.push(count(dev.lines_at(reference, &rows))?);
        }
    }
    Ok(counts)
}
