//! Pair length ratio: a translation much longer than its source is usually a misalignment.
//! Length is counted in units where a Han, kana or Hangul character counts 3 (about the
//! letters of a word in an alphabetic script), so Chinese–English pairs are not all rejected.
//! Short pairs are not judged: UI strings like "OK" / "Đồng ý" vary wildly and are fine.

use super::{Candidate, Filter};
use crate::config::FilterConfig;
use crate::DropReason;

pub struct Ratio {
    max_ratio: f64,
    min_chars: usize,
}

impl Ratio {
    pub fn new(config: &FilterConfig) -> Self {
        Ratio {
            max_ratio: config.max_length_ratio,
            min_chars: config.ratio_min_chars,
        }
    }
}

impl Filter for Ratio {
    fn reason(&self) -> DropReason {
        DropReason::Ratio
    }

    fn reads_profiles(&self) -> bool {
        true
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        let tgt = candidate.tgt?;
        let (a, b) = (candidate.src.profile().units, tgt.profile().units);
        let (short, long) = (a.min(b), a.max(b));
        if long < self.min_chars || short == 0 {
            return None;
        }
        let ratio = long as f64 / short as f64;
        (ratio > self.max_ratio)
            .then(|| format!("length ratio {ratio:.2} > {} ({a} vs {b})", self.max_ratio))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn ratio() {
        let f = Ratio::new(&FilterConfig::default());
        assert_eq!(pair(&f, ("en", "vi"), "Open the file", "Mở tập tin"), None);
        assert!(pair(
            &f,
            ("en", "vi"),
            "Open",
            "Mở tập tin này bằng một chương trình khác trên máy"
        )
        .is_some());
        assert_eq!(
            pair(&f, ("en", "zh"), "Open the file now", "现在打开文件"),
            None
        );
        assert_eq!(pair(&f, ("en", "vi"), "OK", "Đồng ý"), None);
        assert_eq!(mono(&f, "vi", "anything"), None);
    }
}
