//! URL and markup share: segments made mostly of URLs, e-mail addresses, HTML/XML tags and
//! entities carry little language. The share is taken over non-space characters; the default
//! (more than half) keeps software strings that wrap a few words in `<b>` tags.

use super::{check_sides, Candidate, Filter};
use crate::config::FilterConfig;
use crate::DropReason;
use regex::Regex;

pub struct Markup {
    max_share: f64,
    pattern: Regex,
}

impl Markup {
    pub fn new(config: &FilterConfig) -> Self {
        let pattern = Regex::new(concat!(
            r"(?i)(?:https?|ftp)://\S+|\bwww\.\S+",
            r"|[\w.+-]+@[\w-]+\.[\w.-]+",
            r"|</?[A-Za-z][^<>]*>",
            r"|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
        ))
        .expect("markup pattern is valid");
        Markup {
            max_share: config.max_markup_share,
            pattern,
        }
    }
}

/// Whether `text` holds what every markup pattern needs (`://`, `www.`, `@`, `<` or `&`):
/// most text does not, and is spared the regex.
fn may_hold_markup(text: &str) -> bool {
    // Byte searches (SIMD): an ASCII byte never occurs inside a multi-byte UTF-8 character.
    let bytes = text.as_bytes();
    memchr::memchr3(b'@', b'<', b'&', bytes).is_some()
        || memchr::memmem::find(bytes, b"://").is_some()
        || memchr::memchr_iter(b'.', bytes)
            .any(|at| at >= 3 && bytes[at - 3..at].eq_ignore_ascii_case(b"www"))
}

impl Filter for Markup {
    fn reason(&self) -> DropReason {
        DropReason::Markup
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            let text = side.text;
            if !may_hold_markup(text) {
                return None;
            }
            let marked: usize = self
                .pattern
                .find_iter(text)
                .map(|m| m.as_str().chars().filter(|c| !c.is_whitespace()).count())
                .sum();
            if marked == 0 {
                return None;
            }
            let total = text.chars().filter(|c| !c.is_whitespace()).count();
            let share = marked as f64 / total as f64;
            (share > self.max_share).then(|| {
                format!(
                    "{:.0}% URLs/markup > {:.0}%",
                    share * 100.0,
                    self.max_share * 100.0
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn markup() {
        let f = Markup::new(&FilterConfig::default());
        assert!(mono(&f, "en", "https://example.com/a/very/long/path?x=1").is_some());
        assert!(mono(&f, "en", "<div class=\"x\"><span>a</span></div>").is_some());
        assert!(mono(&f, "en", "mail me@example.com").is_some());
        assert_eq!(
            mono(&f, "vi", "Nhấn <b>Lưu</b> để lưu tập tin của bạn lại"),
            None
        );
        assert_eq!(
            mono(
                &f,
                "en",
                "See https://x.org for the full documentation of it"
            ),
            None
        );
    }

    #[test]
    fn the_prefilter_finds_every_marker_and_nothing_else() {
        for text in [
            "a@b",
            "x <b>",
            "&amp;",
            "ftp://h",
            "go to WWW.x",
            "đi www.vn",
        ] {
            assert!(may_hold_markup(text), "{text}");
        }
        for text in ["Mở tập tin", "ww.x", "a:/b", "…www…", ".www", ""] {
            assert!(!may_hold_markup(text), "{text}");
        }
    }
}
