//! Collapses every run of Unicode whitespace (including no-break and ideographic spaces) to
//! one ASCII space and trims both ends, so spacing differences do not hide duplicates.

use super::NormalizeStep;
use crate::lang::Language;

pub struct CollapseWhitespace;

fn is_clean(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    if text.is_ascii() {
        // Byte by byte: no other space than single ASCII spaces between words.
        return !bytes.windows(2).any(|pair| pair == b"  ")
            && !bytes
                .iter()
                .any(|&b| b != b' ' && crate::chars::is_ascii_space(b));
    }
    let mut previous_space = false;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space && (c != ' ' || previous_space) {
            return false;
        }
        previous_space = space;
    }
    true
}

impl NormalizeStep for CollapseWhitespace {
    fn name(&self) -> &'static str {
        "whitespace"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if is_clean(text) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_and_trims() {
        let en = Language::new("en");
        let step = CollapseWhitespace;
        assert_eq!(
            step.apply(" a \u{a0} b\u{3000}c ", &en).as_deref(),
            Some("a b c")
        );
        assert_eq!(step.apply("a b c", &en), None);
        assert_eq!(step.apply("Mở tệp", &en), None);
        for ascii in ["a  b", "a\tb", "a\x0bb", "a b\n"] {
            assert_eq!(step.apply(ascii, &en).as_deref(), Some("a b"), "{ascii:?}");
        }
    }
}
