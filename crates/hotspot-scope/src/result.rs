//! What a scope returns.
//!
//! Per-cell values are Arrow arrays (one per metric, aligned with `cell`), the columnar hand-off
//! to scripts and to GPU buffers. Everything else is plain data. [`ScopeResult::to_json`] writes
//! the whole result with cells as 15-hex-digit H3 strings.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, RecordBatch, StringArray, UInt8Array, UInt32Array,
    UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;
use serde::Serialize;

use crate::metric::Metric;
use crate::scope::Scope;

/// Per-cell metrics for every cell with data in scope, aligned by row.
#[derive(Clone, Debug)]
pub struct CellArrays {
    pub cell: UInt64Array,
    /// All incidents in the period (whatever the selection).
    pub incidents: UInt32Array,
    /// Incidents of the selected types (= incidents without a selection).
    pub selected: UInt32Array,
    /// Arrests among the selected incidents.
    pub arrests: UInt32Array,
    /// arrests / selected.
    pub arrest_rate: Float32Array,
    pub wilson_lo: Float32Array,
    pub wilson_hi: Float32Array,
    /// Shrunk toward the period's citywide rate of the selection (α = 5).
    pub smoothed_rate: Float32Array,
    /// Selected incidents and arrests over grid_disk(cell, 1) for the whole period.
    pub pooled_incidents: UInt32Array,
    pub pooled_arrests: UInt32Array,
    pub pooled_rate: Float32Array,
    pub pooled_smoothed: Float32Array,
    /// selected / incidents.
    pub focus_share: Float32Array,
    /// selected < 5.
    pub low_confidence: BooleanArray,
    /// Most frequent selected type.
    pub dominant_type: StringArray,
    pub label: StringArray,
    pub district: UInt8Array,
    pub ward: UInt8Array,
    pub community_area: UInt8Array,
    /// Selected incidents in the previous period of equal length.
    pub previous_selected: UInt32Array,
}

impl CellArrays {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cell.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.cell.is_empty()
    }

    /// One metric as `f32` per cell (for GPU value buffers).
    pub fn metric(&self, m: Metric) -> Vec<f32> {
        let u = |a: &UInt32Array| a.values().iter().map(|v| *v as f32).collect();
        let f = |a: &Float32Array| a.values().to_vec();
        match m {
            Metric::Incidents => u(&self.incidents),
            Metric::Selected => u(&self.selected),
            Metric::FocusShare => f(&self.focus_share),
            Metric::Arrests => u(&self.arrests),
            Metric::ArrestRate => f(&self.arrest_rate),
            Metric::SmoothedRate => f(&self.smoothed_rate),
            Metric::PooledSmoothed => f(&self.pooled_smoothed),
            Metric::Change => self
                .selected
                .values()
                .iter()
                .zip(self.previous_selected.values())
                .map(|(a, b)| *a as f32 - *b as f32)
                .collect(),
            // Not a per-cell column of the result: see `ScopeResult::metric_values`.
            Metric::HotSpots | Metric::Emerging => vec![f32::NAN; self.len()],
        }
    }

    /// The arrays as one Arrow record batch.
    pub fn to_record_batch(&self) -> RecordBatch {
        let cols: Vec<(&str, ArrayRef)> = vec![
            ("cell", Arc::new(self.cell.clone())),
            ("incidents", Arc::new(self.incidents.clone())),
            ("selected", Arc::new(self.selected.clone())),
            ("arrests", Arc::new(self.arrests.clone())),
            ("arrest_rate", Arc::new(self.arrest_rate.clone())),
            ("wilson_lo", Arc::new(self.wilson_lo.clone())),
            ("wilson_hi", Arc::new(self.wilson_hi.clone())),
            ("smoothed_rate", Arc::new(self.smoothed_rate.clone())),
            ("pooled_incidents", Arc::new(self.pooled_incidents.clone())),
            ("pooled_arrests", Arc::new(self.pooled_arrests.clone())),
            ("pooled_rate", Arc::new(self.pooled_rate.clone())),
            ("pooled_smoothed", Arc::new(self.pooled_smoothed.clone())),
            ("focus_share", Arc::new(self.focus_share.clone())),
            ("low_confidence", Arc::new(self.low_confidence.clone())),
            ("dominant_type", Arc::new(self.dominant_type.clone())),
            ("label", Arc::new(self.label.clone())),
            ("district", Arc::new(self.district.clone())),
            ("ward", Arc::new(self.ward.clone())),
            ("community_area", Arc::new(self.community_area.clone())),
            (
                "previous_selected",
                Arc::new(self.previous_selected.clone()),
            ),
        ];
        let schema = Schema::new(
            cols.iter()
                .map(|(n, a)| {
                    Field::new(
                        *n,
                        a.data_type().clone(),
                        a.null_count() > 0
                            || matches!(a.data_type(), DataType::Utf8 | DataType::UInt8),
                    )
                })
                .collect::<Vec<_>>(),
        );
        // Every column has the same length and the schema is built from the arrays.
        RecordBatch::try_new(Arc::new(schema), cols.into_iter().map(|(_, a)| a).collect())
            .unwrap_or_else(|_| RecordBatch::new_empty(Arc::new(Schema::empty())))
    }
}

