//! Geometry: exact boundaries, areas, shared edges, picking, context layers (no GPU needed).

use glam::DVec2;
use hotspot_render::geometry::CellMap;
use hotspot_render::mercator::{project_ll, projected_area};
use hotspot_render::{Camera, CellGeometry, ContextLayers};
use hotspot_testkit::coverage::{loop_scope, quadrant_context, r10_children};

#[test]
fn tessellated_area_matches_h3o_area_through_the_mercator_scale() {
    for res in 6..=10u8 {
        let (cells, _) = loop_scope(res, 6);
        let g = CellGeometry::build(res, &cells).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.len(), cells.len());
        let mut worst = 0.0f64;
        for (slot, &id) in g.cells().iter().enumerate() {
            let c = h3o::CellIndex::try_from(id).unwrap_or_else(|e| panic!("{e}"));
            let lat = h3o::LatLng::from(c).lat();
            let expected = projected_area(c.area_m2(), lat);
            let got = g.tessellated_area(slot as u32);
            worst = worst.max((got / expected - 1.0).abs());
        }
        eprintln!("r{res}: worst relative area error {worst:.2e}");
        assert!(worst < 1e-5, "r{res}: relative area error {worst}");
    }
}

#[test]
fn geometry_is_the_exact_boundary_not_a_template() {
    let (cells, _) = loop_scope(9, 3);
    let g = CellGeometry::build(9, &cells).unwrap_or_else(|e| panic!("{e}"));
    for (slot, &id) in g.cells().iter().enumerate() {
        let c = h3o::CellIndex::try_from(id).unwrap_or_else(|e| panic!("{e}"));
        let drawn = g.polygon(slot as u32);
        let truth: Vec<DVec2> = c.boundary().iter().map(|ll| project_ll(*ll)).collect();
        assert_eq!(drawn.len(), truth.len());
        for (a, b) in drawn.iter().zip(&truth) {
            assert!(
                a.distance(*b) < 0.01,
                "{id:x}: vertex off by {} m",
                a.distance(*b)
            );
        }
    }
}

#[test]
fn adjacent_cells_share_vertices_bit_for_bit() {
    for res in [8u8, 10] {
        let (cells, _) = loop_scope(res, 12);
        let g = CellGeometry::build(res, &cells).unwrap_or_else(|e| panic!("{e}"));
        // Every distinct f32 position; near-duplicates (a crack) must not exist.
        let mut exact: CellMap<u32> = CellMap::default();
        for v in g.vertices() {
            let key = (u64::from(v.pos[0].to_bits()) << 32) | u64::from(v.pos[1].to_bits());
            *exact.entry(key).or_default() += 1;
        }
        let mut pts: Vec<(f32, f32)> = exact
            .keys()
            .map(|k| (f32::from_bits((k >> 32) as u32), f32::from_bits(*k as u32)))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut near = 0;
        for i in 0..pts.len() {
            for j in i + 1..pts.len() {
                if pts[j].0 - pts[i].0 > 0.01 {
                    break;
                }
                if (pts[j].1 - pts[i].1).abs() <= 0.01 {
                    near += 1;
                }
            }
        }
        assert_eq!(
            near, 0,
            "r{res}: {near} vertex pairs closer than 1 cm but not identical"
        );
        // Interior vertices are shared by three cells.
        let shared3 = exact.values().filter(|n| **n == 3).count();
        assert!(
            shared3 > g.len(),
            "r{res}: only {shared3} vertices shared by 3 cells"
        );
    }
}

