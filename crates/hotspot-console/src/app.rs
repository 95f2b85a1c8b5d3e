//! The app shell: a winit window with a wgpu surface, the GPU map drawn into an offscreen
//! texture that the egui overlay shows in its map panel, and the event loop that ties the
//! [`Controller`], the [`QueryWorker`] and the [`MapRenderer`] together.
//!
//! The window opens and shows its first frame ("Loading the lake…") at once; the scope engine
//! and the scripts load on a background thread, then the controller is built. Geometry of a
//! resolution and the context layers (district / community-area outlines dissolved from the
//! r10 cells) are also built off the UI thread. The loop sleeps (`ControlFlow::Wait`) until
//! input, a finished query, a camera flight, a timer (playlist, script hot reload) or egui asks
//! for a frame, and the map texture is re-rendered only when the map changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Pos2, ViewportId};
use glam::DVec2;
use hotspot_render::camera::cells_bounds;
use hotspot_render::{
    CellGeometry, ContextLayers, ContextVisibility, Image, Legend, MapRenderer, OutsideScope,
    RenderError, Theme,
};
use hotspot_scope::{Engine, Metric};
use hotspot_script::{Camera, ScriptHost};
use winit::application::ApplicationHandler;
use winit::dpi::{LogicalSize, PhysicalSize};
use winit::event::{StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Fullscreen, Window, WindowId};

use crate::controller::{Controller, Effect};
use crate::state::{Settings, ThemeChoice};
use crate::ui::{Action, ConsoleUi, MapInput, apply_style, install_fonts};
use crate::worker::QueryWorker;

/// The colour format of the offscreen map texture: 8-bit RGBA blended in sRGB space (as the
/// headless renderer and web maps do), which is also what egui-wgpu expects of native textures.
const MAP_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;
/// How long a camera flight takes.
const FLIGHT_S: f64 = 0.6;
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
            fullscreen: false,
            size: None,
            exit_after_frames: None,
            screenshot: None,
            settings_path: Settings::default_path(),
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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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

/// What background threads report.
enum UserEvent {
    Loaded(Box<Result<(Engine, ScriptHost), String>>),
    QueryDone,
    Geometry(u8, Result<Arc<CellGeometry>, String>),
    Context(Result<ContextLayers, String>),
}

/// Where the camera should go once it can.
#[derive(Clone, Debug, PartialEq)]
enum Fit {
    Citywide,
    Cell(u64),
    District(u8),
    /// The cells of the result of request `id` (or a later one).
    Scope(u64),
}

/// The offscreen map target.
struct MapTarget {
    size: (u32, u32),
    _texture: wgpu::Texture,
    view: wgpu::TextureView,
    msaa_view: Option<wgpu::TextureView>,
}

