//! Every input format, gzip, and the bad inputs each reader must name precisely.

use flate2::write::GzEncoder;
use mekong_corpus::readers::{open_source, RawSegment};
use mekong_corpus::{InputConfig, MonoUnit, Source};
use std::io::Write;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if name.ends_with(".gz") {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(content).unwrap();
        std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    } else {
        std::fs::write(&path, content).unwrap();
    }
    path
}

fn read_all(source: &Source, input: &InputConfig) -> mekong_corpus::Result<Vec<RawSegment>> {
    let mut reader = open_source(source, input)?;
    let mut out = Vec::new();
    while let Some(segment) = reader.next_segment()? {
        out.push(segment);
    }
    Ok(out)
}

fn parallel(dir: &Path, spec: &str) -> Source {
    Source::parse_parallel(spec, |p| dir.join(p)).unwrap()
}

fn mono(dir: &Path, spec: &str) -> Source {
    Source::parse_mono(spec, |p| dir.join(p)).unwrap()
}

fn pairs(segments: &[RawSegment]) -> Vec<(&str, &str)> {
    segments
        .iter()
        .map(|s| (s.src.as_str(), s.tgt.as_deref().unwrap()))
        .collect()
}

const TSV: &[u8] = b"Open file\tM\xe1\xbb\x9f t\xe1\xba\xadp tin\textra\r\nSave\tL\xc6\xb0u\n\nQuit\tTho\xc3\xa1t\n";

#[test]
fn tsv_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.tsv", "a.tsv.gz"] {
        write(dir.path(), name, TSV);
        let segments = read_all(
            &parallel(dir.path(), &format!("en-vi={name}")),
            &InputConfig::default(),
        )
        .unwrap();
        assert_eq!(
            pairs(&segments),
            [
                ("Open file", "Mở tập tin"),
                ("Save", "Lưu"),
                ("", ""),
                ("Quit", "Thoát")
            ]
        );
        assert_eq!(segments[3].line, 4);
    }
}

#[test]
fn tsv_with_one_column_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.tsv", b"a\tb\nno tab here\n");
    let error = read_all(
        &parallel(dir.path(), "en-vi=bad.tsv"),
        &InputConfig::default(),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("bad.tsv:2: expected two tab-separated columns"),
        "{error}"
    );
    let skipping = InputConfig {
        skip_bad_lines: true,
        ..InputConfig::default()
    };
    let mut reader = open_source(&parallel(dir.path(), "en-vi=bad.tsv"), &skipping).unwrap();
    while reader.next_segment().unwrap().is_some() {}
    assert_eq!(reader.skipped_lines(), 1);
}

#[test]
fn moses_pairs_lines_and_detects_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.en", b"Hello\nWorld\n");
    write(dir.path(), "a.vi.gz", "Xin chào\nThế giới\n".as_bytes());
    let segments = read_all(
        &parallel(dir.path(), "en-vi=a.en,a.vi.gz"),
        &InputConfig::default(),
    )
    .unwrap();
    assert_eq!(
        pairs(&segments),
        [("Hello", "Xin chào"), ("World", "Thế giới")]
    );

    write(dir.path(), "b.vi", "Xin chào\nThế giới\nThừa\n".as_bytes());
    let error = read_all(
        &parallel(dir.path(), "en-vi=a.en,b.vi"),
        &InputConfig::default(),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("b.vi:3") && message.contains("different line counts"),
        "{message}"
    );
}

#[test]
fn invalid_utf8_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.txt",
        b"fine\nalso fine\nbroken \xc3\x28 here\n",
    );
    let error = read_all(&mono(dir.path(), "vi=bad.txt"), &InputConfig::default()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("bad.txt:3: not valid UTF-8"), "{message}");
}

#[test]
fn huge_single_line_is_an_error_not_an_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = vec![b'a'; 3 << 20];
    content.push(b'\n');
    write(dir.path(), "huge.txt", &content);
    let error = read_all(&mono(dir.path(), "vi=huge.txt"), &InputConfig::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("huge.txt:1: line longer than 1048576 bytes"),
        "{message}"
    );
}

#[test]
fn txt_lines_and_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.txt.gz",
        b"First line\nof para one.\n\n\nPara two.\n",
    );
    let lines = read_all(&mono(dir.path(), "vi=p.txt.gz"), &InputConfig::default()).unwrap();
    let texts: Vec<&str> = lines.iter().map(|s| s.src.as_str()).collect();
    assert_eq!(texts, ["First line", "of para one.", "Para two."]);
    assert_eq!(lines[2].line, 5);
    let paragraphs = InputConfig {
        mono_unit: MonoUnit::Paragraph,
        ..InputConfig::default()
    };
    let paras = read_all(&mono(dir.path(), "vi=p.txt.gz"), &paragraphs).unwrap();
    let texts: Vec<&str> = paras.iter().map(|s| s.src.as_str()).collect();
    assert_eq!(texts, ["First line of para one.", "Para two."]);
}

