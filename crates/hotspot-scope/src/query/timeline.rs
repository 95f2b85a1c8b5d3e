//! [`Engine::timeline`]: a scope's per-cell counts for every frame of a time bar, in one pass
//! over the day rows. Frames step by a day, week, month, quarter or year; each covers its
//! step or a window of days ending on its last day (a 28-day window stepping weekly). Every
//! day row adds its counts to the first frame holding it and takes them off after the last
//! (frames are sorted, so the frames holding a day are a run), then one prefix sum down the
//! frames gives every frame × cell count: the cost is the rows once plus frames × cells,
//! whatever the window.

use std::time::Instant;

use chrono::NaiveDate;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{YearMonth, naive_date};

use crate::error::{Result, ScopeError};
use crate::index::month_first_day;
use crate::scope::Scope;

use super::Engine;
use super::sums::block_range;

/// The most frames of one timeline.
pub const MAX_FRAMES: usize = 20_000;
/// The most frame × cell counts one timeline holds (16 million: 64 MB per array).
pub const MAX_FRAME_CELLS: usize = 16_000_000;
/// The longest window (days): ten years.
pub const MAX_WINDOW_DAYS: u32 = 3_660;

/// How far one frame is from the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeStep {
    Day,
    /// Seven days; the last frame ends on the span's last day.
    Week,
    Month,
    Quarter,
    Year,
}

impl TimeStep {
    pub const ALL: [TimeStep; 5] = [
        TimeStep::Day,
        TimeStep::Week,
        TimeStep::Month,
        TimeStep::Quarter,
        TimeStep::Year,
    ];

    /// "day", "week", "month", "quarter" or "year".
    pub fn name(self) -> &'static str {
        match self {
            TimeStep::Day => "day",
            TimeStep::Week => "week",
            TimeStep::Month => "month",
            TimeStep::Quarter => "quarter",
            TimeStep::Year => "year",
        }
    }

    /// Parses a step name (also "daily", "weekly", "monthly", …).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "day" | "days" | "daily" => TimeStep::Day,
            "week" | "weeks" | "weekly" => TimeStep::Week,
            "month" | "months" | "monthly" => TimeStep::Month,
            "quarter" | "quarters" | "quarterly" => TimeStep::Quarter,
            "year" | "years" | "yearly" | "annual" => TimeStep::Year,
            _ => return None,
        })
    }
}

/// A time bar: its step and what each frame covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    pub step: TimeStep,
    /// Days each frame covers, ending on the frame's last day; `None`: the step itself.
    pub window_days: Option<u32>,
}

impl Timeline {
    /// Frames of one step each.
    pub fn of(step: TimeStep) -> Self {
        Self {
            step,
            window_days: None,
        }
    }

    /// "weekly", "weekly, 28-day window".
    pub fn label(&self) -> String {
        let every = match self.step {
            TimeStep::Day => "daily",
            TimeStep::Week => "weekly",
            TimeStep::Month => "monthly",
            TimeStep::Quarter => "quarterly",
            TimeStep::Year => "yearly",
        };
        match self.window_days {
            Some(w) => format!("{every}, {w}-day window"),
            None => every.to_string(),
        }
    }
}

/// One frame: the days it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Frame {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// A calendar step cut short by the span's edge (its counts cover fewer days).
    pub partial: bool,
}

/// Every frame's per-cell counts of a scope (see the module docs).
#[derive(Clone, Debug)]
pub struct TimelineMatrix {
    pub timeline: Timeline,
    pub frames: Vec<Frame>,
    /// The cells (the scope's drill area at its resolution, every cell of the coverage).
    pub cells: Vec<u64>,
    /// Selected incidents, frame-major: `selected[f * cells.len() + c]`.
    pub selected: Vec<u32>,
    /// Arrests among them, laid out the same way.
    pub arrests: Vec<u32>,
    /// The largest count of any cell in any frame (a colour domain fixed over the playback).
    pub max_selected: u32,
    pub elapsed_ms: f64,
}

impl TimelineMatrix {
    /// Frame `f`'s selected counts, one per cell.
    pub fn frame(&self, f: usize) -> &[u32] {
        let n = self.cells.len();
        &self.selected[f * n..(f + 1) * n]
    }

    /// Frame `f`'s arrests, one per cell.
    pub fn frame_arrests(&self, f: usize) -> &[u32] {
        let n = self.cells.len();
        &self.arrests[f * n..(f + 1) * n]
    }
}

/// The calendar period of `step` holding day `d`: (first day, last day).
fn calendar(d: i32, step: TimeStep) -> (i32, i32) {
    let ym = YearMonth::of_day(d);
    let span = match step {
        TimeStep::Quarter => 3,
        TimeStep::Year => 12,
        _ => 1,
    };
    let month0 = match step {
        TimeStep::Quarter => (ym.month - 1) / 3 * 3 + 1,
        TimeStep::Year => 1,
        _ => ym.month,
    };
    let first = YearMonth {
        year: ym.year,
        month: month0,
    };
    let last = YearMonth::from_index(first.index() + span - 1);
    (first.first_day(), last.end_day() - 1)
}

