//! Bronze → Silver: calendar features, taxonomy, street names, geo checks and H3 cells.
//!
//! The point is assigned to a cell once, at r10 (h3o, in parallel); r6–r9 are its parents, so
//! every coarse cell's count is exactly the sum of its children's.

use std::f64::consts::TAU;
use std::path::Path;

use h3o::{CellIndex, LatLng};
use hotspot_core::geo;
use hotspot_core::hash::FastMap;
use hotspot_core::names::street_of_block;
use hotspot_core::res::{self, MAX_RES, RESOLUTIONS};
use hotspot_core::taxonomy::default_category;
use hotspot_core::time::{self, MICROS_PER_DAY};
use polars::prelude::*;

use crate::error::{PipelineError, Result};
use crate::frame::{self, StrColumn};
use hotspot_core::lake::columns::{bronze as b, silver as s};

/// The r10 cell of a mappable point, or why it has none.
pub fn locate(lat: Option<f64>, lon: Option<f64>) -> std::result::Result<CellIndex, geo::GeoIssue> {
    if let Some(issue) = geo::classify(lat, lon) {
        return Err(issue);
    }
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Err(geo::GeoIssue::Missing);
    };
    LatLng::new(lat, lon)
        .map(|ll| ll.to_cell(res::h3(MAX_RES)))
        .map_err(|_| geo::GeoIssue::Invalid)
}

pub(crate) fn f64_opt(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<f64>>> {
    let c = df
        .column(name)
        .map_err(|e| PipelineError::polars(path, e))?;
    let ca = c.f64().map_err(|e| PipelineError::polars(path, e))?;
    Ok(ca.iter().collect())
}

fn str_values<'a>(df: &'a DataFrame, name: &str, path: &Path) -> Result<&'a StringChunked> {
    df.column(name)
        .map_err(|e| PipelineError::polars(path, e))?
        .str()
        .map_err(|e| PipelineError::polars(path, e))
}

/// One month's rows in the compact form Gold aggregates: numbers, and dictionary codes for
/// text (codes are assigned in sorted order of the text, so sorting by code sorts by text).
#[derive(Debug, Default)]
pub struct MonthRows {
    /// Cells at r6 … r10; 0 where the record has no usable coordinates.
    pub cells: [Vec<u64>; 5],
    pub date: Vec<i32>,
    pub hour: Vec<u8>,
    pub dow: Vec<u8>,
    pub ty: Vec<u32>,
    pub types: Vec<String>,
    pub arrest: Vec<bool>,
    pub domestic: Vec<bool>,
    pub district: Vec<Option<u8>>,
    pub ward: Vec<Option<u8>>,
    pub community_area: Vec<Option<u8>>,
    pub beat: Vec<Option<u16>>,
    pub block: Vec<u32>,
    pub blocks: Vec<String>,
    pub street: Vec<u32>,
    pub streets: Vec<String>,
    pub issue: Vec<Option<geo::GeoIssue>>,
    /// Coordinates as reported (NaN where missing): block centres come from them.
    pub lat: Vec<f64>,
    pub lon: Vec<f64>,
}

impl MonthRows {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// Whether the month has no records.
    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }
}

/// Dictionary-codes text values: codes follow the sorted order of the distinct values.
fn encode<'a>(values: impl Iterator<Item = &'a str>) -> (Vec<u32>, Vec<String>) {
    let mut first: FastMap<&'a str, u32> = FastMap::default();
    let mut raw = Vec::new();
    for v in values {
        let next = first.len() as u32;
        raw.push(*first.entry(v).or_insert(next));
    }
    let mut names: Vec<(&str, u32)> = first.into_iter().collect();
    names.sort_unstable();
    let mut remap = vec![0u32; names.len()];
    for (new, (_, old)) in names.iter().enumerate() {
        remap[*old as usize] = new as u32;
    }
    (
        raw.into_iter().map(|c| remap[c as usize]).collect(),
        names.into_iter().map(|(n, _)| n.to_string()).collect(),
    )
}

