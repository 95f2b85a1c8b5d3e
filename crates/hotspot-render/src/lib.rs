//! hotspot-render draws every H3 cell of a resolution (r6–r10) on the GPU and writes headless
//! PNGs. It tessellates each cell's exact H3 boundary once per resolution (Web Mercator in f64,
//! stored in f32 relative to a local origin), keeps that geometry resident, and streams a
//! metric as one value per cell into a buffer that a palette lookup texture colours on the
//! GPU; it adds outlines, hover / selection, context layers dissolved from our own r10 cells,
//! an egui legend and exact CPU picking. It receives plain slices or Arrow arrays from the scope
//! engine and **never reads Parquet** or runs queries.
//!
//! Entry points: [`MapRenderer`] (any wgpu device and format; the console draws it in its own
//! pass), [`Headless`] (offscreen frames, [`Headless::render_png`]), [`Palette`], [`Camera`],
//! [`ContextLayers`], [`overlay::legend_ui`], and [`bench::run`] for the performance figures.

pub mod bench;
pub mod camera;
pub mod context;
mod error;
pub mod geometry;
pub mod gpu;
pub mod headless;
pub mod map;
pub mod mercator;
pub mod overlay;
pub mod palette;
pub mod sample;

pub use camera::{Camera, default_zoom};
pub use context::ContextLayers;
pub use error::RenderError;
pub use geometry::CellGeometry;
pub use gpu::{AdapterPreference, Gpu};
pub use headless::{FrameSpec, Headless, HeadlessOptions, Image};
pub use map::{ContextVisibility, MapRenderer, Outlines, OutsideScope, Pick, Theme};
pub use overlay::{Legend, Overlay};
pub use palette::{Domain, DomainMode, Palette, ValueKind};