/// First-week vs last-week daily means of one KPI.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeekDelta {
    pub first_week_mean: f64,
    pub last_week_mean: f64,
    /// last − first.
    pub change: f64,
}

/// The window the "vs first week" deltas are computed over.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeekWindow {
    /// First and last complete day used (zero-filled), if there are at least 7.
    pub days: Option<(NaiveDate, NaiveDate)>,
    pub complete_days: u32,
    /// How the window was chosen (partial trailing day, days past the end of the data…).
    pub note: String,
}

/// The busiest cell in scope.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Busiest {
    #[serde(serialize_with = "hex_cell")]
    pub cell: u64,
    pub label: String,
    /// Selected incidents.
    pub value: u32,
    pub focus_share: f64,
    pub delta: Option<WeekDelta>,
}

/// The KPI panel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Kpis {
    /// "Total incidents" or "Selected incidents".
    pub incidents_label: String,
    /// Selected incidents in scope (all incidents without a selection). Citywide this includes
    /// records without coordinates.
    pub incidents: u64,
    pub incidents_delta: Option<WeekDelta>,
    pub busiest: Option<Busiest>,
    /// Mean focus share over cells with data (only with a selection).
    pub avg_focus_share: Option<f64>,
    pub avg_focus_share_delta: Option<WeekDelta>,
    /// Selected incidents / all incidents (only with a selection).
    pub overall_focus_share: Option<f64>,
    pub arrests: u64,
    pub arrests_delta: Option<WeekDelta>,
    pub arrest_rate: f64,
    pub window: WeekWindow,
}

/// Bucket size of the time series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
}

/// Offence mix over time: top 5 selected types and "Other", stacked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MixSeries {
    pub granularity: Granularity,
    pub buckets: Vec<String>,
    /// Start day of each period bucket.
    pub periods: Vec<NaiveDate>,
    /// counts[bucket][period].
    pub counts: Vec<Vec<u32>>,
    /// Selected incidents and arrests per period.
    pub totals: Vec<u32>,
    pub arrests: Vec<u32>,
}

/// A count per offence type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeCount {
    pub primary_type: String,
    pub category: String,
    pub incidents: u64,
    pub arrests: u64,
}

/// A count per police district.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DistrictCount {
    pub district: Option<u8>,
    pub label: String,
    pub incidents: u64,
    pub arrests: u64,
}

