//! Context layers built from our own data: the city footprint and district / community-area
//! boundaries, obtained by dissolving r10 cells grouped by their modal district / community
//! area into polygons (h3o), stroked as constant-width lines (lyon), with label anchors.

use std::collections::BTreeMap;

use glam::DVec2;
use h3o::{CellIndex, Resolution};
use lyon::math::point;
use lyon::path::Path;
use lyon::tessellation::{
    BuffersBuilder, FillOptions, FillRule, FillTessellator, FillVertex, LineJoin, StrokeOptions,
    StrokeTessellator, StrokeVertex, VertexBuffers,
};

use crate::RenderError;
use crate::mercator::{project, project_ll, unproject};

/// A polygon in Web Mercator metres (rings not closed: the last point is not repeated).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Polygon {
    pub exterior: Vec<DVec2>,
    pub holes: Vec<Vec<DVec2>>,
}

impl Polygon {
    /// Projected area of the exterior minus the holes (m²).
    pub fn area(&self) -> f64 {
        ring_area(&self.exterior).abs() - self.holes.iter().map(|h| ring_area(h).abs()).sum::<f64>()
    }
}

fn ring_area(r: &[DVec2]) -> f64 {
    let n = r.len();
    (0..n).map(|i| r[i].perp_dot(r[(i + 1) % n])).sum::<f64>() * 0.5
}

fn ring_centroid(r: &[DVec2]) -> Option<DVec2> {
    let n = r.len();
    if n < 3 {
        return None;
    }
    let o = r[0];
    let (mut a, mut c) = (0.0, DVec2::ZERO);
    for i in 0..n {
        let (p, q) = (r[i] - o, r[(i + 1) % n] - o);
        let cross = p.perp_dot(q);
        a += cross;
        c += (p + q) * cross;
    }
    (a.abs() > 0.0).then(|| o + c / (3.0 * a))
}

/// One district or community area.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// District, community-area, ward or beat number.
    pub id: u16,
    /// The label drawn on the map.
    pub name: String,
    /// Dissolved outline, largest polygon first.
    pub polygons: Vec<Polygon>,
    /// Where the label goes: the member cell centre nearest to the centroid of the largest
    /// polygon (so it always lies inside the region), as (latitude, longitude).
    pub anchor: (f64, f64),
    /// Number of r10 cells.
    pub cells: usize,
}

/// The context layers the map draws under its labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContextLayers {
    /// The union of every r10 cell (small holes filled).
    pub footprint: Vec<Polygon>,
    pub districts: Vec<Region>,
    pub community_areas: Vec<Region>,
    /// Ward and beat outlines, as the lake's build dissolved them (`gold/context/areas`).
    pub wards: Vec<Region>,
    pub beats: Vec<Region>,
    /// Street polylines, busiest first.
    pub streets: Vec<Street>,
}

/// One street polyline as the map draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Street {
    /// "W Madison St".
    pub label: String,
    /// Drawn from district scale down (the streets with the most blocks); the rest only at
    /// street scale.
    pub arterial: bool,
    pub incidents: u64,
    /// Vertices in Web Mercator metres.
    pub line: Vec<DVec2>,
}

/// A user's layer (a GeoJSON file, read above the renderer): lines, polygon rings and points
/// as (latitude, longitude), with labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OverlayLayer {
    /// Its name (the file's stem).
    pub name: String,
    pub lines: Vec<Vec<(f64, f64)>>,
    /// Polygon rings (closed: the first position repeated last, as GeoJSON writes them).
    pub rings: Vec<Vec<(f64, f64)>>,
    pub points: Vec<(f64, f64)>,
    pub labels: Vec<((f64, f64), String)>,
}

impl OverlayLayer {
    /// Whether it has nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.rings.is_empty() && self.points.is_empty()
    }
}

