//! The wall's side of the shell: what its screen shows besides the scope (freshness, scale,
//! a firing alert, a problem it is working around).

use std::time::Instant;

use crate::controller::Controller;
use crate::ui::wall::{WallScreen, WallStatus};

use super::App;

impl App {
    /// The wall screen's inputs at `now`.
    pub(super) fn wall_screen(&self, ctl: &Controller, now: Instant) -> WallScreen {
        WallScreen {
            status: Some(WallStatus {
                now: chrono::Local::now(),
                data_through: ctl.engine.date_range().1,
                built: ctl
                    .engine
                    .built_at()
                    .and_then(|b| chrono::DateTime::parse_from_rfc3339(b).ok())
                    .map(|b| b.with_timezone(&chrono::Local)),
                // While an alert holds the wall its card says when the playlist comes back.
                next_view_in: if self.alert_holds_wall() {
                    None
                } else {
                    self.playlist
                        .deadline()
                        .map(|t| t.saturating_duration_since(now))
                },
            }),
            scale: self.options.wall_scale,
            alert: self.alert_card(now),
            trouble: self.lake_trouble.clone().or_else(|| {
                ctl.errors()
                    .first()
                    .map(|e| format!("Script error, the last good version stays: {e}"))
            }),
        }
    }
}
