//! Length bounds in characters and in whitespace-separated words, per side. The defaults drop
//! empty texts and runaway ones (a whole file on one line), not long paragraphs: 10,000
//! characters and 2,000 words sit above almost every real paragraph.

use super::{check_sides, Candidate, Filter};
use crate::config::FilterConfig;
use crate::DropReason;

pub struct Length {
    min_chars: usize,
    max_chars: usize,
    min_words: usize,
    max_words: usize,
}

impl Length {
    pub fn new(config: &FilterConfig) -> Self {
        Length {
            min_chars: config.min_chars,
            max_chars: config.max_chars,
            min_words: config.min_words,
            max_words: config.max_words,
        }
    }
}

impl Filter for Length {
    fn reason(&self) -> DropReason {
        DropReason::Length
    }

    fn reads_profiles(&self) -> bool {
        true
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            let profile = side.profile();
            let chars = profile.chars;
            if chars < self.min_chars {
                return Some(format!("{chars} characters < {}", self.min_chars));
            }
            if chars > self.max_chars {
                return Some(format!("{chars} characters > {}", self.max_chars));
            }
            let words = profile.words;
            if words < self.min_words {
                return Some(format!("{words} words < {}", self.min_words));
            }
            if words > self.max_words {
                return Some(format!("{words} words > {}", self.max_words));
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn bounds() {
        let config = FilterConfig {
            min_chars: 2,
            max_chars: 20,
            max_words: 3,
            ..FilterConfig::default()
        };
        let f = Length::new(&config);
        assert_eq!(mono(&f, "vi", "Xin chào"), None);
        assert_eq!(mono(&f, "vi", "X").unwrap(), "vi: 1 characters < 2");
        assert!(mono(&f, "vi", "một hai ba bốn")
            .unwrap()
            .contains("4 words > 3"));
        assert!(mono(&f, "vi", &"a".repeat(21)).unwrap().contains("> 20"));
        assert!(pair(&f, ("en", "vi"), "Hello", "")
            .unwrap()
            .starts_with("vi:"));
    }
}
