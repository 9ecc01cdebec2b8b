//! The pre-tokenizer: how text is cut into the "words" BPE merges inside, fair to every script.
//!
//! GPT-2's split pattern (`\p{L}+`, `\p{N}+`, other symbols) treats combining marks (`\p{M}`) as
//! symbols, so it cuts Vietnamese tone marks in NFD text, Thai, Khmer and Burmese vowel signs and
//! Devanagari matras away from their letters: those languages can never get whole-syllable
//! tokens. And since Thai, Lao, Khmer, Burmese, Chinese and Japanese write no spaces between
//! words, a letter-run rule makes a whole clause one "word". Mekong's rule instead:
//!
//! * a *cluster* is a letter with everything that attaches to it: combining marks, ZWJ/ZWNJ, and
//!   a Khmer coeng (U+17D2) or Myanmar virama (U+1039) with the subscript consonant it stacks;
//! * in scripts written with spaces, a word is an optional leading space and up to
//!   [`MAX_SPACED_CLUSTERS`] clusters (the cap only bites on pathological input, such as one
//!   giant line without spaces, keeping word types small);
//! * in scripts written without spaces (Thai, Lao, Khmer, Myanmar, Han, Hiragana, Katakana), a
//!   chunk is up to `unspaced_chunk` clusters ([`DEFAULT_UNSPACED_CHUNK`] unless
//!   [`TrainOptions::unspaced_chunk`] says otherwise). Where the cap cuts a Thai or Lao run,
//!   the chunk ends before the last leading vowel within reach (U+0E40–0E44, U+0EC0–0EC4:
//!   always the start of a syllable), so the cut falls on a syllable edge; leading vowels inside
//!   a chunk do not split it, so BPE can learn words across syllables (อัตโนมัติ);
//! * digits come in groups of up to three, each with at most one symbol on either side, so the
//!   placeholders of software strings (`%1$`, `(0=`) are pieces as SentencePiece has them;
//!   other symbols in runs of up to 16, and whitespace as in GPT-2 (a run, leaving its last space
//!   to the next word).
//!
//! The rule is a single `Split` regex (Oniguruma syntax, as the `tokenizers` crate and Python's
//! `tokenizers` both use), followed for byte-level BPE by `ByteLevel` without its own regex, so
//! the pipeline is written into tokenizer.json and encodes identically anywhere that file is
//! loaded.

use crate::error::{Result, TokenizerError};
use crate::train::{Base, TrainOptions};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{
    OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer, SplitDelimiterBehavior,
};

/// Most clusters in one chunk of a script written without spaces, by default: a few syllables or
/// Chinese words, so BPE can still learn multi-syllable tokens. Measured on the 18-language
/// benchmark (docs/benchmarks.md) with a byte base: 8 left Lao at 1.22× English, 12 gives 1.15
/// with fewer tokens overall, 16 saves another 0.3 % of tokens but trains 40 % slower. With a
/// character base (fewer symbols per chunk) the recommended recipe takes 48.
pub const DEFAULT_UNSPACED_CHUNK: usize = 12;
/// Most clusters in one word of a script written with spaces; real words stay far below it.
pub const MAX_SPACED_CLUSTERS: usize = 32;

/// Scripts written without spaces between words (plus the katakana prolonged sound mark, which
/// Unicode files under the Common script).
const UNSPACED: &str =
    r"\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Han}\p{Hiragana}\p{Katakana}\x{30FC}";
/// Thai and Lao leading vowels: written before the consonant they follow in speech, so a
/// syllable always starts with them. A cut before one is a cut between syllables.
const LEADING_VOWELS: &str = r"\x{0E40}-\x{0E44}\x{0EC0}-\x{0EC4}";
/// What attaches to a letter: a coeng/virama with its subscript consonant, marks, ZWNJ, ZWJ.
const ATTACHED: &str = r"(?:[\x{17D2}\x{1039}]\p{L}|[\p{M}\x{200C}\x{200D}])*";

