//! The map's legend: what it says (title, palette, domain, value format, caption) and where
//! its ticks go. [`Legend::for_metric`] is the one place a scope metric becomes a legend.

use hotspot_core::palette::{Domain, DomainMode, Palette};
use hotspot_scope::Metric;

/// What the legend shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    /// "Incident volume".
    pub title: String,
    pub palette: Palette,
    pub domain: Domain,
    /// Format ticks as percentages of 1 (rates and shares).
    pub percent: bool,
    /// Appended to the caption, e.g. "Resolution Street-scale (r9) ≈200 m edge · 0.11 km²."
    pub caption_suffix: Option<String>,
    /// What a view's predicate highlights, under the title: "14 cells highlighted:
    /// low_clearance (the rest dimmed)".
    pub highlight: Option<String>,
    /// How the values were computed, under the title (the method card of Gi* maps).
    pub method: Option<String>,
    /// For a categorical metric: one swatch per class present, in place of the colour bar.
    pub categories: Option<Vec<LegendEntry>>,
}

/// One class of a categorical legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub colour: hotspot_core::palette::Rgba,
    /// "New Hot Spot".
    pub label: String,
    /// Cells in the class.
    pub count: u64,
}

impl Legend {
    /// The legend of `metric` coloured by `palette` over `domain` at resolution `res`: the
    /// metric's title and value format, the resolution's size in the caption.
    pub fn for_metric(metric: Metric, palette: Palette, domain: Domain, res: u8) -> Self {
        Self {
            title: metric.title().to_string(),
            palette,
            domain,
            percent: metric.is_percent(),
            highlight: None,
            method: None,
            categories: None,
            caption_suffix: Some(format!(
                "Resolution {} {}.",
                hotspot_core::res::display(res),
                hotspot_core::res::size_text(res)
            )),
        }
    }

    /// A legend for a palette and domain.
    pub fn new(title: impl Into<String>, palette: Palette, domain: Domain) -> Self {
        Self {
            title: title.into(),
            palette,
            domain,
            percent: false,
            caption_suffix: None,
            highlight: None,
            method: None,
            categories: None,
        }
    }

    /// "Legend: green → lower incident intensity; red → higher incident intensity." The colour
    /// words come from the palette's actual low and high ends (after `reverse`,
    /// [`Palette::legend_caption`]), so a reversed palette can never be described backwards.
    pub fn caption(&self) -> String {
        let mut s = match &self.categories {
            Some(_) => "Legend: one colour per category, as listed.".to_string(),
            None => self.palette.legend_caption(),
        };
        if let Some(extra) = &self.caption_suffix {
            s.push(' ');
            s.push_str(extra);
        }
        s
    }

    /// Tick positions (`t` ∈ [0, 1] along the bar, low → high) and labels.
    pub fn ticks(&self) -> Vec<(f32, String)> {
        let d = &self.domain;
        let fmt = |v: f32, step: f32| format_value(v, step, self.percent);
        match d.mode {
            DomainMode::Quantile => {
                let k = d.breaks.len() + 1;
                let mut out = vec![(0.0, fmt(d.lo, 1.0))];
                let step = d
                    .breaks
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .fold(f32::INFINITY, f32::min);
                for (j, b) in d.breaks.iter().enumerate() {
                    out.push(((j + 1) as f32 / k as f32, fmt(*b, step.min(1.0))));
                }
                out
            }
            DomainMode::Linear => {
                let span = d.hi - d.lo;
                if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return vec![(0.0, fmt(d.lo, 1.0))];
                }
                let step = nice_step(span / 5.0);
                let mut v = (d.lo / step).ceil() * step;
                let mut out = Vec::new();
                while v <= d.hi + step * 1e-3 && out.len() < 20 {
                    out.push(((v - d.lo) / span, fmt(v, step)));
                    v += step;
                }
                out
            }
            DomainMode::Log => {
                let mut out = Vec::new();
                let mut candidates = vec![d.lo];
                let mut p = 1.0f32;
                while p <= d.hi * 1.0001 && candidates.len() < 40 {
                    for m in [1.0, 2.0, 5.0] {
                        let v = d.lo + p * m;
                        if v <= d.hi * 1.0001 {
                            candidates.push(v);
                        }
                    }
                    p *= 10.0;
                }
                // Keep both ends, then fill in candidates at least 0.12 apart along the bar.
                let top = candidates.last().copied().unwrap_or(d.hi);
                let mut chosen: Vec<f32> = vec![d.lo];
                if top > d.lo {
                    chosen.push(top);
                }
                for v in candidates {
                    let t = d.normalise(v);
                    if chosen.iter().all(|c| (d.normalise(*c) - t).abs() >= 0.12) {
                        chosen.push(v);
                    }
                }
                chosen.sort_by(f32::total_cmp);
                out.extend(chosen.into_iter().map(|v| (d.normalise(v), fmt(v, 1.0))));
                out
            }
        }
    }
}

/// A 1-2-5 step close to `raw`.
fn nice_step(raw: f32) -> f32 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f32.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn format_value(v: f32, step: f32, percent: bool) -> String {
    if percent {
        let decimals = if step * 100.0 >= 1.0 { 0 } else { 1 };
        return format!("{:.*}%", decimals, v * 100.0);
    }
    if step >= 1.0 && v.fract().abs() < 1e-3 {
        let n = v.round();
        if n >= 0.0 {
            hotspot_core::fmt::thousands(n as u64)
        } else {
            format!("-{}", hotspot_core::fmt::thousands((-n) as u64))
        }
    } else {
        let decimals = (-step.log10().floor()).clamp(1.0, 4.0) as usize;
        format!("{v:.decimals$}")
    }
}
