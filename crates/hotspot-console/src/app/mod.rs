//! The app shell: the winit event loop that ties the [`Controller`], the [`QueryWorker`] and
//! the map together.
//!
//! The window opens and shows its first frame ("Loading the lake…") at once; the scope engine
//! and the scripts load on a background thread ([`loader`]), then the controller is built.
//! Geometry of a resolution and the context layers are also built off the UI thread. A new
//! result reaches the map through [`hotspot_present::present`], the same path as
//! `hotspot render`. The loop sleeps (`ControlFlow::Wait`) until input, a finished query, a
//! camera flight, a timer (playlist, script hot reload) or egui asks for a frame ([`frame`]),
//! and the map texture is re-rendered only when the map changed ([`gfx`]).

mod actions;
mod alerts;
mod basemap;
mod camera;
mod frame;
mod gfx;
mod loader;
mod playlist;
mod reload;
mod split;
mod timeline;
mod wall;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::Pos2;
use glam::DVec2;
use hotspot_present::Legend;
use hotspot_render::{MapLabel, RenderError, Theme};
use winit::application::ApplicationHandler;
use winit::event::{StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::WindowId;

use crate::controller::Controller;
use crate::state::{Settings, ThemeChoice};
use crate::ui::{ConsoleUi, install_fonts};
use crate::worker::QueryWorker;
use camera::Fit;
use gfx::Gfx;
use loader::UserEvent;
use playlist::Playlist;

/// How often scripts are checked for edits while idle.
const SCRIPT_POLL: Duration = Duration::from_secs(1);
/// Frames drawn after `--screenshot` without `--exit-after-frames`.
const DEFAULT_HOOK_FRAMES: u64 = 3;

/// How the console starts.
#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    /// The lake directory.
    pub lake: PathBuf,
    /// The scripts directory (palettes, taxonomy, views, playlist, quick hits).
    pub scripts: PathBuf,
    /// Wall-screen mode: fullscreen, large type, no sidebar, the scripted playlist.
    pub wall: bool,
    /// The wall's viewing distance and picture height, which size its type.
    pub wall_scale: crate::ui::wall::WallScale,
    /// Which screen the window fills.
    pub screen: Screen,
    /// The wall's playlist from a file of its own instead of `playlist.rhai` (one per
    /// monitor, each wall process with its own).
    pub playlist: Option<PathBuf>,
    /// Start fullscreen.
    pub fullscreen: bool,
    /// Window size in physical pixels (default: the size saved in the settings).
    pub size: Option<(u32, u32)>,
    /// Test hook: exit after this many frames once the map shows data.
    pub exit_after_frames: Option<u64>,
    /// Test hook: save the last frame as PNG, then exit.
    pub screenshot: Option<PathBuf>,
    /// The settings file (default: [`Settings::default_path`]).
    pub settings_path: Option<PathBuf>,
    /// GeoJSON layers drawn over the cells (`--layer FILE`).
    pub layers: Vec<PathBuf>,
    /// A basemap to use from the start (`--tiles`): URL template, attribution, maximum zoom.
    /// It goes into the settings as if chosen in the sidebar.
    pub basemap: Option<(String, String, u8)>,
    /// Where basemap tiles are cached (default: the platform's cache folder).
    pub tile_cache: Option<PathBuf>,
    /// Draw basemap tiles from the cache only; send no request.
    pub offline_tiles: bool,
    /// Where fired alerts are appended (JSON lines); None: no file, alerts still show.
    pub alert_log: Option<PathBuf>,
    /// How often the alert rules are evaluated (also after every lake reload).
    pub alert_every: Duration,
    /// When the process started, for the startup figure.
    pub started: Instant,
}

impl ConsoleOptions {
    /// Defaults for a lake: the `scripts/` directory, a window, saved settings.
    pub fn new(lake: impl Into<PathBuf>) -> Self {
        Self {
            lake: lake.into(),
            scripts: PathBuf::from("scripts"),
            wall: false,
            wall_scale: Default::default(),
            screen: Screen::Primary,
            playlist: None,
            fullscreen: false,
            size: None,
            exit_after_frames: None,
            screenshot: None,
            settings_path: Settings::default_path(),
            layers: Vec::new(),
            basemap: None,
            tile_cache: None,
            offline_tiles: false,
            alert_log: Settings::default_path()
                .and_then(|p| p.parent().map(|d| d.join("alerts.jsonl"))),
            alert_every: Duration::from_secs(60),
            started: Instant::now(),
        }
    }

