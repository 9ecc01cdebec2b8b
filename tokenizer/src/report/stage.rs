//! Running a report end to end: read, load, encode in parallel, measure, render, commit.

use super::config::ReportConfig;
use super::counting::{self, Counts, PreparedLanguage};
use super::error::Result;
use super::loaders::{self, LoadedTokenizer, ScriptShare};
use super::metrics::{self, LanguageMetrics, Missing, TokenizerSummary};
use super::render;
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::parallel::{Layout, ParallelSet};
use mekong_common::{Manifest, StagingDir};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The stage's name in manifests and pipeline files.
pub use mekong_common::artefacts::tokenizer_report::STAGE;

/// Everything a report shows, in the order it shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub parallel: ParallelInfo,
    /// The reference language's code.
    pub reference: String,
    pub languages: Vec<LanguageInfo>,
    pub tokenizers: Vec<TokenizerInfo>,
    /// `results[tokenizer][language]`: the metrics, or why there are none.
    #[serde(skip)]
    pub results: Vec<Vec<std::result::Result<LanguageMetrics, String>>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParallelInfo {
    pub dir: PathBuf,
    pub layout: Layout,
    pub lines: usize,
    pub normalisation: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct LanguageInfo {
    pub code: String,
    pub name: Option<String>,
    pub script: String,
    pub spaceless: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenizerInfo {
    pub name: String,
    pub source: String,
    pub vocabulary_size: usize,
    pub scripts: Vec<ScriptShare>,
    pub summary: TokenizerSummary,
}

/// Writes the report for `config` into `output` (report.md, report.html, report.json,
/// report.csv, report-summary.csv, manifest.json), replacing it only when complete.
pub fn generate(config: &ReportConfig, output: &Path) -> Result<Report> {
    config.validate()?;
    // Hash the inputs before reading them: a file changed during the run shows up next time.
    let mut manifest = Manifest::new(STAGE, &config.input_paths(), config.parameters())?;
    let only: Vec<String> = if config.languages.is_empty() {
        Vec::new()
    } else {
        config
            .languages
            .iter()
            .chain(std::iter::once(&config.reference))
            .cloned()
            .collect()
    };
    let set = ParallelSet::read(&config.parallel, config.split, &only)?;
    let reference = set.resolve(&config.reference)?;
    let tokenizers: Vec<LoadedTokenizer> = config
        .tokenizers
        .par_iter()
        .map(loaders::load)
        .collect::<Result<_>>()?;
    let prepared: Vec<PreparedLanguage> = set
        .languages
        .par_iter()
        .map(PreparedLanguage::new)
        .collect();
    let counts = encode_all(&tokenizers, &prepared);
    let report = measure(&set, reference, &tokenizers, &prepared, &counts);

    let staging = StagingDir::new(output)?;
    let outputs = render::write(&report, staging.path())?;
    manifest.counts = serde_json::json!({
        "languages": report.languages.len(),
        "tokenizers": report.tokenizers.len(),
        "lines": set.line_count,
        "missing_results": report.results.iter().flatten().filter(|r| r.is_err()).count(),
    });
    manifest.outputs = outputs;
    manifest.write(staging.path())?;
    staging.commit()?;
    Ok(report)
}

/// Every tokenizer × language pair, encoded in parallel; `[tokenizer][language]`.
fn encode_all(
    tokenizers: &[LoadedTokenizer],
    languages: &[PreparedLanguage],
) -> Vec<Vec<std::result::Result<Counts, String>>> {
    let pairs: Vec<(usize, usize)> = (0..tokenizers.len())
        .flat_map(|t| (0..languages.len()).map(move |l| (t, l)))
        .collect();
    let progress = ProgressBar::new(pairs.len() as u64).with_style(
        ProgressStyle::with_template(
            "encoding {bar:30} {pos}/{len} tokenizer × language pairs ({elapsed}, eta {eta})",
        )
        .expect("a valid progress template"),
    );
    let flat: Vec<std::result::Result<Counts, String>> = pairs
        .par_iter()
        .map(|&(t, l)| {
            let tokenizer = &tokenizers[t];
            let counts = counting::count(
                tokenizer.encoder.as_ref(),
                &tokenizer.vocabulary,
                &languages[l],
            );
            progress.inc(1);
            counts
        })
        .collect();
    progress.finish_and_clear();
    let mut flat = flat.into_iter();
    (0..tokenizers.len())
        .map(|_| flat.by_ref().take(languages.len()).collect())
        .collect()
}

fn measure(
    set: &ParallelSet,
    reference: usize,
    tokenizers: &[LoadedTokenizer],
    languages: &[PreparedLanguage],
    counts: &[Vec<std::result::Result<Counts, String>>],
) -> Report {
    let mut results = Vec::new();
    let mut infos = Vec::new();
    for (t, tokenizer) in tokenizers.iter().enumerate() {
        let size = tokenizer.vocabulary.size;
        let reference_counts = counts[t][reference].as_ref().ok();
        let mut row = Vec::new();
        let mut premiums = Vec::new();
        let mut standard_errors = Vec::new();
        let mut missing = Vec::new();
        let mut used = Vec::<bool>::new();
        for (l, language) in languages.iter().enumerate() {
            let code = &language.language.code;
            match &counts[t][l] {
                Ok(c) => {
                    for &id in &c.distinct_ids {
                        if used.len() <= id as usize {
                            used.resize(id as usize + 1, false);
                        }
                        used[id as usize] = true;
                    }
                    let against = reference_counts.map(|r| (r, &languages[reference]));
                    let m = metrics::language_metrics(c, language, against, size);
                    match m.premium {
                        Some(p) => {
                            premiums.push((code.clone(), p));
                            standard_errors.push(m.premium_standard_error);
                        }
                        None => missing.push(Missing {
                            language: code.clone(),
                            reason: match &counts[t][reference] {
                                Err(e) => {
                                    format!("no premium: the reference failed to encode ({e})")
                                }
                                Ok(_) => "no premium: no segment shared with the reference".into(),
                            },
                        }),
                    }
                    row.push(Ok(m));
                }
                Err(reason) => {
                    missing.push(Missing {
                        language: code.clone(),
                        reason: format!("encoding failed: {reason}"),
                    });
                    row.push(Err(reason.clone()));
                }
            }
        }
        let distinct = used.iter().filter(|u| **u).count();
        let summary = metrics::summarise(
            &tokenizer.spec.name,
            size,
            &premiums,
            &standard_errors,
            missing,
            distinct,
        );
        infos.push(TokenizerInfo {
            name: tokenizer.spec.name.clone(),
            source: source_label(&tokenizer.spec.source),
            vocabulary_size: size,
            scripts: tokenizer.vocabulary.scripts.clone(),
            summary,
        });
        results.push(row);
    }
    Report {
        parallel: ParallelInfo {
            dir: set.dir.clone(),
            layout: set.layout,
            lines: set.line_count,
            normalisation: "NFC",
        },
        reference: set.languages[reference].code.clone(),
        languages: languages
            .iter()
            .map(|l| LanguageInfo {
                code: l.language.code.clone(),
                name: l.language.name.clone(),
                script: super::scripts::script_label(l.script),
                spaceless: l.spaceless,
            })
            .collect(),
        tokenizers: infos,
        results,
    }
}

fn source_label(source: &super::config::TokenizerSource) -> String {
    use super::config::TokenizerSource;
    match source {
        TokenizerSource::Builtin(b) => format!("built-in {}", b.name()),
        TokenizerSource::HuggingFace(p) => format!("tokenizer.json {}", p.display()),
        TokenizerSource::Tiktoken(p) => format!("tiktoken {}", p.display()),
    }
}

impl Report {
    /// What is printed at the end of a run into `output`: the summary lines, and where the
    /// report is.
    pub fn summary_text(&self, output: &Path) -> String {
        let mut text = String::new();
        for line in self.summary_lines() {
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str(&format!(
            "wrote {}/report.{{md,html,json,csv}}\n",
            output.display()
        ));
        text
    }

    /// A few lines for the end of a run: one per tokenizer.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "tokenizer report: {} tokenizers × {} languages × {} lines (reference {})",
            self.tokenizers.len(),
            self.languages.len(),
            self.parallel.lines,
            self.reference
        )];
        for t in &self.tokenizers {
            let s = &t.summary;
            let number = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
            let floor = s
                .gini_noise_floor
                .map_or(String::new(), |f| format!(" (sampling alone {f:.3})"));
            lines.push(format!(
                "  {:<16} mean premium {}  max {} ({})  Gini {}{floor}  over 2×: {}  missing: {}",
                t.name,
                number(s.mean_premium),
                number(s.max_premium),
                s.max_premium_language.as_deref().unwrap_or("—"),
                s.gini.map_or("—".to_string(), |g| format!("{g:.3}")),
                s.over_2x.len(),
                s.missing.len()
            ));
        }
        lines
    }
}
