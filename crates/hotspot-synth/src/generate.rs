//! Generating a Socrata CSV from a [`CityModel`].
//!
//! Rows are spread over the days of the range by trend × season × weekday weights
//! (largest-remainder rounding, so the total is exact). Each day is generated from its own
//! sub-seed of `(seed, day)`, so days can be produced in parallel; ids and case numbers are
//! assigned afterwards from per-day prefix sums, so the output never depends on the thread
//! count. Windows of days are generated on a producer thread while the caller's thread writes
//! (and compresses) the previous window.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use h3o::{CellIndex, LatLng, Resolution};
use hotspot_core::progress::Progress;
use hotspot_core::socrata::{HeaderStyle, Record, write_header, write_record};
use hotspot_core::{geo, names, time};

use crate::SynthError;
use crate::grid::{M_PER_DEG_LAT, M_PER_DEG_LON, block_string};
use crate::model::{CityModel, Jurisdiction, parse_cell};
use crate::rng::{AliasTable, Rng, sub_seed};
use crate::streets::{Snapped, StreetIndex};

// ---------------------------------------------------------------------------------------------
// Documented assumptions. The sample covers two weeks, so season and long-term trend cannot be
// measured from it; these constants describe Chicago's published crime volumes.
// ---------------------------------------------------------------------------------------------

/// Incidents per year in the "Crimes – 2001 to Present" dataset (rounded to thousands): about
/// 486k in 2001 falling to about 260k by 2019, a dip in 2020–21, back to ~260k by 2023–24. Used
/// only as a relative weight across years; years before 2001 use 2001's value and years after
/// 2024 use 2024's.
pub const YEARLY_VOLUME: [(i32, u32); 24] = [
    (2001, 486_000),
    (2002, 487_000),
    (2003, 476_000),
    (2004, 469_000),
    (2005, 454_000),
    (2006, 448_000),
    (2007, 437_000),
    (2008, 427_000),
    (2009, 393_000),
    (2010, 371_000),
    (2011, 352_000),
    (2012, 336_000),
    (2013, 308_000),
    (2014, 276_000),
    (2015, 265_000),
    (2016, 270_000),
    (2017, 269_000),
    (2018, 269_000),
    (2019, 261_000),
    (2020, 212_000),
    (2021, 209_000),
    (2022, 239_000),
    (2023, 262_000),
    (2024, 258_000),
];

/// Relative incidents per day by month (January first): the summer peak about +20 %, the
/// February trough about −20 %. Interpolated linearly between mid-month values, so there are
/// no steps at month boundaries.
pub const MONTHLY_SEASON: [f64; 12] = [
    0.90, 0.80, 0.93, 0.96, 1.06, 1.12, 1.20, 1.18, 1.08, 1.04, 0.94, 0.89,
];

/// Share of extra rows that repeat an earlier row exactly (same ID; export paging artefact).
pub const EXACT_DUPLICATE_RATE: f64 = 0.0003;
/// Share of extra rows that revise an earlier row (same ID, later Updated On, arrest recorded).
pub const REVISION_RATE: f64 = 0.0005;
/// Share of rows without coordinates (empty X, Y, Latitude, Longitude, Location).
pub const NO_COORDINATES_RATE: f64 = 0.007;
/// Among rows without coordinates, the share whose ward and community area are empty too.
pub const NO_WARD_GIVEN_NO_COORDINATES: f64 = 0.5;
/// Share of rows whose block is written in mixed case (`022XX N Western Ave`).
pub const MIXED_CASE_RATE: f64 = 0.005;
/// Updated On lies at most this many days after the last day of the range.
pub const UPDATE_HORIZON_DAYS: i32 = 30;

/// Smoothing of a category's spatial weights toward all incidents' weights: the weight of the
/// all-category distribution is `K / (K + incidents of the category)` (at least 2 %), so rare
/// categories borrow heavily and every cell with data can receive every category.
const SPATIAL_SMOOTHING_K: f64 = 150.0;
const SPATIAL_SMOOTHING_MIN: f64 = 0.02;
/// Incidents of a hot r10 cell that ordinary background could explain (the hot threshold
/// minus one); only the excess is placed through the hot-cell list. With the September 2024
/// sample this puts about 22 % of incidents in hot cells.
const HOT_BACKGROUND: f64 = 1.5;

/// Reference points of the id and case-number series (the real data on 2024-09-01): ordinary
/// ids near 13,582,000 and rising about 720 a day; homicide ids near 28,398 rising about 3.3 a
/// day; case numbers `JH4…` in 2024, one prefix step a year.
const ID_ANCHOR: i64 = 13_582_000;
const ID_PER_DAY: i64 = 720;
const HOMICIDE_ANCHOR: i64 = 28_398;
const HOMICIDE_PER_10_DAYS: i64 = 33;
const CASE_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
const CASE_PREFIX_2024: i64 = 8 * 23 + 7; // "JH"
/// Ordinary ids must keep 8 digits.
const MAX_ROWS: u64 = 80_000_000;

/// Rows generated per parallel window (bounds memory).
const WINDOW_ROWS: u64 = 100_000;
const WINDOW_DAYS: usize = 256;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Data rows to write, duplicates included.
    pub rows: u64,
    /// First incident day.
    pub from: NaiveDate,
    /// Last incident day (inclusive).
    pub to: NaiveDate,
    pub seed: u64,
    pub style: HeaderStyle,
}