    fn hooks(&self) -> Option<u64> {
        match (self.exit_after_frames, &self.screenshot) {
            (Some(n), _) => Some(n.max(1)),
            (None, Some(_)) => Some(DEFAULT_HOOK_FRAMES),
            (None, None) => None,
        }
    }
}

/// Which screen the window fills.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Screen {
    /// The window system's choice (fullscreen on the primary monitor for the wall).
    #[default]
    Primary,
    /// Fullscreen on this monitor (0 first, in the window system's order).
    Monitor(usize),
    /// One borderless window across every monitor (a video wall of several panels).
    Span,
}

/// Why the console could not run.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The cause is the source (winit says which display variables it looked for).
    #[error(
        "cannot start the window system: the console needs a desktop session (X11 or \
         Wayland); without one, `hotspot render --out map.png` draws the map and \
         `hotspot demo --no-console` builds the lake without a window"
    )]
    EventLoop(#[from] winit::error::EventLoopError),
    #[error("cannot open a window: {0}")]
    Window(String),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("the window surface failed: {0}")]
    Surface(String),
    #[error("cannot load the lake at {path}: {detail}")]
    Lake { path: PathBuf, detail: String },
}

/// Opens the console window and runs until it is closed (or a test hook ends it).
pub fn run(options: ConsoleOptions) -> Result<(), ConsoleError> {
    let event_loop = EventLoop::<UserEvent>::with_user_event().build()?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = App::new(options, event_loop.create_proxy());
    event_loop.run_app(&mut app)?;
    match app.fatal.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn theme_of(settings: &Settings) -> Theme {
    match settings.theme {
        ThemeChoice::Dark => Theme::Dark,
        ThemeChoice::Light => Theme::Light,
    }
}

struct App {
    options: ConsoleOptions,
    proxy: EventLoopProxy<UserEvent>,
    settings: Settings,
    ctx: egui::Context,
    ui: ConsoleUi,
    gfx: Option<Gfx>,
    ctl: Option<Controller>,
    worker: Option<QueryWorker>,
    fatal: Option<ConsoleError>,
    load_error: Option<String>,
    loading_started: bool,
    style_dirty: bool,
    // Query bookkeeping.
    requery: bool,
    awaiting: Option<u64>,
    fit_scope_pending: bool,
    // The map.
    map_size: Option<(u32, u32)>,
    pending_fit: Option<Fit>,
    building: HashSet<u8>,
    rows: HashMap<u64, usize>,
    hover_row: Option<usize>,
    /// Where the pointer is over the map (physical pixels), to re-pick after a new result.
    hover_pos: Option<Pos2>,
    legend: Option<Legend>,
    labels: Vec<MapLabel>,
    fly_selected: Option<u64>,
    context_started: bool,
    context_done: bool,
    /// The last good version of each layer file (a file that fails to load keeps it).
    overlays: std::collections::BTreeMap<PathBuf, hotspot_render::OverlayLayer>,
    basemap: Option<basemap::Basemap>,
    /// What the timeline on the map was built for.
    timeline_shown: Option<crate::timebar::TimelineKey>,
    /// An animation export in progress.
    export: Option<std::sync::Arc<timeline::ExportProgress>>,
    /// Side by side on the map: the halves' period labels.
    split_shown: Option<(String, String)>,
    // Timing.
    last_frame: Instant,
    egui_deadline: Option<Instant>,
    next_script_poll: Instant,
    playlist: Playlist,
    // Alerts.
    audit: Option<crate::alerts::AuditLog>,
    desk: crate::alerts::AlertDesk,
    next_alert_check: Instant,
    alerts_running: bool,
    next_flash: Option<Instant>,
    flash_on: bool,
    // The live lake.
    next_lake_poll: Instant,
    reloading: bool,
    reload_started: Option<Instant>,
    failed_generation: Option<u64>,
    /// The newest generation looked at (one without a new build is not loaded).
    seen_generation: Option<u64>,
    /// When the wall tries a lake (or generation) that failed again.
    retry_load_at: Option<Instant>,
    /// What the wall works around while keeping its last good picture.
    lake_trouble: Option<String>,
    shown_generation_logged: bool,
    /// The playlist view on screen (the wall re-applies it when the lake changes).
    playlist_view: Option<String>,
    // Startup figures and test hooks.
    first_frame_logged: bool,
    /// (event loop running, window and GPU set up), for the startup log.
    startup: (Duration, Duration),
    first_map_logged: bool,
    ready_frames: u64,
    screenshot_request: Option<PathBuf>,
    frames: u64,
}

impl App {
    fn new(options: ConsoleOptions, proxy: EventLoopProxy<UserEvent>) -> Self {
        let settings = Settings::load(options.settings_path.as_deref());
        let ctx = egui::Context::default();
        install_fonts(&ctx);
        Self {
            options,
            proxy,
            settings,
            ctx,
            ui: ConsoleUi::default(),
            gfx: None,
            ctl: None,
            worker: None,
            fatal: None,
            load_error: None,
            loading_started: false,
            style_dirty: true,
            requery: false,
            awaiting: None,
            fit_scope_pending: false,
            map_size: None,
            pending_fit: Some(Fit::Citywide),
            building: HashSet::new(),
            rows: HashMap::new(),
            hover_row: None,
            hover_pos: None,
            legend: None,
            labels: Vec::new(),
            fly_selected: None,
            context_started: false,
            overlays: Default::default(),
            basemap: None,
            timeline_shown: None,
            export: None,
            split_shown: None,
            context_done: false,
            last_frame: Instant::now(),
            egui_deadline: None,
            next_script_poll: Instant::now() + SCRIPT_POLL,
            playlist: Playlist::default(),
            audit: None,
            desk: Default::default(),
            next_alert_check: Instant::now(),
            alerts_running: false,
            next_flash: None,
            flash_on: false,
            next_lake_poll: Instant::now() + reload::LAKE_POLL,
            reloading: false,
            reload_started: None,
            failed_generation: None,
            seen_generation: None,
            retry_load_at: None,
            lake_trouble: None,
            shown_generation_logged: false,
            playlist_view: None,
            first_frame_logged: false,
            startup: (Duration::ZERO, Duration::ZERO),
            first_map_logged: false,
            ready_frames: 0,
            screenshot_request: None,
            frames: 0,
        }
    }

    fn settings(&self) -> &Settings {
        self.ctl.as_ref().map_or(&self.settings, |c| &c.settings)
    }

    fn request_redraw(&self) {
        if let Some(g) = &self.gfx {
            g.window.request_redraw();
        }
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, e: ConsoleError) {
        tracing::error!("{e}");
        self.fatal = Some(e);
        event_loop.exit();
    }

    // ------------------------------------------------------------------ start-up

    fn start_loading(&mut self) {
        if self.loading_started {
            return;
        }
        self.loading_started = true;
        let (lake, scripts) = (self.options.lake.clone(), self.options.scripts.clone());
        if let Err(e) = loader::load(lake, scripts, self.proxy.clone()) {
            self.load_error = Some(e);
        }
    }

    fn on_loaded(
        &mut self,
        loaded: Result<(hotspot_scope::Engine, hotspot_script::ScriptHost), String>,
    ) {
        let (engine, scripts) = match loaded {
            Ok(x) => x,
            Err(e) => {
                tracing::error!(lake = %self.options.lake.display(), "{e}");
                self.load_error = Some(e);
                // The wall never gives up: it says why and tries again.
                if self.options.wall {
                    self.retry_load_at = Some(Instant::now() + reload::LOAD_RETRY);
                }
                self.request_redraw();
                return;
            }
        };
        self.load_error = None;
        let proxy = self.proxy.clone();
        self.worker = Some(QueryWorker::start(engine.clone(), move || {
            let _ = proxy.send_event(UserEvent::QueryDone);
        }));
        let mut ctl = Controller::new(
            engine,
            scripts,
            self.settings.clone(),
            self.options.settings_path.clone(),
        );
        if let Some(e) = ctl.engine.context_error() {
            tracing::warn!("context tables: {e}");
            ctl.set_status(format!(
                "Streets or area outlines not shown: {e} (run `hotspot build` to rewrite them)"
            ));
        }
        if let Err(e) = ctl.scripts.watch() {
            tracing::warn!("scripts will not hot-reload: {e}");
        }
        if self.options.wall {
            let list = match &self.options.playlist {
                Some(path) => match ctl.scripts.playlist_file(path) {
                    Ok(list) => list,
                    Err(e) => {
                        tracing::error!("{e}");
                        ctl.set_status(format!("Playlist not used: {e}"));
                        self.lake_trouble = Some(format!("Playlist not used: {e}"));
                        ctl.scripts.playlist()
                    }
                },
                None => ctl.scripts.playlist(),
            };
            self.playlist = Playlist::new(list);
        }
        match crate::alerts::AuditLog::open(self.options.alert_log.clone()) {
            Ok(log) => self.audit = Some(log),
            Err(e) => {
                tracing::warn!("{e}");
                ctl.set_status(format!("Alerts not logged: {e}"));
                self.audit = crate::alerts::AuditLog::open(None).ok();
            }
        }
        // A restored drill opens where the analyst left it, not at the whole city.
        if let Some(&cell) = ctl.view.drill.last() {
            self.pending_fit = Some(Fit::Cell(cell));
        }
        if let Some((url, attribution, max_zoom)) = self.options.basemap.clone() {
            ctl.apply(&crate::ui::Action::SetBasemap(url, attribution, max_zoom));
        }
        self.ctl = Some(ctl);
        self.apply_basemap();
        self.style_dirty = true;
        self.requery = true;
        if !self.playlist.is_empty() {
            self.next_playlist_view();
        }
        self.start_context();
        self.submit_query();
        self.request_redraw();
    }

    /// Builds the district / community-area outlines on a thread.
    fn start_context(&mut self) {
        let Some(ctl) = &self.ctl else { return };
        if self.context_started {
            return;
        }
        self.context_started = true;
        if let Err(e) = loader::context(ctl.engine.clone(), self.proxy.clone()) {
            tracing::warn!("context layers: {e}");
            self.context_done = true;
        }
        if !self.options.layers.is_empty()
            && let Err(e) = loader::layers(self.options.layers.clone(), self.proxy.clone())
        {
            tracing::warn!("layers: {e}");
        }
    }

    /// Builds a resolution's geometry on a thread (once).
    fn request_geometry(&mut self, res: u8) {
        let Some(ctl) = &self.ctl else { return };
        if !self.building.insert(res) {
            return;
        }
        let cells = match ctl.engine.coverage(res) {
            Ok(c) => c.to_vec(),
            Err(e) => {
                tracing::error!("no coverage at r{res}: {e}");
                return;
            }
        };
        if let Err(e) = loader::geometry(res, cells, self.proxy.clone()) {
            tracing::error!("r{res} geometry: {e}");
            self.building.remove(&res);
        }
    }

    // ------------------------------------------------------------------ queries and results

    fn submit_query(&mut self) {
        if !self.requery {
            return;
        }
        let (Some(ctl), Some(worker)) = (self.ctl.as_mut(), self.worker.as_ref()) else {
            return;
        };
        self.requery = false;
        let request = ctl.request();
        if self.fit_scope_pending {
            self.fit_scope_pending = false;
            self.pending_fit = Some(Fit::Scope(request.id));
        }
        self.awaiting = Some(request.id);
        // Start the geometry of the resolution it will need right away.
        let res = request.scope.res;
        worker.submit(request);
        if self
            .gfx
            .as_ref()
            .is_some_and(|g| g.map.geometry(res).is_none())
        {
            self.request_geometry(res);
        }
    }

    /// Shows the command line's layers and `extra` (a view's): reads them off the UI thread;
    /// layers no longer named are taken off the map.
    pub(super) fn show_layers(&mut self, extra: Vec<PathBuf>) {
        let mut wanted = self.options.layers.clone();
        wanted.extend(extra);
        self.overlays.retain(|p, _| wanted.contains(p));
        if let Some(gfx) = self.gfx.as_mut() {
            let layers: Vec<hotspot_render::OverlayLayer> =
                self.overlays.values().cloned().collect();
            if let Err(e) = gfx.map.set_overlays(&layers) {
                tracing::warn!("layers: {e}");
            }
        }
        if !wanted.is_empty()
            && let Err(e) = loader::layers(wanted, self.proxy.clone())
        {
            tracing::warn!("layers: {e}");
        }
    }

    /// Users' layer files read: the good ones replace their previous version, a bad one keeps
    /// its last good version on the map and says why in the status line.
    fn on_layers(&mut self, read: Vec<(PathBuf, Result<hotspot_render::OverlayLayer, String>)>) {
        let mut errors = Vec::new();
        for (path, r) in read {
            match r {
                Ok(layer) => {
                    self.overlays.insert(path, layer);
                }
                Err(e) => errors.push(e),
            }
        }
        let layers: Vec<hotspot_render::OverlayLayer> = self.overlays.values().cloned().collect();
        if let Some(gfx) = self.gfx.as_mut()
            && let Err(e) = gfx.map.set_overlays(&layers)
        {
            errors.push(format!("layers: {e}"));
        }
        if !errors.is_empty() {
            for e in &errors {
                tracing::warn!("layer: {e}");
            }
            if let Some(ctl) = self.ctl.as_mut() {
                ctl.set_status(format!("Layer not shown: {}", errors.join("; ")));
            }
        }
    }

    fn on_query_done(&mut self) {
        let (Some(ctl), Some(worker)) = (self.ctl.as_mut(), self.worker.as_ref()) else {
            return;
        };
        let mut changed = false;
        let mut newest = 0;
        for response in worker.take_done() {
            newest = newest.max(response.id);
            changed |= ctl.accept(response);
        }
        if self.awaiting.is_some_and(|id| newest >= id) {
            self.awaiting = None;
        }
        if changed {
            self.show_result();
        }
        self.request_redraw();
    }

    /// Puts the current result on the map (through the shared present path) and keeps its
    /// legend and the cell → row lookup for hovering.
    fn show_result(&mut self) {
        let Some(res) = self
            .ctl
            .as_ref()
            .and_then(|c| c.result.as_ref())
            .map(|r| r.scope.res)
        else {
            return;
        };
        if self
            .gfx
            .as_ref()
            .is_some_and(|g| g.map.geometry(res).is_none())
        {
            self.request_geometry(res);
            return;
        }
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        let Some(r) = ctl.result.clone() else { return };
        let metric = ctl.view.effective_metric();
        match hotspot_present::present(&mut gfx.map, &r, metric, &ctl.palette(), ctl.highlight()) {
            Ok(shown) => self.legend = Some(shown.legend),
            Err(e) => {
                tracing::error!("cannot show the result: {e}");
                return;
            }
        }
        self.keep_timeline();
        self.keep_split();
        let Some(gfx) = self.gfx.as_mut() else { return };
        if r.drill.target.is_none() && self.fly_selected.is_some() {
            gfx.map.set_selected(self.fly_selected);
        }
        let cells: &[u64] = r.cells.cell.values();
        self.rows = cells.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        // The pointer may rest on another cell now.
        self.repick();
        self.try_fit();
    }

    /// Picks the cell under the pointer again (after a new result or a camera flight).
    fn repick(&mut self) {
        let pick = self
            .hover_pos
            .and_then(|p| self.pick_at(DVec2::new(f64::from(p.x), f64::from(p.y))));
        self.hover_row = pick.and_then(|p| self.rows.get(&p.cell).copied());
        let Some(gfx) = self.gfx.as_mut() else { return };
        gfx.map.set_hover(self.hover_row.and(pick.map(|p| p.cell)));
    }

    // ------------------------------------------------------------------ timers

    fn timers(&mut self) {
        let now = Instant::now();
        if now >= self.next_script_poll {
            self.next_script_poll = now + SCRIPT_POLL;
            self.poll_scripts();
        }
        if self.playlist.due(now) && !self.alert_holds_wall() {
            self.next_playlist_view();
            self.request_redraw();
        }
        self.check_alerts(now);
        self.alert_tick(now);
        self.poll_lake(now);
        if self.egui_deadline.is_some_and(|t| now >= t) {
            self.egui_deadline = None;
            self.request_redraw();
        }
        // Playback moves the map every frame; an export's progress shows in the status line.
        if self.ctl.as_ref().is_some_and(|c| c.timebar.playing) {
            self.request_redraw();
        }
        if self.export.is_some() {
            self.export_status();
            self.request_redraw();
        }
        self.submit_query();
    }

    fn poll_scripts(&mut self) {
        let Some(ctl) = self.ctl.as_mut() else { return };
        if ctl.poll_scripts() {
            tracing::info!("scripts changed: re-querying");
            self.requery = true;
            self.request_redraw();
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let playing = self.ctl.as_ref().is_some_and(|c| c.timebar.playing);
        let playlist = if self.alert_holds_wall() {
            None
        } else {
            self.playlist.deadline()
        };
        [
            playing.then(|| Instant::now() + Duration::from_millis(16)),
            Some(self.next_script_poll),
            playlist,
            self.egui_deadline,
            self.ctl.as_ref().map(|_| self.next_alert_check),
            Some(self.next_lake_poll),
            self.desk.deadline(),
            self.next_flash,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

impl ApplicationHandler<UserEvent> for App {
    fn new_events(&mut self, _event_loop: &ActiveEventLoop, cause: StartCause) {
        if !matches!(cause, StartCause::Init) {
            self.timers();
        }
    }

    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.gfx.is_none() {
            let t = Instant::now();
            self.startup.0 = self.options.started.elapsed();
            let gfx = Gfx::new(event_loop, &self.options, &self.settings, &self.ctx);
            self.startup.1 = t.elapsed();
            match gfx {
                Ok(mut g) => {
                    g.map.set_theme(theme_of(&self.settings));
                    self.gfx = Some(g);
                }
                Err(e) => {
                    self.fail(event_loop, e);
                    return;
                }
            }
        }
        self.start_loading();
        self.request_redraw();
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: UserEvent) {
        match event {
            UserEvent::Loaded(loaded) => self.on_loaded(*loaded),
            UserEvent::QueryDone => self.on_query_done(),
            UserEvent::Geometry(res, geom) => {
                self.building.remove(&res);
                match geom {
                    Ok(g) => {
                        if let Some(gfx) = self.gfx.as_mut() {
                            gfx.map.set_geometry(g);
                        }
                        self.show_result();
                        self.present_timeline();
                    }
                    Err(e) => tracing::error!("r{res} geometry: {e}"),
                }
            }
            UserEvent::Context(ctx) => {
                self.context_done = true;
                match ctx {
                    Ok(c) => {
                        if let Some(gfx) = self.gfx.as_mut()
                            && let Err(e) = gfx.map.set_context(c)
                        {
                            tracing::warn!("context layers: {e}");
                        }
                        self.apply_context_visibility();
                    }
                    Err(e) => tracing::warn!("context layers: {e}"),
                }
            }
            UserEvent::Layers(read) => self.on_layers(read),
            UserEvent::Tile(ev) => self.on_tile(*ev),
            UserEvent::Timeline(id, key, result) => self.on_timeline(id, *key, result),
            UserEvent::Exported(result) => self.on_exported(*result),
            UserEvent::Alerts(result) => self.on_alerts(result),
            UserEvent::Reloaded(generation, result) => self.on_reloaded(generation, *result),
        }
        self.submit_query();
        self.request_redraw();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(gfx) = self.gfx.as_mut() else { return };
        if !matches!(event, WindowEvent::RedrawRequested) {
            let response = gfx.egui_state.on_window_event(&gfx.window, &event);
            if response.repaint {
                gfx.window.request_redraw();
            }
        }
        match event {
            WindowEvent::CloseRequested => self.exit(event_loop),
            WindowEvent::Resized(size) => {
                gfx.resize(size.width, size.height);
                gfx.window.request_redraw();
            }
            WindowEvent::ScaleFactorChanged { .. } => gfx.window.request_redraw(),
            WindowEvent::RedrawRequested => self.frame(event_loop),
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        self.timers();
        match self.next_deadline() {
            Some(t) => event_loop.set_control_flow(ControlFlow::WaitUntil(t)),
            None => event_loop.set_control_flow(ControlFlow::Wait),
        }
    }

    fn exiting(&mut self, _event_loop: &ActiveEventLoop) {
        // Stop the worker before the GPU goes away.
        self.worker = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_default_to_a_few_frames_for_a_screenshot() {
        let mut o = ConsoleOptions::new("lake");
        assert_eq!(o.hooks(), None);
        o.screenshot = Some("x.png".into());
        assert_eq!(o.hooks(), Some(DEFAULT_HOOK_FRAMES));
        o.exit_after_frames = Some(0);
        assert_eq!(o.hooks(), Some(1));
    }
}
