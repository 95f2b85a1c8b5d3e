//! Alerts between the scope engine's rule evaluation and the screen: the audit log that
//! makes each event fire once (across restarts too), and the desk that decides which alert
//! holds the wall, for how long, and when the playlist comes back.
//!
//! The rules and their statistics live in [`hotspot_scope::alerts`]; the app evaluates them
//! off the UI thread and hands the firings to [`AlertDesk::offer`].

use std::collections::{HashSet, VecDeque};
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use hotspot_scope::alerts::Alert;

/// Keys remembered from the audit log (a log longer than this forgets its oldest events,
/// which are weeks old by then).
const MAX_KEYS: usize = 200_000;
/// Alerts kept for the analyst console's list.
const RECENT: usize = 20;
/// Alerts waiting for the wall (the oldest dropped past this, still logged).
const QUEUE: usize = 16;

/// Why the audit log could not be kept.
#[derive(Debug, thiserror::Error)]
#[error("alert audit log {}: {source}", path.display())]
pub struct AuditError {
    pub path: PathBuf,
    source: std::io::Error,
}

/// The append-only audit log (JSON lines): one line per alert fired, with when, its key and
/// every figure. Its keys are what "already fired" means.
#[derive(Debug)]
pub struct AuditLog {
    path: Option<PathBuf>,
    fired: HashSet<String>,
}

/// One line of the log.
#[derive(serde::Serialize)]
struct Line<'a> {
    at: String,
    key: String,
    #[serde(flatten)]
    alert: &'a Alert,
}

impl AuditLog {
    /// The log at `path` (created on the first alert), remembering the keys already in it;
    /// `None` keeps no file (tests, `--no-alert-log`). Unreadable lines are skipped.
    pub fn open(path: Option<PathBuf>) -> Result<AuditLog, AuditError> {
        let mut fired = HashSet::new();
        if let Some(p) = &path
            && p.exists()
        {
            let f = std::fs::File::open(p).map_err(|source| AuditError {
                path: p.clone(),
                source,
            })?;
            for line in BufReader::new(f).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && let Some(k) = v.get("key").and_then(|k| k.as_str())
                {
                    if fired.len() >= MAX_KEYS {
                        fired.clear();
                    }
                    fired.insert(k.to_string());
                }
            }
        }
        Ok(AuditLog { path, fired })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether the event has fired before.
    pub fn has_fired(&self, alert: &Alert) -> bool {
        self.fired.contains(&alert.key())
    }

    /// Records a firing: appends its line (flushed) and remembers its key. `Ok(false)` when it
    /// had fired already (nothing written).
    pub fn record(&mut self, alert: &Alert, at: DateTime<Local>) -> Result<bool, AuditError> {
        let key = alert.key();
        if self.fired.contains(&key) {
            return Ok(false);
        }
        if let Some(p) = &self.path {
            let err = |source| AuditError {
                path: p.clone(),
                source,
            };
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(err)?;
            }
            let line = serde_json::to_string(&Line {
                at: at.to_rfc3339(),
                key: key.clone(),
                alert,
            })
            .map_err(|e| err(std::io::Error::other(e)))?;
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(err)?;
            writeln!(f, "{line}").map_err(err)?;
            f.sync_data().map_err(err)?;
        }
        if self.fired.len() >= MAX_KEYS {
            self.fired.clear();
        }
        self.fired.insert(key);
        Ok(true)
    }
}

/// An alert as it fired.
#[derive(Clone, Debug, PartialEq)]
pub struct Fired {
    pub at: DateTime<Local>,
    pub alert: Alert,
}

/// What changed on the wall.
#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    /// This alert takes the wall now.
    Start(Alert),
    /// The alert's hold is over: back to the playlist.
    End,
}

/// Which alert holds the wall and which wait.
#[derive(Debug, Default)]
pub struct AlertDesk {
    queue: VecDeque<Alert>,
    active: Option<(Alert, Instant)>,
    recent: Vec<Fired>,
}

impl AlertDesk {
    /// Takes an evaluation's firings: the ones never fired before are logged, listed and
    /// queued for the wall; returns how many were new. A log that cannot be written still
    /// lets the alert show (the error is returned after).
    pub fn offer(
        &mut self,
        alerts: Vec<Alert>,
        log: &mut AuditLog,
        at: DateTime<Local>,
    ) -> (usize, Option<AuditError>) {
        let mut new = 0;
        let mut error = None;
        for a in alerts {
            if log.has_fired(&a) {
                continue;
            }
            match log.record(&a, at) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(e) => {
                    tracing::error!("{e}");
                    error = Some(e);
                    // Remember it in memory at least, so it does not fire every minute.
                    log.fired.insert(a.key());
                }
            }
            tracing::warn!(rule = %a.rule, cell = %format!("{:015x}", a.cell), "alert: {}", a.why);
            new += 1;
            self.recent.insert(
                0,
                Fired {
                    at,
                    alert: a.clone(),
                },
            );
            self.recent.truncate(RECENT);
            if self.queue.len() >= QUEUE {
                self.queue.pop_front();
            }
            self.queue.push_back(a);
        }
        (new, error)
    }

    /// Moves on at `now`: ends an alert whose hold is over, starts the next waiting one.
    pub fn tick(&mut self, now: Instant) -> Option<Transition> {
        if let Some((_, until)) = &self.active {
            if now < *until {
                return None;
            }
            self.active = None;
            if self.queue.is_empty() {
                return Some(Transition::End);
            }
        }
        let next = self.queue.pop_front()?;
        let hold = Duration::from_secs(u64::from(next.hold_s.max(1)));
        self.active = Some((next.clone(), now + hold));
        Some(Transition::Start(next))
    }

    /// The alert holding the wall and when its hold ends.
    pub fn active(&self) -> Option<(&Alert, Instant)> {
        self.active.as_ref().map(|(a, t)| (a, *t))
    }

    /// When [`AlertDesk::tick`] next has something to do.
    pub fn deadline(&self) -> Option<Instant> {
        self.active.as_ref().map(|(_, t)| *t)
    }

    /// The latest firings, newest first (the analyst console lists them).
    pub fn recent(&self) -> &[Fired] {
        &self.recent
    }
}

