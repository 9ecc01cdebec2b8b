//! The character base (`--base char`): BPE that starts from characters, with bytes only as a
//! fallback, as SentencePiece, Llama's and Gemma's tokenizers do.
//!
//! Byte-level BPE starts from the 256 byte values and spends merges rebuilding every character
//! of a script outside ASCII from its UTF-8 bytes (two merges for a Han, Khmer or Devanagari
//! character). Here each language's common characters are symbols from the start: the most
//! frequent ones that cover `coverage` of its character occurrences (per language, so a
//! language with little text keeps its characters beside one with much). Any other character
//! is written as its UTF-8 bytes, the tokens `<0x00>`…`<0xFF>` that the `tokenizers` BPE model
//! emits with `byte_fallback` and its `ByteFallback` decoder turns back into text. Those byte
//! tokens are never merged (a merged token such as `<0xE1><0x80>` would decode as its literal
//! text), so every text round-trips exactly, and the vocabulary still covers every string.

use crate::train::merges::WordCounts;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// The token for byte `b` under byte fallback, as the `tokenizers` crate names it.
pub fn byte_token(b: u8) -> String {
    format!("<0x{b:02X}>")
}

/// The union over languages of each one's most frequent characters that together cover
/// `coverage` of its character occurrences (ties broken by code point, so the set is
/// deterministic).
pub fn covering_alphabet(train: &[WordCounts], coverage: f64) -> BTreeSet<char> {
    let mut alphabet = BTreeSet::new();
    for words in train {
        let mut counts: FxHashMap<char, u64> = FxHashMap::default();
        for (word, &count) in words {
            for c in word.chars() {
                *counts.entry(c).or_default() += count;
            }
        }
        let total: u64 = counts.values().sum();
        let mut by_frequency: Vec<(char, u64)> = counts.into_iter().collect();
        by_frequency.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let needed = (coverage * total as f64).ceil() as u64;
        let mut covered = 0;
        for (c, count) in by_frequency {
            if covered >= needed {
                break;
            }
            alphabet.insert(c);
            covered += count;
        }
    }
    alphabet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_tokens_are_named_as_the_tokenizers_crate_names_them() {
        assert_eq!(byte_token(0), "<0x00>");
        assert_eq!(byte_token(0xE1), "<0xE1>");
    }

    #[test]
    fn each_language_keeps_the_characters_covering_its_own_text() {
        let words = |pairs: &[(&str, u64)]| -> WordCounts {
            pairs.iter().map(|(w, n)| (w.to_string(), *n)).collect()
        };
        // English: 'a' is 90 % of its characters and 'z' 10 %; Khmer, with far less text,
        // still keeps its most frequent character.
        let english = words(&[("a", 900), ("z", 100)]);
        let khmer = words(&[("ក", 3), ("ខ", 1)]);
        let alphabet = covering_alphabet(&[english, khmer], 0.75);
        assert_eq!(alphabet, BTreeSet::from(['a', 'ក']));
    }
}