/// Point markers: an octagon fan per point, its rim vertices' normals unit vectors, so the
/// line shader draws it `half_width` pixels in radius at every zoom.
pub fn point_markers(points: &[DVec2], origin: DVec2) -> LineMesh {
    let mut vertices = Vec::with_capacity(points.len() * 9);
    let mut indices = Vec::with_capacity(points.len() * 24);
    for p in points {
        let c = *p - origin;
        let pos = [c.x as f32, c.y as f32];
        let base = vertices.len() as u32;
        vertices.push(LineVertex {
            pos,
            normal: [0.0, 0.0],
        });
        for k in 0..8 {
            let a = std::f32::consts::TAU * k as f32 / 8.0;
            vertices.push(LineVertex {
                pos,
                normal: [a.cos(), a.sin()],
            });
        }
        for k in 0..8u32 {
            indices.extend([base, base + 1 + k, base + 1 + (k + 1) % 8]);
        }
    }
    LineMesh {
        origin,
        vertices,
        indices,
    }
}

/// A street polyline as the lake holds it (see `gold/context/streets`).
#[derive(Clone, Debug, PartialEq)]
pub struct StreetInput {
    pub label: String,
    /// Normalised street name: the polylines of one street share it.
    pub street: String,
    /// Blocks it spans (`(to_block − from_block) / 100 + 1`).
    pub blocks: u32,
    pub incidents: u64,
    /// Vertices as (latitude, longitude).
    pub points: Vec<(f64, f64)>,
}

/// One outline ring of a named area as the lake holds it (see `gold/context/areas`).
#[derive(Clone, Debug, PartialEq)]
pub struct AreaInput {
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

/// The share of streets (by their total blocks) drawn as arterials.
const ARTERIAL_SHARE: f64 = 0.12;
/// A street needs at least this many blocks in the lake to be an arterial.
const ARTERIAL_MIN_BLOCKS: u32 = 8;

/// Holes smaller than this many r10 cells are filled in the footprint.
const FOOTPRINT_MIN_HOLE_CELLS: f64 = 40.0;
/// Region polygons smaller than this many r10 cells are not drawn (modal-label noise).
const REGION_MIN_POLYGON_CELLS: f64 = 4.0;

fn dissolve(cells: Vec<CellIndex>) -> Result<Vec<Polygon>, RenderError> {
    let project_ring = |r: &[(f64, f64)]| -> Vec<DVec2> {
        r.iter().map(|(lat, lon)| project(*lat, *lon)).collect()
    };
    Ok(
        hotspot_core::dissolve::dissolve(cells.into_iter().map(u64::from))
            .map_err(RenderError::Dissolve)?
            .iter()
            .map(|p| Polygon {
                exterior: project_ring(&p.exterior),
                holes: p.holes.iter().map(|h| project_ring(h)).collect(),
            })
            .collect(),
    )
}

/// Mean projected area of an r10 cell near `lat` (m² of Web Mercator).
fn r10_projected_area(lat: f64) -> f64 {
    crate::mercator::projected_area(Resolution::Ten.area_m2(), lat)
}

fn build_regions(
    groups: BTreeMap<u8, Vec<CellIndex>>,
    name: impl Fn(u8) -> String,
    min_polygon_area: f64,
) -> Result<Vec<Region>, RenderError> {
    let mut out = Vec::with_capacity(groups.len());
    for (id, cells) in groups {
        let n = cells.len();
        let centres: Vec<DVec2> = cells
            .iter()
            .map(|c| project_ll(h3o::LatLng::from(*c)))
            .collect();
        let mut polygons = dissolve(cells)?;
        polygons.sort_by(|a, b| b.area().total_cmp(&a.area()));
        let target = polygons
            .first()
            .and_then(|p| ring_centroid(&p.exterior))
            .unwrap_or_else(|| centres.iter().copied().sum::<DVec2>() / n.max(1) as f64);
        let anchor = centres
            .iter()
            .copied()
            .min_by(|a, b| {
                a.distance_squared(target)
                    .total_cmp(&b.distance_squared(target))
            })
            .unwrap_or(target);
        let keep_first = polygons.len().min(1);
        let mut kept: Vec<Polygon> = Vec::with_capacity(polygons.len());
        for (i, p) in polygons.into_iter().enumerate() {
            if i < keep_first || p.area() >= min_polygon_area {
                kept.push(p);
            }
        }
        out.push(Region {
            id: u16::from(id),
            name: name(id),
            polygons: kept,
            anchor: unproject(anchor),
            cells: n,
        });
    }
    Ok(out)
}

impl ContextLayers {
    /// Builds the footprint and the district / community-area outlines from r10 cells with
    /// their modal district and community area. Ids that are not valid r10 cells are ignored.
    pub fn from_r10(cells: &[(u64, Option<u8>, Option<u8>)]) -> Result<Self, RenderError> {
        let mut all = Vec::with_capacity(cells.len());
        let mut districts: BTreeMap<u8, Vec<CellIndex>> = BTreeMap::new();
        let mut areas: BTreeMap<u8, Vec<CellIndex>> = BTreeMap::new();
        let mut seen = crate::geometry::CellMap::<()>::default();
        for &(id, district, area) in cells {
            let Ok(c) = CellIndex::try_from(id) else {
                continue;
            };
            if c.resolution() != Resolution::Ten || seen.insert(id, ()).is_some() {
                continue;
            }
            all.push(c);
            if let Some(d) = district {
                districts.entry(d).or_default().push(c);
            }
            if let Some(a) = area {
                areas.entry(a).or_default().push(c);
            }
        }
        let lat = all.first().map_or(41.88, |c| h3o::LatLng::from(*c).lat());
        let cell_area = r10_projected_area(lat);
        let mut footprint = dissolve(all)?;
        for p in &mut footprint {
            p.holes
                .retain(|h| ring_area(h).abs() >= FOOTPRINT_MIN_HOLE_CELLS * cell_area);
        }
        footprint.sort_by(|a, b| b.area().total_cmp(&a.area()));
        let min_poly = REGION_MIN_POLYGON_CELLS * cell_area;
        Ok(Self {
            footprint,
            districts: build_regions(districts, hotspot_core::names::district_label, min_poly)?,
            community_areas: build_regions(
                areas,
                |n| {
                    hotspot_core::names::community_area_name(n).map_or_else(
                        || hotspot_core::names::community_area_label(n),
                        str::to_string,
                    )
                },
                min_poly,
            )?,
            streets: Vec::new(),
            wards: Vec::new(),
            beats: Vec::new(),
        })
    }

