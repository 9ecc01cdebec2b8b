//! The eval report: `eval.md`, `eval.html` (with the bits-per-byte chart inline),
//! `eval.json` (every number at full precision), and the chart alone as `bits_per_byte.svg`
//! for a README. Rendered with the shared report module, so it looks like the tokenizer report.

use crate::config::EvalConfig;
use crate::results::{ContaminationResult, EvalResults};
use crate::Result;
use mekong_common::report::{BarChart, Cell, Document, Series, Table};
use serde::{Deserialize, Serialize};

pub const MARKDOWN_FILE: &str = "eval.md";
pub use mekong_common::artefacts::eval::{CHART_FILE, HTML_FILE, JSON_FILE};

/// `eval.json`: what was measured, and the settings it was measured with. Other stages (the
/// export's model card) read it with this type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalJson {
    pub results: EvalResults,
    pub settings: EvalConfig,
}

/// `(file name, content)` of every report file.
pub fn render(results: &EvalResults, config: &EvalConfig) -> Result<Vec<(&'static str, String)>> {
    let chart = bits_per_byte_chart(results).to_svg()?;
    let document = document(results, config, &chart);
    let json = EvalJson {
        results: results.clone(),
        settings: config.clone(),
    };
    let mut json = serde_json::to_string_pretty(&json).expect("results serialise");
    json.push('\n');
    Ok(vec![
        (MARKDOWN_FILE, document.to_markdown()),
        (HTML_FILE, document.to_html()),
        (JSON_FILE, json),
        (CHART_FILE, chart),
    ])
}

fn languages(results: &EvalResults) -> Vec<String> {
    results.texts.iter().map(|t| t.lang.clone()).collect()
}

fn bits_per_byte_chart(results: &EvalResults) -> BarChart {
    BarChart {
        title: "Bits per byte (lower is better)".into(),
        y_label: "bits per byte".into(),
        categories: languages(results),
        series: results
            .models
            .iter()
            .map(|m| {
                Series::new(
                    &m.name,
                    m.scores.iter().map(|s| Some(s.bits_per_byte)).collect(),
                )
            })
            .collect(),
        reference: None,
    }
}

fn document(results: &EvalResults, config: &EvalConfig, chart: &str) -> Document {
    let mut doc = Document::new("Mekong evaluation");
    doc.paragraph(
        "Bits per byte is the model's total negative log-likelihood of a text, in bits, divided by the \
         text's UTF-8 bytes: it does not depend on the tokenizer, so models with different tokenizers \
         and different languages compare directly. Token perplexity and tokens per byte depend on the \
         tokenizer and are shown for reference.",
    );
    bits_per_byte_section(&mut doc, results, chart);
    details_section(&mut doc, results);
    models_section(&mut doc, results);
    if let Some(contamination) = &results.contamination {
        contamination_section(&mut doc, contamination);
    }
    if results.models.iter().any(|m| !m.samples.is_empty()) {
        samples_section(&mut doc, results, config);
    }
    doc
}

/// The headline: bits per byte per language and model, as a table and a chart.
fn bits_per_byte_section(doc: &mut Document, results: &EvalResults, chart: &str) {
    doc.heading(2, "Bits per byte");
    let mut table = Table::new(
        "Bits per byte per language",
        std::iter::once("language".to_string())
            .chain(results.models.iter().map(|m| m.name.clone())),
    );
    for (i, text) in results.texts.iter().enumerate() {
        let mut row = vec![Cell::text(&text.lang)];
        row.extend(
            results
                .models
                .iter()
                .map(|m| Cell::decimal(m.scores[i].bits_per_byte, 3)),
        );
        table.push_row(row);
    }
    table.note(
        "Lower is better. Each text is scored as one stream of its segments joined by newlines.",
    );
    doc.table(table);
    doc.chart(
        chart.to_string(),
        "Bits per byte per language and model (lower is better).",
    );
}

