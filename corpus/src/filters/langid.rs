//! Language identification: a side is dropped when another language explains its letters
//! clearly better than its own (by [`FilterConfig::langid_margin`] nats a letter, under the
//! letter-trigram model of [`crate::langid`]). Languages that pass for each other on short
//! text (Indonesian and Malay, Czech and Slovak, …) never count against each other. A language
//! the model does not know is judged against English only, the usual stowaway in a corpus:
//! its side is dropped when English explains it clearly better than any other language (in the
//! script the language is written in, or, when the stage does not know that, the text's). Texts
//! with fewer than [`FilterConfig::langid_min_letters`] letters are not judged.

use super::{check_sides, Candidate, Filter};
use crate::config::FilterConfig;
use crate::lang::Language;
use crate::langid::{Model, Scores, ScriptModel, MAX_LETTERS};
use crate::DropReason;
use unicode_script::{Script as UScript, UnicodeScript};

/// Languages close enough that the model confuses their texts: none is evidence against
/// another of its group. English-based creoles and Scots read as English.
const RELATED: &[&[&str]] = &[
    &[
        "en", "sco", "pcm", "jam", "tpi", "bis", "kri", "srn", "hwc", "gcl", "pis", "djk", "wes",
    ],
    &["id", "ms"],
    &["bs", "hr", "sr", "sl"],
    &["nb", "nn", "da", "sv"],
    &["cs", "sk"],
    &["xh", "zu"],
    &["st", "tn"],
    &["ca", "es", "pt", "gl"],
    &["ru", "uk", "be", "bg", "mk"],
    &["hi", "mr", "ne"],
];

fn related(a: &str, b: &str) -> bool {
    a == b
        || RELATED
            .iter()
            .any(|group| group.contains(&a) && group.contains(&b))
}

pub struct LangId {
    min_letters: u32,
    margin: f64,
    /// Per script model, per column: the columns of the languages related to it (bit masks).
    related: Vec<Vec<u64>>,
}

