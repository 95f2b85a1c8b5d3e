//! The window's side of the time bar: timelines built off the UI thread, put on the map once
//! (every frame resident on the GPU), the playhead moved with the clock each frame, and the
//! fixed colour domain and its legend kept while queries for the current frame come and go.

use std::sync::Arc;

use super::App;
use super::loader::UserEvent;
use crate::timebar::TimelineKey;

impl App {
    /// After the time bar opened, closed or changed: build what it needs, or take it off.
    pub(super) fn timeline_changed(&mut self) {
        let open = self.ctl.as_ref().is_some_and(|c| c.timebar.open);
        if !open {
            if let Some(gfx) = self.gfx.as_mut() {
                gfx.map.clear_timeline();
            }
            self.timeline_shown = None;
            self.show_result();
            return;
        }
        self.poll_timeline();
    }

    /// Starts building the timeline the view needs, if it needs one (called every frame: the
    /// resolution, selection, drill or metric may have changed).
    pub(super) fn poll_timeline(&mut self) {
        let Some(ctl) = self.ctl.as_mut() else { return };
        if !ctl.timebar.open {
            return;
        }
        if let Some(shown) = &self.timeline_shown
            && ctl.timebar.current(shown).is_none()
        {
            // The view moved on from the timeline on the map: plain values until the new one.
            if let Some(gfx) = self.gfx.as_mut() {
                gfx.map.set_timeline_position(None);
            }
        }
        let Some(job) = ctl.timeline_job() else {
            return;
        };
        let (engine, taxonomy, proxy) =
            (ctl.engine.clone(), ctl.taxonomy.clone(), self.proxy.clone());
        let spawned = std::thread::Builder::new()
            .name("hotspot-timeline".into())
            .spawn(move || {
                let t = std::time::Instant::now();
                let result = engine
                    .timeline(&job.scope, &taxonomy, job.key.timeline)
                    .map(Arc::new)
                    .map_err(|e| e.to_string());
                tracing::info!(
                    frames = result.as_ref().map_or(0, |m| m.frames.len()),
                    "timeline built in {:.0} ms",
                    t.elapsed().as_secs_f64() * 1e3
                );
                let _ = proxy.send_event(UserEvent::Timeline(job.id, Box::new(job.key), result));
            });
        if let Err(e) = spawned {
            tracing::warn!("timeline: cannot start a thread: {e}");
        }
    }

    /// A timeline arrived.
    pub(super) fn on_timeline(
        &mut self,
        id: u64,
        key: TimelineKey,
        result: Result<Arc<hotspot_scope::TimelineMatrix>, String>,
    ) {
        let Some(ctl) = self.ctl.as_mut() else { return };
        if !ctl.accept_timeline(id, key, result) {
            return;
        }
        self.present_timeline();
        let effects = self
            .ctl
            .as_mut()
            .map(|c| c.timeline_effects())
            .unwrap_or_default();
        for e in effects {
            self.effect(e);
        }
    }

    /// Uploads the view's timeline to the map (once per timeline).
    pub(super) fn present_timeline(&mut self) {
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        let key = ctl.timeline_key();
        let Some(m) = ctl.timebar.current(&key).cloned() else {
            return;
        };
        if self.timeline_shown.as_ref() == Some(&key) {
            return;
        }
        if gfx.map.geometry(key.res).is_none() {
            // Shown when the geometry arrives.
            self.request_geometry(key.res);
            return;
        }
        match hotspot_present::present_timeline(
            &mut gfx.map,
            &m,
            key.res,
            key.metric,
            &ctl.palette(),
        ) {
            Ok(legend) => {
                self.legend = Some(legend);
                self.timeline_shown = Some(key);
            }
            Err(e) => {
                tracing::warn!("timeline: {e}");
                if let Some(ctl) = self.ctl.as_mut() {
                    ctl.set_status(format!("Cannot play this view: {e}"));
                }
            }
        }
    }

    /// After a query's result went on the map: while the timeline plays, its fixed domain,
    /// legend and position stay.
    pub(super) fn keep_timeline(&mut self) {
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        let key = ctl.timeline_key();
        let Some(m) = ctl.timebar.current(&key).cloned() else {
            return;
        };
        if self.timeline_shown.as_ref() != Some(&key) {
            self.present_timeline();
            return;
        }
        let domain = hotspot_present::timeline_domain(&m, key.metric);
        gfx.map.set_domain(Some(domain));
        gfx.map.set_timeline_position(Some(ctl.timebar.position));
        self.legend = Some(hotspot_present::timeline_legend(
            &m,
            key.metric,
            &ctl.palette(),
            gfx.map.domain(),
            key.res,
        ));
    }

    /// The playhead moved.
    pub(super) fn timeline_position(&mut self, p: f32) {
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        let on_map = self
            .timeline_shown
            .as_ref()
            .is_some_and(|k| *k == ctl.timeline_key());
        gfx.map.set_timeline_position(on_map.then_some(p));
    }

    /// Playback's share of a frame: advance the playhead by `dt`.
    pub(super) fn tick_timeline(&mut self, dt: f64) -> bool {
        let Some(ctl) = self.ctl.as_mut() else {
            return false;
        };
        if !ctl.timebar.playing {
            return false;
        }
        // A long pause between frames (the window was idle) is not a jump through time.
        let effects = ctl.tick(dt.min(0.1));
        for e in effects {
            self.effect(e);
        }
        true
    }
}

/// Frames written so far and in all, shared with the export thread.
#[derive(Default)]
pub(super) struct ExportProgress {
    pub(super) done: std::sync::atomic::AtomicU64,
    pub(super) total: std::sync::atomic::AtomicU64,
}

struct ExportStage(Arc<ExportProgress>);