/// Bytes, tokens, tokens per byte and token perplexity per model and language.
fn details_section(doc: &mut Document, results: &EvalResults) {
    doc.heading(2, "Details");
    let mut details = Table::new(
        "Per model and language",
        [
            "model",
            "language",
            "bytes",
            "tokens",
            "tokens per byte",
            "token perplexity",
            "bits per byte",
        ],
    );
    for model in &results.models {
        for (score, text) in model.scores.iter().zip(&results.texts) {
            details.push_row(vec![
                Cell::text(&model.name),
                Cell::text(&score.lang),
                Cell::from(text.bytes as usize),
                Cell::from(score.totals.tokens as usize),
                Cell::decimal(score.tokens_per_byte, 3),
                Cell::decimal(score.token_perplexity, 2),
                Cell::decimal(score.bits_per_byte, 4),
            ]);
        }
    }
    doc.table(details);
}

/// The models (checkpoint, step, size, windows) and the texts they were scored on.
fn models_section(doc: &mut Document, results: &EvalResults) {
    doc.heading(2, "Models");
    let mut models = Table::new(
        "",
        [
            "model",
            "checkpoint",
            "step",
            "parameters",
            "vocabulary",
            "context",
            "window",
            "stride",
        ],
    );
    for m in &results.models {
        models.push_row(vec![
            Cell::text(&m.name),
            Cell::text(m.checkpoint.display().to_string()),
            Cell::from(m.step as usize),
            Cell::from(m.parameters),
            Cell::from(m.vocab_size),
            Cell::from(m.context),
            Cell::from(m.window.window),
            Cell::from(m.window.stride),
        ]);
    }
    models.note(
        "Texts longer than the window are read in windows whose ends advance by the stride: every token \
         is scored once, with at least window − stride tokens of context.",
    );
    doc.table(models);

    let mut texts = Table::new(
        "Evaluation texts",
        ["language", "segments", "bytes", "source"],
    );
    for t in &results.texts {
        texts.push_row(vec![
            Cell::text(&t.lang),
            Cell::from(t.segments),
            Cell::from(t.bytes as usize),
            Cell::text(t.source.display().to_string()),
        ]);
    }
    doc.table(texts);
}

/// How much of each evaluation text the training corpus holds.
fn contamination_section(doc: &mut Document, contamination: &ContaminationResult) {
    doc.heading(2, "Contamination");
    doc.paragraph(format!(
        "How much of each evaluation text appears in the training corpus {} ({} shards), after \
         NFC, lower-casing and white-space normalisation on both sides.",
        contamination.corpus.display(),
        contamination.shards
    ));
    let n = contamination.ngram_chars;
    let mut table = Table::new(
        "Overlap with the training corpus",
        [
            "language".to_string(),
            "segments".into(),
            "exact segments".into(),
            "exact share".into(),
            format!("segments sharing a {n}-char n-gram"),
            format!("{n}-char n-grams found"),
        ],
    );
    for c in &contamination.texts {
        table.push_row(vec![
            Cell::text(&c.lang),
            Cell::from(c.segments),
            Cell::from(c.exact_segments),
            Cell::percent(c.exact_share(), 1),
            Cell::from(c.segments_with_ngram),
            if c.ngrams == 0 {
                Cell::missing_because(format!("no segment has {n} characters"))
            } else {
                Cell::percent(c.ngram_share(), 1)
            },
        ]);
    }
    table.note(format!(
        "Segments shorter than {n} characters count only as exact matches (— : no segment is that long). \
         A high share means the bits per byte of that language partly measure memory, not generalisation."
    ));
    doc.table(table);
}

/// What each model writes after each prompt, and how it was sampled.
fn samples_section(doc: &mut Document, results: &EvalResults, config: &EvalConfig) {
    doc.heading(2, "Samples");
    let s = &config.sampling;
    let how = if s.temperature == 0.0 {
        "greedy".to_string()
    } else {
        format!(
            "temperature {}, top-k {}, top-p {}, seed {}",
            s.temperature,
            if s.top_k == 0 {
                "off".to_string()
            } else {
                s.top_k.to_string()
            },
            s.top_p,
            s.seed
        )
    };
    doc.paragraph(format!(
        "Up to {} new tokens per prompt, {how}.",
        s.max_new_tokens
    ));
    for model in &results.models {
        let mut table = Table::new(model.name.clone(), ["prompt", "continuation", "tokens"]);
        for sample in &model.samples {
            table.push_row(vec![
                Cell::text(&sample.prompt),
                Cell::text(&sample.continuation),
                Cell::from(sample.tokens),
            ]);
        }
        doc.table(table);
    }
}
