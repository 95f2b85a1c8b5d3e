//! Distributions, geography and quirks of a generated year (200,000 rows over 2024).

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;

use h3o::{LatLng, Resolution};
use hotspot_core::socrata::HeaderStyle;
use hotspot_core::{geo, time};
use hotspot_synth::grid::{MADISON_LAT, STATE_LON};
use hotspot_synth::{CityModel, GenerateSummary};

const ROWS: u64 = 200_000;

struct Year {
    model: CityModel,
    rows: Vec<common::Parsed>,
    summary: GenerateSummary,
}

fn year() -> &'static Year {
    static YEAR: OnceLock<Year> = OnceLock::new();
    YEAR.get_or_init(|| {
        let model = common::model();
        let opts = common::options(
            ROWS,
            common::date(2024, 1, 1),
            common::date(2024, 12, 31),
            2024,
            HeaderStyle::Export,
        );
        let (bytes, summary) = common::generate_bytes(&model, &opts);
        let (_, rows) = common::parse_all(&bytes);
        Year {
            model,
            rows,
            summary,
        }
    })
}

fn sigma(p: f64, n: f64) -> f64 {
    (p * (1.0 - p) / n).sqrt()
}

#[test]
fn offence_mix_and_arrest_rates_follow_the_model() {
    let y = year();
    assert_eq!(y.rows.len() as u64, ROWS);
    let n = y.rows.len() as f64;
    let mut counts: HashMap<&str, (f64, f64)> = HashMap::new();
    for p in &y.rows {
        let e = counts.entry(p.record.primary_type.as_ref()).or_default();
        e.0 += 1.0;
        e.1 += f64::from(u8::from(p.record.arrest));
    }
    for t in &y.model.types {
        let want = y.model.type_share(&t.primary_type);
        let (k, arrests) = counts
            .get(t.primary_type.as_str())
            .copied()
            .unwrap_or_default();
        let got = k / n;
        assert!(
            (got - want).abs() <= 4.0 * sigma(want, n) + 0.001,
            "{}: share {got:.4} vs model {want:.4}",
            t.primary_type
        );
        if k >= 2_000.0 {
            let rate = arrests / k;
            assert!(
                (rate - t.arrest_rate).abs() <= 4.0 * sigma(t.arrest_rate, k) + 0.01,
                "{}: arrest rate {rate:.4} vs model {:.4}",
                t.primary_type,
                t.arrest_rate
            );
        }
    }
    // Nothing outside the model's types.
    assert!(counts.keys().all(|t| y.model.type_share(t) > 0.0));
}

#[test]
fn default_time_spikes_weekdays_and_seasons() {
    let y = year();
    let mut hours = [0f64; 24];
    let mut per_weekday = [0f64; 7];
    let mut per_month = [0f64; 12];
    let mut minute0 = 0.0;
    for p in &y.rows {
        let t = p.record.occurred_at;
        hours[time::hour_of_micros(t) as usize] += 1.0;
        let day = time::day_of_micros(t);
        per_weekday[time::weekday_monday0(day) as usize] += 1.0;
        per_month[time::civil_from_days(day).1 as usize - 1] += 1.0;
        minute0 += f64::from(u8::from(t % time::MICROS_PER_HOUR == 0));
    }
    // The 00:00 and 12:00 artefacts.
    assert!(
        hours[0] > 1.5 * hours[1],
        "hour 0 {} vs hour 1 {}",
        hours[0],
        hours[1]
    );
    assert!(
        hours[12] > 1.15 * hours[11].max(hours[13]),
        "hour 12 {} vs {} / {}",
        hours[12],
        hours[11],
        hours[13]
    );
    assert!(hours[5] < hours[17], "night trough missing");
    let share0 = minute0 / y.rows.len() as f64;
    assert!(share0 > 0.25 && share0 < 0.45, "minute-0 share {share0}");

    // Weekday profile (2024 has 53 Mondays and Tuesdays, 52 of the rest).
    let days_of = |w: usize| if w < 2 { 53.0 } else { 52.0 };
    let rate: Vec<f64> = (0..7).map(|w| per_weekday[w] / days_of(w)).collect();
    let (max, min) = rate
        .iter()
        .fold((f64::MIN, f64::MAX), |(a, b), &r| (a.max(r), b.min(r)));
    assert!(max / min > 1.05, "weekday profile is flat: {rate:?}");
    let argmax = |v: &[f64]| {
        v.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
    };
    assert_eq!(argmax(&rate), argmax(&y.model.time.weekdays));

    // Seasonality: July per day well above February per day.
    let jul = per_month[6] / 31.0;
    let feb = per_month[1] / 29.0;
    assert!(
        jul > 1.3 * feb,
        "July {jul:.0}/day vs February {feb:.0}/day"
    );
    let summer: f64 = per_month[5..8].iter().sum();
    let winter: f64 = per_month[0] + per_month[1] + per_month[11];
    assert!(summer > 1.2 * winter);
}

