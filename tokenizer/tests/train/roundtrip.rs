use crate::fixtures::{config, merges_of, parity, write_folder, SENTENCES};
use mekong_tokenizer::train::{train, train_to_file, Base, Normalizer, TrainOptions, Trained};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tokenizers::normalizers::unicode::NFC;
use tokenizers::{NormalizedString, Normalizer as _, PreTokenizer as _, Tokenizer};
use unicode_normalization::UnicodeNormalization;

fn trained() -> &'static Trained {
    static TRAINED: OnceLock<Trained> = OnceLock::new();
    TRAINED.get_or_init(|| train_with(parity(256 + 1 + 300, 1)))
}

/// The same training without the NFC normaliser in tokenizer.json.
fn trained_without_normalizer() -> &'static Trained {
    static TRAINED: OnceLock<Trained> = OnceLock::new();
    TRAINED.get_or_init(|| {
        train_with(TrainOptions {
            normalizer: Normalizer::None,
            ..parity(256 + 1 + 300, 1)
        })
    })
}

/// A character base (`--base char`) whose alphabet leaves the fixtures' rarest characters to
/// byte fallback, with the default normaliser and without one.
fn trained_char(normalizer: Normalizer) -> &'static Trained {
    static TRAINED: [OnceLock<Trained>; 2] = [OnceLock::new(), OnceLock::new()];
    TRAINED[usize::from(normalizer == Normalizer::None)].get_or_init(|| {
        train_with(TrainOptions {
            base: Base::Char,
            char_coverage: 0.98,
            normalizer,
            ..parity(1 + 256 + 600, 1)
        })
    })
}

/// `prefix_space`, from bytes and from characters (indexed by `base == Base::Char`).
fn trained_prefixed(base: Base) -> &'static Trained {
    static TRAINED: [OnceLock<Trained>; 2] = [OnceLock::new(), OnceLock::new()];
    TRAINED[usize::from(base == Base::Char)].get_or_init(|| {
        train_with(TrainOptions {
            base,
            char_coverage: 0.98,
            prefix_space: true,
            ..parity(1 + 256 + 600, 1)
        })
    })
}

fn train_with(options: TrainOptions) -> Trained {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let dev_dir = write_folder(&dir.path().join("dev"), SENTENCES);
    train(&config(&train_dir, Some(&dev_dir), options)).unwrap()
}

/// NFC as tokenizer.json's normaliser applies it in every loader (Rust and Python `tokenizers`
/// share it). It follows an older Unicode version than the `unicode-normalization` crate: marks
/// assigned since (U+16FF0, Unicode 13, say) have no combining class there and are not
/// reordered, so the round trip is checked against this, and against the crate only for text
/// both versions know ([`nfc_agrees_with_the_crate_on_assigned_marks`]).
fn nfc(text: &str) -> String {
    let mut normalized = NormalizedString::from(text);
    NFC.normalize(&mut normalized).unwrap();
    normalized.get().to_string()
}

/// What the default normaliser makes of a text: NFC, without the invisible characters the corpus
/// stage removes.
fn as_trained(text: &str) -> String {
    nfc(text)
        .chars()
        .filter(|c| !mekong_common::text::is_invisible(*c))
        .collect()
}

fn ids(tokenizer: &Tokenizer, text: &str) -> Vec<u32> {
    tokenizer.encode(text, false).unwrap().get_ids().to_vec()
}

fn round_trip(tokenizer: &Tokenizer, text: &str) -> String {
    let encoding = tokenizer.encode(text, false).unwrap();
    tokenizer.decode(encoding.get_ids(), false).unwrap()
}

const FIXTURES: &[&str] = &[
    "Vie\u{0302}\u{0323}t Nam (NFD) và Việt Nam (NFC)",
    "👩‍👩‍👧 emoji, ZWJ\u{200D}and ZWNJ\u{200C}, tabs\tand\r\nnewlines\n\n",
    "ላይ ሁሉም ሰው · ꯃꯤꯇꯩ · ᠮᠣᠩᠭᠣᠯ · עברית · العربية",
    "   leading and trailing spaces   ",
    "<|endoftext|> between <|endoftext|>",
    "\u{0301}\u{0301} marks with no base, \u{17D2} a lone coeng",
    "1234567890 ๑๒๓ ١٢٣",
    "\u{feff}ព្រះរាជាណាចក្រ\u{200b}កម្ពុជា, soft\u{00ad}hyphen, word\u{2060}joiner",
];

