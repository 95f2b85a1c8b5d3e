//! Named areas with outlines: police districts, beats, wards and community areas, each the
//! dissolved union of the r10 cells whose all-time modal jurisdiction it is
//! (`gold/context/areas`, one row per polygon ring).

use hotspot_core::dissolve::dissolve;
use hotspot_core::hash::FastMap;
use hotspot_core::names;
use polars::prelude::*;

use super::gold::TallyField;
use super::labels::AllTime;
use crate::error::{PipelineError, Result};
use crate::frame::{self, StrColumn};

/// Columns of `gold/context/areas`.
pub mod columns {
    pub const KIND: &str = "kind";
    pub const CODE: &str = "code";
    pub const NAME: &str = "name";
    pub const POLYGON: &str = "polygon";
    pub const RING: &str = "ring";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
}

/// A kind of area: as the `kind` column spells it, the tally it comes from, how a code is named.
type Kind = (&'static str, TallyField, fn(u16) -> String);

/// The kinds of area.
const KINDS: [Kind; 4] = [
    ("district", TallyField::District, |n| {
        u8::try_from(n).map_or_else(|_| format!("District {n}"), names::district_label)
    }),
    ("beat", TallyField::Beat, |n| format!("Beat {n:04}")),
    ("ward", TallyField::Ward, |n| format!("Ward {n}")),
    ("community_area", TallyField::CommunityArea, |n| {
        u8::try_from(n)
            .ok()
            .and_then(names::community_area_name)
            .map_or_else(|| format!("Community Area {n}"), str::to_string)
    }),
];

/// One ring of an area's outline.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaRing {
    pub kind: &'static str,
    pub code: u16,
    pub name: String,
    /// Which polygon of the area (in the order h3o dissolves them).
    pub polygon: u32,
    /// 0 the exterior, 1… its holes.
    pub ring: u32,
    /// Vertices as (latitude, longitude), closed (the first repeated last).
    pub points: Vec<(f64, f64)>,
}

/// Every area's outline rings from the all-time modes at r10 (areas dissolved in parallel).
pub fn area_rings(all: &AllTime) -> Result<Vec<AreaRing>> {
    use rayon::prelude::*;
    // One job per area: its kind, naming, code and cells.
    let mut jobs: Vec<(Kind, u16, Vec<u64>)> = Vec::new();
    for kind @ (_, field, _) in KINDS {
        let mut by_code: FastMap<u16, Vec<u64>> = FastMap::default();
        for (cell, code) in all.numeric_modes(field, 10) {
            by_code.entry(code).or_default().push(cell);
        }
        let mut codes: Vec<(u16, Vec<u64>)> = by_code.into_iter().collect();
        codes.sort_unstable_by_key(|(c, _)| *c);
        jobs.extend(codes.into_iter().map(|(code, cells)| (kind, code, cells)));
    }
    let done: Vec<Result<Vec<AreaRing>>> = jobs
        .into_par_iter()
        .map(|((kind, _, name), code, cells)| {
            let polygons = dissolve(cells).map_err(|detail| PipelineError::Schema {
                path: std::path::PathBuf::from("gold/context/areas"),
                column: kind.into(),
                detail: format!("cannot outline {kind} {code}: {detail}"),
            })?;
            let mut out = Vec::new();
            for (p, poly) in polygons.iter().enumerate() {
                for (r, ring) in std::iter::once(&poly.exterior)
                    .chain(&poly.holes)
                    .enumerate()
                {
                    let mut points = ring.clone();
                    if let Some(first) = points.first().copied() {
                        points.push(first);
                    }
                    out.push(AreaRing {
                        kind,
                        code,
                        name: name(code),
                        polygon: p as u32,
                        ring: r as u32,
                        points,
                    });
                }
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::new();
    for d in done {
        out.extend(d?);
    }
    Ok(out)
}

/// The rings as the `gold/context/areas` table (vertex lists as `list<f64>`).
pub fn areas_frame(rings: &[AreaRing]) -> Result<DataFrame> {
    use columns as c;
    let mut kind = StrColumn::default();
    let mut name = StrColumn::default();
    for r in rings {
        kind.push(r.kind);
        name.push(&r.name);
    }
    let list = |col: &str, f: fn(&(f64, f64)) -> f64| {
        let series: Vec<Series> = rings
            .iter()
            .map(|r| Series::new("".into(), r.points.iter().map(f).collect::<Vec<f64>>()))
            .collect();
        Column::new(col.into(), series)
    };
    frame::frame(vec![
        kind.into_column(c::KIND),
        frame::vec_column::<UInt16Type>(c::CODE, rings.iter().map(|r| r.code).collect()),
        name.into_column(c::NAME),
        frame::vec_column::<UInt32Type>(c::POLYGON, rings.iter().map(|r| r.polygon).collect()),
        frame::vec_column::<UInt32Type>(c::RING, rings.iter().map(|r| r.ring).collect()),
        list(c::LAT, |p| p.0),
        list(c::LON, |p| p.1),
    ])
}
