//! Answering a scope: [`Engine::query`] sums the index over the period ([`sums`]), then builds
//! the per-cell arrays ([`cells`]), KPIs ([`kpis`]), chart series ([`series`]), the hotspot
//! table ([`table`]), the comparison with the previous period ([`compare`]), warnings
//! ([`warnings`]) and drill information ([`drill`]).

mod cells;
mod compare;
mod compstat;
mod drill;
mod emerging;
mod hotspots;
mod kpis;
mod series;
mod sums;
mod table;
mod timeline;
mod warnings;

use std::sync::Arc;
use std::time::Instant;

use hotspot_core::lake::Lake;
use hotspot_core::res;
use hotspot_core::stats;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{YearMonth, naive_date};

use crate::error::{Result, ScopeError};
use crate::index::LakeIndex;
use crate::result::*;
use crate::scope::Scope;

pub use compstat::{ALL_OFFENCES, COMPSTAT_PERIODS, CompStat, CompStatRow, compstat_periods};
pub use emerging::{EmergingHotSpots, EmergingOptions, MAX_BINS, MAX_STEPS, Step};
pub use hotspots::{Cluster, HotSpotOptions, HotSpots, MAX_K};
use sums::{city_days, drill_days, sum_cells};
pub use table::sort_rows;
use table::table_rows;
pub use timeline::{
    Frame, MAX_FRAME_CELLS, MAX_FRAMES, MAX_WINDOW_DAYS, TimeStep, Timeline, TimelineMatrix,
};

/// A cell with its modal police district and community area.
pub type ContextCell = (u64, Option<u8>, Option<u8>);

/// What an [`Engine`] holds ([`Engine::summary`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineSummary {
    /// Records in the lake (mapped or not).
    pub records: u64,
    /// Months with data.
    pub months: usize,
    /// Approximate size of the in-memory index.
    pub index_bytes: usize,
}

impl Engine {
    /// When the lake's Gold was last built (RFC 3339, from the manifest).
    pub fn built_at(&self) -> Option<&str> {
        self.ix.built_at.as_deref()
    }

    /// The lake generation (snapshot) this engine reads: a reader compares it with the lake's
    /// `CURRENT` pointer to know that a newer build has landed.
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }

    /// Which lake this is ([`hotspot_core::lake::Manifest::identity`]).
    pub fn lake_identity(&self) -> Option<&str> {
        self.ix.identity.as_deref()
    }
}

/// The scope engine: the lake in memory, answering scopes.
#[derive(Clone, Debug)]
pub struct Engine {
    ix: Arc<LakeIndex>,
    /// The street skeleton (empty for a lake built before it was derived).
    streets: Arc<Vec<crate::context::StreetLine>>,
    /// Outlines of districts, beats, wards and community areas (empty likewise).
    areas: Arc<Vec<crate::context::AreaRing>>,
    /// Why a context table could not be read (the engine answers scopes without it).
    context_error: Option<String>,
    /// The lake generation (snapshot) the engine was opened on.
    generation: Option<u64>,
    /// Gi* neighbourhoods per (resolution, k), built on first use.
    neighbourhoods: NeighbourhoodCache,
}

type NeighbourhoodCache = Arc<
    std::sync::Mutex<std::collections::HashMap<(u8, u32), Arc<crate::hotspots::Neighbourhoods>>>,
>;

impl Engine {
    /// Loads the lake's Gold tables.
    pub fn open(lake: &Lake) -> Result<Engine> {
        let lake = lake.pin();
        let generation = hotspot_core::lake::snapshot::generation_of(&lake.data_dir());
        let ix = Arc::new(LakeIndex::load(&lake)?);
        // The map's context tables are not worth refusing the lake over: a damaged one is
        // reported (`context_error`, and `hotspot status` names it) and left out.
        let mut problems = Vec::new();
        let streets = crate::context::read_streets(&lake.streets()).unwrap_or_else(|e| {
            problems.push(e.to_string());
            Vec::new()
        });
        let areas = crate::context::read_areas(&lake.areas()).unwrap_or_else(|e| {
            problems.push(e.to_string());
            Vec::new()
        });
        Ok(Engine {
            ix,
            streets: Arc::new(streets),
            areas: Arc::new(areas),
            context_error: (!problems.is_empty()).then(|| problems.join("; ")),
            generation,
            neighbourhoods: NeighbourhoodCache::default(),
        })
    }

