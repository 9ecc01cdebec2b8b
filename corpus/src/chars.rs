//! Character classes the normaliser, the filters and the dedup keys ask about on every
//! character, with fast paths for ASCII and for the Latin letters most text is made of: std's
//! and unicode-script's own answers search tables, which showed at the top of the stage's
//! profile. Outside the fast paths they answer as those crates do.

use unicode_script::{Script, UnicodeScript};

/// Latin-1 letters, Latin Extended-A and -B, and Latin Extended Additional (Vietnamese): every
/// character in these ranges is a Latin letter, bar two signs.
#[inline]
fn is_latin_range(c: char) -> bool {
    matches!(c, 'À'..='ɏ' | '\u{1E00}'..='\u{1EFF}') && c != '×' && c != '÷'
}

/// The Unicode script of `c` (`Common` for punctuation, digits and spaces).
#[inline]
pub fn script(c: char) -> Script {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::Common
        };
    }
    if is_latin_range(c) {
        return Script::Latin;
    }
    c.script()
}

/// Whether `c` is a letter (Unicode `Alphabetic`).
#[inline]
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    is_latin_range(c) || c.is_alphabetic()
}

/// The ASCII bytes `char::is_whitespace` holds for (`u8::is_ascii_whitespace` leaves out the
/// vertical tab).
#[inline]
pub fn is_ascii_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b'\x0b'
}

/// The lower case of a letter (the first character of its lower-case form, as Lingua's models
/// and the near-duplicate text take it), from a table for the Latin ranges.
#[inline]
pub fn lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    static LATIN: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
        (0..=0x24F)
            .chain(0x1E00..=0x1EFF)
            .map(|code| char::from_u32(code).map_or('\0', std_lower))
            .collect()
    });
    match c as usize {
        code @ 0..=0x24F => LATIN[code],
        code @ 0x1E00..=0x1EFF => LATIN[code - 0x1E00 + 0x250],
        _ => std_lower(c),
    }
}

fn std_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Appends the lower case of `c` to `out` (all of it: `İ` lowers to two characters).
#[inline]
pub fn push_lower(c: char, out: &mut String) {
    if c.is_ascii() || (c != 'İ' && matches!(c as u32, 0..=0x24F | 0x1E00..=0x1EFF)) {
        out.push(lower(c));
    } else {
        out.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_paths_answer_as_the_tables() {
        let ranges = [
            '\0'..='\u{2FF}',
            '\u{1D00}'..='\u{1FFF}',
            '\u{3040}'..='\u{30FF}',
        ];
        for c in ranges.into_iter().flatten() {
            assert_eq!(script(c), c.script(), "{c:?}");
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(lower(c), c.to_lowercase().next().unwrap(), "{c:?}");
            if c.is_ascii() {
                assert_eq!(is_ascii_space(c as u8), c.is_whitespace(), "{c:?}");
            }
            let mut pushed = String::new();
            push_lower(c, &mut pushed);
            assert_eq!(pushed, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }
}
