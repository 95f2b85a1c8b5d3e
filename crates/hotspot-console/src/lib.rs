//! The Hotspot console: a native window where analysts explore, drill and read the story.
//!
//! A winit window shows the GPU map ([`hotspot_render::MapRenderer`]) under an egui overlay
//! (egui-wgpu): controls, breadcrumbs, KPIs, charts, quick hits and the hotspot table. The
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

/// A cell with its modal police district and community area.
pub type ContextCell = (u64, Option<u8>, Option<u8>);

/// The cells the context layers (city footprint, district and community-area outlines) are
/// dissolved from, with their modal district and community area: the finest resolution whose
/// coverage is dense (≥ 90 % of its parents' seven children have data), filled down to r10 by
/// [`hotspot_render::ContextLayers::from_cells`]. A big lake uses its r10 cells; a small or
/// short one, whose fine cells are scattered, still gets clean outlines from r9 or r8.
pub fn context_cells(
    engine: &hotspot_scope::Engine,
) -> Result<Vec<ContextCell>, hotspot_scope::ScopeError> {
    let ix = engine.index();
    let mut res = 8;
    for r in [10u8, 9] {
        let (fine, coarse) = (ix.at(r)?.cells.len(), ix.at(r - 1)?.cells.len());
        if fine * 10 >= coarse * 63 {
            res = r;
            break;
        }
    }
    let ix = ix.at(res)?;
    Ok(ix
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                *c,
                ix.district.get(i).copied().flatten(),
                ix.community_area.get(i).copied().flatten(),
            )
        })
        .collect())
}
