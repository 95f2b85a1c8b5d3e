//! hotspot-render draws every H3 cell of a resolution (r6–r10) on the GPU, in a window's pass
//! or offscreen, and reads frames back as PNG. It tessellates each cell's exact H3 boundary
//! once per resolution (fanned by hand: cells are convex; Web Mercator in f64, stored in f32
//! relative to a local origin), keeps that geometry resident, and streams a metric as one
//! value per cell into a buffer that a palette lookup texture colours on the GPU. It adds
//! outlines, hover / selection, context lines dissolved from our own r10 cells (stroked with
//! lyon) with label anchors, and exact CPU picking.
//!
//! It stands alone: wgpu, lyon, glam, h3o and `hotspot-core`, nothing above. It receives
//! plain slices (cell ids and `f32` values), never reads Parquet, runs queries or knows what a
//! scope or a metric is, and draws no text: legends, titles and labels are painted by the
//! layer above (`hotspot-present`) into the same frame.
//!
//! Entry points: [`Gpu`] (an adapter and device, headless or for a window's surface),
//! [`OffscreenTarget`] (colour + MSAA textures, read-back), [`MapRenderer`] (any wgpu device
//! and format; the console draws it in its own pass), [`Headless`] (offscreen frames with
//! room for extra passes, [`Image`] and PNG), [`Palette`], [`Camera`], [`ContextLayers`], and
//! [`bench::run`] for the performance figures.

pub mod basemap;
pub mod bench;
pub mod camera;
pub mod context;
mod error;
pub mod geometry;
pub mod gpu;
pub mod headless;
mod image;
pub mod map;
pub mod mercator;
pub mod palette;
pub mod target;

pub use camera::{Camera, default_zoom};
pub use context::{AreaInput, ContextLayers, OverlayLayer, Street, StreetInput};
pub use error::RenderError;
pub use geometry::CellGeometry;
pub use gpu::{AdapterPreference, Gpu};
pub use headless::{ExtraPasses, FrameSpec, Headless, HeadlessOptions, Insets};
pub use image::Image;
pub use map::{
    BasemapStats, ContextVisibility, MapLabel, MapRenderer, Outlines, OutsideScope, Pick, Theme,
};
pub use palette::{Domain, DomainMode, Palette, ValueKind};
pub use target::OffscreenTarget;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
