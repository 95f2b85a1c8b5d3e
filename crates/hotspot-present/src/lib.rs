//! hotspot-present turns scope results into pictures: the layer between the scope engine and
//! the renderer that both the console and the headless `hotspot render` stand on.
//!
//! [`present`] is the one path from a [`hotspot_scope::ScopeResult`] and a metric to the map's
//! value buffer, palette, drill mask and [`Legend`]. The legend, title, caption and context
//! labels are painted with egui ([`paint`]) into any egui context, and into headless frames
//! by [`OverlayRenderer`]; [`EguiPass`] is the single egui-wgpu drawing path, for the
//! console's window and for headless frames alike. [`HeadlessView`] is the renderer's
//! offscreen map plus that overlay, written to PNG. [`context_layers`] dissolves a lake's
//! district and community-area outlines, [`captions`] words a picture's title and subtitle, and [`present_timeline`]
//! puts a timeline's frames on the GPU with one colour domain for playback;
//! [`write_animation`] plays one into a GIF, a video or numbered PNGs.
//!
//! It knows no window (winit belongs to the console) and computes no statistics (the scope
//! engine does); `hotspot-render` below it knows nothing of egui or scopes.

mod animation;
pub mod captions;
mod context;
mod egui_pass;
mod headless;
mod layers;
mod legend;
mod overlay;
pub mod paint;
mod present;
mod timeline;

pub use animation::{
    AnimationError, AnimationOptions, MAX_OUTPUT_FRAMES, positions, write_animation,
};
pub use context::{ContextError, context_layers};
pub use egui_pass::{EguiFrame, EguiPass};
pub use headless::HeadlessView;
pub use layers::{LayerError, MAX_LAYER_BYTES, MAX_LAYER_VERTICES, read_geojson};
pub use legend::{Legend, LegendEntry};
pub use overlay::{Overlay, OverlayRenderer};
pub use present::{Highlight, Presented, alpha_text, emerging_method, present};
pub use timeline::{
    PLAYABLE, present_side_by_side, present_timeline, side_by_side_metric, timeline_domain,
    timeline_legend, timeline_values,
};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