fn u8_opt(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<u8>>> {
    let c = df
        .column(name)
        .map_err(|e| PipelineError::polars(path, e))?;
    let ca = c.u8().map_err(|e| PipelineError::polars(path, e))?;
    Ok(ca.iter().collect())
}

fn u16_opt(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<u16>>> {
    let c = df
        .column(name)
        .map_err(|e| PipelineError::polars(path, e))?;
    let ca = c.u16().map_err(|e| PipelineError::polars(path, e))?;
    Ok(ca.iter().collect())
}

fn bools(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<bool>> {
    let c = df
        .column(name)
        .map_err(|e| PipelineError::polars(path, e))?;
    let ca = c.bool().map_err(|e| PipelineError::polars(path, e))?;
    Ok(ca.iter().map(|v| v.unwrap_or(false)).collect())
}

/// Adds Silver's columns to a Bronze month. Returns the Silver frame and the month's rows in
/// the compact form Gold aggregates.
pub fn silver_from_bronze(bronze: DataFrame, path: &Path) -> Result<(DataFrame, MonthRows)> {
    let n = bronze.height();
    let occurred = frame::i64_values(&bronze, b::OCCURRED_AT)?;
    let lat = f64_opt(&bronze, b::LATITUDE, path)?;
    let lon = f64_opt(&bronze, b::LONGITUDE, path)?;

    // Calendar features.
    let mut date = Vec::with_capacity(n);
    let mut hour = Vec::with_capacity(n);
    let mut dow = Vec::with_capacity(n);
    let mut weekend = Vec::with_capacity(n);
    let (mut hs, mut hc, mut ds, mut dc, mut ms, mut mc) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for t in &occurred {
        let t = t.unwrap_or(0);
        let day = t.div_euclid(MICROS_PER_DAY) as i32;
        let h = time::hour_of_micros(t);
        let wd = time::weekday_monday0(day);
        let (_, month, _) = time::civil_from_days(day);
        date.push(day);
        hour.push(h);
        dow.push(wd);
        weekend.push(wd >= 5);
        let ha = TAU * f64::from(h) / 24.0;
        let da = TAU * f64::from(wd) / 7.0;
        let ma = TAU * f64::from(month) / 12.0;
        hs.push(ha.sin());
        hc.push(ha.cos());
        ds.push(da.sin());
        dc.push(da.cos());
        ms.push(ma.sin());
        mc.push(ma.cos());
    }

    // Category and street, computed once per distinct value.
    let (ty, types) = encode(
        str_values(&bronze, b::PRIMARY_TYPE, path)?
            .iter()
            .map(|t| t.unwrap_or("")),
    );
    let type_categories: Vec<&'static str> = types.iter().map(|t| default_category(t)).collect();
    let mut category = StrColumn::default();
    for code in &ty {
        category.push(type_categories[*code as usize]);
    }
    let (block, blocks) = encode(
        str_values(&bronze, b::BLOCK, path)?
            .iter()
            .map(|b| b.unwrap_or("")),
    );
    let (street_of, streets) = encode(
        blocks
            .iter()
            .map(|b| street_of_block(b))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let street: Vec<u32> = block.iter().map(|b| street_of[*b as usize]).collect();
    let mut street_col = StrColumn::default();
    for s in &street {
        street_col.push(&streets[*s as usize]);
    }

    // Geo checks and cells (months already run in parallel).
    let located: Vec<std::result::Result<CellIndex, geo::GeoIssue>> = lat
        .iter()
        .zip(&lon)
        .map(|(la, lo)| locate(*la, *lo))
        .collect();
    let mut geo_issue = StrColumn::default();
    let mut issue = Vec::with_capacity(n);
    let mut cells: [Vec<u64>; 5] = Default::default();
    for c in &mut cells {
        c.reserve(n);
    }
    for l in &located {
        match l {
            Ok(cell) => {
                geo_issue.push_opt(None);
                issue.push(None);
                for (i, r) in RESOLUTIONS.iter().enumerate() {
                    let c = cell.parent(res::h3(*r)).unwrap_or(*cell);
                    cells[i].push(u64::from(c));
                }
            }
            Err(e) => {
                geo_issue.push_opt(Some(e.code()));
                issue.push(Some(*e));
                for c in &mut cells {
                    c.push(0);
                }
            }
        }
    }

    let mut columns = vec![
        category.into_column(s::CATEGORY),
        frame::date_column(s::DATE, date.clone()),
        frame::vec_column::<UInt8Type>(s::HOUR, hour.clone()),
        frame::vec_column::<UInt8Type>(s::DOW, dow.clone()),
        frame::bool_column(s::IS_WEEKEND, weekend),
        frame::vec_column::<Float64Type>(s::HOUR_SIN, hs),
        frame::vec_column::<Float64Type>(s::HOUR_COS, hc),
        frame::vec_column::<Float64Type>(s::DOW_SIN, ds),
        frame::vec_column::<Float64Type>(s::DOW_COS, dc),
        frame::vec_column::<Float64Type>(s::MONTH_SIN, ms),
        frame::vec_column::<Float64Type>(s::MONTH_COS, mc),
        street_col.into_column(s::STREET),
        geo_issue.into_column(s::GEO_ISSUE),
    ];
    for (r, c) in RESOLUTIONS.iter().zip(&cells) {
        columns.push(frame::opt_column::<UInt64Type>(
            &s::h3(*r),
            c.iter().map(|v| (*v != 0).then_some(*v)).collect(),
        ));
    }
    let rows = MonthRows {
        cells,
        date,
        hour,
        dow,
        ty,
        types,
        arrest: bools(&bronze, b::ARREST, path)?,
        domestic: bools(&bronze, b::DOMESTIC, path)?,
        district: u8_opt(&bronze, b::DISTRICT, path)?,
        ward: u8_opt(&bronze, b::WARD, path)?,
        community_area: u8_opt(&bronze, b::COMMUNITY_AREA, path)?,
        beat: u16_opt(&bronze, b::BEAT, path)?,
        block,
        blocks,
        street,
        streets,
        issue,
        lat: lat.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
        lon: lon.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
    };
    let mut silver = bronze;
    silver
        .hstack_mut(&columns)
        .map_err(|e| PipelineError::polars(path, e))?;
    Ok((silver, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_from_the_r10_cell() {
        // h3-py 4 (h3.latlng_to_cell / cell_to_parent) for the same point.
        let cell = locate(Some(41.882_607), Some(-87.747_803)).expect("in city");
        assert_eq!(format!("{:x}", u64::from(cell)), "8a2664c81c5ffff");
        let parents: Vec<String> = (6..=9u8)
            .map(|r| format!("{:x}", hotspot_core::h3bits::parent(u64::from(cell), r)))
            .collect();
        assert_eq!(
            parents,
            [
                "862664c87ffffff",
                "872664c81ffffff",
                "882664c81dfffff",
                "892664c81c7ffff"
            ]
        );
        assert_eq!(locate(None, Some(-87.7)), Err(geo::GeoIssue::Missing));
        assert_eq!(
            locate(Some(f64::NAN), Some(-87.7)),
            Err(geo::GeoIssue::Invalid)
        );
        assert_eq!(
            locate(Some(0.0), Some(0.0)),
            Err(geo::GeoIssue::OutsideCity)
        );
    }
}