impl Default for GenerateOptions {
    /// 100,000 rows over 2024, seed 0, portal-export header.
    fn default() -> Self {
        GenerateOptions {
            rows: 100_000,
            from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(NaiveDate::MIN),
            to: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or(NaiveDate::MIN),
            seed: 0,
            style: HeaderStyle::Export,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Data rows written (duplicates included).
    pub rows: u64,
    /// Rows repeating an earlier row's ID: exact duplicates plus revisions.
    pub duplicates: u64,
    /// Of [`GenerateSummary::duplicates`], the revisions (later Updated On, arrest recorded).
    pub revisions: u64,
    /// Rows with empty coordinates.
    pub without_coordinates: u64,
    /// HOMICIDE rows (duplicates included).
    pub homicides: u64,
    /// Rows whose block is in mixed case.
    pub mixed_case_blocks: u64,
    /// Days in the range.
    pub days: u64,
}

impl GenerateSummary {
    fn add(&mut self, o: &GenerateSummary) {
        self.rows += o.rows;
        self.duplicates += o.duplicates;
        self.revisions += o.revisions;
        self.without_coordinates += o.without_coordinates;
        self.homicides += o.homicides;
        self.mixed_case_blocks += o.mixed_case_blocks;
    }
}

/// Writes `opts.rows` generated rows (and the header) to `out`.
pub fn generate(
    model: &CityModel,
    opts: &GenerateOptions,
    out: impl Write,
    progress: &dyn Progress,
) -> Result<GenerateSummary, SynthError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    generate_with_threads(model, opts, out, progress, threads)
}

/// [`generate`] on exactly `threads` threads (the output does not depend on it).
fn generate_with_threads(
    model: &CityModel,
    opts: &GenerateOptions,
    mut out: impl Write,
    progress: &dyn Progress,
    threads: usize,
) -> Result<GenerateSummary, SynthError> {
    let prep = Prepared::new(model)?;
    let plan = Plan::new(&prep, opts)?;
    let stage = progress.stage("generate", Some(opts.rows));
    let mut header = Vec::new();
    write_header(&mut header, opts.style);
    out.write_all(&header).map_err(SynthError::Write)?;

    let mut summary = GenerateSummary {
        days: plan.days.len() as u64,
        ..Default::default()
    };
    // Windows of days are generated (in parallel) on a producer thread while this thread
    // writes the previous window, so compression or disk writes overlap generation.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Vec<u8>, GenerateSummary)>>(1);
    let prep = &prep;
    let plan = &plan;
    std::thread::scope(|scope| -> Result<(), SynthError> {
        scope.spawn(move || {
            let mut cursor = Cursor::new(plan);
            let mut start = 0;
            while start < plan.days.len() {
                let mut end = start;
                let mut rows = 0u64;
                while end < plan.days.len()
                    && end - start < WINDOW_DAYS
                    && (end == start || rows + plan.days[end].1 <= WINDOW_ROWS)
                {
                    rows += plan.days[end].1;
                    end += 1;
                }
                let window = &plan.days[start..end];
                let generated = par_map(window, threads, |&(day, n)| {
                    generate_day(prep, plan, opts, day, n)
                });
                let jobs: Vec<(DayRows, Bases)> = generated
                    .into_iter()
                    .map(|d| {
                        let b = cursor.take(&d);
                        (d, b)
                    })
                    .collect();
                let written = par_map(&jobs, threads, |(d, b)| format_day(prep, opts.style, d, b));
                if tx.send(written).is_err() {
                    // The writer stopped (write error); nothing more to do.
                    return;
                }
                start = end;
            }
        });
        for window in rx {
            for (bytes, part) in window {
                out.write_all(&bytes).map_err(SynthError::Write)?;
                summary.add(&part);
                stage.advance(part.rows);
            }
        }
        Ok(())
    })?;
    out.flush().map_err(SynthError::Write)?;
    stage.finish();
    tracing::info!(
        rows = summary.rows,
        duplicates = summary.duplicates,
        without_coordinates = summary.without_coordinates,
        homicides = summary.homicides,
        "generated synthetic crimes"
    );
    Ok(summary)
}

/// [`generate`] into a file, gzip-compressed when the path ends in `.gz`. The file is written
/// under a temporary name and renamed into place, so a failed run leaves no partial file.
pub fn generate_to_path(
    model: &CityModel,
    opts: &GenerateOptions,
    path: &Path,
    progress: &dyn Progress,
) -> Result<GenerateSummary, SynthError> {
    let io_err = |p: &Path, e: io::Error| SynthError::Io {
        path: p.to_path_buf(),
        source: e,
    };
    let mut tmp_name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    tmp_name.push(".partial.tmp");
    let tmp: PathBuf = path.with_file_name(tmp_name);
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        let buffered = BufWriter::with_capacity(1 << 20, file);
        let gz = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let summary = if gz {
            let mut enc = flate2::write::GzEncoder::new(buffered, flate2::Compression::fast());
            let s = generate(model, opts, &mut enc, progress)?;
            let inner = enc.finish().map_err(|e| io_err(&tmp, e))?;
            finish_file(inner).map_err(|e| io_err(&tmp, e))?;
            s
        } else {
            let mut w = buffered;
            let s = generate(model, opts, &mut w, progress)?;
            finish_file(w).map_err(|e| io_err(&tmp, e))?;
            s
        };
        std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
        Ok(summary)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn finish_file(w: BufWriter<File>) -> io::Result<()> {
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// Maps `f` over `items` on up to `threads` scoped threads; results keep the input order.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.min(items.len()).max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    items
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, item)| (i, f(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    for part in parts.drain(..) {
        for (i, r) in part {
            out[i] = Some(r);
        }
    }
    out.into_iter().flatten().collect()
}

// ---------------------------------------------------------------------------------------------
// The model, prepared for sampling.
// ---------------------------------------------------------------------------------------------

struct PreparedType {
    category: usize,
    homicide: bool,
    descriptions: AliasTable,
    arrest: Vec<f64>,
    domestic: Vec<f64>,
    locations: Option<AliasTable>,
}

struct Cell {
    lat: f64,
    lon: f64,
    /// Its r8 cell (itself for r8 cells), for the jurisdiction fallback.
    r8: u64,
}

struct Spatial {
    cells: Vec<Cell>,
    /// Per category.
    tables: Vec<Option<AliasTable>>,
    /// Total weight per category.
    totals: Vec<f64>,
    /// Half-size of the sampling disc, degrees of latitude / longitude.
    radius: (f64, f64),
}

struct Prepared<'m> {
    model: &'m CityModel,
    type_table: AliasTable,
    types: Vec<PreparedType>,
    hours: Vec<Option<AliasTable>>,
    midnight: Vec<f64>,
    noon: Vec<f64>,
    minutes: Option<AliasTable>,
    hot_share: Vec<f64>,
    hot: Spatial,
    r8: Spatial,
    jurisdiction_r9: HashMap<u64, usize>,
    jurisdiction_r8: HashMap<u64, usize>,
    streets: StreetIndex,
}

impl<'m> Prepared<'m> {
    fn new(model: &'m CityModel) -> Result<Self, SynthError> {
        model.validate()?;
        let nc = model.categories.len();
        let invalid = |m: &str| SynthError::InvalidModel(m.to_string());
        let counts: Vec<f64> = model.types.iter().map(|t| t.count as f64).collect();
        let type_table =
            AliasTable::new(&counts).ok_or_else(|| invalid("no type has incidents"))?;
        let mut types = Vec::with_capacity(model.types.len());
        for t in &model.types {
            let category = model.category_index(&t.category).unwrap_or(0);
            let weights: Vec<f64> = t.descriptions.iter().map(|d| d.count as f64).collect();
            let descriptions = AliasTable::new(&weights).ok_or_else(|| {
                SynthError::InvalidModel(format!("{} has no description counts", t.primary_type))
            })?;
            let rate =
                |k: u64, n: u64, fallback: f64| if n > 0 { k as f64 / n as f64 } else { fallback };
            types.push(PreparedType {
                category,
                homicide: t.primary_type == "HOMICIDE",
                descriptions,
                arrest: t
                    .descriptions
                    .iter()
                    .map(|d| rate(d.arrests, d.count, t.arrest_rate))
                    .collect(),
                domestic: t
                    .descriptions
                    .iter()
                    .map(|d| rate(d.domestic, d.count, t.domestic_rate))
                    .collect(),
                locations: AliasTable::new(
                    &t.locations
                        .iter()
                        .map(|l| l.count as f64)
                        .collect::<Vec<_>>(),
                ),
            });
        }
        let hours = model
            .time
            .categories
            .iter()
            .map(|c| AliasTable::from_counts(&as_f64(&c.hours)))
            .collect();
        let midnight = model
            .time
            .categories
            .iter()
            .map(|c| c.midnight_share.clamp(0.0, 1.0))
            .collect();
        let noon = model
            .time
            .categories
            .iter()
            .map(|c| c.noon_share.clamp(0.0, 1.0))
            .collect();
        let minutes = AliasTable::from_counts(&as_f64(&model.time.minutes));

        let (hot_cells, r8_cells) = spatial_weights(model)?;
        let hot = spatial(hot_cells, nc, Resolution::Ten);
        let r8 = spatial(r8_cells, nc, Resolution::Eight);
        let all_hot: f64 = hot.totals.iter().sum();
        let all: f64 = all_hot + r8.totals.iter().sum::<f64>();
        let hot_share = (0..nc)
            .map(|c| {
                let n = hot.totals[c] + r8.totals[c];
                if n > 0.0 {
                    hot.totals[c] / n
                } else {
                    all_hot / all.max(1.0)
                }
            })
            .collect();

        let index = |list: &[Jurisdiction]| -> Result<HashMap<u64, usize>, SynthError> {
            list.iter()
                .enumerate()
                .map(|(i, j)| Ok((u64::from(parse_cell(&j.cell)?), i)))
                .collect()
        };
        Ok(Prepared {
            model,
            type_table,
            types,
            hours,
            midnight,
            noon,
            minutes,
            hot_share,
            hot,
            r8,
            jurisdiction_r9: index(&model.jurisdiction_r9)?,
            jurisdiction_r8: index(&model.jurisdiction_r8)?,
            streets: StreetIndex::new(&model.streets),
        })
    }

    /// The modal jurisdiction at a point: its r9 cell, else its r8 cell, else `fallback_r8`.
    fn jurisdiction_at(&self, lat: f64, lon: f64, fallback_r8: u64) -> Option<&'m Jurisdiction> {
        let model = self.model;
        if let Ok(ll) = LatLng::new(lat, lon) {
            let r9 = ll.to_cell(Resolution::Nine);
            if let Some(&i) = self.jurisdiction_r9.get(&u64::from(r9)) {
                return model.jurisdiction_r9.get(i);
            }
            if let Some(&i) = r9
                .parent(Resolution::Eight)
                .and_then(|p| self.jurisdiction_r8.get(&u64::from(p)))
            {
                return model.jurisdiction_r8.get(i);
            }
        }
        self.jurisdiction_r8
            .get(&fallback_r8)
            .and_then(|&i| model.jurisdiction_r8.get(i))
    }
}

fn as_f64(v: &[u64]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// Per-category weights of hot r10 cells and r8 cells. A hot cell keeps only its excess over
/// [`HOT_BACKGROUND`] incidents; that background share goes back to its r8 cell, so a cell that
/// barely made the threshold by chance is not turned into a permanent hotspot.
fn spatial_weights(model: &CityModel) -> Result<(WeightedCells, WeightedCells), SynthError> {
    let mut r8: WeightedCells = Vec::with_capacity(model.cells_r8.len());
    let mut r8_index: HashMap<u64, usize> = HashMap::new();
    for c in &model.cells_r8 {
        let cell = parse_cell(&c.cell)?;
        r8_index.insert(u64::from(cell), r8.len());
        r8.push((cell, c.counts.iter().map(|&n| f64::from(n)).collect()));
    }
    let mut hot: WeightedCells = Vec::with_capacity(model.hot_r10.len());
    for c in &model.hot_r10 {
        let cell = parse_cell(&c.cell)?;
        let total: f64 = c.counts.iter().map(|&n| f64::from(n)).sum();
        if total <= 0.0 {
            continue;
        }
        let background = HOT_BACKGROUND.min(total) / total;
        hot.push((
            cell,
            c.counts
                .iter()
                .map(|&n| f64::from(n) * (1.0 - background))
                .collect(),
        ));
        let parent = cell.parent(Resolution::Eight).unwrap_or(cell);
        let i = *r8_index.entry(u64::from(parent)).or_insert_with(|| {
            r8.push((parent, vec![0.0; c.counts.len()]));
            r8.len() - 1
        });
        for (w, &n) in r8[i].1.iter_mut().zip(&c.counts) {
            *w += f64::from(n) * background;
        }
    }
    Ok((hot, r8))
}

type WeightedCells = Vec<(CellIndex, Vec<f64>)>;

fn spatial(cells: WeightedCells, nc: usize, res: Resolution) -> Spatial {
    let mut out = Vec::with_capacity(cells.len());
    for (cell, _) in &cells {
        let center = LatLng::from(*cell);
        let r8 = cell
            .parent(Resolution::Eight)
            .map_or(u64::from(*cell), u64::from);
        out.push(Cell {
            lat: center.lat(),
            lon: center.lng(),
            r8,
        });
    }
    let all: Vec<f64> = cells.iter().map(|(_, w)| w.iter().sum()).collect();
    let all_total: f64 = all.iter().sum();
    let totals: Vec<f64> = (0..nc)
        .map(|k| cells.iter().map(|(_, w)| w[k]).sum())
        .collect();
    let tables = (0..nc)
        .map(|k| {
            let own_total = totals[k];
            if all_total <= 0.0 {
                return None;
            }
            let lambda = if own_total > 0.0 {
                (SPATIAL_SMOOTHING_K / (SPATIAL_SMOOTHING_K + own_total)).max(SPATIAL_SMOOTHING_MIN)
            } else {
                1.0
            };
            let weights: Vec<f64> = cells
                .iter()
                .zip(&all)
                .map(|((_, w), a)| {
                    let mine = if own_total > 0.0 {
                        w[k] / own_total
                    } else {
                        0.0
                    };
                    (1.0 - lambda) * mine + lambda * a / all_total
                })
                .collect();
            AliasTable::new(&weights)
        })
        .collect();
    let km = res.edge_length_km() * if res == Resolution::Ten { 0.5 } else { 1.0 };
    Spatial {
        cells: out,
        tables,
        totals,
        radius: (km * 1000.0 / M_PER_DEG_LAT, km * 1000.0 / M_PER_DEG_LON),
    }
}

// ---------------------------------------------------------------------------------------------
// Planning: rows per day, id and case-number series.
// ---------------------------------------------------------------------------------------------

struct Plan {
    /// `(day number, rows)` for every day of the range.
    days: Vec<(i32, u64)>,
    /// Latest Updated On, microseconds.
    cap: i64,
    id_start: i64,
    id_max_gap: u64,
    homicide_start: i64,
    /// Case-number serial of the first row of the first year.
    case_start: u64,
    /// Largest case-number step per year.
    case_max_gap: HashMap<i32, u64>,
}

/// Relative volume of `year`.
fn yearly_volume(year: i32) -> f64 {
    let first = YEARLY_VOLUME[0];
    let last = YEARLY_VOLUME[YEARLY_VOLUME.len() - 1];
    let v = if year <= first.0 {
        first.1
    } else if year >= last.0 {
        last.1
    } else {
        YEARLY_VOLUME
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(last.1, |&(_, v)| v)
    };
    f64::from(v)
}

/// Seasonal multiplier of a day, interpolated between mid-month values.
fn season(day: i32) -> f64 {
    let (y, m, d) = time::civil_from_days(day);
    let len = f64::from(time::days_in_month(y, m).max(1));
    // Position in months where k.0 is the middle of month k (0 = January).
    let x = f64::from(m - 1) + (f64::from(d) - 0.5) / len - 0.5;
    let i0 = x.floor();
    let t = x - i0;
    let a = MONTHLY_SEASON[(i0 as i64).rem_euclid(12) as usize];
    let b = MONTHLY_SEASON[(i0 as i64 + 1).rem_euclid(12) as usize];
    a + t * (b - a)
}

fn days_in_year(year: i32) -> f64 {
    if time::is_leap_year(year) {
        366.0
    } else {
        365.0
    }
}

/// Splits `total` over `weights` exactly (largest remainder; ties to the earlier entry).
fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    let shares: Vec<f64> = if sum > 0.0 && sum.is_finite() {
        weights.iter().map(|w| total as f64 * w / sum).collect()
    } else {
        vec![total as f64 / weights.len() as f64; weights.len()]
    };
    let mut out: Vec<u64> = shares.iter().map(|s| s.floor() as u64).collect();
    let assigned: u64 = out.iter().sum();
    let mut left = total.saturating_sub(assigned);
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (shares[b] - shares[b].floor())
            .total_cmp(&(shares[a] - shares[a].floor()))
            .then(a.cmp(&b))
    });
    let mut k = 0;
    while left > 0 {
        out[order[k % order.len()]] += 1;
        left -= 1;
        k += 1;
    }
    out
}

