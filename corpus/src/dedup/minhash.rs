//! MinHash signatures, reduced to LSH band keys. Written here rather than taken from a crate:
//! the Rust MinHash crates (gaoya, probminhash) keep whole signatures per document in their
//! indexes and choose their own shingling, while this stage needs datatrove's shingles (word
//! 5-grams of simplified text, 14 bands × 8 rows), only the band keys kept, bit-identical
//! results on every machine, and no allocation per segment. It is the few dozen lines below.
//!
//! Each shingle is hashed once (64-bit xxh3 of its words' hashes); the 112 permutations are
//! then `a·h + b mod 2^64` with seeded odd `a` (a bijection of the 64-bit values, so a true
//! permutation of the shingle hashes): one multiply and one add per shingle and row, where
//! datatrove's `(a·h + b) mod (2^61 − 1)` needs a 128-bit product and a reduction.

use super::text::{extend_word_hashes, ngram_hashes, simplify_into};
use crate::config::{DedupConfig, ShingleUnit};
use std::cell::RefCell;
use xxhash_rust::xxh3::xxh3_64;

pub struct MinHasher {
    unit: ShingleUnit,
    n: usize,
    rows: usize,
    /// Permutation coefficients, one (a, b) per hash function (bands × rows of them).
    a: Vec<u64>,
    b: Vec<u64>,
}

/// What one segment's signature needs, kept per worker thread and reused.
#[derive(Default)]
struct Scratch {
    simplified: String,
    /// Word hashes, or character offsets for character shingles.
    units: Vec<u64>,
    signature: Vec<u64>,
    band_bytes: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// splitmix64: a tiny, well-distributed generator for the permutation coefficients, so the
/// signatures depend on nothing but the seed.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl MinHasher {
    pub fn new(config: &DedupConfig) -> Self {
        let count = config.bands * config.rows;
        let mut state = config.seed;
        let a = (0..count).map(|_| splitmix64(&mut state) | 1).collect();
        let b = (0..count).map(|_| splitmix64(&mut state)).collect();
        MinHasher {
            unit: config.unit,
            n: config.ngram,
            rows: config.rows,
            a,
            b,
        }
    }

    /// The LSH band keys of `text`, or `None` when it is shorter than one shingle (exact
    /// deduplication covers such short texts).
    pub fn band_keys(&self, text: &str) -> Option<Vec<u64>> {
        self.band_keys_of(&[text])
    }

    /// The band keys of the texts joined by spaces (both sides of a pair).
    pub fn band_keys_of(&self, texts: &[&str]) -> Option<Vec<u64>> {
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            scratch.simplified.clear();
            for text in texts {
                simplify_into(text, &mut scratch.simplified);
            }
            scratch.signature.clear();
            scratch.signature.resize(self.a.len(), u64::MAX);
            let shingles = self.sign(scratch);
            (shingles > 0).then(|| self.bands(scratch))
        })
    }

    /// Folds every shingle of `scratch.simplified` into `scratch.signature`; returns how many
    /// shingles there were. Repeated shingles change no minimum, so they are not removed.
    fn sign(&self, scratch: &mut Scratch) -> usize {
        let Scratch {
            simplified,
            units,
            signature,
            ..
        } = scratch;
        units.clear();
        let mut count = 0;
        let mut fold = |h: u64| {
            count += 1;
            for (slot, (&a, &b)) in signature.iter_mut().zip(self.a.iter().zip(&self.b)) {
                *slot = (*slot).min(a.wrapping_mul(h).wrapping_add(b));
            }
        };
        match self.unit {
            ShingleUnit::Word => {
                extend_word_hashes(simplified, units);
                ngram_hashes(units, self.n).for_each(fold);
            }
            ShingleUnit::Char => {
                units.extend(
                    simplified
                        .char_indices()
                        .map(|(i, _)| i as u64)
                        .chain(std::iter::once(simplified.len() as u64)),
                );
                let bytes = simplified.as_bytes();
                for w in units.windows(self.n + 1) {
                    fold(xxh3_64(&bytes[w[0] as usize..w[self.n] as usize]));
                }
            }
        }
        count
    }

    /// One key per band: the hash of the band's number and its rows' minima.
    fn bands(&self, scratch: &mut Scratch) -> Vec<u64> {
        let Scratch {
            signature,
            band_bytes,
            ..
        } = scratch;
        signature
            .chunks(self.rows)
            .enumerate()
            .map(|(band, rows)| {
                band_bytes.clear();
                band_bytes.extend_from_slice(&(band as u64).to_le_bytes());
                for value in rows {
                    band_bytes.extend_from_slice(&value.to_le_bytes());
                }
                xxh3_64(band_bytes)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_bands(a: &[u64], b: &[u64]) -> usize {
        a.iter().zip(b).filter(|(x, y)| x == y).count()
    }

    #[test]
    fn similar_texts_share_bands() {
        let hasher = MinHasher::new(&DedupConfig::default());
        let base = "the committee met on monday to discuss the new budget for schools and \
                    hospitals in the northern provinces of the country after the flood season";
        let near = base.replace("season", "months");
        let other = "a completely different sentence about rivers, boats and fishermen who \
                     work along the delta every morning before the markets open for the day";
        let (k1, k2, k3) = (
            hasher.band_keys(base).unwrap(),
            hasher.band_keys(&near).unwrap(),
            hasher.band_keys(other).unwrap(),
        );
        assert_eq!(k1.len(), 14);
        assert!(shared_bands(&k1, &k2) >= 1);
        assert_eq!(shared_bands(&k1, &k3), 0);
        assert_eq!(hasher.band_keys("too short"), None);
        // Deterministic across instances.
        assert_eq!(
            MinHasher::new(&DedupConfig::default())
                .band_keys(base)
                .unwrap(),
            k1
        );
    }

    #[test]
    fn a_pair_is_signed_as_its_joined_text() {
        let hasher = MinHasher::new(&DedupConfig::default());
        let (src, tgt) = (
            "Open the file in a new window",
            "Mở tệp trong một cửa sổ mới",
        );
        assert_eq!(
            hasher.band_keys_of(&[src, tgt]),
            hasher.band_keys(&format!("{src} {tgt}"))
        );
        let chars = MinHasher::new(&DedupConfig {
            unit: ShingleUnit::Char,
            ..DedupConfig::default()
        });
        assert_eq!(
            chars.band_keys_of(&[src, tgt]),
            chars.band_keys(&format!("{src} {tgt}"))
        );
        assert_eq!(chars.band_keys("abcd"), None);
        assert!(chars.band_keys("abcde").is_some());
    }
}
