//! The shared vocabulary of Hotspot: what every other crate agrees on.
//!
//! This crate holds no pipeline, query or drawing logic. It defines the Socrata export format
//! ([`socrata`], read with the line-exact splitter in [`csv`]), naive Chicago time ([`time`]),
//! the lake's layout, column names and manifest ([`lake`], [`lake::columns`]), the default
//! offence taxonomy ([`taxonomy`]), the statistics fixed by the lake contract and the one
//! quantile and median everything uses ([`stats`]), the five H3 resolutions and their names
//! ([`res`]), H3 bit arithmetic on `u64` ids ([`h3bits`]), what counts as a mappable
//! coordinate ([`geo`]), human place names ([`names`]), number formatting ([`fmt`]), palettes
//! and colour ranges ([`palette`]), the hash maps of hot paths ([`hash`]), XYZ map tile addresses ([`tile`]) and a terminal-free
//! progress interface ([`progress`]). It must stay light: no polars, no GPU, no GUI.

pub mod csv;
pub mod dissolve;
pub mod fmt;
pub mod geo;
pub mod h3bits;
pub mod hash;
pub mod lake;
pub mod names;
pub mod palette;
pub mod progress;
pub mod res;
pub mod socrata;
pub mod stats;
pub mod taxonomy;
pub mod tile;
pub mod time;

pub use lake::Lake;
pub use time::YearMonth;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
