//! What the length, ratio, script, numerals and repetition filters count on a side, and the
//! language filter's gate reads, counted in one pass over its characters when the side is
//! built. Each filter decoding the text on its own cost a pass each, and on short texts
//! (gettext strings average 42 bytes) a pass costs mostly its own overhead and the branches at
//! word edges. Timed over 200,446 gettext texts: the four other filters took three times as
//! long as this pass did before it followed runs and streaks, and the repetition filter took
//! 68 ms on its own, where following them adds 15 ms to this pass.

use crate::chars;
use unicode_script::Script;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Profile {
    /// Characters (the length filter).
    pub chars: usize,
    /// Whitespace-separated words (the length filter).
    pub words: usize,
    /// Non-space characters, a Han, kana or Hangul one counting 3 (the ratio filter; the
    /// language filter skips a side with fewer than the letters it needs).
    pub units: usize,
    /// Letters of a particular script (not Common or Inherited; the script filter).
    pub letters: usize,
    /// Of those, the letters in one of the side's expected scripts.
    pub expected_letters: usize,
    /// Whether a decimal digit of any script occurs (the numerals filter).
    pub has_digit: bool,
    /// The longest run of one non-space character (the repetition filter).
    pub char_run: usize,
    /// The longest streaks of words equal to the word 1, 2 and 3 places back (the repetition
    /// filter).
    pub word_streaks: [usize; LONGEST_GRAM],
}

/// The longest word n-gram whose repeats the profile follows.
pub const LONGEST_GRAM: usize = 3;

/// Streaks of words that each equal the word n places back, for n = 1..=[`LONGEST_GRAM`], fed
/// a word at a time: "so so so" is a streak of 2 for n = 1, "a b a b" one of 2 for n = 2.
#[derive(Debug, Default)]
pub struct Streaks<'t> {
    /// `recent[k]`: the word k + 1 places back (empty before the text's start; no word is).
    pub recent: [&'t [u8]; LONGEST_GRAM],
    /// The streak that ends at the last word, for each n.
    pub current: [usize; LONGEST_GRAM],
    /// The longest streak so far, for each n.
    pub longest: [usize; LONGEST_GRAM],
}

impl<'t> Streaks<'t> {
    #[inline]
    pub fn push(&mut self, word: &'t [u8]) {
        for n in 0..LONGEST_GRAM {
            let same = self.recent[n] == word;
            self.current[n] = if same { self.current[n] + 1 } else { 0 };
            self.longest[n] = self.longest[n].max(self.current[n]);
        }
        self.recent = [word, self.recent[0], self.recent[1]];
    }
}

impl Profile {
    /// The counts of `text`, whose language is written in the `expected` scripts.
    pub fn of(text: &str, expected: &[Script]) -> Profile {
        let latin_expected = expected.contains(&Script::Latin);
        if text.is_ascii() {
            return Self::of_ascii(text, latin_expected);
        }
        let mut profile = Profile::default();
        let mut streaks = Streaks::default();
        let mut word_start = None;
        let (mut previous, mut run) = ('\0', 0);
        for (at, c) in text.char_indices() {
            profile.chars += 1;
            run = if c == previous { run + 1 } else { 1 };
            previous = c;
            if c.is_whitespace() {
                if let Some(start) = word_start.take() {
                    streaks.push(&text.as_bytes()[start..at]);
                }
                continue;
            }
            profile.char_run = profile.char_run.max(run);
            if word_start.is_none() {
                word_start = Some(at);
                profile.words += 1;
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
        if let Some(start) = word_start {
            streaks.push(&text.as_bytes()[start..]);
        }
        profile.word_streaks = streaks.longest;
        profile
    }

    /// The counts of an ASCII text, a word at a time (half the texts of a corpus paired with
    /// English): the inner loop over a word's bytes has no branch but its end.
    fn of_ascii(text: &str, latin_expected: bool) -> Profile {
        let bytes = text.as_bytes();
        let mut profile = Profile {
            chars: bytes.len(),
            ..Profile::default()
        };
        let mut streaks = Streaks::default();
        let mut at = 0;
        while at < bytes.len() {
            if chars::is_ascii_space(bytes[at]) {
                at += 1;
                continue;
            }
            let start = at;
            let (mut previous, mut run) = (bytes[at], 0);
            while at < bytes.len() && !chars::is_ascii_space(bytes[at]) {
                let b = bytes[at];
                run = if b == previous { run + 1 } else { 1 };
                previous = b;
                profile.char_run = profile.char_run.max(run);
                profile.letters += usize::from(b.is_ascii_alphabetic());
                profile.has_digit |= b.is_ascii_digit();
                at += 1;
            }
            profile.words += 1;
            profile.units += at - start;
            streaks.push(&bytes[start..at]);
        }
        profile.word_streaks = streaks.longest;
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
            char_run: longest_char_run(text),
            word_streaks: std::array::from_fn(|n| longest_streak(text, n + 1)),
        }
    }

    fn longest_char_run(text: &str) -> usize {
        let chars: Vec<char> = text.chars().collect();
        let mut longest = 0;
        for (i, &c) in chars.iter().enumerate() {
            let run = chars[i..].iter().take_while(|&&d| d == c).count();
            if !c.is_whitespace() {
                longest = longest.max(run);
            }
        }
        longest
    }

    fn longest_streak(text: &str, n: usize) -> usize {
        let words: Vec<&str> = text.split_whitespace().collect();
        let equal_to_n_back = |i: usize| i >= n && words[i] == words[i - n];
        (0..words.len())
            .map(|i| (i..words.len()).take_while(|&j| equal_to_n_back(j)).count())
            .max()
            .unwrap_or(0)
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
            "so so so  so\tso!!!!  ",
            "a b a b a\u{a0}b ồ ồ x y z x y z x y",
            "\0\0\0 ...... ồồồ    ",
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
