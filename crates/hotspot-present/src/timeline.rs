//! From a timeline matrix to a playable map: [`present_timeline`] puts every frame of a
//! metric on the GPU (the renderer mixes frames as the position moves) with one colour domain
//! for all of them, so a colour means the same count in every frame, and says so in the
//! legend.

use hotspot_render::{MapRenderer, Palette, RenderError};
use hotspot_scope::{Metric, TimelineMatrix};

use crate::legend::Legend;

/// The metrics a timeline can play: counts and the arrest rate.
pub const PLAYABLE: [Metric; 4] = [
    Metric::Incidents,
    Metric::Selected,
    Metric::Arrests,
    Metric::ArrestRate,
];

/// Every frame's value of `metric` per cell, frame-major (NaN: no data), and whether a zero
/// means no data (counts).
pub fn timeline_values(
    m: &TimelineMatrix,
    metric: Metric,
) -> Result<(Vec<f32>, bool), RenderError> {
    Ok(match metric {
        Metric::Incidents | Metric::Selected => {
            (m.selected.iter().map(|&v| v as f32).collect(), true)
        }
        Metric::Arrests => (m.arrests.iter().map(|&v| v as f32).collect(), true),
        Metric::ArrestRate => (
            m.selected
                .iter()
                .zip(&m.arrests)
                .map(|(&n, &k)| if n > 0 { k as f32 / n as f32 } else { f32::NAN })
                .collect(),
            false,
        ),
        other => {
            return Err(RenderError::Timeline(format!(
                "{} cannot be played; a timeline shows {}",
                other.title(),
                PLAYABLE.map(|m| m.name()).join(", ")
            )));
        }
    })
}

/// The colour domain fixed over all frames: rates span 0–1; counts 0 to the largest of any
/// cell in any frame (at least 1).
pub fn timeline_domain(m: &TimelineMatrix, metric: Metric) -> (f32, f32) {
    match metric {
        Metric::ArrestRate => (0.0, 1.0),
        Metric::Arrests => (
            0.0,
            m.arrests.iter().copied().max().unwrap_or(0).max(1) as f32,
        ),
        _ => (0.0, m.max_selected.max(1) as f32),
    }
}

/// The legend of a playing timeline: the metric's, with the fixed domain said.
pub fn timeline_legend(
    m: &TimelineMatrix,
    metric: Metric,
    palette: &Palette,
    domain: hotspot_render::Domain,
    res: u8,
) -> Legend {
    let mut legend = Legend::for_metric(metric, palette.clone(), domain, res);
    legend.method = Some(format!(
        "colours fixed over all {} frames\n({})",
        m.frames.len(),
        m.timeline.label()
    ));
    legend
}

/// Uploads the timeline of `metric` and fixes the colour domain over all its frames; the
/// map then plays with [`MapRenderer::set_timeline_position`]. Returns the legend.
pub fn present_timeline(
    map: &mut MapRenderer,
    m: &TimelineMatrix,
    res: u8,
    metric: Metric,
    palette: &Palette,
) -> Result<Legend, RenderError> {
    let (values, zero_is_empty) = timeline_values(m, metric)?;
    map.set_palette(palette)?;
    map.set_resolution(res)?;
    map.set_value_kind(Some(metric.value_kind()));
    map.set_timeline(res, &m.cells, m.frames.len(), &values, zero_is_empty)?;
    map.set_domain(Some(timeline_domain(m, metric)));
    Ok(timeline_legend(m, metric, palette, map.domain(), res))
}

/// The count metric a side-by-side picture shows: the selection's incidents when a selection
/// is active, else all incidents.
pub fn side_by_side_metric(result: &hotspot_scope::ScopeResult) -> Metric {
    if result.selection_active {
        Metric::Selected
    } else {
        Metric::Incidents
    }
}

/// Puts a result's two periods on the map as a two-frame timeline — the compared period's
/// per-cell counts as frame 0, this period's as frame 1 — with one colour domain for both,
/// for [`MapRenderer::render_side_by_side`]. `palette` colours
/// [`side_by_side_metric`]'s counts. Returns the legend.
pub fn present_side_by_side(
    map: &mut MapRenderer,
    result: &hotspot_scope::ScopeResult,
    palette: &Palette,
) -> Result<Legend, RenderError> {
    let c = &result.cells;
    let values: Vec<f32> = c
        .previous_selected
        .values()
        .iter()
        .chain(c.selected.values())
        .map(|v| *v as f32)
        .collect();
    let hi = values.iter().copied().fold(1.0f32, f32::max);
    let res = result.scope.res;
    let metric = side_by_side_metric(result);
    map.set_palette(palette)?;
    map.set_value_kind(Some(metric.value_kind()));
    map.set_timeline(res, c.cell.values(), 2, &values, true)?;
    map.set_domain(Some((0.0, hi)));
    let mut legend = Legend::for_metric(metric, palette.clone(), map.domain(), res);
    legend.method = Some(format!(
        "left: {} · right: {}\none colour scale for both",
        result.comparison.period_label, result.period_label
    ));
    Ok(legend)
}
