//! [`Engine::hot_spots`]: the Gi* of a scope's selected incidents over the study area — every
//! cell of the lake's coverage at the resolution, zero-filled — with its confidence bins.
//! A drill limits what is shown, never the study area.

use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use hotspot_core::taxonomy::Taxonomy;

use crate::error::{Result, ScopeError};
use crate::hotspots::{Neighbourhoods, bins, gi_star};
use crate::scope::Scope;

use super::Engine;
use super::sums::sum_cells;

/// The largest neighbourhood ring a caller may ask for (`grid_disk(cell, k)`: 91 cells at 5).
pub const MAX_K: u32 = 5;

/// How hot spots are tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct HotSpotOptions {
    /// Neighbourhood: the cells within `k` steps (1–[`MAX_K`]).
    pub k: u32,
    /// Benjamini–Hochberg false-discovery-rate correction of the bins.
    pub fdr: bool,
}

impl Default for HotSpotOptions {
    fn default() -> Self {
        HotSpotOptions { k: 1, fdr: true }
    }
}

/// Gi* of every study-area cell, in coverage order.
#[derive(Clone, Debug, PartialEq)]
pub struct HotSpots {
    pub res: u8,
    pub options: HotSpotOptions,
    /// The study area: the coverage at `res`, ascending.
    pub cells: Vec<u64>,
    /// The variable: selected incidents per cell (0 where the scope has none).
    pub x: Vec<u32>,
    pub z: Vec<f64>,
    pub p: Vec<f64>,
    /// −3 … +3 (see [`crate::hotspots::bins`]).
    pub bin: Vec<i8>,
    /// False when x is the same everywhere: nothing can stand out (z = 0, p = 1).
    pub varies: bool,
    /// The cells the scope's drill shows (all of them without a drill).
    pub shown: Range<usize>,
    /// Cells per bin, −3 … +3, over the shown cells.
    pub counts: [u64; 7],
    pub elapsed_ms: f64,
}

/// Significant cells of one sign that touch each other (H3 neighbours).
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// +1 hot, −1 cold.
    pub sign: i8,
    /// Its cells, ascending.
    pub cells: Vec<u64>,
    /// The cell with the largest |z|.
    pub peak: u64,
    pub peak_z: f64,
    /// The strongest bin in it (±1 … ±3).
    pub bin: i8,
    /// Selected incidents in its cells.
    pub incidents: u64,
    /// The peak cell's label, when the engine filled it in ([`Engine::query`] does).
    pub label: Option<String>,
}

impl HotSpots {
    /// Cells in bin `b` (−3 … +3) among the shown ones.
    pub fn count(&self, b: i8) -> u64 {
        self.counts[(b.clamp(-3, 3) + 3) as usize]
    }

    /// The shown cells and the summary as JSON: cells as 15-hex-digit strings with their x, z,
    /// p and bin, counts per bin (keys "-3" … "3"), and `clusters` (those of
    /// [`HotSpots::clusters`], labelled or not).
    pub fn to_json_value(&self, clusters: &[Cluster]) -> serde_json::Value {
        let hex = |c: u64| format!("{c:015x}");
        let shown = self.shown.clone();
        let counts: serde_json::Map<String, serde_json::Value> = (-3i8..=3)
            .map(|b| (b.to_string(), serde_json::Value::from(self.count(b))))
            .collect();
        let clusters: Vec<serde_json::Value> = clusters
            .iter()
            .map(|c| {
                serde_json::json!({
                    "sign": c.sign,
                    "bin": c.bin,
                    "cells": c.cells.iter().map(|&x| hex(x)).collect::<Vec<_>>(),
                    "peak": hex(c.peak),
                    "peak_z": c.peak_z,
                    "incidents": c.incidents,
                    "label": c.label,
                })
            })
            .collect();
        serde_json::json!({
            "method": "Getis-Ord Gi*",
            "k": self.options.k,
            "fdr": self.options.fdr,
            "study_area": self.cells.len(),
            "varies": self.varies,
            "counts": counts,
            "cells": self.cells[shown.clone()].iter().map(|&c| hex(c)).collect::<Vec<_>>(),
            "x": &self.x[shown.clone()],
            "gi_z": &self.z[shown.clone()],
            "gi_p": &self.p[shown.clone()],
            "gi_bin": &self.bin[shown],
            "clusters": clusters,
        })
    }

