//! Decontamination: keep evaluation text out of the training corpus. A segment is dropped when
//! its simplified text equals an excluded text, or when it shares a word n-gram (default 13,
//! as in the GPT-3 contamination study) with one. Texts shorter than n words match on equality
//! only. Scripts written without spaces (Khmer, Thai, Chinese) therefore match only whole
//! segments unless their texts are space-segmented.

use super::text::{ngram_hashes, simplify, word_hashes};
use super::KeySet;
use xxhash_rust::xxh3::xxh3_64;

pub struct Decontaminator {
    n: usize,
    exact: KeySet<u64>,
    ngrams: KeySet<u64>,
}

impl Decontaminator {
    pub fn new(n: usize) -> Self {
        Decontaminator {
            n,
            exact: KeySet::default(),
            ngrams: KeySet::default(),
        }
    }

    pub fn add(&mut self, text: &str) {
        let simplified = simplify(text);
        if simplified.is_empty() {
            return;
        }
        self.exact.insert(xxh3_64(simplified.as_bytes()));
        let words = word_hashes(&simplified);
        self.ngrams.extend(ngram_hashes(&words, self.n));
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// Why `text` counts as contaminated, if it does.
    pub fn check(&self, text: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let simplified = simplify(text);
        if simplified.is_empty() {
            return None;
        }
        if self.exact.contains(&xxh3_64(simplified.as_bytes())) {
            return Some("equals an excluded text".into());
        }
        let words = word_hashes(&simplified);
        let shares = ngram_hashes(&words, self.n).any(|h| self.ngrams.contains(&h));
        shares.then(|| format!("shares a {}-word n-gram with an excluded text", self.n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_ngram_matches() {
        let mut d = Decontaminator::new(5);
        d.add("Mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền lợi.");
        d.add("Short test line");
        assert!(d.check("short TEST line!").is_some());
        assert!(d
            .check("Họ nói rằng mọi người sinh ra đều được tự do, thật vậy.")
            .unwrap()
            .contains("5-word"));
        assert_eq!(
            d.check("Một câu hoàn toàn khác không liên quan gì cả."),
            None
        );
        assert_eq!(d.check("Short test"), None);
    }
}
