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
    shingles: Vec<u64>,
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
            shingles,
            signature,
            ..
        } = scratch;
        units.clear();
        shingles.clear();
        match self.unit {
            ShingleUnit::Word => {
                extend_word_hashes(simplified, units);
                shingles.extend(ngram_hashes(units, self.n));
            }
            ShingleUnit::Char => {
                units.extend(
                    simplified
                        .char_indices()
                        .map(|(i, _)| i as u64)
                        .chain(std::iter::once(simplified.len() as u64)),
                );
                let bytes = simplified.as_bytes();
                shingles.extend(
                    units
                        .windows(self.n + 1)
                        .map(|w| xxh3_64(&bytes[w[0] as usize..w[self.n] as usize])),
                );
            }
        }
        fold_minima(signature, &self.a, &self.b, shingles);
        shingles.len()
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

/// Lowers each `signature[i]` to the least `a[i]·h + b[i]` over the shingle hashes `h`: the
/// stage's hottest loop. It is plain code the compiler vectorises; where the CPU has AVX-512
/// (whose 64-bit multiply and unsigned minimum are single instructions: AVX2 has neither),
/// the same code is compiled for it and chosen at run time. Both give identical results.
fn fold_minima(signature: &mut [u64], a: &[u64], b: &[u64], hashes: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the CPU has the features the function is compiled for (checked above).
        return unsafe { fold_minima_avx512(signature, a, b, hashes) };
    }
    fold_minima_portable(signature, a, b, hashes);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn fold_minima_avx512(signature: &mut [u64], a: &[u64], b: &[u64], hashes: &[u64]) {
    fold_minima_portable(signature, a, b, hashes);
}

#[inline(always)]
fn fold_minima_portable(signature: &mut [u64], a: &[u64], b: &[u64], hashes: &[u64]) {
    for &h in hashes {
        for (slot, (&a, &b)) in signature.iter_mut().zip(a.iter().zip(b)) {
            *slot = (*slot).min(a.wrapping_mul(h).wrapping_add(b));
        }
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
    fn the_dispatched_fold_matches_the_definition() {
        let mut state = 7;
        let mut values = |n: usize| (0..n).map(|_| splitmix64(&mut state)).collect::<Vec<_>>();
        let (a, b, hashes) = (values(112), values(112), values(37));
        let mut folded = vec![u64::MAX; 112];
        fold_minima(&mut folded, &a, &b, &hashes);
        let expected: Vec<u64> = (0..112)
            .map(|i| {
                let image = |&h: &u64| a[i].wrapping_mul(h).wrapping_add(b[i]);
                hashes.iter().map(image).min().unwrap()
            })
            .collect();
        assert_eq!(folded, expected);
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
