//! URL and markup share: segments made mostly of URLs, e-mail addresses, HTML/XML tags and
//! entities carry little language. The share is taken over non-space characters; the default
//! (more than half) keeps software strings that wrap a few words in `<b>` tags.

use super::{check_sides, Candidate, Filter};
use crate::config::FilterConfig;
use crate::DropReason;
use regex::Regex;

pub struct Markup {
    max_share: f64,
    /// Every markup pattern.
    pattern: Regex,
    /// The same without `www.` addresses, for text that holds no `www.` (where that
    /// alternative never matches, so both find the same). Its `\b` is a Unicode word
    /// boundary, which keeps the regex crate's DFAs off non-ASCII text; its slower engines
    /// took 5 µs a text. Over 200,446 gettext texts the filter took 48 ms with one pattern
    /// and takes 18 ms with two.
    pattern_without_www: Regex,
}

const URL: &str = r"(?i)(?:https?|ftp)://\S+";
const WWW: &str = r"|\bwww\.\S+";
const EMAIL_TAG_ENTITY: &str = concat!(
    r"|[\w.+-]+@[\w-]+\.[\w.-]+",
    r"|</?[A-Za-z][^<>]*>",
    r"|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
);

impl Markup {
    pub fn new(config: &FilterConfig) -> Self {
        let compile = |pattern: String| Regex::new(&pattern).expect("markup pattern is valid");
        Markup {
            max_share: config.max_markup_share,
            pattern: compile(format!("{URL}{WWW}{EMAIL_TAG_ENTITY}")),
            pattern_without_www: compile(format!("{URL}{EMAIL_TAG_ENTITY}")),
        }
    }

    /// The pattern `text` needs, or `None` when it holds nothing that a markup pattern needs
    /// (`://`, `www.`, `@`, `<` or `&`): most text does not, and is spared the regex.
    fn pattern_for(&self, text: &str) -> Option<&Regex> {
        // Byte searches (SIMD): an ASCII byte never occurs inside a multi-byte UTF-8 character.
        let bytes = text.as_bytes();
        let www = memchr::memchr_iter(b'.', bytes)
            .any(|at| at >= 3 && bytes[at - 3..at].eq_ignore_ascii_case(b"www"));
        if www {
            return Some(&self.pattern);
        }
        let other = memchr::memchr3(b'@', b'<', b'&', bytes).is_some()
            || memchr::memmem::find(bytes, b"://").is_some();
        other.then_some(&self.pattern_without_www)
    }
}

impl Filter for Markup {
    fn reason(&self) -> DropReason {
        DropReason::Markup
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            let text = side.text;
            let marked: usize = self
                .pattern_for(text)?
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
        let f = Markup::new(&FilterConfig::default());
        let full = Some(f.pattern.as_str());
        let without_www = Some(f.pattern_without_www.as_str());
        let chosen = |text| f.pattern_for(text).map(Regex::as_str);
        for text in ["a@b", "x <b>", "&amp;", "ftp://h"] {
            assert_eq!(chosen(text), without_www, "{text}");
        }
        for text in ["go to WWW.x", "đi www.vn", "<b>www.x</b>"] {
            assert_eq!(chosen(text), full, "{text}");
        }
        for text in ["Mở tập tin", "ww.x", "a:/b", "…www…", ".www", ""] {
            assert_eq!(chosen(text), None, "{text}");
        }
    }

    #[test]
    fn without_www_the_patterns_find_the_same() {
        let f = Markup::new(&FilterConfig::default());
        let text = "Xem <a href=\"https://vi.x.org/a?b=1&amp;c\">tài_liệu</a> hay gửi thư@ví-dụ.vn &#x1F600; ưww.x";
        let spans = |pattern: &Regex| {
            pattern
                .find_iter(text)
                .map(|m| m.range())
                .collect::<Vec<_>>()
        };
        // The two tags (the first holding the URL and the entity), the address, the entity.
        assert_eq!(spans(&f.pattern).len(), 4);
        assert_eq!(spans(&f.pattern), spans(&f.pattern_without_www));
    }
}
