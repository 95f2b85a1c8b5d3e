//! Reading lake Parquet files into plain vectors with arrow-rs.
//!
//! Polars writes integers with their unsigned logical types and strings as (large or view)
//! UTF-8; these helpers accept any of those encodings so the engine does not depend on how
//! the writer chose to spell them.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Result, ScopeError};

/// The projected columns of a Parquet file, as record batches.
pub struct Table {
    path: std::path::PathBuf,
    batches: Vec<RecordBatch>,
}

impl Table {
    /// Reads `columns` of the file at `path`.
    pub fn read(path: &Path, columns: &[&str]) -> Result<Self> {
        let file = File::open(path).map_err(|source| ScopeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let pq = |source| ScopeError::Parquet {
            path: path.to_path_buf(),
            source,
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(1 << 16)
            .build()
            .map_err(pq)?;
        let mut batches = Vec::new();
        for b in reader {
            batches.push(b.map_err(|source| ScopeError::Arrow {
                path: path.to_path_buf(),
                source,
            })?);
        }
        Ok(Self {
            path: path.to_path_buf(),
            batches,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    fn arrays(&self, name: &str) -> Result<Vec<&ArrayRef>> {
        self.batches
            .iter()
            .map(|b| {
                b.column_by_name(name)
                    .ok_or_else(|| ScopeError::column(&self.path, name, "missing"))
            })
            .collect()
    }

    /// An unsigned integer column (any width up to 64 bits) as `u64`s; nulls become `None`.
    pub fn uint(&self, name: &str) -> Result<Vec<Option<u64>>> {
        let mut out = Vec::with_capacity(self.len());
        for a in self.arrays(name)? {
            match a.data_type() {
                DataType::UInt64 => out.extend(a.as_primitive::<UInt64Type>().iter()),
                DataType::UInt32 => out.extend(
                    a.as_primitive::<UInt32Type>()
                        .iter()
                        .map(|v| v.map(u64::from)),
                ),
                DataType::UInt16 => out.extend(
                    a.as_primitive::<UInt16Type>()
                        .iter()
                        .map(|v| v.map(u64::from)),
                ),
                DataType::UInt8 => out.extend(
                    a.as_primitive::<UInt8Type>()
                        .iter()
                        .map(|v| v.map(u64::from)),
                ),
                DataType::Int64 => out.extend(
                    a.as_primitive::<arrow_array::types::Int64Type>()
                        .iter()
                        .map(|v| v.and_then(|v| u64::try_from(v).ok())),
                ),
                DataType::Int32 => out.extend(
                    a.as_primitive::<arrow_array::types::Int32Type>()
                        .iter()
                        .map(|v| v.and_then(|v| u64::try_from(v).ok())),
                ),
                other => {
                    return Err(ScopeError::column(
                        &self.path,
                        name,
                        format!("unexpected type {other}"),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// An unsigned column without nulls (a null is an error).
    pub fn uint_required(&self, name: &str) -> Result<Vec<u64>> {
        self.uint(name)?
            .into_iter()
            .map(|v| v.ok_or_else(|| ScopeError::column(&self.path, name, "unexpected null")))
            .collect()
    }

    /// A date32 column as day numbers.
    pub fn dates(&self, name: &str) -> Result<Vec<i32>> {
        let mut out = Vec::with_capacity(self.len());
        for a in self.arrays(name)? {
            match a.data_type() {
                DataType::Date32 => out.extend(
                    a.as_primitive::<Date32Type>()
                        .iter()
                        .map(|v| v.unwrap_or(i32::MIN)),
                ),
                other => {
                    return Err(ScopeError::column(
                        &self.path,
                        name,
                        format!("unexpected type {other}"),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// A string column, each value passed to `f` (nulls as `None`).
    pub fn for_each_str(&self, name: &str, mut f: impl FnMut(Option<&str>)) -> Result<()> {
        for a in self.arrays(name)? {
            match a.data_type() {
                DataType::Utf8 => a.as_string::<i32>().iter().for_each(&mut f),
                DataType::LargeUtf8 => a.as_string::<i64>().iter().for_each(&mut f),
                DataType::Utf8View => a.as_string_view().iter().for_each(&mut f),
                DataType::Dictionary(_, _) => {
                    let d = a.as_any_dictionary();
                    let values = d.values();
                    let keys = d.normalized_keys();
                    let get = |i: usize| -> Option<String> {
                        match values.data_type() {
                            DataType::Utf8 => Some(values.as_string::<i32>().value(i).to_string()),
                            DataType::LargeUtf8 => {
                                Some(values.as_string::<i64>().value(i).to_string())
                            }
                            DataType::Utf8View => {
                                Some(values.as_string_view().value(i).to_string())
                            }
                            _ => None,
                        }
                    };
                    for (row, k) in keys.iter().enumerate() {
                        if a.is_null(row) {
                            f(None)
                        } else {
                            f(get(*k).as_deref())
                        }
                    }
                }
                other => {
                    return Err(ScopeError::column(
                        &self.path,
                        name,
                        format!("unexpected type {other}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A `list<f64>` column (large or not) as one vector per row; a null list is empty. At most
    /// `max_items` values in all (a corrupt file cannot make the engine allocate unboundedly).
    pub fn f64_lists(&self, name: &str, max_items: usize) -> Result<Vec<Vec<f64>>> {
        use arrow_array::types::Float64Type;
        let mut out = Vec::with_capacity(self.len());
        let mut items = 0usize;
        for a in self.arrays(name)? {
            let lists: Vec<Option<ArrayRef>> = match a.data_type() {
                DataType::List(_) => a.as_list::<i32>().iter().collect(),
                DataType::LargeList(_) => a.as_list::<i64>().iter().collect(),
                other => {
                    return Err(ScopeError::column(
                        &self.path,
                        name,
                        format!("unexpected type {other}, expected a list of floats"),
                    ));
                }
            };
            for l in lists {
                let Some(values) = l else {
                    out.push(Vec::new());
                    continue;
                };
                let Some(v) = values.as_primitive_opt::<Float64Type>() else {
                    return Err(ScopeError::column(
                        &self.path,
                        name,
                        "list items are not f64",
                    ));
                };
                items += v.len();
                if items > max_items {
                    return Err(ScopeError::column(
                        &self.path,
                        name,
                        format!("more than {max_items} values"),
                    ));
                }
                out.push(v.iter().map(|x| x.unwrap_or(f64::NAN)).collect());
            }
        }
        Ok(out)
    }

    /// A string column as owned strings.
    pub fn strings(&self, name: &str) -> Result<Vec<Option<String>>> {
        let mut out = Vec::with_capacity(self.len());
        self.for_each_str(name, |s| out.push(s.map(str::to_string)))?;
        Ok(out)
    }
}
