//! The medallion pipeline: Socrata CSV → Bronze → Silver → Gold.
//!
//! [`ingest`] reads Chicago Police exports (either header style, plain or gzip) into Bronze
//! partitions, quarantining every row it cannot read with its file, line, raw text and reason,
//! and upserting records by id (latest `updated_on` wins). [`build`] turns the months that
//! changed into Silver (features, taxonomy, H3 cells r6–r10) and Gold (daily, hourly and monthly
//! aggregates per cell with Wilson intervals, smoothed and neighbour-pooled rates, modes), then
//! the all-time labels and drill maps. Polars does the frame work and Parquet; h3o assigns
//! cells. Every write is atomic, so an interrupted run leaves the previous lake readable.
//!
//! The pipeline knows nothing about queries, rendering or the console: its only output is the
//! lake described in `lake.md` (paths in [`hotspot_core::lake`]).

pub mod build;
pub mod error;
pub mod frame;
pub mod ingest;
pub mod lock;
pub mod parallel;
pub mod verify;

pub use build::{BuildOptions, BuildOutcome, MonthSelection, build};
pub use error::{PipelineError, Result};
pub use ingest::{IngestOutcome, Quarantined, ingest};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
