//! Where tests find the real sample export.
//!
//! The 11,641-incident sample (1–15 Sept 2024) lives in `../shared/data/` beside the checkout
//! and is never committed. Tests that need it call [`real_sample`]: outside CI a missing file
//! skips the test with a printed reason; in CI (`CI=true`) it fails the test.

use std::path::PathBuf;

/// The sample's file name.
pub const REAL_SAMPLE: &str = "chicago-crimes-2024-09-01_15.csv";

/// Whether we run in CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The real sample's path (env `HOTSPOT_SAMPLE`, else `shared/data/` beside any ancestor of
/// the working directory). `None` means "skip": a reason has been printed.
///
/// # Panics
/// In CI, when the sample cannot be found.
pub fn real_sample() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("HOTSPOT_SAMPLE") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let cwd = std::env::current_dir().ok()?;
    for dir in cwd.ancestors() {
        for candidate in [
            dir.join("shared/data").join(REAL_SAMPLE),
            dir.join("../shared/data").join(REAL_SAMPLE),
        ] {
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    assert!(
        !in_ci(),
        "CI=true but the real sample {REAL_SAMPLE} is not in ../shared/data"
    );
    eprintln!(
        "skipped: the real sample {REAL_SAMPLE} is not in ../shared/data (set HOTSPOT_SAMPLE)"
    );
    None
}
