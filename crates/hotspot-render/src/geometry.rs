//! Per-resolution cell geometry: every cell's exact H3 boundary, projected in f64, stored in f32
//! relative to a local origin, fan-triangulated (H3 cells are convex), sorted into spatial
//! chunks for frustum culling, with a cell id → slot map built once.

use glam::{DVec2, Vec2};
use h3o::CellIndex;

use crate::RenderError;
use crate::mercator::project_ll;

/// Cells per culling chunk.
pub const CHUNK_CELLS: usize = 2048;

/// A map keyed by H3 id (the workspace's fast integer hasher: H3 ids share their high bits and
/// their low bits, so they need mixing, but SipHash is needlessly slow for per-frame lookups).
pub type CellMap<V> = hotspot_core::hash::FastMap<u64, V>;

/// One vertex of a cell: position relative to the geometry's origin (Web Mercator metres),
/// the miter vector that moves both adjacent edges inward by one unit (cell outlines are gaps
/// drawn by insetting every cell by half the outline width), and the cell's slot.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct CellVertex {
    pub pos: [f32; 2],
    pub inset: [f32; 2],
    pub slot: u32,
}

/// A run of cells drawn together and culled together.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chunk {
    pub first_index: u32,
    pub index_count: u32,
    /// The same cells in the level-of-detail mesh.
    pub lod_first_index: u32,
    pub lod_index_count: u32,
    /// World bounds (metres).
    pub min: DVec2,
    pub max: DVec2,
}

/// The tessellated coverage of one resolution.
#[derive(Clone, Debug)]
pub struct CellGeometry {
    res: u8,
    cells: Vec<u64>,
    slots: CellMap<u32>,
    /// Slots in ascending id order (`valid` order), for merge joins with sorted inputs.
    sorted_ids: Vec<u64>,
    sorted_slots: Vec<u32>,
    origin: DVec2,
    vertices: Vec<CellVertex>,
    indices: Vec<u32>,
    lod_vertices: Vec<CellVertex>,
    lod_indices: Vec<u32>,
    first_vertex: Vec<u32>,
    chunks: Vec<Chunk>,
    bounds: (DVec2, DVec2),
    mean_size_m: f64,
    skipped: usize,
}

struct Projected {
    points: Vec<DVec2>,
    counts: Vec<u8>,
    centres: Vec<DVec2>,
}

fn project_cells(cells: &[CellIndex]) -> Projected {
    let mut out = Projected {
        points: Vec::with_capacity(cells.len() * 6),
        counts: Vec::with_capacity(cells.len()),
        centres: Vec::with_capacity(cells.len()),
    };
    for c in cells {
        let b = c.boundary();
        let start = out.points.len();
        for ll in b.iter() {
            let p = project_ll(*ll);
            // Drop consecutive duplicates (zero-length edges).
            if out.points.len() > start && out.points.last() == Some(&p) {
                continue;
            }
            out.points.push(p);
        }
        while out.points.len() - start > 1 && out.points.last() == out.points.get(start) {
            out.points.pop();
        }
        let n = out.points.len() - start;
        let sum: DVec2 = out.points[start..].iter().copied().sum();
        out.centres.push(sum / n.max(1) as f64);
        out.counts.push(n as u8);
    }
    out
}

