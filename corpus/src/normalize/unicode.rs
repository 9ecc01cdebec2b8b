//! Unicode NFC: the same letter typed as one code point or as base plus combining marks
//! becomes one form (Vietnamese input methods and some corpora, such as the UDHR texts, produce
//! decomposed NFD text).

use super::NormalizeStep;
use crate::lang::Language;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

pub struct Nfc;

impl NormalizeStep for Nfc {
    fn name(&self) -> &'static str {
        "nfc"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
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
}