#[test]
fn points_are_in_the_city_on_the_right_side_with_the_right_district() {
    let y = year();
    let m = &y.model;
    let r9: HashMap<u64, Option<u8>> = m
        .jurisdiction_r9
        .iter()
        .map(|j| (u64::from_str_radix(&j.cell, 16).expect("hex"), j.district))
        .collect();
    let r8: HashMap<u64, Option<u8>> = m
        .jurisdiction_r8
        .iter()
        .map(|j| (u64::from_str_radix(&j.cell, 16).expect("hex"), j.district))
        .collect();
    let (mut mapped, mut side_ok, mut district_ok) = (0u64, 0u64, 0u64);
    let mut r10: HashMap<u64, u64> = HashMap::new();
    for p in &y.rows {
        let r = &p.record;
        let (Some(lat), Some(lon)) = (r.latitude, r.longitude) else {
            continue;
        };
        mapped += 1;
        assert_eq!(
            geo::classify(Some(lat), Some(lon)),
            None,
            "outside the city: {}",
            p.line
        );
        let direction = r.block.split_whitespace().nth(1).unwrap_or("");
        side_ok += u64::from(match direction {
            "N" => lat > MADISON_LAT,
            "S" => lat < MADISON_LAT,
            "E" => lon > STATE_LON,
            "W" => lon < STATE_LON,
            _ => false,
        });
        let cell = LatLng::new(lat, lon)
            .expect("latlng")
            .to_cell(Resolution::Nine);
        let modal = r9.get(&u64::from(cell)).copied().or_else(|| {
            cell.parent(Resolution::Eight)
                .and_then(|c| r8.get(&u64::from(c)).copied())
        });
        district_ok += u64::from(matches!(modal, Some(d) if d == r.district));
        *r10.entry(u64::from(
            LatLng::new(lat, lon)
                .expect("latlng")
                .to_cell(Resolution::Ten),
        ))
        .or_default() += 1;
        // X/Y follow the coordinates (state-plane feet, Chicago's range).
        let (x, yy) = (r.x_coordinate.expect("x"), r.y_coordinate.expect("y"));
        assert!(
            (1_080_000.0..1_210_000.0).contains(&x) && (1_810_000.0..1_960_000.0).contains(&yy)
        );
    }
    let mapped_f = mapped as f64;
    println!(
        "direction agrees {:.4}, district agrees {:.4}",
        side_ok as f64 / mapped_f,
        district_ok as f64 / mapped_f
    );
    assert!(
        side_ok as f64 / mapped_f >= 0.95,
        "direction agrees for {side_ok} of {mapped}"
    );
    assert!(
        district_ok as f64 / mapped_f >= 0.95,
        "district agrees for {district_ok} of {mapped}"
    );

    // Concentration: the busiest 5 % of r10 cells hold a large share.
    let mut counts: Vec<u64> = r10.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top = counts.len().div_ceil(20);
    let share = counts[..top].iter().sum::<u64>() as f64 / mapped_f;
    // (The real September 2024 sample: 18 % over two weeks; uniform placement gives under 10 %.)
    println!("top 5 % of r10 cells hold {share:.3}");
    assert!(share > 0.22, "top 5 % of r10 cells hold only {share:.3}");

    // Many incidents share a coordinate, as in the real data.
    let mut coords: HashMap<(u64, u64), u32> = HashMap::new();
    for p in &y.rows {
        if let (Some(a), Some(b)) = (p.record.latitude, p.record.longitude) {
            *coords.entry((a.to_bits(), b.to_bits())).or_default() += 1;
        }
    }
    assert!(
        (coords.len() as f64) < 0.8 * mapped_f,
        "{} distinct points of {mapped}",
        coords.len()
    );
}

