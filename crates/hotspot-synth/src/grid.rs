//! Chicago's address grid: house numbers from coordinates and back, and block strings.
//!
//! The grid's origin is State Street (0 east/west, longitude ≈ −87.6277) and Madison Street
//! (0 north/south, latitude ≈ 41.8820), with 800 address numbers per mile. The real grid is
//! not perfectly uniform (south of Roosevelt Road numbers run about 400–600 ahead of the
//! distance, and an "address mile" is a little shorter than a mile east–west), so the model
//! carries a calibration: knots `(offset in degrees from the origin, signed house number)`
//! measured from the sample's blocks. Between knots the mapping is linear; beyond the outer
//! knots (or with no knots at all) it continues at the nominal 800 numbers per mile.

use serde::{Deserialize, Serialize};

/// Latitude of Madison Street, the 0 north/south line.
pub const MADISON_LAT: f64 = 41.8820;
/// Longitude of State Street, the 0 east/west line.
pub const STATE_LON: f64 = -87.6277;
/// Address numbers per mile.
pub const NUMBERS_PER_MILE: f64 = 800.0;
/// Miles per degree of latitude.
pub const MILES_PER_DEG_LAT: f64 = 69.05;
/// Miles per degree of longitude at Chicago's latitude (69.17 · cos 41.88°), a constant so no
/// trigonometry is needed at run time.
pub const MILES_PER_DEG_LON: f64 = 51.52;
/// Metres per degree of latitude.
pub const M_PER_DEG_LAT: f64 = 111_130.0;
/// Metres per degree of longitude at Chicago's latitude.
pub const M_PER_DEG_LON: f64 = 82_900.0;

/// Which way a street runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Axis {
    /// North–south (`N …` / `S …` blocks): numbered by latitude, fixed longitude.
    #[serde(rename = "ns")]
    NorthSouth,
    /// East–west (`E …` / `W …` blocks): numbered by longitude, fixed latitude.
    #[serde(rename = "ew")]
    EastWest,
}

impl Axis {
    /// Nominal address numbers per degree along this axis.
    pub fn numbers_per_degree(self) -> f64 {
        match self {
            Axis::NorthSouth => NUMBERS_PER_MILE * MILES_PER_DEG_LAT,
            Axis::EastWest => NUMBERS_PER_MILE * MILES_PER_DEG_LON,
        }
    }

    /// The grid origin on this axis (Madison's latitude or State's longitude).
    pub fn origin(self) -> f64 {
        match self {
            Axis::NorthSouth => MADISON_LAT,
            Axis::EastWest => STATE_LON,
        }
    }

    /// The direction letter for a signed house number (`N`/`S` or `E`/`W`).
    pub fn direction(self, positive: bool) -> char {
        match (self, positive) {
            (Axis::NorthSouth, true) => 'N',
            (Axis::NorthSouth, false) => 'S',
            (Axis::EastWest, true) => 'E',
            (Axis::EastWest, false) => 'W',
        }
    }

    /// The axis a street's direction letter implies.
    pub fn of_direction(letter: &str) -> Option<Axis> {
        match letter {
            "N" | "S" => Some(Axis::NorthSouth),
            "E" | "W" => Some(Axis::EastWest),
            _ => None,
        }
    }
}

/// The calibrated address grid (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressGrid {
    /// Knots `[latitude − MADISON_LAT, signed N/S house number]`, strictly increasing in both.
    pub north_south: Vec<[f64; 2]>,
    /// Knots `[longitude − STATE_LON, signed E/W house number]`, strictly increasing in both.
    pub east_west: Vec<[f64; 2]>,
}

impl AddressGrid {
    fn knots(&self, axis: Axis) -> &[[f64; 2]] {
        match axis {
            Axis::NorthSouth => &self.north_south,
            Axis::EastWest => &self.east_west,
        }
    }

    /// The signed house number at coordinate `coord` (latitude for north–south numbering,
    /// longitude for east–west).
    pub fn number_at(&self, axis: Axis, coord: f64) -> f64 {
        interpolate(
            self.knots(axis),
            coord - axis.origin(),
            axis.numbers_per_degree(),
            0,
            1,
        )
    }

    /// The coordinate of signed house number `number` (inverse of [`AddressGrid::number_at`]).
    pub fn coord_of(&self, axis: Axis, number: f64) -> f64 {
        axis.origin()
            + interpolate(
                self.knots(axis),
                number,
                1.0 / axis.numbers_per_degree(),
                1,
                0,
            )
    }

