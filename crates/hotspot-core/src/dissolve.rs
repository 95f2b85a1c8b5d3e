//! Dissolving sets of H3 cells into polygons (the outline of a district, a beat, the city),
//! shared by the build (which stores area outlines in the lake) and the renderer.

use h3o::CellIndex;
use h3o::geom::SolventBuilder;

/// A polygon as (latitude, longitude) rings, without the closing point: the exterior, then the
/// holes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LatLonPolygon {
    pub exterior: Vec<(f64, f64)>,
    pub holes: Vec<Vec<(f64, f64)>>,
}

fn ring(coords: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = coords.collect();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    pts
}

/// The union of `cells` (any resolutions; duplicates and invalid ids ignored) as polygons.
/// An empty set dissolves into nothing (h3o alone would answer the whole world).
pub fn dissolve(cells: impl IntoIterator<Item = u64>) -> Result<Vec<LatLonPolygon>, String> {
    let mut cells: Vec<CellIndex> = cells
        .into_iter()
        .filter_map(|c| CellIndex::try_from(c).ok())
        .collect();
    if cells.is_empty() {
        return Ok(Vec::new());
    }
    cells.sort_unstable();
    cells.dedup();
    let finest = cells
        .iter()
        .map(|c| c.resolution())
        .max()
        .unwrap_or(h3o::Resolution::Ten);
    CellIndex::compact(&mut cells).map_err(|e| e.to_string())?;
    let mp = SolventBuilder::new()
        .enable_heterogeneous_support(finest)
        .build()
        .dissolve(cells)
        .map_err(|e| e.to_string())?;
    Ok(mp
        .0
        .iter()
        .map(|p| LatLonPolygon {
            exterior: ring(p.exterior().0.iter().map(|c| (c.y, c.x))),
            holes: p
                .interiors()
                .iter()
                .map(|h| ring(h.0.iter().map(|c| (c.y, c.x))))
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_dissolves_into_one_hexagon_like_ring() {
        let centre = h3o::LatLng::new(41.88, -87.63)
            .expect("point")
            .to_cell(h3o::Resolution::Nine);
        let disk: Vec<u64> = centre
            .grid_disk::<Vec<_>>(1)
            .into_iter()
            .map(u64::from)
            .collect();
        let polys = dissolve(disk.clone()).expect("dissolve");
        assert_eq!(polys.len(), 1);
        // Seven hexagons' outline: 6 × 3 − … = 18 vertices, no holes, no closing point.
        assert_eq!(polys[0].exterior.len(), 18);
        assert!(polys[0].holes.is_empty());
        // The ring without its centre cell has a hole.
        let ring_only: Vec<u64> = disk
            .into_iter()
            .filter(|c| *c != u64::from(centre))
            .collect();
        let polys = dissolve(ring_only).expect("dissolve");
        assert_eq!((polys.len(), polys[0].holes.len()), (1, 1));
        assert_eq!(polys[0].holes[0].len(), 6);
        assert!(dissolve(Vec::new()).expect("empty").is_empty());
        assert!(dissolve([0u64, 12]).expect("invalid ids").is_empty());
    }
}
