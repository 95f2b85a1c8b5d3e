//! The scope engine: every number the console shows, from the Gold lake, in milliseconds.
//!
//! A *scope* ([`Scope`]) is a resolution, a period, an optional offence selection (types and
//! taxonomy categories, resolved at query time), a drill path and an optional weekday focus.
//! [`Engine::open`] loads the lake's Gold tables into a compact in-memory index (private: month
//! blocks of slot-sorted rows, prefix sums, citywide cubes); [`Engine::query`] answers a scope
//! with per-cell Arrow arrays (every cell with data, no cap), KPIs with week-over-week
//! changes, chart series, the hotspot table, the comparison with the previous period,
//! warnings and drill information ([`ScopeResult`]). [`Metric`] says everything about the
//! metrics a map can show. Callers ask the engine ([`Engine::coverage`],
//! [`Engine::context_cells`], [`Engine::district_cells`], [`Engine::streets`],
//! [`Engine::areas`], …), never the index. [`hotspots`] holds the hot-spot statistics,
//! [`context`] the lake's street skeleton and area outlines as the map reads them.
//!
//! The engine reads Parquet with arrow-rs through the column names of
//! [`hotspot_core::lake::columns`] and never writes to the lake. It has no GUI or GPU
//! dependency: the console, the scripts, the headless renderer and `hotspot query` all ask it.

pub mod alerts;
pub mod bench;
pub mod context;
pub mod error;
pub mod hotspots;
mod index;
pub mod metric;
mod query;
mod read;
pub mod result;
pub mod scope;

pub use error::{Result, ScopeError};
pub use metric::Metric;
pub use query::{ALL_OFFENCES, COMPSTAT_PERIODS, CompStat, CompStatRow, compstat_periods};
pub use query::{
    Cluster, ContextCell, EmergingHotSpots, EmergingOptions, Engine, EngineSummary, HotSpotOptions,
    HotSpots, MAX_BINS, MAX_K, MAX_STEPS, Step, sort_rows,
};
pub use query::{
    Frame, MAX_FRAME_CELLS, MAX_FRAMES, MAX_WINDOW_DAYS, TimeStep, Timeline, TimelineMatrix,
};
pub use result::*;
pub use scope::{Period, Scope, Selection, SortColumn, TableSpec};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
