//! Script consistency: the share of a side's letters written in the scripts expected for its
//! language (Latin for Vietnamese, Khmer for Khmer, Han and kana for Japanese...). Catches
//! wrong-column text and mojibake. Letters of no particular script (Common, Inherited) are not
//! counted; texts without letters pass. The default 0.5 tolerates the brand names and code
//! that software strings carry in Latin inside non-Latin text. Languages whose scripts the
//! stage does not know are not judged.

use super::{check_sides, Candidate, Filter};
use crate::config::FilterConfig;
use crate::DropReason;

pub struct Script {
    min_share: f64,
}

impl Script {
    pub fn new(config: &FilterConfig) -> Self {
        Script {
            min_share: config.min_script_share,
        }
    }
}

impl Filter for Script {
    fn reason(&self) -> DropReason {
        DropReason::Script
    }

    fn reads_profiles(&self) -> bool {
        true
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            let expected = &side.lang.scripts;
            if expected.is_empty() {
                return None;
            }
            let profile = side.profile();
            let (letters, matching) = (profile.letters, profile.expected_letters);
            if letters == 0 {
                return None;
            }
            let share = matching as f64 / letters as f64;
            (share < self.min_share).then(|| {
                format!(
                    "{:.0}% of letters in {:?} < {:.0}%",
                    share * 100.0,
                    expected,
                    self.min_share * 100.0
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
    fn script_share() {
        let f = Script::new(&FilterConfig::default());
        assert_eq!(mono(&f, "vi", "Tiếng Việt có dấu"), None);
        assert_eq!(mono(&f, "km", "ភាសាខ្មែរ GNOME"), None);
        assert!(mono(&f, "km", "This is English text").is_some());
        assert!(mono(&f, "vi", "Это русский текст").is_some());
        assert_eq!(mono(&f, "ja", "日本語のテキスト"), None);
        assert_eq!(mono(&f, "vi", "12345 !!!"), None);
        assert_eq!(mono(&f, "xyz", "anything at all"), None);
    }
}
