//! Word types as symbol sequences, with where each occurs, and the merge of one pair into all
//! words that hold it, through a pair → words index: no scan of the whole table per merge.

use super::pair_counts::{Pair, PairCounts};
use super::vocab::Vocab;
use super::MergeInput;
use rustc_hash::FxHashMap;

/// Whether an occurrence count is of training text (it drives pair counts), of the dev set
/// (it drives only the language lengths that parity balances) or of the reference language's
/// dev text on another language's rows (the length that language is compared with).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Train,
    Dev,
    Reference,
}

#[derive(Clone, Copy)]
struct Occurrence {
    lang: u32,
    source: Source,
    count: i64,
}

/// One distinct word (the same string in several languages, or in training and dev text, is
/// one word type).
struct WordType {
    symbols: Vec<u32>,
    occurrences: Vec<Occurrence>,
}

/// Everything a merge updates besides the words themselves.
pub struct Tallies {
    /// Pair counts of each language's training words.
    pub per_language: Vec<PairCounts>,
    /// Pair counts summed over languages (kept only while global merges remain).
    pub global: PairCounts,
    pub track_languages: bool,
    pub track_global: bool,
    /// Tokens per language in the (weighted) dev words.
    pub dev_lengths: Vec<i64>,
    /// Tokens of the reference's dev words on each language's rows (partial dev sets only).
    pub reference_lengths: Vec<i64>,
    /// Tokens per language in the training words.
    pub train_lengths: Vec<i64>,
}

pub struct WordTable {
    words: Vec<WordType>,
    /// For each pair, the words that may hold it (stale entries are harmless; every word that
    /// holds it is listed).
    holders: FxHashMap<Pair, Vec<u32>>,
    /// Pair changes of the word being merged (reused buffer).
    deltas: Vec<(Pair, i64)>,
}

impl WordTable {
    /// Splits every word into its characters' ids and counts all pairs and lengths.
    pub fn build(
        input: &MergeInput,
        vocab: &Vocab,
        track_languages: bool,
        track_global: bool,
    ) -> (WordTable, Tallies) {
        let languages = input.train.len();
        let mut index: FxHashMap<&str, u32> = FxHashMap::default();
        let mut words: Vec<WordType> = Vec::new();
        let dev = input.dev.iter().flat_map(|dev| {
            let reference = dev.reference.into_iter().flat_map(|reference| {
                reference
                    .iter()
                    .enumerate()
                    .map(|(lang, counts)| (lang, Source::Reference, counts, 1))
            });
            dev.counts
                .iter()
                .zip(dev.weights)
                .enumerate()
                .map(|(lang, (counts, &weight))| (lang, Source::Dev, counts, weight))
                .chain(reference)
        });
        let train = input
            .train
            .iter()
            .enumerate()
            .map(|(lang, counts)| (lang, Source::Train, counts, 1));
        for (lang, source, counts, weight) in train.chain(dev) {
            for (word, &count) in counts {
                let id = *index.entry(word.as_str()).or_insert_with(|| {
                    words.push(WordType {
                        symbols: vocab.symbols(word),
                        occurrences: Vec::new(),
                    });
                    (words.len() - 1) as u32
                });
                words[id as usize].occurrences.push(Occurrence {
                    lang: lang as u32,
                    source,
                    count: (count * weight) as i64,
                });
            }
        }

        let mut tallies = Tallies {
            per_language: (0..languages).map(|_| PairCounts::default()).collect(),
            global: PairCounts::default(),
            track_languages,
            track_global,
            dev_lengths: vec![0; languages],
            reference_lengths: vec![0; languages],
            train_lengths: vec![0; languages],
        };
        let mut holders: FxHashMap<Pair, Vec<u32>> = FxHashMap::default();
        for (id, word) in words.iter().enumerate() {
            let pairs = word.symbols.windows(2).map(|w| (w[0], w[1]));
            for pair in pairs.filter(|&pair| mergeable(pair, vocab)) {
                tallies.add_pair(&word.occurrences, pair, 1);
                holders.entry(pair).or_default().push(id as u32);
            }
            tallies.shorten(&word.occurrences, -(word.symbols.len() as i64));
        }
        tallies.publish(vocab);
        let table = WordTable {
            words,
            holders,
            deltas: Vec::new(),
        };
        (table, tallies)
    }

