//! Training: read the corpus, count words per language, learn merges ([`merges`]), and write
//! tokenizer.json + training.json.
//!
//! The merge loop is Mekong's own; [`merges`] says why the `tokenizers` crate's
//! `ParityBpeTrainer` is not used and how the two are kept equal. Around it, Mekong adds what
//! fairness needs: the script-fair pre-tokenizer ([`crate::pretokenize`]), balanced input
//! (`max_bytes_per_lang`), premium caps (through dev-count weights, see [`weights`]), and the
//! record of which language each merge served. Classic mode is the same loop with every merge
//! global, so both modes share one code path and one tie-break rule. The `tokenizers` crate
//! still writes and reads the result: its BPE model, pre-tokenizer and tokenizer.json.

mod char_base;
pub mod config;
pub mod feed;
pub mod merges;
mod sharded;
pub mod summary;

pub use config::{Algorithm, Base, Normalizer, TrainConfig, TrainOptions};
pub use summary::{CapPasses, TrainingSummary};

use crate::corpus_input::TrainingCorpus;
use crate::dev_set::DevSet;
use crate::error::{Result, TokenizerError};
use crate::fairness::{self, Fairness};
use crate::pretokenize::WordSplitter;
use feed::DevCounts;
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::{write_files_atomic, Manifest, StagingDir};
use merges::{DevWords, LearnedMerges, MergeInput, MergeRules, Tolerance, WordCounts};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokenizers::decoders::{
    self, byte_fallback::ByteFallback, byte_level::ByteLevel, fuse::Fuse, strip::Strip,
};
use tokenizers::models::bpe::BPE;
use tokenizers::normalizers::replace::{Replace, ReplacePattern};
use tokenizers::{AddedToken, DecoderWrapper, Tokenizer};

/// Either base has one symbol per byte value: the byte-level alphabet, or the byte-fallback tokens.
pub const BYTE_ALPHABET_SIZE: usize = 256;
/// Premium caps are applied as integer dev-count weights `round(WEIGHT_SCALE / cap)`.
const WEIGHT_SCALE: f64 = 1000.0;
/// Training runs at most this many times to bring a missed premium cap within bounds.
const MAX_CAP_PASSES: usize = 3;
/// How far under its cap every pass aims, so that a language landing a hair above the weight's
/// aim still meets the cap (the first pass too: without it a cap of 1.2 came out at 1.2006).
const CAP_MARGIN: f64 = 0.003;

/// A trained tokenizer and its training record.
pub struct Trained {
    pub tokenizer: Tokenizer,
    /// tokenizer.json's text (pretty JSON, deterministic).
    pub json: String,
    pub summary: TrainingSummary,
}

/// Trains a tokenizer as `config` asks. Writes nothing.
pub fn train(config: &TrainConfig) -> Result<Trained> {
    config.validate()?;
    let started = Instant::now();
    let corpus = TrainingCorpus::open(&config.train)?;
    let languages = corpus.languages();
    let inputs = CheckedInputs::read(config, &languages)?;
    let (train_counts, train_bytes) = feed::count_training_words(
        &corpus,
        &languages,
        &inputs.splitter,
        config.options.max_bytes_per_lang,
        config.options.seed,
        config.show_progress,
    )?;
    let counted = Counted {
        languages,
        train_counts,
        train_bytes,
        seconds: started.elapsed().as_secs_f64(),
    };
    learn_from_counts(config, inputs, counted)
}

/// The training text as counted: its languages (sorted), each language's word counts and the
/// bytes of text counted for it, and how long counting took.
pub struct Counted {
    pub languages: Vec<String>,
    pub train_counts: Vec<WordCounts>,
    pub train_bytes: BTreeMap<String, u64>,
    pub seconds: f64,
}

/// The dev and test sets and the options, checked against the training languages before the
/// text is counted (a bad dev set fails at once, not after the counting).
pub struct CheckedInputs {
    dev: Option<DevSet>,
    test: Option<DevSet>,
    reference: String,
    splitter: WordSplitter,
}

