//! `report.html` in a pipeline's workdir: one page that leads to everything the river produced,
//! the corpus statistics, the tokenizer comparison (its summary table, read from the report's
//! JSON), the training curve (drawn here from the pretrain stage's JSONL log) and the
//! evaluation. Stages that did not run are listed as such.

use crate::{EvalError, Result};
use mekong_common::report::{Cell, Document, LineChart, LineSeries, Table};
use mekong_common::{write_file_atomic, Manifest};
use std::path::{Path, PathBuf};

pub const INDEX_FILE: &str = "report.html";
/// The training curve, also written beside the index for READMEs.
pub const CURVE_FILE: &str = "training_curve.svg";

/// The training loss is drawn as the mean of about this many windows of steps: per-step loss of a
/// small batch is too noisy to read.
const CURVE_POINTS: usize = 100;

/// The artefacts the page links to, relative to the workdir.
const CORPUS_STATS: &str = "corpus/stats.json";
const TOKENIZER_REPORT: &str = "tokenizer-report/report.html";
const TOKENIZER_REPORT_JSON: &str = "tokenizer-report/report.json";
const EVAL_REPORT: &str = "eval/eval.html";
const EVAL_CHART: &str = "eval/bits_per_byte.svg";
const EXPORT_CARD: &str = "export/README.md";

/// Writes `<workdir>/report.html` (and the training curve) and returns its path.
pub fn write(workdir: &Path) -> Result<PathBuf> {
    let mut doc = Document::new("Mekong pipeline report");
    let mut links = Vec::new();
    doc.paragraph(format!(
        "Everything the pipeline wrote in {}.",
        workdir.display()
    ));

    doc.heading(2, "Corpus");
    if workdir.join(CORPUS_STATS).is_file() {
        links.push(("Corpus statistics", CORPUS_STATS));
    }
    match counts_table("Corpus counts", &workdir.join("corpus")) {
        Some(table) => {
            doc.table(table);
        }
        None => {
            doc.paragraph("The corpus stage has not run in this workdir.");
        }
    }

    doc.heading(2, "Tokenizer");
    if workdir.join(TOKENIZER_REPORT).is_file() {
        links.push(("Tokenizer comparison", TOKENIZER_REPORT));
        doc.paragraph(format!(
            "The tokenizer comparison is in {TOKENIZER_REPORT}."
        ));
        if let Some(table) = tokenizer_comparison(&workdir.join(TOKENIZER_REPORT_JSON)) {
            doc.table(table);
        }
    } else {
        doc.paragraph("No tokenizer report in this workdir.");
    }
    if let Some(table) = counts_table("Tokenizer counts", &workdir.join("tokenizer")) {
        doc.table(table);
    }

    doc.heading(2, "Training");
    match training_curve(&workdir.join("pretrain"))? {
        Some(chart) => {
            let svg = chart.to_svg()?;
            write_file_atomic(&workdir.join(CURVE_FILE), svg.as_bytes())?;
            links.push(("Training curve", CURVE_FILE));
            doc.chart(
                svg,
                "Training loss averaged over windows of steps, and validation loss at each \
                 evaluation (from the pretrain stage's JSONL log).",
            );
        }
        None => {
            doc.paragraph("No training log in this workdir.");
        }
    }

    doc.heading(2, "Evaluation");
    if workdir.join(EVAL_REPORT).is_file() {
        links.push(("Evaluation", EVAL_REPORT));
        doc.paragraph(format!(
            "The full evaluation (tables, contamination, samples) is in {EVAL_REPORT}."
        ));
        if let Ok(svg) = std::fs::read_to_string(workdir.join(EVAL_CHART)) {
            doc.chart(
                svg,
                "Bits per byte per language and model (lower is better).",
            );
        }
    } else {
        doc.paragraph("The eval stage has not run in this workdir.");
    }

    doc.heading(2, "Export");
    if workdir.join(EXPORT_CARD).is_file() {
        links.push(("Model card", EXPORT_CARD));
        doc.paragraph(
            "The model is exported as a Hugging Face folder in export/ (transformers loads it with \
             AutoModelForCausalLM and AutoTokenizer); its model card is export/README.md.",
        );
    } else {
        doc.paragraph("The export stage has not run in this workdir.");
    }

    let path = workdir.join(INDEX_FILE);
    write_file_atomic(&path, with_links(&doc.to_html(), &links).as_bytes())?;
    Ok(path)
}

/// The mean step and loss of each run of `window` consecutive points.
fn window_means(points: &[(f64, f64)], window: usize) -> Vec<(f64, f64)> {
    points
        .chunks(window.max(1))
        .map(|chunk| {
            let n = chunk.len() as f64;
            let (steps, losses) = chunk
                .iter()
                .fold((0.0, 0.0), |(s, l), (step, loss)| (s + step, l + loss));
            (steps / n, losses / n)
        })
        .collect()
}

