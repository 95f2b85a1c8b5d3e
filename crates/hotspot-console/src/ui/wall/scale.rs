//! Type sized for distance, not DPI: how big the wall's text must be for the farthest viewer.
//!
//! The rule of thumb of signage and control-room design is that text is read from at most
//! 150 times its height (the height of its capital letters). The wall is laid out in a
//! virtual screen [`WALL_HEIGHT_PT`] points tall, whatever its pixels, so a 1080p, 4K or 8K
//! wall (or several monitors spanned) shows the same layout, only sharper; the type sizes in
//! those points follow from the viewing distance and how tall the picture is in metres.

/// The wall's layout height in points: every wall, whatever its pixels, is laid out in a
/// screen this many points tall (its width follows its aspect ratio).
pub const WALL_HEIGHT_PT: f32 = 1080.0;

/// Capital-letter height as a share of the font size for the console's font (Inter-like
/// sans faces: about 0.7 em).
pub const CAP_HEIGHT_EM: f32 = 0.7;

/// How far text is read from: 150 × its height.
pub const DISTANCE_PER_HEIGHT: f32 = 150.0;

/// The default farthest viewer (metres): a wall is read from five to ten metres.
pub const DEFAULT_DISTANCE_M: f32 = 6.0;

/// The default picture height (metres): a 2 × 2 wall of 55" panels (1.37 m) or a single
/// 100" display (1.25 m) and up; 1.4 m.
pub const DEFAULT_HEIGHT_M: f32 = 1.4;

/// The bounds of what the layout can hold: body text between 1/60 and 1/14 of the height.
const BODY_PT: (f32, f32) = (WALL_HEIGHT_PT / 60.0, WALL_HEIGHT_PT / 14.0);

/// Where the wall's viewers sit and how tall its picture is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WallScale {
    /// The farthest viewer that must read the main text, in metres.
    pub distance_m: f32,
    /// The picture's height on the wall, in metres (all monitors of a spanned wall).
    pub height_m: f32,
}

impl Default for WallScale {
    fn default() -> Self {
        Self {
            distance_m: DEFAULT_DISTANCE_M,
            height_m: DEFAULT_HEIGHT_M,
        }
    }
}

impl WallScale {
    /// The capital height (points of the wall's layout) the farthest viewer can read.
    pub fn legible_cap_pt(&self) -> f32 {
        let cap_m = self.distance_m / DISTANCE_PER_HEIGHT;
        WALL_HEIGHT_PT * cap_m / self.height_m.max(0.01)
    }

    /// Body text (quick hits, KPI names): legible at the full distance, within what the layout
    /// can hold.
    pub fn body(&self) -> f32 {
        (self.legible_cap_pt() / CAP_HEIGHT_EM).clamp(BODY_PT.0, BODY_PT.1)
    }

    /// The view's title and the clock.
    pub fn title(&self) -> f32 {
        self.body() * 1.5
    }

    /// The main figures.
    pub fn figure(&self) -> f32 {
        self.body() * 2.2
    }

    /// Details a viewer walks up to read (freshness, the legend): legible at two thirds of the
    /// distance.
    pub fn detail(&self) -> f32 {
        self.body() * (2.0 / 3.0)
    }

    /// The farthest distance (metres) at which text of `font_pt` points stays legible on this
    /// wall.
    pub fn reading_distance_m(&self, font_pt: f32) -> f32 {
        let cap_m = font_pt * CAP_HEIGHT_EM / WALL_HEIGHT_PT * self.height_m;
        cap_m * DISTANCE_PER_HEIGHT
    }

    /// The zoom factor that lays a screen `screen_px_height` physical pixels tall out in
    /// [`WALL_HEIGHT_PT`] points, given the platform's own pixels per point.
    pub fn zoom_factor(screen_px_height: f32, native_ppp: f32) -> f32 {
        (screen_px_height / WALL_HEIGHT_PT / native_ppp.max(0.1)).clamp(0.25, 8.0)
    }
}

/// Parses a length such as `6m`, `6`, `450cm`, `20ft` (metres when no unit is given).
pub fn parse_length_m(s: &str) -> Result<f32, String> {
    let t = s.trim().to_ascii_lowercase();
    let (number, factor) = if let Some(n) = t.strip_suffix("cm") {
        (n, 0.01)
    } else if let Some(n) = t.strip_suffix("mm") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix("ft") {
        (n, 0.3048)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 1.0)
    } else {
        (t.as_str(), 1.0)
    };
    let v: f32 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a length: write it as 6m, 450cm or 20ft"))?;
    let m = v * factor;
    if !(0.1..=100.0).contains(&m) {
        return Err(format!(
            "`{s}` is {m} m: a wall length must lie between 0.1 m and 100 m"
        ));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_follows_the_150_times_rule() {
        // 6 m away on a 1.5 m tall picture: capitals 4 cm tall = 1080 × 0.04 / 1.5 = 28.8 pt,
        // the font 28.8 / 0.7 = 41.14 pt.
        let s = WallScale {
            distance_m: 6.0,
            height_m: 1.5,
        };
        assert!((s.legible_cap_pt() - 28.8).abs() < 1e-4);
        assert!((s.body() - 41.142_857).abs() < 1e-3);
        assert!((s.figure() - 90.514_29).abs() < 1e-2);
        // And back: that body text is read from 6 m.
        assert!((s.reading_distance_m(s.body()) - 6.0).abs() < 1e-3);
        // Half as far again needs half as much type again; a picture twice as tall needs half.
        let far = WallScale {
            distance_m: 9.0,
            ..s
        };
        let tall = WallScale { height_m: 3.0, ..s };
        assert!((far.body() - 1.5 * s.body()).abs() < 1e-3);
        assert!((tall.body() - s.body() / 2.0).abs() < 1e-3);
        // Past what the layout holds, the size stops at 1/14 of the height.
        let absurd = WallScale {
            distance_m: 50.0,
            height_m: 0.5,
        };
        assert_eq!(absurd.body(), WALL_HEIGHT_PT / 14.0);
    }

    #[test]
    fn every_screen_lays_out_in_the_same_points() {
        // 1080p, 4K and 8K at a native scale of 1, and 4K with a 2× desktop scale.
        assert_eq!(WallScale::zoom_factor(1080.0, 1.0), 1.0);
        assert_eq!(WallScale::zoom_factor(2160.0, 1.0), 2.0);
        assert_eq!(WallScale::zoom_factor(4320.0, 1.0), 4.0);
        assert_eq!(WallScale::zoom_factor(2160.0, 2.0), 1.0);
    }

    #[test]
    fn lengths_parse_with_their_units() {
        assert_eq!(parse_length_m("6m"), Ok(6.0));
        assert_eq!(parse_length_m("6"), Ok(6.0));
        assert_eq!(parse_length_m(" 450cm "), Ok(4.5));
        assert!((parse_length_m("20ft").expect("ft") - 6.096).abs() < 1e-4);
        assert!(parse_length_m("six metres").is_err());
        assert!(parse_length_m("0m").is_err());
        assert!(parse_length_m("-3m").is_err());
        assert!(parse_length_m("1e9").is_err());
        assert!(parse_length_m("NaN").is_err());
    }
}