impl Plan {
    fn new(prep: &Prepared<'_>, opts: &GenerateOptions) -> Result<Plan, SynthError> {
        if opts.from > opts.to {
            return Err(SynthError::InvalidOptions(format!(
                "from ({}) is after to ({})",
                opts.from, opts.to
            )));
        }
        if opts.rows > MAX_ROWS {
            return Err(SynthError::InvalidOptions(format!(
                "at most {MAX_ROWS} rows (ids must keep 8 digits), asked for {}",
                opts.rows
            )));
        }
        let first = time::day_number(opts.from);
        let last = time::day_number(opts.to);
        let weekdays = &prep.model.time.weekdays;
        let weights: Vec<f64> = (first..=last)
            .map(|day| {
                let (y, _, _) = time::civil_from_days(day);
                let wd = weekdays
                    .get(time::weekday_monday0(day) as usize)
                    .copied()
                    .unwrap_or(1.0);
                yearly_volume(y) / days_in_year(y) * season(day) * wd.max(0.0)
            })
            .collect();
        let quotas = largest_remainder(opts.rows, &weights);
        let days: Vec<(i32, u64)> = (first..=last).zip(quotas).collect();

        let anchor = time::days_from_civil(2024, 9, 1);
        let rows = opts.rows.max(1) as i64;
        let mut id_start =
            (ID_ANCHOR + i64::from(first - anchor) * ID_PER_DAY).clamp(10_000_000, 99_999_999);
        if 99_999_999 - id_start < rows {
            id_start = (99_999_999 - rows).max(10_000_000);
        }
        let id_max_gap = ((99_999_999 - id_start) / rows).clamp(1, 3) as u64;
        let homicide_start = (HOMICIDE_ANCHOR
            + i64::from(first - anchor) * HOMICIDE_PER_10_DAYS / 10)
            .clamp(10_000, 90_000);

        let mut per_year: HashMap<i32, (u64, u64)> = HashMap::new();
        for &(day, n) in &days {
            let (y, _, _) = time::civil_from_days(day);
            let e = per_year.entry(y).or_default();
            e.0 += n;
            e.1 += 1;
        }
        let case_max_gap = per_year
            .into_iter()
            .map(|(y, (n, covered))| {
                let full_year = n as f64 * days_in_year(y) / covered.max(1) as f64;
                let gap = (1_200_000.0 / full_year.max(1.0)).floor().clamp(1.0, 4.0) as u64;
                (y, gap)
            })
            .collect();
        let (fy, _, _) = time::civil_from_days(first);
        let into_year = f64::from(first - time::days_from_civil(fy, 1, 1)) / days_in_year(fy);
        Ok(Plan {
            days,
            cap: i64::from(last + UPDATE_HORIZON_DAYS) * time::MICROS_PER_DAY,
            id_start,
            id_max_gap,
            homicide_start,
            case_start: (into_year * 450_000.0) as u64,
            case_max_gap,
        })
    }
}