/// The frames of the days `first..=last` (day numbers): (from, to, partial), sorted.
pub(crate) fn frames_of(first: i32, last: i32, t: Timeline) -> Result<Vec<(i32, i32, bool)>> {
    if first > last {
        return Err(ScopeError::Steps("the span holds no day".into()));
    }
    if let Some(w) = t.window_days
        && !(1..=MAX_WINDOW_DAYS).contains(&w)
    {
        return Err(ScopeError::Steps(format!(
            "a window of {w} days: it must be 1–{MAX_WINDOW_DAYS}"
        )));
    }
    let too_many = |n: usize| {
        ScopeError::Steps(format!(
            "{n} or more {} frames: more than {MAX_FRAMES}; use a longer step or a shorter span",
            t.step.name()
        ))
    };
    let mut steps: Vec<(i32, i32, bool)> = Vec::new();
    match t.step {
        TimeStep::Day => {
            if (last - first + 1) as usize > MAX_FRAMES {
                return Err(too_many(MAX_FRAMES));
            }
            steps.extend((first..=last).map(|d| (d, d, false)));
        }
        TimeStep::Week => {
            // Whole weeks ending on the last day, as the emerging analysis cuts them.
            let mut end = last;
            while end - 6 >= first {
                if steps.len() >= MAX_FRAMES {
                    return Err(too_many(MAX_FRAMES));
                }
                steps.push((end - 6, end, false));
                end -= 7;
            }
            steps.reverse();
        }
        TimeStep::Month | TimeStep::Quarter | TimeStep::Year => {
            let mut d = first;
            while d <= last {
                if steps.len() >= MAX_FRAMES {
                    return Err(too_many(MAX_FRAMES));
                }
                let (a, b) = calendar(d, t.step);
                let (lo, hi) = (a.max(first), b.min(last));
                steps.push((lo, hi, lo != a || hi != b));
                d = b + 1;
            }
        }
    }
    if steps.is_empty() {
        return Err(ScopeError::Steps(format!(
            "the span ({} days) holds no whole {}",
            last - first + 1,
            t.step.name()
        )));
    }
    Ok(match t.window_days {
        None => steps,
        // A window ends where its step ends and reaches back `w` days: never partial.
        Some(w) => steps
            .into_iter()
            .map(|(_, b, _)| (b - w as i32 + 1, b, false))
            .collect(),
    })
}