    /// Replaces `pair` by `merged` in every word that holds it, updating pair counts, the
    /// index and the lengths by the changes around each merge site only.
    pub fn merge(&mut self, pair: Pair, merged: u32, tallies: &mut Tallies, vocab: &Vocab) {
        let mut holders = self.holders.remove(&pair).unwrap_or_default();
        holders.sort_unstable();
        holders.dedup();
        for id in holders {
            let word = &mut self.words[id as usize];
            self.deltas.clear();
            let sites = merge_symbols(&mut word.symbols, pair, merged, &mut self.deltas);
            if sites == 0 {
                continue;
            }
            // Net change per pair: a site next to an earlier one undoes part of its change.
            self.deltas.sort_unstable();
            self.deltas.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 += later.1;
                }
                same
            });
            let changed = self.deltas.iter().filter(|(_, d)| *d != 0);
            for &(p, d) in changed.filter(|&&(p, _)| mergeable(p, vocab)) {
                tallies.add_pair(&word.occurrences, p, d);
                if d > 0 {
                    self.holders.entry(p).or_default().push(id);
                }
            }
            tallies.shorten(&word.occurrences, sites);
        }
        for counts in tallies.per_language.iter_mut() {
            counts.remove(pair);
        }
        tallies.global.remove(pair);
        tallies.publish(vocab);
    }
}

impl Tallies {
    /// Adds `delta` occurrences of `pair` per occurrence of a word.
    fn add_pair(&mut self, occurrences: &[Occurrence], pair: Pair, delta: i64) {
        for o in occurrences.iter().filter(|o| o.source == Source::Train) {
            if self.track_languages {
                self.per_language[o.lang as usize].add(pair, delta * o.count);
            }
            if self.track_global {
                self.global.add(pair, delta * o.count);
            }
        }
    }

    /// A word lost `symbols` symbols (negative: gained, when it is first counted).
    fn shorten(&mut self, occurrences: &[Occurrence], symbols: i64) {
        for o in occurrences {
            let lengths = match o.source {
                Source::Train => &mut self.train_lengths,
                Source::Dev => &mut self.dev_lengths,
                Source::Reference => &mut self.reference_lengths,
            };
            lengths[o.lang as usize] -= symbols * o.count;
        }
    }

    fn publish(&mut self, vocab: &Vocab) {
        for counts in self.per_language.iter_mut() {
            counts.publish(vocab);
        }
        self.global.publish(vocab);
    }
}

/// Whether `pair` may ever be merged: not when either side is a byte-fallback token, whose
/// merged text would not decode (see `char_base`). Such pairs are neither counted nor indexed.
fn mergeable((left, right): Pair, vocab: &Vocab) -> bool {
    !vocab.is_byte_token(left) && !vocab.is_byte_token(right)
}

/// Merges every occurrence of `pair`, left to right, into `merged`; returns how many. Records in
/// `deltas` the pairs each site removes and creates next to it; the merged pair itself is not
/// recorded (the caller drops it everywhere).
fn merge_symbols(
    symbols: &mut Vec<u32>,
    (left, right): Pair,
    merged: u32,
    deltas: &mut Vec<(Pair, i64)>,
) -> i64 {
    let mut sites = 0;
    let mut i = 0;
    while i + 1 < symbols.len() {
        if symbols[i] == left && symbols[i + 1] == right {
            if i > 0 {
                let before = symbols[i - 1];
                deltas.push(((before, left), -1));
                deltas.push(((before, merged), 1));
            }
            symbols[i] = merged;
            symbols.remove(i + 1);
            if let Some(&after) = symbols.get(i + 1) {
                deltas.push(((right, after), -1));
                deltas.push(((merged, after), 1));
            }
            sites += 1;
        }
        i += 1;
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The changes `merge_symbols` records equal a recount of the word's pairs before and after.
    #[test]
    fn site_changes_equal_a_full_recount() {
        let cases: &[&[u32]] = &[
            &[1, 2, 1, 2],
            &[1, 1, 1],
            &[1, 1, 1, 1],
            &[3, 1, 2, 1, 2, 3],
            &[2, 1, 2, 2, 1, 1, 2],
            &[1, 2],
            &[3],
        ];
        for pair in [(1, 2), (1, 1), (2, 1)] {
            for &case in cases {
                let mut symbols = case.to_vec();
                let mut deltas = Vec::new();
                merge_symbols(&mut symbols, pair, 9, &mut deltas);
                assert!(!symbols.windows(2).any(|w| (w[0], w[1]) == pair));
                let mut expected: FxHashMap<Pair, i64> = FxHashMap::default();
                for w in symbols.windows(2) {
                    *expected.entry((w[0], w[1])).or_default() += 1;
                }
                for w in case.windows(2) {
                    *expected.entry((w[0], w[1])).or_default() -= 1;
                }
                let mut recorded: FxHashMap<Pair, i64> = FxHashMap::default();
                for (p, d) in deltas {
                    *recorded.entry(p).or_default() += d;
                }
                expected.remove(&pair);
                recorded.remove(&pair);
                expected.retain(|_, d| *d != 0);
                recorded.retain(|_, d| *d != 0);
                assert_eq!(recorded, expected, "{case:?} merging {pair:?}");
            }
        }
    }
}
