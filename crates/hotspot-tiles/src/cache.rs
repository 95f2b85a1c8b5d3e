//! The on-disk tile cache: `<root>/<source key>/<z>/<x>/<y>.tile`, one file per tile as the
//! server sent it, written atomically, its age read from the file's modification time. A
//! map viewed once works offline from here afterwards; the folder is bounded in bytes and
//! trimmed oldest-first.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hotspot_core::lake::write_atomic;
use hotspot_core::tile::TileId;

use crate::error::TileError;
use crate::source::TileSource;

/// How long a cached tile counts as fresh (after that it is fetched again when online, and
/// still used when the server cannot be reached).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// How many bytes of tiles the cache keeps (all sources together).
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

/// A tile read from the cache.
#[derive(Debug)]
pub struct Cached {
    pub bytes: Vec<u8>,
    /// Younger than the cache's maximum age.
    pub fresh: bool,
}

/// A folder of cached tiles for one source.
#[derive(Clone, Debug)]
pub struct DiskCache {
    root: PathBuf,
    dir: PathBuf,
    pub max_age: Duration,
    pub max_bytes: u64,
}

impl DiskCache {
    /// The cache of `source`'s tiles under `root` (shared by every source).
    pub fn new(root: &Path, source: &TileSource) -> Self {
        Self {
            root: root.to_path_buf(),
            dir: root.join(source.key()),
            max_age: DEFAULT_MAX_AGE,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// The platform's cache folder for Hotspot's tiles (`~/.cache/hotspot/tiles` on Linux),
    /// or `None` where there is no home directory.
    pub fn default_root() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "hotspot").map(|d| d.cache_dir().join("tiles"))
    }

    /// This source's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, tile: TileId) -> PathBuf {
        self.dir
            .join(tile.z.to_string())
            .join(tile.x.to_string())
            .join(format!("{}.tile", tile.y))
    }

    /// The cached bytes of `tile`, if any (a file that cannot be read counts as absent).
    pub fn get(&self, tile: TileId) -> Option<Cached> {
        let path = self.path(tile);
        let meta = fs::metadata(&path).ok()?;
        let bytes = fs::read(&path).ok()?;
        if bytes.is_empty() {
            return None;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .unwrap_or(Duration::ZERO);
        Some(Cached {
            bytes,
            fresh: age <= self.max_age,
        })
    }

    /// Stores `bytes` as `tile` (atomically: a reader sees the old file or the new one).
    pub fn put(&self, tile: TileId, bytes: &[u8]) -> Result<(), TileError> {
        let path = self.path(tile);
        write_atomic(&path, bytes).map_err(|source| TileError::Cache {
            path: path.display().to_string(),
            source,
        })
    }

    /// Marks a cached tile as just checked (the server answered "not modified" or the same
    /// bytes), so it counts as fresh again.
    pub fn touch(&self, tile: TileId) {
        let path = self.path(tile);
        if let Ok(f) = fs::File::options().append(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
    }

    /// Deletes the oldest tiles (of every source under the root) until the cache holds at
    /// most `max_bytes`. Returns (files removed, bytes left).
    pub fn trim(&self) -> (usize, u64) {
        let mut files = Vec::new();
        collect(&self.root, 0, &mut files);
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        if total <= self.max_bytes {
            return (0, total);
        }
        files.sort_by_key(|f| f.2);
        let mut removed = 0;
        for (path, len, _) in files {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
                removed += 1;
            }
        }
        (removed, total)
    }
}

/// Every `*.tile` file under `dir` (a cache is 4 levels deep: key, z, x, file).
fn collect(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, u64, SystemTime)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() && depth < 3 {
            collect(&path, depth + 1, out);
        } else if meta.is_file() && path.extension().is_some_and(|x| x == "tile") {
            let when = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.push((path, meta.len(), when));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(t: &str) -> TileSource {
        TileSource::new(t, "", 19).expect("source")
    }

    #[test]
    fn round_trip_freshness_and_separate_sources() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = DiskCache::new(dir.path(), &source("http://a/{z}/{x}/{y}"));
        let b = DiskCache::new(dir.path(), &source("http://b/{z}/{x}/{y}"));
        let t = TileId::new(3, 2, 5).expect("tile");
        assert!(a.get(t).is_none());
        a.put(t, b"tile bytes").expect("put");
        let got = a.get(t).expect("cached");
        assert_eq!(got.bytes, b"tile bytes");
        assert!(got.fresh);
        assert!(b.get(t).is_none(), "another source's tile");
        let old = SystemTime::now() - Duration::from_secs(8 * 24 * 3600);
        fs::File::options()
            .append(true)
            .open(a.path(t))
            .expect("open")
            .set_modified(old)
            .expect("age");
        assert!(!a.get(t).expect("still there").fresh);
        a.touch(t);
        assert!(a.get(t).expect("there").fresh);
    }

    #[test]
    fn trim_removes_the_oldest_first() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut c = DiskCache::new(dir.path(), &source("http://a/{z}/{x}/{y}"));
        let now = SystemTime::now();
        for i in 0..10u32 {
            let t = TileId::new(4, i, 0).expect("tile");
            c.put(t, &[7u8; 100]).expect("put");
            fs::File::options()
                .append(true)
                .open(c.path(t))
                .expect("open")
                .set_modified(now - Duration::from_secs(u64::from(100 - i)))
                .expect("age");
        }
        c.max_bytes = 450;
        assert_eq!(c.trim(), (6, 400));
        let left: Vec<u32> = (0..10)
            .filter(|&i| c.get(TileId::new(4, i, 0).expect("t")).is_some())
            .collect();
        assert_eq!(left, vec![6, 7, 8, 9], "the four newest stay");
        c.max_bytes = 1000;
        assert_eq!(c.trim(), (0, 400));
    }
}
