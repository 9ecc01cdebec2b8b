//! The card's sections that report what another stage measured: the corpus per language, the
//! tokenizer's premiums, the training run, bits per byte per language. Each reads that stage's
//! artefact and says so when it was not given.

use super::{duration, Card};
use mekong_common::report::{Cell, Document, Table};
use mekong_corpus::Stats;
use mekong_eval::EvalResults;
use mekong_pretrain::training::TrainState;
use std::collections::BTreeSet;

pub(super) fn corpus_section(doc: &mut Document, stats: Option<&Stats>) {
    doc.heading(2, "Training data");
    let Some(stats) = stats else {
        doc.paragraph("Not recorded: the export was not given the corpus stage's folder.");
        return;
    };
    let total: u64 = stats.languages.values().map(|s| s.bytes_kept).sum();
    let mut table = Table::new(
        "",
        [
            "language",
            "segments kept",
            "of segments read",
            "MB kept",
            "share of bytes",
        ],
    );
    for (lang, s) in &stats.languages {
        table.push_row(vec![
            lang.as_str().into(),
            Cell::Integer(s.kept as i64),
            Cell::Integer(s.segments_in as i64),
            Cell::decimal(s.bytes_kept as f64 / 1e6, 2),
            Cell::percent(s.bytes_kept as f64 / total.max(1) as f64, 1),
        ]);
    }
    doc.paragraph(
        "After Mekong's corpus stage: Unicode normalisation, quality and language filters, exact \
         and near-duplicate removal, and removal of evaluation text.",
    );
    doc.table(table);
    let sources: Vec<String> = stats
        .sources
        .iter()
        .map(|s| {
            format!(
                "`{}` ({}): {} of {} segments kept",
                s.source, s.langs, s.kept, s.segments_in
            )
        })
        .collect();
    if !sources.is_empty() {
        doc.paragraph("Sources:");
        doc.list(sources);
    }
}

pub(super) fn tokenizer_section(doc: &mut Document, card: &Card) {
    doc.heading(2, "Tokenizer");
    let normalizer = card.normalizer;
    let Some(summary) = &card.tokenizer else {
        doc.paragraph(format!(
            "A byte-level BPE of {} tokens. {normalizer} Its training record (training.json) was not \
             beside tokenizer.json, so its per-language figures are not shown.",
            card.model.vocab_size
        ));
        return;
    };
    doc.paragraph(format!(
        "A byte-level BPE of {} tokens ({} merges), trained by `{}` on {} languages. {normalizer}",
        summary.vocab_size,
        summary.merges,
        summary.method,
        summary.languages.len()
    ));
    let Some(fairness) = &summary.dev else {
        return;
    };
    let held_out = summary.test.as_ref();
    let mut columns = vec!["language", "dev tokens", "dev premium"];
    if held_out.is_some() {
        columns.extend(["held-out tokens", "held-out premium"]);
    }
    let mut table = Table::new("", columns);
    for (lang, premium) in &fairness.premium {
        let tokens = fairness.tokens.get(lang).copied().unwrap_or(0);
        let mut row = vec![
            lang.as_str().into(),
            Cell::Integer(tokens as i64),
            Cell::decimal(*premium, 3),
        ];
        if let Some(test) = held_out {
            // A language the test set lacks has no held-out figure.
            match (test.tokens.get(lang), test.premium.get(lang)) {
                (Some(&tokens), Some(&premium)) => {
                    row.extend([Cell::Integer(tokens as i64), Cell::decimal(premium, 3)])
                }
                _ => row.extend([Cell::missing(), Cell::missing()]),
            }
        }
        table.push_row(row);
    }
    let mut note = format!(
        "Premium: a language's tokens for the same text divided by {}'s (1.0 = as cheap). The \
         dev set is the text the trainer chose its merges on (Gini {:.3}, largest premium {:.3}, \
         {}): expect larger premiums on other text.",
        fairness.reference, fairness.gini, fairness.max_premium, fairness.max_premium_language
    );
    match held_out {
        Some(test) => note.push_str(&format!(
            " The held-out set is text it never trained or chose on: Gini {:.3}, largest \
             premium {:.3} ({}). These are the figures to expect.",
            test.gini, test.max_premium, test.max_premium_language
        )),
        None => note.push_str(" It was trained without a held-out test set."),
    }
    table.note(note);
    doc.table(table);
}