impl CheckedInputs {
    pub fn read(config: &TrainConfig, languages: &[String]) -> Result<Self> {
        let options = &config.options;
        let dev = match &config.dev {
            Some(dir) => {
                let dev = DevSet::read(dir)?;
                dev.check_languages(&config.train, languages)?;
                Some(dev)
            }
            None => None,
        };
        for lang in options
            .target_ratio
            .keys()
            .chain(options.premium_cap.keys())
        {
            if !languages.contains(lang) {
                return Err(TokenizerError::Config(format!(
                    "'{lang}' is given a ratio or premium cap but has no training text in {}",
                    config.train.display()
                )));
            }
        }
        let reference = reference_language(options.reference.as_deref(), languages)?;
        if let Some(dev) = &dev {
            dev.check_coverage(&reference)?;
        }
        let test = match &config.test {
            Some(dir) => Some(DevSet::read_test(dir, dev.as_ref(), languages, &reference)?),
            None => None,
        };
        Ok(CheckedInputs {
            dev,
            test,
            reference,
            splitter: WordSplitter::new(options)?,
        })
    }
}

/// Learns the merges from counted training text (counted here or by a sharded run's tasks) and
/// measures the tokenizer on the dev and test sets. Writes nothing.
pub fn learn_from_counts(
    config: &TrainConfig,
    inputs: CheckedInputs,
    counted: Counted,
) -> Result<Trained> {
    let options = &config.options;
    let started = Instant::now();
    let CheckedInputs {
        dev,
        test,
        reference,
        splitter,
    } = inputs;
    let Counted {
        languages,
        train_counts,
        train_bytes,
        seconds: counting,
    } = counted;
    let dev_counts = match &dev {
        Some(dev) => feed::dev_word_counts(dev, &languages, &reference, &splitter)?,
        None => DevCounts::default(),
    };
    let parity_on_dev = options.algorithm == Algorithm::Parity && options.target_ratio.is_empty();
    let counted = counting + started.elapsed().as_secs_f64();

    // Premium caps steer through dev weights whose effect is only known after training (see
    // `weights`), so a missed cap is tightened (`tightened_caps`) and the merges learned again.
    let mut effective_caps: BTreeMap<String, f64> = options
        .premium_cap
        .iter()
        .map(|(lang, cap)| (lang.clone(), cap * (1.0 - CAP_MARGIN)))
        .collect();
    let rules = merge_rules(options, &languages, &train_counts, &reference)?;
    let mut passes = 0;
    let learned = loop {
        passes += 1;
        let weights = weights(&languages, &effective_caps);
        let input = MergeInput {
            train: &train_counts,
            dev: parity_on_dev.then_some(DevWords {
                counts: &dev_counts.languages,
                weights: &weights,
                reference: dev_counts.reference.as_deref(),
            }),
        };
        let learned = learn(
            &input,
            &rules,
            &splitter,
            dev.as_ref(),
            &reference,
            config.show_progress,
        )?;
        let tightened = learned
            .fairness
            .as_ref()
            .map(|fairness| tightened_caps(&options.premium_cap, &effective_caps, fairness))
            .unwrap_or_default();
        if tightened.is_empty() || passes == MAX_CAP_PASSES {
            break learned;
        }
        effective_caps.extend(tightened);
    };
    let merged = counting + started.elapsed().as_secs_f64();
    let Learned {
        mut tokenizer,
        merges,
        choices,
        fairness,
    } = learned;
    // Only now: the dev text measured above is NFC already, and the corpus stage removed the
    // invisible characters from the training text, so the merges are the same either way.
    if let Some(normalizer) = options.normalizer.wrapper(options.prefix_space)? {
        tokenizer
            .with_normalizer(Some(normalizer))
            .map_err(TokenizerError::library)?;
    }
    // Serialised once, for the pass kept (a missed cap's passes are discarded).
    let json = tokenizer.to_string(true).map_err(TokenizerError::library)?;
    let held_out = match &test {
        Some(test) => Some(fairness::measure(&tokenizer, test, &reference)?),
        None => None,
    };
    let evaluated = counting + started.elapsed().as_secs_f64();
    let choices = (options.algorithm == Algorithm::Parity).then_some(choices);

    let summary = TrainingSummary::new(
        options,
        &languages,
        train_bytes,
        tokenizer.get_vocab_size(true),
        merges,
        [fairness, held_out],
        CapPasses {
            passes,
            effective_caps,
        },
        choices.as_deref(),
        [counted, merged - counted, evaluated - merged, evaluated],
    );
    Ok(Trained {
        tokenizer,
        json,
        summary,
    })
}

/// One training run of the merges, with the tokenizer it makes.
struct Learned {
    tokenizer: Tokenizer,
    merges: usize,
    /// The language each merge served (None: a classic merge).
    choices: Vec<Option<usize>>,
    /// Measured on the dev set, when there is one.
    fairness: Option<Fairness>,
}

