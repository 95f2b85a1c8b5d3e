//! Shared by the test binaries: the real sample's lake, built once per binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use hotspot_core::progress::NoProgress;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Engine, Scope, ScopeResult, Selection};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// The default scripts directory of the workspace.
pub fn scripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

/// The sample's lake and engine; `None` (with a printed reason) when the sample is absent.
pub fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<(tempfile::TempDir, Engine)>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let sample = hotspot_core::fixtures::real_sample()?;
            let dir = tempfile::tempdir().expect("tempdir");
            let lake = hotspot_core::Lake::new(dir.path());
            hotspot_pipeline::ingest(&lake, &[sample], &NoProgress).expect("ingest");
            hotspot_pipeline::build(&lake, &Default::default(), &NoProgress).expect("build");
            let engine = Engine::open(&lake).expect("open");
            Some((dir, engine))
        })
        .as_ref()
        .map(|(_, e)| e)
}

/// 1–15 Sep 2024 at `res`, nothing selected.
pub fn sept(res: u8) -> Scope {
    Scope::new(res, d(2024, 9, 1), d(2024, 9, 15))
}

/// 1–15 Sep 2024 at `res` with one category selected.
pub fn sept_category(res: u8, category: &str) -> Scope {
    Scope {
        selection: Selection {
            types: vec![],
            categories: vec![category.into()],
        },
        ..sept(res)
    }
}

pub fn query(engine: &Engine, scope: &Scope) -> ScopeResult {
    engine.query(scope, &Taxonomy::default()).expect("query")
}
