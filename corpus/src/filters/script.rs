//! Script consistency: the share of a side's letters written in the scripts expected for its
//! language (Latin for Vietnamese, Khmer for Khmer, Han and kana for Japanese...). Catches
//! wrong-column text and mojibake. Letters of no particular script (Common, Inherited) are not
//! counted; texts without letters pass. The default 0.5 tolerates the brand names and code
//! that software strings carry in Latin inside non-Latin text. Languages whose scripts the
//! stage does not know are not judged.

use super::{check_sides, Candidate, Filter};
use crate::chars;
use crate::config::FilterConfig;
use crate::DropReason;
use unicode_script::Script as UScript;

pub struct Script {
    min_share: f64,
}

impl Script {
    pub fn new(config: &FilterConfig) -> Self {
        Script {
            min_share: config.min_script_share,
        }
    }
}

impl Filter for Script {
    fn reason(&self) -> DropReason {
        DropReason::Script
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            let expected = &side.lang.scripts;
            if expected.is_empty() {
                return None;
            }
            let latin_expected = expected.contains(&UScript::Latin);
            let (letters, matching) = match side.text.is_ascii() {
                // Half the texts of a corpus paired with English: count bytes.
                true => {
                    let letters = side.text.bytes().filter(u8::is_ascii_alphabetic).count();
                    (letters, if latin_expected { letters } else { 0 })
                }
                false => letter_counts(side.text, expected, latin_expected),
            };
            if letters == 0 {
                return None;
            }
            let share = matching as f64 / letters as f64;
            (share < self.min_share).then(|| {
                format!(
                    "{:.0}% of letters in {:?} < {:.0}%",
                    share * 100.0,
                    expected,
                    self.min_share * 100.0
                )
            })
        })
    }
}

/// (letters of any particular script, letters of the expected ones) in `text`.
fn letter_counts(text: &str, expected: &[UScript], latin_expected: bool) -> (usize, usize) {
    let (mut letters, mut matching) = (0usize, 0usize);
    for c in text.chars().filter(|&c| chars::is_letter(c)) {
        if c.is_ascii() {
            letters += 1;
            matching += usize::from(latin_expected);
            continue;
        }
        let script = chars::script(c);
        if matches!(script, UScript::Common | UScript::Inherited) {
            continue;
        }
        letters += 1;
        matching += usize::from(expected.contains(&script));
    }
    (letters, matching)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn script_share() {
        let f = Script::new(&FilterConfig::default());
        assert_eq!(mono(&f, "vi", "Tiếng Việt có dấu"), None);
        assert_eq!(mono(&f, "km", "ភាសាខ្មែរ GNOME"), None);
        assert!(mono(&f, "km", "This is English text").is_some());
        assert!(mono(&f, "vi", "Это русский текст").is_some());
        assert_eq!(mono(&f, "ja", "日本語のテキスト"), None);
        assert_eq!(mono(&f, "vi", "12345 !!!"), None);
        assert_eq!(mono(&f, "xyz", "anything at all"), None);
    }
}
