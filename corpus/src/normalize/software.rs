//! For software strings (gettext, TMX from localisation): placeholders and accelerator markers
//! are program syntax, not language, and would otherwise teach a model `%s` and `_File`.
//! Both steps are off by default: on ordinary text they could eat a real `%` or `_`.

use super::NormalizeStep;
use crate::lang::Language;
use regex::Regex;

/// Removes printf placeholders (`%s`, `%5.2f`, `%1$d`, `%lu`, `%(name)s`, Qt's `%1`) and
/// brace placeholders (`{0}`, `{name}`, `{count:>3}`). Escapes stay as the literal they stand
/// for: `%%` becomes `%`, `{{` and `}}` become `{` and `}`.
pub struct StripPlaceholders {
    pattern: Regex,
}

impl StripPlaceholders {
    pub fn new() -> Self {
        let pattern = Regex::new(concat!(
            r"%%|\{\{|\}\}",
            r"|%\([A-Za-z_][A-Za-z0-9_]*\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]",
            r"|%(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn@]",
            r"|%\d+",
            r"|\{[A-Za-z0-9_.]*(?::[^{}]*)?\}",
        ))
        .expect("placeholder pattern is valid");
        StripPlaceholders { pattern }
    }
}

impl NormalizeStep for StripPlaceholders {
    fn name(&self) -> &'static str {
        "placeholders"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if !text.contains(['%', '{', '}']) {
            return None;
        }
        let out = self.pattern.replace_all(text, |m: &regex::Captures| {
            match &m[0] {
                "%%" => "%",
                "{{" => "{",
                "}}" => "}",
                _ => "",
            }
            .to_string()
        });
        Some(out.into_owned())
    }
}

/// Removes accelerator markers: `_`, `&` or `~` right before the letter that becomes the
/// keyboard shortcut (`_File`, `&Open`, `~Save`), and the parenthesised form translations
/// use when the shortcut letter is not in the translated word (`Mở (_O)`). `&&` stands for a
/// literal `&`; markers inside words (`file_name`) and entities (`&amp;`) are left alone.
pub struct StripAccelerators;

impl NormalizeStep for StripAccelerators {
    fn name(&self) -> &'static str {
        "accelerators"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        if !text.contains(['_', '&', '~']) {
            return None;
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            let marker = matches!(c, '_' | '&' | '~');
            // `(_O)` / `(&O)`: drop the whole group and the space before it.
            if c == '('
                && chars
                    .get(i + 1)
                    .is_some_and(|m| matches!(m, '_' | '&' | '~'))
                && chars.get(i + 2).is_some_and(|l| l.is_alphanumeric())
                && chars.get(i + 3) == Some(&')')
            {
                while out.ends_with(' ') {
                    out.pop();
                }
                i += 4;
                continue;
            }
            if c == '&' && next == Some('&') {
                out.push('&');
                i += 2;
                continue;
            }
            let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
            if marker
                && starts_word
                && next.is_some_and(char::is_alphanumeric)
                && !is_entity(&chars[i..])
            {
                i += 1;
                continue;
            }
            out.push(c);
            i += 1;
        }
        Some(out)
    }
}

/// `&amp;`, `&#39;`, `&#x27;`: an HTML/XML entity, not an accelerator.
fn is_entity(chars: &[char]) -> bool {
    if chars.first() != Some(&'&') {
        return false;
    }
    let body: String = chars[1..]
        .iter()
        .take(10)
        .take_while(|c| **c != ';')
        .collect();
    let terminated = chars.len() > body.len() + 1 && chars[body.len() + 1] == ';';
    terminated && !body.is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_placeholders() {
        let step = StripPlaceholders::new();
        let en = Language::new("en");
        let cases = [
            ("Delete %s?", "Delete ?"),
            ("%1$s of %2$d files", " of  files"),
            ("%(count)d items, 100%% done", " items, 100% done"),
            ("%5.2f MB at %lu", " MB at "),
            (
                "Hello {name}, {0} new {{literal}}",
                "Hello ,  new {literal}",
            ),
            ("Page %1 of %2", "Page  of "),
        ];
        for (input, expected) in cases {
            assert_eq!(step.apply(input, &en).as_deref(), Some(expected), "{input}");
        }
        assert_eq!(step.apply("no placeholders", &en), None);
    }

    #[test]
    fn strips_accelerators() {
        let step = StripAccelerators;
        let vi = Language::new("vi");
        let cases = [
            ("_Tập tin", "Tập tin"),
            ("Save _As…", "Save As…"),
            ("&Open && close", "Open & close"),
            ("~Lưu", "Lưu"),
            ("Mở (_O)", "Mở"),
            ("file_name &amp; more", "file_name &amp; more"),
        ];
        for (input, expected) in cases {
            assert_eq!(step.apply(input, &vi).as_deref(), Some(expected), "{input}");
        }
    }
}
