//! The Hotspot console: a native window where analysts explore, drill and read the story.
//!
//! A winit window shows the GPU map ([`hotspot_render::MapRenderer`], fed by
//! [`hotspot_present::present`]) under an egui overlay (egui-wgpu): controls, breadcrumbs, KPIs, charts, quick hits and the hotspot table. The
//! overlay is pure UI code ([`ui`]) that turns clicks into [`ui::Action`]s; the
//! [`controller::Controller`] applies them to the view, asks the scope engine (on a worker
//! thread, [`worker`]) and the scripts, and the app shell ([`app`]) draws. The console computes
//! no statistics itself and never reads Parquet: everything comes from the scope engine.

pub mod app;
pub mod controller;
pub mod state;
pub mod ui;
pub mod worker;

pub use app::{ConsoleError, ConsoleOptions};
pub use controller::Controller;
pub use state::{Settings, ThemeChoice, ViewState};

/// Opens the console window over a lake and runs until it is closed: the map, the overlay,
/// the query worker, script hot reload, settings (see [`app`]).
pub fn run(options: ConsoleOptions) -> Result<(), ConsoleError> {
    app::run(options)
}
