//! MinHash signatures, reduced to LSH band keys. Written here rather than taken from a crate:
//! the Rust MinHash crates (gaoya, probminhash) keep whole signatures per document in their
//! indexes and choose their own shingling and hashing, while this stage needs datatrove's
//! scheme (shingles of simplified text, permutations `(a·h + b) mod (2^61 − 1)` with seeded
//! `a, b`), only the band keys kept, and bit-identical results on every machine. It is the
//! few dozen lines below.

use super::text::{ngram_hashes, simplify, word_hashes};
use crate::config::{DedupConfig, ShingleUnit};
use xxhash_rust::xxh3::xxh3_64;

const MERSENNE_61: u64 = (1 << 61) - 1;

pub struct MinHasher {
    unit: ShingleUnit,
    n: usize,
    rows: usize,
    /// Permutation coefficients, one (a, b) per hash function (bands × rows of them).
    a: Vec<u64>,
    b: Vec<u64>,
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

fn mod_mersenne(x: u128) -> u64 {
    let p = MERSENNE_61 as u128;
    let mut r = (x & p) + (x >> 61);
    r = (r & p) + (r >> 61);
    let r = r as u64;
    if r >= MERSENNE_61 {
        r - MERSENNE_61
    } else {
        r
    }
}

impl MinHasher {
    pub fn new(config: &DedupConfig) -> Self {
        let count = config.bands * config.rows;
        let mut state = config.seed;
        let a = (0..count)
            .map(|_| 1 + splitmix64(&mut state) % (MERSENNE_61 - 1))
            .collect();
        let b = (0..count)
            .map(|_| splitmix64(&mut state) % MERSENNE_61)
            .collect();
        MinHasher {
            unit: config.unit,
            n: config.ngram,
            rows: config.rows,
            a,
            b,
        }
    }

    fn shingles(&self, text: &str) -> Vec<u64> {
        let simplified = simplify(text);
        match self.unit {
            ShingleUnit::Word => {
                let words = word_hashes(&simplified);
                ngram_hashes(&words, self.n).collect()
            }
            ShingleUnit::Char => {
                let starts: Vec<usize> = simplified
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(simplified.len()))
                    .collect();
                starts
                    .windows(self.n + 1)
                    .map(|w| xxh3_64(&simplified.as_bytes()[w[0]..w[self.n]]))
                    .collect()
            }
        }
    }

    /// The LSH band keys of `text`, or `None` when it is shorter than one shingle (exact
    /// deduplication covers such short texts).
    pub fn band_keys(&self, text: &str) -> Option<Vec<u64>> {
        let mut shingles = self.shingles(text);
        if shingles.is_empty() {
            return None;
        }
        shingles.sort_unstable();
        shingles.dedup();
        let mut signature = vec![u64::MAX; self.a.len()];
        for &h in &shingles {
            let h = (h & MERSENNE_61) as u128;
            for (slot, (&a, &b)) in signature.iter_mut().zip(self.a.iter().zip(&self.b)) {
                let value = mod_mersenne(a as u128 * h + b as u128);
                if value < *slot {
                    *slot = value;
                }
            }
        }
        Some(
            signature
                .chunks(self.rows)
                .enumerate()
                .map(|(band, rows)| {
                    let mut bytes = Vec::with_capacity(8 * (rows.len() + 1));
                    bytes.extend_from_slice(&(band as u64).to_le_bytes());
                    for value in rows {
                        bytes.extend_from_slice(&value.to_le_bytes());
                    }
                    xxh3_64(&bytes)
                })
                .collect(),
        )
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
    fn mersenne_reduction() {
        for x in [
            0u128,
            1,
            MERSENNE_61 as u128,
            (MERSENNE_61 as u128) * 7 + 3,
            u64::MAX as u128 * 12345,
        ] {
            assert_eq!(mod_mersenne(x) as u128, x % MERSENNE_61 as u128);
        }
    }
}
