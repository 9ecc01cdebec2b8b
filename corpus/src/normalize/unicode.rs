//! Unicode NFC: the same letter typed as one code point or as base plus combining marks
//! becomes one form (Vietnamese input methods and some corpora, such as the UDHR texts, produce
//! decomposed NFD text).

use super::NormalizeStep;
use crate::lang::Language;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

pub struct Nfc;

/// Whether every character of `text` is below U+0300 or in Latin Extended Additional
/// (U+1E00–U+1EFF), read from the UTF-8 lead bytes without decoding. Such text is NFC: these
/// characters all pass the NFC quick check and none is a combining mark (most Vietnamese and
/// English text, spared the quick check's table lookups).
fn composed_latin(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).all(|at| match bytes[at] {
        0x00..=0xBF | 0xC2..=0xCB => true, // ASCII, a continuation byte, or below U+0300
        0xE1 => matches!(bytes.get(at + 1), Some(0xB8..=0xBB)),
        _ => false,
    })
}

impl NormalizeStep for Nfc {
    fn name(&self) -> &'static str {
        "nfc"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if composed_latin(text) || is_nfc_quick(text.chars()) == IsNormalized::Yes {
            return None;
        }
        Some(text.nfc().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes() {
        let vi = Language::new("vi");
        assert_eq!(
            Nfc.apply("Vie\u{302}\u{323}t", &vi).as_deref(),
            Some("Việt")
        );
        assert_eq!(Nfc.apply("Việt", &vi), None);
    }

    #[test]
    fn the_composed_latin_fast_path_holds_only_for_nfc_text() {
        use unicode_normalization::char::canonical_combining_class;
        let fast: Vec<char> = ('\0'..=char::MAX)
            .filter(|&c| composed_latin(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(fast.len(), 0x300 + 0x100, "the ranges and nothing else");
        for c in fast {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
        assert!(composed_latin("Chọn tệp để mở"));
        assert!(!composed_latin("Vie\u{302}\u{323}t"));
        assert!(!composed_latin("“Mở”"));
    }
}
