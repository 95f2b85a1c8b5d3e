//! The city model: aggregate statistics of a real export, the only input of the generator.
//!
//! [`CityModel::derive`] reads one or more Socrata CSVs with the core reader and keeps counts,
//! modes, medians and fits — never an incident: no ids, no case numbers, no per-incident rows.
//! The committed model (`data/city-model.json`) was derived from the 1–15 September 2024 sample
//! and is embedded in the crate ([`CityModel::embedded`]).

mod derive;
mod fit;
mod json;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;

use h3o::CellIndex;
use serde::{Deserialize, Serialize};

use crate::SynthError;
use crate::grid::{AddressGrid, Axis};

use self::json::ShallowPretty;

/// Version of the model's JSON layout.
pub const MODEL_FORMAT: u32 = 1;
/// An r10 cell is "hot" with at least this many incidents in the source.
pub const HOT_MIN_INCIDENTS: u32 = 3;
/// At most this many hot cells are kept (the busiest), to bound the model's size.
pub const MAX_HOT_CELLS: usize = 6_000;
/// At most this many location descriptions are kept per primary type (the most frequent).
pub const MAX_LOCATIONS_PER_TYPE: usize = 60;
/// At most this many (description, IUCR, FBI code) entries per primary type.
pub const MAX_DESCRIPTIONS_PER_TYPE: usize = 120;

const EMBEDDED_JSON: &str = include_str!("../../../../data/city-model.json");

/// Aggregate statistics of a real export (see the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CityModel {
    /// [`MODEL_FORMAT`].
    pub format: u32,
    /// What the model was derived from (counts only).
    pub source: SourceStats,
    /// Offence categories (the default taxonomy's order); per-category vectors follow it.
    pub categories: Vec<String>,
    /// Primary types, most frequent first.
    pub types: Vec<TypeModel>,
    /// Time-of-day and day-of-week profiles.
    pub time: TimeModel,
    /// Incidents per r8 cell per category, counting only incidents outside hot r10 cells.
    pub cells_r8: Vec<CellCounts>,
    /// Hot r10 cells (at least [`HOT_MIN_INCIDENTS`] incidents) and their incidents per category.
    pub hot_r10: Vec<CellCounts>,
    /// Modal jurisdiction per r9 cell with data.
    pub jurisdiction_r9: Vec<Jurisdiction>,
    /// Modal jurisdiction per r8 cell with data (fallback for r9 cells without).
    pub jurisdiction_r8: Vec<Jurisdiction>,
    /// Street catalogue, by name.
    pub streets: Vec<Street>,
    /// Calibration of the address grid.
    pub address_grid: AddressGrid,
    /// Affine fit latitude/longitude → Illinois State Plane feet.
    pub state_plane: StatePlaneFit,
}

/// What the model was derived from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceStats {
    /// Data rows read.
    pub rows: u64,
    /// Rows used (parsed, first occurrence of their ID).
    pub used: u64,
    /// Rows that did not parse.
    pub rejected: u64,
    /// Rows skipped because their ID was already seen.
    pub duplicate_ids: u64,
    /// Used rows without mappable coordinates.
    pub without_coordinates: u64,
    /// Used rows whose block was not upper case.
    pub mixed_case_blocks: u64,
    /// First and last incident date (`YYYY-MM-DD`).
    pub first_day: String,
    pub last_day: String,
}

/// One primary type's share, outcomes and wording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeModel {
    pub primary_type: String,
    /// Its default category (one of [`CityModel::categories`]).
    pub category: String,
    pub count: u64,
    pub arrest_rate: f64,
    pub domestic_rate: f64,
    /// (description, IUCR, FBI code) combinations, most frequent first.
    pub descriptions: Vec<DescriptionModel>,
    /// Location descriptions, most frequent first (`""`: none given).
    pub locations: Vec<Weighted>,
}

/// One (description, IUCR, FBI code) combination of a type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DescriptionModel {
    pub description: String,
    pub iucr: String,
    pub fbi_code: String,
    pub count: u64,
    pub arrests: u64,
    pub domestic: u64,
}