#[test]
fn jsonl_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "d.jsonl",
        b"{\"text\": \"M\\u1ed9t\", \"id\": 1}\n{\"content\": \"x\"}\n",
    );
    let error = read_all(&mono(dir.path(), "vi=d.jsonl"), &InputConfig::default()).unwrap_err();
    assert!(
        error.to_string().contains("d.jsonl:2: no field \"text\""),
        "{error}"
    );
    let input = InputConfig {
        skip_bad_lines: true,
        ..InputConfig::default()
    };
    let segments = read_all(&mono(dir.path(), "vi=d.jsonl"), &input).unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].src, "Một");
}

#[test]
fn parquet_column() {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.parquet");
    let batch = RecordBatch::try_from_iter([
        ("n", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        (
            "body",
            Arc::new(StringArray::from(vec![Some("một"), None, Some("ba")])) as ArrayRef,
        ),
    ])
    .unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let input = InputConfig {
        text_field: "body".into(),
        ..InputConfig::default()
    };
    let segments = read_all(&mono(dir.path(), "vi=m.parquet"), &input).unwrap();
    let got: Vec<(u64, &str)> = segments.iter().map(|s| (s.line, s.src.as_str())).collect();
    assert_eq!(got, [(1, "một"), (3, "ba")]);
    let error = read_all(&mono(dir.path(), "vi=m.parquet"), &InputConfig::default()).unwrap_err();
    assert!(error.to_string().contains("no column \"text\""), "{error}");
}

const TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="t" creationtoolversion="1"/>
  <body>
    <tu tuid="1">
      <tuv xml:lang="en-US"><seg>Click <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> &amp; exit</seg></tuv>
      <tuv xml:lang="vi"><seg>Nhấn <bpt i="1">&lt;b&gt;</bpt>Lưu<ept i="1">&lt;/b&gt;</ept> &amp; thoát</seg></tuv>
    </tu>
    <tu tuid="2">
      <tuv xml:lang="vi"><seg>Chỉ có tiếng Việt &#x2014; không có tiếng Anh</seg></tuv>
    </tu>
  </body>
</tmx>
"#;

#[test]
fn tmx_units_inline_codes_and_entities() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["m.tmx", "m.tmx.gz"] {
        write(dir.path(), name, TMX.as_bytes());
        let segments = read_all(
            &parallel(dir.path(), &format!("en-vi={name}")),
            &InputConfig::default(),
        )
        .unwrap();
        assert_eq!(
            pairs(&segments),
            [
                ("Click Save & exit", "Nhấn Lưu & thoát"),
                ("", "Chỉ có tiếng Việt — không có tiếng Anh")
            ]
        );
        assert_eq!(segments[1].line, 2);
    }
}

#[test]
fn malformed_tmx_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mismatched = TMX.replace(
        "</seg></tuv>\n      <tuv xml:lang=\"vi\">",
        "</sag></tuv>\n      <tuv xml:lang=\"vi\">",
    );
    write(dir.path(), "bad.tmx", mismatched.as_bytes());
    let error = read_all(
        &parallel(dir.path(), "en-vi=bad.tmx"),
        &InputConfig::default(),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("bad.tmx:6: not well-formed XML"),
        "{message}"
    );

    let truncated = &TMX[..TMX.find("<tu tuid=\"2\">").unwrap() + 20];
    write(dir.path(), "cut.tmx", truncated.as_bytes());
    let error = read_all(
        &parallel(dir.path(), "en-vi=cut.tmx"),
        &InputConfig::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("cut.tmx:"), "{error}");
}

#[test]
fn xces_alignment_over_documents() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("en")).unwrap();
    std::fs::create_dir_all(dir.path().join("vi")).unwrap();
    write(
        dir.path(),
        "en/doc1.xml.gz",
        br#"<?xml version="1.0"?><document><p><s id="1"><w>Hello</w> <w>world</w><w>.</w></s>
<s id="2">Second
  sentence.</s><s id="3">Third.</s></p></document>"#,
    );
    write(
        dir.path(),
        "vi/doc1.xml",
        "<document><s id=\"1\">Xin chào thế giới.</s><s id=\"2\">Câu thứ hai và ba.</s></document>"
            .as_bytes(),
    );
    write(
        dir.path(),
        "en-vi.xml",
        br#"<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE cesAlign PUBLIC "-//CES//DTD XML cesAlign//EN" "">
<cesAlign version="1.0">
<linkGrp targType="s" fromDoc="en/doc1.xml.gz" toDoc="vi/doc1.xml.gz">
<link xtargets="1;1"/>
<link xtargets="2 3;2"/>
<link xtargets=";"/>
</linkGrp>
</cesAlign>"#,
    );
    let segments = read_all(
        &parallel(dir.path(), "en-vi=en-vi.xml"),
        &InputConfig::default(),
    )
    .unwrap();
    assert_eq!(
        pairs(&segments),
        [
            ("Hello world .", "Xin chào thế giới."),
            ("Second sentence. Third.", "Câu thứ hai và ba."),
            ("", "")
        ]
    );

    write(
        dir.path(),
        "broken.xml",
        br#"<cesAlign><linkGrp fromDoc="en/doc1.xml.gz" toDoc="vi/doc1.xml"><link xtargets="9;1"/></linkGrp></cesAlign>"#,
    );
    let error = read_all(
        &parallel(dir.path(), "en-vi=broken.xml"),
        &InputConfig::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("sentence \"9\""), "{error}");
}