/// Learns the merges from the word counts, builds the tokenizer and measures it on the dev set.
fn learn(
    input: &MergeInput,
    rules: &MergeRules,
    splitter: &WordSplitter,
    dev: Option<&DevSet>,
    reference: &str,
    show_progress: bool,
) -> Result<Learned> {
    let progress = if show_progress {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("learning merges {wide_bar} {pos}/{len} {elapsed}")
            .expect("valid template"),
    );
    let LearnedMerges {
        tokens,
        merges,
        choices,
    } = merges::learn(input, rules, &progress);
    progress.finish_and_clear();
    let merge_count = merges.len();
    let merges = merges
        .into_iter()
        .map(|(l, r)| (tokens[l as usize].clone(), tokens[r as usize].clone()))
        .collect();
    let vocab: tokenizers::models::bpe::Vocab = tokens
        .into_iter()
        .enumerate()
        .map(|(id, token)| (token, id as u32))
        .collect();
    let model = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .byte_fallback(rules.byte_fallback)
        .build()
        .map_err(TokenizerError::library)?;

    let mut tokenizer = Tokenizer::new(model);
    tokenizer.with_pre_tokenizer(Some(splitter.pre_tokenizer().clone()));
    tokenizer.with_decoder(Some(decoder(
        rules.byte_fallback,
        splitter.prefix_space(),
        &rules.special_tokens,
    )?));
    // The dev figures count the prefix space too (the other normalising steps come at the end).
    if let Some(prefix) = Normalizer::None.wrapper(splitter.prefix_space())? {
        tokenizer
            .with_normalizer(Some(prefix))
            .map_err(TokenizerError::library)?;
    }
    let special_tokens: Vec<AddedToken> = rules
        .special_tokens
        .iter()
        .map(|t| AddedToken::from(t.clone(), true))
        .collect();
    tokenizer
        .add_special_tokens(special_tokens)
        .map_err(TokenizerError::library)?;
    let fairness = match dev {
        Some(dev) => Some(fairness::measure(&tokenizer, dev, reference)?),
        None => None,
    };
    Ok(Learned {
        tokenizer,
        merges: merge_count,
        choices,
        fairness,
    })
}

/// Byte-level tokens decode through `ByteLevel`; a character base's byte-fallback tokens are
/// turned back into text by `ByteFallback` and the pieces joined by `Fuse`. With the prefix
/// space, the normaliser put one space before the text and one after each special token (the
/// text between special tokens is normalised piece by piece), so `Replace` removes the space
/// after each special token and `Strip` the first. Nothing else, so decoding inverts encoding
/// exactly.
fn decoder(
    byte_fallback: bool,
    prefix_space: bool,
    special_tokens: &[String],
) -> Result<DecoderWrapper> {
    let mut steps = match byte_fallback {
        false => vec![DecoderWrapper::ByteLevel(ByteLevel::new(
            false, true, false,
        ))],
        true => vec![
            DecoderWrapper::ByteFallback(ByteFallback::new()),
            DecoderWrapper::Fuse(Fuse::new()),
        ],
    };
    if prefix_space {
        for token in special_tokens {
            let spaced = Replace::new(ReplacePattern::String(format!("{token} ")), token.as_str())
                .map_err(TokenizerError::library)?;
            steps.push(DecoderWrapper::Replace(spaced));
        }
        steps.push(DecoderWrapper::Strip(Strip::new(' ', 1, 0)));
    }
    Ok(match steps.len() {
        1 => steps.pop().expect("one step"),
        _ => DecoderWrapper::Sequence(decoders::sequence::Sequence::new(steps)),
    })
}

/// New effective caps for the capped languages whose dev premium came out over their cap.
///
/// A capped language is merged for until its dev length is its effective cap times the longest
/// language the trainer is still balancing, so its premium against the reference lands near
/// `effective cap × M`, where M is the level the uncapped languages were balanced at. The next
/// pass therefore aims at `cap / M`, or lower by the miss itself when that is tighter, with a
/// small margin. M is the uncapped languages' median premium, not their largest: a language
/// whose training text ran out of pairs stays above the rest (Burmese at 1.18 in the benchmark)
/// and no longer takes part in the balancing, and using it over-tightened a cap of 0.95 to 0.80.
fn tightened_caps(
    caps: &BTreeMap<String, f64>,
    effective: &BTreeMap<String, f64>,
    fairness: &Fairness,
) -> Vec<(String, f64)> {
    let mut uncapped: Vec<f64> = fairness
        .premium
        .iter()
        .filter(|(lang, _)| !caps.contains_key(*lang))
        .map(|(_, &premium)| premium)
        .collect();
    uncapped.sort_by(f64::total_cmp);
    let balanced_level = uncapped.get(uncapped.len() / 2).copied().unwrap_or(1.0);
    caps.iter()
        .filter_map(|(lang, &cap)| {
            let premium = *fairness.premium.get(lang)?;
            (premium > cap).then(|| {
                let by_miss = effective[lang] * cap / premium;
                let by_level = cap / balanced_level;
                (lang.clone(), by_miss.min(by_level) * (1.0 - CAP_MARGIN))
            })
        })
        .collect()
}

