//! Colour palettes as plain data: stops, how values map onto them, and what the two ends mean.
//!
//! Scripts (`scripts/palettes.rhai`) define palettes; the renderer builds its GPU lookup texture
//! from [`Palette::lut`] and normalises values with [`Palette::domain`]; legends use
//! [`Domain::ticks`] and [`Palette::legend_caption`]. Nothing here touches a GPU.
//!
//! The defaults reproduce the old console: [`Palette::volume`] is its CRIME_SCALE (green → red)
//! and [`Palette::arrests`] the same stops reversed (red = few arrests, green = many), this time
//! with captions that say which colour means what.

use serde::{Deserialize, Serialize};

use crate::stats::quantile_sorted;

/// RGBA, 8 bits per channel, sRGB.
pub type Rgba = [u8; 4];

/// The old console's CRIME_SCALE, low → high (green → yellow → red).
pub const CRIME_SCALE: [&str; 6] = [
    "#9bd174", "#6bbf59", "#f5e663", "#f9a64c", "#ef6248", "#b0202f",
];

/// The default colour of cells in the coverage without data in scope: a faint grey that reads
/// on dark and light maps.
pub const DEFAULT_NO_DATA: Rgba = [0x9a, 0xa0, 0xa6, 0x3d];

/// Why a colour or palette is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaletteError {
    #[error("`{0}` is not a colour: expected #rrggbb or #rrggbbaa (hex digits 0-9, a-f)")]
    BadColour(String),
    #[error("palette `{0}` has no colour stops")]
    NoStops(String),
    #[error("`{0}` is not a domain mode: expected linear, log or quantile")]
    BadMode(String),
}

/// Parses `#rrggbb` or `#rrggbbaa` (also the short `#rgb`); alpha defaults to opaque.
pub fn parse_hex(text: &str) -> Result<Rgba, PaletteError> {
    let bad = || PaletteError::BadColour(text.to_string());
    let h = text.trim().strip_prefix('#').ok_or_else(bad)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let byte = |i: usize| {
        h.get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .ok_or_else(bad)
    };
    match h.len() {
        3 => {
            let mut c = [255u8; 4];
            for (k, ch) in h.chars().enumerate() {
                c[k] = ch.to_digit(16).ok_or_else(bad)? as u8 * 17;
            }
            Ok(c)
        }
        6 => Ok([byte(0)?, byte(2)?, byte(4)?, 255]),
        8 => Ok([byte(0)?, byte(2)?, byte(4)?, byte(6)?]),
        _ => Err(bad()),
    }
}

/// `#rrggbb` for opaque colours, `#rrggbbaa` otherwise.
pub fn to_hex(c: Rgba) -> String {
    if c[3] == 255 {
        format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c[0], c[1], c[2], c[3])
    }
}

/// How values are spread over the palette.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainMode {
    /// `t = (v − lo) / (hi − lo)`.
    #[default]
    Linear,
    /// `t = ln(1 + v − lo) / ln(1 + hi − lo)`: long-tailed counts.
    Log,
    /// Equal-count classes, one per stop: breakpoints at the values' quantiles; class `c` of `k`
    /// gets stop `c` exactly.
    Quantile,
}

impl DomainMode {
    /// Parses `linear`, `log` or `quantile` (any case).
    pub fn parse(text: &str) -> Result<DomainMode, PaletteError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "linear" => Ok(DomainMode::Linear),
            "log" | "log1p" => Ok(DomainMode::Log),
            "quantile" | "quantiles" => Ok(DomainMode::Quantile),
            _ => Err(PaletteError::BadMode(text.to_string())),
        }
    }

    /// The name scripts use.
    pub fn name(self) -> &'static str {
        match self {
            DomainMode::Linear => "linear",
            DomainMode::Log => "log",
            DomainMode::Quantile => "quantile",
        }
    }
}

/// What kind of values a metric holds, which decides the colour range (as the old console did).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Incident counts: `[0, max(p90, 0.6 × max, 1)]`, so one extreme cell does not wash out
    /// the rest.
    #[default]
    Count,
    /// Shares, rates (and, as in the old console, arrest counts): `[0, max(max, 0.1)]`.
    Rate,
    /// Signed changes: symmetric around zero, `[−m, m]` with `m = max(|v|, 1)`.
    Signed,
}

