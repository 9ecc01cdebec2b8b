//! What the tokenize and train steps print when they end, the same from the command line and
//! from a pipeline.

use crate::tokenize::TokenizeSummary;
use crate::training::TrainSummary;
use std::fmt::Write as _;
use std::path::Path;

impl TokenizeSummary {
    /// One line of totals.
    pub fn short_text(&self) -> String {
        format!(
            "tokenized {} documents from {} file(s) in {:.1}s\n",
            self.meta.documents(),
            self.files,
            self.seconds
        )
    }

    /// Where the shards went, and documents, tokens and bytes per token per split and language.
    pub fn text(&self, output: &Path) -> String {
        let mut text = format!(
            "tokenized {} file(s) in {:.1}s → {}\n",
            self.files,
            self.seconds,
            output.display()
        );
        for (split, langs) in &self.meta.splits {
            for (lang, counts) in langs {
                let _ = writeln!(
                    text,
                    "  {split:<10} {lang:<8} {:>9} docs {:>12} tokens {:>6.2} bytes/token",
                    counts.documents,
                    counts.tokens,
                    counts.bytes as f64 / counts.tokens.max(1) as f64
                );
            }
        }
        text
    }
}

impl TrainSummary {
    /// Steps, speed, the last loss, validation per language and the checkpoint written.
    pub fn text(&self) -> String {
        let mut text = format!(
            "trained steps {}..={} on {} ({} parameters, seq_len {}) in {:.1}s, {:.0} tokens/s\n",
            self.first_step,
            self.last_step,
            self.device,
            self.params,
            self.seq_len,
            self.seconds,
            self.tokens_per_sec
        );
        let _ = writeln!(
            text,
            "  tokens seen {}  last loss {:.4}",
            self.tokens, self.last_loss
        );
        if let Some(v) = &self.validation {
            let _ = writeln!(
                text,
                "  validation loss {:.4}  bits/byte {:.4}",
                v.loss, v.bits_per_byte
            );
            for (lang, (loss, bpb)) in &v.languages {
                let _ = writeln!(text, "    {lang:<8} loss {loss:.4}  bits/byte {bpb:.4}");
            }
        }
        let _ = writeln!(text, "  checkpoint {}", self.checkpoint.display());
        text
    }
}
