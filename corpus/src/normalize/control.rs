//! Removes control characters (Unicode category Cc: C0, DEL, C1). Tab, line feed, carriage
//! return and the other line separators become spaces instead, since they separated words.

use super::NormalizeStep;
use crate::lang::Language;

pub struct RemoveControl;

/// Whether `text` has a byte every control character needs: C0 and DEL are single bytes below
/// 0x20 or 0x7F, C1 (U+0080–U+009F) starts with 0xC2. Bytes are checked without decoding.
fn may_hold_control(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2)
}

impl NormalizeStep for RemoveControl {
    fn name(&self) -> &'static str {
        "control"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if !may_hold_control(text) || !text.contains(char::is_control) {
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