/// A colour palette.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Palette {
    /// The name views and menus refer to it by.
    pub name: String,
    /// Colours, evenly spaced, low → high before `reverse`.
    pub stops: Vec<Rgba>,
    pub mode: DomainMode,
    /// Use the stops high → low.
    pub reverse: bool,
    /// Cells in the coverage without data in scope.
    pub no_data: Rgba,
    /// What a low value means ("fewer arrests / lower clearance").
    pub caption_low: String,
    /// What a high value means ("more arrests / higher clearance").
    pub caption_high: String,
}

impl Default for Palette {
    fn default() -> Self {
        Self::volume()
    }
}

fn hex_stops(stops: &[&str]) -> Vec<Rgba> {
    stops
        .iter()
        .map(|h| parse_hex(h).unwrap_or([0, 0, 0, 255]))
        .collect()
}

fn crime_scale() -> Vec<Rgba> {
    CRIME_SCALE
        .iter()
        .map(|h| parse_hex(h).unwrap_or([0, 0, 0, 255]))
        .collect()
}

impl Palette {
    /// Builds a palette from hex stops.
    pub fn from_hex(name: &str, stops: &[&str]) -> Result<Palette, PaletteError> {
        if stops.is_empty() {
            return Err(PaletteError::NoStops(name.to_string()));
        }
        Ok(Palette {
            name: name.to_string(),
            stops: stops
                .iter()
                .map(|s| parse_hex(s))
                .collect::<Result<_, _>>()?,
            mode: DomainMode::Linear,
            reverse: false,
            no_data: DEFAULT_NO_DATA,
            caption_low: "lower".into(),
            caption_high: "higher".into(),
        })
    }

    /// The old console's incident palette: green (low) → yellow → red (high).
    pub fn volume() -> Palette {
        Palette {
            name: "volume".into(),
            stops: crime_scale(),
            mode: DomainMode::Linear,
            reverse: false,
            no_data: DEFAULT_NO_DATA,
            caption_low: "lower incident intensity".into(),
            caption_high: "higher incident intensity".into(),
        }
    }

    /// The old console's arrest palette: the same stops reversed, so red = few arrests and
    /// green = many (good clearance shows green), with captions that match the colours.
    pub fn arrests() -> Palette {
        Palette {
            name: "arrests".into(),
            reverse: true,
            caption_low: "fewer arrests / lower clearance".into(),
            caption_high: "more arrests / higher clearance".into(),
            ..Palette::volume()
        }
    }

    /// ArcGIS's seven Gi* confidence classes over −3 … +3: cold 99/95/90 %, not significant,
    /// hot 90/95/99 % (the `hotspots` palette of `scripts/palettes.rhai`, built in for
    /// script directories that lack it).
    pub fn hotspots() -> Palette {
        Palette {
            name: "hotspots".into(),
            stops: hex_stops(&[
                "#4575b4", "#91bfdb", "#e0f3f8", "#d9d9d9", "#fee090", "#fc8d59", "#d73027",
            ]),
            caption_low: "cold spot (fewer incidents than chance)".into(),
            caption_high: "hot spot (more incidents than chance)".into(),
            ..Palette::volume()
        }
    }

    /// One colour per emerging hot-spot category code over −8 … +8 (the `emerging` palette of
    /// `scripts/palettes.rhai`, built in for script directories that lack it).
    pub fn emerging() -> Palette {
        Palette {
            name: "emerging".into(),
            stops: hex_stops(&[
                "#bcbddc",
                "#807dba",
                "#c6dbef",
                "#6baed6",
                "#2171b5",
                "#08306b",
                "#7fcdbb",
                "#1d91c0",
                "#d9d9d966",
                "#e7298a",
                "#fd8d3c",
                "#99000d",
                "#ef3b2c",
                "#fc9272",
                "#fdd49e",
                "#a6761d",
                "#f1b6da",
            ]),
            caption_low: "cold-spot patterns".into(),
            caption_high: "hot-spot patterns".into(),
            ..Palette::volume()
        }
    }

    /// The stops in low → high order, `reverse` applied.
    pub fn ordered_stops(&self) -> Vec<Rgba> {
        let mut s = self.stops.clone();
        if self.reverse {
            s.reverse();
        }
        s
    }

    /// The colour at `t` ∈ [0, 1] (clamped): stops evenly spaced, linear interpolation of the
    /// sRGB components, rounded to the nearest integer.
    pub fn sample(&self, t: f32) -> Rgba {
        sample_stops(&self.ordered_stops(), t)
    }

