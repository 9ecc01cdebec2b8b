//! Repetition: a character repeated many times in a row ("!!!!!!!!!!!", "----------") or the
//! same word 1-, 2- or 3-gram repeated consecutively ("very very very very very"), the marks
//! of boilerplate, OCR noise and degenerate machine output. Vietnamese reduplication ("xanh
//! xanh", "từ từ") repeats twice, far below the default of 4 repeats.

use super::profile::{Streaks, LONGEST_GRAM};
use super::{check_sides, Candidate, Filter, Profile};
use crate::config::FilterConfig;
use crate::DropReason;

pub struct Repetition {
    max_char_run: usize,
    max_repeats: usize,
}

impl Repetition {
    pub fn new(config: &FilterConfig) -> Self {
        Repetition {
            max_char_run: config.max_char_run,
            max_repeats: config.max_ngram_repeats.max(1),
        }
    }

    /// Whether a profile shows a run past the limits: a character repeated more than
    /// `max_char_run` times, or a word n-gram repeated back to back more than `max_repeats`
    /// times (a streak of at least `n·max_repeats` words that each equal the word n back).
    fn runs_past_limits(&self, profile: &Profile) -> bool {
        profile.char_run > self.max_char_run
            || (1..=LONGEST_GRAM).any(|n| profile.word_streaks[n - 1] >= n * self.max_repeats)
    }

    /// The first character repeated past the limit, named. Only texts whose profile shows a
    /// run are searched again, to say what repeats.
    fn char_run(&self, text: &str) -> Option<String> {
        let mut previous = None;
        let mut run = 0;
        for c in text.chars() {
            run = if Some(c) == previous { run + 1 } else { 1 };
            previous = Some(c);
            if run > self.max_char_run && !c.is_whitespace() {
                return Some(format!(
                    "'{c}' repeated more than {} times",
                    self.max_char_run
                ));
            }
        }
        None
    }

    /// The first word n-gram repeated past the limit, named.
    fn ngram_run(&self, text: &str) -> Option<String> {
        let mut streaks = Streaks::default();
        for word in text.split_whitespace() {
            streaks.push(word.as_bytes());
            for n in 1..=LONGEST_GRAM {
                let streak = streaks.current[n - 1];
                if streak >= n * self.max_repeats {
                    let gram: Vec<_> = streaks.recent[..n]
                        .iter()
                        .rev()
                        .map(|w| String::from_utf8_lossy(w))
                        .collect();
                    let repeats = (streak + n) / n;
                    return Some(format!("\"{}\" repeated {repeats} times", gram.join(" ")));
                }
            }
        }
        None
    }
}

impl Filter for Repetition {
    fn reason(&self) -> DropReason {
        DropReason::Repetition
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            if !self.runs_past_limits(&side.profile()) {
                return None;
            }
            self.char_run(side.text)
                .or_else(|| self.ngram_run(side.text))
        })
    }

    fn reads_profiles(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Side;
    use super::*;

    #[test]
    fn repetition() {
        let f = Repetition::new(&FilterConfig::default());
        assert_eq!(mono(&f, "vi", "xanh xanh, từ từ mà đi"), None);
        assert!(mono(&f, "en", "Wow!!!!!!!!!!!!").is_some());
        // The same rule on text with and without non-ASCII characters; spaces may run.
        assert!(mono(&f, "vi", "Ồ!!!!!!!!!!!!").is_some());
        assert!(mono(&f, "vi", "Ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ ồ").is_some());
        assert_eq!(mono(&f, "en", "a                  b"), None);
        assert_eq!(mono(&f, "vi", "ồ                  b"), None);
        // Words split at any whitespace, ASCII (vertical tab) or not (no-break space).
        assert!(mono(&f, "en", "so\x0bso\tso\x0cso\rso").is_some());
        assert!(mono(&f, "vi", "ồ\u{a0}ồ\u{a0}ồ\u{a0}ồ\u{a0}ồ").is_some());
        assert!(mono(&f, "en", "very very very very very good").is_some());
        assert!(mono(&f, "en", "buy now buy now buy now buy now buy now").is_some());
        assert_eq!(mono(&f, "en", "buy now buy now buy now"), None);
        assert_eq!(
            mono(&f, "en", "a b c a b c a b c a b c a b c").as_deref(),
            Some("en: \"a b c\" repeated 5 times")
        );
        assert_eq!(mono(&f, "en", "a b c a b c a b c a b c a b"), None);
        assert_eq!(
            mono(&f, "en", "so so so so so").as_deref(),
            Some("en: \"so\" repeated 5 times")
        );
    }

    proptest::proptest! {
        /// The profile's streaks say that a text repeats exactly when a word-by-word search
        /// finds what repeats (texts from a few words and spaces, so that runs are common).
        #[test]
        fn the_profile_sees_the_runs_the_search_names(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["so", "ồ", "a", "b", "!", " ", "\t", "\u{a0}"]),
                0..40,
            ),
            max_char_run in 1usize..4,
            max_ngram_repeats in 0usize..4,
        ) {
            let f = Repetition::new(&FilterConfig {
                max_char_run,
                max_ngram_repeats,
                ..FilterConfig::default()
            });
            let text = pieces.concat();
            let vi = crate::lang::Language::new("vi");
            let found = f.char_run(&text).or_else(|| f.ngram_run(&text));
            proptest::prop_assert_eq!(
                f.runs_past_limits(&Side::new(&text, &vi).profile()),
                found.is_some(),
                "{:?}",
                text
            );
        }
    }
}