/// A name with a count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weighted {
    pub name: String,
    pub count: u64,
}

/// Time profiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeModel {
    /// One entry per category, in [`CityModel::categories`] order.
    pub categories: Vec<CategoryTime>,
    /// Minute-of-hour counts (60), default timestamps excluded.
    pub minutes: Vec<u64>,
    /// Share of (non-default) timestamps on minute 0.
    pub minute0_share: f64,
    /// Incidents per day by weekday (Monday first), relative to the mean (mean 1).
    pub weekdays: Vec<f64>,
}

/// One category's time of day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryTime {
    pub category: String,
    pub incidents: u64,
    /// Hour-of-day counts (24), the default 00:00 and 12:00 stamps excluded.
    pub hours: Vec<u64>,
    /// Share of incidents stamped exactly 00:00:00 (unknown time).
    pub midnight_share: f64,
    /// Share stamped exactly 12:00:00.
    pub noon_share: f64,
}

/// Incidents per category in one H3 cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellCounts {
    /// H3 index, hex.
    pub cell: String,
    /// One count per category.
    pub counts: Vec<u32>,
}

/// The modal district, ward, community area and beat of a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub cell: String,
    pub district: Option<u8>,
    pub ward: Option<u8>,
    pub community_area: Option<u8>,
    /// The modal beat among the cell's incidents in its modal district.
    pub beat: Option<u16>,
}

/// One street of the catalogue.
///
/// A north–south street lies at longitude `fixed + slope · (latitude − pivot)` for latitudes
/// `min..=max`; an east–west street at latitude `fixed + slope · (longitude − pivot)` for
/// longitudes `min..=max`. `fixed` is the median cross coordinate, `pivot` the median along
/// coordinate; `slope` is zero for straight streets and lets diagonals (Milwaukee, Archer, …)
/// follow their course.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Street {
    /// The block without its house number: `W 95TH ST`.
    pub name: String,
    pub axis: Axis,
    pub fixed: f64,
    pub pivot: f64,
    pub slope: f64,
    pub min: f64,
    pub max: f64,
    /// Incidents on this street in the source.
    pub count: u64,
}

/// `X = x0 + x_lat·(lat − lat0) + x_lon·(lon − lon0)`, likewise `Y` (Illinois State Plane
/// East, feet), fitted by least squares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatePlaneFit {
    pub lat0: f64,
    pub lon0: f64,
    pub x0: f64,
    pub y0: f64,
    pub x_lat: f64,
    pub x_lon: f64,
    pub y_lat: f64,
    pub y_lon: f64,
}

impl StatePlaneFit {
    /// State-plane feet of a point.
    pub fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        let (a, b) = (lat - self.lat0, lon - self.lon0);
        (
            self.x0 + self.x_lat * a + self.x_lon * b,
            self.y0 + self.y_lat * a + self.y_lon * b,
        )
    }
}

impl CityModel {
    /// Derives a model from Socrata CSVs (either header style, plain or gzip).
    pub fn derive(paths: &[PathBuf]) -> Result<CityModel, SynthError> {
        derive::from_sources(paths)
    }

    /// The model committed with the crate (derived from the September 2024 sample).
    pub fn embedded() -> Result<CityModel, SynthError> {
        static MODEL: OnceLock<Result<CityModel, String>> = OnceLock::new();
        MODEL
            .get_or_init(|| CityModel::from_json(EMBEDDED_JSON).map_err(|e| e.to_string()))
            .clone()
            .map_err(SynthError::InvalidModel)
    }