#[test]
fn blocks_look_real() {
    let y = year();
    for p in y.rows.iter().take(20_000) {
        let mut tokens = p.record.block.split_whitespace();
        let number = tokens.next().expect("house number");
        assert!(
            number == "0000X"
                || (number.len() >= 5
                    && number.ends_with("XX")
                    && number[..number.len() - 2]
                        .bytes()
                        .all(|b| b.is_ascii_digit())),
            "bad block {}",
            p.record.block
        );
        assert!(
            matches!(tokens.next(), Some("N" | "S" | "E" | "W")),
            "bad block {}",
            p.record.block
        );
        assert!(tokens.next().is_some(), "no street in {}", p.record.block);
    }
}

#[test]
fn quirks_appear_at_realistic_rates() {
    let y = year();
    let s = &y.summary;
    let n = y.rows.len() as f64;
    let mut first: HashMap<i64, usize> = HashMap::new();
    let (mut exact, mut revised, mut no_coords, mut no_ward, mut mixed, mut homicides) =
        (0, 0, 0, 0, 0, 0);
    for (i, p) in y.rows.iter().enumerate() {
        let r = &p.record;
        match first.get(&r.id) {
            None => {
                first.insert(r.id, i);
            }
            Some(&j) => {
                let orig = &y.rows[j];
                assert!(j < i);
                if orig.line == p.line {
                    exact += 1;
                } else {
                    revised += 1;
                    assert!(
                        r.updated_on > orig.record.updated_on,
                        "revision not later: {}",
                        p.line
                    );
                    assert!(
                        r.arrest && !orig.record.arrest,
                        "revision does not record an arrest"
                    );
                    assert_eq!(r.occurred_at, orig.record.occurred_at);
                    assert_eq!(r.case_number, orig.record.case_number);
                }
            }
        }
        if r.latitude.is_none() {
            no_coords += 1;
            assert!(r.longitude.is_none() && r.x_coordinate.is_none() && r.y_coordinate.is_none());
            assert!(p.line.ends_with(','), "Location must be empty: {}", p.line);
            no_ward += u64::from(r.ward.is_none());
        } else {
            assert!(r.ward.is_some() && r.community_area.is_some());
        }
        if p.raw_block.bytes().any(|b| b.is_ascii_lowercase()) {
            mixed += 1;
        }
        if r.primary_type == "HOMICIDE" {
            homicides += 1;
            assert!(
                (10_000..=99_999).contains(&r.id),
                "homicide id {} is not 5 digits",
                r.id
            );
        } else {
            assert!(
                (10_000_000..=99_999_999).contains(&r.id),
                "id {} is not 8 digits",
                r.id
            );
        }
    }
    assert_eq!((exact + revised) as u64, s.duplicates);
    assert_eq!(revised as u64, s.revisions);
    assert_eq!(no_coords, s.without_coordinates);
    assert_eq!(mixed, s.mixed_case_blocks);
    assert_eq!(homicides, s.homicides);
    let rate = |k: u64| k as f64 / n;
    assert!(
        (0.00015..0.0006).contains(&rate(exact as u64)),
        "exact duplicates {exact}"
    );
    assert!(
        (0.0003..0.0008).contains(&rate(revised as u64)),
        "revisions {revised}"
    );
    assert!(
        (0.005..0.01).contains(&rate(no_coords)),
        "without coordinates {no_coords}"
    );
    assert!(
        no_ward > no_coords / 4 && no_ward < no_coords * 3 / 4,
        "no ward {no_ward} of {no_coords}"
    );
    assert!((0.003..0.008).contains(&rate(mixed)), "mixed case {mixed}");
    assert!(homicides > 0);
    // Ordinary ids ascend through the file (first occurrences; revisions come later).
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<i64> = y
        .rows
        .iter()
        .map(|p| p.record.id)
        .filter(|&id| id >= 10_000_000 && seen.insert(id))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] <= w[1]));
}