/// Every chart's data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub mix: MixSeries,
    pub arrests: u64,
    pub no_arrest: u64,
    /// Monday = 0.
    pub dow_incidents: [u64; 7],
    pub dow_arrests: [u64; 7],
    pub hour_incidents: [u64; 24],
    pub hour_arrests: [u64; 24],
    pub hour_focus_dow: Option<u8>,
    /// Set when the hourly profile cannot match the period exactly.
    pub hour_note: Option<String>,
    /// Top 12 selected types by incidents.
    pub top_types: Vec<TypeCount>,
    /// Top 10 districts.
    pub top_districts: Vec<DistrictCount>,
    pub districts_note: Option<String>,
    /// Top 10 selected types (the crime mix chart).
    pub crime_mix: Vec<TypeCount>,
}

/// A row of the hotspot table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HotspotRow {
    #[serde(serialize_with = "hex_cell")]
    pub cell: u64,
    pub label: String,
    pub block: Option<String>,
    pub street: Option<String>,
    pub incidents: u32,
    pub selected: u32,
    pub dominant_type: Option<String>,
    pub district: Option<u8>,
    pub ward: Option<u8>,
    pub community_area: Option<u8>,
    pub focus_share: f64,
    pub arrests: u32,
    pub arrest_rate: f64,
    pub wilson_lo: f64,
    pub wilson_hi: f64,
    pub previous_selected: u32,
}

/// A cell's change against the previous period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellChange {
    #[serde(serialize_with = "hex_cell")]
    pub cell: u64,
    pub label: String,
    pub current: u32,
    pub previous: u32,
    pub change: i64,
}

/// The same scope over the previous period of equal length.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub period_label: String,
    /// Whether the lake covers the whole previous period.
    pub complete: bool,
    pub incidents: u64,
    pub arrests: u64,
    /// (current − previous) / previous.
    pub change_share: Option<f64>,
    pub rises: Vec<CellChange>,
    pub falls: Vec<CellChange>,
    /// Whether each cell's change was tested: the lake covers both periods wholly.
    pub tested: bool,
    /// Each cell's two-sided p-value of its change (exact conditional binomial test of its
    /// count in this period against the previous one, given their lengths), aligned with
    /// `cells`; NaN when untested.
    pub change_p: Vec<f32>,
    /// +1 significantly up, −1 significantly down, 0 not: p-values held to a
    /// Benjamini–Hochberg false-discovery rate of [`CHANGE_FDR`] across the cells.
    pub change_sig: Vec<i8>,
    /// The significant rises and falls with the smallest p-values (at most five each), and
    /// how many there are. Cells with incidents only in the previous period (not among the
    /// result's cells: they fell to zero) are tested with the rest and counted here.
    pub significant_up: Vec<CellChange>,
    pub significant_down: Vec<CellChange>,
    pub n_up: usize,
    pub n_down: usize,
}

/// The false-discovery rate the change test holds across cells.
pub const CHANGE_FDR: f64 = 0.05;

/// What kind of caution a warning is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    SparseResolution,
    Unmapped,
    MissingMonths,
    PartialDay,
    EmptySelection,
    UnknownTypes,
    NoData,
    NoChildren,
    HourlyWholeMonths,
    EmergingUnavailable,
}

/// A caution shown where the user looks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

/// One breadcrumb.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Crumb {
    #[serde(serialize_with = "hex_cell_opt")]
    pub cell: Option<u64>,
    pub res: u8,
    pub label: String,
}

/// Where the scope sits in the drill hierarchy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DrillInfo {
    /// "Citywide" first, then one crumb per drilled cell.
    pub breadcrumbs: Vec<Crumb>,
    #[serde(serialize_with = "hex_cell_opt")]
    pub target: Option<u64>,
    /// The target's parent (one level coarser), if drilled below r6.
    #[serde(serialize_with = "hex_cell_opt")]
    pub parent: Option<u64>,
    /// Children of the target (one level finer) with data in scope.
    #[serde(serialize_with = "hex_cells")]
    pub children: Vec<u64>,
}