/// Where a day's ids and case numbers start.
#[derive(Clone, Copy, Debug)]
struct Bases {
    next_id: i64,
    next_homicide: i64,
    case_serial: u64,
}

struct Cursor {
    next_id: i64,
    next_homicide: i64,
    case_serial: u64,
    case_start: u64,
    year: Option<i32>,
}

impl Cursor {
    fn new(plan: &Plan) -> Self {
        Cursor {
            next_id: plan.id_start,
            next_homicide: plan.homicide_start,
            case_serial: 0,
            case_start: plan.case_start,
            year: None,
        }
    }

    fn take(&mut self, d: &DayRows) -> Bases {
        let (y, _, _) = time::civil_from_days(d.day);
        if self.year != Some(y) {
            self.case_serial = if self.year.is_none() {
                self.case_start
            } else {
                0
            };
            self.year = Some(y);
        }
        let b = Bases {
            next_id: self.next_id,
            next_homicide: self.next_homicide,
            case_serial: self.case_serial,
        };
        self.next_id += d.id_gaps as i64;
        self.next_homicide += d.homicides as i64;
        self.case_serial += d.case_gaps;
        b
    }
}

// ---------------------------------------------------------------------------------------------
// One day.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Original {
        id_gap: u8,
        case_gap: u8,
    },
    /// Same ID as the row at this index of the day.
    Exact(usize),
    Revised(usize),
}

