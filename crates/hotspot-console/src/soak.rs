//! The wall under load for a long time, headless: what `hotspot bench wall` runs.
//!
//! It drives the wall's own code — the [`Controller`], the wall layout of [`ConsoleUi`], the
//! shared present path, the map renderer and egui painted through [`EguiPass`] — into an
//! offscreen target at the wall's size, as fast as a wall redraws (a frame rate set by
//! [`SoakOptions::fps`]). The playlist turns (faster than on a real wall), the lake is
//! reopened and switched to as a refresh would, and alerts are injected and held, then
//! released. Every [`SoakOptions::window`] it reports the frame times of the window just past
//! to a callback (which also measures memory), so a curve over half an hour shows whether
//! anything grows.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hotspot_present::EguiPass;
use hotspot_render::{
    AdapterPreference, CellGeometry, Headless, HeadlessOptions, OffscreenTarget, RenderError,
};
use hotspot_scope::Engine;
use hotspot_script::ScriptHost;

use crate::alerts::{AlertDesk, AuditLog, Transition};
use crate::controller::Controller;
use crate::state::Settings;
use crate::ui::wall::{WallScale, WallScreen, WallStatus};
use crate::ui::{ConsoleUi, MapInput, apply_style, install_fonts};

/// How the soak runs.
#[derive(Clone, Debug)]
pub struct SoakOptions {
    pub lake: PathBuf,
    pub scripts: PathBuf,
    /// How long to run.
    pub duration: Duration,
    /// The wall's size in pixels.
    pub size: (u32, u32),
    /// Frames drawn a second (a wall redraws for its clock, a blinking alert, a new view).
    pub fps: f32,
    /// Seconds each playlist view shows.
    pub view_seconds: u32,
    /// How often the lake is reopened and switched to, as after a refresh.
    pub refresh_every: Duration,
    /// How often an alert is injected (held for `alert_hold`, then released).
    pub alert_every: Duration,
    pub alert_hold: Duration,
    /// The reporting window.
    pub window: Duration,
    /// Save the last frame here (PNG), to look at what was drawn.
    pub last_frame: Option<PathBuf>,
}

/// One reporting window.
#[derive(Clone, Debug, PartialEq)]
pub struct SoakWindow {
    /// Seconds since the start, at the window's end.
    pub at_s: f64,
    pub frames: usize,
    /// Frame times (UI, map, egui, GPU finished), in milliseconds.
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Queries answered in the window and their slowest time.
    pub queries: usize,
    pub query_max_ms: f64,
    /// Totals so far.
    pub views: usize,
    pub refreshes: usize,
    pub alerts: usize,
}

/// Why the soak stopped.
#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    #[error("cannot open the lake: {0}")]
    Lake(String),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("the wall's playlist is empty: add views to scripts/playlist.rhai")]
    NoPlaylist,
}

/// The `q`-quantile of sorted `v` (nearest rank).
fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    v[i.min(v.len() - 1)]
}

impl SoakWindow {
    fn of(at_s: f64, mut frames: Vec<f64>, queries: &[f64], totals: (usize, usize, usize)) -> Self {
        frames.sort_by(f64::total_cmp);
        SoakWindow {
            at_s,
            frames: frames.len(),
            p50_ms: quantile(&frames, 0.5),
            p95_ms: quantile(&frames, 0.95),
            p99_ms: quantile(&frames, 0.99),
            max_ms: frames.last().copied().unwrap_or(0.0),
            queries: queries.len(),
            query_max_ms: queries.iter().copied().fold(0.0, f64::max),
            views: totals.0,
            refreshes: totals.1,
            alerts: totals.2,
        }
    }
}

/// The map's geometry per resolution, built once per coverage.
struct Geometry {
    built: HashMap<u8, Arc<CellGeometry>>,
}

impl Geometry {
    fn ensure(
        &mut self,
        headless: &mut Headless,
        engine: &Engine,
        res: u8,
    ) -> Result<(), SoakError> {
        let cells = engine
            .coverage(res)
            .map_err(|e| SoakError::Lake(e.to_string()))?;
        let fresh = self.built.get(&res).is_some_and(|g| g.cells() == cells);
        if !fresh {
            let g = Arc::new(CellGeometry::build(res, cells)?);
            headless.map.set_geometry(g.clone());
            self.built.insert(res, g);
        }
        Ok(())
    }
}

