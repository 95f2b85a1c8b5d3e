//! Deriving a model from Socrata CSVs: one pass over the rows accumulates counts by type, time
//! and place, and `finish` reduces them to the model. Ids serve only to skip repeated rows;
//! nothing per incident reaches the model.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use h3o::{CellIndex, LatLng, Resolution};
use hotspot_core::csv::{CsvBlocks, SpanStatus, split_fields};
use hotspot_core::socrata::{Field, Header, Record, parse_record};
use hotspot_core::taxonomy::{DEFAULT_CATEGORIES, default_category};
use hotspot_core::{geo, names, time};

use crate::SynthError;
use crate::grid::{AddressGrid, Axis};

use super::fit::{fit_state_plane, fit_street, grid_knots, round_to};
use super::{
    CategoryTime, CellCounts, CityModel, DescriptionModel, HOT_MIN_INCIDENTS, Jurisdiction,
    MAX_DESCRIPTIONS_PER_TYPE, MAX_HOT_CELLS, MAX_LOCATIONS_PER_TYPE, MODEL_FORMAT, SourceStats,
    TimeModel, TypeModel, Weighted,
};

/// [`CityModel::derive`]: every source into one accumulator, then the model.
pub(super) fn from_sources(paths: &[PathBuf]) -> Result<CityModel, SynthError> {
    let mut acc = Accumulator::default();
    for path in paths {
        read_source(path, &mut acc)?;
    }
    acc.finish()
}