/// The alert as the wall's card shows it.
pub fn card(a: &Alert, seconds_left: u64) -> crate::ui::wall::AlertCard {
    let title = match a.kind {
        "surge" => {
            let days = (a.to - a.from).num_days() + 1;
            if days == 1 {
                "Surge, last 24 hours".to_string()
            } else {
                format!("Surge, last {days} days")
            }
        }
        "new_hot_spot" => "New hot spot".to_string(),
        other => other.to_string(),
    };
    // At street scale a cell's label is its block already.
    let place = match a.block.as_deref().map(hotspot_core::names::pretty_block) {
        Some(b) if b != a.place => format!("{} — {b}", a.place),
        _ => a.place.clone(),
    };
    let mut figures = vec![format!(
        "{} incidents",
        hotspot_core::fmt::thousands(a.observed)
    )];
    if a.expected.is_finite() {
        figures.push(format!("{:.1} expected", a.expected));
    }
    crate::ui::wall::AlertCard {
        title,
        place,
        figures,
        why: a.why.clone(),
        seconds_left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn alert(cell: u64, to: (u32, u32), hold_s: u32) -> Alert {
        let d = |(m, day): (u32, u32)| NaiveDate::from_ymd_opt(2024, m, day).expect("day");
        Alert {
            rule: "surge-7d".into(),
            kind: "surge",
            cell,
            res: 9,
            place: "Near West Side".into(),
            block: Some("0000X W MADISON ST".into()),
            from: d(to) - chrono::Duration::days(6),
            to: d(to),
            observed: 31,
            expected: 1.25,
            bound: 9,
            p: 1e-20,
            why: "31 incidents in the last 7 days".into(),
            hold_s,
        }
    }

    #[test]
    fn an_event_fires_once_holds_then_reverts_and_is_logged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit").join("alerts.jsonl");
        let mut log = AuditLog::open(Some(path.clone())).expect("log");
        let mut desk = AlertDesk::default();
        let t0 = Instant::now();
        let at = Local::now();
        // No surge, no alert.
        assert_eq!(desk.offer(Vec::new(), &mut log, at).0, 0);
        assert_eq!(desk.tick(t0), None);
        // A surge: logged, then it takes the wall for its hold.
        let a = alert(0x89266419033ffff, (9, 30), 45);
        assert_eq!(desk.offer(vec![a.clone()], &mut log, at).0, 1);
        assert_eq!(desk.tick(t0), Some(Transition::Start(a.clone())));
        // The next evaluation sees the same event: nothing new, nothing logged again.
        assert_eq!(desk.offer(vec![a.clone()], &mut log, at).0, 0);
        assert_eq!(desk.tick(t0 + Duration::from_secs(44)), None);
        assert_eq!(
            desk.tick(t0 + Duration::from_secs(45)),
            Some(Transition::End)
        );
        assert_eq!(desk.tick(t0 + Duration::from_secs(46)), None);
        let text = std::fs::read_to_string(&path).expect("log written");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["key"], "surge-7d|89266419033ffff|2024-09-30");
        assert_eq!(lines[0]["observed"], 31);
        assert_eq!(lines[0]["cell"], "89266419033ffff");
        // A restart reads the log back: the event does not fire again; the next day's does.
        let mut log = AuditLog::open(Some(path.clone())).expect("reopen");
        let mut desk = AlertDesk::default();
        assert_eq!(desk.offer(vec![a], &mut log, at).0, 0);
        let tomorrow = alert(0x89266419033ffff, (10, 1), 45);
        assert_eq!(desk.offer(vec![tomorrow], &mut log, at).0, 1);
        assert_eq!(
            std::fs::read_to_string(&path).expect("log").lines().count(),
            2
        );
    }

    #[test]
    fn alerts_queue_behind_each_other_without_a_gap() {
        let mut log = AuditLog::open(None).expect("log");
        let mut desk = AlertDesk::default();
        let t0 = Instant::now();
        let (a, b) = (alert(1, (9, 30), 10), alert(2, (9, 30), 20));
        desk.offer(vec![a.clone(), b.clone()], &mut log, Local::now());
        assert_eq!(desk.tick(t0), Some(Transition::Start(a)));
        // When the first ends the second starts at once: the playlist does not flash in.
        assert_eq!(
            desk.tick(t0 + Duration::from_secs(10)),
            Some(Transition::Start(b))
        );
        assert_eq!(
            desk.tick(t0 + Duration::from_secs(30)),
            Some(Transition::End)
        );
        assert_eq!(desk.recent().len(), 2);
        assert_eq!(desk.recent()[0].alert.cell, 2, "newest first");
    }

    #[test]
    fn the_card_says_what_where_and_how_many() {
        let c = card(&alert(1, (9, 30), 10), 12);
        assert_eq!(c.title, "Surge, last 7 days");
        assert!(c.place.starts_with("Near West Side — "), "{}", c.place);
        assert_eq!(c.figures, ["31 incidents", "1.2 expected"]);
        assert_eq!(c.seconds_left, 12);
    }
}
