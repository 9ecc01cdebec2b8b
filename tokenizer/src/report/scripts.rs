//! Writing systems: the dominant script of a text (a language's lines, or one vocabulary
//! token), and which scripts are written without spaces between words (where counting
//! "words" by Unicode word boundaries says little, so fertility is not reported).

use unicode_script::{Script, UnicodeScript};

/// Label of tokens with no letters of any script: digits, punctuation, spaces.
pub const COMMON: &str = "Common (digits, punctuation, spaces)";
/// Label of tokens that are part of a character (byte-level pieces) or byte-fallback tokens.
pub const BYTES: &str = "Bytes (partial characters)";
/// Label of a tokenizer's special / control tokens.
pub const SPECIAL: &str = "Special";

/// The script most of `text`'s characters belong to, ignoring characters shared by all scripts
/// (Common: digits, punctuation, spaces; Inherited: combining marks). Ties go to the script
/// seen first. `None` when no character has a script of its own.
pub fn dominant_script(text: &str) -> Option<Script> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for c in text.chars() {
        let script = c.script();
        if matches!(script, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        match counts.iter_mut().find(|(s, _)| *s == script) {
            Some((_, n)) => *n += 1,
            None => counts.push((script, 1)),
        }
    }
    counts
        .iter()
        .fold(None, |best: Option<(Script, usize)>, &(s, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((s, n)),
        })
        .map(|(s, _)| s)
}

/// The script's English name, or [`COMMON`] for text without one.
pub fn script_label(script: Option<Script>) -> String {
    script.map_or_else(|| COMMON.to_string(), |s| s.full_name().to_string())
}

/// Scripts whose languages do not separate words with spaces: Unicode word boundaries there
/// fall around single characters or whole phrases, so "tokens per word" is not meaningful.
pub fn is_spaceless(script: Script) -> bool {
    matches!(
        script,
        Script::Han
            | Script::Hiragana
            | Script::Katakana
            | Script::Thai
            | Script::Lao
            | Script::Khmer
            | Script::Myanmar
            | Script::Tibetan
            | Script::Javanese
            | Script::Balinese
            | Script::Yi
            | Script::Tai_Le
            | Script::New_Tai_Lue
            | Script::Tai_Tham
            | Script::Tai_Viet
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dominant_scripts() {
        assert_eq!(dominant_script("Việt Nam 2024!"), Some(Script::Latin));
        assert_eq!(dominant_script("ភាសាខ្មែរ"), Some(Script::Khmer));
        assert_eq!(dominant_script("中文 abc 中文"), Some(Script::Han));
        assert_eq!(dominant_script(" 12, "), None);
        assert_eq!(script_label(None), COMMON);
        assert_eq!(script_label(Some(Script::Cyrillic)), "Cyrillic");
        assert!(is_spaceless(Script::Khmer) && !is_spaceless(Script::Latin));
    }
}
