//! One writer at a time: an advisory lock on `<lake>/.lock`, and what a writer may tidy while
//! it holds it.
//!
//! Writers are ingest and build (fetch ingests through them). While the lock is held no other
//! writer runs, so what an earlier, killed writer left behind — an uncommitted generation
//! (removed by [`hotspot_core::lake::snapshot::Txn::begin`]) and ingest's `_staging/` scratch
//! space — is safe to remove. Nothing else is touched: fetch's pages and checkpoint under
//! `_fetch/` belong to a fetch that may be running now, under its own lock.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use hotspot_core::Lake;

use crate::error::{PipelineError, Result};

/// Held while an ingest or build writes the lake; released on drop.
#[derive(Debug)]
pub struct LakeLock {
    _file: File,
}

/// What a writer may do with the directory it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    /// Start a new lake there if it is missing or empty (ingest).
    IfMissing,
    /// The lake must exist already (build).
    Never,
}

impl LakeLock {
    /// Takes the lake's write lock, failing at once if another process holds it. The lake
    /// must be a lake (or, with [`Create::IfMissing`], a missing or empty directory): a path
    /// that is a file, a directory of other things, or (for a build) no lake at all is an
    /// error before anything is written.
    pub fn acquire(lake: &Lake, create: Create) -> Result<Self> {
        let root = lake.root();
        check_root(lake, create)?;
        fs::create_dir_all(root).map_err(|e| PipelineError::io(root, e))?;
        let path = root.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| PipelineError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(PipelineError::Locked {
                lake: root.to_path_buf(),
                lock: path,
            }),
            Err(TryLockError::Error(e)) => Err(PipelineError::io(&path, e)),
        }
    }
}

fn check_root(lake: &Lake, create: Create) -> Result<()> {
    let root = lake.root();
    if root.exists() && !root.is_dir() {
        return Err(PipelineError::NotALake {
            path: root.to_path_buf(),
            detail: "it is a file, not a directory".into(),
        });
    }
    if lake.exists() {
        return Ok(());
    }
    match create {
        Create::Never => Err(PipelineError::NoLake(root.to_path_buf())),
        Create::IfMissing => {
            let foreign: Vec<String> = match fs::read_dir(root) {
                Ok(entries) => entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.') && !n.starts_with('_'))
                    .take(3)
                    .collect(),
                Err(_) => Vec::new(),
            };
            if foreign.is_empty() {
                Ok(())
            } else {
                Err(PipelineError::NotALake {
                    path: root.to_path_buf(),
                    detail: format!(
                        "the directory holds other files ({}…) and no lake",
                        foreign.join(", ")
                    ),
                })
            }
        }
    }
}

/// Removes ingest's `_staging/` scratch space left by a killed run. Call with the lock held.
pub fn sweep_staging(root: &Path) {
    let staging = root.join("_staging");
    if staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
}
