use crate::fixtures::{classic, config, write_folder};
use crate::naive;
use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use mekong_tokenizer::train::train;

/// Corpus-stage Parquet (a monolingual and a parallel file, both sides used) trains exactly as
/// the same text in <lang>.txt files.
#[test]
fn parquet_folder_trains_like_text_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let mut mono = ShardWriter::new(&corpus, Table::Monolingual, 1000, 0);
    for (lang, text) in [
        ("vi", "Mọi người đều có quyền sống"),
        ("en", "Everyone has the right to life"),
    ] {
        mono.push(&[Cell::Str("wiki"), Cell::Str(lang), Cell::Str(text)])
            .unwrap();
    }
    mono.finish().unwrap();
    let mut parallel = ShardWriter::new(&corpus, Table::Parallel, 1000, 1);
    parallel
        .push(&[
            Cell::Str("udhr"),
            Cell::Str("en"),
            Cell::Str("No one shall be held in slavery"),
            Cell::Str("vi"),
            Cell::Str("Không ai bị bắt làm nô lệ"),
        ])
        .unwrap();
    parallel.finish().unwrap();
    std::fs::write(corpus.join("manifest.json"), "{}").unwrap();
    let text = write_folder(
        &dir.path().join("text"),
        &[
            (
                "en",
                &[
                    "Everyone has the right to life",
                    "No one shall be held in slavery",
                ],
            ),
            (
                "vi",
                &["Mọi người đều có quyền sống", "Không ai bị bắt làm nô lệ"],
            ),
        ],
    );
    let from_parquet = train(&config(&corpus, None, classic(256 + 1 + 40, 1))).unwrap();
    let from_text = train(&config(&text, None, classic(256 + 1 + 40, 1))).unwrap();
    assert_eq!(from_parquet.summary.languages, ["en", "vi"]);
    assert_eq!(from_parquet.json, from_text.json);
    assert_eq!(
        from_parquet.summary.train_bytes,
        from_text.summary.train_bytes
    );
    let lines = [
        "Everyone has the right to life",
        "No one shall be held in slavery",
        "Mọi người đều có quyền sống",
        "Không ai bị bắt làm nô lệ",
    ];
    assert_eq!(
        crate::fixtures::merges_of(&from_parquet.json),
        naive::classic(&lines, 40, 1)
    );
}

/// --max-bytes-per-lang samples a large language down, deterministically for a seed.
#[test]
fn max_bytes_per_lang_samples_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let many: Vec<String> = (0..2000)
        .map(|i| format!("câu số {i} của tiếng Việt"))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let train_dir = write_folder(
        dir.path(),
        &[("vi", &many), ("en", &["a small English text"])],
    );
    let mut options = classic(256 + 1 + 20, 2);
    options.max_bytes_per_lang = Some(5_000);
    let first = train(&config(&train_dir, None, options.clone())).unwrap();
    let vi = first.summary.train_bytes["vi"];
    assert!((3_500..6_500).contains(&vi), "{vi} bytes kept");
    assert_eq!(first.summary.train_bytes["en"], 20);
    let again = train(&config(&train_dir, None, options.clone())).unwrap();
    assert_eq!(again.summary.train_bytes, first.summary.train_bytes);
    options.seed = 7;
    let other = train(&config(&train_dir, None, options)).unwrap();
    assert_ne!(other.summary.train_bytes["vi"], vi);
}
