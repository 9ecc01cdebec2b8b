//! Reading corpus shards. Parquet files with the shard columns from another tool read the same
//! way: string columns may use any of Arrow's three string layouts, and `id` may be an integer
//! or a string. Only the columns a reader asks for are decoded.

use crate::{CommonError, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use std::path::{Path, PathBuf};

/// Which of the corpus stage's tables a shard holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    Monolingual,
    Parallel,
}

impl Schema {
    /// The (language column, text column) of each text a row holds, in the order they are read.
    pub fn sides(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Schema::Monolingual => &[("lang", "text")],
            Schema::Parallel => &[("src_lang", "src_text"), ("tgt_lang", "tgt_text")],
        }
    }

    /// The schema whose columns `has` finds; parallel first, as a parallel table has no `text`.
    fn detect(has: impl Fn(&str) -> bool) -> Option<Self> {
        [Schema::Parallel, Schema::Monolingual]
            .into_iter()
            .find(|schema| {
                schema
                    .sides()
                    .iter()
                    .all(|(lang, text)| has(lang) && has(text))
            })
    }
}

/// What a reader decodes besides the texts and their languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    Texts,
    TextsAndIds,
}

/// One text of a shard: a monolingual row, or one side of a parallel row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardText<'a> {
    /// The row's number in the file, from 0 (for messages about it).
    pub row: u64,
    /// The row's `id` (both sides of a pair share it), when the reader asked for ids.
    pub id: Option<String>,
    pub lang: &'a str,
    pub text: &'a str,
}

/// The corpus shards at `path`: the file itself, or the visible `*.parquet` files directly in
/// the folder, sorted. Subfolders are not read: the corpus stage keeps what it dropped in
/// `rejected/`.
pub fn shard_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    crate::visible_files(path, &[crate::artefacts::corpus::SHARD_EXTENSION])
}

/// The rows a shard holds, from its footer (nothing is decoded).
pub fn row_count(path: &Path) -> Result<u64> {
    let builder = open(path)?;
    Ok(builder.metadata().file_metadata().num_rows().max(0) as u64)
}

/// The compressed bytes of each of a shard's row groups, from its footer: the weights of the
/// units a sharded stage splits a shard into.
pub fn row_group_sizes(path: &Path) -> Result<Vec<u64>> {
    let builder = open(path)?;
    Ok(builder
        .metadata()
        .row_groups()
        .iter()
        .map(|group| group.compressed_size().max(0) as u64)
        .collect())
}

/// A shard's record batches, with the columns asked for.
pub struct ShardReader {
    path: PathBuf,
    schema: Schema,
    columns: Columns,
    batches: ParquetRecordBatchReader,
    /// The file row the next batch starts at.
    next_row: u64,
}

impl ShardReader {
    pub fn open(path: &Path, columns: Columns) -> Result<Self> {
        Self::open_part(path, columns, None)
    }

    /// Reads only the row group `group` of the shard.
    pub fn open_row_group(path: &Path, columns: Columns, group: usize) -> Result<Self> {
        Self::open_part(path, columns, Some(group))
    }

    fn open_part(path: &Path, columns: Columns, group: Option<usize>) -> Result<Self> {
        let mut builder = open(path)?;
        let mut first_row = 0;
        if let Some(group) = group {
            let groups = builder.metadata().row_groups();
            if group >= groups.len() {
                return Err(CommonError::BadShard {
                    path: path.to_path_buf(),
                    message: format!("has {} row groups, not {}", groups.len(), group + 1),
                });
            }
            first_row = groups[..group]
                .iter()
                .map(|g| g.num_rows().max(0) as u64)
                .sum();
            builder = builder.with_row_groups(vec![group]);
        }
        let has = |name: &str| builder.schema().field_with_name(name).is_ok();
        let schema = Schema::detect(has).ok_or_else(|| CommonError::BadShard {
            path: path.to_path_buf(),
            message: "not a corpus shard: expected columns lang, text (monolingual) or src_lang, \
                      src_text, tgt_lang, tgt_text (parallel)"
                .into(),
        })?;
        if columns == Columns::TextsAndIds && !has("id") {
            return Err(CommonError::BadShard {
                path: path.to_path_buf(),
                message: "has no column 'id'".into(),
            });
        }
        let ids = (columns == Columns::TextsAndIds).then_some("id");
        let names = schema
            .sides()
            .iter()
            .flat_map(|(lang, text)| [*lang, *text])
            .chain(ids);
        let mask = ProjectionMask::columns(builder.parquet_schema(), names);
        let batches = builder
            .with_projection(mask)
            .build()
            .map_err(|source| parquet_error(path, source))?;
        Ok(ShardReader {
            path: path.to_path_buf(),
            schema,
            columns,
            batches,
            next_row: first_row,
        })
    }

    pub fn schema(&self) -> Schema {
        self.schema
    }
}

