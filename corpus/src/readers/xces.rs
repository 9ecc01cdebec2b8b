//! OPUS XCES, the format JW300 and most OPUS corpora ship in: an alignment file
//! (`<cesAlign>` with `<linkGrp fromDoc=.. toDoc=..>` groups of `<link xtargets="s1 s2;t1"/>`)
//! over per-language XML documents whose sentences are `<s id=..>` (plain or tokenised into
//! `<w>` elements). Document paths are relative to the alignment file's folder, as in OPUS's
//! `xml/` layout; a missing `.gz` suffix (or an extra one) is tolerated. One document pair is
//! held in memory at a time. Links with an empty side (1-0 alignments) yield an empty text,
//! which the length filter rejects, so they stay accounted for.

use super::xml::{attribute, XmlEvent, XmlStream};
use super::{RawSegment, SegmentReader};
use crate::error::{CorpusError, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct XcesReader {
    alignment: XmlStream,
    base: PathBuf,
    src_doc: HashMap<String, String>,
    tgt_doc: HashMap<String, String>,
    link: u64,
}

impl XcesReader {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(XcesReader {
            alignment: XmlStream::open(path)?,
            base: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            src_doc: HashMap::new(),
            tgt_doc: HashMap::new(),
            link: 0,
        })
    }

    fn resolve(&self, doc: &str) -> Result<PathBuf> {
        let path = self.base.join(doc);
        let alternative = match doc.strip_suffix(".gz") {
            Some(plain) => self.base.join(plain),
            None => self.base.join(format!("{doc}.gz")),
        };
        [path.clone(), alternative]
            .into_iter()
            .find(|p| p.exists())
            .ok_or_else(|| {
                self.alignment.error(format!(
                    "document {} not found (paths are relative to the alignment file's folder)",
                    path.display()
                ))
            })
    }

    fn texts(&self, ids: &str, doc: &HashMap<String, String>) -> Result<String> {
        let mut text = String::new();
        for id in ids.split_whitespace() {
            let sentence = doc.get(id).ok_or_else(|| {
                self.alignment.error(format!(
                    "xtargets names sentence \"{id}\", not in the document"
                ))
            })?;
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(sentence);
        }
        Ok(text)
    }
}

/// All `<s id=..>` sentences of one document, whitespace collapsed (the XML layout and the
/// `<w>` tokenisation add whitespace that is not part of the text).
fn read_document(path: &Path) -> Result<HashMap<String, String>> {
    let mut xml = XmlStream::open(path)?;
    let mut sentences = HashMap::new();
    let mut current: Option<(String, String)> = None;
    loop {
        match (xml.next()?, &mut current) {
            (XmlEvent::Start { name, attributes }, None) if name == "s" => {
                let id =
                    attribute(&attributes, "id").ok_or_else(|| xml.error("<s> without an id"))?;
                current = Some((id.to_string(), String::new()));
            }
            (XmlEvent::End { name }, Some(_)) if name == "s" => {
                if let Some((id, text)) = current.take() {
                    sentences.insert(id, text.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
            // Element boundaries inside a sentence (`<w>` tokens) separate words.
            (XmlEvent::Start { .. } | XmlEvent::End { .. }, Some((_, text))) => text.push(' '),
            (XmlEvent::Text(t), Some((_, text))) => text.push_str(&t),
            (XmlEvent::Eof, _) => return Ok(sentences),
            _ => {}
        }
    }
}

impl SegmentReader for XcesReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        loop {
            match self.alignment.next()? {
                XmlEvent::Start { name, attributes } if name == "linkGrp" => {
                    let (Some(from), Some(to)) = (
                        attribute(&attributes, "fromDoc"),
                        attribute(&attributes, "toDoc"),
                    ) else {
                        return Err(self.alignment.error("<linkGrp> needs fromDoc and toDoc"));
                    };
                    let (from, to) = (self.resolve(from)?, self.resolve(to)?);
                    self.src_doc = read_document(&from)?;
                    self.tgt_doc = read_document(&to)?;
                }
                XmlEvent::Start { name, attributes } if name == "link" => {
                    self.link += 1;
                    let targets = attribute(&attributes, "xtargets").unwrap_or_default();
                    let Some((src_ids, tgt_ids)) = targets.split_once(';') else {
                        return Err(self.alignment.error(format!(
                            "xtargets \"{targets}\" is not \"source ids;target ids\""
                        )));
                    };
                    return Ok(Some(RawSegment {
                        line: self.link,
                        src: self.texts(src_ids, &self.src_doc)?,
                        tgt: Some(self.texts(tgt_ids, &self.tgt_doc)?),
                    }));
                }
                XmlEvent::Eof => {
                    if self.link == 0 {
                        return Err(CorpusError::bad_file(
                            self.alignment.path(),
                            "no <link xtargets=..> alignments: not an XCES alignment file?",
                        ));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }
}