#[derive(Clone, Debug)]
struct Row {
    occurred: i64,
    updated: i64,
    lat: f64,
    lon: f64,
    street: u32,
    hundred: u32,
    direction: char,
    type_idx: u32,
    desc: u32,
    location: Option<u32>,
    district: Option<u8>,
    ward: Option<u8>,
    community_area: Option<u8>,
    beat: Option<u16>,
    arrest: bool,
    domestic: bool,
    coords: bool,
    /// 0: upper case; 1–3: mixed-case variants.
    block_case: u8,
    kind: Kind,
}

struct DayRows {
    day: i32,
    rows: Vec<Row>,
    /// Sum of the id steps of ordinary originals.
    id_gaps: u64,
    /// Homicide originals (each takes one homicide id).
    homicides: u64,
    /// Sum of case-number steps.
    case_gaps: u64,
}

fn generate_day(
    prep: &Prepared<'_>,
    plan: &Plan,
    opts: &GenerateOptions,
    day: i32,
    n: u64,
) -> DayRows {
    let mut rng = Rng::new(sub_seed(opts.seed, i64::from(day) as u64));
    let mut exact = 0u64;
    let mut revised = 0u64;
    for _ in 0..n {
        let u = rng.f64();
        if u < EXACT_DUPLICATE_RATE {
            exact += 1;
        } else if u < EXACT_DUPLICATE_RATE + REVISION_RATE {
            revised += 1;
        }
    }
    if exact + revised >= n {
        exact = 0;
        revised = 0;
    }
    let originals = n - exact - revised;
    let (year, _, _) = time::civil_from_days(day);
    let case_gap = plan.case_max_gap.get(&year).copied().unwrap_or(1);
    let mut scratch = Vec::with_capacity(64);
    let mut rows: Vec<Row> = (0..originals)
        .map(|_| make_row(prep, plan, day, case_gap, &mut rng, &mut scratch))
        .collect();
    rows.sort_by_key(|r| r.occurred);

    // Extra rows: (position of the row they follow, rank, row).
    let mut extras: Vec<(usize, u8, Row)> = Vec::new();
    for _ in 0..revised {
        let target = (0..32)
            .map(|_| rng.below(originals) as usize)
            .find(|&i| !rows[i].arrest);
        match target {
            Some(i) => {
                let rev = revise(&mut rows[i], plan.cap, &mut rng, i);
                let mut end = i;
                while end + 1 < rows.len() && rows[end + 1].occurred == rows[i].occurred {
                    end += 1;
                }
                extras.push((end, 1, rev));
            }
            None => exact += 1,
        }
    }
    for _ in 0..exact {
        let i = rng.below(originals) as usize;
        let mut copy = rows[i].clone();
        copy.kind = Kind::Exact(i);
        extras.push((i, 0, copy));
    }
    extras.sort_by_key(|e| (e.0, e.1));

    let mut out = Vec::with_capacity(n as usize);
    let mut position = vec![0usize; rows.len()];
    let mut extras = extras.into_iter().peekable();
    let (mut id_gaps, mut homicides, mut case_gaps) = (0u64, 0u64, 0u64);
    for (k, row) in rows.into_iter().enumerate() {
        if let Kind::Original { id_gap, case_gap } = row.kind {
            case_gaps += u64::from(case_gap);
            if prep.types[row.type_idx as usize].homicide {
                homicides += 1;
            } else {
                id_gaps += u64::from(id_gap);
            }
        }
        position[k] = out.len();
        out.push(row);
        while let Some((_, _, mut extra)) = extras.next_if(|e| e.0 == k) {
            extra.kind = match extra.kind {
                Kind::Exact(i) => Kind::Exact(position[i]),
                Kind::Revised(i) => Kind::Revised(position[i]),
                other => other,
            };
            out.push(extra);
        }
    }
    DayRows {
        day,
        rows: out,
        id_gaps,
        homicides,
        case_gaps,
    }
}

