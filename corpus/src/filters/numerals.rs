//! Numeral mismatch: both sides of a pair must contain the same numbers (as multisets of digit
//! runs, leading zeros ignored, digits of any script read as their value), since translations
//! keep numbers and misaligned pairs rarely do. Numbers written as words are not recognised.

use super::{Candidate, Filter};
use crate::DropReason;

pub struct Numerals;

/// The value of a decimal digit in the common scripts (Unicode lays each script's digits out
/// as ten consecutive code points from zero).
pub(super) fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    if crate::chars::is_letter(c) {
        return None;
    }
    const ZEROS: [u32; 13] = [
        0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0E50, 0x0ED0,
        0x17E0, 0xFF10,
    ];
    const MORE_ZEROS: [u32; 4] = [0x0CE6, 0x0D66, 0x1040, 0x0F20];
    let code = c as u32;
    ZEROS
        .iter()
        .chain(MORE_ZEROS.iter())
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .map(|zero| code - zero)
}

/// The digit runs of `text`, as normalised decimal strings, sorted.
fn numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        match digit_value(c) {
            Some(d) => current.push(char::from_digit(d, 10).unwrap_or('0')),
            None if !current.is_empty() => {
                let trimmed = current.trim_start_matches('0');
                found.push(if trimmed.is_empty() { "0" } else { trimmed }.to_string());
                current.clear();
            }
            None => {}
        }
    }
    found.sort();
    found
}

impl Filter for Numerals {
    fn reason(&self) -> DropReason {
        DropReason::Numerals
    }

    fn reads_profiles(&self) -> bool {
        true
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        let tgt = candidate.tgt?;
        if !candidate.src.profile().has_digit && !tgt.profile().has_digit {
            return None;
        }
        let (a, b) = (numbers(candidate.src.text), numbers(tgt.text));
        (a != b).then(|| format!("numbers differ: {a:?} vs {b:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn numerals() {
        let f = Numerals;
        assert_eq!(pair(&f, ("en", "vi"), "Page 3 of 10", "Trang 3 / 10"), None);
        assert_eq!(pair(&f, ("en", "vi"), "1,000 files", "1.000 tập tin"), None);
        assert_eq!(pair(&f, ("en", "km"), "Chapter 12", "ជំពូក ១២"), None);
        assert_eq!(pair(&f, ("en", "vi"), "on 01/02", "ngày 1/2"), None);
        assert!(pair(&f, ("en", "vi"), "Page 3 of 10", "Trang 3 / 11").is_some());
        assert!(pair(&f, ("en", "vi"), "Open 2 files", "Mở tập tin").is_some());
    }
}
