//! The fetch checkpoint: `<lake>/_fetch/checkpoint.json`, always written atomically.
//!
//! It records what the lake mirrors (the scope `since` and the high-water mark of
//! `updated_on`) and, while a run is under way or was interrupted, that run: its query, its
//! keyset position and every page already saved under `<lake>/_fetch/pages/`. A page is saved
//! before the checkpoint names it, so a crash between the two only leaves an orphan file that
//! the next fresh run clears.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hotspot_core::lake::{Lake, write_atomic};
use serde::{Deserialize, Serialize};

use crate::error::FetchError;
use crate::soql::{Cursor, Phase};

/// The checkpoint format's version.
pub const CHECKPOINT_VERSION: u32 = 1;

/// `<lake>/_fetch/`.
pub fn fetch_dir(lake: &Lake) -> PathBuf {
    lake.root().join("_fetch")
}

/// `<lake>/_fetch/checkpoint.json`.
pub fn checkpoint_path(lake: &Lake) -> PathBuf {
    fetch_dir(lake).join("checkpoint.json")
}

/// `<lake>/_fetch/pages/`: the pages of the run in progress.
pub fn pages_dir(lake: &Lake) -> PathBuf {
    fetch_dir(lake).join("pages")
}

/// Whether a run backfills its whole scope or fetches only what changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Every record of the scope.
    Backfill,
    /// Records with `updated_on` after the high-water mark.
    Incremental,
}

/// The file name of page `n` (1-based) of run `run_id`, under `<lake>/_fetch/pages/`.
pub fn page_file(run_id: &str, n: u64) -> String {
    format!("{run_id}-p{n:06}.csv")
}

/// A run in progress (or interrupted, or downloaded and waiting to be ingested).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunState {
    /// Names the run's page files.
    pub id: String,
    pub started_at: String,
    pub kind: RunKind,
    /// Scope: incidents on or after this date.
    pub since: Option<NaiveDate>,
    /// Exclusive lower bound on `updated_on`: the high-water mark the run started from.
    pub after: Option<String>,
    /// The run's `$where` without paging, for people reading the checkpoint.
    pub query: String,
    pub page_size: usize,
    pub phase: Phase,
    /// The last saved row's key: the next page starts strictly after it.
    pub cursor: Option<Cursor>,
    /// Pages saved so far, named by [`page_file`] 1..=pages (empty pages are not saved).
    pub pages: u64,
    /// Their total size in bytes (checked before resuming).
    pub bytes: u64,
    /// Their total number of rows.
    pub rows: u64,
    /// The latest `updated_on` among the saved rows.
    pub max_updated_on: Option<String>,
}

/// The whole checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    /// The dataset the lake is synchronised with.
    pub dataset: String,
    /// The scope the lake mirrors: incidents on or after this date (`None`: all history).
    pub since: Option<NaiveDate>,
    /// The latest `updated_on` ingested, exactly as the server writes it; `None` until a
    /// backfill has been ingested.
    pub high_water: Option<String>,
    /// When the last fetch finished (RFC 3339, UTC).
    pub last_success: Option<String>,
    /// The run in progress, if any.
    pub run: Option<RunState>,
}

impl Checkpoint {
    /// A lake that was never fetched into.
    pub fn empty(dataset: &str) -> Self {
        Self {
            version: CHECKPOINT_VERSION,
            dataset: dataset.to_string(),
            since: None,
            high_water: None,
            last_success: None,
            run: None,
        }
    }
}

/// Reads the lake's checkpoint; `None` when the lake was never fetched into.
pub fn read_checkpoint(lake: &Lake) -> Result<Option<Checkpoint>, FetchError> {
    let path = checkpoint_path(lake);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FetchError::io(&path, e)),
    };
    let cp: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| FetchError::Checkpoint {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    if cp.version > CHECKPOINT_VERSION {
        return Err(FetchError::Checkpoint {
            path,
            detail: format!(
                "written by a newer hotspot (format {}, this one reads {CHECKPOINT_VERSION})",
                cp.version
            ),
        });
    }
    Ok(Some(cp))
}

/// Writes the checkpoint atomically.
pub fn write_checkpoint(lake: &Lake, cp: &Checkpoint) -> Result<(), FetchError> {
    let path = checkpoint_path(lake);
    let bytes = serde_json::to_vec_pretty(cp).map_err(|e| FetchError::Checkpoint {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    write_atomic(&path, &bytes).map_err(|e| FetchError::io(&path, e))
}

/// Removes every file in `dir` (the pages directory), keeping the directory.
pub fn clear_dir(dir: &Path) -> Result<(), FetchError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(FetchError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| FetchError::io(dir, e))?;
        let path = entry.path();
        if path.is_file() {
            fs::remove_file(&path).map_err(|e| FetchError::io(&path, e))?;
        }
    }
    Ok(())
}

/// One fetch at a time per lake: an advisory lock on `<lake>/_fetch/.lock`.
pub struct FetchLock {
    _file: fs::File,
}

impl FetchLock {
    pub fn acquire(dir: &Path) -> Result<Self, FetchError> {
        fs::create_dir_all(dir).map_err(|e| FetchError::io(dir, e))?;
        let path = dir.join(".lock");
        let file = fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| FetchError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(FetchError::Locked { path }),
            Err(fs::TryLockError::Error(e)) => Err(FetchError::io(&path, e)),
        }
    }
}
