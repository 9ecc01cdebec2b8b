//! What a report compares, as given on the command line or in `[tokenizer.report]`. The resolved
//! config is serialised into the manifest's `parameters`, so the pipeline's cache check and the
//! stage agree on what "the same report" means.

use super::error::{ReportError, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One tokenizer to compare: a display name and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerSpec {
    pub name: String,
    pub source: TokenizerSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenizerSource {
    /// An OpenAI encoding shipped in `tiktoken-rs`.
    Builtin(Builtin),
    /// A Hugging Face `tokenizer.json`.
    HuggingFace(PathBuf),
    /// A tiktoken rank file (`<base64 token> <rank>` per line).
    Tiktoken(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    R50k,
    P50k,
    Cl100k,
    O200k,
}

impl Builtin {
    /// Accepts the encoding's name with or without `_base`, and GPT-2 for r50k.
    pub fn parse(name: &str) -> Option<Builtin> {
        match name.to_ascii_lowercase().trim_end_matches("_base") {
            "r50k" | "gpt2" | "gpt-2" => Some(Builtin::R50k),
            "p50k" => Some(Builtin::P50k),
            "cl100k" => Some(Builtin::Cl100k),
            "o200k" => Some(Builtin::O200k),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::R50k => "r50k_base",
            Builtin::P50k => "p50k_base",
            Builtin::Cl100k => "cl100k_base",
            Builtin::O200k => "o200k_base",
        }
    }
}

impl TokenizerSpec {
    /// Parses `NAME=SOURCE` or a bare `SOURCE` (named after the file's stem or the encoding).
    /// A source is a built-in encoding name (r50k, p50k, cl100k, o200k, with or without
    /// `_base`), a `.tiktoken` rank file, or a Hugging Face `tokenizer.json`.
    pub fn parse(spec: &str) -> Result<TokenizerSpec> {
        let (name, source) = match spec.split_once('=') {
            Some((name, source)) => (Some(name.trim()), source.trim()),
            None => (None, spec.trim()),
        };
        let fail = |message: &str| ReportError::BadTokenizerSpec {
            spec: spec.to_string(),
            message: message.to_string(),
        };
        if source.is_empty() {
            return Err(fail("no tokenizer given after '='"));
        }
        if name == Some("") {
            return Err(fail("empty name before '='"));
        }
        let source = Self::source_of(source).map_err(|m| fail(&m))?;
        let name = match (name, &source) {
            (Some(name), _) => name.to_string(),
            (None, TokenizerSource::Builtin(builtin)) => builtin.name().to_string(),
            (None, TokenizerSource::HuggingFace(path) | TokenizerSource::Tiktoken(path)) => {
                default_name(path)
            }
        };
        Ok(TokenizerSpec { name, source })
    }

    fn source_of(source: &str) -> std::result::Result<TokenizerSource, String> {
        if let Some(builtin) = Builtin::parse(source) {
            return Ok(TokenizerSource::Builtin(builtin));
        }
        let path = PathBuf::from(source);
        match path.extension().and_then(|e| e.to_str()) {
            Some("tiktoken") => Ok(TokenizerSource::Tiktoken(path)),
            Some("json") => Ok(TokenizerSource::HuggingFace(path)),
            Some("model") => Err(
                "SentencePiece .model files are not supported (no well-kept Rust crate loads them); \
                 convert it to tokenizer.json with Hugging Face `transformers` (AutoTokenizer(...).save_pretrained)"
                    .to_string(),
            ),
            _ => Err(format!(
                "unknown tokenizer source '{source}': expected r50k, p50k, cl100k, o200k, a .tiktoken rank file or a tokenizer.json"
            )),
        }
    }

    /// The file this tokenizer is read from, if any (the manifest hashes it).
    pub fn path(&self) -> Option<&PathBuf> {
        match &self.source {
            TokenizerSource::Builtin(_) => None,
            TokenizerSource::HuggingFace(path) | TokenizerSource::Tiktoken(path) => Some(path),
        }
    }
}

/// `.../llama3/tokenizer.json` → `llama3`; `.../qwen.tiktoken` → `qwen`.
fn default_name(path: &std::path::Path) -> String {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    if stem == "tokenizer" {
        if let Some(parent) = path.parent().and_then(|p| p.file_name()) {
            return parent.to_string_lossy().into_owned();
        }
    }
    stem.into_owned()
}

/// The language premiums are measured against unless another is named.
pub const DEFAULT_REFERENCE: &str = "en";

/// Which files of a FLORES-style folder to read.
pub use mekong_common::parallel::FloresSplit;

/// Everything a report depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportConfig {
    pub tokenizers: Vec<TokenizerSpec>,
    /// The parallel set's folder.
    pub parallel: PathBuf,
    /// The language premiums are relative to (a file code, or a BCP 47 / ISO 639-3 code
    /// listed in the set's index.tsv, or a unique primary language subtag).
    pub reference: String,
    /// For FLORES-style folders: `dev` or `devtest`.
    pub split: FloresSplit,
    /// Only these languages (plus the reference); all when empty.
    pub languages: Vec<String>,
}

impl ReportConfig {
    /// Rejects configs that cannot produce a meaningful report.
    pub fn validate(&self) -> Result<()> {
        if self.tokenizers.is_empty() {
            return Err(ReportError::Config(
                "no tokenizer to compare: give at least one (--tokenizer NAME=PATH)".into(),
            ));
        }
        let mut names: Vec<&str> = self.tokenizers.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(ReportError::Config(format!(
                "two tokenizers are named '{}': give each a distinct NAME=",
                pair[0]
            )));
        }
        Ok(())
    }

    /// The files the report reads, for the manifest: the parallel folder, then each
    /// tokenizer file in the order given.
    pub fn input_paths(&self) -> Vec<PathBuf> {
        std::iter::once(self.parallel.clone())
            .chain(self.tokenizers.iter().filter_map(|t| t.path().cloned()))
            .collect()
    }

    /// The manifest's `parameters`.
    pub fn parameters(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report config always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tokenizer_specs() {
        let spec = TokenizerSpec::parse("gpt4=cl100k").unwrap();
        assert_eq!(spec.name, "gpt4");
        assert_eq!(spec.source, TokenizerSource::Builtin(Builtin::Cl100k));
        assert_eq!(
            TokenizerSpec::parse("o200k_base").unwrap().name,
            "o200k_base"
        );
        let hf = TokenizerSpec::parse("runs/demo/tokenizer/tokenizer.json").unwrap();
        assert_eq!(hf.name, "tokenizer");
        assert_eq!(
            hf.source,
            TokenizerSource::HuggingFace("runs/demo/tokenizer/tokenizer.json".into())
        );
        let rank = TokenizerSpec::parse("mine=x/y.tiktoken").unwrap();
        assert_eq!(
            rank.source,
            TokenizerSource::Tiktoken("x/y.tiktoken".into())
        );
    }

    #[test]
    fn rejects_bad_specs() {
        for spec in ["a=", "=cl100k", "x.model", "foo.bin"] {
            assert!(TokenizerSpec::parse(spec).is_err(), "{spec}");
        }
        let error = TokenizerSpec::parse("sp=m.model").unwrap_err().to_string();
        assert!(error.contains("SentencePiece"), "{error}");
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let config = ReportConfig {
            tokenizers: vec![
                TokenizerSpec::parse("a=cl100k").unwrap(),
                TokenizerSpec::parse("a=o200k").unwrap(),
            ],
            parallel: "p".into(),
            reference: "en".into(),
            split: FloresSplit::Devtest,
            languages: vec![],
        };
        assert!(config.validate().is_err());
    }
}
