//! The merge loop learns exactly what the `tokenizers` crate's `ParityBpeTrainer` learns, on
//! random small corpora, in every variant: classic, parity on a dev set (base and moving
//! window), global merges first, ratio mode, training lengths without a dev set, several
//! minimum frequencies, and languages that run out of pairs (except with the moving window,
//! where the crate can then loop for ever: see `select`).

use super::*;
use std::collections::HashSet;
use tokenizers::models::bpe::{ParityBpeTrainer, ParityVariant, BPE};
use tokenizers::AddedToken;

/// Several scripts, combining marks, and repeats ("aaaa", "abab") that stress overlapping merges.
const ALPHABET: &[char] = &[
    'a', 'b', 'c', 'à', 'ạ', 'ก', 'ข', '\u{0E31}', 'ក', '\u{17D2}',
];

struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (x ^ (x >> 31)) % n
    }

    /// Word counts of one language, drawn from a part of the alphabet so languages differ.
    fn words(&mut self, language: usize, distinct: u64) -> WordCounts {
        let letters: Vec<char> = (0..5)
            .map(|i| ALPHABET[(language * 3 + i) % ALPHABET.len()])
            .collect();
        let mut counts = WordCounts::default();
        for _ in 0..distinct {
            let length = 2 + self.below(6) as usize;
            let word: String = if self.below(5) == 0 {
                let c = letters[self.below(letters.len() as u64) as usize];
                std::iter::repeat_n(c, length).collect()
            } else {
                (0..length)
                    .map(|_| letters[self.below(letters.len() as u64) as usize])
                    .collect()
            };
            *counts.entry(word).or_default() += 1 + self.below(20);
        }
        counts
    }
}

fn feed(counts: &WordCounts) -> Vec<String> {
    let mut words: Vec<String> = counts.keys().cloned().collect();
    words.sort();
    words
}

/// Merges (as "left right") and the vocabulary by id, from the crate's trainer.
fn crate_merges(input: &MergeInput, rules: &MergeRules) -> (Vec<String>, Vec<String>) {
    let mut builder = ParityBpeTrainer::builder()
        .num_merges(rules.vocab_size)
        .total_symbols(true)
        .min_frequency(rules.min_frequency)
        .special_tokens(
            rules
                .special_tokens
                .iter()
                .map(|t| AddedToken::from(t.clone(), true))
                .collect(),
        )
        .initial_alphabet(
            rules
                .initial_alphabet
                .iter()
                .copied()
                .collect::<HashSet<_>>(),
        )
        .show_progress(false)
        .global_merges(rules.global_merges);
    if let Some((window, alpha)) = rules.window {
        builder = builder
            .variant(ParityVariant::Window)
            .window_size(window)
            .alpha(alpha);
    }
    if let Some(ratio) = &rules.ratio {
        builder = builder.ratio(ratio.clone());
    }
    let mut trainer = builder.build();
    for (lang, counts) in input.train.iter().enumerate() {
        let words = feed(counts);
        trainer
            .feed_language_from_iter(lang, words.iter(), |w| {
                Ok(vec![w.to_string(); counts[w] as usize])
            })
            .unwrap();
    }
    for (lang, (counts, &weight)) in input
        .dev
        .iter()
        .flat_map(|d| d.counts.iter().zip(d.weights))
        .enumerate()
    {
        let words = feed(counts);
        trainer
            .feed_dev_language_from_iter(lang, words.iter(), |w| {
                Ok(vec![w.to_string(); (counts[w] * weight) as usize])
            })
            .unwrap();
    }
    let mut model = BPE::default();
    let (_, merges) = trainer.do_train(&mut model).unwrap();
    let mut vocab: Vec<(u32, String)> = tokenizers::Model::get_vocab(&model)
        .into_iter()
        .map(|(token, id)| (id, token))
        .collect();
    vocab.sort();
    (merges, vocab.into_iter().map(|(_, t)| t).collect())
}

fn ours(input: &MergeInput, rules: &MergeRules) -> (Vec<String>, Vec<String>) {
    let learned = learn(input, rules, &ProgressBar::hidden());
    let merges = learned
        .merges
        .iter()
        .map(|&(l, r)| {
            format!(
                "{} {}",
                learned.tokens[l as usize], learned.tokens[r as usize]
            )
        })
        .collect();
    (merges, learned.tokens)
}

#[test]
fn learns_the_same_merges_as_the_crates_parity_trainer() {
    let mut random = Random(7);
    let mut compared = 0;
    for case in 0..60 {
        let languages = 2 + case % 3;
        let window = case % 5 == 2;
        let train: Vec<WordCounts> = (0..languages)
            .map(|l| {
                let distinct = if window { 60 } else { 5 + random.below(40) };
                random.words(l, distinct)
            })
            .collect();
        let dev: Vec<WordCounts> = (0..languages).map(|l| random.words(l, 8)).collect();
        let weights: Vec<u64> = (0..languages).map(|_| 1 + random.below(3)).collect();
        let ratio: Vec<f64> = (0..languages)
            .map(|_| 0.7 + random.below(7) as f64 / 10.0)
            .collect();
        let with_dev = case % 6 != 5;
        let input = MergeInput {
            train: &train,
            dev: with_dev.then_some(DevWords {
                counts: &dev,
                weights: &weights,
                reference: None,
            }),
        };
        // With the window, no language may run out: at most 20 merges, min_frequency 1, and
        // more than 20 distinct words per language (each needs a merge of its own to vanish).
        let merges = if window {
            20
        } else {
            20 + random.below(120) as usize
        };
        let rules = MergeRules {
            vocab_size: 1 + ALPHABET.len() + merges,
            min_frequency: if window { 1 } else { [1, 2, 5][case % 3] },
            special_tokens: vec!["<s>".into()],
            initial_alphabet: ALPHABET.to_vec(),
            byte_fallback: false,
            global_merges: match case % 4 {
                0 => usize::MAX,
                1 => random.below(10) as usize,
                _ => 0,
            },
            window: window.then_some((4, 1.5)),
            ratio: (case % 7 == 3).then(|| ratio.clone()),
            // The crate has no tolerance.
            tolerance: None,
        };
        let expected = crate_merges(&input, &rules);
        assert_eq!(ours(&input, &rules), expected, "case {case}");
        compared += expected.0.len();
    }
    assert!(compared > 1000, "only {compared} merges compared");
}
