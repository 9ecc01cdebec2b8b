//! Comparing what two runs of the same pipeline wrote, file by file, as
//! `scripts/same_outputs.py` does for the demo:
//!
//! * binary files (Parquet shards, token shards, safetensors): byte for byte;
//! * burn's checkpoint records (`*.mpk`, MessagePack): decoded and compared value for value, every
//!   tensor's bytes included, with each parameter's id replaced by the parameter's name. burn
//!   draws those ids at random on every run (and the optimizer record is a map keyed by them in
//!   hash order), so two undisturbed runs differ there, and only there;
//! * JSON and JSONL: as parsed values without the measured durations and speeds
//!   ([`VOLATILE_KEYS`]), and, in the records that list other files (`manifest.json`,
//!   `checkpoint.json`), without those files' sizes and hashes: the files themselves are
//!   compared here;
//! * other text: byte for byte once printed measurements of time are masked.

use regex::Regex;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Measured durations and speeds: different on every run, whatever the code.
const VOLATILE_KEYS: [&str; 9] = [
    "seconds",
    "tokens_per_sec",
    "mfu",
    "timings",
    "elapsed_seconds",
    "wall_seconds",
    "train_seconds",
    "duration_seconds",
    "timings_s",
];
/// Sizes and hashes of other files, in the records that list them.
const DERIVED_KEYS: [&str; 2] = ["sha256", "bytes"];
const RECORDS_OF_FILES: [&str; 2] = ["manifest.json", "checkpoint.json"];
const TEXT_SUFFIXES: [&str; 8] = ["json", "jsonl", "md", "html", "csv", "svg", "txt", "tsv"];

/// Every file under `root` (hidden ones included), relative to it.
pub fn files(root: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.insert(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    found
}

/// How the files under `after` differ from those under `before`: one line per file that differs
/// or exists on one side only. Empty when the two runs wrote the same.
pub fn differences(before: &Path, after: &Path) -> Vec<String> {
    let (in_before, in_after) = (files(before), files(after));
    let mut found = Vec::new();
    for path in in_before.union(&in_after) {
        if !in_after.contains(path) || !in_before.contains(path) {
            let side = if in_before.contains(path) {
                "before"
            } else {
                "after"
            };
            found.push(format!("{}: only {side}", path.display()));
        } else if let Some(why) = compare(path, before, after) {
            found.push(format!("{}: {why}", path.display()));
        }
    }
    found
}

fn compare(path: &Path, before: &Path, after: &Path) -> Option<String> {
    let (a, b) = (
        std::fs::read(before.join(path)).unwrap(),
        std::fs::read(after.join(path)).unwrap(),
    );
    if a == b {
        return None;
    }
    let suffix = path.extension().and_then(|s| s.to_str()).unwrap_or("");
    if suffix == "mpk" {
        let (ra, rb) = (
            comparable_record(&before.join(path)),
            comparable_record(&after.join(path)),
        );
        return (ra != rb).then(|| "checkpoint record differs".to_string());
    }
    if !TEXT_SUFFIXES.contains(&suffix) {
        return Some("bytes differ".to_string());
    }
    let (ta, tb) = (
        normalised(&String::from_utf8_lossy(&a), before),
        normalised(&String::from_utf8_lossy(&b), after),
    );
    if suffix == "json" || suffix == "jsonl" {
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut dropped: Vec<&str> = VOLATILE_KEYS.to_vec();
        if RECORDS_OF_FILES.contains(&name) {
            dropped.extend(DERIVED_KEYS);
        }
        let (va, vb) = (json_values(&ta, &dropped), json_values(&tb, &dropped));
        return (va != vb).then(|| format!("JSON differs:\n{ta}\nvs\n{tb}"));
    }
    let printed_time = Regex::new(
        r"\d[\d,]*(\.\d+)?\s*(s|seconds|min|minutes|h|hours|tokens/s|tok/s)\b|\b\d+:\d\d:\d\d\b",
    )
    .unwrap();
    let (ma, mb) = (
        printed_time.replace_all(&ta, "<time>"),
        printed_time.replace_all(&tb, "<time>"),
    );
    let line = ma.lines().zip(mb.lines()).position(|(x, y)| x != y);
    match line {
        None if ma.lines().count() == mb.lines().count() => None,
        _ => Some(format!("text differs from line {}", line.unwrap_or(0) + 1)),
    }
}

/// The text with the run's own folder (and the folder holding it) replaced by a placeholder.
fn normalised(text: &str, root: &Path) -> String {
    let text = text.replace(root.to_str().unwrap(), "<root>");
    text.replace(root.parent().unwrap().to_str().unwrap(), "<dir>")
}

fn json_values(text: &str, dropped: &[&str]) -> Vec<serde_json::Value> {
    let values: Vec<serde_json::Value> = if text.trim_start().starts_with('[') {
        vec![serde_json::from_str(text).unwrap()]
    } else {
        serde_json::Deserializer::from_str(text)
            .into_iter()
            .map(Result::unwrap)
            .collect()
    };
    values.into_iter().map(|v| without(v, dropped)).collect()
}

fn without(value: serde_json::Value, dropped: &[&str]) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter(|(k, _)| !dropped.contains(&k.as_str()))
            .map(|(k, v)| (k, without(v, dropped)))
            .collect(),
        serde_json::Value::Array(items) => items.into_iter().map(|v| without(v, dropped)).collect(),
        other => other,
    }
}