/// Interleaves the low 16 bits of x and y (Z-order).
fn morton(x: u32, y: u32) -> u32 {
    fn spread(mut v: u32) -> u32 {
        v &= 0xffff;
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// Appends a cell's level-of-detail shape: a hexagon becomes the brick of a brick wall
/// (pointy axis = the vertex pair closest to north; each tip moved in by a quarter of the
/// centre–tip vector), which has the hexagon's area and tiles like the hexagons; anything
/// else keeps its exact fan.
fn push_lod(
    ring: &[DVec2],
    origin: DVec2,
    slot: u32,
    vertices: &mut Vec<CellVertex>,
    indices: &mut Vec<u32>,
) {
    let n = ring.len();
    let base = vertices.len() as u32;
    let vertex = |p: DVec2| {
        let l = p - origin;
        CellVertex {
            pos: [l.x as f32, l.y as f32],
            inset: [0.0, 0.0],
            slot,
        }
    };
    if n != 6 {
        vertices.extend(ring.iter().map(|p| vertex(*p)));
        for k in 1..(n as u32).saturating_sub(1) {
            indices.extend_from_slice(&[base, base + k, base + k + 1]);
        }
        return;
    }
    let c = ring.iter().copied().sum::<DVec2>() / 6.0;
    let a = (0..3)
        .max_by(|&i, &j| {
            let f = |k: usize| (ring[k + 3] - ring[k]).normalize_or_zero().y.abs();
            f(i).total_cmp(&f(j))
        })
        .unwrap_or(0);
    let v = |k: usize| ring[(k + 6) % 6];
    let d1 = (v(a) - c) * 0.25;
    let d2 = (v(a + 3) - c) * 0.25;
    for p in [v(a + 5) + d1, v(a + 1) + d1, v(a + 2) + d2, v(a + 4) + d2] {
        vertices.push(vertex(p));
    }
    indices.extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
}

impl CellGeometry {
    /// Tessellates every valid cell of `cells` at `res`. Invalid ids, cells of another
    /// resolution and duplicates are skipped (counted in [`CellGeometry::skipped`]).
    pub fn build(res: u8, cells: &[u64]) -> Result<Self, RenderError> {
        let resolution =
            h3o::Resolution::try_from(res).map_err(|_| RenderError::BadResolution(res))?;
        let mut ids: Vec<u64> = cells.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let valid: Vec<CellIndex> = ids
            .iter()
            .filter_map(|&id| CellIndex::try_from(id).ok())
            .filter(|c| c.resolution() == resolution)
            .collect();
        let skipped = cells.len() - valid.len();

        // Boundaries + projection, split over the available cores.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let per = valid.len().div_ceil(threads).max(1024);
        let parts: Vec<Projected> = if valid.len() <= per {
            vec![project_cells(&valid)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = valid
                    .chunks(per)
                    .map(|part| s.spawn(move || project_cells(part)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        let mut points = Vec::with_capacity(valid.len() * 6);
        let mut counts = Vec::with_capacity(valid.len());
        let mut centres = Vec::with_capacity(valid.len());
        for p in parts {
            points.extend(p.points);
            counts.extend(p.counts);
            centres.extend(p.centres);
        }
        let mut starts = Vec::with_capacity(counts.len());
        let mut acc = 0usize;
        for &n in &counts {
            starts.push(acc);
            acc += usize::from(n);
        }

        let mut min = DVec2::splat(f64::INFINITY);
        let mut max = DVec2::splat(f64::NEG_INFINITY);
        for p in &points {
            min = min.min(*p);
            max = max.max(*p);
        }
        if valid.is_empty() {
            min = DVec2::ZERO;
            max = DVec2::ZERO;
        }
        let origin = ((min + max) * 0.5).round();

        // Spatial order: Z-order of the centres, so consecutive slots form compact chunks.
        let span = (max - min).max(DVec2::splat(1.0));
        let mut order: Vec<(u32, u32)> = centres
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let q = ((*c - min) / span * 65535.0).clamp(DVec2::ZERO, DVec2::splat(65535.0));
                (morton(q.x as u32, q.y as u32), i as u32)
            })
            .collect();
        order.sort_unstable();

        let n_cells = valid.len();
        let mut out_cells = Vec::with_capacity(n_cells);
        let mut slots: CellMap<u32> = CellMap::default();
        let mut sorted_slots = vec![0u32; n_cells];
        slots.reserve(n_cells);
        let mut vertices = Vec::with_capacity(points.len());
        let mut indices = Vec::with_capacity(points.len() * 3);
        let mut first_vertex = Vec::with_capacity(n_cells + 1);
        let mut chunks = Vec::new();
        let mut area_sum = 0.0f64;
        let mut chunk_min = DVec2::splat(f64::INFINITY);
        let mut chunk_max = DVec2::splat(f64::NEG_INFINITY);
        let mut chunk_first = 0u32;
        let mut lod_vertices = Vec::with_capacity(n_cells * 4);
        let mut lod_indices = Vec::with_capacity(n_cells * 6);
        let mut lod_chunk_first = 0u32;
        let mut ring: Vec<DVec2> = Vec::with_capacity(10);
        for (slot, &(_, src)) in order.iter().enumerate() {
            let src = src as usize;
            let slot_u = slot as u32;
            let id = u64::from(valid[src]);
            out_cells.push(id);
            slots.insert(id, slot_u);
            sorted_slots[src] = slot_u;
            ring.clear();
            ring.extend_from_slice(&points[starts[src]..starts[src] + usize::from(counts[src])]);
            let n = ring.len();
            let base = vertices.len() as u32;
            first_vertex.push(base);
            if n >= 3 {
                let signed: f64 = (0..n)
                    .map(|i| ring[i].perp_dot(ring[(i + 1) % n]))
                    .sum::<f64>()
                    * 0.5;
                area_sum += signed.abs();
                let ccw = signed >= 0.0;
                for i in 0..n {
                    let prev = ring[(i + n - 1) % n];
                    let cur = ring[i];
                    let next = ring[(i + 1) % n];
                    let inward = |a: DVec2, b: DVec2| {
                        let d = (b - a).normalize_or_zero();
                        if ccw { d.perp() } else { -d.perp() }
                    };
                    let n1 = inward(prev, cur);
                    let n2 = inward(cur, next);
                    let denom = 1.0 + n1.dot(n2);
                    let miter = if denom > 0.05 { (n1 + n2) / denom } else { n1 };
                    let local = cur - origin;
                    vertices.push(CellVertex {
                        pos: [local.x as f32, local.y as f32],
                        inset: [miter.x as f32, miter.y as f32],
                        slot: slot_u,
                    });
                    chunk_min = chunk_min.min(cur);
                    chunk_max = chunk_max.max(cur);
                }
                for k in 1..(n as u32 - 1) {
                    indices.extend_from_slice(&[base, base + k, base + k + 1]);
                }
                push_lod(&ring, origin, slot_u, &mut lod_vertices, &mut lod_indices);
            }
            let end_of_chunk = (slot + 1) % CHUNK_CELLS == 0 || slot + 1 == n_cells;
            if end_of_chunk {
                let end = indices.len() as u32;
                let lod_end = lod_indices.len() as u32;
                if end > chunk_first {
                    chunks.push(Chunk {
                        first_index: chunk_first,
                        index_count: end - chunk_first,
                        lod_first_index: lod_chunk_first,
                        lod_index_count: lod_end - lod_chunk_first,
                        min: chunk_min,
                        max: chunk_max,
                    });
                }
                chunk_first = end;
                lod_chunk_first = lod_end;
                chunk_min = DVec2::splat(f64::INFINITY);
                chunk_max = DVec2::splat(f64::NEG_INFINITY);
            }
        }
        first_vertex.push(vertices.len() as u32);
        let mean_size_m = if n_cells > 0 {
            (area_sum / n_cells as f64).sqrt()
        } else {
            0.0
        };
        Ok(Self {
            res,
            cells: out_cells,
            slots,
            sorted_ids: valid.iter().map(|c| u64::from(*c)).collect(),
            sorted_slots,
            origin,
            vertices,
            indices,
            lod_vertices,
            lod_indices,
            first_vertex,
            chunks,
            bounds: (min, max),
            mean_size_m,
            skipped,
        })
    }

    /// The resolution.
    pub fn res(&self) -> u8 {
        self.res
    }
    /// The cells in slot order.
    pub fn cells(&self) -> &[u64] {
        &self.cells
    }
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }
    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
    /// The slot of a cell.
    pub fn slot(&self, cell: u64) -> Option<u32> {
        self.slots.get(&cell).copied()
    }
    /// The slot of every cell of `cells` (`u32::MAX` when not in the coverage) into `out`.
    /// Ascending input (the usual output order of a query) is merge-joined without hashing.
    pub fn slots_for(&self, cells: &[u64], out: &mut Vec<u32>) {
        out.clear();
        out.reserve(cells.len());
        if cells.windows(2).all(|w| w[0] <= w[1]) {
            let mut j = 0;
            for &c in cells {
                while j < self.sorted_ids.len() && self.sorted_ids[j] < c {
                    j += 1;
                }
                out.push(match self.sorted_ids.get(j) {
                    Some(&id) if id == c => self.sorted_slots[j],
                    _ => u32::MAX,
                });
            }
        } else {
            out.extend(cells.iter().map(|c| self.slot(*c).unwrap_or(u32::MAX)));
        }
    }

    /// The local origin (Web Mercator metres) vertex positions are relative to.
    pub fn origin(&self) -> DVec2 {
        self.origin
    }
    /// World bounds (metres) of the coverage.
    pub fn bounds(&self) -> (DVec2, DVec2) {
        self.bounds
    }
    /// Vertex data as uploaded.
    pub fn vertices(&self) -> &[CellVertex] {
        &self.vertices
    }
    /// Triangle indices as uploaded.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }
    /// Level-of-detail vertices: every hexagon as one "brick" (two triangles of the same
    /// area that tile like the hexagons do), for cells only a few pixels wide, where a
    /// software rasteriser's cost is per triangle. Other cells keep their exact fan.
    pub fn lod_vertices(&self) -> &[CellVertex] {
        &self.lod_vertices
    }
    /// Level-of-detail indices.
    pub fn lod_indices(&self) -> &[u32] {
        &self.lod_indices
    }
    /// Culling chunks.
    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }
    /// Input ids that were skipped (invalid, another resolution, duplicates).
    pub fn skipped(&self) -> usize {
        self.skipped
    }
    /// Typical cell size (√ of the mean projected area) in metres, for level of detail.
    pub fn mean_size_m(&self) -> f64 {
        self.mean_size_m
    }
    /// Number of triangles.
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// The cell (and slot) under a screen point, exactly: inverse camera, inverse Mercator,
    /// then h3o at this resolution. No GPU readback.
    pub fn pick(&self, camera: &crate::Camera, screen: DVec2) -> Option<(u64, u32)> {
        let (lat, lon) = camera.lat_lon_at(screen);
        self.cell_at(lat, lon)
    }

    /// The coverage cell (and slot) containing a coordinate.
    pub fn cell_at(&self, lat: f64, lon: f64) -> Option<(u64, u32)> {
        let ll = h3o::LatLng::new(lat, lon).ok()?;
        let cell = u64::from(ll.to_cell(h3o::Resolution::try_from(self.res).ok()?));
        self.slot(cell).map(|s| (cell, s))
    }

    /// The drawn polygon of a slot in world metres (from the f32 data the GPU receives).
    pub fn polygon(&self, slot: u32) -> Vec<DVec2> {
        let s = slot as usize;
        let (Some(&a), Some(&b)) = (self.first_vertex.get(s), self.first_vertex.get(s + 1)) else {
            return Vec::new();
        };
        self.vertices[a as usize..b as usize]
            .iter()
            .map(|v| self.origin + Vec2::from(v.pos).as_dvec2())
            .collect()
    }

    /// The summed area (m² of Web Mercator) of a slot's triangles as drawn.
    pub fn tessellated_area(&self, slot: u32) -> f64 {
        let p = self.polygon(slot);
        if p.len() < 3 {
            return 0.0;
        }
        (1..p.len() - 1)
            .map(|k| ((p[k] - p[0]).perp_dot(p[k + 1] - p[0]) * 0.5).abs())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_disk_with_fans_and_slots() {
        let centre = h3o::LatLng::new(41.881832, -87.623177)
            .map(|ll| ll.to_cell(h3o::Resolution::Nine))
            .map_err(|e| e.to_string());
        let Ok(centre) = centre else {
            panic!("bad coordinate")
        };
        let mut cells: Vec<u64> = centre
            .grid_disk::<Vec<_>>(3)
            .into_iter()
            .map(u64::from)
            .collect();
        cells.push(cells[0]); // duplicate
        cells.push(0); // invalid
        let g = CellGeometry::build(9, &cells).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.len(), 37);
        assert_eq!(g.skipped(), 2);
        assert_eq!(g.triangle_count(), 37 * 4);
        for (slot, &c) in g.cells().iter().enumerate() {
            assert_eq!(g.slot(c), Some(slot as u32));
        }
        // Sorted (merge join) and unsorted (hash) lookups agree, misses included.
        let mut probe: Vec<u64> = cells.clone();
        probe.push(0x8a2a1072b59ffff);
        probe.sort_unstable();
        let mut merged = Vec::new();
        g.slots_for(&probe, &mut merged);
        let hashed: Vec<u32> = probe
            .iter()
            .map(|c| g.slot(*c).unwrap_or(u32::MAX))
            .collect();
        assert_eq!(merged, hashed);
        probe.reverse();
        g.slots_for(&probe, &mut merged);
        assert_eq!(merged, hashed.iter().rev().copied().collect::<Vec<_>>());
        assert!(
            g.mean_size_m() > 300.0 && g.mean_size_m() < 600.0,
            "{}",
            g.mean_size_m()
        );
    }
}
