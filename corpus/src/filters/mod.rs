//! Filters: one file per filter, all behind [`Filter`]. A candidate is a monolingual text or a
//! translation pair; a filter either keeps it or says why not, and that reason travels with
//! the segment into `rejected/`. Filters run cheapest first and the first rejection wins, so
//! each dropped segment is counted under exactly one reason. The stage runs them only on texts
//! that are not exact duplicates of an earlier one (a copy would get the same verdict). What
//! several filters count on a side's characters is counted once, in its [`Profile`].

mod langid;
mod length;
mod markup;
mod numerals;
mod profile;
mod ratio;
mod repetition;
mod script;
mod untranslated;

use crate::config::FilterConfig;
use crate::lang::Language;
use crate::DropReason;

pub use langid::Judgement;
pub use profile::Profile;

/// One side of a candidate: a normalised text, its language, and what the filters count on
/// its characters.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub text: &'a str,
    pub lang: &'a Language,
    /// Counted when the side is built, unless no filter that reads it runs.
    profile: Option<Profile>,
}

impl<'a> Side<'a> {
    pub fn new(text: &'a str, lang: &'a Language) -> Self {
        Side {
            profile: Some(Profile::of(text, &lang.scripts)),
            ..Self::unprofiled(text, lang)
        }
    }

    /// A side whose profile is counted only if a filter asks for it: for a chain where
    /// [`FilterChain::reads_profiles`] is false.
    pub fn unprofiled(text: &'a str, lang: &'a Language) -> Self {
        Side {
            text,
            lang,
            profile: None,
        }
    }

    pub fn profile(&self) -> Profile {
        self.profile
            .unwrap_or_else(|| Profile::of(self.text, &self.lang.scripts))
    }
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
    /// Whether the filter reads the sides' [`Profile`]s.
    fn reads_profiles(&self) -> bool {
        false
    }
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
        src: Side::new(text, lang),
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

    /// Whether a filter of the chain reads the sides' [`Profile`]s (else the sides need none).
    pub fn reads_profiles(&self) -> bool {
        self.filters.iter().any(|filter| filter.reads_profiles())
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
            src: Side::new(text, &lang),
            tgt: None,
        })
    }

    /// Runs `filter` on a pair.
    pub fn pair(filter: &dyn Filter, langs: (&str, &str), src: &str, tgt: &str) -> Option<String> {
        let (a, b) = (Language::new(langs.0), Language::new(langs.1));
        filter.check(&Candidate {
            src: Side::new(src, &a),
            tgt: Some(Side::new(tgt, &b)),
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
            src: Side::new("Open file", &en),
            tgt: Some(Side::new("Open file", &vi)),
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

    #[test]
    fn sides_are_profiled_when_a_filter_reads_profiles() {
        assert!(FilterChain::new(&FilterConfig::default()).reads_profiles());
        let readers = [
            "length",
            "ratio",
            "numerals",
            "script",
            "repetition",
            "langid",
        ];
        let others = FilterConfig {
            disable: DropReason::FILTERS
                .iter()
                .copied()
                .filter(|reason| readers.contains(&reason.name()))
                .collect(),
            ..FilterConfig::default()
        };
        assert!(!FilterChain::new(&others).reads_profiles());
        let vi = Language::new("vi");
        let text = "Mở 2 tệp";
        let counted = Side::new(text, &vi).profile();
        assert_eq!(Side::unprofiled(text, &vi).profile(), counted);
        assert_eq!((counted.chars, counted.words), (8, 3));
    }
}
