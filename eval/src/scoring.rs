//! Scoring a text with a model: the sliding windows a long token sequence is read in, and the
//! totals every metric derives from.
//!
//! A text becomes the sequence `[start, t1, …, tN]` (the document-start token, then the text's
//! tokens); every text token `t1..tN` is scored exactly once, so the total negative
//! log-likelihood covers every byte of the text. A sequence longer than the window is read in
//! windows of `window` tokens whose ends advance by `stride`: the first window scores all its
//! tokens, each later one scores only the `stride` tokens that the previous windows did not reach,
//! reading them with the `window - stride` tokens before them (or more, when the text's start
//! is closer) as context. A smaller stride gives every token more context and costs
//! `window / stride` times the computation of disjoint windows.

use crate::{EvalError, Result, ScoringModel};
use serde::{Deserialize, Serialize};

/// One window of a sequence: positions `start..end` are read; the targets `score_from..end` are
/// scored (each with all of `start..target` as context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub score_from: usize,
}

/// How long sequences are cut into windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlan {
    /// Tokens read at once (at most the model's context).
    pub window: usize,
    /// Tokens newly scored by each window after the first (`1..window`).
    pub stride: usize,
}

impl WindowPlan {
    /// The default stride is half the window: every token is scored with at least
    /// `window / 2` tokens of context, for twice the work of disjoint windows.
    pub fn with_default_stride(window: usize) -> Self {
        WindowPlan {
            window,
            stride: (window / 2).max(1),
        }
    }

    pub fn validate(&self, max_context: usize) -> Result<()> {
        if self.window < 2 || self.window > max_context {
            return Err(EvalError::Invalid(format!(
                "window {} must be between 2 and the model's context length {max_context}",
                self.window
            )));
        }
        if self.stride == 0 || self.stride >= self.window {
            return Err(EvalError::Invalid(format!(
                "stride {} must be at least 1 and below the window {} (every token needs one token of context in its window)",
                self.stride, self.window
            )));
        }
        Ok(())
    }

    /// The windows covering a sequence of `len` positions (position 0 is the start token and is
    /// never scored). Each target `1..len` is scored by exactly one window.
    pub fn windows(&self, len: usize) -> Vec<Window> {
        let mut windows = Vec::new();
        if len < 2 {
            return windows;
        }
        let mut scored_to = 1;
        let mut end = self.window.min(len);
        loop {
            let start = end.saturating_sub(self.window);
            windows.push(Window {
                start,
                end,
                score_from: scored_to,
            });
            scored_to = end;
            if end == len {
                return windows;
            }
            end = (end + self.stride).min(len);
        }
    }
}

/// Totals for one text under one model; every metric is a ratio of these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TextScore {
    /// Negative log-likelihood of all the text's tokens, in nats.
    pub nll_nats: f64,
    pub tokens: u64,
    /// UTF-8 bytes of the text.
    pub bytes: u64,
}

impl TextScore {
    /// Total negative log-likelihood in bits over the text's UTF-8 bytes: how well the model
    /// predicts the text, independent of how its tokenizer cuts it.
    pub fn bits_per_byte(&self) -> f64 {
        self.nll_nats / std::f64::consts::LN_2 / self.bytes as f64
    }

    /// `exp` of the mean negative log-likelihood per token (depends on the tokenizer).
    pub fn token_perplexity(&self) -> f64 {
        (self.nll_nats / self.tokens as f64).exp()
    }

    pub fn tokens_per_byte(&self) -> f64 {
        self.tokens as f64 / self.bytes as f64
    }

    pub fn add(&mut self, other: TextScore) {
        self.nll_nats += other.nll_nats;
        self.tokens += other.tokens;
        self.bytes += other.bytes;
    }
}

/// Scores `tokens` (the text's tokens, without the start token) of a text of `bytes` UTF-8
/// bytes. Windows go to the model `batch` at a time; `progress` is called with the number of
/// windows done after each batch.
pub fn score_tokens<M: ScoringModel>(
    model: &M,
    start_token: u32,
    tokens: &[u32],
    bytes: u64,
    plan: WindowPlan,
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<TextScore> {
    plan.validate(model.max_context())?;
    let sequence: Vec<u32> = std::iter::once(start_token)
        .chain(tokens.iter().copied())
        .collect();
    let windows = plan.windows(sequence.len());
    let mut nll_nats = 0.0;
    for chunk in windows.chunks(batch.max(1)) {
        let slices: Vec<&[u32]> = chunk.iter().map(|w| &sequence[w.start..w.end]).collect();
        let log_probs = model.target_log_probs(&slices)?;
        for (window, values) in chunk.iter().zip(&log_probs) {
            // values[i] is the log-probability of position start + 1 + i.
            let first = window.score_from - window.start - 1;
            let wanted = window.end - window.score_from;
            let scored = values.get(first..first + wanted).ok_or_else(|| {
                EvalError::Invalid(format!(
                    "the model returned {} log-probabilities for a window of {} tokens",
                    values.len(),
                    window.end - window.start
                ))
            })?;
            nll_nats -= scored.iter().sum::<f64>();
        }
        progress(chunk.len());
    }
    Ok(TextScore {
        nll_nats,
        tokens: tokens.len() as u64,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(plan: WindowPlan, len: usize) -> Vec<usize> {
        let mut targets = Vec::new();
        for w in plan.windows(len) {
            assert!(w.end - w.start <= plan.window);
            assert!(w.start < w.score_from && w.score_from <= w.end);
            targets.extend(w.score_from..w.end);
        }
        targets
    }

    #[test]
    fn every_target_is_scored_once() {
        for window in 2..9 {
            for stride in 1..window {
                let plan = WindowPlan { window, stride };
                for len in 0..40 {
                    let expected: Vec<usize> = (1..len).collect();
                    assert_eq!(covered(plan, len), expected, "{plan:?} len {len}");
                }
            }
        }
    }

    #[test]
    fn later_windows_keep_window_minus_stride_context() {
        let plan = WindowPlan {
            window: 8,
            stride: 3,
        };
        let windows = plan.windows(30);
        assert_eq!(
            windows[0],
            Window {
                start: 0,
                end: 8,
                score_from: 1
            }
        );
        for w in &windows[1..] {
            assert_eq!(w.end - w.start, 8);
            assert!(w.score_from - w.start >= 8 - 3);
        }
    }

    #[test]
    fn bad_plans_are_rejected() {
        assert!(WindowPlan {
            window: 8,
            stride: 8
        }
        .validate(16)
        .is_err());
        assert!(WindowPlan {
            window: 8,
            stride: 0
        }
        .validate(16)
        .is_err());
        assert!(WindowPlan {
            window: 32,
            stride: 4
        }
        .validate(16)
        .is_err());
        assert!(WindowPlan {
            window: 16,
            stride: 4
        }
        .validate(16)
        .is_ok());
    }
}
