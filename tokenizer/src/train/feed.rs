//! Feeding text to the `tokenizers` crate's trainer: training text one language at a time
//! (read on one thread, pre-tokenized and counted in parallel by the crate), dev text as
//! weighted word counts.

use crate::corpus_input::TrainingCorpus;
use crate::error::{Result, TokenizerError};
use crate::pretokenize::words;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::sync_channel;
use tokenizers::models::bpe::ParityBpeTrainer;
use tokenizers::PreTokenizerWrapper;

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

/// Feeds every language's (sampled) training text; returns the bytes used per language.
pub fn feed_training(
    trainer: &mut ParityBpeTrainer,
    corpus: &TrainingCorpus,
    languages: &[String],
    pre_tokenizer: &PreTokenizerWrapper,
    max_bytes_per_lang: Option<u64>,
    seed: u64,
    show_progress: bool,
) -> Result<BTreeMap<String, u64>> {
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
    let mut used = BTreeMap::new();
    for (index, lang) in languages.iter().enumerate() {
        progress.set_message(lang.clone());
        let total = corpus.bytes_per_language().get(lang).copied().unwrap_or(0);
        let sampler = Sampler::new(seed, lang, total, max_bytes_per_lang);
        let (sender, receiver) = sync_channel::<String>(4096);
        let fed = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let mut bytes = 0u64;
                let mut segment = 0u64;
                let mut receiver_gone = false;
                let outcome = corpus.for_each_text(lang, |text| {
                    let keep = sampler.keeps(segment);
                    segment += 1;
                    if keep && !receiver_gone {
                        bytes += text.len() as u64;
                        progress.inc(text.len() as u64);
                        receiver_gone = sender.send(text.to_string()).is_err();
                    }
                });
                drop(sender);
                outcome.map(|()| bytes)
            });
            let counted = trainer.feed_language_from_iter(index, receiver.into_iter(), |text| {
                words(pre_tokenizer, text).map_err(|e| e.to_string().into())
            });
            let bytes = reader.join().expect("the corpus reader does not panic")?;
            counted.map_err(TokenizerError::library)?;
            Ok::<u64, TokenizerError>(bytes)
        })?;
        used.insert(lang.clone(), fed);
    }
    progress.finish_and_clear();
    Ok(used)
}

/// Byte-level word counts of each language's dev lines.
pub fn dev_word_counts(
    dev_lines: &BTreeMap<String, Vec<String>>,
    languages: &[String],
    pre_tokenizer: &PreTokenizerWrapper,
) -> Result<Vec<HashMap<String, u64>>> {
    let mut all = Vec::with_capacity(languages.len());
    for lang in languages {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for line in dev_lines.get(lang).into_iter().flatten() {
            for word in words(pre_tokenizer, line)? {
                *counts.entry(word).or_default() += 1;
            }
        }
        all.push(counts);
    }
    Ok(all)
}

/// Feeds each language's dev words `weight` times over, so the trainer's dev lengths are the
/// weighted lengths ([`crate::train::weights`] explains the weights).
///
/// The crate counts words per fed sequence, building a map for each, so every distinct word is
/// fed as one sequence that expands to all its weighted occurrences: one map per word instead of
/// one per occurrence (weights reach 1,000, which made feeding the dev set cost seconds).
pub fn feed_dev(
    trainer: &mut ParityBpeTrainer,
    dev_counts: &[HashMap<String, u64>],
    weights: &[u64],
) -> Result<()> {
    for (index, (counts, &weight)) in dev_counts.iter().zip(weights).enumerate() {
        let mut distinct: Vec<&String> = counts.keys().collect();
        distinct.sort();
        trainer
            .feed_dev_language_from_iter(index, distinct.into_iter(), |word| {
                Ok(vec![word.to_string(); (counts[word] * weight) as usize])
            })
            .map_err(TokenizerError::library)?;
    }
    Ok(())
}