fn make_row(
    prep: &Prepared<'_>,
    plan: &Plan,
    day: i32,
    case_max_gap: u64,
    rng: &mut Rng,
    scratch: &mut Vec<(u32, f64)>,
) -> Row {
    let type_idx = prep.type_table.sample(rng);
    let pt = &prep.types[type_idx];
    let c = pt.category;
    let desc = pt.descriptions.sample(rng);
    let arrest = rng.chance(pt.arrest[desc]);
    let domestic = rng.chance(pt.domestic[desc]);
    let location = pt.locations.as_ref().map(|t| t.sample(rng) as u32);
    let occurred = i64::from(day) * time::MICROS_PER_DAY + time_of_day(prep, c, rng);
    let (spot, fallback_r8) = place(prep, c, rng, scratch);
    let j = prep.jurisdiction_at(spot.lat, spot.lon, fallback_r8);
    let coords = !rng.chance(NO_COORDINATES_RATE);
    let keep_area = coords || !rng.chance(NO_WARD_GIVEN_NO_COORDINATES);
    let block_case = if rng.chance(MIXED_CASE_RATE) {
        match rng.below(20) {
            0..=13 => 1,
            14..=16 => 2,
            _ => 3,
        }
    } else {
        0
    };
    let updated = update_time(occurred, plan.cap, rng);
    let id_gap = 1 + rng.below(plan.id_max_gap) as u8;
    let case_gap = 1 + rng.below(case_max_gap) as u8;
    Row {
        occurred,
        updated,
        lat: spot.lat,
        lon: spot.lon,
        street: spot.street,
        hundred: spot.hundred,
        direction: spot.direction,
        type_idx: type_idx as u32,
        desc: desc as u32,
        location,
        district: j.and_then(|j| j.district),
        ward: j.and_then(|j| j.ward).filter(|_| keep_area),
        community_area: j.and_then(|j| j.community_area).filter(|_| keep_area),
        beat: j.and_then(|j| j.beat),
        arrest,
        domestic,
        coords,
        block_case,
        kind: Kind::Original { id_gap, case_gap },
    }
}

