//! Deduplication and decontamination. Hashing and signatures are computed in parallel; the
//! indexes are consulted in input order on one thread, so the first occurrence of a text is the
//! one kept and reruns are identical. Memory grows with the number of kept segments (one
//! 128-bit key per exact key, one 64-bit key per LSH band), not with the corpus's bytes.

mod decontaminate;
mod exact;
mod lsh;
mod minhash;
mod text;

pub use decontaminate::Decontaminator;
pub use exact::{exact_key, ExactIndex};
pub use lsh::LshIndex;
pub use minhash::MinHasher;
pub use text::simplify;

use std::hash::{BuildHasherDefault, Hasher};

/// The keys stored in the indexes are already uniform hashes: hashing them again would only
/// cost time, so the sets use them as they are.
#[derive(Default)]
pub struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = (value as u64) ^ ((value >> 64) as u64);
    }
}

pub type KeySet<K> = std::collections::HashSet<K, BuildHasherDefault<PassThroughHasher>>;
