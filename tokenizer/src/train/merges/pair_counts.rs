//! One language's pair counts (or the counts summed over languages), with a lazy max-heap that
//! finds the most frequent pair without a scan.

use super::vocab::Vocab;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;

/// Two adjacent symbol ids.
pub type Pair = (u32, u32);

/// A pair as last pushed: its count then, and its strings for breaking ties.
struct Entry {
    count: i64,
    left: Rc<str>,
    right: Rc<str>,
    pair: Pair,
}

impl Entry {
    fn new(pair: Pair, count: i64, vocab: &Vocab) -> Self {
        Entry {
            count,
            left: vocab.token(pair.0).clone(),
            right: vocab.token(pair.1).clone(),
            pair,
        }
    }
}

/// Larger count first; among equal counts the larger (left, right) strings, the rule of the
/// `tokenizers` trainers (and of Python's `max(stats, key=lambda p: (stats[p], p))`).
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.count
            .cmp(&other.count)
            .then_with(|| self.left.cmp(&other.left))
            .then_with(|| self.right.cmp(&other.right))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// Counts are exact; the heap may hold stale entries. Every pair with a positive count has an
/// entry whose count is at least its current one (a pair is pushed again whenever its count
/// grows), so popping and re-pushing stale entries finds the true maximum.
#[derive(Default)]
pub struct PairCounts {
    counts: FxHashMap<Pair, i64>,
    heap: BinaryHeap<Entry>,
    /// Pairs whose count grew since the last `publish`.
    grown: Vec<Pair>,
}

impl PairCounts {
    pub fn add(&mut self, pair: Pair, delta: i64) {
        *self.counts.entry(pair).or_default() += delta;
        if delta > 0 {
            self.grown.push(pair);
        }
    }

    /// A merged pair occurs nowhere any more.
    pub fn remove(&mut self, pair: Pair) {
        self.counts.remove(&pair);
    }

    /// Pushes the pairs that grew since the last call with their current counts.
    pub fn publish(&mut self, vocab: &Vocab) {
        self.grown.sort_unstable();
        self.grown.dedup();
        for pair in self.grown.drain(..) {
            if let Some(&count) = self.counts.get(&pair).filter(|&&c| c > 0) {
                self.heap.push(Entry::new(pair, count, vocab));
            }
        }
    }

    /// Takes the most frequent pair (ties broken by the strings) off the heap, or None when no
    /// pair is left. The caller merges it, or gives up on this language.
    pub fn pop_best(&mut self) -> Option<(Pair, i64)> {
        while let Some(mut top) = self.heap.pop() {
            let current = self.counts.get(&top.pair).copied().unwrap_or(0);
            if current <= 0 {
                continue;
            }
            if current != top.count {
                top.count = current;
                self.heap.push(top);
                continue;
            }
            return Some((top.pair, current));
        }
        None
    }
}
