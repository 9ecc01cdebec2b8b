//! Language identification for the `langid` filter: how well each language of a script
//! explains a text, letter by letter, under a letter-trigram model (Lingua's, compiled into one
//! table per script, [`model`]). One table lookup per letter scores every language of the
//! script at once, so a text costs tens of nanoseconds a letter, where the Lingua, whatlang and
//! CLD2 crates cost microseconds; that is why the scorer is written here, over Lingua's data.
//! Scripts used by one language alone (Lao, Khmer, Thai, Hangul, …) need no model: the script
//! filter decides them.

pub mod model;

pub use model::{Model, ScriptModel};

use model::pack3;
use unicode_script::Script;

/// The most languages one script model may hold (the Latin one has 48).
pub const MAX_LANGUAGES: usize = 64;

/// A text's cost in every language of one script model.
pub struct Scores<'m> {
    pub model: &'m ScriptModel,
    /// Letters of the model's script that were scored.
    pub letters: u32,
    /// Summed costs; at most [`MAX_LETTERS`] letters of at most 255 each fit in 16 bits.
    costs: [u16; MAX_LANGUAGES],
}

/// The most letters [`Scores::of`] scores.
pub const MAX_LETTERS: u32 = 256;

impl<'m> Scores<'m> {
    /// Scores up to `max_letters` letters of `text` (the first ones; at most [`MAX_LETTERS`])
    /// in every language of `model`. Letters of other scripts, digits and punctuation break
    /// the n-gram context.
    pub fn of(model: &'m ScriptModel, text: &str, max_letters: u32) -> Scores<'m> {
        let max_letters = max_letters.min(MAX_LETTERS) as usize;
        // First every scored letter's row, then their sum: the rows' loads then do not wait on
        // one another behind the branches of the look-ups.
        let mut rows = [0u32; MAX_LETTERS as usize];
        let mut letters = 0;
        let (mut before, mut last) = ('\0', '\0');
        for c in text.chars() {
            let Some(letter) = letter_in(c, model.script) else {
                (before, last) = ('\0', '\0');
                continue;
            };
            if let Some(row) = lookup(model, before, last, letter) {
                rows[letters] = row;
                letters += 1;
                if letters == max_letters {
                    break;
                }
            }
            (before, last) = (last, letter);
        }
        let mut costs = [0u16; MAX_LANGUAGES];
        for &row in &rows[..letters] {
            let row = model.row_costs(row);
            for (totals, row) in costs.chunks_exact_mut(16).zip(row.chunks_exact(16)) {
                for (total, &cost) in totals.iter_mut().zip(row) {
                    *total += u16::from(cost);
                }
            }
        }
        Scores {
            model,
            letters: letters as u32,
            costs,
        }
    }

    /// The mean cost of a letter in the language of `column`, in nats.
    pub fn per_letter(&self, column: usize) -> f64 {
        f64::from(self.costs[column]) / self.model.scale / f64::from(self.letters.max(1))
    }

    /// The cheapest language of the columns set in `eligible` (bit i: column i), with its cost
    /// per letter; the first such column on a tie.
    pub fn best(&self, eligible: u64) -> Option<(usize, f64)> {
        // Cost and column in one integer, so that the loop is a branch-free minimum.
        let cheapest = (0..self.model.languages.len())
            .map(|column| match eligible >> column & 1 {
                1 => u32::from(self.costs[column]) << 8 | column as u32,
                _ => u32::MAX,
            })
            .min()
            .filter(|&packed| packed != u32::MAX)?;
        let column = (cheapest & 0xff) as usize;
        Some((column, self.per_letter(column)))
    }
}

/// The trigram's row, else the bigram's, else the letter's (the context may be empty).
#[inline]
fn lookup(model: &ScriptModel, before: char, last: char, letter: char) -> Option<u32> {
    let trigram = (before != '\0')
        .then(|| model.row(pack3(before, last, letter)))
        .flatten();
    trigram
        .or_else(|| {
            (last != '\0')
                .then(|| model.row(pack3('\0', last, letter)))
                .flatten()
        })
        .or_else(|| model.row(pack3('\0', '\0', letter)))
}

/// `c` lower-cased when it is a letter of `script`, as Lingua's models count letters.
#[inline]
fn letter_in(c: char, script: Script) -> Option<char> {
    if c.is_ascii() {
        return (script == Script::Latin && c.is_ascii_alphabetic())
            .then(|| c.to_ascii_lowercase());
    }
    (crate::chars::script(c) == script).then(|| crate::chars::lower(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheapest(text: &str) -> String {
        let (_, latin) = Model::get().for_script(Script::Latin).unwrap();
        let scores = Scores::of(latin, text, 512);
        let (column, _) = scores.best(u64::MAX).unwrap();
        latin.languages[column].clone()
    }

    #[test]
    fn names_the_language_of_a_sentence() {
        assert_eq!(
            cheapest("The children are playing happily in the garden behind the old house."),
            "en"
        );
        assert_eq!(
            cheapest("Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm."),
            "vi"
        );
        assert_eq!(
            cheapest("Gbogbo ènìyàn ni a bí ní òmìnira; iyì àti ẹ̀tọ́ kọ̀ọ̀kan sì dọ́gba."),
            "yo"
        );
        assert_eq!(
            cheapest("Watu wote wamezaliwa huru, hadhi na haki zao ni sawa."),
            "sw"
        );
    }

    #[test]
    fn counts_letters_of_the_script_only() {
        let (_, latin) = Model::get().for_script(Script::Latin).unwrap();
        assert_eq!(Scores::of(latin, "Việt 123 —, Россия", 512).letters, 4);
        assert_eq!(Scores::of(latin, "abcdefgh", 3).letters, 3);
    }
}
