//! Rhai scripting for Hotspot: palettes, the offence taxonomy and named selections, per-cell
//! predicates, the quick-hits narrative and whole views, written as scripts in a `scripts/`
//! directory so analysts can change them without rebuilding, sandboxed and hot-reloaded.
//!
//! [`ScriptHost::open`] loads the directory (see `scripts/README.md` for every type, function
//! and field a script can use). Scripts cannot touch files, the network or processes; `import`
//! only reaches scripts inside the directory; every call runs under [`Limits`] (operations,
//! call depth, expression depth, string/array/map sizes, memory held — host columns included,
//! measured by the [`Metered`] allocator — and a wall-clock time limit), so a
//! runaway script is stopped with a message naming it instead of hanging the console. Errors
//! ([`ScriptError`]) name the file, line and column; when a script fails to compile or run, its
//! last good version (or the built-in default) stays in effect and the error is kept for the
//! UI ([`ScriptHost::errors`]). [`ScriptHost::watch`] + [`ScriptHost::poll`] pick up edits
//! while the console runs; [`ScriptHost::reload_all`] reloads everything.
//!
//! Scripts run once per change of scope or script, never per cell or per frame: a predicate
//! sees every cell at once as columns ([`api::Column`], [`api::Mask`]) with overloaded
//! operators, so `cells.selected >= 10 & cells.arrest_rate < city.wilson_lo` over 40k cells is
//! one script call.
//!
//! Palettes themselves are plain data in [`hotspot_core::palette`], which the renderer turns
//! into its lookup texture.

pub mod alerts;
pub mod alloc;
pub mod api;
mod convert;
mod data;
pub mod defaults;
mod error;
mod host;
mod sandbox;
mod value;
mod views;

pub use alloc::Metered;
pub use data::{NamedSelection, TaxonomyDef};
pub use error::{ErrorKind, ScriptError};
pub use host::{Reload, ScriptHost};
pub use hotspot_core::palette::{Domain, DomainMode, Palette, ValueKind};
pub use sandbox::Limits;
pub use views::{Camera, ViewContext, ViewInfo, ViewSpec, ViewTiles};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
