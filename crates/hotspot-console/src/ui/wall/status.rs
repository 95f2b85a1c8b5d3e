//! How fresh the wall's data is: how far the data goes ("data through 15 Sep 2024", the
//! police publish with a lag of about a week), when the lake was last built, how long the
//! current view stays, and a warning in plain words when the data has gone stale.

use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate};
use egui::RichText;

/// How far behind today the City's data is expected to be (it is published with a lag of
/// about seven days).
pub const PUBLICATION_LAG_DAYS: i64 = 7;
/// How long a lake may go without a build before the wall says so (a daily refresh plus
/// slack).
pub const STALE_BUILD_HOURS: i64 = 26;

/// What the strip shows.
#[derive(Clone, Debug)]
pub struct WallStatus {
    pub now: DateTime<Local>,
    /// The lake's last day with data.
    pub data_through: NaiveDate,
    /// When the lake was last built.
    pub built: Option<DateTime<Local>>,
    /// How long until the playlist's next view.
    pub next_view_in: Option<Duration>,
}

/// Why the data counts as stale, if it does: its last day is more than a day past the
/// publication lag behind today, or the lake has not been built for longer than a daily
/// refresh allows.
pub fn stale_reason(s: &WallStatus) -> Option<String> {
    let today = s.now.date_naive();
    let behind = (today - s.data_through).num_days();
    if behind > PUBLICATION_LAG_DAYS + 1 {
        return Some(format!(
            "STALE DATA: the newest incidents are {behind} days old (expected about {PUBLICATION_LAG_DAYS})"
        ));
    }
    if let Some(built) = s.built {
        let hours = (s.now - built).num_hours();
        if hours > STALE_BUILD_HOURS {
            return Some(format!(
                "STALE DATA: the lake was last refreshed {} ago",
                if hours >= 48 {
                    format!("{} days", hours / 24)
                } else {
                    format!("{hours} hours")
                }
            ));
        }
    }
    None
}

/// The freshness line: how far the data goes, when the lake was built, the next view.
pub(super) fn details(ui: &mut egui::Ui, s: &WallStatus, size: f32) {
    ui.label(
        RichText::new(format!(
            "data through {} (published with a {PUBLICATION_LAG_DAYS}-day lag)",
            s.data_through.format("%-d %b %Y")
        ))
        .size(size),
    );
    if let Some(b) = s.built {
        ui.add_space(size);
        ui.label(RichText::new(format!("refreshed {}", b.format("%-d %b %H:%M"))).size(size));
    }
    if let Some(next) = s.next_view_in {
        ui.add_space(size);
        ui.label(RichText::new(format!("next view in {} s", next.as_secs())).size(size));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn status(now: (i32, u32, u32, u32), data: (i32, u32, u32), built_h_ago: i64) -> WallStatus {
        let now = Local
            .with_ymd_and_hms(now.0, now.1, now.2, now.3, 0, 0)
            .single()
            .expect("time");
        WallStatus {
            now,
            data_through: NaiveDate::from_ymd_opt(data.0, data.1, data.2).expect("date"),
            built: Some(now - chrono::Duration::hours(built_h_ago)),
            next_view_in: None,
        }
    }

    #[test]
    fn stale_when_the_data_or_the_build_is_older_than_a_daily_refresh_allows() {
        // A week behind and built this morning: fresh.
        assert_eq!(
            stale_reason(&status((2024, 9, 22, 12), (2024, 9, 15), 3)),
            None
        );
        // Eight days behind is still within the lag and a day of slack; nine is not.
        assert_eq!(
            stale_reason(&status((2024, 9, 23, 12), (2024, 9, 15), 3)),
            None
        );
        let why = stale_reason(&status((2024, 9, 24, 12), (2024, 9, 15), 3)).expect("stale");
        assert!(why.contains("9 days old"), "{why}");
        // Fresh data but no build for three days.
        let why = stale_reason(&status((2024, 9, 22, 12), (2024, 9, 15), 72)).expect("stale");
        assert!(why.contains("3 days ago"), "{why}");
        let why = stale_reason(&status((2024, 9, 22, 12), (2024, 9, 15), 30)).expect("stale");
        assert!(why.contains("30 hours ago"), "{why}");
    }
}
