//! The LSH index: one set of band keys per band. A segment sharing any band key with an
//! earlier kept segment is a near duplicate (the candidate rule of MinHash-LSH; with 14 bands of
//! 8 rows, pairs above Jaccard ≈ 0.72 collide with high probability, pairs below ≈ 0.5 rarely).

use super::KeySet;

pub struct LshIndex {
    tables: Vec<KeySet<u64>>,
}

impl LshIndex {
    pub fn new(bands: usize) -> Self {
        LshIndex {
            tables: (0..bands).map(|_| KeySet::default()).collect(),
        }
    }

    /// True when `keys` collides with an indexed segment; otherwise indexes it and returns false.
    pub fn check_and_insert(&mut self, keys: &[u64]) -> bool {
        if self.tables.iter().zip(keys).any(|(t, k)| t.contains(k)) {
            return true;
        }
        for (table, &key) in self.tables.iter_mut().zip(keys) {
            table.insert(key);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_band_collides() {
        let mut index = LshIndex::new(3);
        assert!(!index.check_and_insert(&[1, 2, 3]));
        assert!(index.check_and_insert(&[9, 2, 9]));
        assert!(!index.check_and_insert(&[4, 5, 6]));
    }
}
