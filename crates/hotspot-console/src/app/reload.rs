//! A live lake: the console watches the lake's `CURRENT` pointer and, when a build or fetch
//! has committed a new generation, opens it off the UI thread and switches to it in one step
//! — never a half-built state, since a generation is only named once it is complete. A
//! reload that fails keeps the last good data on screen with a status line, and is retried.
//! On the wall a lake that cannot be loaded at start is retried too, instead of ending.

use std::time::{Duration, Instant};

use super::{App, loader};
use crate::worker::QueryWorker;

/// How often the lake's pointer is read (a few bytes).
pub(super) const LAKE_POLL: Duration = Duration::from_secs(2);
/// How long the wall waits before trying a lake that could not be loaded again.
pub(super) const LOAD_RETRY: Duration = Duration::from_secs(10);

impl App {
    /// Reads the lake's pointer; starts a reload when it names a generation the engine does
    /// not hold.
    pub(super) fn poll_lake(&mut self, now: Instant) {
        if now < self.next_lake_poll {
            return;
        }
        self.next_lake_poll = now + LAKE_POLL;
        // The wall retries a lake it could not open.
        if self.ctl.is_none() {
            if self.options.wall
                && self.load_error.is_some()
                && self.retry_load_at.is_some_and(|t| now >= t)
            {
                tracing::info!("retrying the lake at {}", self.options.lake.display());
                self.retry_load_at = None;
                self.loading_started = false;
                self.start_loading();
            }
            return;
        }
        let Some(ctl) = &self.ctl else { return };
        if self.reloading {
            return;
        }
        let root = self.options.lake.clone();
        let seen = self.seen_generation.or(ctl.engine.generation());
        match hotspot_core::lake::snapshot::current_generation(&root) {
            Ok(Some(g)) if Some(g) != seen && !self.gold_changed(g) => {
                // An ingest alone (Bronze) commits a generation too: Gold, all the console
                // reads, is the same, so there is nothing to switch to.
                tracing::info!(
                    generation = g,
                    "the lake has a new generation without a new build"
                );
                self.seen_generation = Some(g);
            }
            Ok(Some(g)) if Some(g) != seen => {
                if self.failed_generation == Some(g) && self.retry_load_at.is_some_and(|t| now < t)
                {
                    return;
                }
                tracing::info!(
                    from = ?ctl.engine.generation(),
                    to = g,
                    "the lake has a new generation: loading it"
                );
                self.reloading = true;
                self.reload_started = Some(now);
                if let Err(e) = loader::reload(root, g, self.proxy.clone()) {
                    tracing::warn!("{e}");
                    self.reloading = false;
                }
            }
            Ok(_) => {
                if self
                    .lake_trouble
                    .as_deref()
                    .is_some_and(|t| t.starts_with("The lake's pointer"))
                {
                    self.lake_trouble = None;
                }
            }
            Err(e) => {
                self.lake_trouble = Some(format!(
                    "The lake's pointer cannot be read ({e}): showing the data loaded before"
                ));
            }
        }
    }

    /// Whether generation `g` holds another build than the one on screen (an unreadable
    /// manifest counts as changed: the reload will say what is wrong).
    fn gold_changed(&self, g: u64) -> bool {
        let Some(ctl) = &self.ctl else { return false };
        let root = &self.options.lake;
        let dir = hotspot_core::lake::snapshot::generation_dir(root, g);
        match hotspot_core::Lake::pinned(root, &dir).read_manifest() {
            Ok(m) => m.build.map(|b| b.built_at).as_deref() != ctl.engine.built_at(),
            Err(_) => true,
        }
    }

    /// A new generation was opened (or could not be).
    pub(super) fn on_reloaded(
        &mut self,
        wanted: u64,
        result: Result<hotspot_scope::Engine, String>,
    ) {
        self.reloading = false;
        let engine = match result {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(generation = wanted, "lake update not shown: {e}");
                self.failed_generation = Some(wanted);
                self.retry_load_at = Some(Instant::now() + LOAD_RETRY);
                self.lake_trouble = Some(format!(
                    "Lake update not shown ({e}); showing the data loaded before, retrying"
                ));
                return;
            }
        };
        let Some(ctl) = self.ctl.as_mut() else { return };
        if engine.generation() == ctl.engine.generation() {
            return;
        }
        let before = ctl.engine.generation();
        let took = self
            .reload_started
            .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
        let proxy = self.proxy.clone();
        self.worker = Some(QueryWorker::start(engine.clone(), move || {
            let _ = proxy.send_event(super::UserEvent::QueryDone);
        }));
        let effects = ctl.replace_engine(engine);
        tracing::info!(
            from = ?before,
            to = ?ctl.engine.generation(),
            data_through = %ctl.engine.date_range().1,
            "lake reloaded in {took:.0} ms"
        );
        self.failed_generation = None;
        self.seen_generation = ctl.engine.generation();
        self.lake_trouble = None;
        self.shown_generation_logged = false;
        for e in effects {
            self.effect(e);
        }
        // New cells get geometry: rebuild the resolutions whose coverage changed.
        self.refresh_geometry();
        // On the wall the current view follows the new data (its relative period moves).
        if self.options.wall && !self.alert_holds_wall() {
            self.reapply_playlist_view();
        }
        // The new data may fire alerts.
        self.next_alert_check = Instant::now();
        self.requery = true;
        self.submit_query();
        self.request_redraw();
    }

    /// Rebuilds the geometry of every resolution on the map whose coverage the new lake
    /// changed (the old one stays drawn until the new one is ready).
    fn refresh_geometry(&mut self) {
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_ref()) else {
            return;
        };
        let stale: Vec<u8> = (6..=10)
            .filter(|&res| {
                gfx.map
                    .geometry(res)
                    .is_some_and(|g| ctl.engine.coverage(res).is_ok_and(|c| c != g.cells()))
            })
            .collect();
        for res in stale {
            self.building.remove(&res);
            self.request_geometry(res);
        }
    }

    /// Logs, once per generation, when the map first shows it (the lag from a build landing
    /// to the wall showing it).
    pub(super) fn log_shown_generation(&mut self) {
        if self.shown_generation_logged {
            return;
        }
        let Some(ctl) = &self.ctl else { return };
        if ctl.result.is_none() || self.awaiting.is_some() {
            return;
        }
        self.shown_generation_logged = true;
        tracing::info!(
            generation = ?ctl.engine.generation(),
            data_through = %ctl.engine.date_range().1,
            "map shows lake generation"
        );
    }
}