/// Puts a list of links under the page title. The shared [`Document`] renders text only, so the
/// navigation (the one thing this page adds) is spliced in after its `<h1>`.
fn with_links(html: &str, links: &[(&str, &str)]) -> String {
    let mut nav = String::from("<nav><ul>\n");
    for (label, href) in links {
        nav.push_str(&format!(
            "<li><a href=\"{href}\">{label}</a> <code>{href}</code></li>\n"
        ));
    }
    nav.push_str("</ul></nav>\n");
    match html.find("</h1>\n") {
        Some(at) => {
            let split = at + "</h1>\n".len();
            format!("{}{nav}{}", &html[..split], &html[split..])
        }
        None => html.to_string(),
    }
}

/// The numeric counts a stage recorded in its manifest, as a table.
fn counts_table(title: &str, stage_dir: &Path) -> Option<Table> {
    let manifest = Manifest::read(stage_dir).ok()?;
    let mut table = Table::new(title, ["count", "value"]);
    if let serde_json::Value::Object(counts) = &manifest.counts {
        for (key, value) in counts {
            let cell = match value {
                serde_json::Value::Number(n) if n.is_u64() => Cell::from(n.as_u64()? as usize),
                serde_json::Value::Number(n) => Cell::decimal(n.as_f64()?, 3),
                _ => continue,
            };
            table.push_row(vec![Cell::text(key.replace('_', " ")), cell]);
        }
    }
    Some(table)
}

/// The per-tokenizer summary of the tokenizer report (`report.json`: `reference` and
/// `tokenizers[].summary` with `mean_premium`, `max_premium`, `max_premium_language`, `gini`,
/// `over_2x`, `languages`).
fn tokenizer_comparison(report_json: &Path) -> Option<Table> {
    let text = std::fs::read_to_string(report_json).ok()?;
    let report: serde_json::Value = serde_json::from_str(&text).ok()?;
    let reference = report.get("reference")?.as_str()?;
    let mut table = Table::new(
        format!("Token premium against {reference} on the parallel set"),
        [
            "tokenizer",
            "vocabulary",
            "languages",
            "mean premium",
            "max premium",
            "Gini",
            "over 2×",
        ],
    );
    for tokenizer in report.get("tokenizers")?.as_array()? {
        let summary = tokenizer.get("summary")?;
        let number = |key: &str| summary.get(key).and_then(|v| v.as_f64());
        let max = match (
            number("max_premium"),
            summary.get("max_premium_language").and_then(|v| v.as_str()),
        ) {
            (Some(max), Some(lang)) => Cell::text(format!("{max:.2} ({lang})")),
            _ => Cell::missing(),
        };
        table.push_row(vec![
            Cell::text(tokenizer.get("name")?.as_str()?),
            Cell::from(summary.get("vocabulary_size")?.as_u64()? as usize),
            Cell::from(summary.get("languages")?.as_u64()? as usize),
            Cell::optional_decimal(number("mean_premium"), 2),
            max,
            Cell::optional_decimal(number("gini"), 3),
            Cell::from(summary.get("over_2x")?.as_array()?.len()),
        ]);
    }
    Some(table)
}

/// Step and loss of every record of the pretrain stage's `*.jsonl` logs (`train-log.jsonl`:
/// `{"step", "loss", "validation": {"loss", ...} | null, ...}`), with the validation loss as a
/// second line when logged.
fn training_curve(pretrain_dir: &Path) -> Result<Option<LineChart>> {
    let Ok(entries) = std::fs::read_dir(pretrain_dir) else {
        return Ok(None);
    };
    let mut logs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    logs.sort();
    let mut train = Vec::new();
    let mut validation = Vec::new();
    for log in &logs {
        let text = std::fs::read_to_string(log).map_err(|e| EvalError::io(log, e))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            // A line cut short by an interrupted run is skipped, not fatal: the page still shows the rest.
            let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(step) = record.get("step").and_then(|s| s.as_f64()) else {
                continue;
            };
            if let Some(loss) = record.get("loss").and_then(|l| l.as_f64()) {
                train.push((step, loss));
            }
            if let Some(loss) = record
                .get("validation")
                .and_then(|v| v.get("loss"))
                .and_then(|l| l.as_f64())
            {
                validation.push((step, loss));
            }
        }
    }
    if train.is_empty() && validation.is_empty() {
        return Ok(None);
    }
    let mut series = vec![LineSeries {
        name: "training loss (window mean)".into(),
        points: window_means(&train, train.len().div_ceil(CURVE_POINTS)),
    }];
    if !validation.is_empty() {
        series.push(LineSeries {
            name: "validation loss".into(),
            points: validation,
        });
    }
    Ok(Some(LineChart {
        title: "Training curve".into(),
        x_label: "step".into(),
        y_label: "loss (nats per token)".into(),
        series,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_means_average_consecutive_points() {
        let points = [(1.0, 4.0), (2.0, 2.0), (3.0, 3.0), (4.0, 1.0), (5.0, 5.0)];
        assert_eq!(
            window_means(&points, 2),
            vec![(1.5, 3.0), (3.5, 2.0), (5.0, 5.0)]
        );
        assert_eq!(window_means(&points, 1), points.to_vec());
    }
}
