//! Headless pictures of the real sample: the full coverage at 1080p and 4K with legend, title
//! and context labels, written to `$CARGO_TARGET_TMPDIR/render-*.png` for people to look at
//! and checked here.

use hotspot_core::palette::Palette;
use hotspot_present::{HeadlessView, Legend, Overlay};
use hotspot_render::{
    ContextLayers, ContextVisibility, FrameSpec, HeadlessOptions, MapLabel, Theme,
};

/// The pixel of a cell's centre in the last frame.
fn centre_px(v: &mut HeadlessView, cell: u64) -> (u32, u32) {
    let c = h3o::CellIndex::try_from(cell).unwrap_or_else(|e| panic!("{e}"));
    let p = v
        .map()
        .camera
        .world_to_screen(hotspot_render::mercator::project_ll(h3o::LatLng::from(c)));
    (p.x.max(0.0) as u32, p.y.max(0.0) as u32)
}

#[test]
#[ignore = "needs the real sample (../shared/data) and a GPU adapter (lavapipe)"]
fn sample_city_at_1080p_and_4k() {
    let s = hotspot_testkit::coverage::sample();
    let mut v = HeadlessView::new(HeadlessOptions::default())
        .unwrap_or_else(|e| panic!("this test needs a GPU adapter: {e}"));
    let ctx = ContextLayers::from_r10(&s.context).unwrap_or_else(|e| panic!("{e}"));
    v.map().set_context(ctx).unwrap_or_else(|e| panic!("{e}"));
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (res, w, ht, theme) in [
        (10u8, 1920u32, 1080u32, Theme::Dark),
        (10, 3840, 2160, Theme::Light),
        (8, 1920, 1080, Theme::Dark),
    ] {
        let map = v.map();
        map.set_coverage(res, s.coverage(res))
            .unwrap_or_else(|e| panic!("{e}"));
        map.set_resolution(res).unwrap_or_else(|e| panic!("{e}"));
        let (c, vals) = s.values(res);
        map.set_values(res, &c, &vals)
            .unwrap_or_else(|e| panic!("{e}"));
        map.set_theme(theme);
        map.set_domain(None);
        let mut legend = Legend::new("Incident volume", Palette::volume(), map.domain());
        legend.caption_suffix = Some(format!(
            "Resolution {} {}.",
            hotspot_core::res::display(res),
            hotspot_core::res::size_text(res)
        ));
        let overlay = Overlay {
            title: Some(format!("{} · Citywide", hotspot_core::res::name(res))),
            subtitle: Some("1–15 September 2024".into()),
            legend: Some(legend),
            labels: true,
            attribution: None,
            stamp: None,
            split: None,
        };
        let frame = FrameSpec::new(w, ht);
        v.fit(&frame, &overlay, &[]);
        let path = out.join(format!("render-city-r{res}-{w}x{ht}.png"));
        let img = v
            .render_png(&frame, &overlay, &path)
            .unwrap_or_else(|e| panic!("{e}"));
        eprintln!("wrote {} ({:?})", path.display(), v.map().stats());
        assert_eq!((img.width, img.height), (w, ht));
        // The busiest cells are drawn in warm colours at their centres (labels may cover a
        // few of them).
        let mut ranked: Vec<(u64, f32)> = c.iter().copied().zip(vals.iter().copied()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let warm = ranked
            .iter()
            .take(10)
            .filter(|(cell, _)| {
                let (x, y) = centre_px(&mut v, *cell);
                let px = img.pixel(x, y);
                px[0] > px[1] && px[0] > px[2]
            })
            .count();
        assert!(warm >= 6, "only {warm} of the 10 busiest cells are warm");
        assert!(!v.map().labels().is_empty());
    }
    v.map().set_context_visibility(ContextVisibility {
        community_areas: true,
        ..Default::default()
    });
    let labels: Vec<MapLabel> = v.map().labels();
    assert!(labels.iter().any(|l| !l.major));
}
