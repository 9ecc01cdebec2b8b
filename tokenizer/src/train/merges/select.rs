//! Which language the next merge serves: parity-aware BPE's selection rules (arXiv 2508.04796),
//! with the tie-breaks of the `tokenizers` crate's `ParityBpeTrainer`, so both pick alike.

use std::collections::VecDeque;

/// How languages are scored and picked.
pub struct Selector {
    /// Ratio mode: the desired compression ratio per language (no dev set).
    ratio: Option<Vec<f64>>,
    /// Moving window: (window length W, share threshold alpha / languages).
    window: Option<(usize, f64)>,
    /// The languages picked in the last W steps (window variant only).
    recent: VecDeque<usize>,
}

impl Selector {
    pub fn new(languages: usize, window: Option<(usize, f64)>, ratio: Option<Vec<f64>>) -> Self {
        Selector {
            ratio,
            window: window.map(|(w, alpha)| (w, alpha / languages as f64)),
            recent: VecDeque::new(),
        }
    }

    /// The language to serve, never an exhausted one (at least one is not). `lengths`: current
    /// length of each language (dev tokens, or training tokens without a dev set);
    /// `reference`: the reference language's length on each language's dev rows, when those
    /// differ; `initial`: `lengths` before any merge (ratio mode).
    pub fn pick(
        &mut self,
        lengths: &[i64],
        reference: Option<&[i64]>,
        initial: &[i64],
        exhausted: &[bool],
    ) -> usize {
        // A higher score needs the merge more: the longest language (relative to the reference
        // on its rows), or in ratio mode the one whose compression (initial / current length) is
        // furthest below its ratio.
        let scores: Vec<f64> = (0..lengths.len())
            .map(|lang| match &self.ratio {
                Some(ratio) => -((initial[lang] as f64 / lengths[lang] as f64) / ratio[lang]),
                None => length_score(lengths, reference, lang),
            })
            .collect();
        let live: Vec<bool> = exhausted.iter().map(|&e| !e).collect();
        let Some((window, threshold)) = self.window else {
            return best(&scores, &live);
        };
        let picked = self.pick_in_window(&scores, live, window, threshold);
        self.recent.push_back(picked);
        if self.recent.len() > window {
            self.recent.pop_front();
        }
        picked
    }

    /// Whether every live language's premium (its score over the reference's) is within the
    /// tolerance. Scores carry the premium caps' dev weights, so a capped language counts as
    /// within once its premium is within its (effective) cap times the level.
    pub fn all_within(
        &self,
        tolerance: super::Tolerance,
        lengths: &[i64],
        reference: Option<&[i64]>,
        exhausted: &[bool],
    ) -> bool {
        let score = |lang| length_score(lengths, reference, lang);
        let level = tolerance.level * score(tolerance.reference);
        (0..lengths.len()).all(|lang| exhausted[lang] || score(lang) <= level)
    }

    /// The best-scoring language whose share of the last W picks is within the threshold;
    /// when every language is over it, the last one considered.
    ///
    /// The crate starts from every language, exhausted ones included, and can return one (then
    /// skip the step) or, when language 0 is over its share and only exhausted languages are
    /// left, loop for ever. Starting from the live languages only avoids both; it is the one
    /// place where the two trainers may differ, and only after a language has run out.
    fn pick_in_window(
        &self,
        scores: &[f64],
        mut allowed: Vec<bool>,
        window: usize,
        threshold: f64,
    ) -> usize {
        loop {
            let candidate = best(scores, &allowed);
            let uses = self.recent.iter().filter(|&&l| l == candidate).count();
            if uses as f64 / window as f64 <= threshold {
                return candidate;
            }
            allowed[candidate] = false;
            if allowed.iter().all(|a| !a) {
                return candidate;
            }
        }
    }
}

/// A language's dev length, relative to the reference's on its rows when those differ: over
/// the reference's score, its premium.
fn length_score(lengths: &[i64], reference: Option<&[i64]>, lang: usize) -> f64 {
    match reference {
        Some(reference) => lengths[lang] as f64 / reference[lang].max(1) as f64,
        None => lengths[lang] as f64,
    }
}

/// The highest score among the allowed languages, the first on ties or when no score is a
/// number above minus infinity.
fn best(scores: &[f64], allowed: &[bool]) -> usize {
    let mut candidates = (0..scores.len()).filter(|&lang| allowed[lang]);
    let first = candidates.next().expect("at least one language is allowed");
    candidates.fold(first, |best, lang| {
        if scores[lang] > scores[best] {
            lang
        } else {
            best
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The case where the crate's window rule loops for ever: language 0 over its share of
    /// the window, language 2 too, and language 1 exhausted.
    #[test]
    fn the_window_rule_always_picks_a_live_language() {
        let mut selector = Selector::new(3, Some((4, 1.0)), None);
        selector.recent = VecDeque::from([0, 0, 2, 2]);
        let picked = selector.pick(&[10, 50, 20], None, &[0; 3], &[false, true, false]);
        assert_ne!(picked, 1);
        let mut selector = Selector::new(2, Some((2, 1.0)), None);
        selector.recent = VecDeque::from([1, 1]);
        assert_eq!(selector.pick(&[90, 10], None, &[0; 2], &[true, false]), 1);
    }

    #[test]
    fn base_rule_takes_the_longest_live_language_first_on_ties() {
        let mut selector = Selector::new(3, None, None);
        assert_eq!(selector.pick(&[5, 9, 9], None, &[0; 3], &[false; 3]), 1);
        assert_eq!(
            selector.pick(&[5, 9, 9], None, &[0; 3], &[false, true, false]),
            2
        );
        let mut ratio = Selector::new(2, None, Some(vec![1.0, 2.0]));
        // Compression 2.0 / 1.0 = 2 for both; language 1 wants twice as much.
        assert_eq!(ratio.pick(&[50, 50], None, &[100, 100], &[false; 2]), 1);
    }

    #[test]
    fn within_the_tolerance_is_measured_against_the_reference_live_languages_only() {
        let selector = Selector::new(3, None, None);
        let tolerance = |level| super::super::Tolerance {
            level,
            reference: 0,
        };
        // Aligned rows: premiums 1.0, 1.1, 1.3.
        let lengths = [100, 110, 130];
        assert!(!selector.all_within(tolerance(1.2), &lengths, None, &[false; 3]));
        assert!(selector.all_within(tolerance(1.3), &lengths, None, &[false; 3]));
        // An exhausted language no longer counts.
        assert!(selector.all_within(tolerance(1.2), &lengths, None, &[false, false, true]));
        // Partial rows: language 1 is 30 against the reference's 20 on its rows (1.5).
        let reference = [100, 20, 100];
        let lengths = [100, 30, 110];
        assert!(!selector.all_within(tolerance(1.2), &lengths, Some(&reference), &[false; 3]));
        assert!(selector.all_within(tolerance(1.5), &lengths, Some(&reference), &[false; 3]));
    }

    #[test]
    fn on_a_partial_dev_set_the_longest_relative_to_the_reference_is_served() {
        let mut selector = Selector::new(3, None, None);
        // Language 1 is shortest in tokens but measured on few rows: 30 against the
        // reference's 20 there is the largest premium (1.5).
        let picked = selector.pick(&[100, 30, 120], Some(&[100, 20, 100]), &[0; 3], &[false; 3]);
        assert_eq!(picked, 1);
    }
}