    /// The significant shown cells grouped into clusters of touching cells of one sign: hot
    /// clusters first, each kind by incidents (cold: by how few), then by peak |z|.
    pub fn clusters(&self) -> Vec<Cluster> {
        let significant = |i: usize| self.shown.contains(&i) && self.bin[i] != 0;
        let mut seen = vec![false; self.cells.len()];
        let mut out = Vec::new();
        for start in self.shown.clone() {
            if seen[start] || !significant(start) {
                continue;
            }
            let sign = self.bin[start].signum();
            let mut members = Vec::new();
            let mut stack = vec![start];
            seen[start] = true;
            while let Some(i) = stack.pop() {
                members.push(i);
                let Ok(cell) = h3o::CellIndex::try_from(self.cells[i]) else {
                    continue;
                };
                for n in cell.grid_disk::<Vec<_>>(1) {
                    if let Ok(j) = self.cells.binary_search(&u64::from(n))
                        && !seen[j]
                        && significant(j)
                        && self.bin[j].signum() == sign
                    {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
            members.sort_unstable();
            let peak = *members
                .iter()
                .max_by(|&&a, &&b| self.z[a].abs().total_cmp(&self.z[b].abs()))
                .unwrap_or(&start);
            out.push(Cluster {
                sign,
                cells: members.iter().map(|&i| self.cells[i]).collect(),
                peak: self.cells[peak],
                peak_z: self.z[peak],
                bin: members
                    .iter()
                    .map(|&i| self.bin[i])
                    .max_by_key(|b| b.unsigned_abs())
                    .unwrap_or(sign),
                incidents: members.iter().map(|&i| u64::from(self.x[i])).sum(),
                label: None,
            });
        }
        out.sort_by(|a, b| {
            b.sign
                .cmp(&a.sign)
                .then_with(|| {
                    if a.sign > 0 {
                        b.incidents.cmp(&a.incidents)
                    } else {
                        a.incidents.cmp(&b.incidents)
                    }
                })
                .then_with(|| b.peak_z.abs().total_cmp(&a.peak_z.abs()))
        });
        out
    }
}

impl Engine {
    /// The neighbourhoods of the coverage at `res` for ring `k`, built once per engine.
    pub(super) fn neighbourhoods(&self, res: u8, k: u32) -> Result<Arc<Neighbourhoods>> {
        let key = (res, k);
        if let Some(nb) = self.lock_neighbourhoods().get(&key) {
            return Ok(Arc::clone(nb));
        }
        let nb = Arc::new(Neighbourhoods::grid_disk(self.coverage(res)?, k));
        self.lock_neighbourhoods().insert(key, Arc::clone(&nb));
        Ok(nb)
    }

    fn lock_neighbourhoods(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(u8, u32), Arc<Neighbourhoods>>> {
        self.neighbourhoods
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tests every cell of the coverage for a hot or cold spot of the scope's selected
    /// incidents (all incidents without a selection) over its period.
    pub fn hot_spots(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        options: HotSpotOptions,
    ) -> Result<HotSpots> {
        let started = Instant::now();
        if !(1..=MAX_K).contains(&options.k) {
            return Err(ScopeError::Options(format!(
                "the neighbourhood ring k must be 1–{MAX_K}, not {}",
                options.k
            )));
        }
        let ix = &*self.ix;
        let r = ix.at(scope.res)?;
        self.validate_drill(scope)?;
        let intervals = super::clip(&scope.period.intervals()?, ix.cube_days());
        let mut warnings = Vec::new();
        let (mask, _) = self.resolve_selection(scope, taxonomy, &mut warnings);
        let x = sum_cells(ix, r, &intervals, &mask, 0..r.cells.len(), false).sel;
        self.hot_spots_of(scope, options, x, started)
    }

    /// Gi* of `x`, the selected incidents of every coverage cell at the scope's resolution
    /// (already summed: [`Engine::query`] passes its own sums when they cover every cell).
    pub(super) fn hot_spots_of(
        &self,
        scope: &Scope,
        options: HotSpotOptions,
        x: Vec<u32>,
        started: Instant,
    ) -> Result<HotSpots> {
        if !(1..=MAX_K).contains(&options.k) {
            return Err(ScopeError::Options(format!(
                "the neighbourhood ring k must be 1–{MAX_K}, not {}",
                options.k
            )));
        }
        let r = self.ix.at(scope.res)?;
        let all = 0..r.cells.len();
        debug_assert_eq!(x.len(), all.len());
        let values: Vec<f64> = x.iter().map(|v| f64::from(*v)).collect();
        let nb = self.neighbourhoods(scope.res, options.k)?;
        let gi = gi_star(&values, &nb);
        let bin = bins(&gi.z, &gi.p, options.fdr);
        let shown = match scope.drill.last() {
            Some(&t) => r.descendant_slots(t),
            None => all,
        };
        let mut counts = [0u64; 7];
        for b in &bin[shown.clone()] {
            counts[(b + 3) as usize] += 1;
        }
        Ok(HotSpots {
            res: scope.res,
            options,
            cells: r.cells.clone(),
            x,
            z: gi.z,
            p: gi.p,
            bin,
            varies: gi.varies,
            shown,
            counts,
            elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }
}
