//! Raster basemap tiles on the GPU: each tile lands where its address says, a missing tile
//! borrows the right quarter of its parent, cells blend over the tiles at the cell opacity,
//! and bad tiles are refused without touching the map.

use glam::DVec2;
use hotspot_core::tile::TileId;
use hotspot_render::basemap::{TILE_CAPACITY, tile_rect_m, tiles_for_view};
use hotspot_render::mercator::project_ll;
use hotspot_render::{FrameSpec, Headless, Palette, RenderError, Theme};
use hotspot_testkit::coverage::loop_scope;
use hotspot_testkit::gpu::headless;
use hotspot_testkit::tileserver::tile_color;

fn near(a: [u8; 4], b: [u8; 3], tol: u8) -> bool {
    (0..3).all(|k| a[k].abs_diff(b[k]) <= tol)
}

fn solid(rgb: [u8; 3]) -> Vec<u8> {
    std::iter::repeat_n([rgb[0], rgb[1], rgb[2], 255], 256 * 256)
        .flatten()
        .collect()
}

fn insert(h: &mut Headless, t: TileId) {
    h.map
        .insert_tile(t, 256, 256, &solid(tile_color(t.z, t.x, t.y)))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The screen pixel at the centre of tile `t` (or of a quarter of it).
fn px_of(h: &Headless, p: DVec2) -> (u32, u32) {
    let s = h.map.camera.world_to_screen(p);
    (s.x as u32, s.y as u32)
}

fn frame() -> FrameSpec {
    FrameSpec {
        scale_factor: Some(1.0),
        ..FrameSpec::new(640, 400)
    }
}

fn on_the_loop(h: &mut Headless) {
    h.set_frame(&frame());
    h.map.camera.center = hotspot_render::mercator::project(41.8819, -87.6278);
    h.map.camera.zoom = 12.3;
    h.map.set_theme(Theme::Light);
    h.map.set_basemap(Some(19));
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn tiles_land_where_their_address_says_and_parents_stand_in() {
    let mut h = headless(1);
    on_the_loop(&mut h);
    let wanted = h.map.wanted_tiles();
    assert_eq!(wanted, tiles_for_view(&h.map.camera, 19));
    // 640×400 at zoom 12.3 shows zoom-13 tiles at 1.23×: 3–4 columns, 2–3 rows.
    assert!(wanted.iter().all(|t| t.z == 13));
    assert!((6..=12).contains(&wanted.len()), "{}", wanted.len());
    // Every tile but the first (the centre one) arrives; for the centre one only its
    // parent is here.
    for t in &wanted[1..] {
        insert(&mut h, *t);
    }
    let centre = wanted[0];
    let parent = centre.parent().expect("parent");
    insert(&mut h, parent);
    assert_eq!(h.map.wanted_tiles(), vec![centre]);
    let img = h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    let stats = h.map.basemap_stats().expect("basemap");
    assert_eq!(
        (stats.zoom, stats.exact, stats.stand_ins),
        (13, wanted.len() - 1, 1)
    );
    let (w, hgt) = (img.width, img.height);
    for t in &wanted[1..] {
        let (sw, ne) = tile_rect_m(*t);
        let (x, y) = px_of(&h, (sw + ne) * 0.5);
        if x < 2 || y < 2 || x + 2 >= w || y + 2 >= hgt {
            continue;
        }
        let c = tile_color(t.z, t.x, t.y);
        assert!(
            near(img.pixel(x, y), c, 2),
            "{t}: {:?} vs {c:?}",
            img.pixel(x, y)
        );
    }
    // The centre tile shows its parent's colour (the parent is one solid colour: what is
    // checked is that the right texture is drawn in the right place, not a hole).
    let (sw, ne) = tile_rect_m(centre);
    let (x, y) = px_of(&h, (sw + ne) * 0.5);
    let pc = tile_color(parent.z, parent.x, parent.y);
    assert!(
        near(img.pixel(x, y), pc, 2),
        "{:?} vs {pc:?}",
        img.pixel(x, y)
    );

    // Once the centre tile arrives it replaces the stand-in.
    insert(&mut h, centre);
    let img = h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    let c = tile_color(centre.z, centre.x, centre.y);
    assert!(
        near(img.pixel(x, y), c, 2),
        "{:?} vs {c:?}",
        img.pixel(x, y)
    );
    assert!(h.map.wanted_tiles().is_empty());

    // Without a basemap, the background again.
    h.map.set_basemap(None);
    assert!(h.map.wanted_tiles().is_empty());
    let img = h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    let bg = Theme::Light.background();
    assert!(near(img.pixel(x, y), [bg[0], bg[1], bg[2]], 1));
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn a_parent_stands_in_with_the_right_quarter() {
    // A parent tile with four coloured quarters: the missing child in its north-east
    // quarter must show the north-east colour.
    let mut h = headless(1);
    on_the_loop(&mut h);
    let centre = h.map.wanted_tiles()[0];
    let parent = centre.parent().expect("parent");
    let quarter = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [200, 200, 30]];
    let mut rgba = Vec::with_capacity(256 * 256 * 4);
    for y in 0..256 {
        for x in 0..256 {
            let q = quarter[(y / 128) * 2 + x / 128];
            rgba.extend_from_slice(&[q[0], q[1], q[2], 255]);
        }
    }
    h.map
        .insert_tile(parent, 256, 256, &rgba)
        .unwrap_or_else(|e| panic!("{e}"));
    let img = h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    let (sw, ne) = tile_rect_m(centre);
    let (x, y) = px_of(&h, (sw + ne) * 0.5);
    let q = (centre.y - parent.y * 2) as usize * 2 + (centre.x - parent.x * 2) as usize;
    assert!(
        near(img.pixel(x, y), quarter[q], 2),
        "{:?} vs {:?}",
        img.pixel(x, y),
        quarter[q]
    );
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn cells_blend_over_the_tiles_at_the_cell_opacity() {
    let mut h = headless(1);
    let (cells, _) = loop_scope(8, 2);
    h.map
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_resolution(8).unwrap_or_else(|e| panic!("{e}"));
    let pal = Palette::from_hex("red", &["#ff0000", "#ff0000"]).unwrap_or_else(|e| panic!("{e}"));
    h.map.set_palette(&pal).unwrap_or_else(|e| panic!("{e}"));
    let vals = vec![1.0f32; cells.len()];
    h.map
        .set_values(8, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_opacity(0.5);
    on_the_loop(&mut h);
    for t in h.map.wanted_tiles() {
        insert(&mut h, t);
    }
    let img = h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    let cell = h3o::CellIndex::try_from(cells[0]).unwrap_or_else(|e| panic!("{e}"));
    let p = project_ll(h3o::LatLng::from(cell));
    let (x, y) = px_of(&h, p);
    let (lat, lon) = hotspot_render::mercator::unproject(p);
    let under = TileId::containing(lat, lon, 13);
    let tc = tile_color(under.z, under.x, under.y);
    // Half red over the tile, in sRGB bytes as the tests elsewhere blend.
    let expected = [
        ((255.0 + f32::from(tc[0])) / 2.0).round() as u8,
        (f32::from(tc[1]) / 2.0).round() as u8,
        (f32::from(tc[2]) / 2.0).round() as u8,
    ];
    assert!(
        near(img.pixel(x, y), expected, 3),
        "{:?} vs {expected:?}",
        img.pixel(x, y)
    );
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn bad_tiles_are_refused_and_the_cache_is_bounded() {
    let mut h = headless(1);
    on_the_loop(&mut h);
    let t = h.map.wanted_tiles()[0];
    for (w, hh, len) in [(0, 256, 0), (2048, 256, 2048 * 256 * 4), (256, 256, 100)] {
        let e = h.map.insert_tile(t, w, hh, &vec![0; len]);
        assert!(
            matches!(e, Err(RenderError::Tile(_))),
            "{w}×{hh} {len}: {e:?}"
        );
    }
    assert_eq!(h.map.wanted_tiles()[0], t, "nothing was taken in");
    // More tiles than the GPU keeps: the resident count stays at the capacity, and the
    // tiles the view draws are the last to go.
    let view = h.map.wanted_tiles();
    for v in &view {
        insert(&mut h, *v);
    }
    h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..(TILE_CAPACITY as u32 + 40) {
        insert(&mut h, TileId::new(16, i, 5).expect("tile"));
    }
    h.render_rgba(&frame()).unwrap_or_else(|e| panic!("{e}"));
    let stats = h.map.basemap_stats().expect("basemap");
    assert_eq!(stats.resident, TILE_CAPACITY);
    assert_eq!(stats.exact, view.len(), "the view's tiles were kept");
}
