//! The lake's context tables as the map reads them: the street skeleton
//! (`gold/context/streets`) and the outlines of named areas (`gold/context/areas`).

use std::path::Path;

use crate::error::{Result, ScopeError};
use crate::read::Table;

/// The most vertices the engine reads from the streets table (a full-history Chicago lake
/// holds well under a million).
pub const MAX_STREET_VERTICES: usize = 20_000_000;

/// One polyline of a street.
#[derive(Clone, Debug, PartialEq)]
pub struct StreetLine {
    /// Normalised like Silver's `street`: `W MADISON ST`.
    pub street: String,
    /// As people write it: `W Madison St`.
    pub label: String,
    pub from_block: u32,
    pub to_block: u32,
    pub incidents: u64,
    /// Vertices as (latitude, longitude), in block order.
    pub points: Vec<(f64, f64)>,
}

impl StreetLine {
    /// Blocks the polyline spans.
    pub fn blocks(&self) -> u32 {
        self.to_block.saturating_sub(self.from_block) / 100 + 1
    }
}

/// Each row's `lat` and `lon` lists as (latitude, longitude) vertices; non-finite ones are
/// dropped, and lists of different lengths are an error naming the row.
fn vertices(t: &Table, path: &Path) -> Result<Vec<Vec<(f64, f64)>>> {
    let lat = t.f64_lists("lat", MAX_STREET_VERTICES)?;
    let lon = t.f64_lists("lon", MAX_STREET_VERTICES)?;
    lat.iter()
        .zip(&lon)
        .enumerate()
        .map(|(i, (la, lo))| {
            if la.len() != lo.len() {
                return Err(ScopeError::column(
                    path,
                    "lon",
                    format!(
                        "row {i} has {} latitudes and {} longitudes",
                        la.len(),
                        lo.len()
                    ),
                ));
            }
            Ok(la
                .iter()
                .zip(lo)
                .filter(|(a, b)| a.is_finite() && b.is_finite())
                .map(|(a, b)| (*a, *b))
                .collect())
        })
        .collect()
}

/// Reads the streets table; a lake built before streets were derived has none (empty).
pub fn read_streets(path: &Path) -> Result<Vec<StreetLine>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let cols = [
        "street",
        "label",
        "from_block",
        "to_block",
        "incidents",
        "lat",
        "lon",
    ];
    let t = Table::read(path, &cols)?;
    let street = t.strings("street")?;
    let label = t.strings("label")?;
    let from = t.uint_required("from_block")?;
    let to = t.uint_required("to_block")?;
    let incidents = t.uint_required("incidents")?;
    let rows = vertices(&t, path)?;
    let mut out = Vec::with_capacity(t.len());
    for (i, points) in rows.into_iter().enumerate() {
        out.push(StreetLine {
            street: street[i].clone().unwrap_or_default(),
            label: label[i].clone().unwrap_or_default(),
            from_block: u32::try_from(from[i]).unwrap_or(u32::MAX),
            to_block: u32::try_from(to[i]).unwrap_or(u32::MAX),
            incidents: incidents[i],
            points,
        });
    }
    Ok(out)
}

/// One outline ring of a police district, beat, ward or community area.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaRing {
    /// `district`, `beat`, `ward` or `community_area`.
    pub kind: String,
    pub code: u16,
    pub name: String,
    pub polygon: u32,
    /// 0 the exterior, then its holes.
    pub ring: u32,
    /// Closed ring as (latitude, longitude).
    pub points: Vec<(f64, f64)>,
}

/// Reads the areas table; a lake built before area outlines were stored has none (empty).
pub fn read_areas(path: &Path) -> Result<Vec<AreaRing>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let cols = ["kind", "code", "name", "polygon", "ring", "lat", "lon"];
    let t = Table::read(path, &cols)?;
    let kind = t.strings("kind")?;
    let name = t.strings("name")?;
    let code = t.uint_required("code")?;
    let polygon = t.uint_required("polygon")?;
    let ring = t.uint_required("ring")?;
    let rows = vertices(&t, path)?;
    let mut out = Vec::with_capacity(t.len());
    for (i, points) in rows.into_iter().enumerate() {
        out.push(AreaRing {
            kind: kind[i].clone().unwrap_or_default(),
            code: u16::try_from(code[i]).unwrap_or(u16::MAX),
            name: name[i].clone().unwrap_or_default(),
            polygon: u32::try_from(polygon[i]).unwrap_or(u32::MAX),
            ring: u32::try_from(ring[i]).unwrap_or(u32::MAX),
            points,
        });
    }
    Ok(out)
}
