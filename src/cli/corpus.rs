//! `mekong corpus`: arguments and pipeline section of the corpus stage.

use crate::pipeline::{PipelineContext, PlannedStage};

#[derive(clap::Args)]
pub struct CorpusArgs {}

pub fn run(_args: CorpusArgs) -> anyhow::Result<()> {
    anyhow::bail!("the corpus stage is not built yet")
}

/// Plans the `[corpus]` section of a pipeline file.
pub fn plan(_section: &toml::Value, _ctx: &PipelineContext) -> anyhow::Result<PlannedStage> {
    anyhow::bail!("the corpus stage is not built yet")
}
