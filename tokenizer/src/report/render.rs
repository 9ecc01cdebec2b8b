//! The report's files, built with the shared renderer (`mekong_common::report`) so they look
//! like the evaluation report: `report.md` (tables to paste into a paper), `report.html`
//! (self-contained, with SVG charts), `report.json` (every number, full precision),
//! `report.csv` (one row per tokenizer × language) and `report-summary.csv` (one per tokenizer).

use super::error::Result;
use super::metrics::{LanguageMetrics, RENYI_ALPHA};
use super::scripts;
use super::stage::Report;
use crate::statistics::Z_95;
use mekong_common::report::{
    write_outputs, BarChart, Cell, Document, Heatmap, Series, ShareChart, Table,
};
use std::path::{Path, PathBuf};

/// How many scripts the vocabulary chart shows by name; the rest are summed as "other".
const CHART_SCRIPTS: usize = 8;

/// Writes every file into `dir` and returns their names.
pub fn write(report: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    let document = document(report)?;
    let json =
        serde_json::to_string_pretty(&to_json(report)).expect("report JSON serialises") + "\n";
    let files = [
        ("report.md", document.to_markdown()),
        ("report.html", document.to_html()),
        ("report.json", json),
        ("report.csv", detail_table(report).to_csv()),
        ("report-summary.csv", summary_table(report).to_csv()),
    ];
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    write_outputs(dir, &borrowed)?;
    Ok(files.iter().map(|(name, _)| PathBuf::from(name)).collect())
}

fn definitions() -> Vec<String> {
    vec![
        "Text is NFC-normalised before counting; tokenizers encode each line without special tokens and without truncation.".into(),
        "Premium: a language's tokens ÷ the reference language's tokens on the same segments (segments empty in either are left out) — Petrov et al. 2023.".into(),
        "Premium ± (95 %): 1.96 standard errors of the premium as a ratio of sums over its segments (delta method): another sample of as many segments of the same kind of text would land within it 95 % of the time. Two premiums closer than that are not told apart by this set.".into(),
        "Bytes/token and chars/token: UTF-8 bytes and Unicode characters of the text per token (higher = more compression); tokens/char is the inverse.".into(),
        "Fertility: tokens per word, words by Unicode word boundaries (UAX #29); continued words: share of words split into two or more tokens — Rust et al. 2021. For scripts written without spaces (Han, Japanese kana, Thai, Lao, Khmer, Myanmar, Tibetan, …) word boundaries are not words, so both are left blank: read tokens/char instead.".into(),
        format!("Rényi efficiency: Rényi entropy (α = {RENYI_ALPHA}) of the token distribution ÷ log of the vocabulary size — Zouhar et al. 2023."),
        "Vocabulary utilisation: distinct token ids used ÷ vocabulary size.".into(),
        "Unknown rate: unknown tokens ÷ tokens. Byte-fallback rate: byte tokens (<0xNN>) and byte-level pieces of a character ÷ tokens.".into(),
        "Gini: Σᵢ Σⱼ |cᵢ − cⱼ| / (2 n² μ) over the languages' token counts on the segments each shares with the reference, scaled by the reference's count there (i.e. over the premiums; the same as over raw counts when every language has every segment). 0 = every language costs the same.".into(),
        "Gini from sampling alone: the Gini that premiums all truly equal would show on this set, given each premium's standard error (Σᵢ Σⱼ √(2/π) √(sᵢ² + sⱼ²) / (2 n²), independent normal errors). A Gini near it is as even as the set can tell.".into(),
    ]
}