    /// Checks the knots are usable (finite, strictly increasing in both coordinates).
    pub fn validate(&self) -> Result<(), String> {
        for (name, knots) in [
            ("north_south", &self.north_south),
            ("east_west", &self.east_west),
        ] {
            for k in knots.iter() {
                if !k[0].is_finite() || !k[1].is_finite() {
                    return Err(format!("address_grid.{name} has a non-finite knot"));
                }
            }
            for w in knots.windows(2) {
                if w[1][0] <= w[0][0] || w[1][1] <= w[0][1] {
                    return Err(format!(
                        "address_grid.{name} knots are not strictly increasing"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Piecewise-linear map through `knots` from column `from` to column `to`, continued with
/// `slope` beyond the ends (and through the origin when there are no knots).
fn interpolate(knots: &[[f64; 2]], x: f64, slope: f64, from: usize, to: usize) -> f64 {
    let (Some(first), Some(last)) = (knots.first(), knots.last()) else {
        return x * slope;
    };
    if x <= first[from] {
        return first[to] + (x - first[from]) * slope;
    }
    if x >= last[from] {
        return last[to] + (x - last[from]) * slope;
    }
    // First knot strictly greater than x; it exists and is not the first.
    let i = knots
        .partition_point(|k| k[from] <= x)
        .clamp(1, knots.len() - 1);
    let (a, b) = (knots[i - 1], knots[i]);
    let t = (x - a[from]) / (b[from] - a[from]);
    a[to] + t * (b[to] - a[to])
}

/// The house-number prefix of a block: hundreds with at least three digits then `XX`
/// (`001XX`, `012XX`, `100XX`), and `0000X` for the zero block.
pub fn block_prefix(hundred: u32, out: &mut String) {
    use std::fmt::Write;
    if hundred == 0 {
        out.push_str("0000X");
    } else {
        let _ = write!(out, "{hundred:03}XX");
    }
}

/// A full block string: `012XX W 95TH ST`.
pub fn block_string(hundred: u32, direction: char, street_body: &str) -> String {
    let mut s = String::with_capacity(8 + street_body.len());
    block_prefix(hundred, &mut s);
    s.push(' ');
    s.push(direction);
    s.push(' ');
    s.push_str(street_body);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_prefixes_match_the_real_format() {
        assert_eq!(block_string(12, 'W', "95TH ST"), "012XX W 95TH ST");
        assert_eq!(block_string(0, 'N', "STATE ST"), "0000X N STATE ST");
        assert_eq!(block_string(1, 'N', "STATE ST"), "001XX N STATE ST");
        assert_eq!(block_string(100, 'W', "OHARE ST"), "100XX W OHARE ST");
    }

    #[test]
    fn nominal_grid_is_800_per_mile_and_invertible() {
        let g = AddressGrid::default();
        // One mile north of Madison is 800 N.
        let lat = MADISON_LAT + 1.0 / MILES_PER_DEG_LAT;
        assert!((g.number_at(Axis::NorthSouth, lat) - 800.0).abs() < 1e-6);
        let lon = STATE_LON - 2.0 / MILES_PER_DEG_LON;
        assert!((g.number_at(Axis::EastWest, lon) + 1600.0).abs() < 1e-6);
        assert!((g.coord_of(Axis::EastWest, -1600.0) - lon).abs() < 1e-12);
    }

    #[test]
    fn calibrated_grid_interpolates_and_inverts() {
        let g = AddressGrid {
            north_south: vec![
                [-0.2, -11_600.0],
                [-0.1, -6_000.0],
                [0.0, 0.0],
                [0.1, 5_500.0],
            ],
            east_west: vec![],
        };
        g.validate().expect("valid");
        let n = g.number_at(Axis::NorthSouth, MADISON_LAT - 0.15);
        assert!((n + 8_800.0).abs() < 1e-6);
        let back = g.coord_of(Axis::NorthSouth, n);
        assert!((back - (MADISON_LAT - 0.15)).abs() < 1e-9);
        // Beyond the last knot: nominal slope.
        let far = g.number_at(Axis::NorthSouth, MADISON_LAT + 0.2);
        assert!((far - (5_500.0 + 0.1 * Axis::NorthSouth.numbers_per_degree())).abs() < 1e-6);
        let bad = AddressGrid {
            north_south: vec![[0.0, 0.0], [0.0, 1.0]],
            east_west: vec![],
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn directions() {
        assert_eq!(Axis::NorthSouth.direction(true), 'N');
        assert_eq!(Axis::EastWest.direction(false), 'W');
        assert_eq!(Axis::of_direction("S"), Some(Axis::NorthSouth));
        assert_eq!(Axis::of_direction("X"), None);
    }
}