    /// A lookup table of `n` colours, entry `i` at `t = i / (n − 1)`: the first entry is the
    /// low end, the last the high end (after `reverse`).
    pub fn lut(&self, n: usize) -> Vec<Rgba> {
        let stops = self.ordered_stops();
        match n {
            0 => Vec::new(),
            1 => vec![sample_stops(&stops, 0.0)],
            _ => (0..n)
                .map(|i| sample_stops(&stops, i as f32 / (n - 1) as f32))
                .collect(),
        }
    }

    /// The colour of the lowest values.
    pub fn low_colour(&self) -> Rgba {
        self.sample(0.0)
    }

    /// The colour of the highest values.
    pub fn high_colour(&self) -> Rgba {
        self.sample(1.0)
    }

    /// "Legend: green → lower incident intensity; red → higher incident intensity." The colour
    /// words come from the palette's actual ends, so a reversed palette cannot be mislabelled.
    pub fn legend_caption(&self) -> String {
        format!(
            "Legend: {} → {}; {} → {}.",
            colour_name(self.low_colour()),
            self.caption_low,
            colour_name(self.high_colour()),
            self.caption_high
        )
    }

    /// The value → [0, 1] normalisation for these values, guessing their kind: any negative
    /// value → [`ValueKind::Signed`], all whole numbers → [`ValueKind::Count`], otherwise
    /// [`ValueKind::Rate`]. Use [`Palette::domain_for`] when the kind is known.
    pub fn domain(&self, values: &[f32]) -> Domain {
        let finite = values.iter().filter(|v| v.is_finite());
        let kind = if finite.clone().any(|v| *v < 0.0) {
            ValueKind::Signed
        } else if finite.clone().all(|v| v.fract() == 0.0) {
            ValueKind::Count
        } else {
            ValueKind::Rate
        };
        self.domain_for(values, kind)
    }

    /// The value → [0, 1] normalisation for values of a known kind. Non-finite values are
    /// ignored; no values give `[0, 1]`.
    pub fn domain_for(&self, values: &[f32], kind: ValueKind) -> Domain {
        let mut xs: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
        xs.sort_unstable_by(f32::total_cmp);
        let (lo, hi) = value_range(&xs, kind);
        let breaks = if self.mode == DomainMode::Quantile {
            quantile_breaks_sorted(&xs, self.stops.len().max(2))
        } else {
            Vec::new()
        };
        Domain {
            mode: self.mode,
            lo,
            hi,
            breaks,
        }
    }
}

/// The seed's colour range rules (see [`ValueKind`]) over sorted finite values.
fn value_range(sorted: &[f32], kind: ValueKind) -> (f32, f32) {
    let Some(&max) = sorted.last() else {
        return (0.0, 1.0);
    };
    match kind {
        ValueKind::Count => {
            if max > 0.0 {
                let p90 = quantile_sorted(sorted, 0.9).unwrap_or(0.0) as f32;
                (0.0, p90.max((0.6 * f64::from(max)) as f32).max(1.0))
            } else {
                (0.0, max.max(1.0))
            }
        }
        ValueKind::Rate => (0.0, max.max(0.1)),
        ValueKind::Signed => {
            let min = sorted.first().copied().unwrap_or(0.0);
            let m = max.abs().max(min.abs()).max(1.0);
            (-m, m)
        }
    }
}

/// Equal-count breakpoints of the finite `values` (any order): see [`quantile_breaks_sorted`].
pub fn quantile_breaks(values: &[f32], classes: usize) -> Vec<f32> {
    let mut xs: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    xs.sort_unstable_by(f32::total_cmp);
    quantile_breaks_sorted(&xs, classes)
}

/// Equal-count breakpoints of values sorted ascending: the `j / classes` quantiles
/// (j = 1 … classes − 1, type 7, [`quantile_sorted`]). Empty for no values or fewer than two
/// classes.
pub fn quantile_breaks_sorted(sorted: &[f32], classes: usize) -> Vec<f32> {
    if classes < 2 {
        return Vec::new();
    }
    (1..classes)
        .filter_map(|j| quantile_sorted(sorted, j as f64 / classes as f64))
        .map(|v| v as f32)
        .collect()
}

/// The colour at `t` ∈ [0, 1] along evenly spaced stops.
pub fn sample_stops(stops: &[Rgba], t: f32) -> Rgba {
    match stops.len() {
        0 => [0, 0, 0, 0],
        1 => stops[0],
        n => {
            let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
            let s = t * (n - 1) as f32;
            let j = (s.floor() as usize).min(n - 2);
            let f = s - j as f32;
            let (a, b) = (stops[j], stops[j + 1]);
            let mut c = [0u8; 4];
            for k in 0..4 {
                c[k] = (f32::from(a[k]) + (f32::from(b[k]) - f32::from(a[k])) * f).round() as u8;
            }
            c
        }
    }
}

