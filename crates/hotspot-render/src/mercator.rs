//! Web Mercator (EPSG:3857) in f64.
//!
//! World coordinates are Web Mercator metres: x east, y north, origin at (0°, 0°). Everything
//! on the CPU (projection, camera, picking) stays f64; only positions *relative to a local
//! origin* are narrowed to f32 for the GPU, so micro-block edges stay sharp at any zoom.

use glam::DVec2;

/// The Web Mercator sphere radius (metres).
pub const MERCATOR_RADIUS_M: f64 = 6_378_137.0;
/// The width of the Web Mercator world in metres.
pub const WORLD_SIZE_M: f64 = 2.0 * std::f64::consts::PI * MERCATOR_RADIUS_M;
/// The latitude limit of Web Mercator.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;
/// The radius h3o uses for areas (km), needed to compare projected and spherical areas.
pub const H3_EARTH_RADIUS_M: f64 = h3o::EARTH_RADIUS_KM * 1000.0;

/// Projects latitude/longitude (degrees) to Web Mercator metres.
pub fn project(lat: f64, lon: f64) -> DVec2 {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = MERCATOR_RADIUS_M * lon.to_radians();
    let y = MERCATOR_RADIUS_M * (std::f64::consts::FRAC_PI_4 + lat * 0.5).tan().ln();
    DVec2::new(x, y)
}

/// Inverse of [`project`]: Web Mercator metres to (latitude, longitude) in degrees.
pub fn unproject(p: DVec2) -> (f64, f64) {
    let lon = (p.x / MERCATOR_RADIUS_M).to_degrees();
    let lat =
        (2.0 * (p.y / MERCATOR_RADIUS_M).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (lat, lon)
}

/// The Mercator linear scale factor at a latitude (degrees): projected length / true length
/// on the Mercator sphere.
pub fn scale_factor(lat: f64) -> f64 {
    1.0 / lat.to_radians().cos()
}

/// Projects an h3o coordinate.
pub fn project_ll(ll: h3o::LatLng) -> DVec2 {
    project(ll.lat(), ll.lng())
}

/// The projected area (m² of Web Mercator) that a spherical area `area_m2` on h3o's sphere
/// covers at latitude `lat`: the sphere radius ratio squared times the squared scale factor.
pub fn projected_area(area_m2: f64, lat: f64) -> f64 {
    let ratio = MERCATOR_RADIUS_M / H3_EARTH_RADIUS_M;
    area_m2 * ratio * ratio * scale_factor(lat).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for &(lat, lon) in &[
            (41.881832, -87.623177),
            (0.0, 0.0),
            (-33.9, 151.2),
            (85.0, 179.9),
        ] {
            let (la, lo) = unproject(project(lat, lon));
            assert!(
                (la - lat).abs() < 1e-9 && (lo - lon).abs() < 1e-9,
                "{lat},{lon}"
            );
        }
        assert!((project(0.0, 180.0).x - WORLD_SIZE_M / 2.0).abs() < 1e-6);
    }
}
