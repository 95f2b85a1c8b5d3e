//! The scope engine's error type.

use std::path::{Path, PathBuf};

/// Why the lake could not be loaded or a scope could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("{}: {source}", path.display())]
    Arrow {
        path: PathBuf,
        source: arrow_schema::ArrowError,
    },
    #[error("{}: column {column}: {detail}", path.display())]
    Column {
        path: PathBuf,
        column: String,
        detail: String,
    },
    #[error(transparent)]
    Manifest(#[from] hotspot_core::lake::ManifestError),
    #[error("the lake at {} has no Gold data: run `hotspot build`", .0.display())]
    NotBuilt(PathBuf),
    #[error("resolution r{0} is not in the lake (r6–r10)")]
    Resolution(u8),
    #[error("invalid drill path: {0}")]
    Drill(String),
    #[error("invalid period: {0}")]
    Period(String),
    #[error("the lake has more than 255 distinct offence types")]
    TooManyTypes,
    #[error("invalid alert rule: {0}")]
    Alert(String),
    #[error("invalid option: {0}")]
    Options(String),
    /// The period cannot be cut into the steps an emerging analysis needs.
    #[error("{0}")]
    Steps(String),
}

impl ScopeError {
    pub(crate) fn column(path: &Path, column: &str, detail: impl Into<String>) -> Self {
        Self::Column {
            path: path.to_path_buf(),
            column: column.to_string(),
            detail: detail.into(),
        }
    }
}

/// The scope engine's result type.
pub type Result<T, E = ScopeError> = std::result::Result<T, E>;
