//! How much of each evaluation text the model may have seen in training: a number low enough
//! means bits per byte measures generalisation, not memory.
//!
//! Both sides are compared after the same normalisation (Unicode NFC, lower case, runs of white
//! space as one space), since evaluation files are often raw (NFD, odd spacing) while the corpus
//! stage cleaned the training text. Two measures per text:
//! - exact segments: evaluation lines that appear as a whole training text (a `text`, `src_text`
//!   or `tgt_text` field of the corpus stage's Parquet shards);
//! - long n-grams: the share of the text's `n`-character substrings (default 50, long enough that
//!   a shared one is almost never chance, and counted in characters so it works for scripts
//!   written without spaces) found anywhere in the training text.
//!
//! The evaluation n-grams are few, the training text is large: the check keeps only the
//! evaluation n-grams in memory and streams every training text once with a rolling hash, so it
//! runs in time linear in the corpus and memory linear in the evaluation set. Hash hits are
//! confirmed by comparing the characters, so a collision never counts as an overlap.

use crate::texts::EvalText;
use crate::{EvalError, Result};
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::corpus_shards::{shard_files, Columns, ShardReader};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Overlap of one evaluation text with the training corpus.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Contamination {
    pub lang: String,
    pub segments: usize,
    /// Segments found verbatim (after normalisation) as a training text.
    pub exact_segments: usize,
    /// Segments sharing at least one n-gram with the training text.
    pub segments_with_ngram: usize,
    pub ngrams: usize,
    pub ngrams_found: usize,
}

impl Contamination {
    pub fn exact_share(&self) -> f64 {
        ratio(self.exact_segments, self.segments)
    }

