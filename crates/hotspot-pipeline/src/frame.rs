//! Small bridges between plain Rust vectors and polars frames, and atomic Parquet files.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{PipelineError, Result};

/// Compression for every Parquet file the pipeline writes.
/// zstd level 1: nearly the ratio of the default level at a fraction of the CPU, which is
/// what a pipeline writing thousands of small partitions needs.
pub fn parquet_compression() -> ParquetCompression {
    ParquetCompression::Zstd(polars::polars_utils::compression::ZstdLevel::try_new(1).ok())
}

/// Writes `df` to `tmp` (a temporary path beside its final location), single-threaded like
/// [`read_parquet`]. The caller renames it
/// into place once everything that must change together has been written.
pub fn write_parquet(df: &mut DataFrame, tmp: &Path) -> Result<()> {
    if let Some(dir) = tmp.parent() {
        std::fs::create_dir_all(dir).map_err(|e| PipelineError::io(dir, e))?;
    }
    let file = File::create(tmp).map_err(|e| PipelineError::io(tmp, e))?;
    // Polars writes page by page; buffering turns thousands of small writes into a few.
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    ParquetWriter::new(&mut out)
        .with_compression(parquet_compression())
        .set_parallel(false)
        .with_statistics(StatisticsOptions::default())
        .finish(df)
        .map_err(|e| PipelineError::polars(tmp, e))?;
    use std::io::Write;
    out.flush().map_err(|e| PipelineError::io(tmp, e))?;
    Ok(())
}

/// A Parquet file written a row group at a time, so what it holds never has to be in memory
/// at once (the quarantine of a file that is mostly garbage).
pub struct ParquetStream {
    path: PathBuf,
    // Unbuffered: polars writes a row group's pages in few, large writes, and a stream holds
    // its file until `finish`, which must report every failure (a `BufWriter` would flush,
    // and lose its error, on drop).
    writer: polars::io::parquet::write::BatchedWriter<File>,
}

impl ParquetStream {
    /// Creates `tmp` (a temporary path, as for [`write_parquet`]) for frames of `schema`.
    pub fn create(tmp: &Path, schema: &Schema) -> Result<ParquetStream> {
        if let Some(dir) = tmp.parent() {
            std::fs::create_dir_all(dir).map_err(|e| PipelineError::io(dir, e))?;
        }
        let file = File::create(tmp).map_err(|e| PipelineError::io(tmp, e))?;
        let writer = ParquetWriter::new(file)
            .with_compression(parquet_compression())
            .set_parallel(false)
            .with_statistics(StatisticsOptions::default())
            .batched(schema)
            .map_err(|e| PipelineError::polars(tmp, e))?;
        Ok(ParquetStream {
            path: tmp.to_path_buf(),
            writer,
        })
    }

    /// Appends `df` as one row group.
    pub fn write(&mut self, df: &DataFrame) -> Result<()> {
        self.writer
            .write_batch(df)
            .map_err(|e| PipelineError::polars(&self.path, e))
    }

    /// Writes the footer.
    pub fn finish(self) -> Result<()> {
        self.writer
            .finish()
            .map(|_| ())
            .map_err(|e| PipelineError::polars(&self.path, e))
    }
}

/// Reads a Parquet file (optionally only some columns). Single-threaded: the pipeline runs
/// partitions in parallel ([`crate::parallel`]), not the columns of one small file.
pub fn read_parquet(path: &Path, columns: Option<&[&str]>) -> Result<DataFrame> {
    let file = File::open(path).map_err(|e| PipelineError::io(path, e))?;
    ParquetReader::new(file)
        .read_parallel(ParallelStrategy::None)
        .with_columns(columns.map(|c| c.iter().map(|s| s.to_string()).collect()))
        .finish()
        .map_err(|e| PipelineError::polars(path, e))
}

/// Reads a Bronze partition, adding the columns later versions introduced as all-null when an
/// older lake's file lacks them (`field_issue`), so every Bronze frame has the same schema.
pub fn read_bronze(path: &Path) -> Result<DataFrame> {
    let mut df = read_parquet(path, None)?;
    let col = hotspot_core::lake::columns::bronze::FIELD_ISSUE;
    if df.column(col).is_err() {
        let nulls = Column::full_null(col.into(), df.height(), &DataType::String);
        df.with_column(nulls)
            .map_err(|e| PipelineError::polars(path, e))?;
    }
    Ok(df)
}

/// Writes `df` as Arrow IPC (the staging format: fast, uncompressed).
pub fn write_ipc(df: &mut DataFrame, path: &Path) -> Result<()> {
    let file = File::create(path).map_err(|e| PipelineError::io(path, e))?;
    IpcWriter::new(file)
        .finish(df)
        .map_err(|e| PipelineError::polars(path, e))
}

/// Reads an Arrow IPC file.
pub fn read_ipc(path: &Path) -> Result<DataFrame> {
    let file = File::open(path).map_err(|e| PipelineError::io(path, e))?;
    IpcReader::new(file)
        .finish()
        .map_err(|e| PipelineError::polars(path, e))
}

/// Files written to temporary paths, renamed into place together by [`PendingFiles::commit`].
/// Dropped without committing, it removes what it wrote: the previous lake stays as it was.
#[derive(Debug, Default)]
pub struct PendingFiles {
    files: Vec<(PathBuf, PathBuf)>,
    removals: Vec<PathBuf>,
    committed: bool,
}