fn document(report: &Report) -> Result<Document> {
    let mut doc = Document::new("Tokenizer comparison");
    doc.paragraph(format!(
        "Parallel set {} ({} layout): {} languages × {} aligned lines, NFC-normalised. Reference language: {}. Tokenizers: {}.",
        report.parallel.dir.display(),
        format!("{:?}", report.parallel.layout).to_lowercase(),
        report.languages.len(),
        report.parallel.lines,
        report.reference,
        report
            .tokenizers
            .iter()
            .map(|t| format!("{} ({})", t.name, t.source))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    doc.heading(2, "Summary").table(summary_table(report));

    doc.heading(2, "Premium per language")
        .chart(
            premium_chart(report).to_svg()?,
            "Premium per language and tokenizer (1.0 = as many tokens as the reference)",
        )
        .chart(
            premium_heatmap(report).to_svg()?,
            "Premium, tokenizer × language",
        )
        .table(premium_table(report));

    doc.heading(2, "Vocabulary per script")
        .chart(
            script_chart(report).to_svg()?,
            "Share of each vocabulary by the script its tokens write",
        )
        .table(script_table(report));

    doc.heading(2, "All metrics per tokenizer and language")
        .table(detail_table(report));

    let missing: Vec<String> = report
        .tokenizers
        .iter()
        .flat_map(|t| {
            t.summary
                .missing
                .iter()
                .map(move |m| format!("{} × {}: {}", t.name, m.language, m.reason))
        })
        .collect();
    doc.heading(2, "Missing results");
    if missing.is_empty() {
        doc.paragraph("None: every tokenizer has a result for every language.");
    } else {
        doc.paragraph("These tokenizer × language pairs have no premium; they are left out of the summaries above.")
            .list(missing);
    }
    doc.heading(2, "Definitions").list(definitions());
    Ok(doc)
}

fn optional(value: Option<f64>, decimals: usize) -> Cell {
    Cell::optional_decimal(value, decimals)
}

fn optional_percent(value: Option<f64>, decimals: usize) -> Cell {
    value.map_or_else(Cell::missing, |v| Cell::percent(v, decimals))
}

fn list_or_none(items: &[String]) -> Cell {
    if items.is_empty() {
        Cell::text("none")
    } else {
        Cell::text(format!("{} ({})", items.len(), items.join(", ")))
    }
}

fn summary_table(report: &Report) -> Table {
    let mut table = Table::new(
        "Per tokenizer",
        [
            "tokenizer",
            "vocabulary",
            "languages",
            "missing",
            "mean premium",
            "max premium",
            "max premium language",
            "Gini",
            "Gini from sampling alone",
            "over 2×",
            "over 4×",
            "vocabulary used",
        ],
    );
    for t in &report.tokenizers {
        let s = &t.summary;
        table.push_row(vec![
            t.name.as_str().into(),
            t.vocabulary_size.into(),
            s.languages.into(),
            s.missing.len().into(),
            optional(s.mean_premium, 2),
            optional(s.max_premium, 2),
            s.max_premium_language
                .clone()
                .map_or_else(Cell::missing, Cell::Text),
            optional(s.gini, 3),
            optional(s.gini_noise_floor, 3),
            list_or_none(&s.over_2x),
            list_or_none(&s.over_4x),
            Cell::percent(s.vocabulary_utilisation, 1),
        ]);
    }
    table.note(format!(
        "Premiums relative to {}; text NFC-normalised.",
        report.reference
    ));
    table
}

fn language_label(report: &Report, index: usize) -> String {
    let language = &report.languages[index];
    match &language.name {
        Some(name) => format!("{} ({name})", language.code),
        None => language.code.clone(),
    }
}

fn premium(report: &Report, t: usize, l: usize) -> Option<f64> {
    report.results[t][l].as_ref().ok().and_then(|m| m.premium)
}

fn premium_table(report: &Report) -> Table {
    let columns = std::iter::once("language".to_string())
        .chain(report.tokenizers.iter().map(|t| t.name.clone()));
    let mut table = Table::new("Premium (tokens ÷ reference tokens)", columns);
    for l in 0..report.languages.len() {
        let mut row = vec![Cell::text(language_label(report, l))];
        for t in 0..report.tokenizers.len() {
            row.push(match &report.results[t][l] {
                Ok(m) => optional(m.premium, 2),
                Err(reason) => Cell::missing_because(reason.clone()),
            });
        }
        table.push_row(row);
    }
    table
}

fn premium_chart(report: &Report) -> BarChart {
    BarChart {
        title: format!("Premium relative to {}", report.reference),
        y_label: "premium".into(),
        categories: report.languages.iter().map(|l| l.code.clone()).collect(),
        series: report
            .tokenizers
            .iter()
            .enumerate()
            .map(|(t, info)| {
                let values = (0..report.languages.len())
                    .map(|l| premium(report, t, l))
                    .collect();
                Series::new(info.name.clone(), values)
            })
            .collect(),
        reference: Some(1.0),
    }
}

fn premium_heatmap(report: &Report) -> Heatmap {
    Heatmap {
        title: "Premium".into(),
        rows: report.tokenizers.iter().map(|t| t.name.clone()).collect(),
        columns: report.languages.iter().map(|l| l.code.clone()).collect(),
        values: (0..report.tokenizers.len())
            .map(|t| {
                (0..report.languages.len())
                    .map(|l| premium(report, t, l))
                    .collect()
            })
            .collect(),
        decimals: 2,
    }
}

/// Scripts in order of their largest share in any vocabulary.
fn ranked_scripts(report: &Report) -> Vec<String> {
    let mut best: Vec<(String, f64)> = Vec::new();
    for share in report.tokenizers.iter().flat_map(|t| &t.scripts) {
        match best.iter_mut().find(|(s, _)| *s == share.script) {
            Some((_, b)) => *b = b.max(share.share),
            None => best.push((share.script.clone(), share.share)),
        }
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    best.into_iter().map(|(s, _)| s).collect()
}

fn share_of(report: &Report, t: usize, script: &str) -> f64 {
    report.tokenizers[t]
        .scripts
        .iter()
        .find(|s| s.script == script)
        .map_or(0.0, |s| s.share)
}

fn script_chart(report: &Report) -> ShareChart {
    let ranked = ranked_scripts(report);
    let (shown, rest) = ranked.split_at(ranked.len().min(CHART_SCRIPTS));
    let tokenizers = 0..report.tokenizers.len();
    let mut parts: Vec<Series> = shown
        .iter()
        .map(|script| {
            let values = tokenizers
                .clone()
                .map(|t| Some(share_of(report, t, script)))
                .collect();
            Series::new(script.clone(), values)
        })
        .collect();
    if !rest.is_empty() {
        let values = tokenizers
            .map(|t| Some(rest.iter().map(|s| share_of(report, t, s)).sum()))
            .collect();
        parts.push(Series::new(format!("{} other scripts", rest.len()), values));
    }
    ShareChart {
        title: "Vocabulary share per script".into(),
        categories: report.tokenizers.iter().map(|t| t.name.clone()).collect(),
        parts,
        stacked: true,
    }
}

fn script_table(report: &Report) -> Table {
    let columns = std::iter::once("script".to_string())
        .chain(report.tokenizers.iter().map(|t| t.name.clone()));
    let mut table = Table::new("Share of the vocabulary per script", columns);
    for script in ranked_scripts(report) {
        let mut row = vec![Cell::text(script.as_str())];
        for t in &report.tokenizers {
            row.push(match t.scripts.iter().find(|s| s.script == script) {
                Some(share) => Cell::percent(share.share, 2),
                None => Cell::percent(0.0, 2),
            });
        }
        table.push_row(row);
    }
    table.note(format!(
        "A token counts for the script most of its characters belong to; \"{}\" are tokens without letters, \"{}\" byte pieces and byte-fallback tokens.",
        scripts::COMMON,
        scripts::BYTES
    ));
    table
}

const DETAIL_COLUMNS: [&str; 19] = [
    "tokenizer",
    "language",
    "name",
    "script",
    "lines",
    "aligned lines",
    "tokens",
    "premium",
    "premium ± (95 %)",
    "bytes/token",
    "chars/token",
    "tokens/char",
    "fertility",
    "continued words",
    "Rényi efficiency",
    "vocabulary used",
    "unknown rate",
    "byte-fallback rate",
    "missing reason",
];

fn detail_table(report: &Report) -> Table {
    let mut table = Table::new("Per tokenizer × language", DETAIL_COLUMNS);
    for (t, tokenizer) in report.tokenizers.iter().enumerate() {
        for (l, language) in report.languages.iter().enumerate() {
            let mut row = vec![
                tokenizer.name.as_str().into(),
                language.code.as_str().into(),
                language.name.clone().map_or_else(Cell::missing, Cell::Text),
                language.script.as_str().into(),
            ];
            match &report.results[t][l] {
                Ok(m) => {
                    row.extend(metric_cells(m));
                    row.push(Cell::missing());
                }
                Err(reason) => {
                    row.extend((0..DETAIL_COLUMNS.len() - 5).map(|_| Cell::missing()));
                    row.push(Cell::text(reason.as_str()));
                }
            }
            table.push_row(row);
        }
    }
    table.note("Fertility and continued words are blank for scripts written without spaces.");
    table
}

fn metric_cells(m: &LanguageMetrics) -> Vec<Cell> {
    vec![
        m.lines.into(),
        m.aligned_lines.into(),
        Cell::Integer(i64::try_from(m.tokens).unwrap_or(i64::MAX)),
        optional(m.premium, 2),
        optional(m.premium_standard_error.map(|se| Z_95 * se), 2),
        optional(m.bytes_per_token, 2),
        optional(m.chars_per_token, 2),
        optional(m.tokens_per_char, 3),
        optional(m.fertility, 2),
        optional_percent(m.continued_words, 1),
        optional(m.renyi_efficiency, 3),
        Cell::percent(m.vocabulary_utilisation, 2),
        optional_percent(m.unknown_rate, 2),
        optional_percent(m.byte_fallback_rate, 2),
    ]
}

/// Every number, full precision: the report's facts plus one entry per tokenizer × language
/// (its metrics, or `missing` with the reason).
fn to_json(report: &Report) -> serde_json::Value {
    let results: Vec<serde_json::Value> = report
        .tokenizers
        .iter()
        .enumerate()
        .flat_map(|(t, tokenizer)| {
            report
                .languages
                .iter()
                .enumerate()
                .map(move |(l, language)| {
                    let mut entry = serde_json::json!({
                        "tokenizer": tokenizer.name,
                        "language": language.code,
                    });
                    match &report.results[t][l] {
                        Ok(m) => {
                            entry["metrics"] = serde_json::to_value(m).expect("metrics serialise")
                        }
                        Err(reason) => entry["missing"] = serde_json::json!(reason),
                    }
                    entry
                })
        })
        .collect();
    let mut value = serde_json::to_value(report).expect("report serialises");
    value["results"] = serde_json::Value::Array(results);
    value["renyi_alpha"] = serde_json::json!(RENYI_ALPHA);
    value["definitions"] = serde_json::json!(definitions());
    value
}