fn every_fixture() -> impl Iterator<Item = &'static str> {
    FIXTURES.iter().copied().chain(
        SENTENCES
            .iter()
            .flat_map(|(_, lines)| lines.iter().copied()),
    )
}

/// With the default normaliser, decoding gives the text as the training text was normalised,
/// from bytes or from characters with byte fallback.
#[test]
fn decode_inverts_encode_on_every_script() {
    for tokenizer in [
        &trained().tokenizer,
        &trained_char(Normalizer::Corpus).tokenizer,
    ] {
        for text in every_fixture() {
            assert_eq!(round_trip(tokenizer, text), as_trained(text));
        }
    }
}

/// With the prefix space, decoding still gives the text as normalised, special tokens and
/// leading spaces included: the decoder removes exactly the spaces the normaliser put in.
#[test]
fn decode_inverts_encode_with_the_prefix_space() {
    for base in [Base::Byte, Base::Char] {
        let tokenizer = &trained_prefixed(base).tokenizer;
        for text in every_fixture() {
            assert_eq!(round_trip(tokenizer, text), as_trained(text), "{base}");
        }
        assert_eq!(round_trip(tokenizer, ""), "");
    }
}

/// A segment's first word gets the tokens it has after a space, which it does not without the
/// prefix space.
#[test]
fn the_prefix_space_splits_a_first_word_as_after_a_space() {
    let tokens = |tokenizer: &Tokenizer, text: &str| -> Vec<String> {
        tokenizer.encode(text, false).unwrap().get_tokens().to_vec()
    };
    for (base, without) in [
        (Base::Byte, &trained().tokenizer),
        (Base::Char, &trained_char(Normalizer::Corpus).tokenizer),
    ] {
        let space = if base == Base::Char { ' ' } else { 'Ġ' };
        let with = &trained_prefixed(base).tokenizer;
        let alone = tokens(with, "right");
        assert!(alone[0].starts_with(space), "{base}: {alone:?}");
        assert!(tokens(with, "the right").ends_with(&alone), "{base}");
        assert!(!tokens(without, "right")[0].starts_with(space), "{base}");
    }
}

/// `unspaced_chunk` reaches tokenizer.json's pre-tokenizer: a Chinese clause of 17 characters is
/// one chunk with 48, two with the default 12.
#[test]
fn the_unspaced_chunk_is_written_into_tokenizer_json() {
    let chinese = "人人生而自由在尊严和权利上一律平等";
    let chunks = |tokenizer: &Tokenizer| {
        let mut pretokenized = tokenizers::PreTokenizedString::from(chinese);
        tokenizer
            .get_pre_tokenizer()
            .unwrap()
            .pre_tokenize(&mut pretokenized)
            .unwrap();
        pretokenized
            .get_splits(
                tokenizers::OffsetReferential::Original,
                tokenizers::OffsetType::Byte,
            )
            .len()
    };
    let long = train_with(TrainOptions {
        base: Base::Char,
        unspaced_chunk: 48,
        ..parity(1 + 256 + 600, 1)
    });
    let loaded = Tokenizer::from_bytes(long.json.as_bytes()).unwrap();
    assert_eq!(chunks(&loaded), 1);
    assert_eq!(chunks(&trained_char(Normalizer::Corpus).tokenizer), 2);
}

