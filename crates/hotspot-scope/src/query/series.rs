//! The chart series: offence mix over time, arrests, weekday and hour profiles, top types,
//! districts and the crime mix.

use std::collections::BTreeSet;
use std::ops::Range;

use hotspot_core::names;
use hotspot_core::res;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{YearMonth, naive_date};

use super::Engine;
use super::sums::{CellSums, DayCube, block_range, month_pieces, sum_city};
use crate::index::{ResIndex, dow};
use crate::result::*;
use crate::scope::Scope;

fn granularity(days: usize) -> Granularity {
    if days <= 62 {
        Granularity::Day
    } else if days <= 731 {
        Granularity::Week
    } else {
        Granularity::Month
    }
}

fn bucket_start(day: i32, g: Granularity) -> i32 {
    match g {
        Granularity::Day => day,
        Granularity::Week => day - i32::from(dow(day)),
        Granularity::Month => YearMonth::of_day(day).first_day(),
    }
}

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn series(
        &self,
        scope: &Scope,
        cube: &DayCube,
        cur: &CellSums,
        range: &Range<usize>,
        r: &ResIndex,
        intervals: &[(i32, i32)],
        requested: &[(i32, i32)],
        mask: &[bool],
        taxonomy: &Taxonomy,
        warnings: &mut Vec<Warning>,
    ) -> Series {
        let ix = &*self.ix;
        let n_types = ix.types.len();
        let (type_n, type_k) = cube.type_totals();
        let mut order: Vec<usize> = (0..n_types).filter(|&t| type_n[t] > 0).collect();
        order.sort_by_key(|&t| (std::cmp::Reverse(type_n[t]), t));
        let type_count = |t: usize| TypeCount {
            primary_type: ix.types[t].clone(),
            category: taxonomy.category_of(&ix.types[t]).to_string(),
            incidents: type_n[t],
            arrests: type_k[t],
        };

        // Offence mix over time.
        // Buckets follow the period asked, not the part of it the lake holds.
        let asked: i64 = requested
            .iter()
            .map(|&(a, b)| i64::from(b) - i64::from(a) + 1)
            .sum();
        let g = granularity(usize::try_from(asked).unwrap_or(usize::MAX));
        let top5: Vec<usize> = order.iter().take(5).copied().collect();
        let mut buckets: Vec<String> = top5.iter().map(|&t| ix.types[t].clone()).collect();
        let has_other = order.len() > 5;
        if has_other {
            buckets.push("Other".into());
        }
        let mut periods: Vec<i32> = Vec::new();
        let mut counts: Vec<Vec<u32>> = vec![Vec::new(); buckets.len()];
        let mut totals = Vec::new();
        let mut arrests = Vec::new();
        for (e, &day) in cube.days.iter().enumerate() {
            let b = bucket_start(day, g);
            if periods.last() != Some(&b) {
                periods.push(b);
                for c in &mut counts {
                    c.push(0);
                }
                totals.push(0);
                arrests.push(0);
            }
            let p = periods.len() - 1;
            let mut top_sum = 0u64;
            for (bi, &t) in top5.iter().enumerate() {
                let v = cube.type_n[e * n_types + t];
                counts[bi][p] += v as u32;
                top_sum += v;
            }
            if has_other {
                counts[top5.len()][p] += (cube.sel[e] - top_sum) as u32;
            }
            totals[p] += cube.sel[e] as u32;
            arrests[p] += cube.arr[e] as u32;
        }
        let mix = MixSeries {
            granularity: g,
            buckets,
            periods: periods.iter().map(|d| naive_date(*d)).collect(),
            counts,
            totals,
            arrests,
        };

        // Day of week from the daily cube.
        let mut dow_n = [0u64; 7];
        let mut dow_k = [0u64; 7];
        for (e, &day) in cube.days.iter().enumerate() {
            let w = usize::from(dow(day));
            dow_n[w] += cube.sel[e];
            dow_k[w] += cube.arr[e];
        }

        // Hour of day.
        let mut hour_n = [0u64; 24];
        let mut hour_k = [0u64; 24];
        let mut hour_note = None;
        match scope.drill.last() {
            None => {
                // Month cube keys are weekday × 24 + hour.
                let month_keys: Vec<(usize, usize)> = (0..7u8)
                    .filter(|w| scope.focus_dow.is_none_or(|f| f == *w))
                    .flat_map(|w| (0..24).map(move |h| (usize::from(w) * 24 + h, h)))
                    .collect();
                sum_city(
                    ix,
                    intervals,
                    mask,
                    &ix.city_hourly,
                    &ix.city_hour_month,
                    &month_keys,
                    |day, hour| {
                        scope
                            .focus_dow
                            .is_none_or(|f| f == dow(day))
                            .then(|| usize::from(hour).min(23))
                    },
                    &mut hour_n,
                    &mut hour_k,
                );
            }
            Some(&target) => {
                let tr = hotspot_core::h3bits::resolution(target);
                if let Ok(tri) = ix.at(tr)
                    && let (Some(slot), Some(hours)) = (tri.slot(target), tri.hour.as_ref())
                {
                    let range = slot as usize..slot as usize + 1;
                    let pieces = month_pieces(ix, intervals);
                    let mut months_seen = BTreeSet::new();
                    for (m, _, _, whole) in &pieces {
                        if !whole {
                            hour_note = Some(
                                "Inside a drilled cell the lake keeps hours per month: this profile covers the whole months the period touches.".to_string(),
                            );
                        }
                        if !months_seen.insert(*m) {
                            continue;
                        }
                        for i in block_range(
                            &hours.slot,
                            hours.month_start[*m],
                            hours.month_start[*m + 1],
                            &range,
                        ) {
                            if mask[usize::from(hours.ty[i])]
                                && scope.focus_dow.is_none_or(|f| f == hours.dow[i])
                            {
                                let h = usize::from(hours.hour[i]).min(23);
                                hour_n[h] += u64::from(hours.n[i]);
                                hour_k[h] += u64::from(hours.k[i]);
                            }
                        }
                    }
                }
                if let Some(note) = &hour_note {
                    warnings.push(Warning {
                        kind: WarningKind::HourlyWholeMonths,
                        message: note.clone(),
                    });
                }
            }
        }

        // Districts.
        let mut dist_n = [0u64; 256];
        let mut dist_k = [0u64; 256];
        let districts_note = match scope.drill.last() {
            None => {
                let month_keys: Vec<(usize, usize)> =
                    (0..ix.district_month.keys).map(|d| (d, d)).collect();
                sum_city(
                    ix,
                    intervals,
                    mask,
                    &ix.district_daily,
                    &ix.district_month,
                    &month_keys,
                    |_, district| Some(usize::from(district)),
                    &mut dist_n,
                    &mut dist_k,
                );
                None
            }
            Some(_) => {
                for s in range.clone() {
                    let key = r.district[s].map_or(0, usize::from);
                    dist_n[key] += u64::from(cur.sel[s]);
                    dist_k[key] += u64::from(cur.arr[s]);
                }
                Some(format!(
                    "Inside a drilled cell each {} cell counts toward its most common district.",
                    res::name(r.res)
                ))
            }
        };
        let mut districts: Vec<usize> = (0..256).filter(|&d| dist_n[d] > 0).collect();
        districts.sort_by_key(|&d| (std::cmp::Reverse(dist_n[d]), d));
        let top_districts = districts
            .into_iter()
            .take(10)
            .map(|d| DistrictCount {
                district: (d > 0).then_some(d as u8),
                label: if d == 0 {
                    "Unknown".to_string()
                } else {
                    names::district_label(d as u8)
                },
                incidents: dist_n[d],
                arrests: dist_k[d],
            })
            .collect();

        let sel_total: u64 = cube.sel.iter().sum();
        let arr_total: u64 = cube.arr.iter().sum();
        Series {
            mix,
            arrests: arr_total,
            no_arrest: sel_total.saturating_sub(arr_total),
            dow_incidents: dow_n,
            dow_arrests: dow_k,
            hour_incidents: hour_n,
            hour_arrests: hour_k,
            hour_focus_dow: scope.focus_dow,
            hour_note,
            top_types: order.iter().take(12).map(|&t| type_count(t)).collect(),
            top_districts,
            districts_note,
            crime_mix: order.iter().take(10).map(|&t| type_count(t)).collect(),
        }
    }
}
