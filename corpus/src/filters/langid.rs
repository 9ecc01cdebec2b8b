//! Language identification with whatlang: a side is dropped when whatlang names another
//! language with high confidence. Short texts are not judged (whatlang's trigram statistics
//! need a few dozen characters), and languages whatlang does not know pass on the script
//! filter alone. The threshold is deliberately strict (0.9): closely related languages and
//! mixed software strings make false rejections costlier than a few missed ones.

use super::{check_sides, Candidate, Filter};
use crate::config::FilterConfig;
use crate::DropReason;

/// whatlang's cost grows with the text; its verdict is settled long before this many bytes.
const DETECT_BYTES: usize = 512;

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub struct LangId {
    min_chars: usize,
    min_confidence: f64,
}

impl LangId {
    pub fn new(config: &FilterConfig) -> Self {
        LangId {
            min_chars: config.langid_min_chars,
            min_confidence: config.langid_confidence,
        }
    }
}

impl Filter for LangId {
    fn reason(&self) -> DropReason {
        DropReason::Langid
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            let expected = side.lang.whatlang?;
            if side.text.len() < self.min_chars || side.text.chars().count() < self.min_chars {
                return None;
            }
            let info = whatlang::detect(prefix(side.text, DETECT_BYTES))?;
            (info.lang() != expected && info.confidence() >= self.min_confidence).then(|| {
                format!(
                    "whatlang: {} (confidence {:.2})",
                    info.lang().code(),
                    info.confidence()
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
    fn langid() {
        let f = LangId::new(&FilterConfig::default());
        let english = "The children are playing happily in the garden behind the old house today.";
        let vietnamese =
            "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền.";
        assert_eq!(mono(&f, "vi", vietnamese), None);
        assert_eq!(mono(&f, "en", english), None);
        let wrong = mono(&f, "vi", english).unwrap();
        assert!(wrong.contains("eng"), "{wrong}");
        // Too short to judge, and a language whatlang does not know.
        assert_eq!(mono(&f, "vi", "Hello world"), None);
        assert_eq!(mono(&f, "lo", english), None);
    }
}
