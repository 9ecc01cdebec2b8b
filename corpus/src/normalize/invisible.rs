//! Removes the invisible characters of [`mekong_common::text::INVISIBLE`] (zero-width space,
//! word joiner, soft hyphen, byte-order mark), which only get in the way of matching; the trained
//! tokenizer removes the same ones.

use super::NormalizeStep;
use crate::lang::Language;
use mekong_common::text::remove_invisible;

pub struct RemoveInvisible;

impl NormalizeStep for RemoveInvisible {
    fn name(&self) -> &'static str {
        "invisible"
    }

    fn apply(&self, text: &str, _lang: &Language) -> Option<String> {
        remove_invisible(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_joiners() {
        let step = RemoveInvisible;
        let km = Language::new("km");
        assert_eq!(step.apply("\u{feff}ក\u{200b}ខ", &km).as_deref(), Some("កខ"));
        assert_eq!(step.apply("क्\u{200d}ष", &Language::new("hi")), None);
        assert_eq!(step.apply("می\u{200c}خواهم", &Language::new("fa")), None);
    }
}
