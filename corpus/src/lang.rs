//! What the stage knows about a language, from its BCP 47 tag: the scripts its text is written
//! in (for the script filter) and whatlang's code for it (for language identification).
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
    /// whatlang's identifier for the language, when whatlang knows it.
    pub whatlang: Option<whatlang::Lang>,
}

impl Language {
    pub fn new(tag: &str) -> Self {
        let mut subtags = tag.split(['-', '_']);
        let primary = subtags.next().unwrap_or_default().to_ascii_lowercase();
        // An explicit script subtag (`sr-Latn`, `zh-Hans`) overrides the language's default.
        let explicit = subtags.find_map(|s| (s.len() == 4).then(|| script_subtag(s)).flatten());
        let scripts = match explicit {
            Some(script) => script_family(script),
            None => default_scripts(&primary),
        };
        Language {
            tag: tag.to_string(),
            whatlang: whatlang_code(&primary).and_then(whatlang::Lang::from_code),
            primary,
            scripts,
        }
    }

    pub fn is_vietnamese(&self) -> bool {
        self.primary == "vi"
    }
}

fn script_subtag(subtag: &str) -> Option<Script> {
    Some(match subtag.to_ascii_lowercase().as_str() {
        "latn" => Script::Latin,
        "cyrl" => Script::Cyrillic,
        "arab" => Script::Arabic,
        "hans" | "hant" | "hani" => Script::Han,
        "deva" => Script::Devanagari,
        "grek" => Script::Greek,
        "hebr" => Script::Hebrew,
        "thai" => Script::Thai,
        "khmr" => Script::Khmer,
        "mymr" => Script::Myanmar,
        "ethi" => Script::Ethiopic,
        "geor" => Script::Georgian,
        "armn" => Script::Armenian,
        "beng" => Script::Bengali,
        "taml" => Script::Tamil,
        "telu" => Script::Telugu,
        "knda" => Script::Kannada,
        "mlym" => Script::Malayalam,
        "gujr" => Script::Gujarati,
        "guru" => Script::Gurmukhi,
        "orya" => Script::Oriya,
        "sinh" => Script::Sinhala,
        "laoo" => Script::Lao,
        "tibt" => Script::Tibetan,
        "mong" => Script::Mongolian,
        "hang" | "kore" => Script::Hangul,
        _ => return None,
    })
}

/// Scripts that are written together: Japanese mixes kanji and kana, Korean may mix in hanja.
fn script_family(script: Script) -> Vec<Script> {
    match script {
        Script::Han => vec![Script::Han, Script::Bopomofo],
        Script::Hangul => vec![Script::Hangul, Script::Han],
        other => vec![other],
    }
}

fn default_scripts(primary: &str) -> Vec<Script> {
    use Script::*;
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
        "zh" | "yue" => vec![Han, Bopomofo],
        "ja" => vec![Han, Hiragana, Katakana],
        "ko" => vec![Hangul, Han],
        _ => Vec::new(),
    }
}

/// ISO 639-1 (what BCP 47 uses) to the ISO 639-3 codes whatlang names its languages by.
fn whatlang_code(primary: &str) -> Option<&'static str> {
    Some(match primary {
        "eo" => "epo",
        "en" => "eng",
        "ru" => "rus",
        "zh" => "cmn",
        "es" => "spa",
        "pt" => "por",
        "it" => "ita",
        "bn" => "ben",
        "fr" => "fra",
        "de" => "deu",
        "uk" => "ukr",
        "ka" => "kat",
        "ar" => "ara",
        "hi" => "hin",
        "ja" => "jpn",
        "he" => "heb",
        "yi" => "yid",
        "pl" => "pol",
        "am" => "amh",
        "jv" => "jav",
        "ko" => "kor",
        "nb" | "no" => "nob",
        "da" => "dan",
        "sv" => "swe",
        "fi" => "fin",
        "tr" => "tur",
        "nl" => "nld",
        "hu" => "hun",
        "cs" => "ces",
        "el" => "ell",
        "bg" => "bul",
        "be" => "bel",
        "mr" => "mar",
        "kn" => "kan",
        "ro" => "ron",
        "sl" => "slv",
        "hr" => "hrv",
        "sr" => "srp",
        "mk" => "mkd",
        "lt" => "lit",
        "lv" => "lav",
        "et" => "est",
        "ta" => "tam",
        "vi" => "vie",
        "ur" => "urd",
        "th" => "tha",
        "gu" => "guj",
        "uz" => "uzb",
        "pa" => "pan",
        "az" => "aze",
        "id" => "ind",
        "te" => "tel",
        "fa" => "pes",
        "ml" => "mal",
        "or" => "ori",
        "my" => "mya",
        "ne" => "nep",
        "si" => "sin",
        "km" => "khm",
        "tk" => "tuk",
        "ak" => "aka",
        "zu" => "zul",
        "sn" => "sna",
        "af" => "afr",
        "la" => "lat",
        "sk" => "slk",
        "ca" => "cat",
        "tl" | "fil" => "tgl",
        "hy" => "hye",
        "cy" => "cym",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_scripts_and_whatlang() {
        let vi = Language::new("vi");
        assert_eq!(vi.scripts, vec![Script::Latin]);
        assert_eq!(vi.whatlang, Some(whatlang::Lang::Vie));
        assert!(vi.is_vietnamese());
        let sr = Language::new("sr-Latn");
        assert_eq!(sr.scripts, vec![Script::Latin]);
        let unknown = Language::new("xyz");
        assert!(unknown.scripts.is_empty() && unknown.whatlang.is_none());
    }
}
