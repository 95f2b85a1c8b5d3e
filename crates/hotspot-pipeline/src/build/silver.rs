//! Bronze → Silver: calendar features, taxonomy, street names, geo checks and H3 cells.
//!
//! The point is assigned to a cell once, at r10 (h3o, in parallel); r6–r9 are its parents, so
//! every coarse cell's count is exactly the sum of its children's.

use std::collections::HashMap;
use std::f64::consts::TAU;
use std::path::Path;

use h3o::{CellIndex, LatLng};
use hotspot_core::geo;
use hotspot_core::names::street_of_block;
use hotspot_core::res::{self, MAX_RES, RESOLUTIONS};
use hotspot_core::taxonomy::default_category;
use hotspot_core::time::{self, MICROS_PER_DAY};
use polars::prelude::*;
use rayon::prelude::*;

use crate::error::{PipelineError, Result};
use crate::frame::{self, StrColumn};
use crate::schema::{bronze as b, silver as s};

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

fn f64_opt(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<f64>>> {
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

/// Adds Silver's columns to a Bronze month. Returns the Silver frame.
pub fn silver_from_bronze(bronze: DataFrame, path: &Path) -> Result<DataFrame> {
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
    let types = str_values(&bronze, b::PRIMARY_TYPE, path)?;
    let mut category = StrColumn::default();
    let mut cat_cache: HashMap<&str, &'static str> = HashMap::new();
    for t in types.iter() {
        let t = t.unwrap_or("");
        let c = *cat_cache.entry(t).or_insert_with(|| default_category(t));
        category.push(c);
    }
    let blocks = str_values(&bronze, b::BLOCK, path)?;
    let mut street = StrColumn::default();
    let mut street_cache: HashMap<&str, String> = HashMap::new();
    for blk in blocks.iter() {
        let blk = blk.unwrap_or("");
        let st = street_cache
            .entry(blk)
            .or_insert_with(|| street_of_block(blk));
        street.push(st);
    }

    // Geo checks and cells, in parallel.
    let located: Vec<std::result::Result<CellIndex, geo::GeoIssue>> = lat
        .par_iter()
        .zip(lon.par_iter())
        .with_min_len(4096)
        .map(|(la, lo)| locate(*la, *lo))
        .collect();
    let mut geo_issue = StrColumn::default();
    let mut cells: Vec<Vec<Option<u64>>> =
        RESOLUTIONS.iter().map(|_| Vec::with_capacity(n)).collect();
    for l in &located {
        match l {
            Ok(cell) => {
                geo_issue.push_opt(None);
                for (i, r) in RESOLUTIONS.iter().enumerate() {
                    let c = cell.parent(res::h3(*r)).unwrap_or(*cell);
                    cells[i].push(Some(u64::from(c)));
                }
            }
            Err(issue) => {
                geo_issue.push_opt(Some(issue.code()));
                for c in &mut cells {
                    c.push(None);
                }
            }
        }
    }

    let mut columns = vec![
        category.into_column(s::CATEGORY),
        frame::date_column(s::DATE, date),
        frame::vec_column::<UInt8Type>(s::HOUR, hour),
        frame::vec_column::<UInt8Type>(s::DOW, dow),
        frame::bool_column(s::IS_WEEKEND, weekend),
        frame::vec_column::<Float64Type>(s::HOUR_SIN, hs),
        frame::vec_column::<Float64Type>(s::HOUR_COS, hc),
        frame::vec_column::<Float64Type>(s::DOW_SIN, ds),
        frame::vec_column::<Float64Type>(s::DOW_COS, dc),
        frame::vec_column::<Float64Type>(s::MONTH_SIN, ms),
        frame::vec_column::<Float64Type>(s::MONTH_COS, mc),
        street.into_column(s::STREET),
        geo_issue.into_column(s::GEO_ISSUE),
    ];
    for (r, c) in RESOLUTIONS.iter().zip(cells) {
        columns.push(frame::opt_column::<UInt64Type>(&s::h3(*r), c));
    }
    let mut silver = bronze;
    silver
        .hstack_mut(&columns)
        .map_err(|e| PipelineError::polars(path, e))?;
    Ok(silver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_from_the_r10_cell() {
        let cell = locate(Some(41.882_607), Some(-87.747_803)).expect("in city");
        assert_eq!(u8::from(cell.resolution()), 10);
        let r6 = cell.parent(res::h3(6)).expect("parent");
        assert!(r6.children(res::h3(10)).any(|c| c == cell));
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
