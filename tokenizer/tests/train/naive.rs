//! Obviously-correct BPE, written for the tests: recount every pair of every word after every
//! merge (no incremental updates, no heaps), take the largest (count, left, right).

use mekong_tokenizer::pretokenize::WordSplitter;
use mekong_tokenizer::train::TrainOptions;
use std::collections::BTreeMap;

/// A word as its current symbols, with how often it occurs.
pub type Words = Vec<(Vec<String>, u64)>;

/// Byte-level words of `lines`, each split into single characters (= bytes).
pub fn count_words(lines: &[&str]) -> Words {
    let splitter = WordSplitter::new(&TrainOptions::default()).unwrap();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for line in lines {
        for word in splitter.words(line).unwrap() {
            *counts.entry(word).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(word, n)| (word.chars().map(String::from).collect(), n))
        .collect()
}

pub fn pair_counts(words: &Words) -> BTreeMap<(String, String), u64> {
    let mut counts = BTreeMap::new();
    for (symbols, n) in words {
        for pair in symbols.windows(2) {
            *counts
                .entry((pair[0].clone(), pair[1].clone()))
                .or_default() += n;
        }
    }
    counts
}

/// The most frequent pair; ties go to the larger (left, right) strings.
pub fn best_pair(words: &Words, min_frequency: u64) -> Option<(String, String)> {
    pair_counts(words)
        .into_iter()
        .filter(|(_, n)| *n >= min_frequency.max(1))
        .max_by(|(p, n), (q, m)| n.cmp(m).then_with(|| p.cmp(q)))
        .map(|(pair, _)| pair)
}

/// Replaces every non-overlapping occurrence of `pair`, left to right.
pub fn apply(words: &mut Words, pair: &(String, String)) {
    for (symbols, _) in words.iter_mut() {
        let mut out = Vec::with_capacity(symbols.len());
        let mut i = 0;
        while i < symbols.len() {
            if i + 1 < symbols.len() && symbols[i] == pair.0 && symbols[i + 1] == pair.1 {
                out.push(format!("{}{}", pair.0, pair.1));
                i += 2;
            } else {
                out.push(symbols[i].clone());
                i += 1;
            }
        }
        *symbols = out;
    }
}

pub fn length(words: &Words) -> u64 {
    words.iter().map(|(s, n)| s.len() as u64 * n).sum()
}

/// Classic BPE over all languages' lines together.
pub fn classic(lines: &[&str], merges: usize, min_frequency: u64) -> Vec<(String, String)> {
    let mut words = count_words(lines);
    let mut learned = Vec::new();
    while learned.len() < merges {
        let Some(pair) = best_pair(&words, min_frequency) else {
            break;
        };
        apply(&mut words, &pair);
        learned.push(pair);
    }
    learned
}
