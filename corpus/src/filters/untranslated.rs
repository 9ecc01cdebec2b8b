//! Untranslated pairs: the target is the source copied (case aside), as happens when a
//! translator leaves a string alone. Texts without letters (numbers, symbols) are legitimately
//! identical in translation and kept; so are pairs of one language with itself.

use super::{Candidate, Filter};
use crate::DropReason;

pub struct Untranslated;

impl Filter for Untranslated {
    fn reason(&self) -> DropReason {
        DropReason::Untranslated
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        let tgt = candidate.tgt?;
        let src = candidate.src;
        if src.lang.primary == tgt.lang.primary || !src.text.contains(crate::chars::is_letter) {
            return None;
        }
        // Lower-casing rarely changes a text's byte length by much: skip it for clear misses.
        let same = src.text == tgt.text
            || (src.text.len().abs_diff(tgt.text.len()) <= 4
                && src.text.to_lowercase() == tgt.text.to_lowercase());
        same.then(|| "target equals source".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn untranslated() {
        assert!(pair(&Untranslated, ("en", "vi"), "GNOME Shell", "GNOME Shell").is_some());
        assert!(pair(&Untranslated, ("en", "vi"), "Open", "OPEN").is_some());
        assert_eq!(pair(&Untranslated, ("en", "vi"), "Open", "Mở"), None);
        assert_eq!(pair(&Untranslated, ("en", "vi"), "100%", "100%"), None);
    }
}