/// Window, GPU and egui state.
struct Gfx {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    device: wgpu::Device,
    queue: wgpu::Queue,
    egui_state: egui_winit::State,
    egui_renderer: egui_wgpu::Renderer,
    map: MapRenderer,
    msaa: u32,
    target: Option<MapTarget>,
    texture_id: Option<egui::TextureId>,
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
    labels: Vec<(Pos2, String)>,
    fly_selected: Option<u64>,
    context_state: ContextState,
    // Timing.
    last_frame: Instant,
    egui_deadline: Option<Instant>,
    next_script_poll: Instant,
    playlist: Vec<(String, u32)>,
    playlist_pos: usize,
    playlist_next: Option<Instant>,
    // Startup figures and test hooks.
    first_frame_logged: bool,
    /// (event loop running, window and GPU set up), for the startup log.
    startup: (Duration, Duration),
    first_map_logged: bool,
    ready_frames: u64,
    screenshot_request: Option<PathBuf>,
    frames: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ContextState {
    NotStarted,
    Building,
    Done,
}

fn timestamp() -> String {
    chrono::Local::now().format("%Y%m%d-%H%M%S").to_string()
}

fn theme_of(settings: &Settings) -> Theme {
    match settings.theme {
        ThemeChoice::Dark => Theme::Dark,
        ThemeChoice::Light => Theme::Light,
    }
}

fn is_percent(metric: Metric) -> bool {
    matches!(
        metric,
        Metric::FocusShare | Metric::ArrestRate | Metric::SmoothedRate | Metric::PooledSmoothed
    )
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
            context_state: ContextState::NotStarted,
            last_frame: Instant::now(),
            egui_deadline: None,
            next_script_poll: Instant::now() + SCRIPT_POLL,
            playlist: Vec::new(),
            playlist_pos: 0,
            playlist_next: None,
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

    fn init_gfx(&mut self, event_loop: &ActiveEventLoop) -> Result<Gfx, ConsoleError> {
        let t = Instant::now();
        let mut attrs = Window::default_attributes().with_title("Hotspot — Chicago crime hotspots");
        attrs = match self.options.size {
            Some((w, h)) => attrs.with_inner_size(PhysicalSize::new(w.max(64), h.max(64))),
            None => {
                let (w, h) = self.settings.window_size;
                attrs.with_inner_size(LogicalSize::new(
                    f64::from(w.clamp(640, 16384)),
                    f64::from(h.clamp(400, 16384)),
                ))
            }
        };
        if self.options.fullscreen || self.options.wall {
            attrs = attrs.with_fullscreen(Some(Fullscreen::Borderless(None)));
        }
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .map_err(|e| ConsoleError::Window(e.to_string()))?,
        );
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
                Box::new(event_loop.owned_display_handle()),
            ));
        let surface = instance
            .create_surface(window.clone())
            .map_err(|e| ConsoleError::Surface(e.to_string()))?;
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: Some(&surface),
            apply_limit_buckets: false,
        }))
        .map_err(|e| RenderError::NoAdapter {
            detail: format!("none can draw to this window: {e}"),
        })?;
        let info = adapter.get_info();
        let caps = adapter.get_downlevel_capabilities();
        let limits = adapter.limits();
        if !caps.flags.contains(wgpu::DownlevelFlags::VERTEX_STORAGE)
            || limits.max_storage_buffers_per_shader_stage < 2
        {
            return Err(RenderError::Unsupported {
                adapter: info.name.clone(),
                detail: "no storage buffers in vertex shaders".into(),
            }
            .into());
        }
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("hotspot-console"),
            required_features: wgpu::Features::empty(),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| RenderError::Device {
            adapter: info.name.clone(),
            detail: e.to_string(),
        })?;
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            tracing::error!("wgpu: {e}");
        }));
        let software = info.device_type == wgpu::DeviceType::Cpu;
        let surface_caps = surface.get_capabilities(&adapter);
        let format = [
            wgpu::TextureFormat::Bgra8Unorm,
            wgpu::TextureFormat::Rgba8Unorm,
        ]
        .into_iter()
        .find(|f| surface_caps.formats.contains(f))
        .or_else(|| surface_caps.formats.first().copied())
        .ok_or_else(|| ConsoleError::Surface(format!("{} offers no surface format", info.name)))?;
        let present_mode = if std::env::var_os("HOTSPOT_DEBUG_IMMEDIATE").is_some() {
            wgpu::PresentMode::Immediate
        } else if surface_caps
            .present_modes
            .contains(&wgpu::PresentMode::Fifo)
        {
            wgpu::PresentMode::Fifo
        } else {
            surface_caps
                .present_modes
                .first()
                .copied()
                .unwrap_or(wgpu::PresentMode::Fifo)
        };
        let size = window.inner_size();
        let mut config = surface
            .get_default_config(&adapter, size.width.max(1), size.height.max(1))
            .ok_or_else(|| {
                ConsoleError::Surface(format!("{} cannot draw to this window", info.name))
            })?;
        config.format = format;
        config.present_mode = present_mode;
        config.view_formats = vec![format];
        config.desired_maximum_frame_latency = 2;
        if let Some(a) = surface_caps.alpha_modes.first() {
            config.alpha_mode = *a;
        }
        surface.configure(&device, &config);
        // MSAA: 4× on hardware; 1× on a software adapter, where 4× costs more than the frame.
        let msaa_ok = adapter
            .get_texture_format_features(MAP_FORMAT)
            .flags
            .contains(wgpu::TextureFormatFeatureFlags::MULTISAMPLE_X4);
        let msaa = if !software && msaa_ok { 4 } else { 1 };
        let mut map = MapRenderer::new(&device, &queue, MAP_FORMAT, msaa)?;
        map.set_theme(theme_of(&self.settings));
        map.camera
            .set_viewport(size.width, size.height, window.scale_factor());
        let egui_renderer = egui_wgpu::Renderer::new(
            &device,
            format,
            egui_wgpu::RendererOptions {
                msaa_samples: 1,
                depth_stencil_format: None,
                dithering: std::env::var_os("HOTSPOT_DEBUG_NODITHER").is_none(),
                predictable_texture_filtering: false,
            },
        );
        let egui_state = egui_winit::State::new(
            self.ctx.clone(),
            ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            None,
            Some(limits.max_texture_dimension_2d as usize),
        );
        tracing::info!(
            adapter = %info.name,
            backend = ?info.backend,
            kind = ?info.device_type,
            ?format,
            ?present_mode,
            msaa,
            "window and GPU ready in {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        Ok(Gfx {
            window,
            surface,
            config,
            device,
            queue,
            egui_state,
            egui_renderer,
            map,
            msaa,
            target: None,
            texture_id: None,
        })
    }

    fn start_loading(&mut self) {
        if self.loading_started {
            return;
        }
        self.loading_started = true;
        let lake = self.options.lake.clone();
        let scripts = self.options.scripts.clone();
        let proxy = self.proxy.clone();
        let spawned = std::thread::Builder::new()
            .name("hotspot-load".into())
            .spawn(move || {
                let t = Instant::now();
                let lake_root = hotspot_core::Lake::new(&lake);
                let result = if lake_root.manifest_path().exists() {
                    Engine::open(&lake_root).map_err(|e| e.to_string())
                } else {
                    Err("no lake here: run `hotspot demo` or `hotspot ingest FILE --build`".into())
                };
                let loaded = result.map(|engine| {
                    tracing::info!(
                        "lake loaded in {:.0} ms",
                        t.elapsed().as_secs_f64() * 1000.0
                    );
                    let t = Instant::now();
                    let host = ScriptHost::open(&scripts);
                    tracing::info!(
                        "scripts loaded in {:.0} ms",
                        t.elapsed().as_secs_f64() * 1000.0
                    );
                    (engine, host)
                });
                let _ = proxy.send_event(UserEvent::Loaded(Box::new(loaded)));
            });
        if let Err(e) = spawned {
            self.load_error = Some(format!("cannot start the loader thread: {e}"));
        }
    }

    fn on_loaded(&mut self, loaded: Result<(Engine, ScriptHost), String>) {
        let (engine, scripts) = match loaded {
            Ok(x) => x,
            Err(e) => {
                tracing::error!(lake = %self.options.lake.display(), "{e}");
                self.load_error = Some(e);
                self.request_redraw();
                return;
            }
        };
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
        if let Err(e) = ctl.scripts.watch() {
            tracing::warn!("scripts will not hot-reload: {e}");
        }
        if self.options.wall {
            self.playlist = ctl.scripts.playlist();
        }
        // A restored drill opens where the analyst left it, not at the whole city.
        if let Some(&cell) = ctl.view.drill.last() {
            self.pending_fit = Some(Fit::Cell(cell));
        }
        self.ctl = Some(ctl);
        self.style_dirty = true;
        self.requery = true;
        if !self.playlist.is_empty() {
            self.next_playlist_view();
        }
        self.start_context();
        self.submit_query();
        self.request_redraw();
    }

    /// Builds the district / community-area outlines from the r10 cells on a thread.
    fn start_context(&mut self) {
        let Some(ctl) = &self.ctl else { return };
        if self.context_state != ContextState::NotStarted {
            return;
        }
        self.context_state = ContextState::Building;
        let engine = ctl.engine.clone();
        let proxy = self.proxy.clone();
        let spawned = std::thread::Builder::new()
            .name("hotspot-context".into())
            .spawn(move || {
                let t = Instant::now();
                let result = crate::context_cells(&engine)
                    .map_err(|e| e.to_string())
                    .and_then(|cells| ContextLayers::from_cells(&cells).map_err(|e| e.to_string()));
                tracing::info!(
                    "context layers built in {:.0} ms",
                    t.elapsed().as_secs_f64() * 1000.0
                );
                let _ = proxy.send_event(UserEvent::Context(result));
            });
        if spawned.is_err() {
            self.context_state = ContextState::Done;
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
        let proxy = self.proxy.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("hotspot-geometry-r{res}"))
            .spawn(move || {
                let t = Instant::now();
                let geom = CellGeometry::build(res, &cells)
                    .map(Arc::new)
                    .map_err(|e| e.to_string());
                tracing::info!(
                    cells = cells.len(),
                    "r{res} geometry built in {:.0} ms",
                    t.elapsed().as_secs_f64() * 1000.0
                );
                let _ = proxy.send_event(UserEvent::Geometry(res, geom));
            });
        if spawned.is_err() {
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

    /// Puts the current result on the map: coverage, values, palette, mask, selection, legend.
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
        let map = &mut gfx.map;
        if let Err(e) = map.set_resolution(res) {
            tracing::error!("{e}");
            return;
        }
        let metric = ctl.view.effective_metric();
        let palette = ctl.palette();
        if let Err(e) = map.set_palette(&palette) {
            tracing::warn!("palette {}: {e}", palette.name);
        }
        map.set_value_kind(Some(hotspot_script::value_kind(metric)));
        map.set_domain(None);
        let cells: &[u64] = r.cells.cell.values();
        let values = r.cells.metric(metric);
        if let Err(e) = map.set_values(res, cells, &values) {
            tracing::error!("{e}");
        }
        let mask = (!r.scope.drill.is_empty()).then_some(cells);
        if let Err(e) = map.set_scope_mask(res, mask, OutsideScope::Dim) {
            tracing::error!("{e}");
        }
        map.set_selected(r.drill.target.or(self.fly_selected));
        self.rows = cells.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let mut legend = Legend::new(metric.title(), palette, map.domain());
        legend.percent = is_percent(metric);
        legend.caption_suffix = Some(format!(
            "Resolution {} {}.",
            hotspot_core::res::display(res),
            hotspot_core::res::size_text(res)
        ));
        self.legend = Some(legend);
        // The pointer may rest on another cell now.
        self.repick();
        self.try_fit();
    }

    /// Picks the cell under the pointer again (after a new result or a camera flight).
    fn repick(&mut self) {
        let Some(gfx) = self.gfx.as_mut() else { return };
        let pick = self
            .hover_pos
            .and_then(|p| gfx.map.pick(DVec2::new(f64::from(p.x), f64::from(p.y))));
        self.hover_row = pick.and_then(|p| self.rows.get(&p.cell).copied());
        gfx.map.set_hover(self.hover_row.and(pick.map(|p| p.cell)));
    }

    // ------------------------------------------------------------------ camera

    fn fit_bounds(&mut self, min: DVec2, max: DVec2, animate: bool) {
        let Some(gfx) = self.gfx.as_mut() else { return };
        let cam = &mut gfx.map.camera;
        let pad = 28.0 * cam.scale_factor;
        let zoom = cam.zoom_to_fit(min, max, pad);
        let center = (min + max) * 0.5;
        cam.fly_to(center, zoom, if animate { FLIGHT_S } else { 0.0 });
    }

    /// Runs the pending camera fit if what it needs is there.
    fn try_fit(&mut self) {
        let Some(fit) = self.pending_fit.clone() else {
            return;
        };
        if self.map_size.is_none() {
            return;
        }
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_ref()) else {
            return;
        };
        let first = !self.first_map_logged;
        let bounds = match fit {
            Fit::Citywide => {
                let res = gfx.map.resolution();
                match res.and_then(|r| gfx.map.geometry(r)) {
                    Some(g) => Some(g.bounds()),
                    None => return,
                }
            }
            Fit::Cell(cell) => {
                let Some((min, max)) = cells_bounds(&[cell]) else {
                    self.pending_fit = None;
                    return;
                };
                // The cell and about a ring of neighbours around it.
                let c = (min + max) * 0.5;
                let h = (max - min) * 1.6;
                Some((c - h, c + h))
            }
            Fit::District(d) => ctl.engine.index().at(10).ok().and_then(|ix| {
                let cells: Vec<u64> = ix
                    .cells
                    .iter()
                    .zip(&ix.district)
                    .filter(|(_, dd)| **dd == Some(d))
                    .map(|(c, _)| *c)
                    .collect();
                cells_bounds(&cells)
            }),
            Fit::Scope(id) => {
                if self.awaiting.is_some_and(|a| a <= id) {
                    return; // its result has not arrived yet
                }
                let Some(r) = &ctl.result else { return };
                if gfx.map.resolution() != Some(r.scope.res) {
                    return; // geometry still building
                }
                let cells: &[u64] = r.cells.cell.values();
                if r.scope.drill.is_empty() || cells.len() > 20_000 {
                    gfx.map.geometry(r.scope.res).map(|g| g.bounds())
                } else {
                    cells_bounds(cells)
                }
            }
        };
        self.pending_fit = None;
        if let Some((min, max)) = bounds {
            self.fit_bounds(min, max, !first);
        }
    }

    // ------------------------------------------------------------------ actions

    fn apply_action(&mut self, action: Action) {
        let effects = match self.ctl.as_mut() {
            Some(c) => c.apply(&action),
            None => match action {
                Action::MapResized(..)
                | Action::MapPan(..)
                | Action::MapZoom(..)
                | Action::MapHover(..)
                | Action::MapClick(..) => vec![Effect::Map(action)],
                Action::ToggleFullscreen => vec![Effect::ToggleFullscreen],
                _ => Vec::new(),
            },
        };
        for e in effects {
            self.effect(e);
        }
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Requery => {
                self.requery = true;
                self.fly_selected = None;
            }
            Effect::ToggleFullscreen => {
                if let Some(g) = &self.gfx {
                    let next = match g.window.fullscreen() {
                        Some(_) => None,
                        None => Some(Fullscreen::Borderless(None)),
                    };
                    g.window.set_fullscreen(next);
                }
            }
            Effect::Screenshot => {
                self.screenshot_request =
                    Some(PathBuf::from(format!("hotspot-{}.png", timestamp())));
            }
            Effect::ExportCsv => self.export_csv(),
            Effect::FlyTo(cell) => {
                self.fly_selected = Some(cell);
                if let Some(g) = self.gfx.as_mut() {
                    g.map.set_selected(Some(cell));
                }
                self.pending_fit = Some(Fit::Cell(cell));
                self.try_fit();
            }
            Effect::FitCamera(cam) => {
                self.pending_fit = Some(match cam {
                    Camera::Citywide => Fit::Citywide,
                    Camera::Cell(c) => Fit::Cell(c),
                    Camera::District(d) => Fit::District(d),
                });
                self.try_fit();
            }
            Effect::FitToScope => self.fit_scope_pending = true,
            Effect::Map(a) => self.map_action(a),
            Effect::StyleChanged => self.style_dirty = true,
            Effect::ContextChanged => self.apply_context_visibility(),
        }
    }

    fn apply_context_visibility(&mut self) {
        let s = self.settings().clone();
        if let Some(g) = self.gfx.as_mut() {
            g.map.set_context_visibility(ContextVisibility {
                districts: s.show_districts,
                community_areas: s.show_community_areas,
                ..Default::default()
            });
        }
    }

    fn export_csv(&mut self) {
        let Some(ctl) = self.ctl.as_mut() else { return };
        let path = PathBuf::from(format!("hotspot-table-{}.csv", timestamp()));
        match std::fs::write(&path, ctl.table_csv()) {
            Ok(()) => ctl.set_status(format!("Saved {}", path.display())),
            Err(e) => ctl.set_status(format!("Cannot write {}: {e}", path.display())),
        }
    }

    fn map_action(&mut self, action: Action) {
        let Some(gfx) = self.gfx.as_mut() else { return };
        let map = &mut gfx.map;
        match action {
            Action::MapResized(w, h) => {
                let sf = gfx.window.scale_factor();
                map.camera.set_viewport(w, h, sf);
                let first = self.map_size.is_none();
                self.map_size = Some((w, h));
                if first {
                    self.try_fit();
                }
            }
            Action::MapPan(d) => map.camera.pan_px(f64::from(d.x), f64::from(d.y)),
            Action::MapZoom(p, dz) => {
                map.camera
                    .zoom_about(DVec2::new(f64::from(p.x), f64::from(p.y)), f64::from(dz));
            }
            Action::MapHover(p) => {
                self.hover_pos = p;
                self.repick();
            }
            Action::MapClick(p) => {
                let pick = map.pick(DVec2::new(f64::from(p.x), f64::from(p.y)));
                if let Some(cell) = pick.map(|p| p.cell).filter(|c| self.rows.contains_key(c)) {
                    self.apply_action(Action::DrillInto(cell));
                }
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------ timers

    fn next_playlist_view(&mut self) {
        if self.playlist.is_empty() {
            return;
        }
        let (name, secs) = self.playlist[self.playlist_pos % self.playlist.len()].clone();
        self.playlist_pos = (self.playlist_pos + 1) % self.playlist.len();
        self.playlist_next = Some(Instant::now() + Duration::from_secs(u64::from(secs.max(1))));
        if let Some(ctl) = self.ctl.as_mut() {
            tracing::info!(view = %name, seconds = secs, "playlist");
            let effects = ctl.apply_view(&name);
            for e in effects {
                self.effect(e);
            }
        }
    }

    fn timers(&mut self) {
        let now = Instant::now();
        if now >= self.next_script_poll {
            self.next_script_poll = now + SCRIPT_POLL;
            self.poll_scripts();
        }
        if self.playlist_next.is_some_and(|t| now >= t) {
            self.next_playlist_view();
            self.request_redraw();
        }
        if self.egui_deadline.is_some_and(|t| now >= t) {
            self.egui_deadline = None;
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
        [
            Some(self.next_script_poll),
            self.playlist_next,
            self.egui_deadline,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // ------------------------------------------------------------------ frames

    /// Whether the map shows the current result (the test hooks count frames from then on).
    fn ready(&self) -> bool {
        if self.load_error.is_some() {
            return true;
        }
        let Some(ctl) = &self.ctl else { return false };
        let Some(gfx) = &self.gfx else { return false };
        ctl.result.is_some()
            && self.awaiting.is_none()
            && gfx.texture_id.is_some()
            && gfx.map.resolution() == ctl.result.as_ref().map(|r| r.scope.res)
            && self.context_state == ContextState::Done
            && self.pending_fit.is_none()
            && !gfx.map.camera.is_flying()
    }

    fn frame(&mut self, event_loop: &ActiveEventLoop) {
        let now = Instant::now();
        let dt = now.duration_since(self.last_frame).as_secs_f64();
        self.last_frame = now;
        if self.style_dirty {
            self.style_dirty = false;
            let settings = self.settings().clone();
            apply_style(&self.ctx, &settings, self.options.wall);
            if let Some(g) = self.gfx.as_mut() {
                g.map.set_theme(theme_of(&settings));
            }
            self.apply_context_visibility();
        }
        let Some(gfx) = self.gfx.as_mut() else { return };
        let mut flying = false;
        if gfx.map.camera.is_flying() {
            flying = gfx.map.camera.step(dt.min(0.1));
            if !flying {
                self.repick();
            }
        }
        let Some(gfx) = self.gfx.as_mut() else { return };
        // The overlay.
        let raw = gfx.egui_state.take_egui_input(&gfx.window);
        let map_input = MapInput {
            texture: gfx.texture_id,
            hover_row: self.hover_row,
            legend: self.legend.clone(),
            theme: Some(gfx.map.theme()),
            labels: self.labels.clone(),
        };
        let mut actions = Vec::new();
        let output = match self.ctl.as_ref() {
            Some(ctl) => {
                let errors = ctl.errors();
                let input = ctl.ui_input(
                    &errors,
                    map_input,
                    self.awaiting.is_some(),
                    self.options.wall,
                );
                let ui = &mut self.ui;
                self.ctx.run_ui(raw, |root| {
                    actions = ui.show(root, &input);
                })
            }
            None => {
                let error = self.load_error.clone();
                let lake = self.options.lake.display().to_string();
                self.ctx
                    .run_ui(raw, |root| loading_screen(root, error.as_deref(), &lake))
            }
        };
        gfx.egui_state
            .handle_platform_output(&gfx.window, output.platform_output);
        let had_actions = !actions.is_empty();
        for a in actions {
            self.apply_action(a);
        }
        self.submit_query();
        // Map hover or selection may have changed the map; fits may have started flights.
        let Some(gfx) = self.gfx.as_mut() else { return };
        let t_ui = now.elapsed();
        let map_drawn = match render_map(gfx, self.map_size) {
            Ok(drawn) => drawn,
            Err(e) => {
                tracing::error!("map: {e}");
                false
            }
        };
        if map_drawn {
            let ppp = output.pixels_per_point;
            self.labels = gfx
                .map
                .labels()
                .into_iter()
                .map(|l| {
                    (
                        Pos2::new(l.pos.x as f32 / ppp, l.pos.y as f32 / ppp),
                        l.text,
                    )
                })
                .collect();
            if !self.first_map_logged && self.ctl.as_ref().is_some_and(|c| c.result.is_some()) {
                self.first_map_logged = true;
                tracing::info!(
                    "first map with data {:.0} ms after start",
                    self.options.started.elapsed().as_secs_f64() * 1000.0
                );
            }
        }
        // Paint egui to the window (and to a texture for screenshots).
        let hooks = self.options.hooks();
        let ready = self.ready();
        let hook_done = hooks.is_some_and(|n| ready && self.ready_frames + 1 >= n);
        let shot = if hook_done {
            self.options.screenshot.clone()
        } else {
            self.screenshot_request.take()
        };
        let Some(gfx) = self.gfx.as_mut() else { return };
        let t_map = now.elapsed();
        let painted = paint(
            gfx,
            &self.ctx,
            output.shapes,
            output.textures_delta,
            output.pixels_per_point,
            shot.as_deref(),
        );
        tracing::debug!(
            ui_ms = t_ui.as_secs_f64() * 1000.0,
            map_ms = (t_map - t_ui).as_secs_f64() * 1000.0,
            paint_ms = (now.elapsed() - t_map).as_secs_f64() * 1000.0,
            map_drawn,
            "frame"
        );
        match painted {
            Ok(Painted::Presented) => {
                self.frames += 1;
                if !self.first_frame_logged {
                    self.first_frame_logged = true;
                    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                    tracing::info!(
                        "first frame presented {:.0} ms after start (event loop up at {:.0} ms, \
                         window and GPU {:.0} ms, the frame itself {:.0} ms)",
                        ms(self.options.started.elapsed()),
                        ms(self.startup.0),
                        ms(self.startup.1),
                        ms(now.elapsed()),
                    );
                }
                if let Some(path) = &shot {
                    let msg = format!("Saved {}", path.display());
                    tracing::info!("{msg}");
                    if let Some(ctl) = self.ctl.as_mut() {
                        ctl.set_status(msg);
                    }
                }
                if ready && hooks.is_some() {
                    self.ready_frames += 1;
                }
            }
            Ok(Painted::Skipped) => {
                if let Some(p) = shot
                    && !hook_done
                {
                    self.screenshot_request = Some(p);
                }
                // Minimised or occluded: try again shortly, without spinning.
                self.egui_deadline = Some(Instant::now() + Duration::from_millis(100));
                return;
            }
            Err(e) => {
                if hook_done {
                    self.fail(event_loop, e);
                    return;
                }
                tracing::error!("{e}");
                if let Some(ctl) = self.ctl.as_mut() {
                    ctl.set_status(format!("{e}"));
                }
            }
        }
        if hook_done {
            if let Some(e) = self.load_error.clone() {
                self.fail(
                    event_loop,
                    ConsoleError::Lake {
                        path: self.options.lake.clone(),
                        detail: e,
                    },
                );
                return;
            }
            tracing::info!(frames = self.frames, "test hook: exiting");
            self.exit(event_loop);
            return;
        }
        // What wakes the next frame.
        let repaint = output
            .viewport_output
            .get(&ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        if repaint.is_zero() || flying || had_actions || (hooks.is_some() && ready) {
            self.request_redraw();
        } else if repaint < Duration::from_secs(3600) {
            self.egui_deadline = Some(Instant::now() + repaint);
        }
        if self.ctl.as_ref().is_some_and(|c| c.status().is_some()) {
            let t = Instant::now() + Duration::from_millis(500);
            self.egui_deadline = Some(self.egui_deadline.map_or(t, |d| d.min(t)));
        }
    }

    fn exit(&mut self, event_loop: &ActiveEventLoop) {
        if let (Some(ctl), Some(g)) = (self.ctl.as_mut(), self.gfx.as_ref())
            && g.window.fullscreen().is_none()
            && self.options.size.is_none()
        {
            let size = g
                .window
                .inner_size()
                .to_logical::<f64>(g.window.scale_factor());
            ctl.settings.window_size = (size.width.round() as u32, size.height.round() as u32);
        }
        if let Some(ctl) = self.ctl.as_mut() {
            ctl.save_settings();
        }
        event_loop.exit();
    }
}

/// What the window shows before the lake is loaded (or when it cannot be).
fn loading_screen(root: &mut egui::Ui, error: Option<&str>, lake: &str) {
    egui::CentralPanel::default().show(root, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.38);
            ui.heading("Hotspot");
            match error {
                None => {
                    ui.label("Loading the lake…");
                    ui.label(egui::RichText::new(lake).weak().small());
                }
                Some(e) => {
                    ui.label(
                        egui::RichText::new(format!("Cannot load the lake at {lake}"))
                            .color(egui::Color32::from_rgb(0xef, 0x62, 0x48)),
                    );
                    ui.label(e);
                }
            }
        });
    });
}

/// Renders the map into its texture if it changed or was resized; returns whether it drew.
fn render_map(gfx: &mut Gfx, size: Option<(u32, u32)>) -> Result<bool, ConsoleError> {
    let Some((w, h)) = size else { return Ok(false) };
    let max = gfx.device.limits().max_texture_dimension_2d;
    let (w, h) = (w.clamp(1, max), h.clamp(1, max));
    let resized = gfx.target.as_ref().is_none_or(|t| t.size != (w, h));
    if resized {
        let extent = wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        };
        let texture = gfx.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("hotspot map"),
            size: extent,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: MAP_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let msaa_view = (gfx.msaa > 1).then(|| {
            gfx.device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some("hotspot map msaa"),
                    size: extent,
                    mip_level_count: 1,
                    sample_count: gfx.msaa,
                    dimension: wgpu::TextureDimension::D2,
                    format: MAP_FORMAT,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        });
        let filter = if std::env::var_os("HOTSPOT_DEBUG_LINEAR").is_some() {
            wgpu::FilterMode::Linear
        } else {
            wgpu::FilterMode::Nearest
        };
        match gfx.texture_id {
            Some(id) => gfx.egui_renderer.update_egui_texture_from_wgpu_texture(
                &gfx.device,
                &view,
                filter,
                id,
            ),
            None => {
                gfx.texture_id = Some(gfx.egui_renderer.register_native_texture(
                    &gfx.device,
                    &view,
                    filter,
                ))
            }
        }
        gfx.target = Some(MapTarget {
            size: (w, h),
            _texture: texture,
            view,
            msaa_view,
        });
        gfx.map.request_redraw();
    }
    if !gfx.map.needs_redraw() {
        return Ok(false);
    }
    let Some(t) = gfx.target.as_ref() else {
        return Ok(false);
    };
    let mut encoder = gfx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("hotspot map"),
        });
    match &t.msaa_view {
        Some(msaa) => gfx.map.render(&mut encoder, msaa, Some(&t.view)),
        None => gfx.map.render(&mut encoder, &t.view, None),
    }
    gfx.queue.submit([encoder.finish()]);
    Ok(true)
}