    /// The committed model's JSON text, as embedded.
    pub fn embedded_json() -> &'static str {
        EMBEDDED_JSON
    }

    /// Parses and validates a model.
    pub fn from_json(text: &str) -> Result<CityModel, SynthError> {
        let model: CityModel = serde_json::from_str(text).map_err(SynthError::Json)?;
        model.validate()?;
        Ok(model)
    }

    /// The canonical JSON text (what `data/city-model.json` holds): containers two levels
    /// deep one item per line, everything deeper on that line; a final newline.
    pub fn to_json(&self) -> Result<String, SynthError> {
        let mut out = Vec::with_capacity(1 << 20);
        let mut ser = serde_json::Serializer::with_formatter(&mut out, ShallowPretty::default());
        self.serialize(&mut ser).map_err(SynthError::Json)?;
        out.push(b'\n');
        String::from_utf8(out).map_err(|e| SynthError::InvalidModel(e.to_string()))
    }

    /// Total incidents over all types.
    pub fn total_incidents(&self) -> u64 {
        self.types.iter().map(|t| t.count).sum()
    }

    /// A type's share of all incidents (0 when absent).
    pub fn type_share(&self, primary_type: &str) -> f64 {
        let total = self.total_incidents();
        if total == 0 {
            return 0.0;
        }
        self.types
            .iter()
            .find(|t| t.primary_type == primary_type)
            .map_or(0.0, |t| t.count as f64 / total as f64)
    }

    /// The index of a category in [`CityModel::categories`].
    pub fn category_index(&self, category: &str) -> Option<usize> {
        self.categories.iter().position(|c| c == category)
    }

    /// Checks the model is internally consistent (so generation cannot index out of range).
    pub fn validate(&self) -> Result<(), SynthError> {
        let bad = |m: String| Err(SynthError::InvalidModel(m));
        let nc = self.categories.len();
        if nc == 0 {
            return bad("no categories".into());
        }
        if self.types.is_empty() || self.total_incidents() == 0 {
            return bad("no primary types".into());
        }
        for t in &self.types {
            if self.category_index(&t.category).is_none() {
                return bad(format!(
                    "type {} has unknown category {}",
                    t.primary_type, t.category
                ));
            }
            if t.descriptions.is_empty() {
                return bad(format!("type {} has no descriptions", t.primary_type));
            }
            if !(0.0..=1.0).contains(&t.arrest_rate) || !(0.0..=1.0).contains(&t.domestic_rate) {
                return bad(format!("type {} has a rate outside 0..1", t.primary_type));
            }
            if t.descriptions
                .iter()
                .any(|d| d.arrests > d.count || d.domestic > d.count)
            {
                return bad(format!(
                    "type {} has more arrests than incidents",
                    t.primary_type
                ));
            }
        }
        if self.time.categories.len() != nc
            || self.time.categories.iter().any(|c| c.hours.len() != 24)
        {
            return bad("time.categories must have one 24-hour profile per category".into());
        }
        if self.time.minutes.len() != 60 || self.time.weekdays.len() != 7 {
            return bad("time.minutes needs 60 entries and time.weekdays 7".into());
        }
        for cells in [&self.cells_r8, &self.hot_r10] {
            for c in cells {
                if c.counts.len() != nc {
                    return bad(format!("cell {} needs {nc} category counts", c.cell));
                }
                parse_cell(&c.cell)?;
            }
        }
        if self
            .cells_r8
            .iter()
            .chain(&self.hot_r10)
            .all(|c| c.counts.iter().all(|&n| n == 0))
        {
            return bad("no cell has incidents".into());
        }
        for j in self.jurisdiction_r9.iter().chain(&self.jurisdiction_r8) {
            parse_cell(&j.cell)?;
        }
        if self.streets.is_empty() {
            return bad("the street catalogue is empty".into());
        }
        for s in &self.streets {
            let finite = [s.fixed, s.pivot, s.slope, s.min, s.max]
                .iter()
                .all(|v| v.is_finite());
            if !finite || s.min > s.max || s.name.split_whitespace().nth(1).is_none() {
                return bad(format!("street {:?} is malformed", s.name));
            }
        }
        self.address_grid
            .validate()
            .map_err(SynthError::InvalidModel)?;
        Ok(())
    }
}

/// Parses a hex H3 index.
pub(crate) fn parse_cell(text: &str) -> Result<CellIndex, SynthError> {
    CellIndex::from_str(text)
        .map_err(|e| SynthError::InvalidModel(format!("bad H3 cell {text:?}: {e}")))
}
