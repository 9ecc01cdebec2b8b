//! Removes control characters (Unicode category Cc: C0, DEL, C1). Tab, line feed, carriage
//! return and the other line separators become spaces instead, since they separated words.

use super::NormalizeStep;
use crate::lang::Language;

pub struct RemoveControl;

impl NormalizeStep for RemoveControl {
    fn name(&self) -> &'static str {
        "control"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if !text.contains(char::is_control) {
            return None;
        }
        Some(
            text.chars()
                .filter_map(|c| match c {
                    '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' => Some(' '),
                    c if c.is_control() => None,
                    c => Some(c),
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_controls_keeps_separation() {
        let en = Language::new("en");
        assert_eq!(
            RemoveControl.apply("a\tb\u{1}c\u{9f}d", &en).as_deref(),
            Some("a bcd")
        );
        assert_eq!(RemoveControl.apply("plain", &en), None);
    }
}