/// One MessagePack value as burn's recorder writes it. Maps are kept sorted by key, so a map
/// written in hash order compares equal to the same map in another order.
#[derive(Debug, PartialEq, PartialOrd, Clone)]
enum Record {
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    List(Vec<Record>),
    Map(Vec<(Record, Record)>),
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a MessagePack value")
    }
    fn visit_unit<E>(self) -> Result<Record, E> {
        Ok(Record::Nil)
    }
    fn visit_none<E>(self) -> Result<Record, E> {
        Ok(Record::Nil)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Record, D::Error> {
        Record::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Record, E> {
        Ok(Record::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Record, E> {
        Ok(Record::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Record, E> {
        Ok(Record::Int(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Record, E> {
        Ok(Record::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Record, E> {
        Ok(Record::Text(v.to_string()))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Record, E> {
        Ok(Record::Bytes(v.to_vec()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Record, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Record::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Record::Map(entries))
    }
}

fn read_record(path: &Path) -> Record {
    let bytes = std::fs::read(path).unwrap();
    rmp_serde::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A checkpoint record decoded, its parameter ids named after the model record beside it.
fn comparable_record(path: &Path) -> Record {
    let mut names = BTreeMap::new();
    parameter_names(
        &read_record(&path.with_file_name("model.mpk")),
        "",
        &mut names,
    );
    renamed(read_record(path), &names)
}

/// burn's random parameter id → the parameter's path in the model record (a parameter is a map
/// of exactly `id` and `param`).
fn parameter_names(record: &Record, at: &str, names: &mut BTreeMap<String, String>) {
    match record {
        Record::Map(entries) => {
            let key = |name: &str| Record::Text(name.to_string());
            let is_parameter =
                entries.len() == 2 && entries.iter().any(|(k, _)| *k == key("param"));
            if let Some((_, Record::Text(id))) = entries.iter().find(|(k, _)| *k == key("id")) {
                if is_parameter {
                    names.insert(id.clone(), at.to_string());
                }
            }
            for (key, value) in entries {
                parameter_names(value, &format!("{at}.{key:?}"), names);
            }
        }
        Record::List(items) => {
            for (i, item) in items.iter().enumerate() {
                parameter_names(item, &format!("{at}[{i}]"), names);
            }
        }
        _ => {}
    }
}

fn renamed(record: Record, names: &BTreeMap<String, String>) -> Record {
    match record {
        Record::Text(text) => Record::Text(names.get(&text).cloned().unwrap_or(text)),
        Record::List(items) => Record::List(items.into_iter().map(|r| renamed(r, names)).collect()),
        Record::Map(entries) => {
            let mut entries: Vec<(Record, Record)> = entries
                .into_iter()
                .map(|(k, v)| (renamed(k, names), renamed(v, names)))
                .collect();
            entries.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
            Record::Map(entries)
        }
        other => other,
    }
}