impl Iterator for ShardReader {
    type Item = Result<TextBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        let batch = match self.batches.next()? {
            Ok(batch) => batch,
            Err(e) => return Some(Err(parquet_error(&self.path, e.into()))),
        };
        let first_row = self.next_row;
        self.next_row += batch.num_rows() as u64;
        Some(Ok(TextBatch {
            path: self.path.clone(),
            schema: self.schema,
            columns: self.columns,
            first_row,
            batch,
        }))
    }
}

/// One record batch of a shard.
pub struct TextBatch {
    path: PathBuf,
    schema: Schema,
    columns: Columns,
    /// The file row of the batch's first row.
    first_row: u64,
    batch: RecordBatch,
}

impl TextBatch {
    /// Rows in the batch (a parallel row holds two texts).
    pub fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// A parallel shard's rows as translation pairs `(src_lang, src_text, tgt_lang, tgt_text)`
    /// (rows with a null side skipped); none for a monolingual shard.
    pub fn pairs(&self) -> Result<Vec<[&str; 4]>> {
        if self.schema != Schema::Parallel {
            return Ok(Vec::new());
        }
        let columns = [
            self.strings("src_lang")?,
            self.strings("src_text")?,
            self.strings("tgt_lang")?,
            self.strings("tgt_text")?,
        ];
        Ok((0..self.rows())
            .filter_map(|row| {
                Some([
                    columns[0][row]?,
                    columns[1][row]?,
                    columns[2][row]?,
                    columns[3][row]?,
                ])
            })
            .collect())
    }

    /// The batch's non-empty texts with their languages: side by side for a parallel shard (every
    /// source text of the batch, then every target text). Rows without a language are skipped.
    pub fn texts(&self) -> Result<Vec<ShardText<'_>>> {
        let ids = match self.columns {
            Columns::TextsAndIds => Some(self.ids()?),
            Columns::Texts => None,
        };
        let mut texts = Vec::new();
        for (lang_column, text_column) in self.schema.sides() {
            let langs = self.strings(lang_column)?;
            let values = self.strings(text_column)?;
            for (row, (lang, text)) in langs.into_iter().zip(values).enumerate() {
                let (Some(lang), Some(text)) = (lang, text) else {
                    continue;
                };
                if text.is_empty() {
                    continue;
                }
                let id = match &ids {
                    Some(ids) => Some(ids.get(row).ok_or_else(|| {
                        self.bad(format!(
                            "row {}: the id is null",
                            self.first_row + row as u64
                        ))
                    })?),
                    None => None,
                };
                texts.push(ShardText {
                    row: self.first_row + row as u64,
                    id,
                    lang,
                    text,
                });
            }
        }
        Ok(texts)
    }

    fn column(&self, name: &str) -> Result<&dyn Array> {
        self.batch
            .column_by_name(name)
            .map(|column| column.as_ref())
            .ok_or_else(|| self.bad(format!("has no column '{name}'")))
    }

    /// A string column's values, whichever of Arrow's three string layouts it uses.
    fn strings(&self, name: &str) -> Result<Vec<Option<&str>>> {
        let column = self.column(name)?;
        if let Some(array) = column.as_string_opt::<i32>() {
            Ok(array.iter().collect())
        } else if let Some(array) = column.as_string_opt::<i64>() {
            Ok(array.iter().collect())
        } else if let Some(array) = column.as_string_view_opt() {
            Ok(array.iter().collect())
        } else {
            Err(self.bad(format!(
                "column '{name}' is {} but must be a string",
                column.data_type()
            )))
        }
    }

    /// The `id` column, its type found once for the batch: an integer column or a string one.
    fn ids(&self) -> Result<Ids<'_>> {
        let column = self.column("id")?;
        macro_rules! integer {
            ($($type:ty),+) => {$(
                if let Some(array) = column.as_primitive_opt::<$type>() {
                    return Ok(Ids::Integers(Box::new(move |row| {
                        (!array.is_null(row)).then(|| array.value(row).to_string())
                    })));
                }
            )+};
        }
        integer!(UInt64Type, Int64Type, UInt32Type, Int32Type);
        Ok(Ids::Strings(self.strings("id")?))
    }

    fn bad(&self, message: String) -> CommonError {
        CommonError::BadShard {
            path: self.path.clone(),
            message,
        }
    }
}

/// A batch's ids: the digits of an integer column, or a string column's values.
enum Ids<'a> {
    Integers(Box<dyn Fn(usize) -> Option<String> + 'a>),
    Strings(Vec<Option<&'a str>>),
}

impl Ids<'_> {
    /// Row `row`'s id; `None` when it is null.
    fn get(&self, row: usize) -> Option<String> {
        match self {
            Ids::Integers(value) => value(row),
            Ids::Strings(values) => values[row].map(str::to_string),
        }
    }
}

fn open(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|e| CommonError::io(path, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| parquet_error(path, source))
}

