//! The shell's side of alerts: evaluating the rules off the UI thread every
//! [`super::ConsoleOptions::alert_every`] (and after the lake changes), handing the firings to
//! the [`AlertDesk`], and on the wall, giving an alert the screen — its cell flashing, the
//! camera on it — then the playlist back.

use std::time::{Duration, Instant};

use super::{App, loader};
use crate::alerts::{Transition, card};
use crate::ui::wall::AlertCard;

/// How often the alert cell blinks on the wall.
const FLASH: Duration = Duration::from_millis(500);

impl App {
    /// Starts an evaluation if one is due and none runs.
    pub(super) fn check_alerts(&mut self, now: Instant) {
        let Some(ctl) = &self.ctl else { return };
        if self.alerts_running || now < self.next_alert_check {
            return;
        }
        let rules = ctl.scripts.alert_rules();
        self.next_alert_check = now + self.options.alert_every;
        if rules.is_empty() {
            return;
        }
        self.alerts_running = true;
        if let Err(e) = loader::alerts(
            ctl.engine.clone(),
            rules,
            ctl.taxonomy.clone(),
            self.proxy.clone(),
        ) {
            tracing::warn!("alerts: {e}");
            self.alerts_running = false;
        }
    }

    /// An evaluation finished.
    pub(super) fn on_alerts(&mut self, result: Result<Vec<hotspot_scope::alerts::Alert>, String>) {
        self.alerts_running = false;
        let alerts = match result {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("alert rules: {e}");
                return;
            }
        };
        let Some(log) = self.audit.as_mut() else {
            return;
        };
        let (new, error) = self.desk.offer(alerts, log, chrono::Local::now());
        if let Some(ctl) = self.ctl.as_mut() {
            if let Some(e) = error {
                ctl.set_status(format!("Alert not logged: {e}"));
            } else if new > 0 && !self.options.wall {
                let a = &self.desk.recent()[0].alert;
                ctl.set_status(format!("ALERT {}: {}", a.rule, a.place));
            }
        }
        self.alert_tick(Instant::now());
    }

    /// Starts or ends an alert on the wall; blinks the active one's cell.
    pub(super) fn alert_tick(&mut self, now: Instant) {
        match self.desk.tick(now) {
            Some(Transition::Start(a)) if self.options.wall => {
                tracing::info!(rule = %a.rule, "alert takes the wall");
                if let Some(ctl) = self.ctl.as_mut() {
                    let effects = ctl.apply_alert_view(&a);
                    for e in effects {
                        self.effect(e);
                    }
                }
                self.next_flash = Some(now + FLASH);
                self.flash_on = true;
            }
            Some(Transition::End) if self.options.wall => {
                tracing::info!("alert over: back to the playlist");
                self.next_flash = None;
                if let Some(g) = self.gfx.as_mut() {
                    g.map.set_selected(None);
                }
                self.next_playlist_view();
            }
            _ => {}
        }
        if self.next_flash.is_some_and(|t| now >= t)
            && let Some((a, _)) = self.desk.active()
        {
            self.flash_on = !self.flash_on;
            let cell = a.cell;
            if let Some(g) = self.gfx.as_mut() {
                g.map.set_selected(self.flash_on.then_some(cell));
            }
            self.next_flash = Some(now + FLASH);
            self.request_redraw();
        }
    }

    /// The wall's alert card, while one holds the wall.
    pub(super) fn alert_card(&self, now: Instant) -> Option<AlertCard> {
        if !self.options.wall {
            return None;
        }
        self.desk
            .active()
            .map(|(a, until)| card(a, until.saturating_duration_since(now).as_secs()))
    }

    /// Whether an alert holds the wall (the playlist waits).
    pub(super) fn alert_holds_wall(&self) -> bool {
        self.options.wall && self.desk.active().is_some()
    }
}
