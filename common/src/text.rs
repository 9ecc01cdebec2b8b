//! Characters the corpus stage removes from every text (its `invisible` step) and the trained
//! tokenizer's default normaliser removes too, so that text is split as the training text was.
//!
//! Zero-width space (U+200B), word joiner (U+2060), soft hyphen (U+00AD) and the byte-order mark
//! / zero-width no-break space (U+FEFF) only get in the way of matching. Khmer, Lao, Thai and
//! Burmese text often marks word breaks with U+200B: 10,435 of the 77,706 characters of the
//! demo's Khmer test set are one. A tokenizer trained without them meets them as unseen bytes
//! (the Khmer premium on that set was 1.33 with them and 0.62 without). Zero-width joiner and
//! non-joiner (U+200D, U+200C) are kept: they change how Indic, Persian and emoji text renders
//! and what it means.

/// The removed characters.
pub const INVISIBLE: [char; 4] = ['\u{200b}', '\u{2060}', '\u{00ad}', '\u{feff}'];

pub fn is_invisible(c: char) -> bool {
    INVISIBLE.contains(&c)
}

/// `text` without its invisible characters; None when it has none (most text: no copy made).
pub fn remove_invisible(text: &str) -> Option<String> {
    // One byte search per character (vectorised) rather than decoding every character.
    if text.is_ascii() || !INVISIBLE.iter().any(|&c| text.contains(c)) {
        return None;
    }
    Some(text.chars().filter(|&c| !is_invisible(c)).collect())
}
