//! Snapshot commits: how a writer changes the lake so that a crash at any instant (SIGKILL,
//! power loss) leaves the previous lake readable and exactly as it was.
//!
//! The lake's tables live in a *generation* directory, `snapshots/NNNNNNNNNNNN/{bronze,silver,
//! gold,quarantine}`, and the one-line file `CURRENT` names the generation readers use. A
//! writer (holding the lake's lock) begins a [`Txn`]: a new generation that shares every file
//! of the current one through hard links, so starting costs a directory walk, not a copy. It
//! rewrites what it must inside it — always to a temporary file renamed over the old name,
//! which replaces the link and never touches the file the previous generation still holds —
//! then [`Txn::commit`] flushes the new files and directories to disk and atomically replaces
//! `CURRENT`. Until that rename nothing a reader can see has changed; after it the whole run
//! is visible at once (Delta Lake and Iceberg commit the same way, with a log or a metadata
//! pointer). A dropped or killed transaction leaves only an unreferenced generation directory,
//! which the next writer removes. The generation before the current one is kept, so a reader
//! that resolved `CURRENT` just before a commit can finish reading.
//!
//! Outside tools read `current/` (a symbolic link to the current generation, replaced
//! atomically after each commit) with any Parquet reader. A lake written before snapshots kept
//! its tables at the root: readers still read it there, and the first transaction moves it
//! into generation 1.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Lake, write_atomic};

/// The directory holding the generations.
pub const SNAPSHOTS_DIR: &str = "snapshots";
/// The file naming the current generation (`snapshots/000000000042`).
pub const CURRENT_FILE: &str = "CURRENT";
/// The symbolic link to the current generation, for tools outside Hotspot.
pub const CURRENT_LINK: &str = "current";
/// The table directories a generation holds.
pub const TABLE_DIRS: [&str; 4] = ["bronze", "silver", "gold", "quarantine"];

/// A crash-test hook: when `HOTSPOT_TEST_ABORT_AT` names `point`, the process aborts there, as
/// a power cut or `kill -9` would stop it (the kill-anywhere test aims at the instants around
/// a commit). Without the variable it does nothing.
pub fn abort_point(point: &str) {
    if std::env::var_os("HOTSPOT_TEST_ABORT_AT").is_some_and(|v| v == point) {
        std::process::abort();
    }
}

/// The directory of generation `generation`.
pub fn generation_dir(root: &Path, generation: u64) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{generation:012}"))
}

/// The generation a data directory from [`data_dir`] belongs to (None: the root of a lake
/// written before snapshots, or an unreadable pointer).
pub fn generation_of(data_dir: &Path) -> Option<u64> {
    let name = data_dir.file_name()?.to_str()?;
    let parent = data_dir.parent()?.file_name()?;
    (parent == SNAPSHOTS_DIR)
        .then(|| name.parse().ok())
        .flatten()
}

/// The generation `CURRENT` names, if any.
pub fn current_generation(root: &Path) -> io::Result<Option<u64>> {
    match fs::read_to_string(root.join(CURRENT_FILE)) {
        Ok(text) => parse_current(&text).map(Some).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} does not name a generation: {text:?}",
                    root.join(CURRENT_FILE).display()
                ),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn parse_current(text: &str) -> Option<u64> {
    text.trim()
        .strip_prefix(SNAPSHOTS_DIR)?
        .strip_prefix('/')?
        .parse()
        .ok()
}

/// Where a reader finds the tables now: the current generation, or the root for a lake written
/// before snapshots (or not written yet). An unreadable `CURRENT` resolves to a generation
/// directory that does not exist, so every read reports the damage instead of reading
/// something else.
pub fn data_dir(root: &Path) -> PathBuf {
    match current_generation(root) {
        Ok(Some(g)) => generation_dir(root, g),
        Ok(None) => root.to_path_buf(),
        Err(_) => root.join(SNAPSHOTS_DIR).join("unreadable-CURRENT"),
    }
}

/// Whether `dir` holds any table directory.
fn has_tables(dir: &Path) -> bool {
    TABLE_DIRS.iter().any(|t| dir.join(t).is_dir())
}

