//! Which language each merge was made for. The `tokenizers` crate's `ParityBpeTrainer` returns
//! only the merges, so Mekong replays its selection rule: start from the (weighted) dev-set
//! lengths, and before applying each merge note the language the rule picks (the longest one,
//! or for the moving-window variant the longest one that has not used up its share of the
//! window). Merges are then applied to the dev words exactly as the trainer does. The replay
//! matches the trainer except after a language runs out of pairs (the trainer then skips it;
//! that only happens on tiny corpora). It costs one pass over the dev words per merge that
//! touches them, through a pair → words index.

use std::collections::{HashMap, VecDeque};

/// How the trainer picked languages.
#[derive(Debug, Clone, Copy)]
pub struct SelectionRule {
    /// The first `global_merges` merges were classic (no language).
    pub global_merges: usize,
    /// Moving window: (window length, alpha).
    pub window: Option<(usize, f64)>,
}

/// One merge's chosen language (`None`: a global, classic merge).
pub fn replay(
    merges: &[(String, String)],
    vocab: &HashMap<String, u32>,
    dev_counts: &[HashMap<String, u64>],
    weights: &[u64],
    rule: SelectionRule,
) -> Vec<Option<usize>> {
    let languages = dev_counts.len();
    // Dev word types (shared across languages) as symbol-id sequences, with weighted counts.
    let mut types: HashMap<&str, usize> = HashMap::new();
    let mut words: Vec<Vec<u32>> = Vec::new();
    let mut counts: Vec<Vec<i64>> = Vec::new();
    for (lang, lang_counts) in dev_counts.iter().enumerate() {
        for (word, &count) in lang_counts {
            let index = *types.entry(word.as_str()).or_insert_with(|| {
                let symbols = word
                    .chars()
                    .map(|c| vocab[c.to_string().as_str()])
                    .collect();
                words.push(symbols);
                counts.push(vec![0; languages]);
                words.len() - 1
            });
            counts[index][lang] += (count * weights[lang]) as i64;
        }
    }
    let mut lengths = vec![0i64; languages];
    let mut where_pair: HashMap<(u32, u32), Vec<usize>> = HashMap::new();
    for (index, word) in words.iter().enumerate() {
        for (lang, count) in counts[index].iter().enumerate() {
            lengths[lang] += word.len() as i64 * count;
        }
        for pair in word.windows(2) {
            where_pair
                .entry((pair[0], pair[1]))
                .or_default()
                .push(index);
        }
    }

    let threshold = rule.window.map(|(_, alpha)| alpha / languages as f64);
    let mut recent: VecDeque<usize> = VecDeque::new();
    let mut choices = Vec::with_capacity(merges.len());
    for (step, (left, right)) in merges.iter().enumerate() {
        let choice = if step < rule.global_merges {
            None
        } else if let (Some((window, _)), Some(threshold)) = (rule.window, threshold) {
            let chosen = pick_in_window(&lengths, &recent, window, threshold);
            recent.push_back(chosen);
            if recent.len() > window {
                recent.pop_front();
            }
            Some(chosen)
        } else {
            Some(longest(&lengths, &vec![true; languages]))
        };
        choices.push(choice);

        let pair = (vocab[left.as_str()], vocab[right.as_str()]);
        let merged = vocab[format!("{left}{right}").as_str()];
        let Some(touched) = where_pair.remove(&pair) else {
            continue;
        };
        for index in touched {
            let word = &mut words[index];
            let before = word.len();
            let mut out = Vec::with_capacity(before);
            let mut i = 0;
            while i < word.len() {
                if i + 1 < word.len() && (word[i], word[i + 1]) == pair {
                    out.push(merged);
                    i += 2;
                } else {
                    out.push(word[i]);
                    i += 1;
                }
            }
            if out.len() == before {
                continue;
            }
            for (lang, count) in counts[index].iter().enumerate() {
                lengths[lang] -= (before - out.len()) as i64 * count;
            }
            for (p, q) in out.windows(2).map(|w| (w[0], w[1])) {
                if p == merged || q == merged {
                    where_pair.entry((p, q)).or_default().push(index);
                }
            }
            *word = out;
        }
    }
    choices
}

/// The longest language among those allowed (lowest index on ties, as the trainer does).
fn longest(lengths: &[i64], allowed: &[bool]) -> usize {
    let mut best = 0;
    let mut best_length = i64::MIN;
    for (lang, &length) in lengths.iter().enumerate() {
        if allowed[lang] && length > best_length {
            best = lang;
            best_length = length;
        }
    }
    best
}

/// The moving-window rule: the longest language whose share of the recent window is within
/// `threshold`; when every language is over, the last one considered.
fn pick_in_window(
    lengths: &[i64],
    recent: &VecDeque<usize>,
    window: usize,
    threshold: f64,
) -> usize {
    let mut allowed = vec![true; lengths.len()];
    loop {
        let best = longest(lengths, &allowed);
        let share = recent.iter().filter(|&&l| l == best).count() as f64 / window as f64;
        if share <= threshold {
            return best;
        }
        allowed[best] = false;
        if allowed.iter().all(|a| !a) {
            return best;
        }
    }
}

/// Run-length form for training.json: `["global:1000", "km:3", "lo:1", ...]`.
pub fn runs(choices: &[Option<usize>], languages: &[String]) -> Vec<String> {
    let mut runs: Vec<(Option<usize>, usize)> = Vec::new();
    for &choice in choices {
        match runs.last_mut() {
            Some((last, n)) if *last == choice => *n += 1,
            _ => runs.push((choice, 1)),
        }
    }
    runs.into_iter()
        .map(|(choice, n)| {
            let name = choice.map_or("global", |l| languages[l].as_str());
            format!("{name}:{n}")
        })
        .collect()
}