/// Microseconds into the day: the category's default-stamp shares, else its hour profile and
/// the minute profile (never producing a default stamp by accident).
fn time_of_day(prep: &Prepared<'_>, c: usize, rng: &mut Rng) -> i64 {
    let u = rng.f64();
    if u < prep.midnight[c] {
        return 0;
    }
    if u < prep.midnight[c] + prep.noon[c] {
        return 12 * time::MICROS_PER_HOUR;
    }
    let hour = match &prep.hours[c] {
        Some(t) => t.sample(rng) as i64,
        None => rng.below(24) as i64,
    };
    let draw = |rng: &mut Rng| match &prep.minutes {
        Some(t) => t.sample(rng) as i64,
        None => rng.below(60) as i64,
    };
    let mut minute = draw(rng);
    if minute == 0 && (hour == 0 || hour == 12) {
        for _ in 0..8 {
            minute = draw(rng);
            if minute != 0 {
                break;
            }
        }
        minute = minute.max(1);
    }
    hour * time::MICROS_PER_HOUR + minute * 60_000_000
}

/// A point for category `c`: a hot r10 cell or an r8 cell, a point in it, snapped onto a
/// street. Also returns the cell's r8 index for the jurisdiction fallback.
fn place(
    prep: &Prepared<'_>,
    c: usize,
    rng: &mut Rng,
    scratch: &mut Vec<(u32, f64)>,
) -> (Snapped, u64) {
    let grid = &prep.model.address_grid;
    let mut last = None;
    for _ in 0..8 {
        let hot = rng.chance(prep.hot_share[c]);
        let order = if hot {
            [&prep.hot, &prep.r8]
        } else {
            [&prep.r8, &prep.hot]
        };
        let Some((sp, table)) = order
            .iter()
            .find_map(|sp| sp.tables[c].as_ref().map(|t| (*sp, t)))
        else {
            break;
        };
        let cell = &sp.cells[table.sample(rng)];
        let (dx, dy) = rng.unit_disc();
        let lat = cell.lat + dy * sp.radius.0;
        let lon = cell.lon + dx * sp.radius.1;
        if let Some(s) = prep.streets.snap(grid, lat, lon, rng, scratch)
            && geo::classify(Some(s.lat), Some(s.lon)).is_none()
        {
            return (s, cell.r8);
        }
        last = Some((cell.lat, cell.lon, cell.r8));
    }
    // Rare: no catalogue street within reach of eight tries; use the nearest street.
    let (lat, lon, r8) = last.unwrap_or((crate::grid::MADISON_LAT, crate::grid::STATE_LON, 0));
    let street = prep.streets.nearest(lat, lon).unwrap_or(0);
    (prep.streets.place(street, grid, lat, lon), r8)
}

/// Updated On: most within a week, some within a month, a few up to six months later; never
/// after the cap (and always after the incident).
fn update_time(occurred: i64, cap: i64, rng: &mut Rng) -> i64 {
    const DAY: i64 = 86_400;
    let occ = occurred.div_euclid(1_000_000);
    let cap_s = cap.div_euclid(1_000_000);
    let r = rng.f64();
    let (lo, hi) = if r < 0.70 {
        (1_800, 7 * DAY)
    } else if r < 0.92 {
        (7 * DAY, 30 * DAY)
    } else {
        (30 * DAY, 180 * DAY)
    };
    let mut u = occ + rng.range_i64(lo, hi);
    if u > cap_s {
        u = rng.range_i64(occ + 60, cap_s);
    }
    u * 1_000_000
}

/// Makes `original` a revision target: a copy with a later Updated On and the arrest recorded.
fn revise(original: &mut Row, cap: i64, rng: &mut Rng, index: usize) -> Row {
    const DAY: i64 = 86_400;
    let cap_s = cap.div_euclid(1_000_000);
    let occ = original.occurred.div_euclid(1_000_000);
    if original.updated.div_euclid(1_000_000) >= cap_s {
        original.updated = (occ + (cap_s - occ) / 2) * 1_000_000;
    }
    let orig = original.updated.div_euclid(1_000_000);
    let mut u = orig + rng.range_i64(DAY, 60 * DAY);
    if u > cap_s {
        u = rng.range_i64(orig + 1, cap_s);
    }
    let mut copy = original.clone();
    copy.updated = u * 1_000_000;
    copy.arrest = true;
    copy.kind = Kind::Revised(index);
    copy
}

// ---------------------------------------------------------------------------------------------
// Formatting.
// ---------------------------------------------------------------------------------------------

fn case_number(year: i32, serial: u64) -> String {
    let max = (CASE_LETTERS.len() * CASE_LETTERS.len()) as i64 - 1;
    let prefix = (CASE_PREFIX_2024 + i64::from(year - 2024) + (serial / 900_000) as i64)
        .clamp(0, max) as usize;
    let n = CASE_LETTERS.len();
    let number = 100_000 + serial % 900_000;
    format!(
        "{}{}{number:06}",
        CASE_LETTERS[prefix / n] as char,
        CASE_LETTERS[prefix % n] as char
    )
}

fn mixed_case(block: &str, variant: u8) -> String {
    let pretty = names::pretty_block(block);
    let Some((head, last)) = pretty.rsplit_once(' ') else {
        return pretty;
    };
    match variant {
        2 => format!("{head} {}", last.to_uppercase()),
        3 => format!("{head} {}", last.to_lowercase()),
        _ => pretty,
    }
}