/// Reads one CSV (plain or gzip, detected from the magic bytes) into the accumulator.
fn read_source(path: &Path, acc: &mut Accumulator) -> Result<(), SynthError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let mut buffered = BufReader::with_capacity(1 << 20, file);
    let gz = buffered
        .fill_buf()
        .map_err(|e| io_err(path, e))?
        .starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let mut header: Option<Header> = None;
    for block in CsvBlocks::new(reader, 4 << 20) {
        let block = block.map_err(|e| io_err(path, e))?;
        let mut fields: Vec<Cow<'_, [u8]>> = Vec::with_capacity(32);
        for span in &block.records {
            let bytes = block.bytes(span);
            let Some(h) = &header else {
                split_fields(bytes, &mut fields);
                let names: Vec<String> = fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                header = Some(Header::detect(&names).map_err(|e| SynthError::Header {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?);
                continue;
            };
            acc.rows += 1;
            let text = match (span.status, std::str::from_utf8(bytes)) {
                (SpanStatus::Complete, Ok(t)) => t,
                _ => {
                    acc.rejected += 1;
                    continue;
                }
            };
            split_fields(text.as_bytes(), &mut fields);
            // Sub-slices of valid UTF-8 split at ASCII bytes are valid UTF-8.
            let strs: Vec<&str> = fields
                .iter()
                .map(|f| std::str::from_utf8(f).unwrap_or(""))
                .collect();
            match parse_record(h, &strs) {
                Ok(record) => {
                    let raw_block = h.position(Field::Block).and_then(|i| strs.get(i).copied());
                    acc.add(&record, raw_block.unwrap_or(""));
                }
                Err(_) => acc.rejected += 1,
            }
        }
    }
    if header.is_none() {
        return Err(SynthError::Header {
            path: path.to_path_buf(),
            message: "empty file: no header row".into(),
        });
    }
    Ok(())
}

struct Point {
    r10: CellIndex,
    category: u8,
    district: Option<u8>,
    ward: Option<u8>,
    community_area: Option<u8>,
    beat: Option<u16>,
}

#[derive(Default)]
struct TypeAcc {
    count: u64,
    arrests: u64,
    domestic: u64,
    descriptions: BTreeMap<(String, String, String), [u64; 3]>,
    locations: BTreeMap<String, u64>,
}

struct Minutes([u64; 60]);

impl Default for Minutes {
    fn default() -> Self {
        Minutes([0; 60])
    }
}

#[derive(Default)]
struct Accumulator {
    seen: HashSet<i64>,
    rows: u64,
    used: u64,
    rejected: u64,
    duplicate_ids: u64,
    without_coordinates: u64,
    mixed_case_blocks: u64,
    days: BTreeMap<i32, u64>,
    types: BTreeMap<String, TypeAcc>,
    hours: [[u64; 24]; DEFAULT_CATEGORIES.len()],
    midnight: [u64; DEFAULT_CATEGORIES.len()],
    noon: [u64; DEFAULT_CATEGORIES.len()],
    incidents: [u64; DEFAULT_CATEGORIES.len()],
    minutes: Minutes,
    points: Vec<Point>,
    /// Street name → `[along, cross]` coordinates of its incidents.
    streets: BTreeMap<String, Vec<[f64; 2]>>,
    /// `[offset from the grid origin, signed house number]` per axis.
    grid_ns: Vec<[f64; 2]>,
    grid_ew: Vec<[f64; 2]>,
    /// `[lat, lon, x, y]`.
    plane: Vec<[f64; 4]>,
}

impl Accumulator {
    fn add(&mut self, r: &Record<'_>, raw_block: &str) {
        if !self.seen.insert(r.id) {
            self.duplicate_ids += 1;
            return;
        }
        self.used += 1;
        if raw_block.bytes().any(|b| b.is_ascii_lowercase()) {
            self.mixed_case_blocks += 1;
        }
        let category = default_category(&r.primary_type);
        let ci = DEFAULT_CATEGORIES
            .iter()
            .position(|c| *c == category)
            .unwrap_or(0);

        // Offence mix.
        let t = self.types.entry(r.primary_type.to_string()).or_default();
        t.count += 1;
        t.arrests += u64::from(r.arrest);
        t.domestic += u64::from(r.domestic);
        let d = t
            .descriptions
            .entry((
                r.description.to_string(),
                r.iucr.to_string(),
                r.fbi_code.to_string(),
            ))
            .or_default();
        d[0] += 1;
        d[1] += u64::from(r.arrest);
        d[2] += u64::from(r.domestic);
        *t.locations
            .entry(r.location_description.as_deref().unwrap_or("").to_string())
            .or_default() += 1;

        // Time.
        let day = time::day_of_micros(r.occurred_at);
        *self.days.entry(day).or_default() += 1;
        let in_day = r.occurred_at.rem_euclid(time::MICROS_PER_DAY);
        self.incidents[ci] += 1;
        if in_day == 0 {
            self.midnight[ci] += 1;
        } else if in_day == 12 * time::MICROS_PER_HOUR {
            self.noon[ci] += 1;
        } else {
            self.hours[ci][time::hour_of_micros(r.occurred_at) as usize] += 1;
            self.minutes.0[(in_day / 60_000_000 % 60) as usize] += 1;
        }

        // Space.
        let (lat, lon) = match (r.latitude, r.longitude) {
            (Some(lat), Some(lon)) if geo::classify(Some(lat), Some(lon)).is_none() => (lat, lon),
            _ => {
                self.without_coordinates += 1;
                return;
            }
        };
        let Ok(ll) = LatLng::new(lat, lon) else {
            self.without_coordinates += 1;
            return;
        };
        self.points.push(Point {
            r10: ll.to_cell(Resolution::Ten),
            category: ci as u8,
            district: r.district,
            ward: r.ward,
            community_area: r.community_area,
            beat: r.beat,
        });
        if let (Some(x), Some(y)) = (r.x_coordinate, r.y_coordinate)
            && x > 100_000.0
            && y > 100_000.0
        {
            self.plane.push([lat, lon, x, y]);
        }
        let street = names::street_of_block(&r.block);
        let Some(axis) = street
            .split_whitespace()
            .next()
            .and_then(Axis::of_direction)
        else {
            return;
        };
        if street.split_whitespace().nth(1).is_none() {
            return;
        }
        let (along, cross) = match axis {
            Axis::NorthSouth => (lat, lon),
            Axis::EastWest => (lon, lat),
        };
        if let Some(number) = r.block.split_whitespace().next().and_then(block_number) {
            let positive = matches!(street.as_bytes()[0], b'N' | b'E');
            let signed = f64::from(number / 100 * 100 + 50) * if positive { 1.0 } else { -1.0 };
            let entry = [along - axis.origin(), signed];
            match axis {
                Axis::NorthSouth => self.grid_ns.push(entry),
                Axis::EastWest => self.grid_ew.push(entry),
            }
        }
        self.streets.entry(street).or_default().push([along, cross]);
    }

    fn finish(self) -> Result<CityModel, SynthError> {
        if self.used == 0 || self.points.is_empty() {
            return Err(SynthError::NotEnoughData(
                "no usable geolocated rows".into(),
            ));
        }
        let categories: Vec<String> = DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
        let nc = categories.len();

        let mut types: Vec<TypeModel> = self
            .types
            .into_iter()
            .map(|(name, t)| {
                let mut descriptions: Vec<DescriptionModel> = t
                    .descriptions
                    .into_iter()
                    .map(
                        |((description, iucr, fbi_code), [count, arrests, domestic])| {
                            DescriptionModel {
                                description,
                                iucr,
                                fbi_code,
                                count,
                                arrests,
                                domestic,
                            }
                        },
                    )
                    .collect();
                descriptions.sort_by_key(|d| std::cmp::Reverse(d.count));
                descriptions.truncate(MAX_DESCRIPTIONS_PER_TYPE);
                let mut locations: Vec<Weighted> = t
                    .locations
                    .into_iter()
                    .map(|(name, count)| Weighted { name, count })
                    .collect();
                locations.sort_by_key(|l| std::cmp::Reverse(l.count));
                locations.truncate(MAX_LOCATIONS_PER_TYPE);
                let n = t.count.max(1) as f64;
                TypeModel {
                    category: default_category(&name).to_string(),
                    primary_type: name,
                    count: t.count,
                    arrest_rate: round_to(t.arrests as f64 / n, 5),
                    domestic_rate: round_to(t.domestic as f64 / n, 5),
                    descriptions,
                    locations,
                }
            })
            .collect();
        types.sort_by_key(|t| std::cmp::Reverse(t.count));

        // Time.
        let time_categories = (0..nc)
            .map(|c| {
                let n = self.incidents[c].max(1) as f64;
                CategoryTime {
                    category: categories[c].clone(),
                    incidents: self.incidents[c],
                    hours: self.hours[c].to_vec(),
                    midnight_share: round_to(self.midnight[c] as f64 / n, 5),
                    noon_share: round_to(self.noon[c] as f64 / n, 5),
                }
            })
            .collect();
        let minute_total: u64 = self.minutes.0.iter().sum();
        let (first_day, last_day) = match (self.days.keys().next(), self.days.keys().next_back()) {
            (Some(&f), Some(&l)) => (f, l),
            _ => (0, 0),
        };
        let mut per_weekday = [0u64; 7];
        let mut days_per_weekday = [0u64; 7];
        for (&day, &n) in &self.days {
            per_weekday[time::weekday_monday0(day) as usize] += n;
        }
        for day in first_day..=last_day {
            days_per_weekday[time::weekday_monday0(day) as usize] += 1;
        }
        let rates: Vec<Option<f64>> = (0..7)
            .map(|w| {
                (days_per_weekday[w] > 0)
                    .then(|| per_weekday[w] as f64 / days_per_weekday[w] as f64)
            })
            .collect();
        let present: Vec<f64> = rates.iter().flatten().copied().collect();
        let mean = present.iter().sum::<f64>() / present.len().max(1) as f64;
        let weekdays = rates
            .iter()
            .map(|r| match r {
                Some(r) if mean > 0.0 => round_to(r / mean, 4),
                _ => 1.0,
            })
            .collect();
        let time_model = TimeModel {
            categories: time_categories,
            minutes: self.minutes.0.to_vec(),
            minute0_share: round_to(self.minutes.0[0] as f64 / minute_total.max(1) as f64, 4),
            weekdays,
        };

        // Space: hot r10 cells, then r8 weights of everything else.
        let mut r10_counts: BTreeMap<u64, u32> = BTreeMap::new();
        for p in &self.points {
            *r10_counts.entry(u64::from(p.r10)).or_default() += 1;
        }
        let mut hot: Vec<(u64, u32)> = r10_counts
            .into_iter()
            .filter(|&(_, n)| n >= HOT_MIN_INCIDENTS)
            .collect();
        hot.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hot.truncate(MAX_HOT_CELLS);
        let hot_set: HashSet<u64> = hot.iter().map(|&(c, _)| c).collect();
        let mut hot_counts: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        let mut r8_counts: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        let mut r9_rows: Vec<(u64, usize)> = Vec::with_capacity(self.points.len());
        let mut r8_rows: Vec<(u64, usize)> = Vec::with_capacity(self.points.len());
        for (i, p) in self.points.iter().enumerate() {
            let r10 = u64::from(p.r10);
            let r9 = p.r10.parent(Resolution::Nine).map_or(r10, u64::from);
            let r8 = p.r10.parent(Resolution::Eight).map_or(r10, u64::from);
            let target = if hot_set.contains(&r10) {
                hot_counts.entry(r10)
            } else {
                r8_counts.entry(r8)
            };
            target.or_insert_with(|| vec![0; nc])[p.category as usize] += 1;
            r9_rows.push((r9, i));
            r8_rows.push((r8, i));
        }
        let cell_list = |m: BTreeMap<u64, Vec<u32>>| -> Vec<CellCounts> {
            m.into_iter()
                .map(|(cell, counts)| CellCounts {
                    cell: cell_hex(cell),
                    counts,
                })
                .collect()
        };
        let jurisdiction = |mut rows: Vec<(u64, usize)>| -> Vec<Jurisdiction> {
            rows.sort_unstable();
            let mut out = Vec::new();
            for group in rows.chunk_by(|a, b| a.0 == b.0) {
                let pts = || group.iter().map(|&(_, i)| &self.points[i]);
                let district = mode(pts().map(|p| p.district));
                let beat = mode(pts().filter(|p| p.district == district).map(|p| p.beat))
                    .or_else(|| mode(pts().map(|p| p.beat)));
                out.push(Jurisdiction {
                    cell: cell_hex(group[0].0),
                    district,
                    ward: mode(pts().map(|p| p.ward)),
                    community_area: mode(pts().map(|p| p.community_area)),
                    beat,
                });
            }
            out
        };

        let streets = self
            .streets
            .into_iter()
            .filter_map(|(name, mut pts)| {
                let axis = Axis::of_direction(name.split_whitespace().next()?)?;
                Some(fit_street(name, axis, &mut pts))
            })
            .collect();

        let model = CityModel {
            format: MODEL_FORMAT,
            source: SourceStats {
                rows: self.rows,
                used: self.used,
                rejected: self.rejected,
                duplicate_ids: self.duplicate_ids,
                without_coordinates: self.without_coordinates,
                mixed_case_blocks: self.mixed_case_blocks,
                first_day: time::naive_date(first_day).to_string(),
                last_day: time::naive_date(last_day).to_string(),
            },
            categories,
            types,
            time: time_model,
            cells_r8: cell_list(r8_counts),
            hot_r10: cell_list(hot_counts),
            jurisdiction_r9: jurisdiction(r9_rows),
            jurisdiction_r8: jurisdiction(r8_rows),
            streets,
            address_grid: AddressGrid {
                north_south: grid_knots(self.grid_ns),
                east_west: grid_knots(self.grid_ew),
            },
            state_plane: fit_state_plane(&self.plane)?,
        };
        model.validate()?;
        tracing::info!(
            rows = model.source.used,
            types = model.types.len(),
            r8_cells = model.cells_r8.len(),
            hot_cells = model.hot_r10.len(),
            streets = model.streets.len(),
            "derived city model"
        );
        Ok(model)
    }
}

fn cell_hex(cell: u64) -> String {
    format!("{cell:x}")
}

/// The most frequent value (ties: the smallest); `None` when every value is `None`.
fn mode<T: Ord + Copy>(values: impl Iterator<Item = Option<T>>) -> Option<T> {
    let mut counts: BTreeMap<T, u64> = BTreeMap::new();
    for v in values.flatten() {
        *counts.entry(v).or_default() += 1;
    }
    let mut best: Option<(T, u64)> = None;
    for (v, n) in counts {
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((v, n));
        }
    }
    best.map(|(v, _)| v)
}

