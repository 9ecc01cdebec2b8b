//! `stats.json` and the table printed at the end of a run (and by `mekong corpus stats DIR`):
//! per language (pair), segments and bytes in, kept, and dropped by each reason.

use crate::error::{CorpusError, Result};
use crate::DropReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

pub use mekong_common::artefacts::corpus::STATS_FILE;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LangStats {
    pub segments_in: u64,
    /// UTF-8 bytes of the texts as read (both sides of a pair).
    pub bytes_in: u64,
    pub kept: u64,
    /// UTF-8 bytes of the kept texts after normalisation.
    pub bytes_kept: u64,
    /// Segments dropped, by reason ([`DropReason::name`]; a name another version of the stage
    /// wrote is kept as it is).
    pub dropped: BTreeMap<String, u64>,
}

impl LangStats {
    pub(crate) fn add(&mut self, other: &LangStats) {
        self.segments_in += other.segments_in;
        self.bytes_in += other.bytes_in;
        self.kept += other.kept;
        self.bytes_kept += other.bytes_kept;
        for (reason, n) in &other.dropped {
            *self.dropped.entry(reason.clone()).or_default() += n;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStats {
    pub source: String,
    pub langs: String,
    pub segments_in: u64,
    pub kept: u64,
    pub skipped_lines: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Keyed by `src-tgt` for parallel data and by the language tag for monolingual data.
    pub languages: BTreeMap<String, LangStats>,
    pub sources: Vec<SourceStats>,
    /// How many texts (sides) each normalisation step changed.
    pub normalize: BTreeMap<String, u64>,
    /// Input lines skipped as bad input (`skip_bad_lines`).
    pub skipped_lines: u64,
}

impl Stats {
    pub fn total(&self) -> LangStats {
        let mut total = LangStats::default();
        for stats in self.languages.values() {
            total.add(stats);
        }
        total
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("stats always serialise");
        text.push('\n');
        let path = dir.join(STATS_FILE);
        std::fs::write(&path, text).map_err(|e| CorpusError::io(&path, e))
    }

    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(STATS_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| CorpusError::io(&path, e))?;
        serde_json::from_str(&text)
            .map_err(|e| CorpusError::bad_file(&path, format!("not a corpus stats file: {e}")))
    }

    /// The per-language table, one column per drop reason that occurred.
    pub fn render_table(&self) -> String {
        let mut reasons: Vec<&str> = DropReason::ALL
            .iter()
            .map(|r| r.name())
            .filter(|r| self.languages.values().any(|l| l.dropped.contains_key(*r)))
            .collect();
        // Reasons written by another version of the stage still show up.
        for l in self.languages.values() {
            for r in l.dropped.keys() {
                if !reasons.contains(&r.as_str()) {
                    reasons.push(r);
                }
            }
        }
        let mut header = vec![
            "language".to_string(),
            "segments in".into(),
            "MB in".into(),
            "kept".into(),
            "kept %".into(),
            "MB kept".into(),
        ];
        header.extend(reasons.iter().map(|r| r.to_string()));
        let row = |name: &str, s: &LangStats| {
            let mut cells = vec![
                name.to_string(),
                s.segments_in.to_string(),
                format!("{:.2}", s.bytes_in as f64 / 1e6),
                s.kept.to_string(),
                format!("{:.1}", 100.0 * s.kept as f64 / s.segments_in.max(1) as f64),
                format!("{:.2}", s.bytes_kept as f64 / 1e6),
            ];
            cells.extend(
                reasons
                    .iter()
                    .map(|r| s.dropped.get(*r).copied().unwrap_or(0).to_string()),
            );
            cells
        };
        let mut rows = vec![header];
        rows.extend(self.languages.iter().map(|(name, s)| row(name, s)));
        rows.push(row("total", &self.total()));
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for (i, cells) in rows.iter().enumerate() {
            let line: Vec<String> = cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, w))| {
                    if c == 0 {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
            if i == 0 || i == rows.len() - 2 {
                let rule: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                let _ = writeln!(out, "{}", "-".repeat(rule));
            }
        }
        if self.skipped_lines > 0 {
            let _ = writeln!(out, "skipped bad input lines: {}", self.skipped_lines);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_reasons_that_occurred() {
        let mut stats = Stats::default();
        let vi = stats.languages.entry("vi".into()).or_default();
        vi.segments_in = 10;
        vi.kept = 7;
        vi.dropped.insert("duplicate".into(), 2);
        vi.dropped.insert("length".into(), 1);
        let table = stats.render_table();
        assert!(table.contains("length") && table.contains("duplicate"));
        assert!(!table.contains("langid"));
        assert!(table
            .lines()
            .any(|l| l.starts_with("total") && l.contains("70.0")));
    }
}
