//! `mekong tokenizer`: arguments and pipeline section of the tokenizer stage.

use crate::pipeline::{PipelineContext, PlannedStage};

#[derive(clap::Args)]
pub struct TokenizerArgs {}

pub fn run(_args: TokenizerArgs) -> anyhow::Result<()> {
    anyhow::bail!("the tokenizer stage is not built yet")
}

/// Plans the `[tokenizer]` section of a pipeline file.
pub fn plan(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("the tokenizer stage is not built yet")
}

/// Plans the `[tokenizer.report]` section of a pipeline file.
pub fn plan_report(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("the tokenizer report is not built yet")
}
