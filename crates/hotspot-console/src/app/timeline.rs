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
