//! `mekong pretrain`: arguments and pipeline section of the pretrain stage.

use crate::pipeline::{PipelineContext, PlannedStage};

#[derive(clap::Args)]
pub struct PretrainArgs {}

pub fn run(_args: PretrainArgs) -> anyhow::Result<()> {
    anyhow::bail!("the pretrain stage is not built yet")
}

/// Plans the `[pretrain]` section of a pipeline file.
pub fn plan(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("the pretrain stage is not built yet")
}
