//! The pipeline's error type.

use std::path::{Path, PathBuf};

/// Everything that can stop an ingest or a build. Bad *rows* never do: they are quarantined.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Polars {
        path: PathBuf,
        source: polars::error::PolarsError,
    },
    #[error(transparent)]
    Manifest(#[from] hotspot_core::lake::ManifestError),
    #[error(
        "another hotspot process is writing the lake at {} (lock file {}); wait for it to finish",
        lake.display(),
        lock.display()
    )]
    Locked { lake: PathBuf, lock: PathBuf },
    #[error(
        "there is no lake at {}: `hotspot ingest FILE` or `hotspot demo` creates one (check \
         --lake / HOTSPOT_LAKE)",
        .0.display()
    )]
    NoLake(PathBuf),
    #[error("{} is not a Hotspot lake: {detail}", path.display())]
    NotALake { path: PathBuf, detail: String },
    #[error("no Bronze data for {0}: ingest a CSV that covers it first")]
    NoBronze(String),
    #[error("{}: column {column} has an unexpected type ({detail})", path.display())]
    Schema {
        path: PathBuf,
        column: String,
        detail: String,
    },
    #[error("build stopped by an injected failure after {0} month(s) (test hook)")]
    InjectedFailure(usize),
    #[error(
        "{}: {detail}. Hotspot reads the Chicago Police \"Crimes – 2001 to Present\" export, \
         whose first line names its columns (ID, Case Number, Date, Block, …); nothing was ingested",
        path.display()
    )]
    BadHeader { path: PathBuf, detail: String },
    #[error(
        "the lake would hold {types} distinct offence types (Hotspot supports up to {max}; the \
         dataset has about 35): {examples}. A column is probably shifted in {file}; nothing was \
         ingested"
    )]
    TooManyTypes {
        types: usize,
        max: usize,
        examples: String,
        file: String,
    },
}

/// The pipeline's result type.
pub type Result<T, E = PipelineError> = std::result::Result<T, E>;

impl PipelineError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A polars error while working on `path`.
    pub fn polars(path: &Path, source: polars::error::PolarsError) -> Self {
        Self::Polars {
            path: path.to_path_buf(),
            source,
        }
    }
}
