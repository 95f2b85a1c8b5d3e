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
    // Gi* bins (±1/±2/±3 = 90/95/99 %) and emerging categories (one stop each) are read
    // against fixed levels, never a data range.
    map.set_domain(metric.fixed_domain());
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
    if metric == Metric::Change {
        // Against what: the previous period or the one a user chose.
        legend.title = format!("Change vs {}", result.comparison.period_label);
    }
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
    if metric == Metric::Emerging {
        legend.method = Some(match &result.emerging {
            Some(e) => emerging_method(&e.stats),
            None => "not analysed for this scope".to_string(),
        });
        legend.categories = Some(match &result.emerging {
            Some(e) => emerging_entries(&e.stats, palette, &legend.domain),
            None => Vec::new(),
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

/// The method card of an emerging hot-spot map: steps, their span, the settings and the study
/// area.
pub fn emerging_method(e: &hotspot_scope::EmergingHotSpots) -> String {
    let o = &e.options;
    let span = match (e.steps.first(), e.steps.last()) {
        (Some(a), Some(b)) => format!(
            " ({} – {})",
            a.0.format("%-d %b %Y"),
            b.1.format("%-d %b %Y")
        ),
        _ => String::new(),
    };
    format!(
        "{} {} steps{span}\nspace-time Gi*, k = {}, time lag {}, {}\nMann–Kendall trend, α = {}\nstudy area {} cells",
        e.steps.len(),
        if o.step == hotspot_scope::Step::Week {
            "weekly"
        } else {
            "monthly"
        },
        o.k,
        o.time_lag,
        if o.fdr {
            "FDR-corrected"
        } else {
            "no FDR correction"
        },
        alpha_text(o.alpha),
        hotspot_core::fmt::thousands(e.cells.len() as u64)
    )
}

/// α with two decimals when that is exact ("0.10", "0.05"), in full otherwise ("0.001").
pub fn alpha_text(alpha: f64) -> String {
    let short = format!("{alpha:.2}");
    if short.parse::<f64>().ok() == Some(alpha) {
        short
    } else {
        alpha.to_string()
    }
}

/// One legend entry per category among the shown cells, hot patterns first (new … historical),
/// then the cold ones, then no pattern; each coloured as the map colours its code.
fn emerging_entries(
    e: &hotspot_scope::EmergingHotSpots,
    palette: &Palette,
    domain: &hotspot_core::palette::Domain,
) -> Vec<crate::LegendEntry> {
    let mut present: Vec<(&hotspot_scope::hotspots::Category, &u64)> = e.counts.iter().collect();
    present.sort_by_key(|(c, _)| match c.code() {
        0 => (2, 0),
        k if k > 0 => (0, k),
        k => (1, -k),
    });
    present
        .into_iter()
        .map(|(c, n)| crate::LegendEntry {
            colour: palette.sample(domain.normalise(f32::from(c.code()))),
            label: c.name(),
            count: *n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use hotspot_core::palette::{Domain, DomainMode};
    use hotspot_scope::hotspots::{Category, Family, Pattern};
    use hotspot_scope::{EmergingHotSpots, EmergingOptions, Step};

    use super::*;

    fn analysis(counts: &[(Category, u64)]) -> EmergingHotSpots {
        let d = |day| NaiveDate::from_ymd_opt(2024, 9, day).expect("date");
        EmergingHotSpots {
            res: 9,
            options: EmergingOptions {
                step: Step::Week,
                ..EmergingOptions::default()
            },
            cells: vec![1, 2, 3],
            steps: vec![(d(2), d(8)), (d(9), d(15))],
            z: vec![0.0; 6],
            sig: vec![0; 6],
            category: vec![Category::NoPattern; 3],
            trend_tau: vec![0.0; 3],
            trend_p: vec![1.0; 3],
            shown: 0..3,
            counts: counts.iter().copied().collect::<BTreeMap<_, _>>(),
            elapsed_ms: 0.0,
        }
    }

    #[test]
    fn emerging_legend_lists_present_categories_hot_first_in_map_colours() {
        let hot = |p| Category::Spot(Family::Hot, p);
        let cold = |p| Category::Spot(Family::Cold, p);
        let e = analysis(&[
            (Category::NoPattern, 40),
            (cold(Pattern::Persistent), 3),
            (hot(Pattern::Sporadic), 2),
            (hot(Pattern::New), 5),
        ]);
        let palette = Palette::emerging();
        let domain = Domain {
            mode: DomainMode::Linear,
            lo: -8.0,
            hi: 8.0,
            breaks: Vec::new(),
        };
        let entries = emerging_entries(&e, &palette, &domain);
        let names: Vec<(&str, u64)> = entries
            .iter()
            .map(|e| (e.label.as_str(), e.count))
            .collect();
        assert_eq!(
            names,
            [
                ("New Hot Spot", 5),
                ("Sporadic Hot Spot", 2),
                ("Persistent Cold Spot", 3),
                ("No Pattern Detected", 40)
            ]
        );
        // Code c is stop c + 8: new hot (+1) is stop 9, persistent cold (−4) stop 4.
        assert_eq!(entries[0].colour, palette.stops[9]);
        assert_eq!(entries[2].colour, palette.stops[4]);
        assert_eq!(entries[3].colour, palette.stops[8]);
    }

    #[test]
    fn the_emerging_method_card_names_every_setting() {
        let card = emerging_method(&analysis(&[]));
        assert_eq!(
            card,
            "2 weekly steps (2 Sep 2024 – 15 Sep 2024)\nspace-time Gi*, k = 1, time lag 1, \
             FDR-corrected\nMann–Kendall trend, α = 0.10\nstudy area 3 cells"
        );
        assert_eq!(alpha_text(0.05), "0.05");
        assert_eq!(alpha_text(0.001), "0.001");
        assert_eq!(alpha_text(0.1), "0.10");
    }
}
