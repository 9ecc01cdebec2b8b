//! TMX 1.4: `<tu>` translation units holding one `<tuv xml:lang=..>` per language, the text in
//! `<seg>`. The variants whose language matches the source's tags (exactly, or by primary
//! subtag: `en-US` serves `en`) become the pair; inline codes (`bpt`, `ept`, `ph`, `it`, `ut`)
//! are formatting of the original document, not text, and are dropped. A unit missing one of
//! the languages yields an empty side, which the length filter rejects (and so accounts for).

use super::xml::{attribute, XmlEvent, XmlStream};
use super::{RawSegment, SegmentReader};
use crate::error::Result;
use std::path::Path;

pub struct TmxReader {
    xml: XmlStream,
    src_lang: String,
    tgt_lang: String,
    unit: u64,
}

impl TmxReader {
    pub fn open(path: &Path, src_lang: &str, tgt_lang: &str) -> Result<Self> {
        Ok(TmxReader {
            xml: XmlStream::open(path)?,
            src_lang: src_lang.to_string(),
            tgt_lang: tgt_lang.to_string(),
            unit: 0,
        })
    }

    /// Reads one `<tu>` after its start tag: its variants as (language, text).
    fn read_unit(&mut self) -> Result<Vec<(String, String)>> {
        let mut variants = Vec::new();
        let mut lang: Option<String> = None;
        let mut text = String::new();
        let mut in_seg = false;
        let mut inline_depth = 0usize;
        loop {
            match self.xml.next()? {
                XmlEvent::Start { name, attributes } => match name.as_str() {
                    "tuv" => {
                        lang = attribute(&attributes, "xml:lang")
                            .or_else(|| attribute(&attributes, "lang"))
                            .map(str::to_string);
                        if lang.is_none() {
                            return Err(self.xml.error("<tuv> without xml:lang"));
                        }
                    }
                    "seg" => {
                        in_seg = true;
                        text.clear();
                    }
                    "bpt" | "ept" | "ph" | "it" | "ut" if in_seg => inline_depth += 1,
                    _ => {}
                },
                XmlEvent::End { name } => match name.as_str() {
                    "seg" => in_seg = false,
                    "tuv" => {
                        if let Some(lang) = lang.take() {
                            variants.push((lang, std::mem::take(&mut text)));
                        }
                    }
                    "bpt" | "ept" | "ph" | "it" | "ut" if in_seg => {
                        inline_depth = inline_depth.saturating_sub(1)
                    }
                    "tu" => return Ok(variants),
                    _ => {}
                },
                XmlEvent::Text(t) if in_seg && inline_depth == 0 => text.push_str(&t),
                XmlEvent::Text(_) => {}
                XmlEvent::Eof => return Err(self.xml.error("file ends inside <tu>")),
            }
        }
    }
}

/// Whether a TMX variant's language serves the wanted tag.
fn matches(variant: &str, wanted: &str) -> bool {
    let primary = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    variant.eq_ignore_ascii_case(wanted) || primary(variant) == primary(wanted)
}

fn pick(variants: &[(String, String)], wanted: &str) -> String {
    // An exact tag match wins over a primary-subtag match.
    variants
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(wanted))
        .or_else(|| variants.iter().find(|(l, _)| matches(l, wanted)))
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

impl SegmentReader for TmxReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        loop {
            match self.xml.next()? {
                XmlEvent::Start { name, .. } if name == "tu" => {
                    self.unit += 1;
                    let variants = self.read_unit()?;
                    return Ok(Some(RawSegment {
                        line: self.unit,
                        src: pick(&variants, &self.src_lang),
                        tgt: Some(pick(&variants, &self.tgt_lang)),
                    }));
                }
                XmlEvent::Eof => {
                    if self.unit == 0 {
                        return Err(crate::error::CorpusError::bad_file(
                            self.xml.path(),
                            "no <tu> translation units: not a TMX file?",
                        ));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }
}
