//! The Hotspot console: a native window where analysts explore, drill and read the story.
//!
//! A winit window shows the GPU map ([`hotspot_render::MapRenderer`], fed by
//! [`hotspot_present::present`], the same path `hotspot render` uses) under an egui overlay:
//! controls, breadcrumbs, KPIs, charts, quick hits and the hotspot table. The overlay is pure UI
//! code ([`ui`]) that turns clicks into [`ui::Action`]s; the [`controller::Controller`] applies
//! them to the view ([`state`], persisted settings), asks the scope engine (on a worker thread,
//! [`worker`]) and the scripts, and the app shell ([`app`]) owns the window, the GPU surface
//! and the event loop. The console computes no statistics itself and never reads Parquet:
//! everything comes from the scope engine.

pub mod alerts;
pub mod app;
pub mod controller;
pub mod soak;
pub mod state;
pub mod timebar;
pub mod ui;
pub mod worker;

pub use app::{ConsoleError, ConsoleOptions, Screen};
pub use controller::Controller;
pub use state::{Settings, ThemeChoice, ViewState};

/// Opens the console window over a lake and runs until it is closed: the map, the overlay,
/// the query worker, script hot reload, settings (see [`app`]).
pub fn run(options: ConsoleOptions) -> Result<(), ConsoleError> {
    app::run(options)
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
