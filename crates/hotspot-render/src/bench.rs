//! Performance figures: geometry build, value update and frame time (submit → GPU done,
//! median of N) for a full coverage at r6–r10, at 1920×1080 and 3840×2160.

use std::time::{Duration, Instant};

use crate::headless::{FrameSpec, Headless};
use crate::{CellGeometry, RenderError};

/// What one resolution of the benchmark draws: the whole coverage, and the cells with data
/// and their values (every other coverage cell gets 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BenchLayer {
    pub res: u8,
    pub coverage: Vec<u64>,
    pub values: Vec<(u64, f32)>,
}

/// One resolution's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchRow {
    pub res: u8,
    pub cells: usize,
    pub triangles: usize,
    /// CPU: boundaries, projection, fans, chunks, slot map.
    pub build_ms: f64,
    /// `set_values` for every cell: first call with ids in ascending order (merge join), first
    /// call with shuffled ids (hash lookups), and repeated (cached mapping).
    pub update_first_ms: f64,
    pub update_shuffled_ms: f64,
    pub update_ms: f64,
    /// Median frame times at each size (fit-to-coverage view).
    pub frames_ms: Vec<((u32, u32), f64)>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    hotspot_core::stats::median(&mut v).unwrap_or(f64::NAN)
}

/// Runs the benchmark on `headless` with `frames` timed frames per size, one row per layer.
pub fn run(
    headless: &mut Headless,
    layers: &[BenchLayer],
    sizes: &[(u32, u32)],
    frames: usize,
) -> Result<Vec<BenchRow>, RenderError> {
    let mut rows = Vec::new();
    for layer in layers {
        let (res, cells) = (layer.res, layer.coverage.as_slice());
        let t = Instant::now();
        let geom = std::sync::Arc::new(CellGeometry::build(res, cells)?);
        let build_ms = ms(t.elapsed());
        headless.map.set_geometry(geom.clone());
        headless.map.set_resolution(res)?;
        // Every coverage cell gets a value (the worst case for an update).
        let mut lookup = crate::geometry::CellMap::<f32>::default();
        lookup.extend(layer.values.iter().copied());
        let all: Vec<u64> = cells.to_vec();
        let values: Vec<f32> = all
            .iter()
            .map(|c| lookup.get(c).copied().unwrap_or(0.0))
            .collect();
        // Shuffled (deterministically) first: a cold mapping with hash lookups.
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let shuffled: Vec<u64> = order.iter().map(|&i| all[i]).collect();
        let shuffled_values: Vec<f32> = order.iter().map(|&i| values[i]).collect();
        let t = Instant::now();
        headless.map.set_values(res, &shuffled, &shuffled_values)?;
        let update_shuffled_ms = ms(t.elapsed());
        let t = Instant::now();
        headless.map.set_values(res, &all, &values)?;
        let update_first_ms = ms(t.elapsed());
        let mut updates = Vec::new();
        for k in 0..5 {
            let v: Vec<f32> = values.iter().map(|x| x + k as f32).collect();
            let t = Instant::now();
            headless.map.set_values(res, &all, &v)?;
            updates.push(ms(t.elapsed()));
        }
        headless.map.set_values(res, &all, &values)?;
        let mut frames_ms = Vec::new();
        for &(w, h) in sizes {
            headless.set_frame(&FrameSpec::new(w, h));
            let (min, max) = geom.bounds();
            headless.map.camera.fit_bounds(min, max, 20.0);
            headless.time_map_frame()?; // warm-up (allocations, pipeline compilation)
            let times: Result<Vec<f64>, RenderError> = (0..frames)
                .map(|_| headless.time_map_frame().map(ms))
                .collect();
            frames_ms.push(((w, h), median(times?)));
        }
        rows.push(BenchRow {
            res,
            cells: geom.len(),
            triangles: geom.triangle_count(),
            build_ms,
            update_first_ms,
            update_shuffled_ms,
            update_ms: median(updates),
            frames_ms,
        });
    }
    Ok(rows)
}

/// Median time of a frame with nothing to draw (clear, resolve): the fixed cost per frame.
pub fn empty_frame_ms(
    headless: &mut Headless,
    size: (u32, u32),
    frames: usize,
) -> Result<f64, RenderError> {
    headless.set_frame(&FrameSpec::new(size.0, size.1));
    // Look far away from every coverage.
    let saved = headless.map.camera.clone();
    headless.map.camera.center = glam::DVec2::new(0.0, 0.0);
    headless.time_map_frame()?;
    let times: Result<Vec<f64>, RenderError> = (0..frames)
        .map(|_| headless.time_map_frame().map(ms))
        .collect();
    headless.map.camera = saved;
    Ok(median(times?))
}

/// Formats the rows as a table.
pub fn table(adapter: &str, msaa: u32, rows: &[BenchRow]) -> String {
    let mut s = format!("adapter: {adapter}, MSAA {msaa}x\n");
    s.push_str("res  cells    triangles  build ms  update ms (sorted / shuffled / cached)");
    if let Some(r) = rows.first() {
        for ((w, h), _) in &r.frames_ms {
            s.push_str(&format!("  frame {w}x{h} ms"));
        }
    }
    s.push('\n');
    for r in rows {
        s.push_str(&format!(
            "r{:<3} {:<8} {:<10} {:<9.1} {:>6.3} / {:>6.3} / {:<6.3}          ",
            r.res,
            r.cells,
            r.triangles,
            r.build_ms,
            r.update_first_ms,
            r.update_shuffled_ms,
            r.update_ms
        ));
        for (_, f) in &r.frames_ms {
            s.push_str(&format!("  {f:>16.1}"));
        }
        s.push('\n');
    }
    s
}
