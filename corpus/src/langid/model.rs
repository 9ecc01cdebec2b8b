//! The letter n-gram model, one table per script, built from Lingua's language models
//! (lingua-rs 1.3 model crates, Apache-2.0, © Peter M. Stahl) by `tools/langid-model` (see there
//! for how; `scripts/build-langid-model.sh` rebuilds it) and compiled into the binary. A row holds, for one
//! n-gram of one to three letters, the cost of its last letter in every language of the
//! script: −ln P(letter | the letters before) × [`ScriptModel::scale`], Lingua's back-off applied.

use rustc_hash::FxHashMap;
use unicode_script::Script;

static MODEL_BYTES: &[u8] = include_bytes!("model.bin");
const MAGIC: &[u8; 8] = b"MKLANGID";
const VERSION: u32 = 1;

/// The languages written in one script and their n-gram costs.
pub struct ScriptModel {
    pub script: Script,
    /// BCP 47 primary subtags, in column order.
    pub languages: Vec<String>,
    /// Each subtag's column: the language filter looks one up for every text it judges.
    columns: FxHashMap<String, usize>,
    /// Cost units per nat.
    pub scale: f64,
    rows: FxHashMap<u64, u32>,
    /// One row per n-gram, `stride` bytes long: the languages' costs, then zeros up to a
    /// multiple of 16, so summing rows is a fixed run of vector additions.
    costs: Vec<u8>,
    stride: usize,
}

impl ScriptModel {
    /// The row of the n-gram `key` (see [`pack3`]), if the model has it.
    #[inline]
    pub fn row(&self, key: u64) -> Option<u32> {
        self.rows.get(&key).copied()
    }

    /// The costs of a row's n-gram in every language, padded with zeros to a multiple of 16
    /// languages.
    #[inline]
    pub fn row_costs(&self, row: u32) -> &[u8] {
        let start = row as usize * self.stride;
        &self.costs[start..start + self.stride]
    }

    pub fn column(&self, primary: &str) -> Option<usize> {
        self.columns.get(primary).copied()
    }
}

pub struct Model {
    pub scripts: Vec<ScriptModel>,
}

impl Model {
    /// The model compiled into the binary, parsed on first use.
    pub fn get() -> &'static Model {
        static MODEL: std::sync::LazyLock<Model> = std::sync::LazyLock::new(|| {
            Model::parse(MODEL_BYTES).expect("the built-in language model is well formed")
        });
        &MODEL
    }

    /// The model of `script`, with its place in [`Model::scripts`].
    pub fn for_script(&self, script: Script) -> Option<(usize, &ScriptModel)> {
        self.scripts
            .iter()
            .enumerate()
            .find(|(_, m)| m.script == script)
    }

    /// The model of the script most of `text`'s letters are in, if it has one.
    pub fn for_text(&self, text: &str) -> Option<(usize, &ScriptModel)> {
        let mut letters = vec![0usize; self.scripts.len()];
        for c in text
            .chars()
            .filter(|&c| crate::chars::is_letter(c))
            .take(256)
        {
            let script = crate::chars::script(c);
            if let Some((i, _)) = self.for_script(script) {
                letters[i] += 1;
            }
        }
        let (most, &count) = letters
            .iter()
            .enumerate()
            .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))?;
        (count > 0).then(|| (most, &self.scripts[most]))
    }

    fn parse(bytes: &[u8]) -> Option<Model> {
        let mut input = Reader(bytes);
        if input.take(8)? != MAGIC || input.u32()? != VERSION {
            return None;
        }
        let scale = f64::from(input.u32()?);
        let scripts = (0..input.u32()?)
            .map(|_| {
                let script = Script::from_full_name(input.text()?)?;
                let languages = (0..input.u32()?)
                    .map(|_| input.text().map(str::to_string))
                    .collect::<Option<Vec<_>>>()?;
                let count = input.u32()? as usize;
                let rows = input
                    .take(count * 8)?
                    .chunks_exact(8)
                    .enumerate()
                    .map(|(row, key)| {
                        let key = u64::from_le_bytes(key.try_into().expect("8 bytes"));
                        (key, row as u32)
                    })
                    .collect();
                let width = languages.len();
                (width > 0 && width <= super::MAX_LANGUAGES).then_some(())?;
                let stride = width.next_multiple_of(16);
                let mut costs = vec![0u8; count * stride];
                for (padded, row) in costs
                    .chunks_exact_mut(stride)
                    .zip(input.take(count * width)?.chunks_exact(width))
                {
                    padded[..width].copy_from_slice(row);
                }
                let columns = languages.iter().cloned().zip(0..).collect();
                Some(ScriptModel {
                    script,
                    languages,
                    columns,
                    scale,
                    rows,
                    costs,
                    stride,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        input.0.is_empty().then_some(Model { scripts })
    }
}

/// Up to three letters in one integer, 21 bits each, the last letter lowest (as the model
/// tool packs them): `pack3(0, 0, c)` is a letter, `pack3(0, b, c)` a bigram.
#[inline]
pub fn pack3(a: char, b: char, c: char) -> u64 {
    (a as u64) << 42 | (b as u64) << 21 | c as u64
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = *self.take(1)?.first()? as usize;
        std::str::from_utf8(self.take(len)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_model_parses() {
        let model = Model::get();
        let (_, latin) = model.for_script(Script::Latin).expect("a Latin table");
        for code in ["en", "vi", "yo", "sw", "id", "de", "fr", "es"] {
            assert!(latin.column(code).is_some(), "{code}");
        }
        let (_, cyrillic) = model.for_script(Script::Cyrillic).unwrap();
        assert!(cyrillic.column("ru").is_some() && latin.column("ru").is_none());
        // "the" is cheaper in English than in Vietnamese.
        let row = latin.row_costs(latin.row(pack3('t', 'h', 'e')).unwrap());
        let (en, vi) = (latin.column("en").unwrap(), latin.column("vi").unwrap());
        assert!(row[en] < row[vi], "{} vs {}", row[en], row[vi]);
    }

    #[test]
    fn a_damaged_model_is_refused() {
        assert!(Model::parse(&MODEL_BYTES[..MODEL_BYTES.len() - 1]).is_none());
        assert!(Model::parse(b"MKLANGID\x02\0\0\0").is_none());
    }
}
