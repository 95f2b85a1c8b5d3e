//! One day's rows, from the day's own sub-seed so that days can be generated in any order and
//! on any thread. Ids are not assigned here; each row records only its steps in the id and
//! case-number series.

use hotspot_core::{geo, time};

use crate::rng::{Rng, sub_seed};
use crate::streets::Snapped;

use super::plan::Plan;
use super::prepare::Prepared;
use super::{
    EXACT_DUPLICATE_RATE, GenerateOptions, MIXED_CASE_RATE, NO_COORDINATES_RATE,
    NO_WARD_GIVEN_NO_COORDINATES, REVISION_RATE,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Original {
        id_gap: u8,
        case_gap: u8,
    },
    /// Same ID as the row at this index of the day.
    Exact(usize),
    Revised(usize),
}

#[derive(Clone, Debug)]
pub(super) struct Row {
    pub(super) occurred: i64,
    pub(super) updated: i64,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) street: u32,
    pub(super) hundred: u32,
    pub(super) direction: char,
    pub(super) type_idx: u32,
    pub(super) desc: u32,
    pub(super) location: Option<u32>,
    pub(super) district: Option<u8>,
    pub(super) ward: Option<u8>,
    pub(super) community_area: Option<u8>,
    pub(super) beat: Option<u16>,
    pub(super) arrest: bool,
    pub(super) domestic: bool,
    pub(super) coords: bool,
    /// 0: upper case; 1–3: mixed-case variants.
    pub(super) block_case: u8,
    pub(super) kind: Kind,
}

pub(super) struct DayRows {
    pub(super) day: i32,
    pub(super) rows: Vec<Row>,
    /// Sum of the id steps of ordinary originals.
    pub(super) id_gaps: u64,
    /// Homicide originals (each takes one homicide id).
    pub(super) homicides: u64,
    /// Sum of case-number steps.
    pub(super) case_gaps: u64,
}

pub(super) fn generate_day(
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

#[cfg(test)]
mod tests {
    use super::*;

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
