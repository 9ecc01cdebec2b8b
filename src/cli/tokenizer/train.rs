//! `mekong tokenizer train`.

use crate::pipeline::{PipelineContext, PlannedStage};

#[derive(clap::Args)]
pub struct TrainArgs {}

pub fn run(_args: TrainArgs) -> anyhow::Result<()> {
    anyhow::bail!("tokenizer train is not built yet")
}

/// Plans the pipeline section of tokenizer train.
pub fn plan(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("tokenizer train is not built yet")
}
