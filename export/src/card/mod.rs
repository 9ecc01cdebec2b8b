//! The model card (`README.md` in the Hub's format): YAML front matter the Hub indexes, then
//! what a reader needs to trust the model — how to load it, its shape, the training data per
//! language, the tokenizer's premiums, the training run, bits per byte per language and the
//! limitations. Each section comes from the artefact of the stage that measured it; a section
//! whose artefact was not given says so instead of guessing.

mod measured;

use measured::{corpus_section, eval_section, tokenizer_section, training_section};

use crate::stage::training_dir;
use crate::Result;
use mekong_common::report::{Cell, Document, Table};
use mekong_common::{Manifest, MANIFEST_FILE};
use mekong_corpus::Stats;
use mekong_eval::EvalResults;
use mekong_pretrain::hf::ExportDtype;
use mekong_pretrain::training::read_log;
use mekong_pretrain::{CheckpointMeta, ModelConfig};
use mekong_tokenizer::train::TrainingSummary;
use std::collections::BTreeSet;
use std::path::Path;

/// Everything the card is written from.
pub struct Card<'a> {
    pub name: &'a str,
    pub license: Option<&'a str>,
    pub model: &'a ModelConfig,
    pub dtype: ExportDtype,
    pub checkpoint: &'a CheckpointMeta,
    pub training: Option<TrainingRun>,
    pub corpus: Option<Stats>,
    pub tokenizer: Option<TrainingSummary>,
    pub eval: Option<EvalResults>,
    /// What the tokenizer does to text before splitting it, in a sentence.
    pub normalizer: &'static str,
}

/// The training run behind a checkpoint, from its folder's train-log.jsonl and manifest.json.
#[derive(Debug, Clone)]
pub struct TrainingRun {
    /// Seconds spent in training steps (checkpoint writing excluded).
    pub seconds: f64,
    /// `cpu` or `cuda`, when the pretrain stage's manifest records it.
    pub device: Option<String>,
    pub final_loss: f64,
    /// Validation bits per byte at the last validated step.
    pub validation_bits_per_byte: Option<f64>,
}

impl TrainingRun {
    /// Reads the run of `checkpoint` (a `<run>/checkpoints/step-N` folder); `None` when the
    /// checkpoint was copied out of its run.
    pub fn read(checkpoint: &Path) -> Result<Option<TrainingRun>> {
        let Some(run) = training_dir(checkpoint) else {
            return Ok(None);
        };
        if !run.join(mekong_pretrain::training::LOG_FILE).is_file() {
            return Ok(None);
        }
        let log = read_log(run)?;
        let mut seconds = 0.0;
        let mut tokens_before = 0;
        for step in &log {
            seconds += (step.tokens - tokens_before) as f64 / step.tokens_per_sec.max(1e-9);
            tokens_before = step.tokens;
        }
        let device = Manifest::read_file(&run.join(MANIFEST_FILE))
            .ok()
            .and_then(|m| m.counts.get("device")?.as_str().map(String::from));
        Ok(Some(TrainingRun {
            seconds,
            device,
            final_loss: log.last().map_or(f64::NAN, |s| s.loss),
            validation_bits_per_byte: log
                .iter()
                .rev()
                .find_map(|s| s.validation.as_ref().map(|v| v.bits_per_byte)),
        }))
    }
}

/// Renders README.md.
pub fn render(card: &Card) -> String {
    let mut doc = Document::new(card.name);
    doc.paragraph(format!(
        "A {} decoder-only language model ({}, Llama architecture) trained from scratch with \
         Mekong — corpus, fair tokenizer, pretraining and evaluation for \
         languages the big labs serve badly.",
        millions(card.model.num_params()),
        card.dtype.torch_name()
    ));
    usage(&mut doc);
    model_section(&mut doc, card);
    corpus_section(&mut doc, card.corpus.as_ref());
    tokenizer_section(&mut doc, card);
    training_section(&mut doc, card);
    eval_section(&mut doc, card.eval.as_ref());
    limitations(&mut doc, card);
    front_matter(card) + &doc.to_markdown()
}

