use crate::fixtures::{classic, config, write_folder};
use crate::naive;
use arrow_array::{RecordBatch, StringArray};
use mekong_tokenizer::train::train;
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

fn write_parquet(path: &Path, columns: &[(&str, &[&str])]) {
    let batch = RecordBatch::try_from_iter(columns.iter().map(|(name, values)| {
        let array: arrow_array::ArrayRef = Arc::new(StringArray::from(values.to_vec()));
        (*name, array)
    }))
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// Corpus-stage Parquet (a monolingual and a parallel file, both sides used) trains exactly as
/// the same text in <lang>.txt files.
#[test]
fn parquet_folder_trains_like_text_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    write_parquet(
        &corpus.join("part-00000.parquet"),
        &[
            ("id", &["1", "2"]),
            ("source", &["wiki", "wiki"]),
            ("lang", &["vi", "en"]),
            (
                "text",
                &[
                    "Mọi người đều có quyền sống",
                    "Everyone has the right to life",
                ],
            ),
        ],
    );
    write_parquet(
        &corpus.join("part-00001.parquet"),
        &[
            ("id", &["3"]),
            ("source", &["udhr"]),
            ("src_lang", &["en"]),
            ("src_text", &["No one shall be held in slavery"]),
            ("tgt_lang", &["vi"]),
            ("tgt_text", &["Không ai bị bắt làm nô lệ"]),
        ],
    );
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
