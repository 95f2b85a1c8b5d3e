//! The five H3 resolutions Hotspot works at, with the names analysts know them by.

use h3o::Resolution;

/// The coarsest resolution in the lake.
pub const MIN_RES: u8 = 6;
/// The finest resolution in the lake (the one points are assigned at).
pub const MAX_RES: u8 = 10;

/// Every resolution in the lake, coarse to fine.
pub const RESOLUTIONS: [u8; 5] = [6, 7, 8, 9, 10];

/// The h3o resolution for `res`.
///
/// # Panics
/// Never for 0–15; callers pass lake resolutions (6–10).
pub fn h3(res: u8) -> Resolution {
    Resolution::try_from(res.min(15)).unwrap_or(Resolution::Fifteen)
}

/// Whether `res` is one the lake materialises.
pub fn is_lake_res(res: u8) -> bool {
    (MIN_RES..=MAX_RES).contains(&res)
}

/// The name shown on resolution buttons and in breadcrumbs.
pub fn name(res: u8) -> &'static str {
    match res {
        6 => "Citywide",
        7 => "District-scale",
        8 => "Neighbourhood-scale",
        9 => "Street-scale",
        10 => "Micro-block",
        _ => "Custom",
    }
}

/// What the resolution is good for.
pub fn story(res: u8) -> &'static str {
    match res {
        6 => "Best for executive briefings and spotting macro trends.",
        7 => "Best for citywide comparisons and strategic deployment.",
        8 => "Balances coverage with localized patterns – great for beat discussions.",
        9 => "Highlights specific blocks and intersections for tactical response.",
        10 => "Extremely granular – aggregate several months for stable patterns.",
        _ => "",
    }
}

/// Average H3 cell size at `res` as "≈1.4 km edge · 5.2 km²" (one "≈", average edge length
/// and area from the H3 tables, not the seed's mislabelled v3 edge lengths).
pub fn size_text(res: u8) -> String {
    let r = h3(res);
    let edge = r.edge_length_km();
    let area = r.area_km2();
    let edge_text = if edge >= 1.0 {
        format!("{edge:.1} km")
    } else {
        format!("{:.0} m", edge * 1000.0)
    };
    let area_text = if area >= 1.0 {
        format!("{area:.1} km²")
    } else if area >= 0.01 {
        format!("{area:.2} km²")
    } else {
        format!("{:.0} m²", area * 1.0e6)
    };
    format!("≈{edge_text} edge · {area_text}")
}

/// "Street-scale (r9)".
pub fn display(res: u8) -> String {
    format!("{} (r{res})", name(res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        assert_eq!(display(9), "Street-scale (r9)");
        assert_eq!(size_text(7), "≈1.4 km edge · 5.2 km²");
        assert_eq!(size_text(10), "≈76 m edge · 0.02 km²");
        assert_eq!(size_text(10).matches('≈').count(), 1);
        assert!(RESOLUTIONS.iter().all(|r| is_lake_res(*r)));
        assert_eq!(u8::from(h3(8)), 8);
    }
}
