//! Writes the language-identification model of the corpus stage's `langid` filter.
//!
//! Lingua (Apache-2.0) ships, per language, the conditional probabilities of letter n-grams
//! learnt from large corpora: ln P(c | ab) for trigrams, ln P(b | a) for bigrams, ln P(a) for
//! letters. The filter scores a text in every language of its script at once, one table lookup
//! per letter, so this tool turns those models into one table per script: for every n-gram key,
//! the cost (−ln P, quantised) of that letter in each language, with Lingua's back-off (trigram,
//! else bigram, else letter, else a floor) already applied per language. Trigrams outside the
//! most frequent ones of every language are left out; a text meeting one backs off to the
//! bigram for all languages alike.
//!
//! Usage: `langid-model OUTPUT [COVERAGE]` (COVERAGE: the share of each language's trigram
//! mass kept, default 0.99). The output is byte-identical on every run.

mod groups;

use fst::{IntoStreamer, Streamer};
use groups::{Group, GROUPS};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// Cost units per nat: costs are stored as one byte, −ln P × SCALE, rounded and capped at 255.
const SCALE: f64 = 8.0;
/// The cost, in nats, of a letter a language's model has never seen.
const FLOOR_NATS: f64 = 15.0;
const MAGIC: &[u8; 8] = b"MKLANGID";
const VERSION: u32 = 1;

/// One language's n-grams of one to three letters: ln P, keyed by their letters.
struct Ngrams(HashMap<Vec<char>, f64>);

impl Ngrams {
    fn read(dir: &include_dir::Dir) -> Ngrams {
        let file = dir.get_file("ngrams.fst").expect("Lingua models hold ngrams.fst");
        let map = fst::Map::new(file.contents()).expect("a valid FST");
        let mut stream = map.into_stream();
        let mut ngrams = HashMap::new();
        while let Some((key, value)) = stream.next() {
            let text = std::str::from_utf8(key).expect("n-grams are UTF-8");
            let letters: Vec<char> = text.chars().collect();
            if letters.len() <= 3 {
                ngrams.insert(letters, f64::from_bits(value));
            }
        }
        Ngrams(ngrams)
    }

    /// ln P of the last letter of `key` given the ones before, with Lingua's back-off to
    /// shorter contexts; `None` for a letter the language has never seen.
    fn backed_off(&self, key: &[char]) -> Option<f64> {
        (0..key.len()).find_map(|start| self.0.get(&key[start..]).copied())
    }

    /// The trigrams that carry `coverage` of the language's trigram mass (joint probability
    /// P(a) P(b|a) P(c|ab)), most frequent first; ties broken by the letters.
    fn frequent_trigrams(&self, coverage: f64) -> Vec<Vec<char>> {
        let mut joint: Vec<(f64, &Vec<char>)> = self
            .0
            .iter()
            .filter(|(key, _)| key.len() == 3)
            .filter_map(|(key, &ln_p)| {
                let first = self.0.get(&key[..1])?;
                let pair = self.0.get(&key[..2])?;
                Some(((first + pair + ln_p).exp(), key))
            })
            .collect();
        joint.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let total: f64 = joint.iter().map(|(p, _)| p).sum();
        let mut covered = 0.0;
        joint
            .into_iter()
            .take_while(|(p, _)| {
                let take = covered < coverage * total;
                covered += p;
                take
            })
            .map(|(_, key)| key.clone())
            .collect()
    }
}

/// Up to three letters packed into one integer, 21 bits each, the last letter lowest; absent
/// leading letters are zero (never a letter), so keys of different lengths never meet.
fn pack(key: &[char]) -> u64 {
    key.iter().fold(0u64, |packed, &c| packed << 21 | c as u64)
}

fn cost(ln_p: Option<f64>) -> u8 {
    let nats = ln_p.map_or(FLOOR_NATS, |l| -l);
    (nats * SCALE).round().clamp(0.0, 255.0) as u8
}

fn write_group(out: &mut Vec<u8>, group: &Group, coverage: f64) {
    let models: Vec<Ngrams> = group
        .languages
        .iter()
        .map(|(_, dir)| Ngrams::read(dir))
        .collect();
    // Every letter and bigram any language knows; the frequent trigrams of each.
    let mut keys: BTreeSet<Vec<char>> = BTreeSet::new();
    for model in &models {
        keys.extend(model.0.keys().filter(|k| k.len() < 3).cloned());
        keys.extend(model.frequent_trigrams(coverage));
    }
    let rows: BTreeMap<u64, Vec<u8>> = keys
        .iter()
        .map(|key| {
            let costs = models.iter().map(|m| cost(m.backed_off(key))).collect();
            (pack(key), costs)
        })
        .collect();
    out.push(group.script.len() as u8);
    out.extend_from_slice(group.script.as_bytes());
    out.extend_from_slice(&(group.languages.len() as u32).to_le_bytes());
    for (code, _) in group.languages {
        out.push(code.len() as u8);
        out.extend_from_slice(code.as_bytes());
    }
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    for key in rows.keys() {
        out.extend_from_slice(&key.to_le_bytes());
    }
    for costs in rows.values() {
        out.extend_from_slice(costs);
    }
    eprintln!(
        "{}: {} languages, {} n-grams",
        group.script,
        group.languages.len(),
        rows.len()
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let output = args.next().expect("usage: langid-model OUTPUT [COVERAGE]");
    let coverage: f64 = args.next().map_or(0.99, |c| c.parse().expect("a number"));
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(SCALE as u32).to_le_bytes());
    out.extend_from_slice(&(GROUPS.len() as u32).to_le_bytes());
    for group in GROUPS {
        write_group(&mut out, group, coverage);
    }
    std::fs::File::create(&output)
        .and_then(|mut f| f.write_all(&out))
        .expect("cannot write the model");
    eprintln!("{output}: {} bytes", out.len());
}