impl hotspot_core::progress::Stage for ExportStage {
    fn advance(&self, n: u64) {
        self.0
            .done
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }
    fn finish(&self) {}
}

impl hotspot_core::progress::Progress for ExportStage {
    fn stage(&self, _name: &str, total: Option<u64>) -> Box<dyn hotspot_core::progress::Stage> {
        self.0
            .total
            .store(total.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
        Box::new(ExportStage(Arc::clone(&self.0)))
    }
}

/// The export picture's size: the map's own, at most 1920 pixels wide, even sides.
fn export_size(map: (u32, u32)) -> (u32, u32) {
    let (w, h) = (map.0.max(2), map.1.max(2));
    let scale = (1920.0 / f64::from(w)).min(1.0);
    let even = |v: f64| ((v.round() as u32) / 2 * 2).max(2);
    (even(f64::from(w) * scale), even(f64::from(h) * scale))
}

impl App {
    /// Writes the playing timeline as an animated GIF of the current view, off the UI thread
    /// (its own headless GPU), saying how far it got in the status line.
    pub(super) fn export_animation(&mut self) {
        if self.export.is_some() {
            return;
        }
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_ref()) else {
            return;
        };
        let key = ctl.timeline_key();
        let Some(matrix) = ctl.timebar.current(&key).cloned() else {
            return;
        };
        let engine = ctl.engine.clone();
        let palette = ctl.palette();
        let title = ctl
            .result
            .as_ref()
            .map(|r| hotspot_present::captions::title(r))
            .unwrap_or_default();
        let theme = gfx.map.theme();
        let visibility = gfx.map.context_visibility();
        let camera = gfx.map.camera.clone();
        let size = export_size((camera.width, camera.height));
        let tween = if ctl.timebar.frames() <= 60 { 2 } else { 0 };
        let fps = ctl.timebar.speed * (tween + 1) as f32;
        let path = std::path::PathBuf::from(format!(
            "hotspot-animation-{}.gif",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        ));
        let progress = Arc::new(ExportProgress::default());
        self.export = Some(Arc::clone(&progress));
        let proxy = self.proxy.clone();
        let out = path.clone();
        let spawned = std::thread::Builder::new()
            .name("hotspot-export".into())
            .spawn(move || {
                let result = (|| -> Result<usize, String> {
                    let mut view =
                        hotspot_present::HeadlessView::new(hotspot_render::HeadlessOptions {
                            msaa: 4,
                            ..Default::default()
                        })
                        .map_err(|e| e.to_string())?;
                    let map = view.map();
                    let cells = engine.coverage(key.res).map_err(|e| e.to_string())?;
                    map.set_coverage(key.res, cells)
                        .map_err(|e| e.to_string())?;
                    map.set_theme(theme);
                    if let Ok(ctx) = hotspot_present::context_layers(&engine) {
                        map.set_context(ctx).map_err(|e| e.to_string())?;
                    }
                    map.set_context_visibility(visibility);
                    let legend = hotspot_present::present_timeline(
                        map, &matrix, key.res, key.metric, &palette,
                    )
                    .map_err(|e| e.to_string())?;
                    let frame = hotspot_render::FrameSpec {
                        scale_factor: Some(1.0),
                        ..hotspot_render::FrameSpec::new(size.0, size.1)
                    };
                    view.headless.set_frame(&frame);
                    // The window's view, scaled to the picture: the same ground across its width
                    // (the window's zoom counts logical pixels; the picture's are 1:1).
                    let map = view.map();
                    map.camera.center = camera.center;
                    map.camera.zoom = camera.zoom
                        + (f64::from(size.0) / f64::from(camera.width.max(1))).log2()
                        + camera.scale_factor.log2();
                    let overlay = hotspot_present::Overlay {
                        title: Some(title),
                        subtitle: None,
                        legend: Some(legend),
                        labels: true,
                        attribution: None,
                        stamp: None,
                        split: None,
                    };
                    hotspot_present::write_animation(
                        &mut view,
                        &frame,
                        &overlay,
                        &matrix,
                        hotspot_present::AnimationOptions { fps, tween },
                        &out,
                        &ExportStage(progress),
                    )
                    .map_err(|e| e.to_string())
                })();
                let _ = proxy.send_event(UserEvent::Exported(Box::new(result.map(|_| out))));
            });
        if let Err(e) = spawned {
            self.export = None;
            if let Some(ctl) = self.ctl.as_mut() {
                ctl.set_status(format!("Cannot export: {e}"));
            }
        } else {
            tracing::info!(path = %path.display(), "exporting the timeline");
        }
    }

    /// The export's progress, for the status line (called each frame while it runs).
    pub(super) fn export_status(&mut self) {
        let Some(p) = &self.export else { return };
        let done = p.done.load(std::sync::atomic::Ordering::Relaxed);
        let total = p.total.load(std::sync::atomic::Ordering::Relaxed);
        if let Some(ctl) = self.ctl.as_mut() {
            ctl.set_status(if total > 0 {
                format!("Exporting the animation: {done} of {total} frames…")
            } else {
                "Exporting the animation…".to_string()
            });
        }
    }

    /// The export finished.
    pub(super) fn on_exported(&mut self, result: Result<std::path::PathBuf, String>) {
        self.export = None;
        if let Some(ctl) = self.ctl.as_mut() {
            ctl.set_status(match result {
                Ok(path) => format!("Saved {}", path.display()),
                Err(e) => format!("The animation could not be written: {e}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::export_size;

    #[test]
    fn exports_keep_the_maps_shape_within_1920_wide() {
        assert_eq!(export_size((1280, 721)), (1280, 720));
        assert_eq!(export_size((3840, 2160)), (1920, 1080));
        assert_eq!(export_size((0, 0)), (2, 2));
    }
}
