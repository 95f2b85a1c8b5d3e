//! The one path from a scope result to the map: [`present`] puts a metric of a
//! [`ScopeResult`] into the renderer's value buffer with its palette, colour domain, drill
//! mask and selection, and returns the [`Legend`] that describes what is shown. The console
//! and `hotspot render` both call it.

use hotspot_core::palette::Palette;
use hotspot_render::map::ValueUpdate;
use hotspot_render::{MapRenderer, OutsideScope, RenderError};
use hotspot_scope::{Metric, ScopeResult};

use crate::legend::Legend;

/// What [`present`] put on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Presented {
    /// The legend of the values shown (domain as the map computed it).
    pub legend: Legend,
    /// How many of the result's cells matched the map's coverage.
    pub update: ValueUpdate,
}

/// Cells a view's predicate picked: one flag per cell of the result (as
/// `ScriptHost::predicate` returns them) and the predicate's name for the legend.
#[derive(Clone, Copy, Debug)]
pub struct Highlight<'a> {
    pub name: &'a str,
    pub mask: &'a [bool],
}

/// Shows `metric` of `result` on `map`, coloured by `palette`: switches to the result's
/// resolution (its geometry must have been set), sets the palette, the metric's value kind
/// (which picks the automatic colour range), one value per cell with data, dims every cell
/// outside a drilled scope and outlines the drill target. With a `highlight`, only the cells
/// it picks are drawn in full: the rest are dimmed, and the legend says how many were picked.
/// Nothing changes when the palette is rejected or the resolution has no geometry.
pub fn present(
    map: &mut MapRenderer,
    result: &ScopeResult,
    metric: Metric,
    palette: &Palette,
    highlight: Option<Highlight<'_>>,
) -> Result<Presented, RenderError> {
    let res = result.scope.res;
    if map.geometry(res).is_none() {
        return Err(RenderError::NoCoverage(res));
    }
    map.set_palette(palette)?;
    map.set_resolution(res)?;
    map.set_value_kind(Some(metric.value_kind()));
    // Gi* bins are read against fixed levels (±1/±2/±3 = 90/95/99 %), never a data range.
    map.set_domain((metric == Metric::HotSpots).then_some((-3.0, 3.0)));
    let cells: &[u64] = result.cells.cell.values();
    let (shown_cells, values) = result.metric_values(metric);
    let update = map.set_values(res, &shown_cells, &values)?;
    let picked: Option<Vec<u64>> = highlight.map(|h| {
        cells
            .iter()
            .zip(h.mask)
            .filter(|(_, on)| **on)
            .map(|(c, _)| *c)
            .collect()
    });
    let in_scope = match &picked {
        Some(p) => Some(p.as_slice()),
        None => (!result.scope.drill.is_empty()).then_some(cells),
    };
    map.set_scope_mask(res, in_scope, OutsideScope::Dim)?;
    map.set_selected(result.drill.target);
    let mut legend = Legend::for_metric(metric, palette.clone(), map.domain(), res);
    if metric == Metric::HotSpots {
        legend.method = Some(match &result.hot_spots {
            Some(h) => format!(
                "±3 / ±2 / ±1: 99 / 95 / 90 % confidence\nGetis–Ord Gi*, k = {}, {}\nstudy area {} cells",
                h.stats.options.k,
                if h.stats.options.fdr {
                    "FDR-corrected"
                } else {
                    "no FDR correction"
                },
                hotspot_core::fmt::thousands(h.stats.cells.len() as u64)
            ),
            None => "not tested for this scope".to_string(),
        });
    }
    if let (Some(h), Some(p)) = (highlight, &picked) {
        let n = p.len() as u64;
        legend.highlight = Some(format!(
            "{} {} highlighted: {} (the rest dimmed)",
            hotspot_core::fmt::thousands(n),
            if n == 1 { "cell" } else { "cells" },
            h.name
        ));
    }
    Ok(Presented { legend, update })
}
