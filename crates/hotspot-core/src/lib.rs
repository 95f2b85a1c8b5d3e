//! The shared vocabulary of Hotspot: what every other crate agrees on.
//!
//! This crate holds no pipeline, query or drawing logic. It defines the Socrata export format
//! ([`socrata`], read with the line-exact splitter in [`csv`]), naive Chicago time ([`time`]),
//! the lake's layout and manifest ([`lake`]), the default offence taxonomy ([`taxonomy`]), the
//! statistics fixed by the lake contract ([`stats`]), the five H3 resolutions and their names
//! ([`res`]), what counts as a mappable coordinate ([`geo`]), human place names ([`names`]) and
//! a terminal-free progress interface ([`progress`]). It must stay light: no polars, no GPU,
//! no GUI.

pub mod csv;
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
pub mod time;

pub use lake::Lake;
pub use time::YearMonth;