/// Everything the console, scripts and the headless renderer need for one scope.
#[derive(Clone, Debug)]
pub struct ScopeResult {
    pub scope: Scope,
    pub period_label: String,
    /// The period's first and last day.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub selection_active: bool,
    /// The selected types after resolving categories (empty without a selection).
    pub selected_types: Vec<String>,
    pub cells: CellArrays,
    /// The period's citywide arrest rate of the selection over mapped records (the prior).
    pub prior: f64,
    pub kpis: Kpis,
    pub series: Series,
    pub table: Vec<HotspotRow>,
    pub comparison: Comparison,
    pub warnings: Vec<Warning>,
    pub drill: DrillInfo,
    /// Gi* of the whole coverage and its clusters (labelled), when the scope asked for it.
    pub hot_spots: Option<std::sync::Arc<HotSpotsResult>>,
    /// The emerging hot-spot analysis of the period, when the scope asked for it and the
    /// period holds at least two steps (otherwise a [`WarningKind::EmergingUnavailable`]).
    pub emerging: Option<std::sync::Arc<EmergingResult>>,
    /// Microseconds the query took.
    pub elapsed_us: u64,
}

/// [`crate::EmergingHotSpots`] with the leading cells of each category present, labelled, as
/// a scope result carries them.
#[derive(Clone, Debug, PartialEq)]
pub struct EmergingResult {
    pub stats: crate::EmergingHotSpots,
    /// Per category present (no pattern left out): its shown-cell count and up to five cells,
    /// strongest final-step |z| first, with their labels.
    pub leaders: Vec<CategoryLeaders>,
}

/// The cells that lead one emerging category.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryLeaders {
    pub category: crate::hotspots::Category,
    pub count: u64,
    pub cells: Vec<(u64, Option<String>)>,
}

impl EmergingResult {
    /// How many leading cells each category keeps.
    pub const LEADERS: usize = 5;
}

/// [`crate::HotSpots`] with its clusters, as a scope result carries them.
#[derive(Clone, Debug, PartialEq)]
pub struct HotSpotsResult {
    pub stats: crate::HotSpots,
    pub clusters: Vec<crate::Cluster>,
}

impl HotSpotsResult {
    /// z, p and bin of `cell` (any cell of the study area).
    pub fn of(&self, cell: u64) -> Option<(f64, f64, i8)> {
        let i = self.stats.cells.binary_search(&cell).ok()?;
        Some((self.stats.z[i], self.stats.p[i], self.stats.bin[i]))
    }
}

pub(crate) fn hex_cell<S: serde::Serializer>(c: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{c:015x}"))
}

fn hex_cell_opt<S: serde::Serializer>(c: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_str(&format!("{c:015x}")),
        None => s.serialize_none(),
    }
}

fn hex_cells<S: serde::Serializer>(c: &[u64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(c.iter().map(|c| format!("{c:015x}")))
}

#[derive(Serialize)]
struct CellsJson {
    cell: Vec<String>,
    incidents: Vec<u32>,
    selected: Vec<u32>,
    arrests: Vec<u32>,
    arrest_rate: Vec<f32>,
    wilson_lo: Vec<f32>,
    wilson_hi: Vec<f32>,
    smoothed_rate: Vec<f32>,
    pooled_incidents: Vec<u32>,
    pooled_arrests: Vec<u32>,
    pooled_rate: Vec<f32>,
    pooled_smoothed: Vec<f32>,
    focus_share: Vec<f32>,
    low_confidence: Vec<bool>,
    dominant_type: Vec<Option<String>>,
    label: Vec<Option<String>>,
    district: Vec<Option<u8>>,
    ward: Vec<Option<u8>>,
    community_area: Vec<Option<u8>>,
    previous_selected: Vec<u32>,
}

#[derive(Serialize)]
struct ResultJson<'a> {
    scope: ScopeJson<'a>,
    period_label: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    selection_active: bool,
    selected_types: &'a [String],
    prior: f64,
    kpis: &'a Kpis,
    warnings: &'a [Warning],
    drill: &'a DrillInfo,
    comparison: &'a Comparison,
    table: &'a [HotspotRow],
    series: &'a Series,
    cells: CellsJson,
    elapsed_us: u64,
}

