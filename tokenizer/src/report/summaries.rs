//! `report.json` read back by other tools (the pipeline's index page): the reference language
//! and each tokenizer's [`TokenizerSummary`], through the types the report is written from, so
//! a renamed field is a failed read, not a table silently left out.

use super::error::{ReportError, Result};
use super::metrics::TokenizerSummary;
use serde::Deserialize;
use std::path::Path;

/// The summaries of a written report.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportSummaries {
    /// The language premiums are measured against.
    pub reference: String,
    pub tokenizers: Vec<TokenizerEntry>,
}

/// One compared tokenizer.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenizerEntry {
    pub name: String,
    pub summary: TokenizerSummary,
}

impl ReportSummaries {
    /// Reads the summaries of `report.json` at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
        serde_json::from_str(&text).map_err(|source| ReportError::BadReportJson {
            path: path.to_path_buf(),
            source,
        })
    }
}
