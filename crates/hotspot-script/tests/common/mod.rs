//! Shared by the test binaries: the real sample's lake, built once per binary.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::NaiveDate;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Engine, Scope, ScopeResult, Selection};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// The default scripts directory of the workspace.
pub fn scripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

/// The sample's lake and engine, built once per test binary.
pub fn engine() -> &'static Engine {
    hotspot_testkit::sample::engine()
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