/// The split regex (see the module documentation), with chunks of up to `unspaced_chunk`
/// clusters in scripts written without spaces.
pub fn split_pattern(unspaced_chunk: usize) -> String {
    // Atomic, so that backing off from the cap gives up whole clusters, never a mark.
    let cluster = format!(r"(?>[{UNSPACED}&&\p{{L}}]{ATTACHED})");
    let clusters = format!(r" ?{cluster}{{1,{}}}", unspaced_chunk.max(1));
    // The longest chunk that ends where the run ends or before a leading vowel; where the cap
    // leaves no such edge within reach (Han, Khmer, Burmese: none is marked), the cap's cut.
    let syllable_edge = format!(r"(?![{UNSPACED}&&\p{{L}}&&[^{LEADING_VOWELS}]])");
    let unspaced_chunk = format!("{clusters}{syllable_edge}|{clusters}");
    let spaced_word =
        format!(r" ?(?:[\p{{L}}&&[^{UNSPACED}]]{ATTACHED}){{1,{MAX_SPACED_CLUSTERS}}}");
    [
        unspaced_chunk.as_str(),
        spaced_word.as_str(),
        r" ?[^\s\p{L}\p{N}]?\p{N}{1,3}[^\s\p{L}\p{N}]?",
        r" ?[^\s\p{L}\p{N}]{1,16}",
        r"\s{1,16}(?!\S)",
        r"\s{1,16}",
    ]
    .join("|")
}

/// The pre-tokenizer written into tokenizer.json: the fair split, then for a byte base the
/// bytes mapped to the 256 printable characters of byte-level BPE (a character base keeps the
/// pieces as text).
fn fair_pre_tokenizer(base: Base, unspaced_chunk: usize) -> Result<PreTokenizerWrapper> {
    let split = Split::new(
        SplitPattern::Regex(split_pattern(unspaced_chunk)),
        SplitDelimiterBehavior::Isolated,
        false,
    )
    .map_err(TokenizerError::library)?;
    Ok(match base {
        Base::Byte => PreTokenizerWrapper::Sequence(Sequence::new(vec![
            PreTokenizerWrapper::Split(split),
            PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, true, false)),
        ])),
        Base::Char => PreTokenizerWrapper::Split(split),
    })
}

/// How training and dev text is cut into the words BPE merges inside: the fair split (and, for
/// a byte base, the byte-level mapping), after one space put before a non-empty segment when
/// `prefix_space` is on, as tokenizer.json's `Prepend` normaliser then does to what it encodes
/// (see [`TrainOptions::prefix_space`]).
#[derive(Clone)]
pub struct WordSplitter {
    pre_tokenizer: PreTokenizerWrapper,
    prefix_space: bool,
}

impl WordSplitter {
    pub fn new(options: &TrainOptions) -> Result<Self> {
        Ok(WordSplitter {
            pre_tokenizer: fair_pre_tokenizer(options.base, options.unspaced_chunk)?,
            prefix_space: options.prefix_space,
        })
    }

    /// The pre-tokenizer written into tokenizer.json.
    pub fn pre_tokenizer(&self) -> &PreTokenizerWrapper {
        &self.pre_tokenizer
    }

    pub fn prefix_space(&self) -> bool {
        self.prefix_space
    }

