//! One writer at a time: an advisory lock on `<lake>/.lock`.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use crate::error::{PipelineError, Result};

/// Held while an ingest or build writes the lake; released on drop.
#[derive(Debug)]
pub struct LakeLock {
    _file: File,
}

impl LakeLock {
    /// Takes the lake's write lock, failing at once if another process holds it.
    pub fn acquire(root: &Path) -> Result<Self> {
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

/// Removes temporary files (`.*.tmp`) a crashed run left beside lake partitions.
pub fn sweep_stale_temps(root: &Path) {
    fn walk(dir: &Path, depth: usize) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if p.is_dir() {
                if depth < 6 {
                    walk(&p, depth + 1);
                }
            } else if name.starts_with('.') && name.ends_with(".tmp") {
                tracing::debug!(path = %p.display(), "removing stale temporary file");
                let _ = fs::remove_file(&p);
            }
        }
    }
    walk(root, 0);
    let staging = root.join("_staging");
    if staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
}