/// Generation numbers of the directories under `snapshots/`.
pub fn generations(root: &Path) -> io::Result<Vec<u64>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(root.join(SNAPSHOTS_DIR)) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for e in entries {
        let e = e?;
        if let Some(g) = e.file_name().to_str().and_then(|n| n.parse::<u64>().ok()) {
            out.push(g);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Mirrors the table directories of `from` into `to`: directories are created, files hard
/// linked (copied where the file system cannot link). Temporary files are left behind.
fn link_tables(from: &Path, to: &Path) -> io::Result<()> {
    fn walk(from: &Path, to: &Path) -> io::Result<()> {
        fs::create_dir_all(to)?;
        for e in fs::read_dir(from)? {
            let e = e?;
            let name = e.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let (src, dst) = (e.path(), to.join(&name));
            if e.file_type()?.is_dir() {
                walk(&src, &dst)?;
            } else if fs::hard_link(&src, &dst).is_err() {
                fs::copy(&src, &dst)?;
            }
        }
        Ok(())
    }
    for t in TABLE_DIRS {
        let src = from.join(t);
        if src.is_dir() {
            walk(&src, &to.join(t))?;
        }
    }
    Ok(())
}

/// Flushes everything under `dir` (files and directory entries) to stable storage.
fn sync_tree(dir: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // One call flushes the whole file system: far cheaper than thousands of fsyncs.
        let d = fs::File::open(dir)?;
        rustix::fs::syncfs(&d).map_err(io::Error::from)?;
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        fn walk(dir: &Path) -> io::Result<()> {
            for e in fs::read_dir(dir)? {
                let e = e?;
                if e.file_type()?.is_dir() {
                    walk(&e.path())?;
                } else {
                    fs::File::open(e.path())?.sync_all()?;
                }
            }
            sync_dir(dir)
        }
        walk(dir)
    }
}

/// Flushes a directory's entries (a rename or a new file in it) to stable storage.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Removes what crashed writers left: generations newer than the current one (never
/// committed) and, when `keep_previous` is false, every generation but the current one. The
/// caller must hold the lake's write lock.
pub fn sweep(root: &Path, keep_previous: bool) -> io::Result<Vec<u64>> {
    let current = current_generation(root)?;
    let mut removed = Vec::new();
    let gens = generations(root)?;
    // The newest committed generation before the current one.
    let previous = current.and_then(|c| gens.iter().copied().filter(|g| *g < c).max());
    for g in gens {
        let keep = Some(g) == current || (keep_previous && Some(g) == previous);
        if !keep {
            fs::remove_dir_all(generation_dir(root, g))?;
            removed.push(g);
        }
    }
    // A lake moved into generations keeps no tables at its root.
    if current.is_some() {
        for t in TABLE_DIRS {
            let legacy = root.join(t);
            if legacy.is_dir() {
                fs::remove_dir_all(&legacy)?;
            }
        }
    }
    Ok(removed)
}

/// A writer's new generation. See the module docs.
#[derive(Debug)]
pub struct Txn {
    root: PathBuf,
    dir: PathBuf,
    generation: u64,
    committed: bool,
}

impl Txn {
    /// Begins the next generation of `lake`: removes leftovers of crashed writers, creates the
    /// generation's directory and links every table file of the current generation (or of a
    /// lake written before snapshots) into it. The caller must hold the lake's write lock.
    pub fn begin(lake: &Lake) -> io::Result<Txn> {
        let root = lake.root().to_path_buf();
        fs::create_dir_all(root.join(SNAPSHOTS_DIR))?;
        let current = current_generation(&root)?;
        sweep(&root, true)?;
        let newest = generations(&root)?.into_iter().max();
        let generation = current.max(newest).map_or(1, |g| g + 1);
        let dir = generation_dir(&root, generation);
        fs::create_dir_all(&dir)?;
        let txn = Txn {
            root: root.clone(),
            dir: dir.clone(),
            generation,
            committed: false,
        };
        let parent = match current {
            Some(g) => generation_dir(&root, g),
            None => root.clone(),
        };
        if has_tables(&parent) {
            link_tables(&parent, &dir)?;
        }
        abort_point("txn-linked");
        Ok(txn)
    }

    /// The lake as this transaction sees it: reads and writes go to the new generation.
    pub fn lake(&self) -> Lake {
        Lake::pinned(&self.root, &self.dir)
    }

    /// The new generation's number.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Makes the generation current: flushes its files and directories, then atomically
    /// replaces `CURRENT` (and the `current` link), then removes generations older than the
    /// previous one.
    pub fn commit(mut self) -> io::Result<u64> {
        abort_point("txn-before-sync");
        sync_tree(&self.dir)?;
        abort_point("txn-before-current");
        let name = format!("{SNAPSHOTS_DIR}/{:012}\n", self.generation);
        write_atomic(&self.root.join(CURRENT_FILE), name.as_bytes())?;
        sync_dir(&self.root)?;
        self.committed = true;
        abort_point("txn-after-current");
        if let Err(e) = update_link(&self.root, self.generation) {
            tracing::warn!("cannot update {CURRENT_LINK}/: {e}");
        }
        abort_point("txn-after-link");
        if let Err(e) = sweep(&self.root, true) {
            tracing::warn!("cannot remove old generations: {e}");
        }
        Ok(self.generation)
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Points `current` at `generation` (a relative symbolic link, replaced atomically).
fn update_link(root: &Path, generation: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        let target = Path::new(SNAPSHOTS_DIR).join(format!("{generation:012}"));
        let tmp = root.join(format!(".{CURRENT_LINK}.{}.tmp", std::process::id()));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&target, &tmp)?;
        fs::rename(&tmp, root.join(CURRENT_LINK))
    }
    #[cfg(not(unix))]
    {
        let _ = (root, generation);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::YearMonth;

    const SEP: YearMonth = YearMonth {
        year: 2024,
        month: 9,
    };

    #[test]
    fn a_dropped_transaction_changes_nothing_and_a_commit_changes_everything_at_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let lake = Lake::new(dir.path());
        assert_eq!(current_generation(dir.path()).ok().flatten(), None);

        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        write_atomic(&txn.lake().bronze(SEP), b"one").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !lake.bronze(SEP).exists(),
            "uncommitted writes are invisible"
        );
        assert_eq!(txn.commit().ok(), Some(1));
        assert_eq!(fs::read(lake.bronze(SEP)).ok(), Some(b"one".to_vec()));

        // A second transaction rewrites the file; the first generation's copy is untouched.
        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read(txn.lake().bronze(SEP)).ok(), Some(b"one".to_vec()));
        write_atomic(&txn.lake().bronze(SEP), b"two").unwrap_or_else(|e| panic!("{e}"));
        let first = generation_dir(dir.path(), 1);
        assert_eq!(
            fs::read(Lake::pinned(dir.path(), &first).bronze(SEP)).ok(),
            Some(b"one".to_vec())
        );
        drop(txn);
        assert_eq!(fs::read(lake.bronze(SEP)).ok(), Some(b"one".to_vec()));
        assert_eq!(generations(dir.path()).ok(), Some(vec![1]));

        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        write_atomic(&txn.lake().bronze(SEP), b"three").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(txn.commit().ok(), Some(2));
        assert_eq!(fs::read(lake.bronze(SEP)).ok(), Some(b"three".to_vec()));
        // The previous generation stays for readers that resolved it; older ones go.
        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(txn.commit().ok(), Some(3));
        assert_eq!(generations(dir.path()).ok(), Some(vec![2, 3]));
        #[cfg(unix)]
        assert_eq!(
            fs::read(
                dir.path()
                    .join(CURRENT_LINK)
                    .join("bronze/year=2024/month=09/part-0.parquet")
            )
            .ok(),
            Some(b"three".to_vec())
        );
    }

    #[test]
    fn a_killed_writer_leaves_a_generation_the_next_one_removes() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let lake = Lake::new(dir.path());
        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        txn.commit().unwrap_or_else(|e| panic!("{e}"));
        // A writer killed mid-run: its directory exists, CURRENT never named it.
        let orphan = generation_dir(dir.path(), 2);
        fs::create_dir_all(orphan.join("bronze")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(current_generation(dir.path()).ok().flatten(), Some(1));
        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        assert!(!orphan.join("bronze").exists(), "the orphan was removed");
        // Its number is free again: the new generation takes it, empty like generation 1.
        assert_eq!(txn.generation(), 2);
    }

    #[test]
    fn a_lake_from_before_snapshots_is_read_at_its_root_then_moved() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let legacy = dir.path().join("bronze/year=2024/month=09/part-0.parquet");
        fs::create_dir_all(legacy.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        fs::write(&legacy, b"old").unwrap_or_else(|e| panic!("{e}"));
        let lake = Lake::new(dir.path());
        assert_eq!(lake.bronze(SEP), legacy);
        let txn = Txn::begin(&lake).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read(txn.lake().bronze(SEP)).ok(), Some(b"old".to_vec()));
        txn.commit().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !dir.path().join("bronze").exists(),
            "the root holds no tables now"
        );
        assert_eq!(fs::read(lake.bronze(SEP)).ok(), Some(b"old".to_vec()));
    }

    #[test]
    fn current_names_a_generation_or_is_an_error() {
        assert_eq!(parse_current("snapshots/000000000042\n"), Some(42));
        assert_eq!(parse_current("snapshots/7"), Some(7));
        assert_eq!(parse_current("bronze"), None);
        assert_eq!(parse_current(""), None);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        fs::write(dir.path().join(CURRENT_FILE), "garbage").unwrap_or_else(|e| panic!("{e}"));
        assert!(current_generation(dir.path()).is_err());
        assert!(!data_dir(dir.path()).exists());
        assert_eq!(generation_of(&data_dir(dir.path())), None);
        assert_eq!(generation_of(&generation_dir(dir.path(), 42)), Some(42));
        assert_eq!(generation_of(dir.path()), None);
    }
}
