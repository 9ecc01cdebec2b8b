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

    fn ngram_run(&self, text: &str) -> Option<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        for n in 1..=3 {
            let mut repeats = 1;
            let mut i = 0;
            while i + 2 * n <= words.len() {
                if words[i..i + n] == words[i + n..i + 2 * n] {
                    repeats += 1;
                    if repeats > self.max_repeats {
                        return Some(format!(
                            "\"{}\" repeated {repeats} times",
                            words[i..i + n].join(" ")
                        ));
                    }
                    i += n;
                } else {
                    repeats = 1;
                    i += 1;
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
        assert!(mono(&f, "en", "very very very very very good").is_some());
        assert!(mono(&f, "en", "buy now buy now buy now buy now buy now").is_some());
        assert_eq!(mono(&f, "en", "buy now buy now buy now"), None);
    }
}