/// Training with the prefix space is training on text with a space written before each line:
/// the same merges, and the same dev figures.
#[test]
fn the_prefix_space_trains_as_a_space_before_each_line() {
    let lines: Vec<Vec<String>> = SENTENCES
        .iter()
        .map(|(_, lines)| lines.iter().map(|l| format!(" {l}")).collect())
        .collect();
    let spaced: Vec<(&str, &[String])> = SENTENCES
        .iter()
        .zip(&lines)
        .map(|((lang, _), lines)| (*lang, lines.as_slice()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), &spaced);
    let dev_dir = write_folder(&dir.path().join("dev"), &spaced);
    let options = TrainOptions {
        base: Base::Char,
        char_coverage: 0.98,
        ..parity(1 + 256 + 600, 1)
    };
    let written = train(&config(&train_dir, Some(&dev_dir), options)).unwrap();
    let prefixed = trained_prefixed(Base::Char);
    assert_eq!(merges_of(&prefixed.json), merges_of(&written.json));
    assert_eq!(prefixed.summary.dev, written.summary.dev);
}

/// A character base: byte tokens after the special tokens, characters outside its alphabet
/// encoded as their UTF-8 bytes, and no merge of a byte token (it would not decode).
#[test]
fn a_character_base_falls_back_to_bytes_it_never_merges() {
    let trained = trained_char(Normalizer::Corpus);
    let tokenizer = &trained.tokenizer;
    assert_eq!(tokenizer.token_to_id("<0x00>"), Some(1));
    assert_eq!(tokenizer.token_to_id("<0xFF>"), Some(256));
    let encoding = tokenizer.encode("𝄞", false).unwrap();
    assert_eq!(
        encoding.get_tokens(),
        ["<0xF0>", "<0x9D>", "<0x84>", "<0x9E>"]
    );
    // Common characters of the training text are symbols of their own.
    assert!(tokenizer.token_to_id("ệ").is_some() && tokenizer.token_to_id("ក").is_some());
    let merges = merges_of(&trained.json);
    assert!(!merges.is_empty());
    let is_byte = |t: &str| t.len() == 6 && t.starts_with("<0x") && t.ends_with('>');
    assert!(merges.iter().all(|(l, r)| !is_byte(l) && !is_byte(r)));
    let json: serde_json::Value = serde_json::from_str(&trained.json).unwrap();
    assert_eq!(json["model"]["byte_fallback"], true);
    assert_eq!(json["pre_tokenizer"]["type"], "Split");
}

/// The alphabet of a character base plus the byte tokens must leave room for merges.
#[test]
fn a_character_base_without_room_for_merges_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let options = TrainOptions {
        base: Base::Char,
        ..parity(1 + 256 + 20, 1)
    };
    let error = train(&config(&train_dir, Some(&train_dir), options))
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("the character base takes") && error.contains("--char-coverage"),
        "{error}"
    );
}

/// Zero-width spaces (Khmer, Lao, Thai and Burmese word breaks), soft hyphens, word joiners and
/// byte-order marks cost no tokens with the default normaliser; `nfc` keeps them.
#[test]
fn invisible_characters_get_the_ids_of_the_visible_text() {
    let with = &trained().tokenizer;
    let nfc_only = train_with(TrainOptions {
        normalizer: Normalizer::Nfc,
        ..parity(256 + 1 + 120, 1)
    });
    let khmer = "ព្រះរាជាណាចក្រ\u{200b}កម្ពុជា\u{200b}";
    assert_eq!(ids(with, khmer), ids(with, &as_trained(khmer)));
    assert!(
        ids(&nfc_only.tokenizer, khmer).len() > ids(&nfc_only.tokenizer, &as_trained(khmer)).len()
    );
    assert_eq!(round_trip(&nfc_only.tokenizer, khmer), khmer);
    assert!(trained().json.contains("\"type\": \"Replace\""));
}

/// Decomposed input (macOS, PDFs, the UDHR's Vietnamese) gets exactly the ids of its NFC form,
/// which it does not without the normaliser.
#[test]
fn nfd_input_gets_the_ids_of_nfc() {
    let with = &trained().tokenizer;
    let without = &trained_without_normalizer().tokenizer;
    for text in every_fixture() {
        let decomposed: String = text.nfd().collect();
        assert_eq!(ids(with, &decomposed), ids(with, &nfc(text)), "{text}");
    }
    let vietnamese = "Nước Việt Nam nằm ở phía đông bán đảo Đông Dương.";
    let decomposed: String = vietnamese.nfd().collect();
    assert!(ids(without, &decomposed).len() > ids(without, vietnamese).len());
    assert_eq!(
        ids(with, vietnamese),
        ids(without, vietnamese),
        "NFC text: same ids"
    );
    assert!(trained()
        .json
        .contains("\"normalizer\": {\n    \"type\": \"Sequence\""));
    assert!(trained_without_normalizer()
        .json
        .contains("\"normalizer\": null"));
}

