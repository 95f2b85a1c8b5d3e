//! The time bar's state and rules, with no drawing in it: which timeline the view needs
//! (rebuilt when the resolution, selection, drill, metric or step changes), where playback
//! is, how it advances with the clock (stopping at the end unless it loops), and the period
//! the KPIs, charts and table follow (the frame under the playhead).

use std::sync::Arc;

use chrono::NaiveDate;
use hotspot_scope::{Metric, Scope, Selection, TimeStep, Timeline, TimelineMatrix};

/// What a timeline was built for: a new one is needed when any of it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineKey {
    pub res: u8,
    pub selection: Selection,
    pub drill: Vec<u64>,
    pub metric: Metric,
    pub timeline: Timeline,
}

/// One timeline computation the app should run (off the UI thread).
#[derive(Clone, Debug)]
pub struct TimelineJob {
    pub id: u64,
    pub scope: Scope,
    pub key: TimelineKey,
}

/// Playback speeds offered, frames a second.
pub const SPEEDS: [f32; 6] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0];

/// The time bar (see the module docs).
#[derive(Clone, Debug)]
pub struct TimeBar {
    /// The timeline mode is on (the scrubber drives the view).
    pub open: bool,
    pub timeline: Timeline,
    /// Frames a second while playing.
    pub speed: f32,
    pub looping: bool,
    pub playing: bool,
    /// The playhead: a frame index, fractional between frames.
    pub position: f32,
    /// The timeline on the map, and what it was built for.
    pub matrix: Option<(TimelineKey, Arc<TimelineMatrix>)>,
    /// Why the last timeline could not be built, and for what.
    error: Option<(TimelineKey, String)>,
    pending: Option<u64>,
    next_id: u64,
    shown_frame: Option<usize>,
    /// The period before the time bar took over, given back when it closes.
    restore: Option<(NaiveDate, NaiveDate)>,
}

impl Default for TimeBar {
    fn default() -> Self {
        Self {
            open: false,
            timeline: Timeline::of(TimeStep::Week),
            speed: 2.0,
            looping: false,
            playing: false,
            position: 0.0,
            matrix: None,
            error: None,
            pending: None,
            next_id: 0,
            shown_frame: None,
            restore: None,
        }
    }
}

/// What playback asks of the view.
#[derive(Clone, Debug, PartialEq)]
pub enum Follow {
    /// Nothing changed.
    Nothing,
    /// The playhead moved within a frame: only the map's position.
    Position(f32),
    /// A new frame is under the playhead: the view's period becomes its days.
    Frame(f32, NaiveDate, NaiveDate),
}

