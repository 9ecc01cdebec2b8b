//! Learning the merges: classic and parity-aware BPE over word types, from bytes or characters.
//!
//! Why Mekong's own merge loop and not the `tokenizers` crate's `ParityBpeTrainer`: the crate
//! applies each merge to the dev set by scanning every dev word type (`replace_pair_dev`), a
//! full rescan per merge, which the issue rules out. With the script-fair pre-tokenizer's longer
//! words that scan was a third of training time and kept training at or over 1.5× the crate's
//! own time on its default pre-tokenizer. Here dev words are word types like training words:
//! one pair → words index finds every word a merge touches, training or dev, and pair counts
//! and language lengths change only around each merge site.
//!
//! The selection rules, tie-breaks (count, then the pair's strings) and token numbering are the
//! crate's, so both learn the same merges from the same input; a test checks it on random
//! corpora for every variant.

mod pair_counts;
mod select;
mod vocab;
mod words;

use indicatif::ProgressBar;
use pair_counts::Pair;
use rustc_hash::FxHashMap;
use select::Selector;
use std::collections::BTreeSet;
use vocab::Vocab;
use words::WordTable;

/// Byte-level word → occurrences, for one language.
pub type WordCounts = FxHashMap<String, u64>;

/// The dev set as parity sees it: each language's dev words, counted `weight` times over.
pub struct DevWords<'a> {
    pub counts: &'a [WordCounts],
    pub weights: &'a [u64],
    /// The reference language's words on each language's dev rows, when the languages' rows
    /// differ: parity then balances each language's length ÷ the reference's on its rows.
    pub reference: Option<&'a [WordCounts]>,
}

/// What the merges are learned from, languages in one fixed order.
pub struct MergeInput<'a> {
    pub train: &'a [WordCounts],
    /// Parity balances dev lengths when given, training lengths otherwise.
    pub dev: Option<DevWords<'a>>,
}

/// How the merges are chosen.
pub struct MergeRules {
    /// Total vocabulary: special tokens, alphabet and merges.
    pub vocab_size: usize,
    /// A pair seen fewer times than this (in the language served) is never merged.
    pub min_frequency: u64,
    pub special_tokens: Vec<String>,
    /// Characters in the vocabulary whether seen or not (byte-level: all 256).
    pub initial_alphabet: Vec<char>,
    /// The alphabet is `initial_alphabet` alone: other characters become byte-fallback tokens
    /// (character base). Without it every character of the input joins the alphabet.
    pub byte_fallback: bool,
    /// The first N merges are classic: most frequent pair over all languages.
    pub global_merges: usize,
    /// Moving-window variant: (W, alpha).
    pub window: Option<(usize, f64)>,
    /// Ratio mode: desired compression ratio per language, instead of dev lengths.
    pub ratio: Option<Vec<f64>>,
    /// Parity with a tolerance: while every live language's dev premium is within the level,
    /// the merge is classic.
    pub tolerance: Option<Tolerance>,
}

/// A premium level, and the language premiums are measured against (its place in the
/// languages' order).
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub level: f64,
    pub reference: usize,
}

pub struct LearnedMerges {
    /// Token strings by id.
    pub tokens: Vec<String>,
    /// (left, right) token ids, in merge order.
    pub merges: Vec<(u32, u32)>,
    /// The language each merge served; None for a classic (global) merge.
    pub choices: Vec<Option<usize>>,
}

/// Learns merges until the vocabulary is full or no language has a pair left at
/// `min_frequency`. A language whose pairs run out is skipped from then on.
pub fn learn(input: &MergeInput, rules: &MergeRules, progress: &ProgressBar) -> LearnedMerges {
    let languages = input.train.len();
    let mut vocab = Vocab::new(
        &rules.special_tokens,
        rules.byte_fallback,
        alphabet(input, rules),
    );
    let target = rules.vocab_size.saturating_sub(vocab.len());
    let parity_steps = target > rules.global_merges;
    // Classic merges need the pair counts summed over languages: for the first N, or for
    // any step with a tolerance.
    let track_global = |step: usize| step < rules.global_merges || rules.tolerance.is_some();
    let (mut table, mut tallies) = WordTable::build(input, &vocab, parity_steps, track_global(0));
    let initial_lengths = tallies.train_lengths.clone();
    let mut selector = Selector::new(languages, rules.window, rules.ratio.clone());
    let mut exhausted = vec![false; languages];
    let mut merges: Vec<Pair> = Vec::with_capacity(target);
    let mut choices = Vec::with_capacity(target);
    progress.set_length(target as u64);

    while merges.len() < target && !exhausted.iter().all(|&e| e) {
        let step = merges.len();
        // The language served, or None for a classic merge.
        let choice = if step < rules.global_merges {
            None
        } else {
            let (lengths, reference) = match (&input.dev, &rules.ratio) {
                (Some(dev), None) => (
                    &tallies.dev_lengths,
                    dev.reference
                        .is_some()
                        .then_some(&tallies.reference_lengths[..]),
                ),
                _ => (&tallies.train_lengths, None),
            };
            let within = rules.tolerance.is_some_and(|tolerance| {
                selector.all_within(tolerance, lengths, reference, &exhausted)
            });
            (!within).then(|| selector.pick(lengths, reference, &initial_lengths, &exhausted))
        };
        let counts = match choice {
            Some(lang) => &mut tallies.per_language[lang],
            None => &mut tallies.global,
        };
        let pair = match counts.pop_best() {
            Some((pair, count)) if count >= rules.min_frequency as i64 => pair,
            _ => match choice {
                Some(lang) => {
                    exhausted[lang] = true;
                    continue;
                }
                None => break,
            },
        };
        let merged = vocab.merged(pair);
        tallies.track_global = track_global(step + 1);
        table.merge(pair, merged, &mut tallies, &vocab);
        merges.push(pair);
        choices.push(choice);
        progress.inc(1);
    }
    LearnedMerges {
        tokens: vocab.into_tokens(),
        merges,
        choices,
    }
}

/// The initial alphabet and, without byte fallback, every character of the input, in
/// code-point order.
fn alphabet(input: &MergeInput, rules: &MergeRules) -> BTreeSet<char> {
    if rules.byte_fallback {
        return rules.initial_alphabet.iter().copied().collect();
    }
    let dev = input
        .dev
        .iter()
        .flat_map(|d| d.counts.iter().chain(d.reference.into_iter().flatten()));
    let mut chars: BTreeSet<char> = rules.initial_alphabet.iter().copied().collect();
    for counts in input.train.iter().chain(dev) {
        for word in counts.keys() {
            chars.extend(word.chars());
        }
    }
    chars
}

#[cfg(test)]
mod same_as_crate;
