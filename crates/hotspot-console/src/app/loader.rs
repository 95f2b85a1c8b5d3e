//! Work the window must not wait for, on background threads that report back to the event
//! loop as [`UserEvent`]s: loading the lake and the scripts, building a resolution's cell
//! geometry, and dissolving the context layers.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use hotspot_render::{CellGeometry, ContextLayers};
use hotspot_scope::Engine;
use hotspot_script::ScriptHost;
use winit::event_loop::EventLoopProxy;

/// What background threads report.
pub(super) enum UserEvent {
    Loaded(Box<Result<(Engine, ScriptHost), String>>),
    QueryDone,
    Geometry(u8, Result<Arc<CellGeometry>, String>),
    Context(Result<ContextLayers, String>),
    /// Users' layer files read: each file with its layer or why it could not be used.
    Layers(
        Vec<(
            std::path::PathBuf,
            Result<hotspot_render::OverlayLayer, String>,
        )>,
    ),
    /// A basemap tile's answer.
    Tile(Box<hotspot_tiles::TileEvent>),
    /// The animation export finished: where it went, or why not.
    Exported(Box<Result<std::path::PathBuf, String>>),
    /// A newer lake generation opened (the one asked for, and the engine or why not).
    Reloaded(u64, Box<Result<Engine, String>>),
    /// The alert rules evaluated against the lake (the firings, or why not).
    Alerts(Result<Vec<hotspot_scope::alerts::Alert>, String>),
    /// A timeline built for the time bar (its job id and key).
    Timeline(
        u64,
        Box<crate::timebar::TimelineKey>,
        Result<std::sync::Arc<hotspot_scope::TimelineMatrix>, String>,
    ),
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Spawns a named thread; `Err` says why it could not start.
fn spawn(name: String, work: impl FnOnce() + Send + 'static) -> Result<(), String> {
    std::thread::Builder::new()
        .name(name)
        .spawn(work)
        .map(|_| ())
        .map_err(|e| format!("cannot start a thread: {e}"))
}

/// Opens the lake's scope engine, then the scripts, and reports [`UserEvent::Loaded`].
pub(super) fn load(
    lake: PathBuf,
    scripts: PathBuf,
    proxy: EventLoopProxy<UserEvent>,
) -> Result<(), String> {
    spawn("hotspot-load".into(), move || {
        let t = Instant::now();
        let lake_root = hotspot_core::Lake::new(&lake);
        let result = if lake_root.exists() {
            Engine::open(&lake_root).map_err(|e| e.to_string())
        } else {
            Err("no lake here: run `hotspot demo` or `hotspot ingest FILE --build`".into())
        };
        let loaded = result.map(|engine| {
            tracing::info!("lake loaded in {:.0} ms", ms(t));
            let t = Instant::now();
            let host = ScriptHost::open(&scripts);
            tracing::info!("scripts loaded in {:.0} ms", ms(t));
            (engine, host)
        });
        let _ = proxy.send_event(UserEvent::Loaded(Box::new(loaded)));
    })
}

/// Builds the geometry of `cells` at `res` and reports [`UserEvent::Geometry`].
pub(super) fn geometry(
    res: u8,
    cells: Vec<u64>,
    proxy: EventLoopProxy<UserEvent>,
) -> Result<(), String> {
    spawn(format!("hotspot-geometry-r{res}"), move || {
        let t = Instant::now();
        let geom = CellGeometry::build(res, &cells)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        tracing::info!(
            cells = cells.len(),
            "r{res} geometry built in {:.0} ms",
            ms(t)
        );
        let _ = proxy.send_event(UserEvent::Geometry(res, geom));
    })
}

/// Dissolves the lake's context layers and reports [`UserEvent::Context`].
pub(super) fn context(engine: Engine, proxy: EventLoopProxy<UserEvent>) -> Result<(), String> {
    spawn("hotspot-context".into(), move || {
        let t = Instant::now();
        let result = hotspot_present::context_layers(&engine).map_err(|e| e.to_string());
        tracing::info!("context layers built in {:.0} ms", ms(t));
        let _ = proxy.send_event(UserEvent::Context(result));
    })
}

/// Reads users' GeoJSON layer files and reports [`UserEvent::Layers`].
pub(super) fn layers(
    paths: Vec<std::path::PathBuf>,
    proxy: EventLoopProxy<UserEvent>,
) -> Result<(), String> {
    spawn("hotspot-layers".into(), move || {
        let t = Instant::now();
        let read: Vec<_> = paths
            .into_iter()
            .map(|p| {
                let r = hotspot_present::read_geojson(&p).map_err(|e| e.to_string());
                (p, r)
            })
            .collect();
        tracing::info!("{} layer file(s) read in {:.0} ms", read.len(), ms(t));
        let _ = proxy.send_event(UserEvent::Layers(read));
    })
}

/// Evaluates the alert rules and reports [`UserEvent::Alerts`].
pub(super) fn alerts(
    engine: Engine,
    rules: Vec<hotspot_scope::alerts::AlertRule>,
    taxonomy: Arc<hotspot_core::taxonomy::Taxonomy>,
    proxy: EventLoopProxy<UserEvent>,
) -> Result<(), String> {
    spawn("hotspot-alerts".into(), move || {
        let t = Instant::now();
        let result = engine
            .evaluate_alerts(&rules, &taxonomy)
            .map_err(|e| e.to_string());
        tracing::info!(
            rules = rules.len(),
            "alert rules evaluated in {:.0} ms",
            ms(t)
        );
        let _ = proxy.send_event(UserEvent::Alerts(result));
    })
}

/// Opens a newer generation of the lake and reports [`UserEvent::Reloaded`].
pub(super) fn reload(
    lake: PathBuf,
    generation: u64,
    proxy: EventLoopProxy<UserEvent>,
) -> Result<(), String> {
    spawn("hotspot-reload".into(), move || {
        let t = Instant::now();
        let result = Engine::open(&hotspot_core::Lake::new(&lake)).map_err(|e| e.to_string());
        tracing::info!("lake generation {generation} opened in {:.0} ms", ms(t));
        let _ = proxy.send_event(UserEvent::Reloaded(generation, Box::new(result)));
    })
}
