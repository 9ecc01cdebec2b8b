//! Encoding one language with one tokenizer and counting what the metrics need. The text-side
//! facts (words, characters, script) do not depend on the tokenizer and are prepared once per
//! language in [`PreparedLanguage`].

use super::loaders::{Token, TokenEncoder, TokenKind, Vocabulary};
use super::scripts;
use mekong_common::parallel::Language;
use unicode_script::Script;
use unicode_segmentation::UnicodeSegmentation;

/// A language's lines with their words (Unicode word boundaries, UAX #29, keeping only
/// segments with a letter or digit) located by byte span.
pub struct PreparedLanguage<'a> {
    pub language: &'a Language,
    /// Per line, the byte spans of its words.
    pub words: Vec<Vec<(u32, u32)>>,
    pub script: Option<Script>,
    /// Written without spaces between words: fertility and continued words are not reported.
    pub spaceless: bool,
    pub bytes: u64,
    pub chars: u64,
    pub word_count: u64,
}

impl<'a> PreparedLanguage<'a> {
    pub fn new(language: &'a Language) -> PreparedLanguage<'a> {
        let words: Vec<Vec<(u32, u32)>> = language
            .lines
            .iter()
            .map(|line| {
                line.unicode_word_indices()
                    .map(|(start, word)| (start as u32, (start + word.len()) as u32))
                    .collect()
            })
            .collect();
        // The script of a sample is enough to tell a language's writing system.
        let sample: String = language
            .lines
            .iter()
            .take(200)
            .map(String::as_str)
            .collect();
        let script = scripts::dominant_script(&sample);
        PreparedLanguage {
            language,
            script,
            spaceless: script.is_some_and(scripts::is_spaceless),
            bytes: language.lines.iter().map(|l| l.len() as u64).sum(),
            chars: language
                .lines
                .iter()
                .map(|l| l.chars().count() as u64)
                .sum(),
            word_count: words.iter().map(|w| w.len() as u64).sum(),
            words,
        }
    }
}

/// What one tokenizer produced on one language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Tokens per line (0 for empty lines), aligned with the parallel set's lines.
    pub tokens_per_line: Vec<u32>,
    pub tokens: u64,
    /// Σ over words of the tokens overlapping the word.
    pub word_tokens: u64,
    /// Words covered by two or more tokens.
    pub continued_words: u64,
    pub unknown: u64,
    /// Byte-fallback tokens and byte-level pieces of a character.
    pub byte_pieces: u64,
    /// Occurrences of each distinct id (for the Rényi entropy), in id order.
    pub frequencies: Vec<u32>,
    /// The distinct ids used, sorted.
    pub distinct_ids: Vec<u32>,
}

/// Encodes every non-empty line. An encoding error becomes `Err("line N: message")`.
pub fn count(
    encoder: &dyn TokenEncoder,
    vocabulary: &Vocabulary,
    language: &PreparedLanguage,
) -> Result<Counts, String> {
    let mut counts = Counts::default();
    let mut ids = Vec::new();
    for (index, line) in language.language.lines.iter().enumerate() {
        if line.is_empty() {
            counts.tokens_per_line.push(0);
            continue;
        }
        let tokens = encoder
            .encode(line)
            .map_err(|message| format!("line {}: {message}", index + 1))?;
        counts.tokens_per_line.push(tokens.len() as u32);
        counts.tokens += tokens.len() as u64;
        for token in &tokens {
            match vocabulary.kind(token.id) {
                TokenKind::Unknown => counts.unknown += 1,
                TokenKind::Bytes => counts.byte_pieces += 1,
                TokenKind::Text | TokenKind::Special => {}
            }
            ids.push(token.id);
        }
        count_word_tokens(&tokens, &language.words[index], &mut counts);
    }
    ids.sort_unstable();
    for run in ids.chunk_by(|a, b| a == b) {
        counts.distinct_ids.push(run[0]);
        counts.frequencies.push(run.len() as u32);
    }
    Ok(counts)
}