fn format_day(
    prep: &Prepared<'_>,
    style: HeaderStyle,
    d: &DayRows,
    b: &Bases,
) -> (Vec<u8>, GenerateSummary) {
    let model = prep.model;
    let (year, _, _) = time::civil_from_days(d.day);
    let mut buf = Vec::with_capacity(d.rows.len() * 256);
    let mut ids: Vec<(i64, u64)> = Vec::with_capacity(d.rows.len());
    let mut next_id = b.next_id;
    let mut next_homicide = b.next_homicide;
    let mut serial = b.case_serial;
    let mut s = GenerateSummary::default();
    for row in &d.rows {
        let pt = &prep.types[row.type_idx as usize];
        let (id, case_serial) = match row.kind {
            Kind::Original { id_gap, case_gap } => {
                serial += u64::from(case_gap);
                let id = if pt.homicide {
                    next_homicide += 1;
                    next_homicide - 1
                } else {
                    next_id += i64::from(id_gap);
                    next_id - i64::from(id_gap)
                };
                (id, serial)
            }
            Kind::Exact(i) | Kind::Revised(i) => {
                s.duplicates += 1;
                s.revisions += u64::from(matches!(row.kind, Kind::Revised(_)));
                ids.get(i).copied().unwrap_or((next_id, serial))
            }
        };
        ids.push((id, case_serial));
        let t = &model.types[row.type_idx as usize];
        let desc = &t.descriptions[row.desc as usize];
        let location = row
            .location
            .and_then(|l| t.locations.get(l as usize))
            .filter(|l| !l.name.is_empty())
            .map(|l| Cow::Borrowed(l.name.as_str()));
        let body = prep
            .streets
            .lines
            .get(row.street as usize)
            .map_or("", |l| l.body.as_str());
        let mut block = block_string(row.hundred, row.direction, body);
        if row.block_case > 0 {
            block = mixed_case(&block, row.block_case);
            s.mixed_case_blocks += u64::from(block.bytes().any(|b| b.is_ascii_lowercase()));
        }
        let (x, y) = model.state_plane.project(row.lat, row.lon);
        let coord = |v: f64| row.coords.then_some(v);
        let record = Record {
            id,
            case_number: Cow::Owned(case_number(year, case_serial)),
            occurred_at: row.occurred,
            block: Cow::Owned(block),
            iucr: Cow::Borrowed(&desc.iucr),
            primary_type: Cow::Borrowed(&t.primary_type),
            description: Cow::Borrowed(&desc.description),
            location_description: location,
            arrest: row.arrest,
            domestic: row.domestic,
            beat: row.beat,
            district: row.district,
            ward: row.ward,
            community_area: row.community_area,
            fbi_code: Cow::Borrowed(&desc.fbi_code),
            x_coordinate: coord(x.round()),
            y_coordinate: coord(y.round()),
            latitude: coord(row.lat),
            longitude: coord(row.lon),
            updated_on: Some(row.updated),
        };
        write_record(&mut buf, style, &record);
        s.rows += 1;
        s.without_coordinates += u64::from(!row.coords);
        s.homicides += u64::from(pt.homicide);
    }
    (buf, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_does_not_depend_on_thread_count() {
        let model = CityModel::embedded().expect("model");
        let opts = GenerateOptions {
            rows: 30_000,
            from: NaiveDate::from_ymd_opt(2023, 12, 20).expect("date"),
            to: NaiveDate::from_ymd_opt(2024, 1, 10).expect("date"),
            seed: 11,
            style: HeaderStyle::Api,
        };
        let run = |threads: usize| {
            let mut out = Vec::new();
            let s = generate_with_threads(
                &model,
                &opts,
                &mut out,
                &hotspot_core::progress::NoProgress,
                threads,
            )
            .expect("generate");
            (out, s)
        };
        let (one, s1) = run(1);
        let (four, s4) = run(4);
        assert_eq!(s1, s4);
        assert!(one == four, "thread count changed the output");
        assert_eq!(s1.rows, 30_000);
    }

    #[test]
    fn largest_remainder_is_exact() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(
            largest_remainder(7, &[0.0, 2.0, 1.0]).iter().sum::<u64>(),
            7
        );
        assert_eq!(largest_remainder(5, &[0.0, 0.0]), vec![3, 2]);
        assert_eq!(largest_remainder(0, &[1.0]), vec![0]);
        assert!(largest_remainder(3, &[]).is_empty());
    }

    #[test]
    fn season_peaks_in_summer() {
        let jul = season(time::days_from_civil(2024, 7, 16));
        let feb = season(time::days_from_civil(2024, 2, 14));
        assert!(jul > 1.15 && feb < 0.85, "{jul} {feb}");
        // Continuous across a month boundary.
        let a = season(time::days_from_civil(2024, 3, 31));
        let b = season(time::days_from_civil(2024, 4, 1));
        assert!((a - b).abs() < 0.01);
        assert_eq!(yearly_volume(1990), yearly_volume(2001));
        assert_eq!(yearly_volume(2030), yearly_volume(2024));
        assert!(yearly_volume(2001) > 1.8 * yearly_volume(2024));
    }

    #[test]
    fn case_numbers_look_real() {
        assert_eq!(case_number(2024, 310_439), "JH410439");
        assert_eq!(case_number(2015, 0), "HY100000");
        assert_eq!(case_number(2024, 900_000), "JJ100000");
        assert_eq!(mixed_case("022XX N WESTERN AVE", 1), "022XX N Western Ave");
        assert_eq!(mixed_case("022XX N WESTERN AVE", 2), "022XX N Western AVE");
        assert_eq!(mixed_case("022XX N WESTERN AVE", 3), "022XX N Western ave");
    }

    #[test]
    fn update_times_stay_in_bounds() {
        let mut rng = Rng::new(3);
        let cap = 40 * time::MICROS_PER_DAY;
        for day in 0..10 {
            let occ = day * time::MICROS_PER_DAY + 5 * time::MICROS_PER_HOUR;
            for _ in 0..1000 {
                let u = update_time(occ, cap, &mut rng);
                assert!(u > occ && u <= cap);
            }
        }
    }
}
