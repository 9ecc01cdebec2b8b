//! Where each stage's artefacts lie, for the stages that read them. A pipeline's stage `S` writes
//! into `<workdir>/S`; a stage that reads a neighbour's output by default names it through these
//! constants (and the neighbour writes through them), so a renamed file cannot silently break
//! the stage downstream. Stages never import each other's crates for these paths.

/// The corpus stage: Parquet shards of kept segments, plus statistics and rejected segments.
pub mod corpus {
    pub const STAGE: &str = "corpus";
    /// Per-language statistics of the run.
    pub const STATS_FILE: &str = "stats.json";
    /// The extension of the kept segments' shards (`part-*.parquet`); stages downstream read
    /// only these, not the statistics or `rejected/`.
    pub const SHARD_EXTENSION: &str = "parquet";
}

/// The tokenizer training stage.
pub mod tokenizer {
    pub const STAGE: &str = "tokenizer";
    /// The trained tokenizer, in Hugging Face's format.
    pub const TOKENIZER_FILE: &str = "tokenizer.json";
    /// What training measured (fairness per language, timings, the merges' languages).
    pub const TRAINING_FILE: &str = "training.json";
}

/// The tokenizer comparison report (`[tokenizer.report]`).
pub mod tokenizer_report {
    pub const STAGE: &str = "tokenizer-report";
    pub const HTML_FILE: &str = "report.html";
    pub const JSON_FILE: &str = "report.json";
}

/// The pretrain stage: token shards, checkpoints and the step log.
pub mod pretrain {
    pub const STAGE: &str = "pretrain";
    /// One JSON object per logged step or validation.
    pub const LOG_FILE: &str = "train-log.jsonl";
}

/// The eval stage.
pub mod eval {
    pub const STAGE: &str = "eval";
    pub const HTML_FILE: &str = "eval.html";
    pub const JSON_FILE: &str = "eval.json";
    /// Bits per byte per language, as a chart.
    pub const CHART_FILE: &str = "bits_per_byte.svg";
}

/// The export stage: a Hugging Face model folder.
pub mod export {
    pub const STAGE: &str = "export";
    /// The model card.
    pub const CARD_FILE: &str = "README.md";
}
