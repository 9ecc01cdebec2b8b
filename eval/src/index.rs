//! `report.html` in a pipeline's workdir: one page that leads to everything the river produced,
//! the corpus statistics, the tokenizer comparison (its summary table, read from the report's
//! JSON), the training curve (drawn here from the pretrain stage's JSONL log) and the
//! evaluation. Stages that did not run are listed as such.

use crate::Result;
use mekong_common::artefacts::{corpus, eval, export, pretrain, tokenizer, tokenizer_report};
use mekong_common::report::{Cell, Document, LineChart, LineSeries, Table};
use mekong_common::{write_file_atomic, Manifest};
use mekong_pretrain::training::StepLog;
use mekong_tokenizer::report::ReportSummaries;
use std::path::{Path, PathBuf};

pub const INDEX_FILE: &str = "report.html";
/// The training curve, also written beside the index for READMEs.
pub const CURVE_FILE: &str = "training_curve.svg";

/// The training loss is drawn as the mean of about this many windows of steps: per-step loss of a
/// small batch is too noisy to read.
const CURVE_POINTS: usize = 100;

/// A link of the page's navigation: its label, and the file relative to the workdir.
type Link = (&'static str, String);

/// `stage/file`, relative to the workdir: how the page links to a stage's artefact.
fn artefact(stage: &str, file: &str) -> String {
    format!("{stage}/{file}")
}

/// Writes `<workdir>/report.html` (and the training curve) and returns its path.
pub fn write(workdir: &Path) -> Result<PathBuf> {
    let mut doc = Document::new("Mekong pipeline report");
    let mut links = Vec::new();
    doc.paragraph(format!(
        "Everything the pipeline wrote in {}.",
        workdir.display()
    ));
    corpus_section(&mut doc, &mut links, workdir);
    tokenizer_section(&mut doc, &mut links, workdir);
    training_section(&mut doc, &mut links, workdir)?;
    eval_section(&mut doc, &mut links, workdir);
    export_section(&mut doc, &mut links, workdir);
    let path = workdir.join(INDEX_FILE);
    write_file_atomic(&path, with_links(&doc.to_html(), &links).as_bytes())?;
    Ok(path)
}

fn corpus_section(doc: &mut Document, links: &mut Vec<Link>, workdir: &Path) {
    doc.heading(2, "Corpus");
    let stats = artefact(corpus::STAGE, corpus::STATS_FILE);
    if workdir.join(&stats).is_file() {
        links.push(("Corpus statistics", stats));
    }
    match counts_table("Corpus counts", &workdir.join(corpus::STAGE)) {
        Some(table) => doc.table(table),
        None => doc.paragraph("The corpus stage has not run in this workdir."),
    };
}

fn tokenizer_section(doc: &mut Document, links: &mut Vec<Link>, workdir: &Path) {
    doc.heading(2, "Tokenizer");
    let report = artefact(tokenizer_report::STAGE, tokenizer_report::HTML_FILE);
    if workdir.join(&report).is_file() {
        doc.paragraph(format!("The tokenizer comparison is in {report}."));
        links.push(("Tokenizer comparison", report));
        let json = workdir.join(artefact(
            tokenizer_report::STAGE,
            tokenizer_report::JSON_FILE,
        ));
        match ReportSummaries::read(&json) {
            Ok(summaries) => doc.table(tokenizer_comparison(&summaries)),
            // Said on the page: a table left out silently would read as "nothing to show".
            Err(error) => doc.paragraph(format!(
                "The comparison table cannot be shown: {}.",
                mekong_common::error_chain(&error)
            )),
        };
    } else {
        doc.paragraph("No tokenizer report in this workdir.");
    }
    if let Some(table) = counts_table("Tokenizer counts", &workdir.join(tokenizer::STAGE)) {
        doc.table(table);
    }
}

fn training_section(doc: &mut Document, links: &mut Vec<Link>, workdir: &Path) -> Result<()> {
    doc.heading(2, "Training");
    let log = workdir.join(pretrain::STAGE).join(pretrain::LOG_FILE);
    match training_curve(&log) {
        Some(chart) => {
            let svg = chart.to_svg()?;
            write_file_atomic(&workdir.join(CURVE_FILE), svg.as_bytes())?;
            links.push(("Training curve", CURVE_FILE.to_string()));
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
    Ok(())
}

fn eval_section(doc: &mut Document, links: &mut Vec<Link>, workdir: &Path) {
    doc.heading(2, "Evaluation");
    let report = artefact(eval::STAGE, eval::HTML_FILE);
    if workdir.join(&report).is_file() {
        doc.paragraph(format!(
            "The full evaluation (tables, contamination, samples) is in {report}."
        ));
        links.push(("Evaluation", report));
        let chart = workdir.join(artefact(eval::STAGE, eval::CHART_FILE));
        if let Ok(svg) = std::fs::read_to_string(chart) {
            doc.chart(
                svg,
                "Bits per byte per language and model (lower is better).",
            );
        }
    } else {
        doc.paragraph("The eval stage has not run in this workdir.");
    }
}

fn export_section(doc: &mut Document, links: &mut Vec<Link>, workdir: &Path) {
    doc.heading(2, "Export");
    let card = artefact(export::STAGE, export::CARD_FILE);
    if workdir.join(&card).is_file() {
        doc.paragraph(format!(
            "The model is exported as a Hugging Face folder in {}/ (transformers loads it with \
             AutoModelForCausalLM and AutoTokenizer); its model card is {card}.",
            export::STAGE
        ));
        links.push(("Model card", card));
    } else {
        doc.paragraph("The export stage has not run in this workdir.");
    }
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
fn with_links(html: &str, links: &[Link]) -> String {
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

/// The per-tokenizer summary of the tokenizer report.
fn tokenizer_comparison(report: &ReportSummaries) -> Table {
    let mut table = Table::new(
        format!(
            "Token premium against {} on the parallel set",
            report.reference
        ),
        [
            "tokenizer",
            "vocabulary",
            "languages",
            "mean premium",
            "max premium",
            "Gini",
            "Gini from sampling alone",
            "over 2×",
        ],
    );
    for tokenizer in &report.tokenizers {
        let summary = &tokenizer.summary;
        let max = match (summary.max_premium, &summary.max_premium_language) {
            (Some(max), Some(lang)) => Cell::text(format!("{max:.2} ({lang})")),
            _ => Cell::missing(),
        };
        table.push_row(vec![
            Cell::text(&tokenizer.name),
            Cell::from(summary.vocabulary_size),
            Cell::from(summary.languages),
            Cell::optional_decimal(summary.mean_premium, 2),
            max,
            Cell::optional_decimal(summary.gini, 3),
            Cell::optional_decimal(summary.gini_noise_floor, 3),
            Cell::from(summary.over_2x.len()),
        ]);
    }
    table
}

/// The training curve from the pretrain stage's log: the loss of every step (as window means)
/// and the validation loss where one was measured. `None` without a readable log.
fn training_curve(log: &Path) -> Option<LineChart> {
    let text = std::fs::read_to_string(log).ok()?;
    let mut train = Vec::new();
    let mut validation = Vec::new();
    // A line cut short by an interrupted run is skipped, not fatal: the page still shows the rest.
    for record in text
        .lines()
        .filter_map(|line| serde_json::from_str::<StepLog>(line).ok())
    {
        let step = record.step as f64;
        train.push((step, record.loss));
        if let Some(measured) = record.validation {
            validation.push((step, measured.loss));
        }
    }
    if train.is_empty() {
        return None;
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
    Some(LineChart {
        title: "Training curve".into(),
        x_label: "step".into(),
        y_label: "loss (nats per token)".into(),
        series,
    })
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
