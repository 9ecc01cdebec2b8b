//! What the stage knows about a language, from its BCP 47 tag: the scripts its text is written
//! in (for the script filter) and the code language identification knows it by.
//! Languages missing from these tables still pass through the stage; the filters that need the
//! knowledge simply do not judge them.

use unicode_script::Script;

/// A language as given by the user (`vi`, `zh-Hant`, `sr-Latn`), with what the filters need.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    /// The tag exactly as the user wrote it; written to the Parquet `lang` columns.
    pub tag: String,
    /// The primary language subtag, lower case (`zh` for `zh-Hant`).
    pub primary: String,
    /// Scripts letters of this language are expected in; empty when unknown.
    pub scripts: Vec<Script>,
    /// The language's code in the language-identification model ([`crate::langid`]).
    pub langid: String,
}

impl Language {
    pub fn new(tag: &str) -> Self {
        let mut subtags = tag.split(['-', '_']);
        let primary = subtags.next().unwrap_or_default().to_ascii_lowercase();
        // An explicit script subtag (`sr-Latn`, `zh-Hans`) overrides the language's default;
        // one the stage does not know leaves the scripts unknown.
        let scripts = match subtags.find(|s| s.len() == 4) {
            Some(subtag) => script_subtag(subtag).map(script_family).unwrap_or_default(),
            None => default_scripts(&primary),
        };
        Language {
            tag: tag.to_string(),
            langid: langid_code(&primary).to_string(),
            primary,
            scripts,
        }
    }

    pub fn is_vietnamese(&self) -> bool {
        self.primary == "vi"
    }

    pub fn is_chinese(&self) -> bool {
        CHINESE.contains(&self.primary.as_str())
    }
}

/// The script an ISO 15924 subtag names (`Latn`, `Cyrl`), with the aliases BCP 47 uses for
/// Chinese and Korean (`Hans`, `Hant`, `Kore`).
fn script_subtag(subtag: &str) -> Option<Script> {
    match subtag.to_ascii_lowercase().as_str() {
        "hans" | "hant" => Some(Script::Han),
        "kore" => Some(Script::Hangul),
        lower => {
            let mut name = lower.to_string();
            name[..1].make_ascii_uppercase();
            Script::from_short_name(&name)
                .filter(|s| !matches!(s, Script::Common | Script::Inherited | Script::Unknown))
        }
    }
}

/// Scripts that are written together: Japanese mixes kanji and kana, Korean may mix in hanja.
fn script_family(script: Script) -> Vec<Script> {
    match script {
        Script::Han => vec![Script::Han, Script::Bopomofo],
        Script::Hangul => vec![Script::Hangul, Script::Han],
        other => vec![other],
    }
}

/// Chinese and the Chinese languages written in Han characters (the UDHR has these).
const CHINESE: &[&str] = &["zh", "yue", "cmn", "wuu", "nan", "hak", "gan", "hsn", "cjy"];

fn default_scripts(primary: &str) -> Vec<Script> {
    use Script::*;
    if CHINESE.contains(&primary) {
        return vec![Han, Bopomofo];
    }
    match primary {
        "en" | "vi" | "fr" | "de" | "es" | "pt" | "it" | "nl" | "id" | "ms" | "tl" | "fil"
        | "pl" | "cs" | "sk" | "sl" | "hr" | "bs" | "ro" | "hu" | "fi" | "et" | "lv" | "lt"
        | "sv" | "da" | "nb" | "nn" | "no" | "is" | "ga" | "cy" | "eu" | "ca" | "gl" | "tr"
        | "az" | "uz" | "sw" | "yo" | "ha" | "ig" | "zu" | "xh" | "af" | "so" | "sq" | "mt"
        | "eo" | "la" | "jv" | "su" | "ceb" | "hmn" | "tk" | "sn" | "ak" | "mi" | "sm" | "to"
        | "haw" => {
            vec![Latin]
        }
        "ru" | "uk" | "be" | "bg" | "mk" | "sr" | "kk" | "ky" | "tg" | "mn" | "tt" | "ba" => {
            vec![Cyrillic]
        }
        "ar" | "fa" | "ur" | "ps" | "ckb" | "sd" | "ug" => vec![Arabic],
        "he" | "yi" => vec![Hebrew],
        "el" => vec![Greek],
        "hi" | "mr" | "ne" | "sa" => vec![Devanagari],
        "bn" | "as" => vec![Bengali],
        "pa" => vec![Gurmukhi],
        "gu" => vec![Gujarati],
        "or" => vec![Oriya],
        "ta" => vec![Tamil],
        "te" => vec![Telugu],
        "kn" => vec![Kannada],
        "ml" => vec![Malayalam],
        "si" => vec![Sinhala],
        "th" => vec![Thai],
        "lo" => vec![Lao],
        "km" => vec![Khmer],
        "my" => vec![Myanmar],
        "bo" | "dz" => vec![Tibetan],
        "ka" => vec![Georgian],
        "hy" => vec![Armenian],
        "am" | "ti" => vec![Ethiopic],
        "ja" => vec![Han, Hiragana, Katakana],
        "ko" => vec![Hangul, Han],
        _ => Vec::new(),
    }
}

/// The code the language-identification model knows a language by: its primary subtag, or the
/// one of the language it is an alias or a standard of.
fn langid_code(primary: &str) -> &str {
    match primary {
        "fil" => "tl",
        "no" => "nb",
        "zsm" => "ms",
        "in" => "id",
        _ => primary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_scripts_and_langid_codes() {
        let vi = Language::new("vi");
        assert_eq!(vi.scripts, vec![Script::Latin]);
        assert_eq!(vi.langid, "vi");
        assert_eq!(Language::new("fil").langid, "tl");
        assert!(vi.is_vietnamese());
        let sr = Language::new("sr-Latn");
        assert_eq!(sr.scripts, vec![Script::Latin]);
        assert_eq!(
            Language::new("zh-Hant").scripts,
            vec![Script::Han, Script::Bopomofo]
        );
        assert_eq!(Language::new("sa-Gran").scripts, vec![Script::Grantha]);
        assert!(Language::new("tl-Zzzz").scripts.is_empty());
        let unknown = Language::new("xyz");
        assert!(unknown.scripts.is_empty());
    }
}
