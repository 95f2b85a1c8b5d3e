//! The real 11,641-incident sample (1–15 Sept 2024): where it is, and its lake.
//!
//! The file lives in `../shared/data/` beside the checkout and is never committed. Tests that
//! read it are `#[ignore = "needs the real sample (../shared/data)"]` and call [`path`], which
//! panics with the reason when the file is absent.

use std::path::PathBuf;
use std::sync::OnceLock;

use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_scope::Engine;

/// The sample's file name.
pub const FILE_NAME: &str = "chicago-crimes-2024-09-01_15.csv";

/// Where the sample is: `$HOTSPOT_SAMPLE` if it names a file, else `shared/data/` (or
/// `../shared/data/`) beside the working directory or any of its ancestors.
pub fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOTSPOT_SAMPLE").map(PathBuf::from)
        && p.is_file()
    {
        return Some(p);
    }
    let starts = [
        std::env::current_dir().ok(),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    starts.into_iter().flatten().find_map(|start| {
        start.ancestors().find_map(|dir| {
            [
                dir.join("shared/data").join(FILE_NAME),
                dir.join("../shared/data").join(FILE_NAME),
            ]
            .into_iter()
            .find(|c| c.is_file())
        })
    })
}

/// The sample's path.
///
/// # Panics
/// When it cannot be found: the test that asked needs it (run it where `../shared` is, or set
/// `HOTSPOT_SAMPLE`).
pub fn path() -> PathBuf {
    find().unwrap_or_else(|| {
        panic!(
            "this test needs the real sample {FILE_NAME} in ../shared/data beside the checkout \
             (or HOTSPOT_SAMPLE=/path/to/it)"
        )
    })
}

/// A lake built from the sample, and its engine.
pub struct SampleLake {
    _dir: tempfile::TempDir,
    pub lake: Lake,
    pub engine: Engine,
}

/// The sample ingested and built into a temporary lake, once per test binary.
///
/// # Panics
/// When the sample is absent (see [`path`]) or the pipeline fails on it.
pub fn lake() -> &'static SampleLake {
    static LAKE: OnceLock<SampleLake> = OnceLock::new();
    LAKE.get_or_init(|| {
        let sample = path();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let lake = Lake::new(dir.path());
        hotspot_pipeline::ingest(&lake, &[sample], &NoProgress)
            .unwrap_or_else(|e| panic!("ingest of the sample failed: {e}"));
        hotspot_pipeline::build(&lake, &Default::default(), &NoProgress)
            .unwrap_or_else(|e| panic!("build of the sample failed: {e}"));
        let engine = Engine::open(&lake).unwrap_or_else(|e| panic!("opening the sample lake: {e}"));
        SampleLake {
            _dir: dir,
            lake,
            engine,
        }
    })
}

/// The sample lake's engine ([`lake`]).
pub fn engine() -> &'static Engine {
    &lake().engine
}