    /// [`ContextLayers::from_r10`] from cells of any resolution up to r10, each filled down
    /// to its r10 children, which inherit its district and community area. Building from a
    /// coarser coverage (r9) draws clean outlines for a lake whose r10 coverage is sparse.
    pub fn from_cells(cells: &[(u64, Option<u8>, Option<u8>)]) -> Result<Self, RenderError> {
        let mut r10 = Vec::with_capacity(cells.len() * 7);
        for &(id, district, area) in cells {
            let Ok(c) = CellIndex::try_from(id) else {
                continue;
            };
            if c.resolution() > Resolution::Ten {
                continue;
            }
            r10.extend(
                c.children(Resolution::Ten)
                    .map(|k| (u64::from(k), district, area)),
            );
        }
        Self::from_r10(&r10)
    }

    /// Adds street polylines. A street is an arterial when its polylines together span the
    /// most blocks: the top 12 % of the streets on its grid axis (north–south, east–west,
    /// other), and at least 8 blocks.
    pub fn with_streets(mut self, input: Vec<StreetInput>) -> Self {
        // Blocks per street name, ranked within each grid axis: a north–south street (`N`/`S`)
        // runs the whole city from Madison while an east–west one starts at State, so one
        // ranking would crown only north–south streets.
        let axis = |street: &str| match street.split_whitespace().next() {
            Some("N" | "S") => 0u8,
            Some("E" | "W") => 1,
            _ => 2,
        };
        let mut blocks: BTreeMap<&str, u32> = BTreeMap::new();
        for s in &input {
            *blocks.entry(s.street.as_str()).or_default() += s.blocks;
        }
        let mut arterial: std::collections::BTreeSet<String> = Default::default();
        for a in 0..3u8 {
            let mut ranked: Vec<u32> = blocks
                .iter()
                .filter(|(s, _)| axis(s) == a)
                .map(|(_, b)| *b)
                .collect();
            ranked.sort_unstable_by(|x, y| y.cmp(x));
            let cut = ranked
                .get(((ranked.len() as f64 * ARTERIAL_SHARE).ceil() as usize).saturating_sub(1))
                .copied()
                .unwrap_or(u32::MAX)
                .max(ARTERIAL_MIN_BLOCKS);
            arterial.extend(
                blocks
                    .iter()
                    .filter(|(s, b)| axis(s) == a && **b >= cut)
                    .map(|(s, _)| (*s).to_string()),
            );
        }
        let mut streets: Vec<Street> = input
            .into_iter()
            .filter(|s| s.points.len() >= 2)
            .map(|s| Street {
                arterial: arterial.contains(&s.street),
                label: s.label,
                incidents: s.incidents,
                line: s.points.iter().map(|(la, lo)| project(*la, *lo)).collect(),
            })
            .collect();
        streets.sort_by_key(|s| std::cmp::Reverse(s.incidents));
        self.streets = streets;
        self
    }

