//! Which raster basemap tiles a camera shows: the tile zoom for the map's scale and the XYZ
//! tiles covering the view, centre first. The pixels come from whoever the caller asks (the
//! renderer fetches nothing); [`crate::MapRenderer::insert_tile`] takes them.

use glam::DVec2;
use hotspot_core::tile::{MAX_TILE_ZOOM, TileId};

use crate::camera::Camera;
use crate::mercator::WORLD_SIZE_M;

/// Tiles the renderer keeps on the GPU at most (256×256 RGBA: 64 MiB). A view never plans
/// more than two thirds of this, so the tiles on screen are never evicted while drawn.
pub const TILE_CAPACITY: usize = 256;

/// The tile zoom for a camera: tiles of 256 logical pixels shown between 0.71× and 1.41×
/// their size (the camera's zoom counts 512-pixel tiles, hence the +1), at most `max_zoom`
/// (deeper views enlarge those tiles) and low enough that the view needs at most two
/// thirds of [`TILE_CAPACITY`] tiles.
pub fn view_zoom(camera: &Camera, max_zoom: u8) -> u8 {
    let max_zoom = max_zoom.min(MAX_TILE_ZOOM);
    let mut z = (camera.zoom + 1.0).round().clamp(0.0, f64::from(max_zoom)) as u8;
    while z > 0 && tile_span(camera, z).2 > TILE_CAPACITY * 2 / 3 {
        z -= 1;
    }
    z
}

/// The tile columns and rows in view at zoom `z`, and how many tiles that is.
fn tile_span(camera: &Camera, z: u8) -> ((u32, u32), (u32, u32), usize) {
    let (min, max) = camera.visible_rect();
    let n = 1u32 << z;
    let size = WORLD_SIZE_M / f64::from(n);
    let half = WORLD_SIZE_M / 2.0;
    let col = |x: f64| ((x + half) / size).floor().clamp(0.0, f64::from(n - 1)) as u32;
    let row = |y: f64| ((half - y) / size).floor().clamp(0.0, f64::from(n - 1)) as u32;
    let (x0, x1) = (col(min.x), col(max.x));
    let (y0, y1) = (row(max.y), row(min.y));
    let count = (x1 - x0 + 1) as usize * (y1 - y0 + 1) as usize;
    ((x0, x1), (y0, y1), count)
}

/// The tiles covering the camera's view at [`view_zoom`], nearest the centre first.
pub fn tiles_for_view(camera: &Camera, max_zoom: u8) -> Vec<TileId> {
    let z = view_zoom(camera, max_zoom);
    let ((x0, x1), (y0, y1), _) = tile_span(camera, z);
    let mut tiles: Vec<TileId> = (y0..=y1)
        .flat_map(|y| (x0..=x1).filter_map(move |x| TileId::new(z, x, y)))
        .collect();
    let c = camera.center;
    tiles.sort_by(|a, b| {
        let da = (tile_center_m(*a) - c).length_squared();
        let db = (tile_center_m(*b) - c).length_squared();
        da.total_cmp(&db).then(a.cmp(b))
    });
    tiles
}

/// A tile's bounds in Web Mercator metres: (west-south corner, east-north corner).
pub fn tile_rect_m(tile: TileId) -> (DVec2, DVec2) {
    let [w, n, e, s] = tile.unit_bounds();
    let half = WORLD_SIZE_M / 2.0;
    (
        DVec2::new(w * WORLD_SIZE_M - half, half - s * WORLD_SIZE_M),
        DVec2::new(e * WORLD_SIZE_M - half, half - n * WORLD_SIZE_M),
    )
}

fn tile_center_m(tile: TileId) -> DVec2 {
    let (a, b) = tile_rect_m(tile);
    (a + b) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mercator::project;

    #[test]
    fn tiles_cover_the_view_at_the_scale_of_the_map() {
        // 1920×1080 at zoom 13: 256-pixel tiles of zoom 14 are shown at 1:1, so about
        // 1920/256 + 1 columns and 1080/256 + 1 rows.
        let mut cam = Camera::new(1920, 1080, 1.0);
        cam.zoom = 13.0;
        assert_eq!(view_zoom(&cam, 19), 14);
        let tiles = tiles_for_view(&cam, 19);
        let cols: std::collections::BTreeSet<u32> = tiles.iter().map(|t| t.x).collect();
        let rows: std::collections::BTreeSet<u32> = tiles.iter().map(|t| t.y).collect();
        assert!((8..=9).contains(&cols.len()) && (5..=6).contains(&rows.len()));
        assert_eq!(tiles.len(), cols.len() * rows.len());
        // The first is the tile under the centre, the one OSM names for that point.
        let (lat, lon) = crate::mercator::unproject(cam.center);
        assert_eq!(tiles[0], TileId::containing(lat, lon, 14));
        // Every corner of the view is inside some tile.
        let (min, max) = cam.visible_rect();
        for p in [min, max, DVec2::new(min.x, max.y), DVec2::new(max.x, min.y)] {
            assert!(tiles.iter().any(|t| {
                let (a, b) = tile_rect_m(*t);
                p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y
            }));
        }
    }

    #[test]
    fn the_zoom_stops_at_the_source_maximum_and_at_the_capacity() {
        let mut cam = Camera::new(1920, 1080, 1.0);
        cam.zoom = 18.0;
        assert_eq!(view_zoom(&cam, 16), 16);
        // A 16K-wide wall at zoom 12 would need ~64×36 zoom-13 tiles: the zoom drops until
        // the view fits in two thirds of the GPU's tile budget.
        let mut wall = Camera::new(16384, 9216, 1.0);
        wall.zoom = 12.0;
        let z = view_zoom(&wall, 19);
        assert!(z < 13);
        assert!(tiles_for_view(&wall, 19).len() <= TILE_CAPACITY * 2 / 3);
    }

    #[test]
    fn tile_rectangles_are_where_the_projection_puts_their_corners() {
        let t = TileId::new(12, 1050, 1522).expect("tile");
        let (sw, ne) = tile_rect_m(t);
        let (lat, lon) = t.north_west();
        let nw = project(lat, lon);
        assert!((nw.x - sw.x).abs() < 1e-6 && (nw.y - ne.y).abs() < 1e-6);
        let side = WORLD_SIZE_M / 4096.0;
        assert!((ne.x - sw.x - side).abs() < 1e-6 && (ne.y - sw.y - side).abs() < 1e-6);
    }
}
