//! XYZ map tiles: the `z/x/y` address of a square of the Web Mercator world (the scheme of
//! OpenStreetMap, Leaflet and every "slippy map" server; `y` counts down from the north edge).
//!
//! The renderer places a tile by its address and the tile client fetches it by the same
//! address, so the type lives here, below both.

use std::fmt;

/// The deepest zoom any tile server serves (and the most a template may ask for).
pub const MAX_TILE_ZOOM: u8 = 22;

/// One tile's address. `x` and `y` are below `2^z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// A tile, or `None` when `z` is past [`MAX_TILE_ZOOM`] or `x`/`y` are outside the grid.
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        if z > MAX_TILE_ZOOM {
            return None;
        }
        let n = 1u32 << z;
        (x < n && y < n).then_some(Self { z, x, y })
    }

    /// Tiles per side at this tile's zoom.
    pub fn grid(self) -> u32 {
        1u32 << self.z
    }

    /// The tile one zoom out that contains this one (`None` at zoom 0).
    pub fn parent(self) -> Option<Self> {
        (self.z > 0).then(|| Self {
            z: self.z - 1,
            x: self.x / 2,
            y: self.y / 2,
        })
    }

    /// The ancestor at zoom `z` (itself when `z` is its own zoom; `None` when deeper).
    pub fn ancestor(self, z: u8) -> Option<Self> {
        (z <= self.z).then(|| {
            let shift = self.z - z;
            Self {
                z,
                x: self.x >> shift,
                y: self.y >> shift,
            }
        })
    }

    /// Where this tile lies inside `ancestor`, as fractions of its side: (u0, v0, u1, v1)
    /// with v counting down from its north edge, like the tile's pixel rows. `None` when
    /// `ancestor` does not contain this tile.
    pub fn within(self, ancestor: Self) -> Option<[f64; 4]> {
        if self.ancestor(ancestor.z) != Some(ancestor) {
            return None;
        }
        let shift = self.z - ancestor.z;
        let n = f64::from(1u32 << shift);
        let (dx, dy) = (
            f64::from(self.x - (ancestor.x << shift)),
            f64::from(self.y - (ancestor.y << shift)),
        );
        Some([dx / n, dy / n, (dx + 1.0) / n, (dy + 1.0) / n])
    }

    /// The tile's bounds as fractions of the world: (west, north, east, south) in 0..=1,
    /// x east from 180°W and y south from the north edge of Web Mercator.
    pub fn unit_bounds(self) -> [f64; 4] {
        let n = f64::from(self.grid());
        [
            f64::from(self.x) / n,
            f64::from(self.y) / n,
            f64::from(self.x + 1) / n,
            f64::from(self.y + 1) / n,
        ]
    }

    /// The tile's north-west corner as (latitude, longitude) in degrees.
    pub fn north_west(self) -> (f64, f64) {
        let n = f64::from(self.grid());
        let lon = f64::from(self.x) / n * 360.0 - 180.0;
        let t = std::f64::consts::PI * (1.0 - 2.0 * f64::from(self.y) / n);
        (t.sinh().atan().to_degrees(), lon)
    }

    /// The tile at zoom `z` that holds (latitude, longitude), clamped to the grid.
    pub fn containing(lat: f64, lon: f64, z: u8) -> Self {
        let z = z.min(MAX_TILE_ZOOM);
        let n = f64::from(1u32 << z);
        let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let fx = (lon + 180.0) / 360.0;
        let fy = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
        let cell = |f: f64| ((f * n).floor().max(0.0) as u32).min((1u32 << z) - 1);
        Self {
            z,
            x: cell(fx),
            y: cell(fy),
        }
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_outside_the_grid_are_refused() {
        assert!(TileId::new(0, 0, 0).is_some());
        assert!(TileId::new(0, 1, 0).is_none());
        assert!(TileId::new(3, 7, 7).is_some());
        assert!(TileId::new(3, 8, 0).is_none());
        assert!(TileId::new(23, 0, 0).is_none());
    }

    #[test]
    fn parents_and_ancestors() {
        let t = TileId::new(5, 13, 22).expect("tile");
        assert_eq!(t.parent(), TileId::new(4, 6, 11));
        assert_eq!(t.ancestor(2), TileId::new(2, 1, 2));
        assert_eq!(t.ancestor(5), Some(t));
        assert_eq!(t.ancestor(6), None);
        assert_eq!(TileId::new(0, 0, 0).and_then(TileId::parent), None);
        // 13 = 0b01101, 22 = 0b10110: at zoom 2 the tile is x 1 (0b01), y 2 (0b10); inside
        // that ancestor it sits at column 0b101 = 5, row 0b110 = 6 of 8.
        let [u0, v0, u1, v1] = t
            .within(TileId::new(2, 1, 2).expect("tile"))
            .expect("inside");
        assert_eq!(
            [u0, v0, u1, v1],
            [5.0 / 8.0, 6.0 / 8.0, 6.0 / 8.0, 7.0 / 8.0]
        );
        assert_eq!(t.within(TileId::new(2, 0, 2).expect("tile")), None);
    }

    #[test]
    fn the_loop_is_in_the_tile_osm_puts_it_in() {
        // State and Madison (41.8819, -87.6278): OSM's tile at zoom 12 is 12/1050/1522
        // (x = floor((lon + 180) / 360 · 4096) = floor(1050.98), y from the Mercator formula).
        let t = TileId::containing(41.8819, -87.6278, 12);
        assert_eq!((t.x, t.y), (1050, 1522));
        let (lat, lon) = t.north_west();
        let next = TileId::new(12, t.x + 1, t.y + 1)
            .expect("tile")
            .north_west();
        assert!(lat >= 41.8819 && next.0 < 41.8819, "{lat} {next:?}");
        assert!(lon <= -87.6278 && next.1 > -87.6278, "{lon} {next:?}");
        assert_eq!(
            TileId::containing(0.0, 0.0, 0),
            TileId::new(0, 0, 0).expect("t")
        );
        assert_eq!(
            TileId::containing(89.0, 180.0, 2),
            TileId::new(2, 3, 0).expect("t")
        );
        assert_eq!(t.to_string(), "12/1050/1522");
    }
}