    /// The words of one segment, in the form BPE trains on (byte-level characters for a byte
    /// base).
    pub fn words(&self, text: &str) -> Result<Vec<String>> {
        let mut pretokenized = match self.prefix_space && !text.is_empty() {
            true => PreTokenizedString::from(format!(" {text}")),
            false => PreTokenizedString::from(text),
        };
        self.pre_tokenizer
            .pre_tokenize(&mut pretokenized)
            .map_err(TokenizerError::library)?;
        Ok(pretokenized
            .get_splits(OffsetReferential::Original, OffsetType::Byte)
            .into_iter()
            .map(|(word, _, _)| word.to_string())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split pieces, with the default chunk.
    fn pieces(text: &str) -> Vec<String> {
        pieces_in_chunks(text, DEFAULT_UNSPACED_CHUNK)
    }

    fn pieces_in_chunks(text: &str, chunk: usize) -> Vec<String> {
        let split = Split::new(
            SplitPattern::Regex(split_pattern(chunk)),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .unwrap();
        let mut pretokenized = PreTokenizedString::from(text);
        split.pre_tokenize(&mut pretokenized).unwrap();
        pretokenized
            .get_splits(OffsetReferential::Original, OffsetType::Byte)
            .into_iter()
            .map(|(word, _, _)| word.to_string())
            .collect()
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        // NFD Vietnamese: every tone mark is a separate code point.
        let nfd = "Vie\u{0302}\u{0323}t Nam";
        assert_eq!(pieces(nfd), vec!["Vie\u{0302}\u{0323}t", " Nam"]);
        assert_eq!(pieces("सभी मनुष्यों"), vec!["सभी", " मनुष्यों"]);
    }

    #[test]
    fn unspaced_scripts_are_chunked() {
        let thai = "ทุกคนมีสิทธิในการดำรงชีวิตเสรีภาพและความมั่นคงแห่งร่างกาย";
        let chunks = pieces(thai);
        assert!(chunks.len() > 3, "{chunks:?}");
        assert_eq!(chunks.concat(), thai);
        // Where the cap cuts, the next chunk starts with a leading vowel: a syllable edge.
        let leading_vowel = |c: &str| c.starts_with(|ch| ('\u{0E40}'..='\u{0E44}').contains(&ch));
        assert!(chunks[1..].iter().all(|c| leading_vowel(c)), "{chunks:?}");
        // Leading vowels inside a chunk do not split a word.
        assert_eq!(pieces("โดยอัตโนมัติ"), ["โดยอัตโนมัติ"]);
        // With no leading vowel within reach the cap cuts, and never between a letter and its
        // marks.
        let syllables = "กิ่".repeat(20);
        let chunks = pieces(&syllables);
        assert_eq!(chunks[0], "กิ่".repeat(DEFAULT_UNSPACED_CHUNK));
        assert_eq!(chunks.concat(), syllables);
        let chinese = "人人生而自由在尊严和权利上一律平等";
        let chunks = pieces(chinese);
        assert_eq!(chunks[0], "人人生而自由在尊严和权利");
        assert_eq!(chunks.concat(), chinese);
        assert_eq!(pieces_in_chunks(chinese, 48), [chinese]);
        assert_eq!(pieces_in_chunks(chinese, 5)[0], "人人生而自");
    }

    #[test]
    fn khmer_subscripts_stay_with_their_base() {
        // ស្ស: coeng + subscript consonant belong to the cluster of the first letter.
        let khmer = "មនុស្សទាំងអស់កើតមកមានសេរីភាព";
        for chunk in pieces(khmer) {
            assert!(!chunk.starts_with('\u{17D2}'), "{chunk}");
            let first = chunk.chars().next().unwrap();
            assert!(
                !matches!(first, '\u{17B6}'..='\u{17D3}'),
                "chunk starts with a sign: {chunk}"
            );
        }
    }

    #[test]
    fn giant_line_is_cut_into_bounded_words() {
        let line = "a".repeat(10_000);
        let chunks = pieces(&line);
        assert!(chunks
            .iter()
            .all(|c| c.chars().count() <= MAX_SPACED_CLUSTERS));
        assert_eq!(chunks.concat(), line);
    }

    #[test]
    fn spaces_and_digits_like_gpt2() {
        assert_eq!(
            pieces("it costs 12345  now!"),
            vec!["it", " costs", " 123", "45", " ", " now", "!"]
        );
    }

    #[test]
    fn a_digit_group_takes_one_symbol_on_either_side() {
        assert_eq!(
            pieces("%1$s or (0=center), 2)"),
            vec!["%1$", "s", " or", " (0=", "center", "),", " 2)"]
        );
    }
}
