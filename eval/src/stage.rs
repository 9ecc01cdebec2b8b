//! The eval stage end to end: read the texts and prompts, score every text with every model,
//! generate samples, check contamination, and write the report folder atomically with its
//! manifest.

use crate::burn_model::BurnModel;
use crate::config::{EvalConfig, ModelSpec};
use crate::contamination;
use crate::report;
use crate::results::{
    ContaminationResult, EvalResults, LanguageScore, ModelResult, Sample, TextInfo,
};
use crate::texts::{self, EvalText};
use crate::{generate, score_tokens, EvalError, Recompute, Result, ScoringModel, WindowPlan};
use burn::tensor::backend::Backend;
use indicatif::{ProgressBar, ProgressStyle};
use mekong_common::{Manifest, StagingDir};
use mekong_pretrain::tokenize::SEPARATOR_CANDIDATES;
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// The stage's name in manifests and pipelines.
pub use mekong_common::artefacts::eval::STAGE;

/// Where the stage wrote, for the summary.
#[derive(Debug, Clone)]
pub struct EvalOutcome {
    pub out_dir: PathBuf,
    pub results: EvalResults,
}

/// Runs the stage into `out_dir` (replaced only when everything succeeded).
pub fn run(config: &EvalConfig, out_dir: &Path) -> Result<EvalOutcome> {
    config.validate()?;
    let manifest = Manifest::new(
        STAGE,
        &config.inputs(),
        serde_json::to_value(config).expect("config serialises"),
    )?;
    let texts = load_texts(config)?;
    let prompts = load_prompts(config)?;
    let shards = match &config.corpus {
        Some(dir) => Some(contamination::corpus_shards(dir)?),
        None => None,
    };

    let device = mekong_pretrain::resolve_device(config.device)?;
    let mut models = Vec::new();
    for spec in &config.models {
        models.push(mekong_pretrain::with_backend!(device, |B| {
            evaluate_model::<B>(spec, config, &texts, &prompts, &Default::default())?
        }));
    }
    let contamination = match (&config.corpus, shards) {
        (Some(corpus), Some(shards)) => Some(ContaminationResult {
            corpus: corpus.clone(),
            shards: shards.len(),
            ngram_chars: config.ngram,
            texts: contamination::check(&shards, &texts, config.ngram)?,
        }),
        _ => None,
    };
    let results = EvalResults {
        texts: texts
            .iter()
            .map(|t| TextInfo {
                lang: t.lang.clone(),
                source: t.source.clone(),
                segments: t.segments,
                bytes: t.bytes(),
            })
            .collect(),
        models,
        contamination,
    };

    let staging = StagingDir::new(out_dir)?;
    let files = report::render(&results, config)?;
    let mut manifest = manifest;
    for (name, content) in &files {
        mekong_common::write_file_atomic(&staging.path().join(name), content.as_bytes())?;
        manifest.outputs.push(PathBuf::from(name));
    }
    manifest.counts = serde_json::json!({
        "models": results.models.len(),
        "languages": results.texts.len(),
        "bytes": results.texts.iter().map(|t| t.bytes).sum::<u64>(),
        "samples": results.models.iter().map(|m| m.samples.len()).sum::<usize>(),
    });
    manifest.write(staging.path())?;
    let out_dir = staging.commit()?;
    Ok(EvalOutcome { out_dir, results })
}

fn load_texts(config: &EvalConfig) -> Result<Vec<EvalText>> {
    let mut texts = Vec::new();
    if let Some(dir) = &config.parallel {
        texts.extend(texts::load_parallel(dir, &config.languages, config.split)?);
    }
    for spec in &config.texts {
        if texts.iter().any(|t| t.lang == spec.lang) {
            return Err(EvalError::bad_input(
                &spec.path,
                None,
                format!(
                    "language '{}' is evaluated twice (give each language once)",
                    spec.lang
                ),
            ));
        }
        texts.push(texts::load_text(&spec.lang, &spec.path)?);
    }
    Ok(texts)
}

fn load_prompts(config: &EvalConfig) -> Result<Vec<String>> {
    let mut prompts = config.prompts.clone();
    if let Some(path) = &config.prompts_file {
        let lines = mekong_common::parallel::read_raw_lines(path)?;
        prompts.extend(texts::non_blank(
            path,
            lines,
            "the prompts file holds no prompt",
        )?);
    }
    if let Some(empty) = prompts.iter().position(|p| p.trim().is_empty()) {
        return Err(EvalError::Invalid(format!("prompt {} is empty", empty + 1)));
    }
    Ok(prompts)
}

/// The document separator of `tokenizer`: the token the pretrain stage appends after every
/// document (the first of [`SEPARATOR_CANDIDATES`] the tokenizer has). The eval stage reads every
/// text and prompt after it, as the model saw the start of each document in training.
pub fn document_token(tokenizer: &Tokenizer, path: &Path) -> Result<u32> {
    SEPARATOR_CANDIDATES
        .iter()
        .find_map(|t| tokenizer.token_to_id(t))
        .ok_or_else(|| {
            EvalError::bad_input(
                path,
                None,
                format!(
                    "no document separator (one of {}) in the vocabulary: the model cannot be told where a text starts",
                    SEPARATOR_CANDIDATES.join(", ")
                ),
            )
        })
}