    /// Adds the ward and beat outlines of the lake's area table (the district and
    /// community-area outlines are dissolved from the cells already). Each area's label goes
    /// at the centroid of its largest polygon.
    pub fn with_areas(mut self, rings: Vec<AreaInput>) -> Self {
        let lat = rings
            .first()
            .and_then(|r| r.points.first())
            .map_or(41.88, |p| p.0);
        let cell_area = r10_projected_area(lat);
        let mut by_area: BTreeMap<(String, u16), (String, BTreeMap<u32, Polygon>)> =
            BTreeMap::new();
        for r in rings {
            if r.kind != "ward" && r.kind != "beat" {
                continue;
            }
            let mut pts: Vec<DVec2> = r.points.iter().map(|(la, lo)| project(*la, *lo)).collect();
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            let entry = by_area
                .entry((r.kind, r.code))
                .or_insert_with(|| (r.name, BTreeMap::new()));
            let poly = entry.1.entry(r.polygon).or_default();
            if r.ring == 0 {
                poly.exterior = pts;
            } else {
                poly.holes.push(pts);
            }
        }
        for ((kind, code), (name, polys)) in by_area {
            let mut polygons: Vec<Polygon> = polys
                .into_values()
                .filter(|p| p.exterior.len() >= 3)
                .collect();
            polygons.sort_by(|a, b| b.area().total_cmp(&a.area()));
            let Some(anchor) = polygons.first().and_then(|p| ring_centroid(&p.exterior)) else {
                continue;
            };
            let area: f64 = polygons.iter().map(Polygon::area).sum();
            let region = Region {
                id: code,
                name,
                polygons,
                anchor: unproject(anchor),
                cells: (area / cell_area).round() as usize,
            };
            if kind == "ward" {
                self.wards.push(region);
            } else {
                self.beats.push(region);
            }
        }
        self
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.footprint.is_empty() && self.districts.is_empty() && self.community_areas.is_empty()
    }

    /// World bounds (metres) of the footprint.
    pub fn bounds(&self) -> Option<(DVec2, DVec2)> {
        let mut min = DVec2::splat(f64::INFINITY);
        let mut max = DVec2::splat(f64::NEG_INFINITY);
        for p in &self.footprint {
            for q in &p.exterior {
                min = min.min(*q);
                max = max.max(*q);
            }
        }
        (min.x <= max.x).then_some((min, max))
    }
}

/// A line or fill mesh: positions relative to `origin` (metres) plus extrusion normals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineMesh {
    pub origin: DVec2,
    pub vertices: Vec<LineVertex>,
    pub indices: Vec<u32>,
}

/// A vertex of a [`LineMesh`]: the point on the path and lyon's normal (displacing by
/// `normal × w / 2` gives a stroke of width `w`); zero for fills.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LineVertex {
    pub pos: [f32; 2],
    pub normal: [f32; 2],
}

fn rings_path<'a>(rings: impl Iterator<Item = &'a [DVec2]>, origin: DVec2) -> Path {
    paths(rings, origin, true)
}