    /// Why the lake's street or area table could not be read, if one could not (the map then
    /// goes without it; `hotspot build` rewrites both).
    pub fn context_error(&self) -> Option<&str> {
        self.context_error.as_deref()
    }

    /// The lake's street polylines, busiest first as built (see `gold/context/streets`).
    pub fn streets(&self) -> &[crate::context::StreetLine] {
        &self.streets
    }

    /// The outline rings of the lake's named areas (see `gold/context/areas`).
    pub fn areas(&self) -> &[crate::context::AreaRing] {
        &self.areas
    }

    /// What the engine holds: records, months and the index's approximate size.
    pub fn summary(&self) -> EngineSummary {
        EngineSummary {
            records: self.ix.month_stats.values().map(|m| m.records).sum(),
            months: self.ix.months.len(),
            index_bytes: crate::index::approx_bytes(&self.ix),
        }
    }

    /// The cells the context layers (city footprint, district and community-area outlines)
    /// are dissolved from, each with its modal district and community area: the finest
    /// resolution whose coverage is dense (≥ 90 % of its parents' seven children have data).
    /// A big lake uses its r10 cells; a small or short one, whose fine cells are scattered,
    /// still gets clean outlines from r9 or r8.
    pub fn context_cells(&self) -> Result<Vec<ContextCell>> {
        let mut res = 8;
        for r in [10u8, 9] {
            let (fine, coarse) = (self.ix.at(r)?.cells.len(), self.ix.at(r - 1)?.cells.len());
            if fine * 10 >= coarse * 63 {
                res = r;
                break;
            }
        }
        let ix = self.ix.at(res)?;
        Ok(ix
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    *c,
                    ix.district.get(i).copied().flatten(),
                    ix.community_area.get(i).copied().flatten(),
                )
            })
            .collect())
    }

    /// Every r10 cell with data whose modal police district is `district`, ascending.
    pub fn district_cells(&self, district: u8) -> Result<Vec<u64>> {
        let ix = self.ix.at(10)?;
        Ok(ix
            .cells
            .iter()
            .zip(&ix.district)
            .filter(|(_, d)| **d == Some(district))
            .map(|(c, _)| *c)
            .collect())
    }

    /// Every cell with data at `res` (the map's coverage), ascending.
    pub fn coverage(&self, res: u8) -> Result<&[u64]> {
        Ok(&self.ix.at(res)?.cells)
    }

    /// The label of a cell of any lake resolution.
    pub fn label(&self, cell: u64) -> Option<&str> {
        let r = self.ix.at(hotspot_core::h3bits::resolution(cell)).ok()?;
        r.slot(cell).map(|s| r.label[s as usize].as_str())
    }

    /// The block a cell's incidents most often name ("0000X W MADISON ST"), if any.
    pub fn block(&self, cell: u64) -> Option<&str> {
        let r = self.ix.at(hotspot_core::h3bits::resolution(cell)).ok()?;
        r.slot(cell).and_then(|s| r.block[s as usize].as_deref())
    }

    /// Offence types in the lake, alphabetical.
    pub fn types(&self) -> &[String] {
        &self.ix.types
    }

    /// The range default periods are measured from ("the last 28 days"): the first and last
    /// day with data, leaving out months at either end that hold less than 1 % of a median
    /// month, so one stray record cannot choose the window.
    pub fn date_range(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        (
            naive_date(self.ix.typical_first_day),
            naive_date(self.ix.typical_last_day),
        )
    }

    /// The first and last day with any data at all.
    pub fn full_date_range(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        (
            naive_date(self.ix.data_first_day),
            naive_date(self.ix.data_last_day),
        )
    }

    /// Months with data.
    pub fn months(&self) -> Vec<YearMonth> {
        self.ix.months.iter().copied().collect()
    }

    fn resolve_selection(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        warnings: &mut Vec<Warning>,
    ) -> (Vec<bool>, Vec<String>) {
        let ix = &self.ix;
        if !scope.selection.is_active() {
            return (vec![true; ix.types.len()], Vec::new());
        }
        let mut mask = vec![false; ix.types.len()];
        let mut unknown = Vec::new();
        for t in &scope.selection.types {
            let key = t.trim().to_uppercase();
            match ix.type_id(&key) {
                Some(id) => mask[usize::from(id)] = true,
                None => unknown.push(key),
            }
        }
        for c in &scope.selection.categories {
            let known = taxonomy
                .categories()
                .iter()
                .any(|k| k.eq_ignore_ascii_case(c.trim()));
            if !known {
                unknown.push(format!("category {c}"));
            }
            for (i, ty) in ix.types.iter().enumerate() {
                if taxonomy.category_of(ty).eq_ignore_ascii_case(c.trim()) {
                    mask[i] = true;
                }
            }
        }
        if !unknown.is_empty() {
            warnings.push(Warning {
                kind: WarningKind::UnknownTypes,
                message: format!("Not in the lake: {}.", unknown.join(", ")),
            });
        }
        let selected: Vec<String> = ix
            .types
            .iter()
            .zip(&mask)
            .filter(|(_, m)| **m)
            .map(|(t, _)| t.clone())
            .collect();
        if selected.is_empty() {
            warnings.push(Warning {
                kind: WarningKind::EmptySelection,
                message: "The selection matches no offence type in the lake: every selected count is zero.".into(),
            });
        }
        (mask, selected)
    }

    fn validate_drill(&self, scope: &Scope) -> Result<()> {
        let mut prev: Option<u64> = None;
        for &c in &scope.drill {
            let cell = h3o::CellIndex::try_from(c)
                .map_err(|_| ScopeError::Drill(format!("{c:x} is not an H3 cell")))?;
            let r = u8::from(cell.resolution());
            if !res::is_lake_res(r) {
                return Err(ScopeError::Drill(format!(
                    "{c:015x} is at r{r}, outside r6–r10"
                )));
            }
            if let Some(p) = prev {
                let pr = hotspot_core::h3bits::resolution(p);
                if r != pr + 1 || cell.parent(res::h3(pr)).map(u64::from) != Some(p) {
                    return Err(ScopeError::Drill(format!(
                        "{c:015x} is not a child of {p:015x}"
                    )));
                }
            }
            prev = Some(c);
        }
        if let Some(t) = prev {
            let tr = hotspot_core::h3bits::resolution(t);
            if scope.res <= tr {
                return Err(ScopeError::Drill(format!(
                    "the drill target is r{tr}: show r{} or finer inside it",
                    tr + 1
                )));
            }
        }
        Ok(())
    }

    /// Answers one scope.
    pub fn query(&self, scope: &Scope, taxonomy: &Taxonomy) -> Result<ScopeResult> {
        let started = Instant::now();
        let ix = &*self.ix;
        let r = ix.at(scope.res)?;
        self.validate_drill(scope)?;
        // What was asked, and the part of it the lake's day cube covers: every sum runs over the
        // latter, so a period of ten thousand years costs what the lake's span costs.
        let requested = scope.period.intervals()?;
        let prev_period = match &scope.compare {
            Some(p) => p.clone(),
            None => scope.period.previous()?,
        };
        let prev_requested = prev_period.intervals()?;
        let intervals = clip(&requested, ix.cube_days());
        let prev_intervals = clip(&prev_requested, ix.cube_days());
        let mut warnings = Vec::new();
        let (mask, selected_types) = self.resolve_selection(scope, taxonomy, &mut warnings);
        let active = scope.selection.is_active();
        let n_types = ix.types.len();

        let target = scope.drill.last().copied();
        let range = match target {
            Some(t) => r.descendant_slots(t),
            None => 0..r.cells.len(),
        };
        let (cur, prev) = rayon::join(
            || sum_cells(ix, r, &intervals, &mask, range.clone(), true),
            || sum_cells(ix, r, &prev_intervals, &mask, range.clone(), false),
        );

        // The prior: the period's citywide arrest rate of the selection over mapped records.
        let total_sel: u64 = cur.sel.iter().map(|v| u64::from(*v)).sum();
        let total_arr: u64 = cur.arr.iter().map(|v| u64::from(*v)).sum();
        let prior = stats::rate(total_arr as f64, total_sel as f64);

        let cells = self.cell_arrays(r, &cur, &prev, &range, prior, n_types);

        // Daily cube: citywide from the city tables, drilled from the cells in range.
        let cube = match target {
            Some(_) => drill_days(ix, r, &intervals, &mask, &range),
            None => city_days(ix, &intervals, &mask),
        };
        let (from, to) = match (requested.first(), requested.last()) {
            (Some(a), Some(b)) => (a.0, b.1),
            _ => return Err(ScopeError::Period("empty period".into())),
        };

        let series = self.series(
            scope,
            &cube,
            &cur,
            &range,
            r,
            &intervals,
            &requested,
            &mask,
            taxonomy,
            &mut warnings,
        );
        let kpis = self.kpis(
            scope, &cube, &cells, r, &intervals, &requested, &mask, active,
        );
        let table = table_rows(&cells, r, scope);
        let comparison = self.comparison(
            scope,
            &prev_period,
            &prev_requested,
            &prev_intervals,
            &intervals,
            &cells,
            &cur,
            &prev,
            &range,
            &mask,
            &kpis,
        );
        self.warn(
            scope,
            r,
            &cells,
            &intervals,
            &requested,
            &mask,
            from,
            to,
            &cube,
            &mut warnings,
        );
        let drill = self.drill_info(scope, &cells);
        let hot_spots = match scope.hot_spots {
            Some(options) => {
                // Without a drill the period's sums already cover every cell: no second pass.
                let stats = if scope.drill.is_empty() {
                    self.hot_spots_of(scope, options, cur.sel.clone(), Instant::now())?
                } else {
                    self.hot_spots(scope, taxonomy, options)?
                };
                let mut clusters = stats.clusters();
                for c in &mut clusters {
                    c.label = self.label(c.peak).map(str::to_string);
                }
                Some(Arc::new(HotSpotsResult { stats, clusters }))
            }
            None => None,
        };
        let emerging = match scope.emerging {
            Some(options) => self.emerging_of(scope, taxonomy, options, &mut warnings)?,
            None => None,
        };

        Ok(ScopeResult {
            scope: scope.clone(),
            period_label: scope.period.label(),
            from: naive_date(from),
            to: naive_date(to),
            selection_active: active,
            selected_types,
            cells,
            prior,
            kpis,
            series,
            table,
            comparison,
            warnings,
            drill,
            hot_spots,
            emerging,
            elapsed_us: started.elapsed().as_micros() as u64,
        })
    }
}

/// `intervals` cut to the inclusive day range `within` (`None`: nothing is covered).
fn clip(intervals: &[(i32, i32)], within: Option<(i32, i32)>) -> Vec<(i32, i32)> {
    let Some((lo, hi)) = within else {
        return Vec::new();
    };
    intervals
        .iter()
        .filter_map(|&(a, b)| {
            let (a, b) = (a.max(lo), b.min(hi));
            (a <= b).then_some((a, b))
        })
        .collect()
}