/// Runs the soak; `report` gets each window as it closes. Returns every window.
pub fn run(
    options: &SoakOptions,
    mut report: impl FnMut(&SoakWindow),
) -> Result<Vec<SoakWindow>, SoakError> {
    let lake = hotspot_core::Lake::new(&options.lake);
    let open = || Engine::open(&lake).map_err(|e| SoakError::Lake(e.to_string()));
    let engine = open()?;
    let scripts = ScriptHost::open(&options.scripts);
    let playlist = scripts.playlist();
    if playlist.is_empty() {
        return Err(SoakError::NoPlaylist);
    }
    let mut ctl = Controller::new(engine, scripts, Settings::default(), None);
    let mut headless = Headless::new(HeadlessOptions {
        msaa: 1,
        adapter: AdapterPreference::Hardware,
    })?;
    let (w, h) = options.size;
    let format = hotspot_render::headless::FORMAT;
    let mut egui_pass = EguiPass::new(&headless.gpu.device, format, false);
    let mut target =
        OffscreenTarget::new(&headless.gpu, w, h, format, 1, wgpu::TextureUsages::empty())?;
    let mut map_target: Option<OffscreenTarget> = None;
    let mut map_texture: Option<egui::TextureId> = None;
    let ctx = egui::Context::default();
    install_fonts(&ctx);
    apply_style(&ctx, &ctl.settings, true);
    // The district and area outlines, as the wall draws them.
    match hotspot_present::context_layers(&ctl.engine) {
        Ok(c) => headless.map.set_context(c)?,
        Err(e) => tracing::warn!("context layers: {e}"),
    }
    let mut ui = ConsoleUi::default();
    let mut geometry = Geometry {
        built: HashMap::new(),
    };
    let mut desk = AlertDesk::default();
    let mut log = AuditLog::open(None).map_err(|e| SoakError::Lake(e.to_string()))?;

    let start = Instant::now();
    let frame_every = Duration::from_secs_f64(1.0 / f64::from(options.fps.clamp(0.5, 240.0)));
    let (mut views, mut refreshes, mut alerts) = (0usize, 0usize, 0usize);
    let mut pos = 0usize;
    let mut next_view = start;
    let mut next_refresh = start + options.refresh_every;
    let mut next_alert = start + options.alert_every;
    let mut window_end = start + options.window;
    let (mut frame_ms, mut query_ms) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    let mut map_size = (0u32, 0u32);
    let mut shown: Option<(hotspot_scope::Scope, usize)> = None;
    let mut fit_pending = true;
    let mut next_frame = start;
    let mut legend: Option<hotspot_present::Legend> = None;
    let mut alert_serial = 0u64;
    while start.elapsed() < options.duration {
        let now = Instant::now();
        // The playlist, the refreshes and the alerts.
        if desk.active().is_none() && now >= next_view {
            let (name, _) = &playlist[pos % playlist.len()];
            pos += 1;
            ctl.apply_view(name);
            views += 1;
            fit_pending = true;
            next_view = now + Duration::from_secs(u64::from(options.view_seconds.max(1)));
        }
        if now >= next_refresh {
            let engine = open()?;
            ctl.replace_engine(engine);
            refreshes += 1;
            next_refresh = now + options.refresh_every;
        }
        if now >= next_alert {
            // A surge at the busiest cell of what is on screen, as a rule would report it.
            if let Some(r) = ctl.result.as_ref()
                && let Some(b) = &r.kpis.busiest
            {
                alert_serial += 1;
                let a = hotspot_scope::alerts::Alert {
                    rule: format!("soak-{alert_serial}"),
                    kind: "surge",
                    cell: b.cell,
                    res: r.scope.res,
                    place: b.label.clone(),
                    block: None,
                    from: r.from,
                    to: r.to,
                    observed: u64::from(b.value),
                    expected: 1.0,
                    bound: 5,
                    p: 1e-9,
                    why: "injected by the soak".into(),
                    hold_s: options.alert_hold.as_secs().max(1) as u32,
                };
                desk.offer(vec![a], &mut log, chrono::Local::now());
            }
            next_alert = now + options.alert_every;
        }
        match desk.tick(now) {
            Some(Transition::Start(a)) => {
                ctl.apply_alert_view(&a);
                alerts += 1;
                fit_pending = true;
            }
            Some(Transition::End) => next_view = now,
            None => {}
        }
        // Answer the scope when the view changed (the window does this on its worker).
        let wanted = (ctl.view.scope(0), refreshes);
        if shown.as_ref() != Some(&wanted) {
            let t = Instant::now();
            ctl.query_now();
            query_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            shown = Some(wanted);
            if let Some(r) = ctl.result.clone() {
                geometry.ensure(&mut headless, &ctl.engine, r.scope.res)?;
                let shown = hotspot_present::present(
                    &mut headless.map,
                    &r,
                    ctl.view.effective_metric(),
                    &ctl.palette(),
                    ctl.highlight(),
                )?;
                legend = Some(shown.legend);
            }
        }

        // One frame: the overlay (laying out the map panel), the map, egui over it.
        let t = Instant::now();
        let raw = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(w as f32, h as f32),
            )),
            ..Default::default()
        };
        let errors = ctl.errors();
        let status = WallStatus {
            now: chrono::Local::now(),
            data_through: ctl.engine.date_range().1,
            built: None,
            next_view_in: desk
                .active()
                .is_none()
                .then(|| next_view.saturating_duration_since(now)),
        };
        let mut input = ctl.ui_input(
            &errors,
            MapInput {
                texture: map_texture,
                theme: Some(headless.map.theme()),
                labels: headless.map.labels(),
                legend: legend.clone(),
                ..MapInput::default()
            },
            false,
            true,
        );
        input.wall_screen = Some(WallScreen {
            status: Some(status),
            scale: WallScale::default(),
            alert: desk.active().map(|(a, until)| {
                crate::alerts::card(a, until.saturating_duration_since(now).as_secs())
            }),
            trouble: None,
        });
        input.alerts = desk.recent();
        let mut actions = Vec::new();
        let output = ctx.run_ui(raw, |root| actions = ui.show(root, &input));
        let t_ui = t.elapsed();
        for a in actions {
            if let crate::ui::Action::MapResized(mw, mh) = a {
                map_size = (mw, mh);
            }
        }
        if map_size.0 > 0 && map_target.as_ref().is_none_or(|t| t.size() != map_size) {
            let t = OffscreenTarget::new(
                &headless.gpu,
                map_size.0,
                map_size.1,
                format,
                headless.map.sample_count(),
                wgpu::TextureUsages::TEXTURE_BINDING,
            )?;
            let renderer = egui_pass.renderer_mut();
            match map_texture {
                Some(id) => renderer.update_egui_texture_from_wgpu_texture(
                    &headless.gpu.device,
                    t.view(),
                    wgpu::FilterMode::Nearest,
                    id,
                ),
                None => {
                    map_texture = Some(renderer.register_native_texture(
                        &headless.gpu.device,
                        t.view(),
                        wgpu::FilterMode::Nearest,
                    ))
                }
            }
            headless.map.camera.set_viewport(
                map_size.0,
                map_size.1,
                f64::from(output.pixels_per_point),
            );
            map_target = Some(t);
            fit_pending = true;
        }
        if fit_pending
            && map_target.is_some()
            && let Some(r) = ctl.result.as_ref()
        {
            let cells: &[u64] = r.cells.cell.values();
            headless.map.camera.fit_cells(cells, 24.0);
            fit_pending = false;
        }
        // The blinking alert cell.
        let blink = desk
            .active()
            .filter(|_| (start.elapsed().as_millis() / 500).is_multiple_of(2))
            .map(|(a, _)| a.cell);
        headless.map.set_selected(blink);
        let device = &headless.gpu.device;
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("hotspot soak"),
        });
        if let Some(mt) = &map_target {
            let (view, resolve) = mt.attachment();
            headless.map.render(&mut encoder, view, resolve);
        }
        let t_map = t.elapsed();
        let frame = egui_pass.frame(
            device,
            &headless.gpu.queue,
            &ctx,
            output.shapes,
            output.textures_delta,
            output.pixels_per_point,
            [w, h],
        );
        let mut buffers = egui_pass.upload(device, &headless.gpu.queue, &mut encoder, &frame);
        egui_pass.draw(
            &mut encoder,
            target.view(),
            &frame,
            Some(wgpu::Color::BLACK),
        );
        // The last frames (each overwrites the one before): which frame ends the run depends
        // on how long the frames take.
        let last = start.elapsed() + 2 * frame_every + t.elapsed() >= options.duration;
        let save = options.last_frame.as_ref().filter(|_| last);
        if save.is_some() {
            target.copy_for_readback(&headless.gpu, &mut encoder);
        }
        buffers.push(encoder.finish());
        let t_rec = t.elapsed();
        let index = headless.gpu.queue.submit(buffers);
        headless
            .gpu
            .wait(Some(index.clone()), Duration::from_secs(30))?;
        egui_pass.end(frame);
        tracing::debug!(ui = ?t_ui, map = ?(t_map - t_ui), record = ?(t_rec - t_map), gpu = ?(t.elapsed() - t_rec), "soak frame");
        if let Some(path) = save {
            let mut image = target.read(&headless.gpu, index)?;
            for p in image.rgba.chunks_exact_mut(4) {
                p[3] = 255;
            }
            image.save_png(path)?;
        }
        frame_ms.push(t.elapsed().as_secs_f64() * 1000.0);

        let now = Instant::now();
        if now >= window_end {
            let w = SoakWindow::of(
                start.elapsed().as_secs_f64(),
                std::mem::take(&mut frame_ms),
                &std::mem::take(&mut query_ms),
                (views, refreshes, alerts),
            );
            report(&w);
            out.push(w);
            window_end = now + options.window;
        }
        next_frame += frame_every;
        let now = Instant::now();
        if next_frame > now {
            std::thread::sleep(next_frame - now);
        } else {
            next_frame = now;
        }
    }
    if !frame_ms.is_empty() {
        let w = SoakWindow::of(
            start.elapsed().as_secs_f64(),
            frame_ms,
            &query_ms,
            (views, refreshes, alerts),
        );
        report(&w);
        out.push(w);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 51.0);
        assert_eq!(quantile(&v, 0.95), 95.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
        let w = SoakWindow::of(60.0, vec![3.0, 1.0, 2.0], &[5.0, 7.0], (1, 2, 3));
        assert_eq!((w.frames, w.p50_ms, w.max_ms), (3, 2.0, 3.0));
        assert_eq!((w.queries, w.query_max_ms), (2, 7.0));
        assert_eq!((w.views, w.refreshes, w.alerts), (1, 2, 3));
    }
}
