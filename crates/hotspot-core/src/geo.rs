//! Chicago's geography as the pipeline needs it: what counts as "far outside the city".

/// Chicago's own extent (from the city limits): latitude 41.6445–42.0230, longitude
/// −87.9401 to −87.5241. Records are mapped only inside this box grown by about 5 km; anything
/// beyond is `outside_city` (a typo'd coordinate, a geocoder fallback, a suburb).
pub const CITY_LAT: (f64, f64) = (41.60, 42.07);
/// See [`CITY_LAT`].
pub const CITY_LON: (f64, f64) = (-88.00, -87.46);

/// Why a record's coordinates cannot be mapped (Silver's `geo_issue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GeoIssue {
    /// Latitude or longitude is absent.
    Missing,
    /// Not finite, or |lat| > 90 or |lon| > 180, or text that is not a number.
    Invalid,
    /// A real place, but far outside Chicago.
    OutsideCity,
}

impl GeoIssue {
    /// The code written to Silver.
    pub fn code(self) -> &'static str {
        match self {
            GeoIssue::Missing => "missing",
            GeoIssue::Invalid => "invalid",
            GeoIssue::OutsideCity => "outside_city",
        }
    }
}

/// Classifies a coordinate pair: `None` when it can be mapped.
pub fn classify(lat: Option<f64>, lon: Option<f64>) -> Option<GeoIssue> {
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Some(GeoIssue::Missing);
    };
    if !lat.is_finite() || !lon.is_finite() || lat.abs() > 90.0 || lon.abs() > 180.0 {
        return Some(GeoIssue::Invalid);
    }
    if !(CITY_LAT.0..=CITY_LAT.1).contains(&lat) || !(CITY_LON.0..=CITY_LON.1).contains(&lon) {
        return Some(GeoIssue::OutsideCity);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_coordinates() {
        assert_eq!(classify(Some(41.88), Some(-87.63)), None);
        // O'Hare, the far north-west corner of the city.
        assert_eq!(classify(Some(41.9786), Some(-87.9048)), None);
        assert_eq!(classify(None, Some(-87.63)), Some(GeoIssue::Missing));
        assert_eq!(
            classify(Some(f64::NAN), Some(-87.63)),
            Some(GeoIssue::Invalid)
        );
        assert_eq!(
            classify(Some(41.88), Some(f64::INFINITY)),
            Some(GeoIssue::Invalid)
        );
        assert_eq!(classify(Some(91.0), Some(-87.63)), Some(GeoIssue::Invalid));
        assert_eq!(classify(Some(41.88), Some(-181.0)), Some(GeoIssue::Invalid));
        // A (0, 0) geocoder fallback and Springfield, IL.
        assert_eq!(classify(Some(0.0), Some(0.0)), Some(GeoIssue::OutsideCity));
        assert_eq!(
            classify(Some(39.78), Some(-89.65)),
            Some(GeoIssue::OutsideCity)
        );
    }
}