/// A palette's normalisation for one set of values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    pub mode: DomainMode,
    pub lo: f32,
    pub hi: f32,
    /// Ascending class breakpoints (stops − 1 of them) in quantile mode; empty otherwise.
    pub breaks: Vec<f32>,
}

impl Domain {
    /// Maps a value to `t` ∈ [0, 1] (clamped). Non-finite values give NaN: draw them in the
    /// palette's no-data colour.
    pub fn normalise(&self, v: f32) -> f32 {
        if !v.is_finite() {
            return f32::NAN;
        }
        let t = match self.mode {
            DomainMode::Linear => (v - self.lo) / (self.hi - self.lo).max(f32::MIN_POSITIVE),
            DomainMode::Log => {
                (v - self.lo).max(0.0).ln_1p() / (self.hi - self.lo).max(0.0).ln_1p().max(1e-30)
            }
            DomainMode::Quantile => {
                if self.breaks.is_empty() {
                    0.0
                } else {
                    self.breaks.iter().filter(|b| v >= **b).count() as f32
                        / self.breaks.len() as f32
                }
            }
        };
        t.clamp(0.0, 1.0)
    }

    /// The value at `t` ∈ [0, 1] (the inverse of [`Domain::normalise`] for linear and log).
    pub fn value_at(&self, t: f32) -> f32 {
        let t = t.clamp(0.0, 1.0);
        match self.mode {
            DomainMode::Log => self.lo + ((self.hi - self.lo).max(0.0).ln_1p() * t).exp_m1(),
            _ => self.lo + (self.hi - self.lo) * t,
        }
    }

    /// Values to label on a legend, ascending: five evenly spaced positions for linear and log
    /// (so log ticks crowd toward the low end), the range ends and class breakpoints for
    /// quantile.
    pub fn ticks(&self) -> Vec<f32> {
        match self.mode {
            DomainMode::Quantile => {
                let mut t = Vec::with_capacity(self.breaks.len() + 2);
                t.push(self.lo);
                t.extend(
                    self.breaks
                        .iter()
                        .copied()
                        .filter(|b| *b > self.lo && *b < self.hi),
                );
                t.push(self.hi);
                t.dedup();
                t
            }
            _ => (0..5).map(|i| self.value_at(i as f32 / 4.0)).collect(),
        }
    }
}

