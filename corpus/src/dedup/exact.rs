//! Exact duplicates: a 128-bit xxh3 of the normalised text (with its language, and for pairs
//! both sides), so collisions are out of the question at any corpus size.

use super::KeySet;
use std::cell::RefCell;
use xxhash_rust::xxh3::xxh3_128;

thread_local! {
    /// The parts laid end to end: one-shot xxh3 of a few short strings is several times
    /// faster than feeding them to its streaming hasher one by one.
    static PARTS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The key of a sequence of strings (language tags and texts), unambiguous about boundaries.
pub fn exact_key(parts: &[&str]) -> u128 {
    PARTS.with_borrow_mut(|bytes| {
        bytes.clear();
        for part in parts {
            bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
            bytes.extend_from_slice(part.as_bytes());
        }
        xxh3_128(bytes)
    })
}

#[derive(Default)]
pub struct ExactIndex {
    seen: KeySet<u128>,
}

impl ExactIndex {
    /// Records `key`; false when it was already there (a duplicate).
    pub fn insert(&mut self, key: u128) -> bool {
        self.seen.insert(key)
    }

    pub fn contains(&self, key: u128) -> bool {
        self.seen.contains(&key)
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_respect_boundaries() {
        assert_ne!(exact_key(&["ab", "c"]), exact_key(&["a", "bc"]));
        let mut index = ExactIndex::default();
        assert!(index.insert(exact_key(&["vi", "xin chào"])));
        assert!(!index.insert(exact_key(&["vi", "xin chào"])));
        assert!(index.insert(exact_key(&["en", "xin chào"])));
        assert_eq!(index.len(), 2);
    }
}
