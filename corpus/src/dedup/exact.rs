//! Exact duplicates: a 128-bit xxh3 of the normalised text (with its language, and for pairs
//! both sides), so collisions are out of the question at any corpus size.

use super::KeySet;
use xxhash_rust::xxh3::Xxh3;

/// The key of a sequence of strings (language tags and texts), unambiguous about boundaries.
pub fn exact_key(parts: &[&str]) -> u128 {
    let mut hasher = Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.digest128()
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
