//! Vietnamese tone-mark placement. In a syllable ending in `oa`, `oe` or `uy` with no final
//! consonant, two spellings are in use: the traditional one marks the first vowel (hòa, khỏe,
//! thủy) and the one taught since the 1980s marks the main vowel (hoà, khoẻ, thuỷ). Both render
//! alike to a reader but are different strings, so duplicates and token counts split between
//! them. This step moves the mark to one canonical place ([`ToneStyle`]).
//!
//! Syllables with a final consonant or vowel (hoàng, ngoài) are spelt the same in both styles
//! and left alone; so is `quy` (quý), where `u` belongs to the consonant `qu`. Only text tagged
//! as Vietnamese is touched.

use super::NormalizeStep;
use crate::chars::is_letter;
use crate::config::ToneStyle;
use crate::lang::Language;
use unicode_normalization::char::{compose, decompose_canonical};

pub struct ToneMarks {
    style: ToneStyle,
}

impl ToneMarks {
    pub fn new(style: ToneStyle) -> Self {
        ToneMarks { style }
    }
}

/// Grave, acute, tilde, hook above, dot below.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// A precomposed letter as (base letter, tone mark), when it is a plain Latin vowel with at
/// most a tone mark (ô, ơ, ư, ă, â, ê carry other marks and never take part in the switch).
fn split_tone(c: char) -> Option<(char, Option<char>)> {
    if c.is_ascii() {
        return Some((c, None));
    }
    // (base, mark, parts): counted without collecting, as this runs at every word's end.
    let mut parts = ('\0', '\0', 0);
    decompose_canonical(c, |p| {
        match parts.2 {
            0 => parts.0 = p,
            1 => parts.1 = p,
            _ => {}
        }
        parts.2 += 1;
    });
    match parts {
        (base, mark, 2) if base.is_ascii() && TONE_MARKS.contains(&mark) => {
            Some((base, Some(mark)))
        }
        _ => None,
    }
}

fn is_vowel(c: char) -> bool {
    let mut base = c;
    decompose_canonical(c, |p| {
        if base == c {
            base = p;
        }
    });
    matches!(base.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

impl ToneMarks {
    /// The re-marked last two letters of a word ending in `before, first, second`, when the
    /// mark is not where the style wants it.
    fn fix(&self, before: Option<char>, first: char, second: char) -> Option<[char; 2]> {
        // Most words end in a consonant: ruled out before any letter is decomposed.
        if second.is_ascii() && !matches!(second.to_ascii_lowercase(), 'a' | 'e' | 'y') {
            return None;
        }
        let (b1, t1) = split_tone(first)?;
        let (b2, t2) = split_tone(second)?;
        let pattern = (b1.to_ascii_lowercase(), b2.to_ascii_lowercase());
        if !matches!(pattern, ('o', 'a') | ('o', 'e') | ('u', 'y')) {
            return None;
        }
        if let Some(before) = before {
            if is_vowel(before) || (pattern == ('u', 'y') && before.eq_ignore_ascii_case(&'q')) {
                return None;
            }
        }
        let (tone, on_first) = match (t1, t2) {
            (Some(t), None) => (t, true),
            (None, Some(t)) => (t, false),
            _ => return None,
        };
        let want_first = self.style == ToneStyle::Old;
        if on_first == want_first {
            return None;
        }
        Some(if want_first {
            [compose(b1, tone)?, b2]
        } else {
            [b1, compose(b2, tone)?]
        })
    }
}

impl NormalizeStep for ToneMarks {
    fn name(&self) -> &'static str {
        "vi_tone"
    }

    fn apply(&self, text: &str, lang: &Language) -> Option<String> {
        if !lang.is_vietnamese() || text.is_ascii() {
            return None;
        }
        // Each word's last two letters (and the one before), checked where the word ends; the
        // text is rebuilt only when a mark moves.
        let mut fixes: Vec<(usize, [char; 2])> = Vec::new();
        let mut word: [Option<(usize, char)>; 3] = [None; 3];
        for (at, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if is_letter(c) {
                word = [word[1], word[2], Some((at, c))];
                continue;
            }
            if let [before, Some((first_at, first)), Some((_, second))] = word {
                if let Some(fixed) = self.fix(before.map(|(_, c)| c), first, second) {
                    fixes.push((first_at, fixed));
                }
            }
            word = [None; 3];
        }
        if fixes.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 2 * fixes.len());
        let mut copied = 0;
        for (at, fixed) in fixes {
            out.push_str(&text[copied..at]);
            out.extend(fixed);
            let mut rest = text[at..].chars();
            copied =
                at + rest.next().map_or(0, char::len_utf8) + rest.next().map_or(0, char::len_utf8);
        }
        out.push_str(&text[copied..]);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(text: &str) -> String {
        let step = ToneMarks::new(ToneStyle::Old);
        step.apply(text, &Language::new("vi"))
            .unwrap_or_else(|| text.to_string())
    }

    fn new(text: &str) -> String {
        let step = ToneMarks::new(ToneStyle::New);
        step.apply(text, &Language::new("vi"))
            .unwrap_or_else(|| text.to_string())
    }

    #[test]
    fn old_style_marks_first_vowel() {
        assert_eq!(old("hoà bình"), "hòa bình");
        assert_eq!(old("sức khoẻ"), "sức khỏe");
        assert_eq!(old("thuỷ điện"), "thủy điện");
        assert_eq!(old("Hoá học, loà xoà."), "Hóa học, lòa xòa.");
        assert_eq!(old("HOÀ"), "HÒA");
        assert_eq!(old("hoạ sĩ"), "họa sĩ");
    }

    #[test]
    fn new_style_marks_main_vowel() {
        assert_eq!(new("hòa bình"), "hoà bình");
        assert_eq!(new("khỏe"), "khoẻ");
        assert_eq!(new("Thủy"), "Thuỷ");
        assert_eq!(new("tùy ý"), "tuỳ ý");
    }

    #[test]
    fn leaves_unambiguous_syllables() {
        for word in [
            "hoàng", "ngoài", "quý", "quỳnh", "khuya", "hoặc", "tuệ", "hòa", "toán",
        ] {
            assert_eq!(old(word), word, "{word}");
        }
        for word in ["quý", "hoàng", "thuở", "hoà"] {
            assert_eq!(new(word), word, "{word}");
        }
    }

    #[test]
    fn only_vietnamese() {
        let step = ToneMarks::new(ToneStyle::Old);
        assert_eq!(step.apply("hoà", &Language::new("en")), None);
    }
}
