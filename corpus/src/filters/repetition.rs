//! Repetition: a character repeated many times in a row ("!!!!!!!!!!!", "----------") or the
//! same word 1-, 2- or 3-gram repeated consecutively ("very very very very very"), the marks
//! of boilerplate, OCR noise and degenerate machine output. Vietnamese reduplication ("xanh
//! xanh", "từ từ") repeats twice, far below the default of 4 repeats.

use super::{check_sides, Candidate, Filter};
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
            max_repeats: config.max_ngram_repeats,
        }
    }

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

    /// A word n-gram (n ≤ 3) repeated back to back more than `max_repeats` times: a run of
    /// at least `n·max_repeats` words that each equal the word n places before. One pass,
    /// keeping the last six words. ASCII text is split byte by byte (std's `split_whitespace`
    /// decodes every character).
    fn ngram_run(&self, text: &str) -> Option<String> {
        match text.is_ascii() {
            true => self.ngram_run_in(
                text.as_bytes()
                    .split(|&b| crate::chars::is_ascii_space(b))
                    .filter(|w| !w.is_empty()),
            ),
            false => self.ngram_run_in(text.split_whitespace().map(str::as_bytes)),
        }
    }

    fn ngram_run_in<'t>(&self, words: impl Iterator<Item = &'t [u8]>) -> Option<String> {
        const LONGEST: usize = 3;
        let mut recent: [&[u8]; 2 * LONGEST] = [b""; 2 * LONGEST];
        let mut matches = [0usize; LONGEST + 1];
        for (i, word) in words.enumerate() {
            for n in 1..=LONGEST {
                let equal = i >= n && recent[(i - n) % (2 * LONGEST)] == word;
                matches[n] = if equal { matches[n] + 1 } else { 0 };
                if matches[n] >= n * self.max_repeats.max(1) {
                    let repeats = (matches[n] + n) / n;
                    let gram: Vec<String> = (i + 1 - n..=i)
                        .map(|j| {
                            let w = if j == i {
                                word
                            } else {
                                recent[j % (2 * LONGEST)]
                            };
                            String::from_utf8_lossy(w).into_owned()
                        })
                        .collect();
                    return Some(format!("\"{}\" repeated {repeats} times", gram.join(" ")));
                }
            }
            recent[i % (2 * LONGEST)] = word;
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
            self.char_run(side.text)
                .or_else(|| self.ngram_run(side.text))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
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
}
