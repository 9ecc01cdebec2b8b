//! The text form that near-duplicate and contamination checks compare: lower case, punctuation
//! and symbols turned into spaces, whitespace collapsed (as datatrove simplifies text before
//! shingling). Combining marks stay: in Vietnamese and Indic scripts they are part of letters.

use xxhash_rust::xxh3::xxh3_64;

pub fn simplify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let keep = c.is_alphanumeric() || is_mark(c);
        if keep {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Combining marks (general category M) in the common blocks: these carry vowels and tones.
fn is_mark(c: char) -> bool {
    use unicode_normalization::char::is_combining_mark;
    is_combining_mark(c)
}

/// One hash per word of a simplified text.
pub fn word_hashes(simplified: &str) -> Vec<u64> {
    simplified
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| xxh3_64(w.as_bytes()))
        .collect()
}

/// The hash of each run of `n` consecutive word hashes (order-sensitive).
pub fn ngram_hashes(words: &[u64], n: usize) -> impl Iterator<Item = u64> + '_ {
    words.windows(n).map(|window| {
        window.iter().fold(0x9e37_79b9_7f4a_7c15u64, |acc, &h| {
            (acc.rotate_left(23) ^ h).wrapping_mul(0x2545_f491_4f6c_dd1d)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplifies() {
        assert_eq!(
            simplify("Hello, World!  It's 2024."),
            "hello world it s 2024"
        );
        assert_eq!(simplify("Xin CHÀO—thế giới"), "xin chào thế giới");
        assert_eq!(simplify("..."), "");
    }

    #[test]
    fn ngrams_are_order_sensitive() {
        let ab = word_hashes("a b");
        let ba = word_hashes("b a");
        assert_ne!(
            ngram_hashes(&ab, 2).collect::<Vec<_>>(),
            ngram_hashes(&ba, 2).collect::<Vec<_>>()
        );
        assert_eq!(ngram_hashes(&ab, 3).count(), 0);
    }
}