pub fn load_tokenizer(path: &Path) -> Result<Tokenizer> {
    if !path.is_file() {
        return Err(EvalError::bad_input(path, None, "tokenizer file not found"));
    }
    let text = mekong_common::tokenizer_file::read(path)?;
    text.parse().map_err(|e| {
        EvalError::bad_input(path, None, format!("not a readable tokenizer.json: {e}"))
    })
}

fn evaluate_model<B: Backend>(
    spec: &ModelSpec,
    config: &EvalConfig,
    texts: &[EvalText],
    prompts: &[String],
    device: &B::Device,
) -> Result<ModelResult> {
    // The checkpoint first: a missing or damaged model is the more fundamental error.
    let model = BurnModel::<B>::load(&spec.name, &spec.checkpoint, &spec.tokenizer, device)?;
    let tokenizer = load_tokenizer(&spec.tokenizer)?;
    let boundary = document_token(&tokenizer, &spec.tokenizer)?;
    let window = config.window.unwrap_or(model.max_context());
    let plan = match config.stride {
        Some(stride) => WindowPlan { window, stride },
        None => WindowPlan::with_default_stride(window),
    };
    plan.validate(model.max_context())?;

    let encoded: Vec<Vec<u32>> = texts
        .iter()
        .map(|text| encode(&tokenizer, &text.joined(), &spec.tokenizer))
        .collect::<Result<_>>()?;
    let total_windows: usize = encoded
        .iter()
        .map(|t| plan.windows(t.len() + 1).len())
        .sum();
    let bar = ProgressBar::new(total_windows as u64).with_style(
        ProgressStyle::with_template(
            "eval {msg} {bar:30} {pos}/{len} windows {elapsed} (eta {eta})",
        )
        .expect("valid template"),
    );
    bar.set_message(spec.name.clone());
    let mut scores = Vec::new();
    for (text, tokens) in texts.iter().zip(&encoded) {
        let totals = score_tokens(
            &model,
            boundary,
            tokens,
            text.bytes(),
            plan,
            config.batch_size,
            |n| bar.inc(n as u64),
        )?;
        scores.push(LanguageScore::new(&text.lang, totals));
    }
    bar.finish_and_clear();

    let mut samples = Vec::new();
    for (i, prompt) in prompts.iter().enumerate() {
        let mut tokens = vec![boundary];
        tokens.extend(encode(&tokenizer, prompt, &spec.tokenizer)?);
        let generated = generate(
            &model,
            &tokens,
            &config.sampling,
            Some(boundary),
            i as u64,
            Recompute::Cached,
        )?;
        let continuation = tokenizer.decode(&generated, true).map_err(|e| {
            EvalError::bad_input(
                &spec.tokenizer,
                None,
                format!("cannot decode generated tokens: {e}"),
            )
        })?;
        samples.push(Sample {
            prompt: prompt.clone(),
            continuation,
            tokens: generated.len(),
        });
    }
    Ok(ModelResult {
        name: spec.name.clone(),
        checkpoint: model.checkpoint().to_path_buf(),
        tokenizer: spec.tokenizer.clone(),
        step: model.step(),
        parameters: model.config().num_params(),
        vocab_size: model.vocab_size(),
        context: model.max_context(),
        window: plan,
        scores,
        samples,
    })
}

fn encode(tokenizer: &Tokenizer, text: &str, path: &Path) -> Result<Vec<u32>> {
    tokenizer
        .encode(text, false)
        .map(|e| e.get_ids().to_vec())
        .map_err(|e| EvalError::bad_input(path, None, format!("cannot encode text: {e}")))
}

/// The short summary printed at the end: bits per byte per language and model, and where the
/// report is.
pub fn summary(outcome: &EvalOutcome) -> String {
    let results = &outcome.results;
    let width = results
        .texts
        .iter()
        .map(|t| t.lang.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut out = format!("{:<width$}", "bits/B");
    for model in &results.models {
        out.push_str(&format!("  {:>10}", model.name));
    }
    out.push('\n');
    for (i, text) in results.texts.iter().enumerate() {
        out.push_str(&format!("{:<width$}", text.lang));
        for model in &results.models {
            out.push_str(&format!("  {:>10.4}", model.scores[i].bits_per_byte));
        }
        out.push('\n');
    }
    if let Some(c) = &results.contamination {
        let exact: usize = c.texts.iter().map(|t| t.exact_segments).sum();
        let segments: usize = c.texts.iter().map(|t| t.segments).sum();
        out.push_str(&format!(
            "contamination: {exact} of {segments} evaluation segments appear verbatim in the training corpus\n"
        ));
    }
    out.push_str(&format!(
        "eval: {} models × {} languages → {}\n",
        results.models.len(),
        results.texts.len(),
        outcome.out_dir.join(crate::report::HTML_FILE).display()
    ));
    out
}