impl Engine {
    /// The scope's selected incidents and arrests per cell for every frame of `timeline`
    /// over the scope's period (its first to its last day). The cells are every cell of the
    /// drill area at the scope's resolution, zeros included.
    pub fn timeline(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        timeline: Timeline,
    ) -> Result<TimelineMatrix> {
        let started = Instant::now();
        let ix = &*self.ix;
        let r = ix.at(scope.res)?;
        self.validate_drill(scope)?;
        let requested = scope.period.intervals()?;
        let (Some(first), Some(last)) = (
            requested.iter().map(|i| i.0).min(),
            requested.iter().map(|i| i.1).max(),
        ) else {
            return Err(ScopeError::Period("empty period".into()));
        };
        let frames = frames_of(first, last, timeline)?;
        let range = match scope.drill.last() {
            Some(&t) => r.descendant_slots(t),
            None => 0..r.cells.len(),
        };
        let (n_frames, n_cells) = (frames.len(), range.len());
        if n_frames.saturating_mul(n_cells) > MAX_FRAME_CELLS {
            return Err(ScopeError::Steps(format!(
                "{n_frames} frames × {n_cells} cells is more than {MAX_FRAME_CELLS}: use a longer \
                 step, a shorter span or a coarser resolution"
            )));
        }
        let mut warnings = Vec::new();
        let (mask, _) = self.resolve_selection(scope, taxonomy, &mut warnings);

        // For each day the frames holding it: a run [j0, j1] (frames are sorted by start and
        // by end). Days outside every frame or outside the lake's cube are skipped.
        let lo_day = frames.iter().map(|f| f.0).min().unwrap_or(first);
        let hi_day = frames.iter().map(|f| f.1).max().unwrap_or(last);
        let (lo_day, hi_day) = match ix.cube_days() {
            Some((a, b)) => (lo_day.max(a), hi_day.min(b)),
            None => (1, 0),
        };
        let days = (hi_day - lo_day + 1).max(0) as usize;
        let mut run = vec![(u32::MAX, 0u32); days];
        let (mut j0, mut j1) = (0usize, 0usize);
        for (i, slot) in run.iter_mut().enumerate() {
            let d = lo_day + i as i32;
            while j0 < n_frames && frames[j0].1 < d {
                j0 += 1;
            }
            while j1 < n_frames && frames[j1].0 <= d {
                j1 += 1;
            }
            // Frames j0..j1 end on or after d and start on or before it.
            if j0 < j1 {
                *slot = (j0 as u32, (j1 - 1) as u32);
            }
        }

        let mut sel = vec![0i32; (n_frames + 1) * n_cells];
        let mut arr = vec![0i32; (n_frames + 1) * n_cells];
        if days > 0 {
            let d = &r.day;
            for m in 0..ix.n_months {
                let month_first = month_first_day(ix.first_month, m);
                let month_last = YearMonth::of_day(month_first).end_day() - 1;
                if month_last < lo_day || month_first > hi_day {
                    continue;
                }
                let rows = block_range(&d.slot, d.month_start[m], d.month_start[m + 1], &range);
                for i in rows {
                    if !mask[usize::from(d.ty[i])] {
                        continue;
                    }
                    let day = month_first + i32::from(d.dom[i]);
                    if day < lo_day || day > hi_day {
                        continue;
                    }
                    let (a, b) = run[(day - lo_day) as usize];
                    if a == u32::MAX {
                        continue;
                    }
                    let c = d.slot[i] as usize - range.start;
                    let (n, k) = (i32::from(d.n[i]), i32::from(d.k[i]));
                    sel[a as usize * n_cells + c] += n;
                    sel[(b as usize + 1) * n_cells + c] -= n;
                    arr[a as usize * n_cells + c] += k;
                    arr[(b as usize + 1) * n_cells + c] -= k;
                }
            }
        }
        let finish = |mut diff: Vec<i32>| -> Vec<u32> {
            for f in 1..n_frames {
                let (done, rest) = diff.split_at_mut(f * n_cells);
                let prev = &done[(f - 1) * n_cells..];
                for (v, p) in rest[..n_cells].iter_mut().zip(prev) {
                    *v += p;
                }
            }
            diff.truncate(n_frames * n_cells);
            diff.into_iter()
                .map(|v| u32::try_from(v).unwrap_or(0))
                .collect()
        };
        let selected = finish(sel);
        let arrests = finish(arr);
        let max_selected = selected.iter().copied().max().unwrap_or(0);
        Ok(TimelineMatrix {
            timeline,
            frames: frames
                .iter()
                .map(|&(a, b, partial)| Frame {
                    from: naive_date(a),
                    to: naive_date(b),
                    partial,
                })
                .collect(),
            cells: r.cells[range].to_vec(),
            selected,
            arrests,
            max_selected,
            elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotspot_core::time::day_number;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        day_number(NaiveDate::from_ymd_opt(y, m, d).expect("date"))
    }

    #[test]
    fn frames_step_and_window_as_asked() {
        let (a, b) = (day(2024, 1, 10), day(2024, 4, 5));
        // Months: January from the 10th and April to the 5th are partial.
        let m = frames_of(a, b, Timeline::of(TimeStep::Month)).expect("months");
        assert_eq!(m.len(), 4);
        assert_eq!(m[0], (a, day(2024, 1, 31), true));
        assert_eq!(m[1], (day(2024, 2, 1), day(2024, 2, 29), false));
        assert_eq!(m[3], (day(2024, 4, 1), b, true));
        // Weeks end on the last day; the partial first week is left out.
        let w = frames_of(a, b, Timeline::of(TimeStep::Week)).expect("weeks");
        assert_eq!(w.last(), Some(&(b - 6, b, false)));
        assert!(w[0].0 >= a && w[0].0 - 7 < a);
        assert!(w.windows(2).all(|p| p[1].0 == p[0].1 + 1));
        // A 28-day window stepping weekly: same ends, 28 days each (reaching before the span).
        let t = Timeline {
            step: TimeStep::Week,
            window_days: Some(28),
        };
        let ww = frames_of(a, b, t).expect("windows");
        assert_eq!(ww.len(), w.len());
        assert!(
            ww.iter()
                .zip(&w)
                .all(|(x, y)| x.1 == y.1 && x.1 - x.0 == 27)
        );
        // Quarters and years.
        let q = frames_of(
            day(2023, 11, 1),
            day(2024, 7, 1),
            Timeline::of(TimeStep::Quarter),
        )
        .expect("quarters");
        assert_eq!(q.len(), 4);
        assert_eq!(q[1], (day(2024, 1, 1), day(2024, 3, 31), false));
        let y = frames_of(
            day(2023, 11, 1),
            day(2024, 7, 1),
            Timeline::of(TimeStep::Year),
        )
        .expect("years");
        assert_eq!(
            y,
            vec![
                (day(2023, 11, 1), day(2023, 12, 31), true),
                (day(2024, 1, 1), day(2024, 7, 1), true)
            ]
        );
        assert_eq!(
            frames_of(a, a + 2, Timeline::of(TimeStep::Day))
                .expect("days")
                .len(),
            3
        );
    }

    #[test]
    fn bad_timelines_say_why() {
        let a = day(2024, 1, 1);
        let e = frames_of(a, a + 3, Timeline::of(TimeStep::Week)).expect_err("short");
        assert!(e.to_string().contains("no whole week"), "{e}");
        let t = Timeline {
            step: TimeStep::Day,
            window_days: Some(0),
        };
        assert!(frames_of(a, a + 30, t).is_err());
        let e = frames_of(a, a + 30_000, Timeline::of(TimeStep::Day)).expect_err("long");
        assert!(e.to_string().contains("20000"), "{e}");
        assert_eq!(TimeStep::parse("Weekly"), Some(TimeStep::Week));
        assert_eq!(TimeStep::parse("fortnight"), None);
    }
}
