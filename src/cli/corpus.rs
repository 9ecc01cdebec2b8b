//! `mekong corpus`: the corpus stage's arguments. Parsing only; the work is in the
//! `mekong-corpus` library.

use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use mekong_common::names::parse_name;
use mekong_common::parallel::read_raw_lines;
use mekong_corpus::filters::language_verdict;
use mekong_corpus::lang::Language;
use mekong_corpus::normalize::Normalizer;
use mekong_corpus::pipeline::config_from_table;
use mekong_corpus::{CorpusConfig, DropReason, MonoUnit, Source, Stats, ToneStyle};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CorpusArgs {
    #[command(subcommand)]
    command: Option<CorpusCommand>,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(clap::Subcommand)]
enum CorpusCommand {
    /// Print the per-language statistics table of a corpus output folder again.
    Stats {
        /// A folder written by `mekong corpus` (holds stats.json).
        dir: PathBuf,
    },
    /// Show how the language filters (script, langid) judge each line of text files: the
    /// language the model reads a line as, its cost per letter, and whether the corpus stage
    /// would drop it. Prints a TSV row a line and a summary.
    Langid {
        /// The language the lines should be in (BCP 47 tag).
        #[arg(long)]
        lang: String,
        /// Text files, one segment a line.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// TOML file with a [filters] table (as in a pipeline's [corpus] section).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Parallel input: LANG-LANG=FILE (.tsv, .tmx, XCES alignment .xml; any may end in .gz) or
    /// LANG-LANG=SRC_FILE,TGT_FILE (Moses). Repeatable.
    #[arg(long, value_name = "SPEC")]
    parallel: Vec<String>,
    /// Monolingual input: LANG=FILE (plain text, .jsonl, .parquet; .gz allowed). Repeatable.
    #[arg(long, value_name = "SPEC")]
    mono: Vec<String>,
    /// Evaluation text to keep out of the corpus (exact and long n-gram matches). Repeatable.
    #[arg(long, value_name = "FILE")]
    exclude: Vec<PathBuf>,
    /// Output folder (replaced atomically when the run completes).
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// TOML file with the keys of a pipeline's [corpus] section (input, normalize, filters,
    /// dedup, output tables; parallel/mono/exclude lists); flags add to or override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Skip (and count) bad input lines instead of stopping with an error.
    #[arg(long)]
    skip_bad_lines: bool,
    /// Plain-text monolingual input: one segment per `line` or per `paragraph`.
    #[arg(long, value_name = "UNIT", value_parser = parse_name::<MonoUnit>)]
    mono_unit: Option<MonoUnit>,
    /// JSONL field / Parquet column holding monolingual text [default: text].
    #[arg(long, value_name = "NAME")]
    text_field: Option<String>,
    /// Vietnamese tone-mark placement: old (hòa, default), new (hoà) or off.
    #[arg(long, value_name = "STYLE", value_parser = parse_name::<ToneStyle>)]
    vi_tone: Option<ToneStyle>,
    /// Remove printf/brace placeholders (software strings).
    #[arg(long)]
    strip_placeholders: bool,
    /// Remove accelerator markers like _File, &Open, (_O) (software strings).
    #[arg(long)]
    strip_accelerators: bool,
    /// Filters to switch off (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "NAMES", value_parser = filter_names())]
    disable_filters: Vec<DropReason>,
    /// Skip MinHash near-duplicate detection (exact deduplication still runs).
    #[arg(long)]
    no_near_dedup: bool,
    /// Also drop a pair when its source or target alone was seen before.
    #[arg(long)]
    dedup_each_side: bool,
}

/// The filters' names, listed by `--help`; a name clap accepted is a filter's.
fn filter_names() -> impl TypedValueParser<Value = DropReason> {
    PossibleValuesParser::new(DropReason::FILTERS.iter().map(|r| r.name()))
        .map(|name| parse_name(&name).expect("a filter's name"))
}

pub fn run(args: CorpusArgs) -> anyhow::Result<()> {
    match args.command {
        Some(CorpusCommand::Stats { dir }) => {
            let stats = Stats::read(&dir)?;
            print!("{}", stats.render_table());
            Ok(())
        }
        Some(CorpusCommand::Langid {
            lang,
            files,
            config,
        }) => langid(&lang, &files, config.as_deref()),
        None => build(args.build),
    }
}

/// A `--config` file: the keys of a pipeline's [corpus] section, paths relative to the file.
fn read_config(path: &Path) -> anyhow::Result<CorpusConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Value =
        toml::from_str(&text).with_context(|| format!("{}: not valid TOML", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    config_from_table(&table, |p| base.join(p)).with_context(|| format!("{}", path.display()))
}

fn langid(lang: &str, files: &[PathBuf], config: Option<&Path>) -> anyhow::Result<()> {
    let config = match config {
        Some(path) => read_config(path)?,
        None => CorpusConfig::default(),
    };
    let normalizer = Normalizer::new(&config.normalize);
    let language = Language::new(lang);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "file\tline\tletters\tbest\tbest_cost\texpected_cost\tagainst\tmargin\tverdict"
    )?;
    let (mut lines, mut dropped) = (0usize, std::collections::BTreeMap::new());
    for file in files {
        for (i, text) in read_raw_lines(file)?.iter().enumerate() {
            let text = normalizer.normalized(text, &language);
            let (judgement, rejection) = language_verdict(&config.filters, &text, &language);
            lines += 1;
            let (best, best_cost) = judgement
                .best
                .map_or(("", String::new()), |(l, c)| (l, format!("{c:.3}")));
            let expected = judgement
                .expected
                .map_or(String::new(), |c| format!("{c:.3}"));
            let (against, margin) = judgement
                .against
                .map_or(("", String::new()), |(l, m)| (l, format!("{m:.3}")));
            let verdict = match &rejection {
                Some(r) => {
                    *dropped.entry(r.filter.name()).or_insert(0usize) += 1;
                    format!("drop {}: {}", r.filter.name(), r.detail)
                }
                None => "keep".to_string(),
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{best}\t{best_cost}\t{expected}\t{against}\t{margin}\t{verdict}",
                file.display(),
                i + 1,
                judgement.letters
            )?;
        }
    }
    out.flush()?;
    let total: usize = dropped.values().sum();
    let by_filter: Vec<String> = dropped.iter().map(|(f, n)| format!("{f} {n}")).collect();
    eprintln!(
        "langid: {total} of {lines} lines would be dropped as not {lang} ({})",
        if by_filter.is_empty() {
            "none".to_string()
        } else {
            by_filter.join(", ")
        }
    );
    Ok(())
}

fn build(args: BuildArgs) -> anyhow::Result<()> {
    let output = args
        .output
        .clone()
        .context("--output DIR is required (or use `mekong corpus stats DIR`)")?;
    let mut config = match &args.config {
        Some(path) => read_config(path)?,
        None => CorpusConfig::default(),
    };
    for spec in &args.parallel {
        config
            .sources
            .push(Source::parse_parallel(spec, |p: &str| PathBuf::from(p))?);
    }
    for spec in &args.mono {
        config
            .sources
            .push(Source::parse_mono(spec, |p: &str| PathBuf::from(p))?);
    }
    config.exclude.extend(args.exclude.iter().cloned());
    config.input.skip_bad_lines |= args.skip_bad_lines;
    if let Some(unit) = args.mono_unit {
        config.input.mono_unit = unit;
    }
    if let Some(field) = &args.text_field {
        config.input.text_field = field.clone();
    }
    if let Some(style) = args.vi_tone {
        config.normalize.vi_tone = style;
    }
    config.normalize.strip_placeholders |= args.strip_placeholders;
    config.normalize.strip_accelerators |= args.strip_accelerators;
    config
        .filters
        .disable
        .extend(args.disable_filters.iter().copied());
    config.dedup.near &= !args.no_near_dedup;
    config.dedup.exact_each_side |= args.dedup_each_side;
    let summary = mekong_corpus::run(&config, &output)?;
    eprint!("{}", summary.text());
    Ok(())
}
