//! Palettes: colour stops → a 256-texel lookup table the GPU samples, plus the value → [0, 1]
//! domain transforms (linear, log, quantile) mirrored on the CPU for legends and tests.

use crate::RenderError;

/// Texels in the colour lookup table.
pub const LUT_SIZE: usize = 256;

/// The old console's incident scale, low → high (green → yellow → red).
pub const CRIME_SCALE: [&str; 6] = [
    "#9bd174", "#6bbf59", "#f5e663", "#f9a64c", "#ef6248", "#b0202f",
];

/// The default "no incidents" colour: faint grey, readable on dark and light backgrounds.
pub const DEFAULT_NO_DATA: &str = "#9aa0a63d";

/// How values are mapped onto the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum DomainMode {
    /// `t = (v − lo) / (hi − lo)`.
    #[default]
    Linear,
    /// `t = ln(1 + v − lo) / ln(1 + hi − lo)`: counts with a long tail (zero stays defined).
    Log,
    /// Equal-count classes: as many classes as stops, breakpoints at the values' quantiles;
    /// class `c` of `k` gets stop `c` exactly.
    Quantile,
}

/// A colour palette as scripts and the console describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct Palette {
    /// Shown in pickers and legends.
    pub name: String,
    /// Hex colours (`#rgb`, `#rrggbb`, `#rrggbbaa`), evenly spaced, low → high before `reverse`.
    pub stops: Vec<String>,
    /// Value → colour mapping.
    pub mode: DomainMode,
    /// Use the stops high → low.
    pub reverse: bool,
    /// Colour of cells that are in the coverage but have no data in the scope.
    pub no_data: String,
    /// What a low value means ("lower incident intensity").
    pub caption_low: String,
    /// What a high value means ("higher incident intensity").
    pub caption_high: String,
}

impl Default for Palette {
    fn default() -> Self {
        Self::incident_volume()
    }
}

impl Palette {
    /// The old console's incident-volume palette (green = low, red = high).
    pub fn incident_volume() -> Self {
        Self {
            name: "Incident volume".into(),
            stops: CRIME_SCALE.iter().map(|s| s.to_string()).collect(),
            mode: DomainMode::Linear,
            reverse: false,
            no_data: DEFAULT_NO_DATA.into(),
            caption_low: "lower incident intensity".into(),
            caption_high: "higher incident intensity".into(),
        }
    }

    /// The old console's arrest palette: the same stops reversed (red = low, green = high, so
    /// good clearance shows green).
    pub fn arrests() -> Self {
        Self {
            name: "Arrests".into(),
            reverse: true,
            caption_low: "fewer arrests / lower clearance".into(),
            caption_high: "more arrests / higher clearance".into(),
            ..Self::incident_volume()
        }
    }

    /// The stops as RGBA, in low → high order after `reverse`.
    pub fn rgba_stops(&self) -> Result<Vec<[u8; 4]>, RenderError> {
        if self.stops.is_empty() {
            return Err(RenderError::EmptyPalette(self.name.clone()));
        }
        let mut out = self
            .stops
            .iter()
            .map(|s| self.colour(s))
            .collect::<Result<Vec<_>, _>>()?;
        if self.reverse {
            out.reverse();
        }
        Ok(out)
    }

    /// The no-data colour as RGBA.
    pub fn no_data_rgba(&self) -> Result<[u8; 4], RenderError> {
        self.colour(&self.no_data)
    }

    fn colour(&self, s: &str) -> Result<[u8; 4], RenderError> {
        parse_hex(s).ok_or_else(|| RenderError::BadColour {
            palette: self.name.clone(),
            colour: s.to_string(),
        })
    }

    /// The lookup table the GPU samples: [`LUT_SIZE`] RGBA texels, texel `i` is the colour at
    /// `t = i / 255`, stops evenly spaced and interpolated in sRGB (as web maps do).
    pub fn lut_rgba(&self) -> Result<Vec<u8>, RenderError> {
        let stops = self.rgba_stops()?;
        let mut out = Vec::with_capacity(LUT_SIZE * 4);
        for i in 0..LUT_SIZE {
            out.extend_from_slice(&sample_stops(&stops, i as f32 / (LUT_SIZE - 1) as f32));
        }
        Ok(out)
    }
}

