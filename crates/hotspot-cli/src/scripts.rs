//! Which scripts directory a command runs with.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The default: `scripts/` in the working directory.
const DEFAULT: &str = "scripts";

/// The directory given with `--scripts` (which must exist: a typo must not silently fall back
/// to the built-ins), else `./scripts` when there is one, else the built-ins (said once on
/// stderr, since views and the playlist then are the built-in ones too).
pub fn resolve(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(dir) if dir.is_dir() => Ok(dir.to_path_buf()),
        Some(dir) if dir.exists() => bail!(
            "--scripts {}: not a directory (give the directory that holds palettes.rhai, views/ …)",
            dir.display()
        ),
        Some(dir) => bail!(
            "--scripts {}: no such directory (leave --scripts out to use ./scripts or the built-ins)",
            dir.display()
        ),
        None => {
            let dir = PathBuf::from(DEFAULT);
            if !dir.is_dir() {
                eprintln!(
                    "note: no ./{DEFAULT} directory here: using the built-in palettes, taxonomy, \
                     views and quick hits (--scripts DIR to use yours)"
                );
            }
            Ok(dir)
        }
    }
}