pub(super) fn training_section(doc: &mut Document, card: &Card) {
    doc.heading(2, "Training");
    let meta = card.checkpoint;
    let state: Option<TrainState> = serde_json::from_value(meta.state.clone()).ok();
    let mut items = vec![format!("optimizer steps: {}", meta.step)];
    if let Some(state) = &state {
        items.push(format!("tokens trained on: {}", state.tokens));
    }
    if let Some(settings) = meta.training.as_object() {
        let get = |key: &str| settings.get(key).map(|v| v.to_string());
        if let (Some(batch), Some(accum), Some(lr)) =
            (get("batch_size"), get("grad_accum"), get("lr"))
        {
            items.push(format!(
                "batch {batch} × {accum} accumulation, peak learning rate {lr}, AdamW, cosine schedule"
            ));
        }
    }
    match &card.training {
        Some(run) => {
            items.push(format!(
                "training time: {} on {}",
                duration(run.seconds),
                run.device.as_deref().unwrap_or("an unrecorded device")
            ));
            items.push(format!(
                "final training loss: {:.3} nats/token",
                run.final_loss
            ));
            if let Some(bpb) = run.validation_bits_per_byte {
                items.push(format!(
                    "validation bits per byte (held-out corpus documents): {bpb:.3}"
                ));
            }
        }
        None => items.push("training log: not beside the checkpoint".to_string()),
    }
    doc.list(items);
}

pub(super) fn eval_section(doc: &mut Document, eval: Option<&EvalResults>) {
    doc.heading(2, "Evaluation");
    let Some(results) = eval else {
        doc.paragraph("Not recorded: the export was not given the eval stage's folder.");
        return;
    };
    let Some(model) = results.models.first() else {
        doc.paragraph("The eval report holds no model.");
        return;
    };
    let mut table = Table::new(
        "",
        [
            "language",
            "bits per byte",
            "token perplexity",
            "tokens per byte",
            "bytes",
        ],
    );
    for score in &model.scores {
        table.push_row(vec![
            score.lang.as_str().into(),
            Cell::decimal(score.bits_per_byte, 3),
            Cell::decimal(score.token_perplexity, 1),
            Cell::decimal(score.tokens_per_byte, 3),
            Cell::Integer(score.totals.bytes as i64),
        ]);
    }
    let files = results.texts.len();
    let folders: BTreeSet<String> = results
        .texts
        .iter()
        .filter_map(|t| t.source.parent()?.file_name())
        .map(|name| format!("`{}/`", name.to_string_lossy()))
        .collect();
    table.note(format!(
        "Bits per byte (lower is better) compare across tokenizers; read in windows of {} tokens, \
         stride {}. Texts: {files} files in {}. {}",
        model.window.window,
        model.window.stride,
        folders.into_iter().collect::<Vec<_>>().join(", "),
        contamination(results)
    ));
    doc.table(table);
    if !model.samples.is_empty() {
        doc.paragraph("Samples (temperature sampling, as `generation_config.json` sets it):");
        doc.list(
            model
                .samples
                .iter()
                .map(|s| format!("**{}**{}", s.prompt, s.continuation.replace('\n', " ⏎ "))),
        );
    }
}

/// What the eval stage's contamination check found, or that it did not run.
fn contamination(results: &EvalResults) -> String {
    let Some(check) = &results.contamination else {
        return "They were not checked against the training corpus.".to_string();
    };
    let segments: usize = check.texts.iter().map(|t| t.segments).sum();
    let exact: usize = check.texts.iter().map(|t| t.exact_segments).sum();
    let shared: usize = check.texts.iter().map(|t| t.segments_with_ngram).sum();
    format!(
        "Checked against the training corpus: {exact} of {segments} segments found verbatim, \
         {shared} sharing a {}-character n-gram with it.",
        check.ngram_chars
    )
}
