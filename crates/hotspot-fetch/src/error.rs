//! The fetch error type.

use std::path::{Path, PathBuf};

use hotspot_pipeline::PipelineError;

/// Everything that can stop a fetch. Nothing from a failed run is ingested; its downloaded
/// pages and checkpoint stay in the lake so the next run resumes where this one stopped.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status (after every allowed retry, for 429 and 5xx).
    #[error(
        "GET {url} failed with HTTP {status} after {attempts} attempt(s){}",
        detail_suffix(detail)
    )]
    Http {
        url: String,
        status: u16,
        attempts: u32,
        /// The start of the response body (Socrata explains bad queries there).
        detail: String,
    },
    /// The server could not be reached or the connection broke (after every allowed retry).
    #[error("GET {url} failed after {attempts} attempt(s): {detail}")]
    Network {
        url: String,
        attempts: u32,
        detail: String,
    },
    /// A page's CSV is not what was asked for; nothing of the run was ingested.
    #[error(
        "page {page} of this fetch ({url}) is malformed: {detail}; nothing from this run was ingested"
    )]
    MalformedPage {
        /// 1-based number of the page within the run.
        page: u64,
        url: String,
        detail: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a valid fetch checkpoint: {detail}", path.display())]
    Checkpoint { path: PathBuf, detail: String },
    #[error(
        "another hotspot fetch is running on this lake (lock file {}); wait for it to finish",
        path.display()
    )]
    Locked { path: PathBuf },
    #[error("invalid fetch options: {0}")]
    Options(String),
    /// Ingesting the downloaded pages failed; the pages and checkpoint are kept for a retry.
    #[error("ingest of the fetched pages failed: {0}")]
    Ingest(#[source] PipelineError),
    /// The ingest succeeded (the high-water mark was advanced) but the build failed; the
    /// touched months stay dirty for the next `hotspot build`.
    #[error("the fetched rows were ingested, but the build failed: {0}")]
    Build(#[source] PipelineError),
    #[error("fetch stopped by an injected failure after {0} page(s) (test hook)")]
    InjectedFailure(u64),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl FetchError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