/// The colour at `t` ∈ [0, 1] along evenly spaced stops.
pub fn sample_stops(stops: &[[u8; 4]], t: f32) -> [u8; 4] {
    match stops.len() {
        0 => [0, 0, 0, 0],
        1 => stops[0],
        n => {
            let s = t.clamp(0.0, 1.0) * (n - 1) as f32;
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

/// Parses `#rgb`, `#rrggbb` or `#rrggbbaa` (the `#` is optional).
pub fn parse_hex(s: &str) -> Option<[u8; 4]> {
    let h = s.trim().trim_start_matches('#');
    if !h.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    match h.len() {
        3 => {
            let mut c = [255u8; 4];
            for (k, ch) in h.chars().enumerate() {
                let v = ch.to_digit(16)? as u8;
                c[k] = v * 17;
            }
            Some(c)
        }
        6 => Some([byte(0)?, byte(2)?, byte(4)?, 255]),
        8 => Some([byte(0)?, byte(2)?, byte(4)?, byte(6)?]),
        _ => None,
    }
}

/// A domain: the value range and, for [`DomainMode::Quantile`], the class breakpoints.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Domain {
    pub lo: f32,
    pub hi: f32,
    /// Ascending breakpoints (`stops − 1` of them) for quantile mode; empty otherwise.
    pub breaks: Vec<f32>,
}

impl Domain {
    /// Maps a value to `t` ∈ [0, 1] exactly as the cell shader does.
    pub fn normalise(&self, mode: DomainMode, v: f32) -> f32 {
        let t = match mode {
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

    /// The inverse of [`Domain::normalise`] for continuous modes (legend ticks).
    pub fn value_at(&self, mode: DomainMode, t: f32) -> f32 {
        match mode {
            DomainMode::Log => self.lo + ((self.hi - self.lo).max(0.0).ln_1p() * t).exp_m1(),
            _ => self.lo + (self.hi - self.lo) * t,
        }
    }
}

/// Equal-count breakpoints: the `j / classes` quantiles (j = 1 … classes − 1) of the finite
/// values, linearly interpolated between order statistics (NumPy's default, "type 7").
pub fn quantile_breaks(values: &[f32], classes: usize) -> Vec<f32> {
    let mut xs: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if xs.is_empty() || classes < 2 {
        return Vec::new();
    }
    xs.sort_unstable_by(f32::total_cmp);
    let n = xs.len();
    (1..classes)
        .map(|j| {
            let h = (n - 1) as f64 * j as f64 / classes as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let f = (h - lo as f64) as f32;
            xs[lo] + (xs[hi] - xs[lo]) * f
        })
        .collect()
}

/// A plain-language name for a colour ("green", "red", …), used so legend captions say what
/// the palette actually shows.
pub fn colour_name(c: [u8; 4]) -> &'static str {
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
    fn hex_forms() {
        assert_eq!(parse_hex("#9bd174"), Some([0x9b, 0xd1, 0x74, 255]));
        assert_eq!(parse_hex("fff"), Some([255, 255, 255, 255]));
        assert_eq!(parse_hex("#00000080"), Some([0, 0, 0, 128]));
        assert_eq!(parse_hex("#12345"), None);
        assert_eq!(parse_hex("#zzzzzz"), None);
        assert_eq!(parse_hex("#ééé"), None);
    }

    #[test]
    fn colour_names_of_default_ends() {
        assert_eq!(
            colour_name(parse_hex("#9bd174").unwrap_or_default()),
            "green"
        );
        assert_eq!(colour_name(parse_hex("#b0202f").unwrap_or_default()), "red");
        assert_eq!(
            colour_name(parse_hex("#f5e663").unwrap_or_default()),
            "yellow"
        );
    }
}
