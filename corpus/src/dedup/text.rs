//! The text form that near-duplicate and contamination checks compare: lower case, punctuation
//! and symbols turned into spaces, whitespace collapsed (as datatrove simplifies text before
//! shingling). Combining marks stay: in Vietnamese and Indic scripts they are part of letters.

use xxhash_rust::xxh3::xxh3_64;

pub fn simplify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    simplify_into(text, &mut out);
    out
}

/// Appends the simplified `text` to `out`, a space apart from what `out` already holds: the
/// simplified form of the texts joined by spaces, without building the joined text.
pub fn simplify_into(text: &str, out: &mut String) {
    let mut pending_space = true;
    for c in text.chars() {
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            crate::chars::is_letter(c) || c.is_numeric() || is_mark(c)
        };
        if keep {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            crate::chars::push_lower(c, out);
        } else {
            pending_space = true;
        }
    }
}

/// Combining marks (general category M) in the common blocks: these carry vowels and tones.
fn is_mark(c: char) -> bool {
    use unicode_normalization::char::is_combining_mark;
    is_combining_mark(c)
}

/// One hash per word of a simplified text.
pub fn word_hashes(simplified: &str) -> Vec<u64> {
    let mut hashes = Vec::new();
    extend_word_hashes(simplified, &mut hashes);
    hashes
}

/// Appends one hash per word of a simplified text to `hashes`. Split by a byte comparison:
/// words are a few bytes long, too short for the vectorised search `str::split` starts per
/// word.
pub fn extend_word_hashes(simplified: &str, hashes: &mut Vec<u64>) {
    hashes.extend(
        simplified
            .as_bytes()
            .split(|&b| b == b' ')
            .filter(|w| !w.is_empty())
            .map(xxh3_64),
    );
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
        let mut joined = simplify("Open file…");
        simplify_into("(Mở tệp)", &mut joined);
        assert_eq!(joined, simplify("Open file… (Mở tệp)"));
        let mut empty_first = String::new();
        simplify_into("...", &mut empty_first);
        simplify_into("Mở", &mut empty_first);
        assert_eq!(empty_first, "mở");
        let mut ascii = simplify("a.B");
        simplify_into("  C-d ", &mut ascii);
        assert_eq!(ascii, "a b c d");
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
