//! All-time labels and drill maps, from every month's r10 tallies.

use std::collections::BTreeSet;

use hotspot_core::hash::FastMap;

use h3o::CellIndex;
use hotspot_core::names;
use hotspot_core::res::{self, MIN_RES, RESOLUTIONS};
use polars::prelude::*;

use super::gold::{Tallies, TallyField, modes_of, parent_at};
use crate::error::Result;
use crate::frame::{self, StrColumn};
use hotspot_core::lake::columns::gold as g;

/// Every month's tallies summed: (r10 cell, value) → incidents over all time. Text values are
/// interned to integer codes so that summing hundreds of months never clones a string.
#[derive(Debug, Default)]
pub struct AllTime {
    strings: Vec<String>,
    codes: FastMap<String, u32>,
    text: FastMap<TallyField, FastMap<(u64, u32), u64>>,
    numeric: FastMap<TallyField, FastMap<(u64, u16), u64>>,
}

impl AllTime {
    fn intern(&mut self, value: &str) -> u32 {
        if let Some(c) = self.codes.get(value) {
            return *c;
        }
        let c = self.strings.len() as u32;
        self.strings.push(value.to_string());
        self.codes.insert(value.to_string(), c);
        c
    }

    /// Adds one month's tallies.
    pub fn add(&mut self, t: &Tallies) {
        for (f, rows) in &t.text {
            let coded: Vec<(u64, u32, u32)> = rows
                .iter()
                .map(|(c, v, n)| (*c, self.intern(v), *n))
                .collect();
            let map = self.text.entry(*f).or_default();
            for (c, code, n) in coded {
                *map.entry((c, code)).or_insert(0) += u64::from(n);
            }
        }
        for (f, rows) in &t.numeric {
            let map = self.numeric.entry(*f).or_default();
            for (c, v, n) in rows {
                *map.entry((*c, *v)).or_insert(0) += u64::from(*n);
            }
        }
    }

    /// Text modes by code; codes compare like their strings only after mapping, so ties are
    /// broken on the strings themselves.
    fn text_modes(&self, f: TallyField, res: u8) -> FastMap<u64, String> {
        let Some(map) = self.text.get(&f) else {
            return FastMap::default();
        };
        let mut sums: FastMap<(u64, u32), u64> = FastMap::default();
        for ((c, code), n) in map {
            if let Some(p) = parent_at(*c, res) {
                *sums.entry((p, *code)).or_insert(0) += n;
            }
        }
        let mut best: FastMap<u64, (u64, u32)> = FastMap::default();
        for ((cell, code), n) in sums {
            let better = |cur: &(u64, u32)| {
                n > cur.0
                    || (n == cur.0 && self.strings[code as usize] < self.strings[cur.1 as usize])
            };
            match best.get_mut(&cell) {
                Some(cur) if better(cur) => *cur = (n, code),
                Some(_) => {}
                None => {
                    best.insert(cell, (n, code));
                }
            }
        }
        best.into_iter()
            .map(|(c, (_, code))| (c, self.strings[code as usize].clone()))
            .collect()
    }

    pub(crate) fn numeric_modes(&self, f: TallyField, res: u8) -> FastMap<u64, u16> {
        self.numeric
            .get(&f)
            .map(|m| modes_of(m.iter().map(|((c, v), n)| (*c, v, *n)), res))
            .unwrap_or_default()
    }

    /// [`AllTime::numeric_modes`] of a code that fits a byte (district, ward, community area).
    fn small_modes(&self, f: TallyField, res: u8) -> FastMap<u64, u8> {
        self.numeric_modes(f, res)
            .into_iter()
            .filter_map(|(c, v)| Some((c, u8::try_from(v).ok()?)))
            .collect()
    }

    /// All-time incidents per cell at `res` (every geolocated record has a primary type).
    fn incidents(&self, res: u8) -> FastMap<u64, u64> {
        let mut out = FastMap::default();
        if let Some(m) = self.text.get(&TallyField::PrimaryType) {
            for ((c, _), n) in m {
                if let Some(p) = parent_at(*c, res) {
                    *out.entry(p).or_insert(0) += n;
                }
            }
        }
        out
    }
}