/// The stage name in manifests and pipelines; the trained tokenizer; what was trained and how
/// fair it came out ([`TrainingSummary`]), beside the tokenizer.
pub use mekong_common::artefacts::tokenizer::{STAGE, TOKENIZER_FILE, TRAINING_FILE};

/// CLI mode: trains, then writes `training.json` and `output` (tokenizer.json) atomically into
/// `output`'s folder. Returns the path of training.json.
pub fn train_to_file(config: &TrainConfig, output: &Path) -> Result<(Trained, PathBuf)> {
    let trained = train(config)?;
    let training = output.with_file_name(TRAINING_FILE);
    let summary = trained.summary.to_json();
    write_files_atomic(&[
        (&training, summary.as_bytes()),
        (output, trained.json.as_bytes()),
    ])?;
    Ok((trained, training))
}

/// Pipeline mode: writes tokenizer.json, training.json and manifest.json into `out_dir`, which
/// appears only when all three are complete.
pub fn run_stage(config: &TrainConfig, out_dir: &Path) -> Result<Trained> {
    // Hash the inputs before reading them: a file changed mid-run then shows as stale next time.
    let mut manifest = Manifest::new(STAGE, &config.inputs(), config.parameters())?;
    let trained = train(config)?;
    write_stage(&trained, &mut manifest, out_dir)?;
    Ok(trained)
}

/// Writes the stage's folder: tokenizer.json, training.json and the manifest, staged.
fn write_stage(trained: &Trained, manifest: &mut Manifest, out_dir: &Path) -> Result<()> {
    let staging = StagingDir::new(out_dir)?;
    let tokenizer_path = staging.path().join(TOKENIZER_FILE);
    std::fs::write(&tokenizer_path, &trained.json)
        .map_err(|e| TokenizerError::io(&tokenizer_path, e))?;
    let training_path = staging.path().join(TRAINING_FILE);
    std::fs::write(&training_path, trained.summary.to_json())
        .map_err(|e| TokenizerError::io(&training_path, e))?;
    manifest.counts = serde_json::json!({
        "languages": trained.summary.languages.len(),
        "merges": trained.summary.merges,
        "vocab_size": trained.summary.vocab_size,
        "train_bytes": trained.summary.train_bytes.values().sum::<u64>(),
    });
    manifest.outputs = vec![TOKENIZER_FILE.into(), TRAINING_FILE.into()];
    manifest.write(staging.path())?;
    staging.commit()?;
    Ok(())
}

/// How the merges are chosen; the character base's alphabet is chosen from `train_counts`,
/// and refused when it leaves no room for merges.
fn merge_rules(
    options: &TrainOptions,
    languages: &[String],
    train_counts: &[WordCounts],
    reference: &str,
) -> Result<MergeRules> {
    let initial_alphabet: Vec<char> = match options.base {
        Base::Byte => tokenizers::pre_tokenizers::byte_level::ByteLevel::alphabet()
            .into_iter()
            .collect(),
        Base::Char => {
            let alphabet = char_base::covering_alphabet(train_counts, options.char_coverage);
            let taken = options.special_tokens.len() + BYTE_ALPHABET_SIZE + alphabet.len();
            if taken >= options.vocab_size {
                return Err(TokenizerError::Config(format!(
                    "--vocab-size {}: the character base takes {taken} ids ({} characters cover \
                     {} of each language's text, plus {} byte tokens and the special tokens), \
                     leaving no room for merges; raise --vocab-size or lower --char-coverage",
                    options.vocab_size,
                    alphabet.len(),
                    options.char_coverage,
                    BYTE_ALPHABET_SIZE
                )));
            }
            alphabet.into_iter().collect()
        }
    };
    let ratio = (!options.target_ratio.is_empty()).then(|| {
        languages
            .iter()
            .map(|l| options.target_ratio.get(l).copied().unwrap_or(1.0))
            .collect()
    });
    Ok(MergeRules {
        vocab_size: options.vocab_size,
        min_frequency: options.min_frequency,
        special_tokens: options.special_tokens.clone(),
        initial_alphabet,
        byte_fallback: options.base == Base::Char,
        global_merges: match options.algorithm {
            Algorithm::Classic => usize::MAX,
            Algorithm::Parity => options.global_merges,
        },
        window: options.window.map(|w| (w, options.alpha)),
        ratio,
        tolerance: options.parity_tolerance.map(|level| Tolerance {
            level,
            reference: languages
                .iter()
                .position(|l| l == reference)
                .expect("the reference language is one of the training languages"),
        }),
    })
}

