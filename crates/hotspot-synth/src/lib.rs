//! Realistic synthetic Chicago crime data, byte for byte in the Socrata export format.
//!
//! Hotspot's pipeline, console and benchmarks need large inputs that look like the real
//! "Crimes – 2001 to Present" CSV (same columns, formats, quirks, spatial hotspots, time
//! profiles) without shipping real incident records. This crate derives a [`CityModel`] from
//! aggregate statistics of a real export (counts per H3 cell and category, modal jurisdictions,
//! a street catalogue, offence mix, time profiles, a state-plane fit; no incident rows), and
//! [`generate()`]s any number of rows from it, deterministically: the same model and
//! [`GenerateOptions`] give the same bytes on every machine and thread count. Generated files
//! include the real data's quirks at realistic rates (duplicate and revised rows, rows without
//! coordinates, mixed-case blocks, default 00:00/12:00 timestamps, 5-digit homicide ids).
//!
//! The committed model (`data/city-model.json`, derived from the 1–15 September 2024 sample)
//! is embedded: [`CityModel::embedded`]. The CLI regenerates it:
//! `hotspot model derive FILE… --out data/city-model.json` (or the `derive-model` example).
//!
//! Determinism: the random numbers ([`rng`]) and all placement arithmetic are the crate's own
//! and use only IEEE-exact operations, so the CSV bytes depend on nothing but the model and the
//! options. (H3 cell lookups go through h3o's trigonometry; a last-bit difference between C
//! libraries could only matter for a point lying exactly on a cell edge.) Gzip output is
//! deterministic for a given flate2 version; its compressed bytes may change with flate2.

pub mod generate;
pub mod grid;
pub mod model;
pub mod rng;
mod streets;

use std::io;
use std::path::PathBuf;

pub use generate::{GenerateOptions, GenerateSummary, generate, generate_to_path};
pub use model::CityModel;

/// Why a model could not be derived or loaded, or data not generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// Writing generated rows failed.
    #[error("writing generated rows: {0}")]
    Write(io::Error),
    /// A source file is not a Socrata crimes export.
    #[error("{}: {message}", path.display())]
    Header { path: PathBuf, message: String },
    /// The sources hold too little to derive a model.
    #[error("not enough data to derive a city model: {0}")]
    NotEnoughData(String),
    /// The model's JSON could not be read or written.
    #[error("city model JSON: {0}")]
    Json(serde_json::Error),
    /// The model is inconsistent.
    #[error("invalid city model: {0}")]
    InvalidModel(String),
    /// The generation options are unusable.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
