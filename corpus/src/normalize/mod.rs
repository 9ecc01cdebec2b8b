//! Normalisation: a sequence of steps, each switchable and counted, applied to every text
//! before it is filtered and deduplicated, so that equal texts look equal. The order matters:
//! invisible and control characters go first (they would hide patterns from later steps), NFC
//! before tone-mark placement (which works on composed letters), whitespace last (earlier steps
//! leave gaps behind).

mod control;
mod invisible;
mod software;
mod unicode;
mod vietnamese;
mod whitespace;

use crate::config::{NormalizeConfig, ToneStyle};
use crate::lang::Language;

/// One normalisation step.
pub trait NormalizeStep: Send + Sync {
    /// The name its count is reported under.
    fn name(&self) -> &'static str;
    /// The changed text, or `None` when the step leaves `text` as it is.
    fn apply(&self, text: &str, lang: &Language) -> Option<String>;
}

/// The configured steps in order.
pub struct Normalizer {
    steps: Vec<Box<dyn NormalizeStep>>,
}

impl Normalizer {
    pub fn new(config: &NormalizeConfig) -> Self {
        let mut steps: Vec<Box<dyn NormalizeStep>> = Vec::new();
        if config.remove_invisible {
            steps.push(Box::new(invisible::RemoveInvisible));
        }
        if config.remove_control {
            steps.push(Box::new(control::RemoveControl));
        }
        if config.nfc {
            steps.push(Box::new(unicode::Nfc));
        }
        if config.vi_tone != ToneStyle::Off {
            steps.push(Box::new(vietnamese::ToneMarks::new(config.vi_tone)));
        }
        if config.strip_placeholders {
            steps.push(Box::new(software::StripPlaceholders::new()));
        }
        if config.strip_accelerators {
            steps.push(Box::new(software::StripAccelerators));
        }
        if config.collapse_whitespace {
            steps.push(Box::new(whitespace::CollapseWhitespace));
        }
        Normalizer { steps }
    }

    /// The step names, in the order of the bits [`Normalizer::normalize`] reports.
    pub fn step_names(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.name()).collect()
    }

    /// The normalised text, `None` when no step changes `text`, and a bit mask of the steps
    /// that changed it (bit i = step i).
    pub fn normalize(&self, text: &str, lang: &Language) -> (Option<String>, u32) {
        let mut current: Option<String> = None;
        let mut changed = 0u32;
        for (i, step) in self.steps.iter().enumerate() {
            let input = current.as_deref().unwrap_or(text);
            if let Some(output) = step.apply(input, lang) {
                if output != input {
                    changed |= 1 << i;
                    current = Some(output);
                }
            }
        }
        (current, changed)
    }

    /// The normalised text, as an owned string.
    pub fn normalized(&self, text: &str, lang: &Language) -> String {
        self.normalize(text, lang)
            .0
            .unwrap_or_else(|| text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_steps_compose() {
        let normalizer = Normalizer::new(&NormalizeConfig::default());
        let vi = Language::new("vi");
        // NFD input with a BOM, a zero-width space, a control character and ragged spaces.
        let input = "\u{feff}Ho\u{300}a\u{200b} bi\u{300}nh\u{7}  \t thế  giới ";
        let (text, changed) = normalizer.normalize(input, &vi);
        assert_eq!(text.as_deref(), Some("Hòa bình thế giới"));
        let names = normalizer.step_names();
        for step in ["invisible", "control", "nfc", "whitespace"] {
            let bit = names.iter().position(|n| *n == step).unwrap();
            assert!(changed & (1 << bit) != 0, "{step} should have counted");
        }
        let (same, changed) = normalizer.normalize("Hòa bình", &vi);
        assert_eq!((same, changed), (None, 0));
    }

    #[test]
    fn steps_can_be_switched_off() {
        let config = NormalizeConfig {
            nfc: false,
            collapse_whitespace: false,
            ..NormalizeConfig::default()
        };
        let normalizer = Normalizer::new(&config);
        let text = normalizer.normalized("a\u{300}  b", &Language::new("en"));
        assert_eq!(text, "a\u{300}  b");
    }
}