fn parquet_error(path: &Path, source: parquet::errors::ParquetError) -> CommonError {
    CommonError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, StringArray, UInt64Array};
    use parquet::arrow::ArrowWriter;
    use std::sync::Arc;

    fn write(path: &Path, columns: Vec<(&str, ArrayRef)>) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file = std::fs::File::create(path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    fn strings(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    #[test]
    fn parallel_shards_give_both_sides_with_the_rows_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-00000.parquet");
        write(
            &path,
            vec![
                ("id", Arc::new(UInt64Array::from(vec![7, 8])) as ArrayRef),
                ("src_lang", strings(&[Some("en"), Some("en")])),
                ("src_text", strings(&[Some("Hello"), Some("")])),
                ("tgt_lang", strings(&[Some("vi"), None])),
                ("tgt_text", strings(&[Some("Xin chào"), Some("Rỗng")])),
            ],
        );
        let reader = ShardReader::open(&path, Columns::TextsAndIds).unwrap();
        assert_eq!(reader.schema(), Schema::Parallel);
        let batches: Vec<TextBatch> = reader.map(Result::unwrap).collect();
        let texts = batches[0].texts().unwrap();
        let seen: Vec<(u64, Option<&str>, &str, &str)> = texts
            .iter()
            .map(|t| (t.row, t.id.as_deref(), t.lang, t.text))
            .collect();
        // The empty source text and the target without a language are skipped.
        assert_eq!(
            seen,
            [
                (0, Some("7"), "en", "Hello"),
                (0, Some("7"), "vi", "Xin chào")
            ]
        );
        assert_eq!(row_count(&path).unwrap(), 2);
    }

    #[test]
    fn a_row_group_reads_alone_with_its_file_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-00000.parquet");
        let batch = RecordBatch::try_from_iter(vec![
            ("lang", strings(&[Some("vi"); 5])),
            (
                "text",
                strings(&[
                    Some("một"),
                    Some("hai"),
                    Some("ba"),
                    Some("bốn"),
                    Some("năm"),
                ]),
            ),
        ])
        .unwrap();
        let properties = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .build();
        let file = std::fs::File::create(&path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let sizes = row_group_sizes(&path).unwrap();
        assert_eq!(sizes.len(), 3, "{sizes:?}");
        assert!(sizes.iter().all(|&bytes| bytes > 0), "{sizes:?}");
        let read = |group| {
            let reader = ShardReader::open_row_group(&path, Columns::Texts, group).unwrap();
            let batches: Vec<TextBatch> = reader.map(Result::unwrap).collect();
            let texts: Vec<(u64, String)> = batches
                .iter()
                .flat_map(|b| b.texts().unwrap())
                .map(|t| (t.row, t.text.to_string()))
                .collect();
            texts
        };
        assert_eq!(read(1), [(2, "ba".to_string()), (3, "bốn".to_string())]);
        assert_eq!(read(2), [(4, "năm".to_string())]);
        let error = ShardReader::open_row_group(&path, Columns::Texts, 3)
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("has 3 row groups, not 4"),
            "{error}"
        );
    }

    #[test]
    fn a_null_id_is_refused_with_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-00000.parquet");
        write(
            &path,
            vec![
                ("id", strings(&[Some("a"), None])),
                ("lang", strings(&[Some("vi"), Some("vi")])),
                ("text", strings(&[Some("một"), Some("hai")])),
            ],
        );
        let batch = ShardReader::open(&path, Columns::TextsAndIds)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let error = batch.texts().unwrap_err().to_string();
        assert!(error.ends_with("row 1: the id is null"), "{error}");
        let texts = ShardReader::open(&path, Columns::Texts)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(texts.texts().unwrap().len(), 2, "ids not asked for");
    }

    #[test]
    fn folders_give_their_visible_shards_and_other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mono = dir.path().join("part-00001.parquet");
        write(
            &mono,
            vec![
                ("id", strings(&[Some("doc-1")])),
                ("lang", strings(&[Some("vi")])),
                ("text", strings(&[Some("Việt Nam")])),
            ],
        );
        std::fs::write(dir.path().join(".part.parquet.tmp-1"), "half").unwrap();
        std::fs::write(dir.path().join("stats.json"), "{}").unwrap();
        std::fs::create_dir(dir.path().join("rejected")).unwrap();
        assert_eq!(
            shard_files(dir.path()).unwrap(),
            std::slice::from_ref(&mono)
        );
        let batch = ShardReader::open(&mono, Columns::TextsAndIds)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(batch.texts().unwrap()[0].id.as_deref(), Some("doc-1"));

        let other = dir.path().join("other.parquet");
        write(&other, vec![("title", strings(&[Some("x")]))]);
        let error = ShardReader::open(&other, Columns::Texts).err().unwrap();
        assert!(error.to_string().contains("not a corpus shard"), "{error}");
        let no_ids = dir.path().join("no-ids.parquet");
        write(
            &no_ids,
            vec![
                ("lang", strings(&[Some("vi")])),
                ("text", strings(&[Some("a")])),
            ],
        );
        assert!(ShardReader::open(&no_ids, Columns::Texts).is_ok());
        let error = ShardReader::open(&no_ids, Columns::TextsAndIds)
            .err()
            .unwrap();
        assert!(error.to_string().contains("has no column 'id'"), "{error}");
    }
}