fn paths<'a>(lines: impl Iterator<Item = &'a [DVec2]>, origin: DVec2, closed: bool) -> Path {
    let mut b = Path::builder();
    for r in lines {
        if r.len() < 2 {
            continue;
        }
        let p0 = r[0] - origin;
        b.begin(point(p0.x as f32, p0.y as f32));
        for q in &r[1..] {
            let p = *q - origin;
            b.line_to(point(p.x as f32, p.y as f32));
        }
        b.end(closed);
    }
    b.build()
}

/// Tessellates a path at unit width: every vertex keeps its point on the path and lyon's
/// normal, and the line shader extrudes them to a width in pixels.
fn stroke(path: &Path, options: &StrokeOptions, origin: DVec2) -> Result<LineMesh, RenderError> {
    let mut buffers: VertexBuffers<LineVertex, u32> = VertexBuffers::new();
    StrokeTessellator::new()
        .tessellate_path(
            path,
            &options.with_line_width(1.0).with_tolerance(0.05),
            &mut BuffersBuilder::new(&mut buffers, |v: StrokeVertex| LineVertex {
                pos: v.position_on_path().to_array(),
                normal: v.normal().to_array(),
            }),
        )
        .map_err(|e| RenderError::Tessellation(format!("{e:?}")))?;
    Ok(LineMesh {
        origin,
        vertices: buffers.vertices,
        indices: buffers.indices,
    })
}

/// Strokes open polylines (world metres) into a constant-pixel-width line mesh with round
/// joins and caps (streets).
pub fn stroke_polylines<'a>(
    lines: impl Iterator<Item = &'a [DVec2]>,
    origin: DVec2,
) -> Result<LineMesh, RenderError> {
    let options = StrokeOptions::default()
        .with_line_join(LineJoin::Round)
        .with_line_cap(lyon::tessellation::LineCap::Round);
    stroke(&paths(lines, origin, false), &options, origin)
}

/// Strokes closed rings (world metres) into a constant-pixel-width line mesh.
pub fn stroke_rings<'a>(
    rings: impl Iterator<Item = &'a [DVec2]>,
    origin: DVec2,
) -> Result<LineMesh, RenderError> {
    let options = StrokeOptions::default()
        .with_line_join(LineJoin::MiterClip)
        .with_miter_limit(2.0);
    stroke(&rings_path(rings, origin), &options, origin)
}

/// Fills polygons with holes (world metres).
pub fn fill_polygons(polygons: &[Polygon], origin: DVec2) -> Result<LineMesh, RenderError> {
    let rings = polygons.iter().flat_map(|p| {
        std::iter::once(p.exterior.as_slice()).chain(p.holes.iter().map(Vec::as_slice))
    });
    let path = rings_path(rings, origin);
    let mut buffers: VertexBuffers<LineVertex, u32> = VertexBuffers::new();
    FillTessellator::new()
        .tessellate_path(
            &path,
            &FillOptions::default()
                .with_fill_rule(FillRule::EvenOdd)
                .with_tolerance(0.05),
            &mut BuffersBuilder::new(&mut buffers, |v: FillVertex| LineVertex {
                pos: v.position().to_array(),
                normal: [0.0, 0.0],
            }),
        )
        .map_err(|e| RenderError::Tessellation(format!("{e:?}")))?;
    Ok(LineMesh {
        origin,
        vertices: buffers.vertices,
        indices: buffers.indices,
    })
}

/// The outline of one cell (for hover / selection), or `None` for an invalid id.
pub fn cell_outline(cell: u64, origin: DVec2) -> Option<Result<LineMesh, RenderError>> {
    let c = CellIndex::try_from(cell).ok()?;
    let ring: Vec<DVec2> = c.boundary().iter().map(|ll| project_ll(*ll)).collect();
    Some(stroke_rings(std::iter::once(ring.as_slice()), origin))
}

/// All rings of a set of polygons (exteriors and holes).
pub fn polygon_rings(polygons: &[Polygon]) -> impl Iterator<Item = &[DVec2]> {
    polygons.iter().flat_map(|p| {
        std::iter::once(p.exterior.as_slice()).chain(p.holes.iter().map(Vec::as_slice))
    })
}
