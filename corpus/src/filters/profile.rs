//! What the length, ratio, script and numerals filters count on a side, counted in one pass
//! over its characters when the side is built. Each filter decoding the text on its own cost
//! a pass each, and on short texts (gettext strings average 42 bytes) a pass costs mostly its
//! own overhead and the branches at word edges: the four filters took three times as long as
//! this one pass (timed over 200,446 gettext texts).

use crate::chars;
use unicode_script::Script;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Profile {
    /// Characters (the length filter).
    pub chars: usize,
    /// Whitespace-separated words (the length filter).
    pub words: usize,
    /// Non-space characters, a Han, kana or Hangul one counting 3 (the ratio filter).
    pub units: usize,
    /// Letters of a particular script (not Common or Inherited; the script filter).
    pub letters: usize,
    /// Of those, the letters in one of the side's expected scripts.
    pub expected_letters: usize,
    /// Whether a decimal digit of any script occurs (the numerals filter).
    pub has_digit: bool,
}

impl Profile {
    /// The counts of `text`, whose language is written in the `expected` scripts.
    pub fn of(text: &str, expected: &[Script]) -> Profile {
        let latin_expected = expected.contains(&Script::Latin);
        if text.is_ascii() {
            return Self::of_ascii(text.as_bytes(), latin_expected);
        }
        let mut profile = Profile::default();
        let mut in_word = false;
        for c in text.chars() {
            profile.chars += 1;
            let space = c.is_whitespace();
            profile.words += usize::from(!space && !in_word);
            in_word = !space;
            if space {
                continue;
            }
            if c.is_ascii() {
                profile.units += 1;
                let letter = c.is_ascii_alphabetic();
                profile.letters += usize::from(letter);
                profile.expected_letters += usize::from(letter && latin_expected);
                profile.has_digit |= c.is_ascii_digit();
                continue;
            }
            let script = chars::script(c);
            profile.units += match script {
                Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul => 3,
                _ => 1,
            };
            if chars::is_letter(c) {
                if !matches!(script, Script::Common | Script::Inherited) {
                    profile.letters += 1;
                    profile.expected_letters += usize::from(expected.contains(&script));
                }
            } else {
                profile.has_digit |= super::numerals::digit_value(c).is_some();
            }
        }
        profile
    }

    /// The counts of an ASCII text, byte by byte (half the texts of a corpus paired with
    /// English).
    fn of_ascii(bytes: &[u8], latin_expected: bool) -> Profile {
        let mut profile = Profile {
            chars: bytes.len(),
            ..Profile::default()
        };
        let mut in_word = false;
        for &b in bytes {
            let space = chars::is_ascii_space(b);
            profile.words += usize::from(!space && !in_word);
            in_word = !space;
            profile.units += usize::from(!space);
            profile.letters += usize::from(b.is_ascii_alphabetic());
            profile.has_digit |= b.is_ascii_digit();
        }
        if latin_expected {
            profile.expected_letters = profile.letters;
        }
        profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts as each filter took them before, one pass each.
    fn by_separate_passes(text: &str, expected: &[Script]) -> Profile {
        let wide = |c: char| {
            matches!(
                chars::script(c),
                Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul
            )
        };
        let letters = || {
            text.chars().filter(|&c| chars::is_letter(c)).filter(|&c| {
                !matches!(chars::script(c), Script::Common | Script::Inherited) || c.is_ascii()
            })
        };
        Profile {
            chars: text.chars().count(),
            words: text.split_whitespace().count(),
            units: text
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| if !c.is_ascii() && wide(c) { 3 } else { 1 })
                .sum(),
            letters: letters().count(),
            expected_letters: letters()
                .filter(|&c| expected.contains(&chars::script(c)))
                .count(),
            has_digit: text
                .chars()
                .any(|c| super::super::numerals::digit_value(c).is_some()),
        }
    }

    #[test]
    fn one_pass_counts_as_the_separate_passes() {
        let texts = [
            "",
            " a  b\tc\x0b d ",
            "Page 3 of 10",
            "Mở  tệp tin\u{a0}x\u{3000}y",
            "Chapter ១២ ភាសាខ្មែរ GNOME",
            "日本語のテキスト、한국어 텍스트",
            "Это русский текст 42",
            "e\u{301}\u{300} ٣ ๕ x²",
        ];
        let scripts: [&[Script]; 4] = [
            &[Script::Latin],
            &[Script::Khmer],
            &[Script::Han, Script::Hiragana, Script::Katakana],
            &[],
        ];
        for text in texts {
            for expected in scripts {
                assert_eq!(
                    Profile::of(text, expected),
                    by_separate_passes(text, expected),
                    "{text:?} {expected:?}"
                );
            }
        }
        for c in '\0'..=char::MAX {
            let text = format!("a{c} {c}{c}b");
            assert_eq!(
                Profile::of(&text, &[Script::Latin]),
                by_separate_passes(&text, &[Script::Latin]),
                "{c:?}"
            );
        }
    }
}
