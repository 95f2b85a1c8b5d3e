//! Generating a Socrata CSV from a [`CityModel`].
//!
//! Rows are spread over the days of the range by trend × season × weekday weights
//! (largest-remainder rounding, so the total is exact). Each day is generated from its own
//! sub-seed of `(seed, day)`, so days can be produced in parallel; ids and case numbers are
//! assigned afterwards from per-day prefix sums, so the output never depends on the thread
//! count. Windows of days are generated on a producer thread while the caller's thread writes
//! (and compresses) the previous window.

mod day;
mod format;
mod ids;
mod plan;
mod prepare;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hotspot_core::progress::Progress;
use hotspot_core::socrata::{HeaderStyle, write_header};

use crate::SynthError;
use crate::model::CityModel;

use self::day::{DayRows, generate_day};
use self::format::format_day;
use self::ids::{Bases, Cursor};
use self::plan::Plan;
use self::prepare::Prepared;

pub use self::plan::{MONTHLY_SEASON, YEARLY_VOLUME};

// The real data's quirks: how often each appears, and how late Updated On may be.

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
}
