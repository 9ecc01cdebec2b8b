//! Shared report rendering, so every Mekong report (tokenizer comparison, evaluation) looks alike:
//! [`Table`]s that render to Markdown, HTML, CSV and JSON with consistently formatted numbers,
//! SVG [`chart`]s drawn with `plotters`, and a [`Document`] that assembles headings, text,
//! tables and charts into one self-contained HTML page and its Markdown twin.
//!
//! Everything renders to `String`s deterministically (same data → byte-identical output);
//! [`write_outputs`] writes the files atomically.

pub mod chart;
pub mod document;
mod escape;
pub mod format;
pub mod table;

pub use chart::{BarChart, Heatmap, LineChart, LineSeries, Series, ShareChart};
pub use document::{Block, Document};
pub use table::{Cell, Table};

use crate::{write_file_atomic, Result};
use std::path::Path;

/// Writes each `(file name, content)` pair into `dir`, every file atomically.
pub fn write_outputs(dir: &Path, files: &[(&str, &str)]) -> Result<()> {
    for (name, content) in files {
        write_file_atomic(&dir.join(name), content.as_bytes())?;
    }
    Ok(())
}
