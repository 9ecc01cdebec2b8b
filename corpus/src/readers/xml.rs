//! A small pull layer over quick-xml for the two XML formats (TMX, XCES): element starts with
//! their attributes, ends, and text with entities resolved; errors name the file and line, and
//! a document that ends inside an open element is reported as not well formed.

use super::{line_of_offset, open_stream};
use crate::error::{CorpusError, Result};
use quick_xml::events::Event;
use quick_xml::XmlVersion;
use std::io::BufRead;
use std::path::{Path, PathBuf};

pub enum XmlEvent {
    /// An element opened (empty elements come as a start and an end). Local name, attributes
    /// as (qualified name, unescaped value).
    Start {
        name: String,
        attributes: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    Text(String),
    Eof,
}

pub struct XmlStream {
    path: PathBuf,
    reader: quick_xml::Reader<Box<dyn BufRead + Send>>,
    buffer: Vec<u8>,
    open: Vec<String>,
}

impl XmlStream {
    pub fn open(path: &Path) -> Result<Self> {
        let mut reader = quick_xml::Reader::from_reader(open_stream(path)?);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Ok(XmlStream {
            path: path.to_path_buf(),
            reader,
            buffer: Vec::new(),
            open: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error at the parser's current position, naming file and line.
    pub fn error(&self, message: impl Into<String>) -> CorpusError {
        let line = line_of_offset(&self.path, self.reader.buffer_position());
        CorpusError::bad_line(&self.path, line, message)
    }

    pub fn next(&mut self) -> Result<XmlEvent> {
        loop {
            self.buffer.clear();
            let event = match self.reader.read_event_into(&mut self.buffer) {
                Ok(event) => event,
                Err(e) => {
                    let line = line_of_offset(&self.path, self.reader.error_position());
                    return Err(CorpusError::bad_line(
                        &self.path,
                        line,
                        format!("not well-formed XML: {e}"),
                    ));
                }
            };
            let result = match event {
                Event::Start(start) => {
                    let name = start.local_name().as_ref().to_string();
                    let mut attributes = Vec::new();
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|e| {
                            format!("not well-formed XML: bad attribute in <{name}>: {e}")
                        });
                        let value = attribute.and_then(|a| {
                            a.normalized_value(XmlVersion::Implicit1_0)
                                .map(|v| (a.key.as_ref().to_string(), v.into_owned()))
                                .map_err(|e| format!("not well-formed XML: {e}"))
                        });
                        match value {
                            Ok(pair) => attributes.push(pair),
                            Err(message) => return Err(self.error(message)),
                        }
                    }
                    self.open.push(name.clone());
                    XmlEvent::Start { name, attributes }
                }
                Event::End(end) => {
                    self.open.pop();
                    XmlEvent::End {
                        name: end.local_name().as_ref().to_string(),
                    }
                }
                Event::Text(text) => XmlEvent::Text(text.xml10_content().into_owned()),
                Event::CData(data) => XmlEvent::Text(data.xml10_content().into_owned()),
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => quick_xml::escape::resolve_predefined_entity(&reference)
                            .map(str::to_string),
                        Err(_) => None,
                    };
                    match resolved {
                        Some(text) => XmlEvent::Text(text),
                        None => {
                            let message = format!("unknown entity &{};", &*reference);
                            return Err(self.error(message));
                        }
                    }
                }
                Event::Eof => {
                    if let Some(open) = self.open.last() {
                        let message =
                            format!("not well-formed XML: file ends inside <{open}> (truncated?)");
                        return Err(self.error(message));
                    }
                    XmlEvent::Eof
                }
                // Declarations, comments, processing instructions, doctypes.
                _ => continue,
            };
            return Ok(result);
        }
    }
}

/// The value of attribute `key` (qualified name, e.g. `xml:lang`).
pub fn attribute<'a>(attributes: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
