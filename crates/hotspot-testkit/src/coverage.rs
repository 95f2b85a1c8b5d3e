//! Coverages for renderer tests and benchmarks without a lake. [`load`] reads the real sample
//! CSV (never Parquet):
//! every r8 cell with at least one incident, filled down to its r9 and r10 children, so r10
//! covers the city like the lake's coverage does (~40k cells), with per-cell incident counts
//! and each r10 cell's modal district / community area (from its own incidents, else its r9
//! or r8 parent's).

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use h3o::{CellIndex, LatLng, Resolution};
use hotspot_core::csv::{CsvBlocks, SpanStatus, split_fields};
use hotspot_core::socrata::{Header, parse_record};

use hotspot_render::geometry::CellMap;

/// Why the sample coverage could not be read.
#[derive(Debug, thiserror::Error)]
#[error("sample {path}: {detail}")]
pub struct CoverageError {
    pub path: std::path::PathBuf,
    pub detail: String,
}

/// Coverage and counts of the sample at r6–r10.
#[derive(Clone, Debug, Default)]
pub struct SampleCoverage {
    /// `cells[r - 6]`: the coverage at resolution r, sorted.
    pub cells: [Vec<u64>; 5],
    /// `counts[r - 6]`: incidents per cell with data.
    pub counts: [Vec<(u64, f32)>; 5],
    /// Every r10 coverage cell with its modal district and community area.
    pub context: Vec<(u64, Option<u8>, Option<u8>)>,
    /// Geolocated incidents read.
    pub incidents: usize,
}