/// For each word, counts the tokens whose byte span overlaps it. Tokens and words both come in
/// text order, so one sweep suffices.
fn count_word_tokens(tokens: &[Token], words: &[(u32, u32)], counts: &mut Counts) {
    let mut first = 0;
    for &(start, end) in words {
        while first < tokens.len() && tokens[first].end <= start {
            first += 1;
        }
        let overlapping = tokens[first..]
            .iter()
            .take_while(|t| t.start < end)
            .filter(|t| t.end > start && t.end > t.start)
            .count() as u64;
        counts.word_tokens += overlapping;
        if overlapping >= 2 {
            counts.continued_words += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::loaders::Surface;

    /// Splits on spaces and then into pieces of at most 3 bytes; id = piece length, 7 for a
    /// piece that splits a multi-byte character, 9 (unknown) for a piece with a '?'.
    struct Chunker;

    impl TokenEncoder for Chunker {
        fn encode(&self, text: &str) -> Result<Vec<Token>, String> {
            if text.contains('!') {
                return Err("cannot encode '!'".into());
            }
            let mut tokens = Vec::new();
            let mut start = 0;
            for piece in text.split(' ') {
                let mut at = start;
                while at < start + piece.len() {
                    let end = (at + 3).min(start + piece.len());
                    let id = if !text.is_char_boundary(end) || !text.is_char_boundary(at) {
                        7
                    } else if text[at..end].contains('?') {
                        9
                    } else {
                        (end - at) as u32
                    };
                    tokens.push(Token {
                        id,
                        start: at as u32,
                        end: end as u32,
                    });
                    at = end;
                }
                start += piece.len() + 1;
            }
            Ok(tokens)
        }
    }

    fn vocabulary() -> Vocabulary {
        Vocabulary::new([
            (1, Surface::Text("a".into())),
            (2, Surface::Text("ab".into())),
            (3, Surface::Text("abc".into())),
            (7, Surface::Bytes),
            (9, Surface::Unknown),
        ])
    }

    fn language(lines: &[&str]) -> Language {
        Language {
            code: "xx".into(),
            name: None,
            aliases: vec![],
            path: "xx.txt".into(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn counts_tokens_words_and_kinds() {
        // "hello to you?" → hel|lo  to  you|?  : 5 tokens; words hello(2) to(1) you(1, "?" is
        // not part of the word) → 4 word tokens, 1 continued word.
        let language = language(&["hello to you?", "", "abcdefg"]);
        let prepared = PreparedLanguage::new(&language);
        assert_eq!(prepared.word_count, 4);
        let counts = count(&Chunker, &vocabulary(), &prepared).unwrap();
        assert_eq!(counts.tokens_per_line, [5, 0, 3]);
        assert_eq!(counts.tokens, 8);
        // Line 3: abcdefg → abc|def|g, one word of 3 tokens.
        assert_eq!(counts.word_tokens, 4 + 3);
        assert_eq!(counts.continued_words, 2);
        assert_eq!(counts.unknown, 1);
        // ids: hel=3 lo=2 to=2 you=3 ?=9 abc=3 def=3 g=1
        assert_eq!(counts.distinct_ids, [1, 2, 3, 9]);
        assert_eq!(counts.frequencies, [1, 2, 4, 1]);
    }

    #[test]
    fn split_characters_are_byte_pieces() {
        let language = language(&["aé"]); // 3 bytes: 'a' + 2-byte 'é' → one 3-byte chunk
        let counts = count(&Chunker, &vocabulary(), &PreparedLanguage::new(&language)).unwrap();
        assert_eq!(counts.byte_pieces, 0);
        let language = super::Language {
            lines: vec!["abé".into()], // 4 bytes: "ab" + half of 'é' | other half
            ..language
        };
        let counts = count(&Chunker, &vocabulary(), &PreparedLanguage::new(&language)).unwrap();
        assert_eq!(counts.byte_pieces, 2);
    }

    #[test]
    fn encoding_errors_name_the_line() {
        let language = language(&["fine", "bad!"]);
        let error = count(&Chunker, &vocabulary(), &PreparedLanguage::new(&language)).unwrap_err();
        assert_eq!(error, "line 2: cannot encode '!'");
    }

    #[test]
    fn spaceless_scripts_are_flagged() {
        let language = language(&["ភាសាខ្មែរ"]);
        assert!(PreparedLanguage::new(&language).spaceless);
    }
}
