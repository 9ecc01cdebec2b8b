//! The pretrain stage's tokenizing as tasks (`mekong run --executor`): the corpus shards' row
//! groups are shared among the tasks, each writing the token streams of its row groups; the
//! runner joins every split and language's streams in row-group order (the tokens copied, the
//! document ends shifted by the tokens before them), so the streams are one process's, byte
//! for byte, and then trains as one process does.

use crate::data::{stream_path, StreamCounts, DOCS_EXT, TOKENS_EXT};
use crate::pipeline::PretrainStage;
use crate::stage::run_stage_with;
use crate::tokenize::{corpus_files, Encoder, TokenizeSummary};
use crate::{PretrainError, Result};
use indicatif::ProgressBar;
use mekong_common::corpus_shards::row_group_sizes;
use mekong_common::{Sharded, StageError, StagingDir, Step, TaskId, TaskWork};
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const STEPS: &[Step] = &[Step {
    name: "tokenize",
    single: false,
}];

/// What a task wrote: per split and language, its streams' counts.
const COUNTS_FILE: &str = "streams.json";

type Splits = BTreeMap<String, BTreeMap<String, StreamCounts>>;

/// A unit of tokenizing work: one row group of one corpus shard.
type RowGroup = (PathBuf, usize);

/// Every row group of the corpus shards, in order, with its compressed bytes (the tasks'
/// shares are weighted by them).
fn units(corpus: &Path) -> Result<(Vec<RowGroup>, Vec<u64>)> {
    let (mut units, mut weights) = (Vec::new(), Vec::new());
    for file in corpus_files(corpus)? {
        for (group, size) in row_group_sizes(&file)?.into_iter().enumerate() {
            units.push((file.clone(), group));
            weights.push(size);
        }
    }
    Ok((units, weights))
}

impl Sharded for PretrainStage {
    fn steps(&self) -> &'static [Step] {
        STEPS
    }

    fn run_task(
        &self,
        _step: &str,
        task: TaskId,
        _work: &TaskWork,
        out: &Path,
    ) -> std::result::Result<(), StageError> {
        let encoder = Encoder::new(&self.tokenizer, &self.parameters.tokenize)?;
        let (units, weights) = units(&self.corpus)?;
        let mut writer = encoder.writer(out);
        for (file, group) in &units[task.share(&weights)] {
            encoder.encode(file, Some(*group), &mut writer, &ProgressBar::hidden())?;
        }
        let splits = writer.finish()?;
        let path = out.join(COUNTS_FILE);
        let json = serde_json::to_vec(&splits).expect("counts serialise");
        std::fs::write(&path, json).map_err(|e| PretrainError::io(&path, e))?;
        Ok(())
    }

    fn assemble(&self, work: &TaskWork, output: &Path) -> std::result::Result<String, StageError> {
        let summary = run_stage_with(
            &self.corpus,
            &self.tokenizer,
            output,
            &self.parameters,
            &self.options,
            |tokens| self.join_streams(work, tokens),
        )?;
        Ok(summary.tokenize.short_text() + &summary.train.text())
    }
}

impl PretrainStage {
    /// The tokens folder from the tasks' streams, as `tokenize` would have written it.
    fn join_streams(&self, work: &TaskWork, tokens: &Path) -> Result<TokenizeSummary> {
        let started = std::time::Instant::now();
        let encoder = Encoder::new(&self.tokenizer, &self.parameters.tokenize)?;
        let manifest = encoder.manifest(&self.corpus)?;
        let files = corpus_files(&self.corpus)?.len();
        let staging = StagingDir::new(tokens)?;
        let mut joined: Splits = BTreeMap::new();
        for task in 0..work.tasks() {
            let dir = work.task_dir("tokenize", task);
            let path = dir.join(COUNTS_FILE);
            let text = std::fs::read(&path).map_err(|e| PretrainError::io(&path, e))?;
            let splits: Splits =
                serde_json::from_slice(&text).map_err(|e| PretrainError::BadInput {
                    path: path.clone(),
                    message: format!("not a task's stream counts: {e}"),
                })?;
            for (split, langs) in splits {
                for (lang, counts) in langs {
                    let sum = joined
                        .entry(split.clone())
                        .or_default()
                        .entry(lang.clone())
                        .or_default();
                    append(&dir, staging.path(), &split, &lang, sum.tokens)?;
                    sum.documents += counts.documents;
                    sum.tokens += counts.tokens;
                    sum.bytes += counts.bytes;
                }
            }
        }
        let meta = encoder.complete(&self.corpus, joined, files, manifest, staging.path())?;
        staging.commit()?;
        Ok(TokenizeSummary {
            meta,
            files,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// Appends a task's stream of `split` and `lang` to the joined one: its tokens as they are,
/// its document ends shifted by the `before` tokens the joined stream already holds.
fn append(from: &Path, to: &Path, split: &str, lang: &str, before: u64) -> Result<()> {
    let open = |path: &Path| -> Result<BufWriter<std::fs::File>> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PretrainError::io(parent, e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| PretrainError::io(path, e))?;
        Ok(BufWriter::with_capacity(1 << 20, file))
    };
    let source = stream_path(from, split, lang, TOKENS_EXT);
    let target = stream_path(to, split, lang, TOKENS_EXT);
    let mut input = std::fs::File::open(&source).map_err(|e| PretrainError::io(&source, e))?;
    let mut output = open(&target)?;
    std::io::copy(&mut input, &mut output).map_err(|e| PretrainError::io(&target, e))?;
    output.flush().map_err(|e| PretrainError::io(&target, e))?;

    let source = stream_path(from, split, lang, DOCS_EXT);
    let target = stream_path(to, split, lang, DOCS_EXT);
    let file = std::fs::File::open(&source).map_err(|e| PretrainError::io(&source, e))?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut output = open(&target)?;
    let mut end = [0u8; 8];
    loop {
        match input.read_exact(&mut end) {
            Ok(()) => {
                let shifted = u64::from_le_bytes(end) + before;
                output
                    .write_all(&shifted.to_le_bytes())
                    .map_err(|e| PretrainError::io(&target, e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(PretrainError::io(&source, e)),
        }
    }
    output.flush().map_err(|e| PretrainError::io(&target, e))
}