    pub fn ngram_share(&self) -> f64 {
        ratio(self.ngrams_found, self.ngrams)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The Parquet shards of a corpus stage folder, as every stage finds them
/// ([`mekong_common::corpus_shards::shard_files`]).
pub fn corpus_shards(dir: &Path) -> Result<Vec<PathBuf>> {
    let shards = shard_files(dir)?;
    if shards.is_empty() {
        return Err(EvalError::bad_input(
            dir,
            None,
            "no Parquet corpus shards to check contamination against",
        ));
    }
    Ok(shards)
}

/// Compares every text with the training text in `shards`, `ngram` characters at a time.
pub fn check(shards: &[PathBuf], texts: &[EvalText], ngram: usize) -> Result<Vec<Contamination>> {
    if ngram == 0 {
        return Err(EvalError::Invalid(
            "the contamination n-gram length must be positive".into(),
        ));
    }
    let index = EvalIndex::new(texts, ngram);
    let bar = ProgressBar::new(shards.len() as u64).with_style(
        ProgressStyle::with_template("contamination {bar:30} {pos}/{len} shards {elapsed}")
            .expect("valid template"),
    );
    let found: Vec<Found> = shards
        .par_iter()
        .map(|shard| {
            let found = scan_shard(shard, &index);
            bar.inc(1);
            found
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let mut all = Found::default();
    for f in found {
        all.segments.extend(f.segments);
        all.ngrams.extend(f.ngrams);
    }
    Ok(texts
        .iter()
        .enumerate()
        .map(|(t, text)| {
            let t = t as u32;
            let segments_with_ngram: HashSet<u32> = all
                .ngrams
                .iter()
                .filter(|n| n.text == t)
                .map(|n| n.segment)
                .collect();
            Contamination {
                lang: text.lang.clone(),
                segments: text.lines.len(),
                exact_segments: all.segments.iter().filter(|(tt, _)| *tt == t).count(),
                segments_with_ngram: segments_with_ngram.len(),
                ngrams: index.segments[t as usize]
                    .iter()
                    .map(|chars| (chars.len() + 1).saturating_sub(ngram))
                    .sum(),
                ngrams_found: all.ngrams.iter().filter(|n| n.text == t).count(),
            }
        })
        .collect())
}

/// NFC, lower case, white space runs as one space, trimmed.
pub fn normalise(text: &str) -> String {
    let nfc: String = text.nfc().flat_map(char::to_lowercase).collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct NgramAt {
    text: u32,
    segment: u32,
    position: u32,
}

#[derive(Default)]
struct Found {
    segments: HashSet<(u32, u32)>,
    ngrams: HashSet<NgramAt>,
}

/// The evaluation side, normalised and hashed.
struct EvalIndex {
    ngram: usize,
    /// Per text, per segment: its normalised characters.
    segments: Vec<Vec<Vec<char>>>,
    whole: HashMap<String, Vec<(u32, u32)>>,
    ngrams: HashMap<u64, Vec<NgramAt>>,
}

impl EvalIndex {
    fn new(texts: &[EvalText], ngram: usize) -> Self {
        let mut index = EvalIndex {
            ngram,
            segments: Vec::new(),
            whole: HashMap::new(),
            ngrams: HashMap::new(),
        };
        for (t, text) in texts.iter().enumerate() {
            let mut segments = Vec::new();
            for (s, line) in text.lines.iter().enumerate() {
                let normal = normalise(line);
                let chars: Vec<char> = normal.chars().collect();
                index
                    .whole
                    .entry(normal)
                    .or_default()
                    .push((t as u32, s as u32));
                for (position, hash) in RollingHash::windows(&chars, ngram) {
                    index.ngrams.entry(hash).or_default().push(NgramAt {
                        text: t as u32,
                        segment: s as u32,
                        position: position as u32,
                    });
                }
                segments.push(chars);
            }
            index.segments.push(segments);
        }
        index
    }

    fn scan(&self, training: &str, found: &mut Found) {
        let normal = normalise(training);
        if let Some(hits) = self.whole.get(&normal) {
            found.segments.extend(hits.iter().copied());
        }
        let chars: Vec<char> = normal.chars().collect();
        for (start, hash) in RollingHash::windows(&chars, self.ngram) {
            let Some(candidates) = self.ngrams.get(&hash) else {
                continue;
            };
            let window = &chars[start..start + self.ngram];
            for at in candidates {
                let segment = &self.segments[at.text as usize][at.segment as usize];
                let position = at.position as usize;
                if &segment[position..position + self.ngram] == window {
                    found.ngrams.insert(*at);
                }
            }
        }
    }
}

fn scan_shard(path: &Path, index: &EvalIndex) -> Result<Found> {
    let mut found = Found::default();
    for batch in ShardReader::open(path, Columns::Texts)? {
        for text in batch?.texts()? {
            index.scan(text.text, &mut found);
        }
    }
    Ok(found)
}

/// A polynomial hash of every `n`-character window, each computed from the previous one in
/// constant time (Rabin–Karp). Written here because the crates that offer rolling hashes work on
/// bytes or fixed chunk boundaries, not on sliding windows of characters.
struct RollingHash;

impl RollingHash {
    const BASE: u64 = 0x100_0000_01b3;

    /// `(start, hash)` of each window `chars[start..start + n]`.
    fn windows(chars: &[char], n: usize) -> impl Iterator<Item = (usize, u64)> + '_ {
        let top = (1..n).fold(1u64, |p, _| p.wrapping_mul(Self::BASE));
        let mut hash = 0u64;
        let ready = chars.len() >= n;
        if ready {
            for &c in &chars[..n] {
                hash = hash.wrapping_mul(Self::BASE).wrapping_add(u64::from(c));
            }
        }
        let count = if ready { chars.len() - n + 1 } else { 0 };
        (0..count).map(move |start| {
            if start > 0 {
                let out = u64::from(chars[start - 1]);
                let inn = u64::from(chars[start + n - 1]);
                hash = hash
                    .wrapping_sub(out.wrapping_mul(top))
                    .wrapping_mul(Self::BASE)
                    .wrapping_add(inn);
            }
            (start, hash)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lang: &str, lines: &[&str]) -> EvalText {
        EvalText {
            lang: lang.into(),
            source: PathBuf::from(format!("{lang}.txt")),
            segments: lines.len(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn rolling_hash_equals_hashing_each_window() {
        let chars: Vec<char> = "Mọi người sinh ra đều được tự do".chars().collect();
        let rolled: Vec<(usize, u64)> = RollingHash::windows(&chars, 5).collect();
        assert_eq!(rolled.len(), chars.len() - 4);
        for (start, hash) in rolled {
            let direct = RollingHash::windows(&chars[start..start + 5], 5)
                .next()
                .unwrap()
                .1;
            assert_eq!(hash, direct);
        }
        assert_eq!(RollingHash::windows(&chars[..3], 5).count(), 0);
    }

    #[test]
    fn normalisation_matches_nfd_and_spacing() {
        let nfd: String = "Điều  1. Mọi người".nfd().collect();
        assert_eq!(normalise(&nfd), normalise("điều 1. mọi người "));
    }

    #[test]
    fn finds_exact_segments_and_shared_ngrams() {
        let texts = vec![text(
            "vi",
            &["Xin chào thế giới", "một câu hoàn toàn mới", "abcdefghij"],
        )];
        let index = EvalIndex::new(&texts, 8);
        let mut found = Found::default();
        index.scan("XIN   chào thế giới", &mut found);
        index.scan("trước abcdefgh sau", &mut found);
        assert_eq!(found.segments, HashSet::from([(0, 0)]));
        // "abcdefgh" is one of the three 8-grams of "abcdefghij".
        let in_third: Vec<u32> = found
            .ngrams
            .iter()
            .filter(|n| n.segment == 2)
            .map(|n| n.position)
            .collect();
        assert_eq!(in_third, vec![0]);
        assert!(!found.ngrams.iter().any(|n| n.segment == 1));
    }
}
