//! `mekong tokenizer report`.

use crate::pipeline::{PipelineContext, PlannedStage};

#[derive(clap::Args)]
pub struct ReportArgs {}

pub fn run(_args: ReportArgs) -> anyhow::Result<()> {
    anyhow::bail!("tokenizer report is not built yet")
}

/// Plans the pipeline section of tokenizer report.
pub fn plan(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("tokenizer report is not built yet")
}