/// The YAML header the Hub reads: languages, licence, library and task.
fn front_matter(card: &Card) -> String {
    let mut out = String::from("---\n");
    let languages = languages(card);
    if !languages.is_empty() {
        out.push_str("language:\n");
        for lang in languages {
            out.push_str(&format!("- {lang}\n"));
        }
    }
    out.push_str(&format!("license: {}\n", card.license.unwrap_or("other")));
    out.push_str("library_name: transformers\npipeline_tag: text-generation\n");
    out.push_str("tags:\n- mekong\n- llama\n- text-generation\n");
    if card
        .tokenizer
        .as_ref()
        .is_some_and(|t| t.method.contains("parity"))
    {
        out.push_str("- parity-aware-bpe\n");
    }
    out.push_str("---\n\n");
    out
}

/// The languages the model was trained on, as the Hub's codes: the primary language subtags
/// (two or three lower-case letters) of the tokenizer's languages, or of the corpus statistics'
/// keys (`vi`, and pairs such as `en-km`); `zh-Hans` is listed as `zh`.
fn languages(card: &Card) -> BTreeSet<String> {
    let tags: Vec<String> = match (&card.tokenizer, &card.corpus) {
        (Some(tokenizer), _) => tokenizer.languages.clone(),
        (None, Some(stats)) => stats
            .languages
            .iter()
            .filter(|(_, s)| s.kept > 0)
            .map(|(key, _)| key.clone())
            .collect(),
        (None, None) => Vec::new(),
    };
    tags.iter()
        .flat_map(|tag| tag.split(['-', '_']))
        .filter(|part| {
            (2..=3).contains(&part.len()) && part.chars().all(|c| c.is_ascii_lowercase())
        })
        .map(str::to_string)
        .collect()
}

fn usage(doc: &mut Document) {
    doc.heading(2, "Use it");
    doc.paragraph(
        "With `transformers` (no extra code; `DIR` is this folder or its Hub id). Every text \
         starts after the document token, as in training:",
    );
    doc.paragraph(
        "```python\n\
         from transformers import AutoModelForCausalLM, AutoTokenizer\n\
         tok, model = AutoTokenizer.from_pretrained(\"DIR\"), AutoModelForCausalLM.from_pretrained(\"DIR\")\n\
         print(tok.decode(model.generate(**tok(tok.bos_token + \"Việt Nam là\", return_tensors=\"pt\"), max_new_tokens=40)[0]))\n\
         ```",
    );
    doc.paragraph(
        "Continue pretraining it with Mekong: `mekong pretrain train --init-from DIR --tokens …` \
         (tokenize the corpus with this folder's tokenizer.json).",
    );
}

fn model_section(doc: &mut Document, card: &Card) {
    let m = card.model;
    let mut table = Table::new("", ["setting", "value"]);
    let rows: [(&str, Cell); 9] = [
        ("parameters", m.num_params().into()),
        ("layers", m.n_layers.into()),
        ("hidden size", m.d_model.into()),
        ("attention heads", m.n_heads.into()),
        ("MLP hidden size (SwiGLU)", m.d_ff.into()),
        ("context (tokens)", m.max_seq_len.into()),
        ("vocabulary", m.vocab_size.into()),
        (
            "tied input/output embeddings",
            yes_no(m.tie_embeddings).into(),
        ),
        ("weights", card.dtype.torch_name().into()),
    ];
    for (name, value) in rows {
        table.push_row(vec![name.into(), value]);
    }
    doc.heading(2, "Model");
    doc.table(table);
}

fn limitations(doc: &mut Document, card: &Card) {
    doc.heading(2, "Limitations");
    doc.list([
        format!(
            "A small model ({}): it continues text in the style of its corpus; it does not follow \
             instructions, and what it writes is often wrong. Do not use it for decisions.",
            millions(card.model.num_params())
        ),
        "Trained only on the languages above, in the proportions above; other languages and \
         domains will be poor."
            .to_string(),
        "Its training data was filtered but not reviewed by people: it may reproduce biases and \
         errors of its sources."
            .to_string(),
    ]);
}

fn millions(params: usize) -> String {
    format!("{:.1}M-parameter", params as f64 / 1e6)
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

fn duration(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}
