//! The per-cell arrays of a result: counts, rates, Wilson intervals, smoothed and
//! neighbour-pooled rates, shares, modes and place attributes of every cell with data.

use std::ops::Range;

use arrow_array::{BooleanArray, Float32Array, StringArray, UInt8Array, UInt32Array, UInt64Array};
use hotspot_core::stats::{self, SMOOTHING_ALPHA, Z95};

use super::Engine;
use super::sums::CellSums;
use crate::index::ResIndex;
use crate::result::CellArrays;

impl Engine {
    pub(super) fn cell_arrays(
        &self,
        r: &ResIndex,
        cur: &CellSums,
        prev: &CellSums,
        range: &Range<usize>,
        prior: f64,
        n_types: usize,
    ) -> CellArrays {
        let ix = &*self.ix;
        let slots: Vec<usize> = range.clone().filter(|&s| cur.inc[s] > 0).collect();
        let n = slots.len();
        let mut out_rate = Vec::with_capacity(n);
        let mut lo = Vec::with_capacity(n);
        let mut hi = Vec::with_capacity(n);
        let mut smooth = Vec::with_capacity(n);
        let mut pn = Vec::with_capacity(n);
        let mut pk = Vec::with_capacity(n);
        let mut prate = Vec::with_capacity(n);
        let mut psmooth = Vec::with_capacity(n);
        let mut share = Vec::with_capacity(n);
        let mut low = Vec::with_capacity(n);
        let mut dominant: Vec<Option<&str>> = Vec::with_capacity(n);
        for &s in &slots {
            let (nn, kk) = (f64::from(cur.sel[s]), f64::from(cur.arr[s]));
            out_rate.push(stats::rate(kk, nn) as f32);
            let (l, h) = stats::wilson_interval(kk, nn, Z95);
            lo.push(l as f32);
            hi.push(h as f32);
            smooth.push(stats::smoothed_rate(kk, nn, prior, SMOOTHING_ALPHA) as f32);
            let (mut qn, mut qk) = (cur.sel[s], cur.arr[s]);
            for &nb in r.neighbours(s) {
                qn += cur.sel[nb as usize];
                qk += cur.arr[nb as usize];
            }
            pn.push(qn);
            pk.push(qk);
            prate.push(if qn > 0 {
                qk as f32 / qn as f32
            } else {
                prior as f32
            });
            psmooth.push(
                stats::smoothed_rate(f64::from(qk), f64::from(qn), prior, SMOOTHING_ALPHA) as f32,
            );
            share.push(cur.sel[s] as f32 / cur.inc[s] as f32);
            low.push(cur.sel[s] < stats::LOW_CONFIDENCE_BELOW);
            let row = &cur.types[(s - range.start) * n_types..(s - range.start + 1) * n_types];
            let mut best: Option<(u32, usize)> = None;
            for (t, &v) in row.iter().enumerate() {
                if v > 0 && best.is_none_or(|(bv, _)| v > bv) {
                    best = Some((v, t));
                }
            }
            dominant.push(best.map(|(_, t)| ix.types[t].as_str()));
        }
        let pick_u8 =
            |v: &Vec<Option<u8>>| UInt8Array::from(slots.iter().map(|&s| v[s]).collect::<Vec<_>>());
        CellArrays {
            cell: UInt64Array::from(slots.iter().map(|&s| r.cells[s]).collect::<Vec<_>>()),
            incidents: UInt32Array::from(slots.iter().map(|&s| cur.inc[s]).collect::<Vec<_>>()),
            selected: UInt32Array::from(slots.iter().map(|&s| cur.sel[s]).collect::<Vec<_>>()),
            arrests: UInt32Array::from(slots.iter().map(|&s| cur.arr[s]).collect::<Vec<_>>()),
            arrest_rate: Float32Array::from(out_rate),
            wilson_lo: Float32Array::from(lo),
            wilson_hi: Float32Array::from(hi),
            smoothed_rate: Float32Array::from(smooth),
            pooled_incidents: UInt32Array::from(pn),
            pooled_arrests: UInt32Array::from(pk),
            pooled_rate: Float32Array::from(prate),
            pooled_smoothed: Float32Array::from(psmooth),
            focus_share: Float32Array::from(share),
            low_confidence: BooleanArray::from(low),
            dominant_type: StringArray::from(dominant),
            label: StringArray::from(
                slots
                    .iter()
                    .map(|&s| Some(r.label[s].as_str()))
                    .collect::<Vec<_>>(),
            ),
            district: pick_u8(&r.district),
            ward: pick_u8(&r.ward),
            community_area: pick_u8(&r.community_area),
            previous_selected: UInt32Array::from(
                slots.iter().map(|&s| prev.sel[s]).collect::<Vec<_>>(),
            ),
        }
    }
}