/// The label people see for a cell: at r9–r10 its signature block (`001XX N State St`), at
/// r7–r8 its community area, at r6 its police district, each falling back to the others.
pub fn label_for(
    res: u8,
    block: Option<&str>,
    street: Option<&str>,
    district: Option<u8>,
    community_area: Option<u8>,
) -> String {
    let area = community_area.map(names::community_area_label);
    let dist = district.map(names::district_label);
    let block = block.filter(|b| !b.is_empty()).map(names::pretty_block);
    let street = street.filter(|s| !s.is_empty()).map(names::pretty_block);
    let order: [Option<String>; 4] = match res {
        9.. => [block, street, area, dist],
        7 | 8 => [area, dist, street, block],
        _ => [dist, area, street, block],
    };
    order
        .into_iter()
        .flatten()
        .next()
        .unwrap_or_else(|| format!("{} cell", res::name(res)))
}

/// The `labels` table of each resolution (r6 first) and the number of cells in each.
pub fn label_frames(all: &AllTime) -> Result<Vec<(u8, DataFrame)>> {
    let mut out = Vec::new();
    for res in RESOLUTIONS {
        let incidents = all.incidents(res);
        let cells: Vec<u64> = incidents
            .keys()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let block = all.text_modes(TallyField::Block, res);
        let street = all.text_modes(TallyField::Street, res);
        let district = all.small_modes(TallyField::District, res);
        let ward = all.small_modes(TallyField::Ward, res);
        let area = all.small_modes(TallyField::CommunityArea, res);
        let mut label = StrColumn::default();
        let mut block_col = StrColumn::default();
        let mut street_col = StrColumn::default();
        for c in &cells {
            let b = block.get(c).map(String::as_str);
            let s = street.get(c).map(String::as_str);
            label.push(&label_for(
                res,
                b,
                s,
                district.get(c).copied(),
                area.get(c).copied(),
            ));
            block_col.push_opt(b);
            street_col.push_opt(s);
        }
        let df = frame::frame(vec![
            frame::vec_column::<UInt64Type>(g::CELL, cells.clone()),
            label.into_column(g::LABEL),
            block_col.into_column(g::SIGNATURE_BLOCK),
            street_col.into_column(g::SIGNATURE_STREET),
            frame::opt_column::<UInt8Type>(
                g::DISTRICT,
                cells.iter().map(|c| district.get(c).copied()).collect(),
            ),
            frame::opt_column::<UInt8Type>(
                g::WARD,
                cells.iter().map(|c| ward.get(c).copied()).collect(),
            ),
            frame::opt_column::<UInt8Type>(
                g::COMMUNITY_AREA,
                cells.iter().map(|c| area.get(c).copied()).collect(),
            ),
            frame::vec_column::<UInt64Type>(
                g::INCIDENTS,
                cells
                    .iter()
                    .map(|c| incidents.get(c).copied().unwrap_or(0))
                    .collect(),
            ),
        ])?;
        out.push((res, df));
    }
    Ok(out)
}

/// The `drill` table at `res` (7–10): (parent at `res − 1`, child at `res`) for every cell of
/// the `labels` table at `res`.
pub fn drill_frame(res: u8, children: &[u64]) -> Result<DataFrame> {
    let mut parent = Vec::with_capacity(children.len());
    let mut child = Vec::with_capacity(children.len());
    if res > MIN_RES {
        for &c in children {
            if let Some(p) = CellIndex::try_from(c)
                .ok()
                .and_then(|cell| cell.parent(res::h3(res - 1)))
            {
                parent.push(u64::from(p));
                child.push(c);
            }
        }
    }
    let df = frame::frame(vec![
        frame::vec_column::<UInt64Type>(g::PARENT, parent),
        frame::vec_column::<UInt64Type>(g::CHILD, child),
    ])?;
    df.sort([g::PARENT, g::CHILD], SortMultipleOptions::default())
        .map_err(|e| crate::error::PipelineError::polars(std::path::Path::new("drill"), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_resolution() {
        assert_eq!(
            label_for(
                10,
                Some("001XX N STATE ST"),
                Some("N STATE ST"),
                Some(1),
                Some(32)
            ),
            "001XX N State St"
        );
        assert_eq!(
            label_for(9, None, Some("N STATE ST"), Some(1), Some(32)),
            "N State St"
        );
        assert_eq!(
            label_for(8, Some("001XX N STATE ST"), None, Some(1), Some(32)),
            "Loop"
        );
        assert_eq!(
            label_for(7, None, None, Some(18), None),
            "District 18 (Near North)"
        );
        assert_eq!(
            label_for(6, None, None, Some(18), Some(8)),
            "District 18 (Near North)"
        );
        assert_eq!(label_for(6, None, None, None, Some(8)), "Near North Side");
        assert_eq!(label_for(9, None, None, None, None), "Street-scale cell");
    }
}
