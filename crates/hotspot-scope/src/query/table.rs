//! The hotspot table: every cell ranked by the sort column (only the kept rows built), and
//! re-sorting rows a caller already has.

use arrow_array::{Float32Array, UInt8Array};

use crate::index::ResIndex;
use crate::result::{CellArrays, HotspotRow};
use crate::scope::{Scope, SortColumn};

fn table_row(cells: &CellArrays, r: &ResIndex, i: usize) -> HotspotRow {
    let cell = cells.cell.value(i);
    let slot = r.slot(cell).map(|s| s as usize);
    let opt_u8 = |a: &UInt8Array| (!arrow_array::Array::is_null(a, i)).then(|| a.value(i));
    HotspotRow {
        cell,
        label: cells.label.value(i).to_string(),
        block: slot.and_then(|s| r.block[s].clone()),
        street: slot.and_then(|s| r.street[s].clone()),
        incidents: cells.incidents.value(i),
        selected: cells.selected.value(i),
        dominant_type: (!arrow_array::Array::is_null(&cells.dominant_type, i))
            .then(|| cells.dominant_type.value(i).to_string()),
        district: opt_u8(&cells.district),
        ward: opt_u8(&cells.ward),
        community_area: opt_u8(&cells.community_area),
        focus_share: f64::from(cells.focus_share.value(i)),
        arrests: cells.arrests.value(i),
        arrest_rate: f64::from(cells.arrest_rate.value(i)),
        wilson_lo: f64::from(cells.wilson_lo.value(i)),
        wilson_hi: f64::from(cells.wilson_hi.value(i)),
        previous_selected: cells.previous_selected.value(i),
    }
}

/// The hotspot table: every cell ranked by the sort column, only the kept rows built.
pub(super) fn table_rows(cells: &CellArrays, r: &ResIndex, scope: &Scope) -> Vec<HotspotRow> {
    use std::cmp::Ordering;
    let slot_of = |i: usize| r.slot(cells.cell.value(i)).map(|s| s as usize);
    let street = |i: usize| slot_of(i).and_then(|s| r.street[s].as_deref());
    let opt = |a: &UInt8Array, i: usize| (!arrow_array::Array::is_null(a, i)).then(|| a.value(i));
    let dom = |i: usize| {
        (!arrow_array::Array::is_null(&cells.dominant_type, i))
            .then(|| cells.dominant_type.value(i))
    };
    let change =
        |i: usize| i64::from(cells.selected.value(i)) - i64::from(cells.previous_selected.value(i));
    let f = |a: &Float32Array, i: usize, j: usize| {
        a.value(i)
            .partial_cmp(&a.value(j))
            .unwrap_or(Ordering::Equal)
    };
    let cmp = |i: usize, j: usize| -> Ordering {
        match scope.table.sort {
            SortColumn::Label => cells.label.value(i).cmp(cells.label.value(j)),
            SortColumn::Street => street(i).cmp(&street(j)),
            SortColumn::Incidents => cells.incidents.value(i).cmp(&cells.incidents.value(j)),
            SortColumn::Selected => cells.selected.value(i).cmp(&cells.selected.value(j)),
            SortColumn::DominantType => dom(i).cmp(&dom(j)),
            SortColumn::District => opt(&cells.district, i).cmp(&opt(&cells.district, j)),
            SortColumn::Ward => opt(&cells.ward, i).cmp(&opt(&cells.ward, j)),
            SortColumn::CommunityArea => {
                opt(&cells.community_area, i).cmp(&opt(&cells.community_area, j))
            }
            SortColumn::FocusShare => f(&cells.focus_share, i, j),
            SortColumn::Arrests => cells.arrests.value(i).cmp(&cells.arrests.value(j)),
            SortColumn::ArrestRate => f(&cells.arrest_rate, i, j),
            SortColumn::Change => change(i).cmp(&change(j)),
        }
    };
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by(|&i, &j| {
        let primary = if scope.table.descending {
            cmp(j, i)
        } else {
            cmp(i, j)
        };
        primary
            .then_with(|| cells.selected.value(j).cmp(&cells.selected.value(i)))
            .then_with(|| cells.cell.value(i).cmp(&cells.cell.value(j)))
    });
    order
        .into_iter()
        .take(scope.table.rows)
        .map(|i| table_row(cells, r, i))
        .collect()
}

/// Sorts hotspot rows by a column (ties by selected incidents, then cell id, so the order is
/// stable and deterministic).
pub fn sort_rows(rows: &mut [HotspotRow], column: SortColumn, descending: bool) {
    use std::cmp::Ordering;
    let f = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    rows.sort_by(|a, b| {
        let primary = match column {
            SortColumn::Label => a.label.cmp(&b.label),
            SortColumn::Street => a.street.cmp(&b.street),
            SortColumn::Incidents => a.incidents.cmp(&b.incidents),
            SortColumn::Selected => a.selected.cmp(&b.selected),
            SortColumn::DominantType => a.dominant_type.cmp(&b.dominant_type),
            SortColumn::District => a.district.cmp(&b.district),
            SortColumn::Ward => a.ward.cmp(&b.ward),
            SortColumn::CommunityArea => a.community_area.cmp(&b.community_area),
            SortColumn::FocusShare => f(a.focus_share, b.focus_share),
            SortColumn::Arrests => a.arrests.cmp(&b.arrests),
            SortColumn::ArrestRate => f(a.arrest_rate, b.arrest_rate),
            SortColumn::Change => (i64::from(a.selected) - i64::from(a.previous_selected))
                .cmp(&(i64::from(b.selected) - i64::from(b.previous_selected))),
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary
            .then_with(|| b.selected.cmp(&a.selected))
            .then_with(|| a.cell.cmp(&b.cell))
    });
}
