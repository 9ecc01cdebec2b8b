//! Removes invisible characters that only get in the way of matching: zero-width space
//! (U+200B), word joiner (U+2060), soft hyphen (U+00AD) and the byte-order mark / zero-width
//! no-break space (U+FEFF). Zero-width joiner and non-joiner (U+200D, U+200C) are kept: they
//! change how Indic, Persian and emoji text renders and what it means.

use super::NormalizeStep;
use crate::lang::Language;

pub struct RemoveInvisible;

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}' | '\u{2060}' | '\u{00ad}' | '\u{feff}')
}

impl NormalizeStep for RemoveInvisible {
    fn name(&self) -> &'static str {
        "invisible"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if text.is_ascii() || !text.contains(is_invisible) {
            return None;
        }
        Some(text.chars().filter(|&c| !is_invisible(c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_joiners() {
        let step = RemoveInvisible;
        let km = Language::new("km");
        assert_eq!(step.apply("\u{feff}ក\u{200b}ខ", &km).as_deref(), Some("កខ"));
        assert_eq!(step.apply("क्\u{200d}ष", &Language::new("hi")), None);
        assert_eq!(step.apply("می\u{200c}خواهم", &Language::new("fa")), None);
    }
}
