//! `mekong eval`: arguments and pipeline section of the eval stage.

use crate::pipeline::{PipelineContext, PlannedStage};

#[derive(clap::Args)]
pub struct EvalArgs {}

pub fn run(_args: EvalArgs) -> anyhow::Result<()> {
    anyhow::bail!("the eval stage is not built yet")
}

/// Plans the `[eval]` section of a pipeline file.
pub fn plan(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("the eval stage is not built yet")
}