enum Painted {
    Presented,
    /// The surface was not available (resized, occluded); try again.
    Skipped,
}

/// Paints the egui output to the window; with `screenshot`, also into a texture that is read
/// back and saved as PNG at the window's native resolution.
fn paint(
    gfx: &mut Gfx,
    ctx: &egui::Context,
    shapes: Vec<egui::epaint::ClippedShape>,
    textures: egui::TexturesDelta,
    pixels_per_point: f32,
    screenshot: Option<&Path>,
) -> Result<Painted, ConsoleError> {
    for (id, deltas) in &textures.set {
        for delta in deltas {
            gfx.egui_renderer
                .update_texture(&gfx.device, &gfx.queue, *id, delta);
        }
    }
    let t0 = Instant::now();
    let prims = ctx.tessellate(shapes, pixels_per_point);
    let t_tess = t0.elapsed();
    let (w, h) = (gfx.config.width, gfx.config.height);
    let screen = egui_wgpu::ScreenDescriptor {
        size_in_pixels: [w, h],
        pixels_per_point,
    };
    let frame = match gfx.surface.get_current_texture() {
        wgpu::CurrentSurfaceTexture::Success(f) => f,
        wgpu::CurrentSurfaceTexture::Suboptimal(f) => {
            gfx.surface.configure(&gfx.device, &gfx.config);
            f
        }
        wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
            free_textures(gfx, textures);
            return Ok(Painted::Skipped);
        }
        wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
            let size = gfx.window.inner_size();
            if size.width > 0 && size.height > 0 {
                gfx.config.width = size.width;
                gfx.config.height = size.height;
                gfx.surface.configure(&gfx.device, &gfx.config);
            }
            free_textures(gfx, textures);
            return Ok(Painted::Skipped);
        }
        wgpu::CurrentSurfaceTexture::Validation => {
            free_textures(gfx, textures);
            return Err(ConsoleError::Surface(
                "the surface texture failed validation".into(),
            ));
        }
    };
    let t_acquire = t0.elapsed();
    let view = frame
        .texture
        .create_view(&wgpu::TextureViewDescriptor::default());
    let mut encoder = gfx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("hotspot egui"),
        });
    let mut buffers =
        gfx.egui_renderer
            .update_buffers(&gfx.device, &gfx.queue, &mut encoder, &prims, &screen);
    let clear = {
        let c = ctx.global_style().visuals.panel_fill;
        let f = |v: u8| f64::from(v) / 255.0;
        wgpu::Color {
            r: f(c.r()),
            g: f(c.g()),
            b: f(c.b()),
            a: 1.0,
        }
    };
    let pass_into = |encoder: &mut wgpu::CommandEncoder,
                     target: &wgpu::TextureView,
                     renderer: &egui_wgpu::Renderer| {
        let mut pass = encoder
            .begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("hotspot egui"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(clear),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            })
            .forget_lifetime();
        renderer.render(&mut pass, &prims, &screen);
    };
    pass_into(&mut encoder, &view, &gfx.egui_renderer);
    let capture = screenshot.map(|_| {
        let texture = gfx.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("hotspot screenshot"),
            size: wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: gfx.config.format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let tview = texture.create_view(&wgpu::TextureViewDescriptor::default());
        pass_into(&mut encoder, &tview, &gfx.egui_renderer);
        let padded_row = (w * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let buffer = gfx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hotspot screenshot readback"),
            size: u64::from(padded_row) * u64::from(h),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row),
                    rows_per_image: None,
                },
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        (texture, buffer, padded_row)
    });
    buffers.push(encoder.finish());
    let t_record = t0.elapsed();
    let index = gfx.queue.submit(buffers);
    if std::env::var_os("HOTSPOT_DEBUG_WAIT").is_some() {
        let _ = gfx.device.poll(wgpu::PollType::wait_indefinitely());
    }
    let t_submit = t0.elapsed();
    gfx.window.pre_present_notify();
    gfx.queue.present(frame);
    tracing::debug!(
        tess = t_tess.as_secs_f64() * 1000.0,
        acquire = (t_acquire - t_tess).as_secs_f64() * 1000.0,
        record = (t_record - t_acquire).as_secs_f64() * 1000.0,
        submit = (t_submit - t_record).as_secs_f64() * 1000.0,
        present = (t0.elapsed() - t_submit).as_secs_f64() * 1000.0,
        prims = prims.len(),
        "paint"
    );
    free_textures(gfx, textures);
    if let (Some(path), Some((_texture, buffer, padded_row))) = (screenshot, capture) {
        let image = read_back(gfx, &buffer, index, w, h, padded_row)?;
        image.save_png(path)?;
    }
    Ok(Painted::Presented)
}