/// A plain-language name for a colour ("green", "red", …), so legend captions say what the
/// palette actually shows.
pub fn colour_name(c: Rgba) -> &'static str {
    let [r, g, b] = [c[0], c[1], c[2]].map(|v| f32::from(v) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    if d < 0.12 {
        return if max > 0.8 {
            "white"
        } else if max < 0.2 {
            "black"
        } else {
            "grey"
        };
    }
    let h = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    match h {
        h if h < 15.0 => "red",
        h if h < 40.0 => "orange",
        h if h < 70.0 => "yellow",
        h if h < 165.0 => "green",
        h if h < 195.0 => "cyan",
        h if h < 255.0 => "blue",
        h if h < 290.0 => "purple",
        h if h < 335.0 => "pink",
        _ => "red",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex("#9bd174"), Ok([0x9b, 0xd1, 0x74, 255]));
        assert_eq!(parse_hex("#9BD17480"), Ok([0x9b, 0xd1, 0x74, 0x80]));
        assert_eq!(parse_hex("#fff"), Ok([255, 255, 255, 255]));
        for bad in ["9bd174", "#12345", "#zzzzzz", "#ééé", "", "#1234567"] {
            let err = parse_hex(bad).expect_err(bad);
            assert!(err.to_string().contains("#rrggbb or #rrggbbaa"), "{err}");
        }
        assert_eq!(to_hex([0x9b, 0xd1, 0x74, 255]), "#9bd174");
        assert_eq!(to_hex([0, 0, 0, 0]), "#00000000");
    }

    #[test]
    fn lut_endpoints_and_midpoints() {
        let v = Palette::volume();
        let lut = v.lut(11);
        assert_eq!(lut.len(), 11);
        assert_eq!(lut[0], [0x9b, 0xd1, 0x74, 255]);
        assert_eq!(lut[10], [0xb0, 0x20, 0x2f, 255]);
        // t = 0.5 lies halfway between stops 2 (#f5e663) and 3 (#f9a64c).
        assert_eq!(lut[5], [247, 198, 88, 255]);
        // t = 0.2 is exactly stop 1.
        assert_eq!(lut[2], [0x6b, 0xbf, 0x59, 255]);
        let a = Palette::arrests();
        let alut = a.lut(11);
        assert_eq!(alut[0], [0xb0, 0x20, 0x2f, 255]);
        assert_eq!(alut[10], [0x9b, 0xd1, 0x74, 255]);
        assert_eq!(alut[5], [247, 198, 88, 255]);
        assert_eq!(v.lut(1), vec![[0x9b, 0xd1, 0x74, 255]]);
        assert!(v.lut(0).is_empty());
    }

    #[test]
    fn arrest_captions_match_their_colours() {
        assert_eq!(
            Palette::volume().legend_caption(),
            "Legend: green → lower incident intensity; red → higher incident intensity."
        );
        assert_eq!(
            Palette::arrests().legend_caption(),
            "Legend: red → fewer arrests / lower clearance; green → more arrests / higher clearance."
        );
    }

    #[test]
    fn count_range_follows_the_seed() {
        // p90 of 1..=10 is 9.1; 0.6 × 10 = 6 → upper 9.1.
        let values: Vec<f32> = (1..=10).map(|v| v as f32).collect();
        let d = Palette::volume().domain(&values);
        assert_eq!(d.lo, 0.0);
        assert!((d.hi - 9.1).abs() < 1e-5, "{}", d.hi);
        // One extreme value: 0.6 × max wins.
        let mut skewed = vec![1.0f32; 20];
        skewed.push(100.0);
        let d = Palette::volume().domain(&skewed);
        assert_eq!(d.hi, 60.0);
        assert_eq!(d.normalise(30.0), 0.5);
        assert_eq!(d.normalise(100.0), 1.0);
        assert!(d.normalise(f32::NAN).is_nan());
        // All zero: [0, 1].
        assert_eq!(Palette::volume().domain(&[0.0, 0.0]).hi, 1.0);
        assert_eq!(Palette::volume().domain(&[]).hi, 1.0);
    }

    #[test]
    fn rate_and_signed_ranges() {
        let d = Palette::arrests().domain(&[0.02, 0.05]);
        assert_eq!((d.lo, d.hi), (0.0, 0.1));
        let d = Palette::arrests().domain(&[0.2, 0.5]);
        assert_eq!((d.lo, d.hi), (0.0, 0.5));
        assert_eq!(d.normalise(0.25), 0.5);
        let d = Palette::volume().domain(&[-4.0, 2.0]);
        assert_eq!((d.lo, d.hi), (-4.0, 4.0));
        assert_eq!(d.normalise(0.0), 0.5);
        let d = Palette::volume().domain_for(&[3.0, 9.0], ValueKind::Rate);
        assert_eq!(d.hi, 9.0);
    }

    #[test]
    fn log_and_quantile_domains() {
        let p = Palette {
            mode: DomainMode::Log,
            ..Palette::volume()
        };
        let d = p.domain_for(&[0.0, 99.0], ValueKind::Rate);
        assert_eq!(d.hi, 99.0);
        // ln(1 + 9) / ln(1 + 99) = 0.5.
        assert!((d.normalise(9.0) - 0.5).abs() < 1e-6);
        assert!((d.value_at(0.5) - 9.0).abs() < 1e-4);
        let ticks = d.ticks();
        assert_eq!(ticks.len(), 5);
        assert!((ticks[2] - 9.0).abs() < 1e-4 && (ticks[4] - 99.0).abs() < 1e-3);

        let q = Palette {
            mode: DomainMode::Quantile,
            ..Palette::volume()
        };
        let values: Vec<f32> = (0..=60).map(|v| v as f32).collect();
        let d = q.domain(&values);
        // Six stops → six classes → breaks at the 1/6 … 5/6 quantiles.
        assert_eq!(d.breaks, vec![10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(d.normalise(5.0), 0.0);
        assert_eq!(d.normalise(10.0), 0.2);
        assert_eq!(d.normalise(59.0), 1.0);
        assert_eq!(d.ticks(), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0, d.hi]);
    }

    #[test]
    fn linear_ticks() {
        let d = Domain {
            mode: DomainMode::Linear,
            lo: 0.0,
            hi: 40.0,
            breaks: vec![],
        };
        assert_eq!(d.ticks(), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
    }
}
