//! Reading a `tokenizer.json` for the `tokenizers` crate. The crate (0.23.2) panics instead of
//! failing on a file whose JSON is malformed inside its `decoder` section (it `expect`s that part
//! to deserialise: found by `tokenizer/tests/report/fuzz_loaders.rs`), so the text is checked to
//! be JSON first; any syntactically valid file then parses or fails with an error.

use crate::{CommonError, Result};
use std::path::Path;

/// The file's text, once it is known to be valid JSON (an error names the file, line and
/// column otherwise).
pub fn read(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| CommonError::io(path, e))?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|source| {
        CommonError::BadJson {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok(text)
}