#[derive(Serialize)]
struct ScopeJson<'a> {
    res: u8,
    period: &'a crate::scope::Period,
    selection: &'a crate::scope::Selection,
    #[serde(serialize_with = "hex_cells")]
    drill: &'a [u64],
    focus_dow: Option<u8>,
}

impl ScopeResult {
    /// The cells a metric colours and their values: the result's cells for every metric but
    /// [`Metric::HotSpots`], which colours the whole study area by its Gi* bin (nothing when the
    /// scope did not test hot spots).
    pub fn metric_values(&self, metric: Metric) -> (Vec<u64>, Vec<f32>) {
        match (metric, &self.hot_spots) {
            (Metric::HotSpots, Some(h)) => (
                h.stats.cells.clone(),
                h.stats.bin.iter().map(|b| f32::from(*b)).collect(),
            ),
            (Metric::HotSpots, None) => (Vec::new(), Vec::new()),
            (Metric::Emerging, _) => match &self.emerging {
                Some(e) => (
                    e.stats.cells.clone(),
                    e.stats
                        .category
                        .iter()
                        .map(|c| f32::from(c.code()))
                        .collect(),
                ),
                None => (Vec::new(), Vec::new()),
            },
            _ => (self.cells.cell.values().to_vec(), self.cells.metric(metric)),
        }
    }

    /// The whole result as JSON (cells as 15-hex-digit H3 strings).
    pub fn to_json(&self) -> serde_json::Result<String> {
        let c = &self.cells;
        let strings = |a: &StringArray| {
            (0..a.len())
                .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
                .collect()
        };
        let u8s = |a: &UInt8Array| {
            (0..a.len())
                .map(|i| (!a.is_null(i)).then(|| a.value(i)))
                .collect()
        };
        let cells = CellsJson {
            cell: c
                .cell
                .values()
                .iter()
                .map(|v| format!("{v:015x}"))
                .collect(),
            incidents: c.incidents.values().to_vec(),
            selected: c.selected.values().to_vec(),
            arrests: c.arrests.values().to_vec(),
            arrest_rate: c.arrest_rate.values().to_vec(),
            wilson_lo: c.wilson_lo.values().to_vec(),
            wilson_hi: c.wilson_hi.values().to_vec(),
            smoothed_rate: c.smoothed_rate.values().to_vec(),
            pooled_incidents: c.pooled_incidents.values().to_vec(),
            pooled_arrests: c.pooled_arrests.values().to_vec(),
            pooled_rate: c.pooled_rate.values().to_vec(),
            pooled_smoothed: c.pooled_smoothed.values().to_vec(),
            focus_share: c.focus_share.values().to_vec(),
            low_confidence: (0..c.low_confidence.len())
                .map(|i| c.low_confidence.value(i))
                .collect(),
            dominant_type: strings(&c.dominant_type),
            label: strings(&c.label),
            district: u8s(&c.district),
            ward: u8s(&c.ward),
            community_area: u8s(&c.community_area),
            previous_selected: c.previous_selected.values().to_vec(),
        };
        serde_json::to_string(&ResultJson {
            scope: ScopeJson {
                res: self.scope.res,
                period: &self.scope.period,
                selection: &self.scope.selection,
                drill: &self.scope.drill,
                focus_dow: self.scope.focus_dow,
            },
            period_label: &self.period_label,
            from: self.from,
            to: self.to,
            selection_active: self.selection_active,
            selected_types: &self.selected_types,
            prior: self.prior,
            kpis: &self.kpis,
            warnings: &self.warnings,
            drill: &self.drill,
            comparison: &self.comparison,
            table: &self.table,
            series: &self.series,
            cells,
            elapsed_us: self.elapsed_us,
        })
    }
}