impl SampleCoverage {
    /// Coverage at `res` (6–10).
    pub fn coverage(&self, res: u8) -> &[u64] {
        self.cells
            .get(usize::from(res.saturating_sub(6)))
            .map_or(&[], Vec::as_slice)
    }
    /// The benchmark layers of resolutions `res` (every coverage cell; values where there
    /// are incidents).
    pub fn bench_layers(&self, res: &[u8]) -> Vec<hotspot_render::bench::BenchLayer> {
        res.iter()
            .map(|&r| hotspot_render::bench::BenchLayer {
                res: r,
                coverage: self.coverage(r).to_vec(),
                values: self
                    .counts
                    .get(usize::from(r.saturating_sub(6)))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// (cells, values) with data at `res`.
    pub fn values(&self, res: u8) -> (Vec<u64>, Vec<f32>) {
        self.counts
            .get(usize::from(res.saturating_sub(6)))
            .map(|v| v.iter().copied().unzip())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Tally {
    n: u32,
    districts: HashMap<u8, u32>,
    areas: HashMap<u8, u32>,
}

fn modal(m: &HashMap<u8, u32>) -> Option<u8> {
    m.iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(k, _)| *k)
}

fn merge(into: &mut Tally, from: &Tally) {
    into.n += from.n;
    for (k, v) in &from.districts {
        *into.districts.entry(*k).or_default() += v;
    }
    for (k, v) in &from.areas {
        *into.areas.entry(*k).or_default() += v;
    }
}

/// Reads the sample export and builds the coverage.
pub fn load(path: &Path) -> Result<SampleCoverage, CoverageError> {
    let err = |detail: String| CoverageError {
        path: path.to_path_buf(),
        detail,
    };
    let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let mut header: Option<Header> = None;
    let mut r10: CellMap<Tally> = CellMap::default();
    let mut incidents = 0usize;
    for block in CsvBlocks::new(BufReader::new(file), 4 << 20) {
        let block = block.map_err(|e| err(e.to_string()))?;
        let mut fields = Vec::with_capacity(32);
        for span in &block.records {
            if span.status != SpanStatus::Complete {
                continue;
            }
            let Ok(text) = std::str::from_utf8(block.bytes(span)) else {
                continue;
            };
            split_fields(text.as_bytes(), &mut fields);
            let strs: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            let Some(h) = &header else {
                header = Some(Header::detect(&strs).map_err(|e| err(e.to_string()))?);
                continue;
            };
            let refs: Vec<&str> = strs.iter().map(String::as_str).collect();
            let Ok(rec) = parse_record(h, &refs) else {
                continue;
            };
            if hotspot_core::geo::classify(rec.latitude, rec.longitude).is_some() {
                continue;
            }
            let (Some(lat), Some(lon)) = (rec.latitude, rec.longitude) else {
                continue;
            };
            let Ok(ll) = LatLng::new(lat, lon) else {
                continue;
            };
            incidents += 1;
            let t = r10
                .entry(u64::from(ll.to_cell(Resolution::Ten)))
                .or_default();
            t.n += 1;
            if let Some(d) = rec.district {
                *t.districts.entry(d).or_default() += 1;
            }
            if let Some(a) = rec.community_area {
                *t.areas.entry(a).or_default() += 1;
            }
        }
    }
    if incidents == 0 {
        return Err(err("no geolocated incidents".into()));
    }
    // Tallies of every resolution (parents of the r10 cells).
    let mut tallies: Vec<CellMap<Tally>> = (6..=9).map(|_| CellMap::default()).collect();
    for (id, t) in &r10 {
        let Ok(c) = CellIndex::try_from(*id) else {
            continue;
        };
        for (i, res) in [
            Resolution::Six,
            Resolution::Seven,
            Resolution::Eight,
            Resolution::Nine,
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(p) = c.parent(res) {
                merge(tallies[i].entry(u64::from(p)).or_default(), t);
            }
        }
    }
    tallies.push(r10);
    let mut out = SampleCoverage {
        incidents,
        ..Default::default()
    };
    // Coverage: r8 cells with incidents, filled down to r9/r10; r6/r7 are their parents.
    let mut r8: Vec<CellIndex> = tallies[2]
        .keys()
        .filter_map(|id| CellIndex::try_from(*id).ok())
        .collect();
    r8.sort_unstable();
    let mut cov: [Vec<u64>; 5] = Default::default();
    for c in &r8 {
        for (i, res) in [Resolution::Six, Resolution::Seven].into_iter().enumerate() {
            if let Some(p) = c.parent(res) {
                cov[i].push(u64::from(p));
            }
        }
        cov[2].push(u64::from(*c));
        cov[3].extend(c.children(Resolution::Nine).map(u64::from));
        cov[4].extend(c.children(Resolution::Ten).map(u64::from));
    }
    for v in &mut cov {
        v.sort_unstable();
        v.dedup();
    }
    for (i, t) in tallies.iter().enumerate() {
        let mut v: Vec<(u64, f32)> = t.iter().map(|(k, t)| (*k, t.n as f32)).collect();
        v.sort_unstable_by_key(|p| p.0);
        out.counts[i] = v;
    }
    for &id in &cov[4] {
        let Ok(c) = CellIndex::try_from(id) else {
            continue;
        };
        let pick = |f: fn(&Tally) -> Option<u8>| {
            tallies[4]
                .get(&id)
                .and_then(f)
                .or_else(|| {
                    c.parent(Resolution::Nine)
                        .and_then(|p| tallies[3].get(&u64::from(p)))
                        .and_then(f)
                })
                .or_else(|| {
                    c.parent(Resolution::Eight)
                        .and_then(|p| tallies[2].get(&u64::from(p)))
                        .and_then(f)
                })
        };
        out.context
            .push((id, pick(|t| modal(&t.districts)), pick(|t| modal(&t.areas))));
    }
    out.cells = cov;
    Ok(out)
}

/// A deterministic scope for tests that need no data file: the `k`-disk of cells at `res`
/// around the Loop, with values that fall off from the centre plus a per-cell hash (0–100).
pub fn loop_scope(res: u8, k: u32) -> (Vec<u64>, Vec<f32>) {
    let (lat, lon) = hotspot_render::camera::CHICAGO_CENTER;
    let Ok(r) = Resolution::try_from(res) else {
        return (Vec::new(), Vec::new());
    };
    let Ok(ll) = LatLng::new(lat, lon) else {
        return (Vec::new(), Vec::new());
    };
    let centre = ll.to_cell(r);
    let mut cells: Vec<u64> = centre
        .grid_disk::<Vec<_>>(k)
        .into_iter()
        .map(u64::from)
        .collect();
    cells.sort_unstable();
    let values = cells
        .iter()
        .map(|&c| {
            let d = CellIndex::try_from(c)
                .ok()
                .and_then(|c| centre.grid_distance(c).ok())
                .unwrap_or(0) as f32;
            let h = splitmix(c) % 1000;
            let fall = 1.0 - d / (k.max(1) as f32 + 1.0);
            (70.0 * fall * fall + 30.0 * (h as f32 / 1000.0)).round()
        })
        .collect();
    (cells, values)
}

/// Synthetic districts for [`loop_scope`]-style tests: r10 cells labelled by quadrant around
/// the Loop (districts 1, 12, 18, 2; community areas 32, 28, 8, 33).
pub fn quadrant_context(r10: &[u64]) -> Vec<(u64, Option<u8>, Option<u8>)> {
    let (lat0, lon0) = hotspot_render::camera::CHICAGO_CENTER;
    r10.iter()
        .filter_map(|&id| {
            let c = CellIndex::try_from(id).ok()?;
            let ll = LatLng::from(c);
            let (north, east) = (ll.lat() > lat0 + 0.004, ll.lng() > lon0 - 0.006);
            let (d, a) = match (north, east) {
                (true, true) => (18, 8),
                (true, false) => (12, 28),
                (false, true) => (1, 32),
                (false, false) => (2, 33),
            };
            Some((id, Some(d), Some(a)))
        })
        .collect()
}

/// The r10 children of every cell in `cells` (any resolution ≤ 10).
pub fn r10_children(cells: &[u64]) -> Vec<u64> {
    cells
        .iter()
        .filter_map(|&c| CellIndex::try_from(c).ok())
        .flat_map(|c| c.children(Resolution::Ten).map(u64::from))
        .collect()
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The real sample's coverage ([`load`] of [`crate::sample::path`]), read once per test
/// binary.
///
/// # Panics
/// When the sample is absent or unreadable.
pub fn sample() -> &'static SampleCoverage {
    static SAMPLE: std::sync::OnceLock<SampleCoverage> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| load(&crate::sample::path()).unwrap_or_else(|e| panic!("{e}")))
}