impl PendingFiles {
    /// The temporary path for `dest`, registered for commit.
    pub fn stage(&mut self, dest: PathBuf) -> PathBuf {
        let tmp = hotspot_core::lake::temp_path(&dest);
        self.files.push((tmp.clone(), dest));
        tmp
    }

    /// Registers a file to delete at commit (a partition that no longer has rows).
    pub fn remove_at_commit(&mut self, dest: PathBuf) {
        self.removals.push(dest);
    }

    /// Adds another set's files to this one.
    pub fn absorb(&mut self, mut other: PendingFiles) {
        self.files.append(&mut other.files);
        self.removals.append(&mut other.removals);
        other.committed = true;
    }

    /// Number of files waiting.
    pub fn len(&self) -> usize {
        self.files.len() + self.removals.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Renames every staged file over its destination and deletes the removals.
    pub fn commit(mut self) -> Result<()> {
        let half = self.files.len() / 2;
        for (i, (tmp, dest)) in self.files.iter().enumerate() {
            if i == half {
                hotspot_core::lake::snapshot::abort_point("renames-half-done");
            }
            std::fs::rename(tmp, dest).map_err(|e| PipelineError::io(dest, e))?;
        }
        for dest in &self.removals {
            match std::fs::remove_file(dest) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(PipelineError::io(dest, e)),
            }
            if let Some(dir) = dest.parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFiles {
    fn drop(&mut self) {
        if !self.committed {
            for (tmp, _) in &self.files {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// A growable column of strings stored back to back (one allocation, not one per value).
#[derive(Clone, Debug, Default)]
pub struct StrColumn {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    valid: Vec<bool>,
    has_null: bool,
}

impl StrColumn {
    /// Appends a value.
    pub fn push(&mut self, value: &str) {
        self.bytes.extend_from_slice(value.as_bytes());
        self.ends.push(self.bytes.len() as u32);
        self.valid.push(true);
    }

    /// Appends a value or a null.
    pub fn push_opt(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.push(v),
            None => {
                self.ends.push(self.bytes.len() as u32);
                self.valid.push(false);
                self.has_null = true;
            }
        }
    }

    /// Moves every value of `other` to the end of this column.
    pub fn append(&mut self, other: StrColumn) {
        let base = self.bytes.len() as u32;
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|e| e + base));
        self.valid.extend_from_slice(&other.valid);
        self.has_null |= other.has_null;
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes used (to bound buffered memory).
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    fn get(&self, i: usize) -> Option<&str> {
        if !self.valid[i] {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // Only whole `&str`s are ever pushed, so every range is valid UTF-8.
        std::str::from_utf8(&self.bytes[start..self.ends[i] as usize]).ok()
    }

    /// The column as a polars column.
    pub fn into_column(self, name: &str) -> Column {
        let ca: StringChunked = if self.has_null {
            (0..self.len()).map(|i| self.get(i)).collect()
        } else {
            StringChunked::from_iter_values(
                name.into(),
                (0..self.len()).filter_map(|i| self.get(i)),
            )
        };
        ca.with_name(name.into()).into_column()
    }
}

/// A named polars column from a vector of optional values.
pub fn opt_column<T>(name: &str, values: Vec<Option<T::Native>>) -> Column
where
    T: PolarsNumericType,
    ChunkedArray<T>: IntoColumn,
{
    let ca: ChunkedArray<T> = values.into_iter().collect();
    ca.with_name(name.into()).into_column()
}

/// A named polars column from a vector of values.
pub fn vec_column<T>(name: &str, values: Vec<T::Native>) -> Column
where
    T: PolarsNumericType,
    ChunkedArray<T>: IntoColumn,
{
    ChunkedArray::<T>::from_vec(name.into(), values).into_column()
}

/// A timestamp(µs) column from microseconds.
pub fn timestamp_column(name: &str, micros: Vec<Option<i64>>) -> Column {
    let ca: Int64Chunked = micros.into_iter().collect();
    ca.with_name(name.into())
        .into_datetime(TimeUnit::Microseconds, None)
        .into_column()
}

/// A date32 column from day numbers.
pub fn date_column(name: &str, days: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), days)
        .into_date()
        .into_column()
}

/// A boolean column.
pub fn bool_column(name: &str, values: Vec<bool>) -> Column {
    BooleanChunked::from_slice(name.into(), &values).into_column()
}

/// Builds a frame from columns of equal length.
pub fn frame(columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new_infer_height(columns).map_err(|e| PipelineError::polars(Path::new("<frame>"), e))
}

/// A string (or enum) column's values.
pub fn str_values(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let col = df
        .column(name)
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    let s = col
        .as_materialized_series()
        .cast(&DataType::String)
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    let ca = s
        .str()
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

/// The physical values of a column as `Option<i64>`s (timestamps and dates included).
pub fn i64_values(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let col = df
        .column(name)
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    let phys = col
        .as_materialized_series()
        .to_physical_repr()
        .cast(&DataType::Int64)
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    let ca = phys
        .i64()
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    Ok(ca.iter().collect())
}

/// A typed chunked array of a column, cast when needed.
pub fn typed<T>(df: &DataFrame, name: &str, dtype: DataType) -> Result<ChunkedArray<T>>
where
    T: PolarsDataType,
    ChunkedArray<T>: Clone,
    Series: AsRef<ChunkedArray<T>>,
{
    let col = df
        .column(name)
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    let s = col
        .as_materialized_series()
        .cast(&dtype)
        .map_err(|e| PipelineError::polars(Path::new(name), e))?;
    Ok(AsRef::<ChunkedArray<T>>::as_ref(&s).clone())
}
