//! Writing corpus shards: `part-NNNNN.parquet` files of at most `shard_rows` rows, written in
//! row groups as rows arrive, so memory holds one batch rather than the corpus. `id` numbers the
//! rows of each table from 0 in output order. zstd keeps the shards small ([`Table::properties`]
//! says how each table is encoded); nothing time- or
//! machine-dependent goes into the files, so reruns are byte-identical.

use crate::{CommonError, Result};
use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows buffered before they are handed to the Parquet writer.
const BATCH_ROWS: usize = 8192;
const ROW_GROUP_ROWS: usize = 65_536;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Table {
    Parallel,
    Monolingual,
    Rejected,
}

impl Table {
    /// How the table is encoded. Texts are mostly distinct, so they skip the dictionary
    /// encoding Parquet tries first (the interning cost a fifth of a run) and the minimum and
    /// maximum no reader asks of them. Ids and line numbers are distinct and skip the
    /// dictionary too: interning them cost 6 % of a corpus run, and the shards come out
    /// smaller without it. The other columns repeat a few values and keep both. Kept rows, the
    /// stage's product, are compressed with zstd; rejected rows, an audit trail written in
    /// bulk (every copy of a duplicate), with the cheaper Snappy.
    fn properties(self) -> WriterProperties {
        let compression = match self {
            Table::Rejected => Compression::SNAPPY,
            Table::Parallel | Table::Monolingual => {
                Compression::ZSTD(ZstdLevel::try_new(3).expect("valid level"))
            }
        };
        let texts = ["src_text", "tgt_text", "text"];
        let numbers = ["id", "line"];
        let builder = texts
            .iter()
            .fold(WriterProperties::builder(), |builder, column| {
                builder.set_column_statistics_enabled(
                    ColumnPath::from(*column),
                    EnabledStatistics::None,
                )
            });
        texts
            .iter()
            .chain(&numbers)
            .fold(builder, |builder, column| {
                builder.set_column_dictionary_enabled(ColumnPath::from(*column), false)
            })
            .set_compression(compression)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build()
    }

    fn schema(self) -> SchemaRef {
        let text = |name: &str| Field::new(name, DataType::Utf8, false);
        let optional = |name: &str| Field::new(name, DataType::Utf8, true);
        let id = Field::new("id", DataType::UInt64, false);
        let fields = match self {
            Table::Parallel => vec![
                id,
                text("source"),
                text("src_lang"),
                text("src_text"),
                text("tgt_lang"),
                text("tgt_text"),
            ],
            Table::Monolingual => vec![id, text("source"), text("lang"), text("text")],
            Table::Rejected => vec![
                id,
                text("source"),
                Field::new("line", DataType::UInt64, false),
                text("reason"),
                text("detail"),
                text("src_lang"),
                optional("src_text"),
                optional("tgt_lang"),
                optional("tgt_text"),
            ],
        };
        Arc::new(Schema::new(fields))
    }
}

/// One value of a row, in schema order (the `id` column is filled in by the writer).
pub enum Cell<'a> {
    U64(u64),
    Str(&'a str),
    Null,
}

enum Builder {
    U64(UInt64Builder),
    Str(StringBuilder),
}

pub struct ShardWriter {
    dir: PathBuf,
    table: Table,
    schema: SchemaRef,
    rows_per_shard: usize,
    next_shard: usize,
    rows_in_shard: usize,
    next_id: u64,
    writer: Option<(PathBuf, ArrowWriter<std::fs::File>)>,
    builders: Vec<Builder>,
    buffered: usize,
    written: Vec<PathBuf>,
}

impl ShardWriter {
    /// Numbers the rows from `id` instead of 0 (a sharded run's task writes a run of the
    /// table's rows).
    pub fn with_first_id(mut self, id: u64) -> Self {
        self.next_id = id;
        self
    }

    /// Writes shards of `table` into `dir`, numbering them from `first_shard`.
    pub fn new(dir: &Path, table: Table, rows_per_shard: usize, first_shard: usize) -> Self {
        let schema = table.schema();
        let builders = schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::UInt64 => Builder::U64(UInt64Builder::new()),
                _ => Builder::Str(StringBuilder::new()),
            })
            .collect();
        ShardWriter {
            dir: dir.to_path_buf(),
            table,
            schema,
            rows_per_shard,
            next_shard: first_shard,
            rows_in_shard: 0,
            next_id: 0,
            writer: None,
            builders,
            buffered: 0,
            written: Vec::new(),
        }
    }

    /// Appends a row: every column but `id`, in schema order.
    pub fn push(&mut self, cells: &[Cell]) -> Result<()> {
        debug_assert_eq!(cells.len() + 1, self.builders.len());
        let id = self.next_id;
        self.next_id += 1;
        for (builder, cell) in self
            .builders
            .iter_mut()
            .zip(std::iter::once(&Cell::U64(id)).chain(cells.iter()))
        {
            match (builder, cell) {
                (Builder::U64(b), Cell::U64(v)) => b.append_value(*v),
                (Builder::Str(b), Cell::Str(s)) => b.append_value(s),
                (Builder::Str(b), Cell::Null) => b.append_null(),
                _ => unreachable!("cells follow the table's schema"),
            }
        }
        self.buffered += 1;
        self.rows_in_shard += 1;
        if self.buffered >= BATCH_ROWS || self.rows_in_shard >= self.rows_per_shard {
            self.flush()?;
        }
        if self.rows_in_shard >= self.rows_per_shard {
            self.close_shard()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| match b {
                Builder::U64(b) => Arc::new(b.finish()) as ArrayRef,
                Builder::Str(b) => Arc::new(b.finish()) as ArrayRef,
            })
            .collect();
        self.buffered = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .expect("the builders follow the table's schema");
        if self.writer.is_none() {
            let name = format!("part-{:05}.parquet", self.next_shard);
            self.next_shard += 1;
            let path = self.dir.join(&name);
            std::fs::create_dir_all(&self.dir).map_err(|e| CommonError::io(&self.dir, e))?;
            let file = std::fs::File::create(&path).map_err(|e| CommonError::io(&path, e))?;
            let properties = self.table.properties();
            let writer = ArrowWriter::try_new(file, self.schema.clone(), Some(properties))
                .map_err(|e| parquet_error(&path, e))?;
            self.writer = Some((path, writer));
        }
        let (path, writer) = self.writer.as_mut().expect("opened above");
        writer.write(&batch).map_err(|e| parquet_error(path, e))
    }

    fn close_shard(&mut self) -> Result<()> {
        self.flush()?;
        if let Some((path, writer)) = self.writer.take() {
            writer.close().map_err(|e| parquet_error(&path, e))?;
            self.written.push(path);
        }
        self.rows_in_shard = 0;
        Ok(())
    }

    /// Closes the last shard; returns the shard files written and the next free shard number.
    pub fn finish(mut self) -> Result<(Vec<PathBuf>, usize)> {
        self.close_shard()?;
        Ok((self.written, self.next_shard))
    }

    pub fn rows(&self) -> u64 {
        self.next_id
    }
}

fn parquet_error(path: &Path, source: parquet::errors::ParquetError) -> CommonError {
    CommonError::ParquetWrite {
        path: path.to_path_buf(),
        source,
    }
}
