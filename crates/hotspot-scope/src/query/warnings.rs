//! Warnings about a result: months missing from the lake, no data, empty drills, sparse
//! resolutions, unmapped records and a partial last day.

use hotspot_core::fmt::thousands;
use hotspot_core::res;
use hotspot_core::stats;
use hotspot_core::time::{self, YearMonth};

use super::Engine;
use super::kpis::fmt_day;
use super::sums::DayCube;
use crate::index::ResIndex;
use crate::result::{CellArrays, Warning, WarningKind};
use crate::scope::Scope;

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn warn(
        &self,
        scope: &Scope,
        r: &ResIndex,
        cells: &CellArrays,
        intervals: &[(i32, i32)],
        mask: &[bool],
        from: i32,
        to: i32,
        cube: &DayCube,
        warnings: &mut Vec<Warning>,
    ) {
        let ix = &*self.ix;
        let missing: Vec<YearMonth> = YearMonth::of_day(from)
            .through(YearMonth::of_day(to))
            .filter(|m| !ix.months.contains(m))
            .filter(|m| {
                intervals
                    .iter()
                    .any(|&(a, b)| a < m.end_day() && b >= m.first_day())
            })
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().take(6).map(ToString::to_string).collect();
            warnings.push(Warning {
                kind: WarningKind::MissingMonths,
                message: format!(
                    "{} month(s) of this period are not in the lake: {}{}.",
                    missing.len(),
                    list.join(", "),
                    if missing.len() > 6 { ", …" } else { "" }
                ),
            });
        }
        let in_scope: u64 = cube.all.iter().sum();
        if in_scope == 0 {
            warnings.push(Warning {
                kind: WarningKind::NoData,
                message: "No incidents in this scope and period.".into(),
            });
        }
        if let Some(t) = scope.drill.last()
            && cells.is_empty()
        {
            warnings.push(Warning {
                kind: WarningKind::NoChildren,
                message: format!(
                    "{} has no {} cells with incidents in {}.",
                    self.label(*t).unwrap_or("This cell"),
                    res::name(r.res),
                    scope.period.label()
                ),
            });
        }
        if !cells.is_empty() {
            let dense = (0..cells.len())
                .filter(|&i| cells.selected.value(i) >= stats::LOW_CONFIDENCE_BELOW)
                .count();
            let share = dense as f64 / cells.len() as f64;
            if share < 0.2 {
                warnings.push(Warning {
                    kind: WarningKind::SparseResolution,
                    message: format!(
                        "Only {} of {} cells have 5+ incidents. Aggregate more months or step back to a coarser resolution for clearer patterns.",
                        hotspot_core::fmt::percent(share, 0),
                        res::display(r.res)
                    ),
                });
            }
        }
        if scope.drill.is_empty() {
            let u = &ix.unmapped;
            let mut n = 0u64;
            for &(a, b) in intervals {
                for day in a.max(ix.first_day)..=b.min(ix.first_day + ix.n_days as i32 - 1) {
                    let d = (day - ix.first_day) as usize;
                    for i in u.day_start[d]..u.day_start[d + 1] {
                        if mask[usize::from(u.ty[i])] {
                            n += u64::from(u.n[i]);
                        }
                    }
                }
            }
            if n > 0 {
                warnings.push(Warning {
                    kind: WarningKind::Unmapped,
                    message: format!(
                        "{} incident(s) in this period have no usable coordinates: counted in the totals, not on the map.",
                        thousands(n)
                    ),
                });
            }
        }
        if from <= ix.data_last_day && to >= ix.data_last_day && ix.last_day_max_hour < 23 {
            warnings.push(Warning {
                kind: WarningKind::PartialDay,
                message: format!(
                    "{} looks partial (latest record at {:02}:xx): it is left out of the week-over-week changes.",
                    fmt_day(ix.data_last_day),
                    ix.last_day_max_hour
                ),
            });
        }
        let _ = time::MICROS_PER_DAY;
    }
}