/// The address number a block's house-number prefix stands for: `012XX` → 1200,
/// `0000X` → 0, `1000` → 1000.
fn block_number(token: &str) -> Option<u32> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let xs = token.len() - digits;
    if !token.bytes().skip(digits).all(|b| b == b'X' || b == b'x') || xs > 2 {
        return None;
    }
    let v: u32 = token[..digits].parse().ok()?;
    Some(v * 10u32.pow(xs as u32))
}

fn io_err(path: &Path, source: io::Error) -> SynthError {
    SynthError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_numbers() {
        assert_eq!(block_number("012XX"), Some(1200));
        assert_eq!(block_number("0000X"), Some(0));
        assert_eq!(block_number("100XX"), Some(10_000));
        assert_eq!(block_number("1000"), Some(1000));
        assert_eq!(block_number("STATE"), None);
        assert_eq!(block_number("12AB"), None);
    }

    #[test]
    fn modes_prefer_the_smallest_on_ties() {
        assert_eq!(
            mode([Some(3u8), Some(1), Some(3), Some(1), None].into_iter()),
            Some(1)
        );
        assert_eq!(mode([Some(3u8), Some(3), Some(1)].into_iter()), Some(3));
        assert_eq!(mode([None::<u8>, None].into_iter()), None);
    }
}
