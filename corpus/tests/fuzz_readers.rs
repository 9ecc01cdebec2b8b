//! Hostile input for every corpus reader: valid documents of each format with random bytes
//! flipped, cut, inserted and repeated, plain random bytes, and the same under gzip. Whatever the
//! bytes, a reader ends with segments or with an error naming one of the files it reads; it never
//! panics. 256 cases a property (about 0.2 s; 4,000 found nothing more), so it runs with the suite.

use flate2::write::GzEncoder;
use mekong_corpus::readers::open_source;
use mekong_corpus::{InputConfig, Source};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;

/// A format: the files it reads (name, valid content) and the source spec naming them.
struct Format {
    files: &'static [(&'static str, &'static str)],
    spec: &'static str,
    mono: bool,
}

const FORMATS: &[Format] = &[
    Format {
        files: &[("p.tsv", "Open the file\tMở tệp\nSave\tLưu\n")],
        spec: "en-vi=p.tsv",
        mono: false,
    },
    Format {
        files: &[("m.en", "Open the file\nSave\n"), ("m.vi", "Mở tệp\nLưu\n")],
        spec: "en-vi=m.en,m.vi",
        mono: false,
    },
    Format {
        files: &[(
            "t.tmx",
            "<?xml version=\"1.0\"?><tmx version=\"1.4\"><body><tu><tuv xml:lang=\"en\"><seg>Save \
             &amp; exit</seg></tuv><tuv xml:lang=\"vi\"><seg>Lưu <bpt i=\"1\">x</bpt>và thoát\
             </seg></tuv></tu></body></tmx>",
        )],
        spec: "en-vi=t.tmx",
        mono: false,
    },
    Format {
        files: &[
            (
                "en-vi.xml",
                "<cesAlign><linkGrp fromDoc=\"en/d.xml\" toDoc=\"vi/d.xml\"><link \
                 xtargets=\"1;1\"/><link xtargets=\"2 3;2\"/></linkGrp></cesAlign>",
            ),
            (
                "en/d.xml",
                "<document><s id=\"1\"><w>Hello</w></s><s id=\"2\">Two</s><s id=\"3\">3</s></document>",
            ),
            (
                "vi/d.xml",
                "<document><s id=\"1\">Xin chào</s><s id=\"2\">Hai ba</s></document>",
            ),
        ],
        spec: "en-vi=en-vi.xml",
        mono: false,
    },
    Format {
        files: &[("w.jsonl", "{\"text\": \"Một câu.\"}\n{\"text\": \"Hai\\u0020câu\"}\n")],
        spec: "vi=w.jsonl",
        mono: true,
    },
    Format {
        files: &[("w.txt", "Một câu.\n\nĐoạn hai.\n")],
        spec: "vi=w.txt",
        mono: true,
    },
    // Not a valid file to start from: its edits and the random bytes test the Parquet reader's
    // refusals.
    Format {
        files: &[("w.parquet", "PAR1\0\0\0\0PAR1")],
        spec: "vi=w.parquet",
        mono: true,
    },
];

/// One change to a document: what, where (a fraction of its length), and the bytes it uses.
#[derive(Debug, Clone)]
enum Edit {
    Flip(f64, u8),
    Cut(f64, f64),
    Insert(f64, Vec<u8>),
    Repeat(f64, f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        (at.clone(), any::<u8>()).prop_map(|(a, b)| Edit::Flip(a, b)),
        (at.clone(), at.clone()).prop_map(|(a, b)| Edit::Cut(a, b)),
        (at.clone(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(a, b)| Edit::Insert(a, b)),
        (at.clone(), at).prop_map(|(a, b)| Edit::Repeat(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let at = |fraction: f64, len: usize| ((fraction * len as f64) as usize).min(len);
    match edit {
        Edit::Flip(f, b) if !bytes.is_empty() => {
            let i = at(*f, bytes.len() - 1);
            bytes[i] ^= b.max(&1);
        }
        Edit::Cut(f, g) => {
            let (a, b) = (at(*f, bytes.len()), at(*g, bytes.len()));
            bytes.drain(a.min(b)..a.max(b));
        }
        Edit::Insert(f, new) => {
            let i = at(*f, bytes.len());
            bytes.splice(i..i, new.iter().copied());
        }
        Edit::Repeat(f, g) => {
            let (a, b) = (at(*f, bytes.len()), at(*g, bytes.len()));
            let piece = bytes[a.min(b)..a.max(b)].to_vec();
            bytes.splice(a.max(b)..a.max(b), piece.into_iter().cycle().take(4096));
        }
        Edit::Flip(..) => {}
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Writes the format's files, the `target`-th edited (and gzip-compressed, or its compressed
/// bytes edited), reads the source to its end and checks how it ended.
fn check(format: &Format, target: usize, edits: &[Edit], compressed: bool, edit_compressed: bool) {
    let dir = tempfile::tempdir().unwrap();
    let target = target % format.files.len();
    for (i, (name, content)) in format.files.iter().enumerate() {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = content.as_bytes().to_vec();
        if i == target && !(compressed && edit_compressed) {
            edits.iter().for_each(|e| apply(&mut bytes, e));
        }
        if i == target && compressed {
            bytes = gzip(&bytes);
            if edit_compressed {
                edits.iter().for_each(|e| apply(&mut bytes, e));
            }
        }
        std::fs::write(&path, bytes).unwrap();
    }
    let resolve = |p: &str| dir.path().join(p);
    let source = if format.mono {
        Source::parse_mono(format.spec, resolve)
    } else {
        Source::parse_parallel(format.spec, resolve)
    }
    .unwrap();
    let outcome = read_to_end(&source);
    if let Err(message) = outcome {
        let names_a_file = format.files.iter().any(|(name, _)| {
            message.contains(Path::new(name).file_name().unwrap().to_str().unwrap())
        });
        assert!(names_a_file, "the error names no file: {message}");
    }
}

fn read_to_end(source: &Source) -> Result<usize, String> {
    let input = InputConfig::default();
    let mut reader = open_source(source, &input).map_err(|e| e.to_string())?;
    let mut segments = 0;
    while let Some(_segment) = reader.next_segment().map_err(|e| e.to_string())? {
        segments += 1;
    }
    Ok(segments)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_documents_read_or_fail_naming_a_file(
        format in 0..FORMATS.len(),
        target in 0..3usize,
        edits in prop::collection::vec(edit(), 1..6),
        compressed in any::<bool>(),
        edit_compressed in any::<bool>(),
    ) {
        check(&FORMATS[format], target, &edits, compressed, edit_compressed);
    }

    #[test]
    fn random_bytes_read_or_fail_naming_a_file(
        format in 0..FORMATS.len(),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        compressed in any::<bool>(),
    ) {
        let replace_all = [Edit::Cut(0.0, 1.0), Edit::Insert(0.0, bytes)];
        check(&FORMATS[format], 0, &replace_all, compressed, false);
    }
}