/// Frees what egui no longer uses (after painting); the delta is consumed.
fn free_textures(gfx: &mut Gfx, mut textures: egui::TexturesDelta) {
    textures.set.clear();
    for id in textures.free.drain() {
        gfx.egui_renderer.free_texture(&id);
    }
}

fn read_back(
    gfx: &Gfx,
    buffer: &wgpu::Buffer,
    index: wgpu::SubmissionIndex,
    w: u32,
    h: u32,
    padded_row: u32,
) -> Result<Image, ConsoleError> {
    let gpu = |e: String| ConsoleError::Render(RenderError::Gpu(e));
    let slice = buffer.slice(..);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    gfx.device
        .poll(wgpu::PollType::Wait {
            submission_index: Some(index),
            timeout: Some(Duration::from_secs(60)),
        })
        .map_err(|e| gpu(e.to_string()))?;
    rx.recv()
        .map_err(|e| gpu(e.to_string()))?
        .map_err(|e| gpu(e.to_string()))?;
    let bgra = matches!(
        gfx.config.format,
        wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
    );
    let mut rgba = Vec::with_capacity(w as usize * h as usize * 4);
    {
        let data = slice.get_mapped_range().map_err(|e| gpu(e.to_string()))?;
        for row in data.chunks_exact(padded_row as usize).take(h as usize) {
            for p in row[..w as usize * 4].chunks_exact(4) {
                if bgra {
                    rgba.extend_from_slice(&[p[2], p[1], p[0], 255]);
                } else {
                    rgba.extend_from_slice(&[p[0], p[1], p[2], 255]);
                }
            }
        }
    }
    buffer.unmap();
    Ok(Image {
        width: w,
        height: h,
        rgba,
    })
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
            let gfx = self.init_gfx(event_loop);
            self.startup.1 = t.elapsed();
            match gfx {
                Ok(g) => self.gfx = Some(g),
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
                    }
                    Err(e) => tracing::error!("r{res} geometry: {e}"),
                }
            }
            UserEvent::Context(ctx) => {
                self.context_state = ContextState::Done;
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
                if size.width > 0 && size.height > 0 {
                    gfx.config.width = size.width;
                    gfx.config.height = size.height;
                    gfx.surface.configure(&gfx.device, &gfx.config);
                }
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
        assert!(is_percent(Metric::SmoothedRate) && !is_percent(Metric::Arrests));
    }
}