impl TimeBar {
    /// The timeline on the map, if it is the one `key` needs.
    pub fn current(&self, key: &TimelineKey) -> Option<&Arc<TimelineMatrix>> {
        self.matrix
            .as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, m)| m)
    }

    /// Frames of the timeline on the map (0: none yet).
    pub fn frames(&self) -> usize {
        self.matrix.as_ref().map_or(0, |(_, m)| m.frames.len())
    }

    /// Why the last timeline could not be built.
    pub fn error(&self) -> Option<&str> {
        self.error.as_ref().map(|(_, e)| e.as_str())
    }

    /// Whether a timeline is being built.
    pub fn building(&self) -> bool {
        self.pending.is_some()
    }

    /// Opens the time bar; `period` is the view's period, given back on close.
    pub fn open(&mut self, period: (NaiveDate, NaiveDate)) {
        if !self.open {
            self.open = true;
            self.restore = Some(period);
            self.shown_frame = None;
        }
    }

    /// Closes it; returns the period to go back to.
    pub fn close(&mut self) -> Option<(NaiveDate, NaiveDate)> {
        self.open = false;
        self.playing = false;
        self.matrix = None;
        self.pending = None;
        self.error = None;
        self.shown_frame = None;
        self.restore.take()
    }

    /// The computation to start now, if the view needs a timeline it does not have and none
    /// is being built. `scope` is the view's scope over the lake's whole date range.
    pub fn job(&mut self, scope: Scope, key: TimelineKey) -> Option<TimelineJob> {
        if !self.open || self.pending.is_some() || self.current(&key).is_some() {
            return None;
        }
        if self.error.as_ref().is_some_and(|(k, _)| k == &key) {
            // It failed for this very key: wait for a change rather than retry in a loop.
            return None;
        }
        self.next_id += 1;
        self.pending = Some(self.next_id);
        Some(TimelineJob {
            id: self.next_id,
            scope,
            key,
        })
    }

    /// Takes a finished computation (an older one than the latest asked for is dropped).
    /// Returns whether the timeline on the map changed.
    pub fn accept(
        &mut self,
        id: u64,
        key: TimelineKey,
        result: Result<Arc<TimelineMatrix>, String>,
    ) -> bool {
        if self.pending != Some(id) {
            return false;
        }
        self.pending = None;
        if !self.open {
            return false;
        }
        match result {
            Ok(m) => {
                // Keep the playhead on the same day where the new frames allow.
                let day = self.frame_day();
                self.error = None;
                let n = m.frames.len();
                self.position = match day {
                    Some(d) => m
                        .frames
                        .iter()
                        .position(|f| f.to >= d)
                        .unwrap_or(n.saturating_sub(1)) as f32,
                    None => n.saturating_sub(1) as f32,
                };
                self.matrix = Some((key, m));
                self.shown_frame = None;
                true
            }
            Err(e) => {
                self.error = Some((key, e));
                self.playing = false;
                false
            }
        }
    }

    fn frame_day(&self) -> Option<NaiveDate> {
        let (_, m) = self.matrix.as_ref()?;
        let f = m.frames.get(self.position.round() as usize)?;
        Some(f.to)
    }

    fn last(&self) -> f32 {
        self.frames().saturating_sub(1) as f32
    }

    /// Starts or stops playback; playing from the end starts again from the first frame.
    pub fn play(&mut self, on: bool) {
        if self.frames() == 0 {
            self.playing = false;
            return;
        }
        if on && !self.looping && self.position >= self.last() {
            self.position = 0.0;
        }
        self.playing = on;
    }

    /// Moves the playhead to `position` (clamped).
    pub fn seek(&mut self, position: f32) -> Follow {
        if self.frames() == 0 || !position.is_finite() {
            return Follow::Nothing;
        }
        self.position = position.clamp(0.0, self.last());
        self.follow()
    }

    /// One frame back or forward (stops playback).
    pub fn step(&mut self, by: i32) -> Follow {
        self.playing = false;
        let to = (self.position.round() + by as f32).clamp(0.0, self.last());
        self.seek(to)
    }

    /// Advances playback by `dt` seconds.
    pub fn tick(&mut self, dt: f64) -> Follow {
        if !self.playing || self.frames() == 0 {
            return Follow::Nothing;
        }
        let last = self.last();
        let mut p = self.position + (dt.clamp(0.0, 1.0) as f32) * self.speed;
        if p > last {
            if self.looping && last > 0.0 {
                p %= last + 1.0;
                if p > last {
                    p = 0.0;
                }
            } else {
                p = last;
                self.playing = false;
            }
        }
        self.position = p;
        self.follow()
    }

    /// What the view must do for the playhead where it is.
    fn follow(&mut self) -> Follow {
        let Some((_, m)) = &self.matrix else {
            return Follow::Nothing;
        };
        let frame = (self.position.round() as usize).min(m.frames.len().saturating_sub(1));
        if self.shown_frame == Some(frame) {
            return Follow::Position(self.position);
        }
        self.shown_frame = Some(frame);
        let f = m.frames[frame];
        Follow::Frame(self.position, f.from, f.to)
    }

    /// The frame under the playhead, for labels: its index and dates.
    pub fn frame(&self) -> Option<(usize, hotspot_scope::Frame)> {
        let (_, m) = self.matrix.as_ref()?;
        let i = (self.position.round() as usize).min(m.frames.len().checked_sub(1)?);
        Some((i, m.frames[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotspot_scope::Frame;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).expect("date")
    }

    fn matrix(n: usize) -> Arc<TimelineMatrix> {
        Arc::new(TimelineMatrix {
            timeline: Timeline::of(TimeStep::Day),
            frames: (1..=n as u32)
                .map(|d| Frame {
                    from: day(d),
                    to: day(d),
                    partial: false,
                })
                .collect(),
            cells: vec![1],
            selected: vec![0; n],
            arrests: vec![0; n],
            max_selected: 0,
            elapsed_ms: 0.0,
        })
    }

    fn key() -> TimelineKey {
        TimelineKey {
            res: 8,
            selection: Selection::default(),
            drill: Vec::new(),
            metric: Metric::Incidents,
            timeline: Timeline::of(TimeStep::Day),
        }
    }

    fn loaded(n: usize) -> TimeBar {
        let mut t = TimeBar::default();
        t.open((day(1), day(9)));
        let job = t.job(Scope::new(8, day(1), day(9)), key()).expect("a job");
        assert!(
            t.job(Scope::new(8, day(1), day(9)), key()).is_none(),
            "one at a time"
        );
        assert!(t.accept(job.id, key(), Ok(matrix(n))));
        t
    }

    #[test]
    fn playback_advances_with_the_clock_and_stops_at_the_end() {
        let mut t = loaded(4);
        // A new timeline starts at its last frame (the latest data).
        assert_eq!(t.position, 3.0);
        t.play(true);
        assert_eq!(t.position, 0.0, "playing from the end starts over");
        t.speed = 2.0;
        assert_eq!(t.tick(0.25), Follow::Frame(0.5, day(2), day(2)));
        assert_eq!(t.tick(0.1), Follow::Position(0.7));
        // A tick is at most a second of play; past the end it holds the last frame and stops.
        assert_eq!(t.tick(5.0), Follow::Frame(2.7, day(4), day(4)));
        assert!(t.playing);
        assert_eq!(t.tick(1.0), Follow::Position(3.0));
        assert!(!t.playing);
        assert_eq!(t.tick(1.0), Follow::Nothing);
        // Looping wraps instead.
        t.looping = true;
        t.play(true);
        assert_eq!(t.position, 3.0);
        let f = t.tick(0.5);
        assert!(t.playing && t.position < 1.0, "{f:?} {}", t.position);
        // Steps stop playback and clamp.
        assert_eq!(t.step(-1), Follow::Position(0.0));
        assert!(!t.playing);
        assert_eq!(t.step(-1), Follow::Position(0.0));
        assert_eq!(t.step(10), Follow::Frame(3.0, day(4), day(4)));
    }

    #[test]
    fn a_stale_or_late_timeline_is_dropped_and_close_gives_the_period_back() {
        let mut t = loaded(3);
        let mut other = key();
        other.res = 9;
        assert!(t.current(&other).is_none());
        let job = t
            .job(Scope::new(9, day(1), day(9)), other.clone())
            .expect("job");
        // An answer to an older job is ignored.
        assert!(!t.accept(job.id - 1, other.clone(), Ok(matrix(2))));
        assert!(t.accept(job.id, other.clone(), Ok(matrix(5))));
        // The playhead stays on the same day: frame 3 of the old was day 3.
        assert_eq!(t.position, 2.0);
        // A failure is kept and not retried for the same key.
        let mut third = other.clone();
        third.metric = Metric::Arrests;
        let job = t
            .job(Scope::new(9, day(1), day(9)), third.clone())
            .expect("job");
        assert!(!t.accept(job.id, third.clone(), Err("too big".into())));
        assert_eq!(t.error(), Some("too big"));
        assert!(
            t.job(Scope::new(9, day(1), day(9)), third.clone())
                .is_none(),
            "not retried"
        );
        assert_eq!(t.close(), Some((day(1), day(9))));
        assert!(!t.open && t.frames() == 0);
        assert!(
            t.job(Scope::new(9, day(1), day(9)), third).is_none(),
            "closed"
        );
    }
}
