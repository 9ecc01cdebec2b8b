//! The script groups of the model and Lingua's model of each language in them: languages that
//! share a script are told apart by the model; a script used by one language alone is decided
//! by the corpus stage's script rules and needs no model.

use include_dir::Dir;

pub struct Group {
    pub script: &'static str,
    /// (BCP 47 code, Lingua's model folder)
    pub languages: &'static [(&'static str, &'static Dir<'static>)],
}

pub const GROUPS: &[Group] = &[
    Group {
        script: "Latin",
        languages: &[
        ("af", &lingua_afrikaans_language_model::AFRIKAANS_MODELS_DIRECTORY),
        ("sq", &lingua_albanian_language_model::ALBANIAN_MODELS_DIRECTORY),
        ("az", &lingua_azerbaijani_language_model::AZERBAIJANI_MODELS_DIRECTORY),
        ("eu", &lingua_basque_language_model::BASQUE_MODELS_DIRECTORY),
        ("nb", &lingua_bokmal_language_model::BOKMAL_MODELS_DIRECTORY),
        ("bs", &lingua_bosnian_language_model::BOSNIAN_MODELS_DIRECTORY),
        ("ca", &lingua_catalan_language_model::CATALAN_MODELS_DIRECTORY),
        ("hr", &lingua_croatian_language_model::CROATIAN_MODELS_DIRECTORY),
        ("cs", &lingua_czech_language_model::CZECH_MODELS_DIRECTORY),
        ("da", &lingua_danish_language_model::DANISH_MODELS_DIRECTORY),
        ("nl", &lingua_dutch_language_model::DUTCH_MODELS_DIRECTORY),
        ("en", &lingua_english_language_model::ENGLISH_MODELS_DIRECTORY),
        ("eo", &lingua_esperanto_language_model::ESPERANTO_MODELS_DIRECTORY),
        ("et", &lingua_estonian_language_model::ESTONIAN_MODELS_DIRECTORY),
        ("fi", &lingua_finnish_language_model::FINNISH_MODELS_DIRECTORY),
        ("fr", &lingua_french_language_model::FRENCH_MODELS_DIRECTORY),
        ("lg", &lingua_ganda_language_model::GANDA_MODELS_DIRECTORY),
        ("de", &lingua_german_language_model::GERMAN_MODELS_DIRECTORY),
        ("hu", &lingua_hungarian_language_model::HUNGARIAN_MODELS_DIRECTORY),
        ("is", &lingua_icelandic_language_model::ICELANDIC_MODELS_DIRECTORY),
        ("id", &lingua_indonesian_language_model::INDONESIAN_MODELS_DIRECTORY),
        ("ga", &lingua_irish_language_model::IRISH_MODELS_DIRECTORY),
        ("it", &lingua_italian_language_model::ITALIAN_MODELS_DIRECTORY),
        ("lv", &lingua_latvian_language_model::LATVIAN_MODELS_DIRECTORY),
        ("lt", &lingua_lithuanian_language_model::LITHUANIAN_MODELS_DIRECTORY),
        ("ms", &lingua_malay_language_model::MALAY_MODELS_DIRECTORY),
        ("mi", &lingua_maori_language_model::MAORI_MODELS_DIRECTORY),
        ("nn", &lingua_nynorsk_language_model::NYNORSK_MODELS_DIRECTORY),
        ("pl", &lingua_polish_language_model::POLISH_MODELS_DIRECTORY),
        ("pt", &lingua_portuguese_language_model::PORTUGUESE_MODELS_DIRECTORY),
        ("ro", &lingua_romanian_language_model::ROMANIAN_MODELS_DIRECTORY),
        ("sn", &lingua_shona_language_model::SHONA_MODELS_DIRECTORY),
        ("sk", &lingua_slovak_language_model::SLOVAK_MODELS_DIRECTORY),
        ("sl", &lingua_slovene_language_model::SLOVENE_MODELS_DIRECTORY),
        ("so", &lingua_somali_language_model::SOMALI_MODELS_DIRECTORY),
        ("st", &lingua_sotho_language_model::SOTHO_MODELS_DIRECTORY),
        ("es", &lingua_spanish_language_model::SPANISH_MODELS_DIRECTORY),
        ("sw", &lingua_swahili_language_model::SWAHILI_MODELS_DIRECTORY),
        ("sv", &lingua_swedish_language_model::SWEDISH_MODELS_DIRECTORY),
        ("tl", &lingua_tagalog_language_model::TAGALOG_MODELS_DIRECTORY),
        ("ts", &lingua_tsonga_language_model::TSONGA_MODELS_DIRECTORY),
        ("tn", &lingua_tswana_language_model::TSWANA_MODELS_DIRECTORY),
        ("tr", &lingua_turkish_language_model::TURKISH_MODELS_DIRECTORY),
        ("vi", &lingua_vietnamese_language_model::VIETNAMESE_MODELS_DIRECTORY),
        ("cy", &lingua_welsh_language_model::WELSH_MODELS_DIRECTORY),
        ("xh", &lingua_xhosa_language_model::XHOSA_MODELS_DIRECTORY),
        ("yo", &lingua_yoruba_language_model::YORUBA_MODELS_DIRECTORY),
        ("zu", &lingua_zulu_language_model::ZULU_MODELS_DIRECTORY),
        ],
    },
    Group {
        script: "Cyrillic",
        languages: &[
        ("be", &lingua_belarusian_language_model::BELARUSIAN_MODELS_DIRECTORY),
        ("bg", &lingua_bulgarian_language_model::BULGARIAN_MODELS_DIRECTORY),
        ("kk", &lingua_kazakh_language_model::KAZAKH_MODELS_DIRECTORY),
        ("mk", &lingua_macedonian_language_model::MACEDONIAN_MODELS_DIRECTORY),
        ("mn", &lingua_mongolian_language_model::MONGOLIAN_MODELS_DIRECTORY),
        ("ru", &lingua_russian_language_model::RUSSIAN_MODELS_DIRECTORY),
        ("sr", &lingua_serbian_language_model::SERBIAN_MODELS_DIRECTORY),
        ("uk", &lingua_ukrainian_language_model::UKRAINIAN_MODELS_DIRECTORY),
        ],
    },
    Group {
        script: "Arabic",
        languages: &[
        ("ar", &lingua_arabic_language_model::ARABIC_MODELS_DIRECTORY),
        ("fa", &lingua_persian_language_model::PERSIAN_MODELS_DIRECTORY),
        ("ur", &lingua_urdu_language_model::URDU_MODELS_DIRECTORY),
        ],
    },
    Group {
        script: "Devanagari",
        languages: &[
        ("hi", &lingua_hindi_language_model::HINDI_MODELS_DIRECTORY),
        ("mr", &lingua_marathi_language_model::MARATHI_MODELS_DIRECTORY),
        ],
    },
];
