//! A choice's name is its serde name. The pipeline file, manifest.json and the command line then
//! spell every option the same way, from one source: the enum's serde attributes (with their
//! aliases). The command line parses with [`parse_name`]; [`display_as_name!`] gives an enum the
//! `Display` that clap shows as the default in `--help`.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The serde name of a unit variant (`Algorithm::Parity` → `parity`).
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => panic!("name_of: {other:?} is not a unit variant's name"),
    }
}

/// Reads a choice by its serde name; the error lists the known names.
pub fn parse_name<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|e| e.to_string())
}

/// Implements `Display` as [`name_of`] for enums of unit variants.
#[macro_export]
macro_rules! display_as_name {
    ($($enum:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::names::name_of(self))
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Device {
        Cpu,
        #[serde(alias = "gpu")]
        Cuda,
    }
    display_as_name!(Device);

    #[test]
    fn names_round_trip_with_aliases() {
        assert_eq!(Device::Cuda.to_string(), "cuda");
        assert_eq!(parse_name::<Device>("cpu"), Ok(Device::Cpu));
        assert_eq!(parse_name::<Device>("gpu"), Ok(Device::Cuda));
        let error = parse_name::<Device>("tpu").unwrap_err();
        assert!(error.contains("unknown variant `tpu`"), "{error}");
        assert!(error.contains("`cpu`, `cuda`"), "{error}");
    }
}