/// The normaliser changes neither the merges nor the fairness measured on (NFC) dev text.
#[test]
fn the_normalizer_leaves_merges_and_fairness_unchanged() {
    let (with, without) = (trained(), trained_without_normalizer());
    assert_eq!(
        crate::fixtures::merges_of(&with.json),
        crate::fixtures::merges_of(&without.json)
    );
    assert_eq!(with.summary.dev, without.summary.dev);
}

#[test]
fn without_the_normalizer_text_round_trips_as_given() {
    let tokenizer = &trained_without_normalizer().tokenizer;
    for text in every_fixture() {
        assert_eq!(round_trip(tokenizer, text), text);
    }
}

/// Every UDHR translation (hundreds of languages and scripts), where `../shared/data` holds them
/// (or `MEKONG_UDHR_DIR` points at a folder of them): a fresh machine without that data skips it.
#[test]
fn decode_inverts_encode_on_every_udhr_text() {
    let dir = std::env::var_os("MEKONG_UDHR_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/parallel/udhr"),
        PathBuf::from,
    );
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no UDHR texts at {}", dir.display());
        return;
    };
    let tokenizers = [
        &trained().tokenizer,
        &trained_char(Normalizer::Corpus).tokenizer,
    ];
    let mut checked = 0;
    for path in entries.map(|e| e.unwrap().path()) {
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            for tokenizer in tokenizers {
                assert!(
                    round_trip(tokenizer, &text) == as_trained(&text),
                    "{} does not round-trip",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no .txt files in {}", dir.display());
    eprintln!("{checked} UDHR texts round-trip");
}

#[test]
fn saved_file_loads_and_encodes_identically() {
    let trained = trained();
    let loaded = Tokenizer::from_bytes(trained.json.as_bytes()).unwrap();
    for (_, lines) in SENTENCES {
        for line in *lines {
            let a = trained.tokenizer.encode(*line, false).unwrap();
            let b = loaded.encode(*line, false).unwrap();
            assert_eq!(a.get_ids(), b.get_ids());
        }
    }
    assert_eq!(loaded.to_string(true).unwrap(), trained.json);
}

#[test]
fn training_is_deterministic_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let train_dir = write_folder(&dir.path().join("train"), SENTENCES);
    let dev_dir = write_folder(&dir.path().join("dev"), SENTENCES);
    let cfg = config(&train_dir, Some(&dev_dir), parity(256 + 1 + 300, 1));
    let first = dir.path().join("a/tokenizer.json");
    let second = dir.path().join("b/tokenizer.json");
    train_to_file(&cfg, &first).unwrap();
    train_to_file(&cfg, &second).unwrap();
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );
    assert_eq!(std::fs::read(&first).unwrap(), trained().json.as_bytes());
    assert!(dir.path().join("a/training.json").exists());
}

#[test]
fn nfc_agrees_with_the_crate_on_assigned_marks() {
    for text in FIXTURES {
        assert_eq!(nfc(text), text.nfc().collect::<String>());
    }
    // Vietnamese with its marks in the wrong order: both put the dot below first.
    let misordered = "Vie\u{0302}\u{0323}t";
    assert_eq!(nfc(misordered), "Việt");
    assert_eq!(nfc(misordered), misordered.nfc().collect::<String>());
}

proptest! {
    #[test]
    fn decode_inverts_encode_for_any_string(text in any::<String>()) {
        prop_assert_eq!(round_trip(&trained().tokenizer, &text), nfc(&text));
        prop_assert_eq!(round_trip(&trained_without_normalizer().tokenizer, &text), text.clone());
        prop_assert_eq!(round_trip(&trained_prefixed(Base::Char).tokenizer, &text), as_trained(&text));
        prop_assert_eq!(round_trip(&trained_char(Normalizer::None).tokenizer, &text), text);
    }
}
