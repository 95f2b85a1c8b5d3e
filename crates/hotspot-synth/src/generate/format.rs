//! Writing a day's rows as Socrata CSV: the ids and case numbers are filled in from the day's
//! bases, and the text comes from the model, so the generated rows stay small.

use std::borrow::Cow;

use hotspot_core::socrata::{HeaderStyle, Record, write_record};
use hotspot_core::{names, time};

use crate::grid::block_string;

use super::GenerateSummary;
use super::day::{DayRows, Kind};
use super::ids::{Bases, case_number};
use super::prepare::Prepared;

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

pub(super) fn format_day(
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
            field_issues: Default::default(),
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
    fn mixed_case_variants() {
        assert_eq!(mixed_case("022XX N WESTERN AVE", 1), "022XX N Western Ave");
        assert_eq!(mixed_case("022XX N WESTERN AVE", 2), "022XX N Western AVE");
        assert_eq!(mixed_case("022XX N WESTERN AVE", 3), "022XX N Western ave");
    }
}