/// How the model sees one text, for the filter's verdict and for `mekong corpus langid`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Judgement {
    /// Letters scored (of the script the model read the text in).
    pub letters: u32,
    /// The cheapest language and its cost per letter, in nats (for Chinese, Japanese and
    /// Korean, told apart by their scripts, the language the scripts point to, at cost 0).
    /// Names are the built-in model's, so judging a text allocates nothing unless it is
    /// rejected.
    pub best: Option<(&'static str, f64)>,
    /// The expected language's cost per letter, when the model knows it.
    pub expected: Option<f64>,
    /// The language that argues against the expected one (the cheapest unrelated one; for a
    /// language the model lacks, English), and how much cheaper it is a letter.
    pub against: Option<(&'static str, f64)>,
    /// Why the text is not in its language, when it is not.
    pub rejection: Option<String>,
}

impl LangId {
    pub fn new(config: &FilterConfig) -> Self {
        let related = Model::get()
            .scripts
            .iter()
            .map(|m| {
                let columns = 0..m.languages.len();
                columns
                    .clone()
                    .map(|a| {
                        columns
                            .clone()
                            .filter(|&b| related(&m.languages[a], &m.languages[b]))
                            .fold(0u64, |mask, b| mask | 1 << b)
                    })
                    .collect()
            })
            .collect();
        LangId {
            min_letters: config.langid_min_letters,
            margin: config.langid_margin,
            related,
        }
    }

    /// Judges `text` as a text in `lang`.
    pub fn judge(&self, text: &str, lang: &Language) -> Judgement {
        if let Some(judgement) = self.judge_east_asian(text, lang) {
            return judgement;
        }
        let model = Model::get();
        // A language of unknown script is read in the script its text is written in.
        let script_model: Option<(usize, &'static ScriptModel)> = if lang.scripts.is_empty() {
            model.for_text(text)
        } else {
            lang.scripts.iter().find_map(|&s| model.for_script(s))
        };
        let Some((index, script_model)) = script_model else {
            return Judgement::default();
        };
        let known = script_model.column(&lang.langid);
        let related = &self.related[index];
        let scores = Scores::of(script_model, text, MAX_LETTERS);
        let name = |column: usize| script_model.languages[column].as_str();
        let best = scores.best(u64::MAX);
        let expected = known.map(|column| scores.per_letter(column));
        // The language that argues against the expected one, and by how many nats a letter.
        let against = match (known, expected) {
            (Some(column), Some(expected)) => scores
                .best(!related[column])
                .map(|(rival, cost)| (rival, expected - cost)),
            _ if self::related(&lang.langid, "en") => None,
            _ => best
                .filter(|&(column, _)| name(column) == "en")
                .and_then(|(column, cost)| {
                    let runner_up = scores.best(!related[column])?.1;
                    Some((column, runner_up - cost))
                }),
        };
        let rejection = against
            .filter(|&(_, margin)| scores.letters >= self.min_letters && margin > self.margin)
            .map(|(column, margin)| {
                format!(
                    "reads as {} ({margin:.2} nats a letter clearer)",
                    name(column)
                )
            });
        Judgement {
            letters: scores.letters,
            best: best.map(|(column, cost)| (name(column), cost)),
            expected,
            against: against.map(|(column, margin)| (name(column), margin)),
            rejection,
        }
    }
}

impl LangId {
    /// Chinese, Japanese and Korean share Han characters; their own scripts tell them apart:
    /// Japanese text of any length has kana, Korean has Hangul, Chinese neither. `None` when
    /// `lang` is not one of them.
    fn judge_east_asian(&self, text: &str, lang: &Language) -> Option<Judgement> {
        let (expected, chinese) = (lang.langid.as_str(), lang.is_chinese());
        if !chinese && expected != "ja" && expected != "ko" {
            return None;
        }
        let census = EastAsianLetters::of(text);
        let letters = census.han + census.kana + census.hangul;
        let share = |n: u32| f64::from(n) / f64::from(letters.max(1));
        // The language the scripts point to, and why.
        let read_as = if census.hangul > 0 && share(census.hangul) >= 0.1 {
            Some(("ko", format!("{:.0}% Hangul", 100.0 * share(census.hangul))))
        } else if census.kana > 0 && share(census.kana) >= 0.1 {
            Some(("ja", format!("{:.0}% kana", 100.0 * share(census.kana))))
        } else if census.hangul + census.kana == 0 && census.han > 0 {
            Some(("zh", "Han characters only".to_string()))
        } else {
            None
        };
        let rejection = read_as
            .as_ref()
            .filter(|(reads, _)| letters >= self.min_letters && *reads != expected)
            .filter(|(reads, _)| !(chinese && *reads == "zh"))
            .map(|(reads, why)| format!("reads as {reads} ({why})"));
        Some(Judgement {
            letters,
            best: read_as.map(|(reads, _)| (reads, 0.0)),
            rejection,
            ..Judgement::default()
        })
    }
}

/// Letters of the three scripts of Chinese, Japanese and Korean in a text.
struct EastAsianLetters {
    han: u32,
    kana: u32,
    hangul: u32,
}

impl EastAsianLetters {
    fn of(text: &str) -> Self {
        let mut census = EastAsianLetters {
            han: 0,
            kana: 0,
            hangul: 0,
        };
        for c in text.chars().filter(|c| !c.is_ascii()) {
            match c.script() {
                UScript::Han => census.han += 1,
                UScript::Hiragana | UScript::Katakana => census.kana += 1,
                UScript::Hangul => census.hangul += 1,
                _ => {}
            }
        }
        census
    }
}

impl Filter for LangId {
    fn reason(&self) -> DropReason {
        DropReason::Langid
    }

    fn check(&self, candidate: &Candidate) -> Option<String> {
        check_sides(candidate, |side| {
            // The model scores letters, so a side with fewer non-space characters than a
            // verdict needs letters is spared it (half the texts of a software corpus).
            if side.profile().units < self.min_letters as usize {
                return None;
            }
            self.judge(side.text, side.lang).rejection
        })
    }

    fn reads_profiles(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Side;
    use super::*;

    #[test]
    fn langid() {
        let f = LangId::new(&FilterConfig::default());
        let english = "The children are playing happily in the garden behind the old house today.";
        let vietnamese =
            "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền.";
        let yoruba = "Gbogbo ènìyàn ni a bí ní òmìnira; iyì àti ẹ̀tọ́ kọ̀ọ̀kan sì dọ́gba.";
        assert_eq!(mono(&f, "vi", vietnamese), None);
        assert_eq!(mono(&f, "en", english), None);
        assert_eq!(mono(&f, "yo", yoruba), None);
        let wrong = mono(&f, "vi", english).unwrap();
        assert!(wrong.contains("reads as en"), "{wrong}");
        assert!(mono(&f, "vi", yoruba).unwrap().contains("reads as yo"));
        assert!(mono(&f, "yo", vietnamese).unwrap().contains("reads as vi"));
        // Too short to judge; related languages; English in a language the model lacks.
        assert_eq!(mono(&f, "vi", "Hello world"), None);
        assert_eq!(
            mono(
                &f,
                "ms",
                "Semua manusia dilahirkan bebas dan samarata dari segi kemuliaan."
            ),
            None
        );
        assert!(mono(&f, "ha", english).unwrap().contains("reads as en"));
    }

    proptest::proptest! {
        /// What spares short sides the model: it never scores more letters than the side has
        /// non-space characters.
        #[test]
        fn the_model_scores_no_more_letters_than_the_side_has_units(
            text in "[a-zA-Zà-ỹ0-9 ,.!\u{0300}-\u{0303}\u{4e00}-\u{4e10}ぁ-ゔ가-각ក-ឳа-я]{0,40}",
            lang in proptest::sample::select(vec!["vi", "en", "ha", "ru", "ja", "zh", "ko", "km"]),
        ) {
            let f = LangId::new(&FilterConfig::default());
            let lang = Language::new(lang);
            let units = Side::new(&text, &lang).profile().units;
            proptest::prop_assert!(f.judge(&text, &lang).letters as usize <= units);
        }
    }

    #[test]
    fn chinese_japanese_and_korean_by_their_scripts() {
        let f = LangId::new(&FilterConfig::default());
        let chinese = "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。";
        let japanese =
            "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。";
        let korean = "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다. 인간은 천부적으로 이성과 양심을 부여받았다.";
        for (lang, text) in [
            ("zh", chinese),
            ("ja", japanese),
            ("ko", korean),
            ("wuu", chinese),
        ] {
            assert_eq!(mono(&f, lang, text), None, "{lang}");
        }
        assert!(mono(&f, "ja", chinese).unwrap().contains("reads as zh"));
        assert!(mono(&f, "zh", japanese).unwrap().contains("reads as ja"));
        assert!(mono(&f, "ja", korean).unwrap().contains("reads as ko"));
        // A short all-kanji Japanese string is not enough to judge.
        assert_eq!(mono(&f, "ja", "日本語設定"), None);
    }
}
