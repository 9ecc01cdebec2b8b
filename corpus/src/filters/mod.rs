//! Filters: one file per filter, all behind [`Filter`]. A candidate is a monolingual text or a
//! translation pair; a filter either keeps it or says why not, and that reason travels with
//! the segment into `rejected/`. Filters run cheapest first and the first rejection wins, so
//! each dropped segment is counted under exactly one reason. The stage runs them only on texts
//! that are not exact duplicates of an earlier one (a copy would get the same verdict).

mod langid;
mod length;
mod markup;
mod numerals;
mod ratio;
mod repetition;
mod script;
mod untranslated;

use crate::config::FilterConfig;
use crate::lang::Language;
use crate::DropReason;

pub use langid::Judgement;

/// One side of a candidate: a normalised text and its language.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub text: &'a str,
    pub lang: &'a Language,
}

/// What the filters judge: a monolingual text, or a pair when `tgt` is present.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub src: Side<'a>,
    pub tgt: Option<Side<'a>>,
}

impl<'a> Candidate<'a> {
    pub fn sides(&self) -> impl Iterator<Item = Side<'a>> {
        std::iter::once(self.src).chain(self.tgt)
    }
}

/// Why a candidate was dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub filter: DropReason,
    pub detail: String,
}

pub trait Filter: Send + Sync {
    /// The filter's name: the reason it gives for what it drops.
    fn reason(&self) -> DropReason;
    /// Why the candidate should be dropped, or `None` to keep it.
    fn check(&self, candidate: &Candidate) -> Option<String>;
}

/// Runs a per-side test on every side; the detail names the side's language.
fn check_sides(candidate: &Candidate, test: impl Fn(&Side) -> Option<String>) -> Option<String> {
    candidate
        .sides()
        .find_map(|side| test(&side).map(|detail| format!("{}: {detail}", side.lang.tag)))
}

/// The language filters' view of one text (the script filter, then `langid`), as
/// `mekong corpus langid` shows it: how the model reads the text, and what drops it, if anything.
pub fn language_verdict(
    config: &FilterConfig,
    text: &str,
    lang: &Language,
) -> (Judgement, Option<Rejection>) {
    let candidate = Candidate {
        src: Side { text, lang },
        tgt: None,
    };
    let script = script::Script::new(config);
    let langid = langid::LangId::new(config);
    let judgement = langid.judge(text, lang);
    let rejection = [&script as &dyn Filter, &langid]
        .into_iter()
        .filter(|f| !config.disable.contains(&f.reason()))
        .find_map(|f| {
            f.check(&candidate).map(|detail| Rejection {
                filter: f.reason(),
                detail,
            })
        });
    (judgement, rejection)
}

/// The enabled filters, in the order they run.
pub struct FilterChain {
    filters: Vec<Box<dyn Filter>>,
}

impl FilterChain {
    pub fn new(config: &FilterConfig) -> Self {
        let all: Vec<Box<dyn Filter>> = vec![
            Box::new(length::Length::new(config)),
            Box::new(ratio::Ratio::new(config)),
            Box::new(untranslated::Untranslated),
            Box::new(numerals::Numerals),
            Box::new(script::Script::new(config)),
            Box::new(markup::Markup::new(config)),
            Box::new(repetition::Repetition::new(config)),
            Box::new(langid::LangId::new(config)),
        ];
        let filters = all
            .into_iter()
            .filter(|f| !config.disable.contains(&f.reason()))
            .collect();
        FilterChain { filters }
    }

    /// The first filter that rejects the candidate, if any.
    pub fn check(&self, candidate: &Candidate) -> Option<Rejection> {
        self.filters.iter().find_map(|filter| {
            filter.check(candidate).map(|detail| Rejection {
                filter: filter.reason(),
                detail,
            })
        })
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Runs `filter` on a monolingual text.
    pub fn mono(filter: &dyn Filter, lang: &str, text: &str) -> Option<String> {
        let lang = Language::new(lang);
        filter.check(&Candidate {
            src: Side { text, lang: &lang },
            tgt: None,
        })
    }

    /// Runs `filter` on a pair.
    pub fn pair(filter: &dyn Filter, langs: (&str, &str), src: &str, tgt: &str) -> Option<String> {
        let (a, b) = (Language::new(langs.0), Language::new(langs.1));
        filter.check(&Candidate {
            src: Side {
                text: src,
                lang: &a,
            },
            tgt: Some(Side {
                text: tgt,
                lang: &b,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn chain_reports_first_rejection_and_honours_disable() {
        let chain = FilterChain::new(&FilterConfig::default());
        let (en, vi) = (Language::new("en"), Language::new("vi"));
        let candidate = Candidate {
            src: Side {
                text: "Open file",
                lang: &en,
            },
            tgt: Some(Side {
                text: "Open file",
                lang: &vi,
            }),
        };
        assert_eq!(
            chain.check(&candidate).unwrap().filter,
            DropReason::Untranslated
        );
        let config = FilterConfig {
            disable: vec![DropReason::Untranslated],
            ..FilterConfig::default()
        };
        assert_eq!(FilterChain::new(&config).check(&candidate), None);
        let _ = pair(
            &length::Length::new(&FilterConfig::default()),
            ("en", "vi"),
            "a",
            "b",
        );
    }
}
