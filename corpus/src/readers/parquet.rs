//! Parquet with a text column (UTF-8 string, large string or string view), read batch by batch.
//! Null cells are skipped silently: they hold no text.

use super::{RawSegment, SegmentReader};
use crate::error::{CorpusError, Result};
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

pub struct ParquetReader {
    path: PathBuf,
    batches: ParquetRecordBatchReader,
    pending: VecDeque<RawSegment>,
    row: u64,
}

impl ParquetReader {
    pub fn open(path: &Path, column: &str) -> Result<Self> {
        let bad = |message: String| CorpusError::bad_file(path, message);
        let file = std::fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|source| parquet_error(path, source))?;
        let schema = builder.schema().clone();
        let index = schema.index_of(column).map_err(|_| {
            bad(format!(
                "no column \"{column}\" (set input.text_field to the column holding the text)"
            ))
        })?;
        match schema.field(index).data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {}
            other => return Err(bad(format!("column \"{column}\" is {other}, not text"))),
        }
        let leaf = builder
            .parquet_schema()
            .columns()
            .iter()
            .position(|c| c.path().parts().len() == 1 && c.name() == column)
            .ok_or_else(|| bad(format!("column \"{column}\" is nested")))?;
        let mask = ProjectionMask::leaves(builder.parquet_schema(), [leaf]);
        let batches = builder
            .with_projection(mask)
            .with_batch_size(8192)
            .build()
            .map_err(|source| parquet_error(path, source))?;
        Ok(ParquetReader {
            path: path.to_path_buf(),
            batches,
            pending: VecDeque::new(),
            row: 0,
        })
    }

    fn take_batch(&mut self, batch: &RecordBatch) {
        let column = batch.column(0);
        let texts: Vec<Option<&str>> = match column.data_type() {
            DataType::Utf8 => column.as_string::<i32>().iter().collect(),
            DataType::LargeUtf8 => column.as_string::<i64>().iter().collect(),
            _ => column.as_string_view().iter().collect(),
        };
        for text in texts {
            self.row += 1;
            if let Some(text) = text {
                self.pending.push_back(RawSegment {
                    line: self.row,
                    src: text.to_string(),
                    tgt: None,
                });
            }
        }
    }
}

impl SegmentReader for ParquetReader {
    fn next_segment(&mut self) -> Result<Option<RawSegment>> {
        while self.pending.is_empty() {
            match self.batches.next() {
                None => return Ok(None),
                Some(Ok(batch)) => self.take_batch(&batch),
                Some(Err(e)) => {
                    return Err(CorpusError::bad_file(
                        &self.path,
                        format!("after row {}: {e}", self.row),
                    ))
                }
            }
        }
        Ok(self.pending.pop_front())
    }
}

fn parquet_error(path: &Path, source: parquet::errors::ParquetError) -> CorpusError {
    mekong_common::CommonError::Parquet {
        path: path.to_path_buf(),
        source,
    }
    .into()
}
