//! Why a segment was dropped: a filter, or one of the steps after the filters. One name each,
//! used alike by `filters.disable` and `--disable-filters`, the `reason` column of `rejected/`,
//! `stats.json` and the statistics table.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    Length,
    Ratio,
    Untranslated,
    Numerals,
    Script,
    Markup,
    Repetition,
    Langid,
    /// The text occurs in an evaluation set (`exclude`).
    Contaminated,
    Duplicate,
    NearDuplicate,
}

mekong_common::display_as_name!(DropReason);

impl DropReason {
    /// Every reason in the order the statistics table shows them: the filters, then
    /// decontamination and deduplication, in the order they run.
    pub const ALL: [DropReason; 11] = [
        DropReason::Length,
        DropReason::Ratio,
        DropReason::Untranslated,
        DropReason::Numerals,
        DropReason::Script,
        DropReason::Markup,
        DropReason::Repetition,
        DropReason::Langid,
        DropReason::Contaminated,
        DropReason::Duplicate,
        DropReason::NearDuplicate,
    ];

    /// The filters, in the order they run (cheapest first): the reasons before contamination.
    pub const FILTERS: &'static [DropReason] = Self::ALL.split_at(8).0;

    /// The name written to `rejected/` and `stats.json`.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Length => "length",
            DropReason::Ratio => "ratio",
            DropReason::Untranslated => "untranslated",
            DropReason::Numerals => "numerals",
            DropReason::Script => "script",
            DropReason::Markup => "markup",
            DropReason::Repetition => "repetition",
            DropReason::Langid => "langid",
            DropReason::Contaminated => "contaminated",
            DropReason::Duplicate => "duplicate",
            DropReason::NearDuplicate => "near-duplicate",
        }
    }

    pub fn is_filter(self) -> bool {
        Self::FILTERS.contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names_and_all_lists_each_once() {
        for reason in DropReason::ALL {
            assert_eq!(reason.name(), reason.to_string());
            assert_eq!(
                mekong_common::names::parse_name::<DropReason>(reason.name()),
                Ok(reason)
            );
        }
        let names: std::collections::HashSet<&str> =
            DropReason::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(names.len(), DropReason::ALL.len());
        assert_eq!(DropReason::FILTERS.last(), Some(&DropReason::Langid));
    }
}