/// Dev-count weight per language. Parity picks the language with the largest weighted dev
/// length; giving a language weight `1/cap` (relative to 1 for the others) makes it chosen until
/// its length is `cap` times the others', i.e. until its premium is at most `cap`, while the
/// rest stay balanced among themselves. Integer weights with a resolution of 1/1000, so dev
/// lengths stay exact integers (ties between languages fall the same way on every machine),
/// divided by their greatest common divisor: only their ratios matter.
pub fn weights(languages: &[String], premium_cap: &BTreeMap<String, f64>) -> Vec<u64> {
    let scaled: Vec<u64> = languages
        .iter()
        .map(|l| match premium_cap.get(l) {
            Some(cap) => (WEIGHT_SCALE / cap).round().max(1.0) as u64,
            None => WEIGHT_SCALE as u64,
        })
        .collect();
    let divisor = scaled.iter().copied().fold(0, gcd).max(1);
    scaled.into_iter().map(|w| w / divisor).collect()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn reference_language(asked: Option<&str>, languages: &[String]) -> Result<String> {
    match asked {
        Some(lang) if languages.iter().any(|l| l == lang) => Ok(lang.to_string()),
        Some(lang) => Err(TokenizerError::Config(format!(
            "reference language '{lang}' has no training text"
        ))),
        None if languages.iter().any(|l| l == "en") => Ok("en".to_string()),
        None => Ok(languages[0].clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn cap_weights_are_reduced_to_their_smallest_ratio() {
        let languages = langs(&["en", "km", "vi"]);
        assert_eq!(weights(&languages, &BTreeMap::new()), vec![1, 1, 1]);
        let caps = BTreeMap::from([("vi".to_string(), 0.8)]);
        assert_eq!(weights(&languages, &caps), vec![4, 4, 5]);
        let caps = BTreeMap::from([("vi".to_string(), 0.975)]);
        assert_eq!(weights(&languages, &caps), vec![500, 500, 513]);
    }

    fn fairness(premiums: &[(&str, f64)]) -> Fairness {
        let premium: BTreeMap<String, f64> =
            premiums.iter().map(|&(l, p)| (l.to_string(), p)).collect();
        let tokens: BTreeMap<String, u64> = premium
            .iter()
            .map(|(l, p)| (l.clone(), (p * 1000.0) as u64))
            .collect();
        Fairness {
            reference: "en".into(),
            total_tokens: tokens.values().sum(),
            tokens,
            premium,
            premium_standard_error: BTreeMap::new(),
            max_premium: 0.0,
            max_premium_language: String::new(),
            gini: 0.0,
            gini_noise_floor: None,
            rows: BTreeMap::new(),
        }
    }

    #[test]
    fn a_starved_language_does_not_set_the_tightened_cap() {
        let caps = BTreeMap::from([("vi".to_string(), 0.95)]);
        let effective = BTreeMap::from([("vi".to_string(), 0.947)]);
        // Burmese ran out of pairs at 1.18; the others were balanced at about 1.005.
        let measured = fairness(&[
            ("en", 1.0),
            ("de", 1.01),
            ("fr", 1.005),
            ("my", 1.18),
            ("vi", 0.96),
        ]);
        let tightened = tightened_caps(&caps, &effective, &measured);
        let by_miss = 0.947 * 0.95 / 0.96 * (1.0 - CAP_MARGIN);
        assert_eq!(tightened.len(), 1);
        assert!((tightened[0].1 - by_miss).abs() < 1e-12, "{tightened:?}");
        // A met cap is left alone.
        let met = fairness(&[("en", 1.0), ("my", 1.18), ("vi", 0.94)]);
        assert!(tightened_caps(&caps, &effective, &met).is_empty());
    }
}