#[test]
fn picking_the_projected_centroid_returns_the_cell_at_every_resolution() {
    for res in 6..=10u8 {
        let (cells, _) = loop_scope(res, 5);
        let g = CellGeometry::build(res, &cells).unwrap_or_else(|e| panic!("{e}"));
        for (scale, zoom_offset) in [(1.0, 0.0), (2.0, 1.5), (1.25, -1.0)] {
            let mut cam = Camera::new(1920, 1080, scale);
            cam.fit_cells(&cells, 20.0);
            cam.zoom += zoom_offset;
            cam.pan_px(37.0, -21.0);
            for (slot, &id) in g.cells().iter().enumerate().step_by(3) {
                let c = h3o::CellIndex::try_from(id).unwrap_or_else(|e| panic!("{e}"));
                let centre = cam.world_to_screen(project_ll(h3o::LatLng::from(c)));
                assert_eq!(
                    g.pick(&cam, centre),
                    Some((id, slot as u32)),
                    "r{res} {id:x}"
                );
                // The centroid of the drawn polygon too.
                let poly = g.polygon(slot as u32);
                let mean = poly.iter().copied().sum::<DVec2>() / poly.len() as f64;
                assert_eq!(
                    g.pick(&cam, cam.world_to_screen(mean)).map(|p| p.0),
                    Some(id)
                );
            }
        }
        // Outside the coverage: nothing.
        let cam = Camera::new(800, 600, 1.0);
        assert_eq!(g.pick(&cam, DVec2::new(-1e6, -1e6)), None);
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn picking_sample_cells_at_every_resolution() {
    let s = hotspot_testkit::coverage::sample();
    for res in 6..=10u8 {
        let cov = s.coverage(res);
        let g = CellGeometry::build(res, cov).unwrap_or_else(|e| panic!("{e}"));
        let mut cam = Camera::new(3840, 2160, 2.0);
        cam.fit_cells(cov, 10.0);
        cam.zoom = hotspot_render::default_zoom(res) + 1.0;
        let step = (cov.len() / 300).max(1);
        let mut n = 0;
        for &id in cov.iter().step_by(step) {
            let c = h3o::CellIndex::try_from(id).unwrap_or_else(|e| panic!("{e}"));
            cam.center = project_ll(h3o::LatLng::from(c)) + DVec2::new(123.0, -77.0);
            let p = cam.world_to_screen(project_ll(h3o::LatLng::from(c)));
            assert_eq!(g.pick(&cam, p).map(|p| p.0), Some(id), "r{res}");
            n += 1;
        }
        assert!(n >= 15.min(cov.len()));
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn sample_coverage_is_a_city() {
    let s = hotspot_testkit::coverage::sample();
    let r10 = s.coverage(10).len();
    assert!((25_000..60_000).contains(&r10), "{r10} r10 cells");
    assert_eq!(s.coverage(9).len() * 7, r10);
    assert!(s.incidents > 10_000);
}

#[test]
fn context_layers_from_quadrants() {
    let (r8, _) = loop_scope(8, 2);
    let r10 = r10_children(&r8);
    let input = quadrant_context(&r10);
    let ctx = ContextLayers::from_r10(&input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ctx.footprint.len(), 1, "one footprint polygon");
    assert!(ctx.footprint[0].holes.is_empty());
    let ids: Vec<u16> = ctx.districts.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![1, 2, 12, 18]);
    assert_eq!(ctx.districts[0].name, "District 1 (Central)");
    assert_eq!(
        ctx.community_areas
            .iter()
            .find(|r| r.id == 32)
            .map(|r| r.name.as_str()),
        Some("Loop")
    );
    let by_cell: CellMap<u8> = input.iter().map(|(c, d, _)| (*c, d.unwrap_or(0))).collect();
    for r in &ctx.districts {
        let id = u8::try_from(r.id).expect("a district number");
        // The anchor lies on one of the district's own cells.
        let cell = h3o::LatLng::new(r.anchor.0, r.anchor.1)
            .map(|ll| u64::from(ll.to_cell(h3o::Resolution::Ten)))
            .unwrap_or(0);
        assert_eq!(by_cell.get(&cell), Some(&id), "{}", r.name);
        // Dissolved area = sum of its cells' areas (projected).
        let cells = input.iter().filter(|c| c.1 == Some(id)).count();
        assert_eq!(cells, r.cells);
        let area: f64 = r.polygons.iter().map(|p| p.area()).sum();
        let expected: f64 = input
            .iter()
            .filter(|c| c.1 == Some(id))
            .filter_map(|c| h3o::CellIndex::try_from(c.0).ok())
            .map(|c| projected_area(c.area_m2(), h3o::LatLng::from(c).lat()))
            .sum();
        assert!(
            (area / expected - 1.0).abs() < 1e-3,
            "{}: {area} vs {expected}",
            r.name
        );
    }
    // An empty input is empty (h3o alone would dissolve it into the whole world).
    let empty = ContextLayers::from_r10(&[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(empty.is_empty());
}

#[test]
fn context_layers_from_a_coarser_coverage_fill_down() {
    // r8 cells with one district each: the same outlines as their r10 children.
    let (r8, _) = loop_scope(8, 2);
    let coarse: Vec<(u64, Option<u8>, Option<u8>)> = r8
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, Some(if i % 2 == 0 { 1 } else { 18 }), None))
        .collect();
    let fine: Vec<(u64, Option<u8>, Option<u8>)> = coarse
        .iter()
        .flat_map(|(c, d, a)| r10_children(&[*c]).into_iter().map(move |k| (k, *d, *a)))
        .collect();
    let a = ContextLayers::from_cells(&coarse).unwrap_or_else(|e| panic!("{e}"));
    // 19 r8 cells, alternately districts 1 and 18: 10 and 9 of them, 49 r10 children each.
    assert_eq!(r8.len(), 19);
    assert_eq!(a.districts.len(), 2);
    let cells_of = |id: u16| a.districts.iter().find(|d| d.id == id).map(|d| d.cells);
    assert_eq!(cells_of(1), Some(10 * 49));
    assert_eq!(cells_of(18), Some(9 * 49));
    // Each district's outline encloses exactly its cells' area (projected, in m²).
    for d in &a.districts {
        let expected: f64 = fine
            .iter()
            .filter(|c| c.1.map(u16::from) == Some(d.id))
            .map(|c| {
                let cell = h3o::CellIndex::try_from(c.0).unwrap_or_else(|e| panic!("{e}"));
                projected_area(cell.area_m2(), h3o::LatLng::from(cell).lat())
            })
            .sum();
        let drawn: f64 = d.polygons.iter().map(|p| p.area()).sum();
        assert!(
            (drawn / expected - 1.0).abs() < 1e-3,
            "district {}: outline {drawn:.0} m² vs cells {expected:.0} m²",
            d.id
        );
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn context_layers_from_the_sample() {
    let s = hotspot_testkit::coverage::sample();
    let t = std::time::Instant::now();
    let ctx = ContextLayers::from_r10(&s.context).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "context layers from {} r10 cells: {:?}",
        s.context.len(),
        t.elapsed()
    );
    assert!(
        ctx.districts.len() >= 20,
        "{} districts",
        ctx.districts.len()
    );
    assert!(
        ctx.community_areas.len() >= 70,
        "{} areas",
        ctx.community_areas.len()
    );
    assert!(!ctx.footprint.is_empty());
    let modal: CellMap<u8> = s
        .context
        .iter()
        .filter_map(|(c, d, _)| Some((*c, (*d)?)))
        .collect();
    for r in &ctx.districts {
        let cell = h3o::LatLng::new(r.anchor.0, r.anchor.1)
            .map(|ll| u64::from(ll.to_cell(h3o::Resolution::Ten)))
            .unwrap_or(0);
        assert_eq!(
            modal.get(&cell).copied().map(u16::from),
            Some(r.id),
            "{} anchor",
            r.name
        );
    }
}

#[test]
fn ward_and_beat_outlines_come_from_the_lakes_area_rings() {
    use hotspot_render::AreaInput;
    // Ward 42: a disk of seven r9 cells less its centre (a ring with a hole); beat 111: one cell.
    let centre = h3o::LatLng::new(41.8827, -87.6233)
        .expect("point")
        .to_cell(h3o::Resolution::Nine);
    let ring: Vec<u64> = centre
        .grid_disk::<Vec<_>>(1)
        .into_iter()
        .filter(|c| *c != centre)
        .map(u64::from)
        .collect();
    let mut input = Vec::new();
    for (kind, code, name, cells) in [
        ("ward", 42u16, "Ward 42", ring.clone()),
        ("beat", 111, "Beat 0111", vec![u64::from(centre)]),
        ("district", 1, "District 1 (Central)", ring.clone()),
    ] {
        let polys = hotspot_core::dissolve::dissolve(cells).unwrap_or_else(|e| panic!("{e}"));
        for (p, poly) in polys.iter().enumerate() {
            for (r, pts) in std::iter::once(&poly.exterior)
                .chain(&poly.holes)
                .enumerate()
            {
                let mut points = pts.clone();
                points.push(points[0]);
                input.push(AreaInput {
                    kind: kind.into(),
                    code,
                    name: name.into(),
                    polygon: p as u32,
                    ring: r as u32,
                    points,
                });
            }
        }
    }
    let ctx = ContextLayers::default().with_areas(input);
    // Districts come from the cells, not from the lake's rings.
    assert!(ctx.districts.is_empty());
    assert_eq!(ctx.wards.len(), 1);
    assert_eq!(ctx.beats.len(), 1);
    let ward = &ctx.wards[0];
    assert_eq!((ward.id, ward.name.as_str()), (42, "Ward 42"));
    assert_eq!(ward.polygons.len(), 1);
    assert_eq!(ward.polygons[0].holes.len(), 1);
    // Six cells' projected area, the hole left out.
    let cell = h3o::CellIndex::try_from(ring[0]).unwrap_or_else(|e| panic!("{e}"));
    let one = projected_area(cell.area_m2(), 41.8827);
    let area = ward.polygons[0].area();
    assert!(
        (area / (6.0 * one) - 1.0).abs() < 0.02,
        "{area} vs {}",
        6.0 * one
    );
    assert_eq!(ctx.beats[0].name, "Beat 0111");
}

#[test]
fn arterials_are_the_longest_streets_of_each_grid_axis() {
    use hotspot_render::StreetInput;
    let line = |street: &str, blocks: u32| StreetInput {
        label: street.into(),
        street: street.into(),
        blocks,
        incidents: u64::from(blocks),
        points: vec![(41.88, -87.63), (41.89, -87.63)],
    };
    // Eight north–south streets far longer than eight east–west ones, and a one-block street
    // on each axis: the top 12 % of each axis (⌈9 × 0.12⌉ = 2 streets of 9) are arterials, as
    // long as they span 8 blocks or more.
    let mut input = Vec::new();
    for k in 0..8u32 {
        input.push(line(&format!("S NS{k} AVE"), 100 + k));
        input.push(line(&format!("W EW{k} ST"), 20 + k));
    }
    input.push(line("N SHORT ST", 1));
    input.push(line("W TINY ST", 1));
    input.push(line("MIDWAY PLAISANCE", 3));
    let ctx = ContextLayers::default().with_streets(input);
    let mut arterials: Vec<&str> = ctx
        .streets
        .iter()
        .filter(|s| s.arterial)
        .map(|s| s.label.as_str())
        .collect();
    arterials.sort_unstable();
    // "MIDWAY PLAISANCE" tops its own (axis-less) group but has fewer than 8 blocks.
    assert_eq!(
        arterials,
        ["S NS6 AVE", "S NS7 AVE", "W EW6 ST", "W EW7 ST"]
    );
    // Busiest first.
    assert_eq!(ctx.streets[0].label, "S NS7 AVE");
}
