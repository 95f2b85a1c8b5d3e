//! `hotspot render`: headless PNGs of a scope from the demo lake on whatever GPU is found
//! (the snapshot comparison on the software adapter, where frames are deterministic). It needs
//! an adapter, so it is `#[ignore = …]`; CI runs it.

mod common;

use std::path::Path;

use common::{hotspot, text};

use hotspot_render::{Image, Palette};
use hotspot_testkit::legibility::ocr;
use hotspot_testkit::snapshot::{Tolerance, assert_snapshot};

/// The palette's colours as the map draws them: mixed with the background at the renderer's
/// fill opacity (0.92).
fn drawn_colours(palette: &Palette, theme: hotspot_render::Theme) -> Vec<[u8; 4]> {
    let bg = theme.background();
    palette
        .lut(256)
        .into_iter()
        .map(|c| {
            let mut out = [255u8; 4];
            for k in 0..3 {
                out[k] = (f32::from(c[k]) * 0.92 + f32::from(bg[k]) * 0.08).round() as u8;
            }
            out
        })
        .collect()
}

/// Share of pixels within 6 of a palette colour as drawn.
fn palette_share(img: &Image, palette: &Palette, theme: hotspot_render::Theme) -> f64 {
    let lut = drawn_colours(palette, theme);
    let n = img
        .rgba
        .chunks_exact(4)
        .filter(|p| lut.iter().any(|c| (0..3).all(|k| p[k].abs_diff(c[k]) <= 6)))
        .count();
    n as f64 / f64::from(img.width * img.height)
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn render_writes_maps_of_a_scope_and_of_a_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let o = hotspot(
        &lake,
        &[
            "demo",
            "--rows",
            "20000",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--no-console",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));

    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let scripts = scripts.to_string_lossy().into_owned();
    let out = dir.path().join("maps/r7.png");
    let out_s = out.to_string_lossy().into_owned();
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out_s,
            "--size",
            "400x512",
            "--res",
            "7",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--scripts",
            &scripts,
            "--msaa",
            "4",
            "--adapter",
            "software",
        ],
    );
    let log = text(&o);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("wrote") && log.contains("District-scale (r7)"),
        "{log}"
    );
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((img.width, img.height), (400, 512));
    let share = palette_share(&img, &Palette::volume(), hotspot_render::Theme::Dark);
    eprintln!("{:.1}% of the pixels in palette colours", share * 100.0);
    // The city fills about a fifth of the frame; outlines, labels and anti-aliased edges
    // take part of it.
    assert!(share > 0.03, "only {:.1}% palette pixels", share * 100.0);
    let bg = hotspot_render::Theme::Dark.background();
    let drawn = img
        .rgba
        .chunks_exact(4)
        .filter(|p| (0..3).any(|k| p[k].abs_diff(bg[k]) > 3))
        .count();
    assert!(
        drawn * 8 > img.rgba.len() / 4,
        "{drawn} pixels differ from the background"
    );
    // On the software adapter the frame is deterministic: compare with the reference.
    assert!(
        log.contains("Cpu"),
        "the snapshot is recorded on the software adapter (lavapipe): {log}"
    );
    assert_snapshot("cli-render-r7-q1-2024", &img, Tolerance::default());

    // A view file sets everything: its scope, metric, palette and camera (4K-sized legend
    // scaling is exercised by the size).
    let view = format!("{scripts}/views/citywide.rhai");
    let out = dir.path().join("citywide.png");
    let out_s = out.to_string_lossy().into_owned();
    let o = hotspot(
        &lake,
        &[
            "render", "--out", &out_s, "--size", "960x540", "--view", &view, "--theme", "light",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("District-scale (r7)"), "{}", text(&o));
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((img.width, img.height), (960, 540));
    assert!(palette_share(&img, &Palette::volume(), hotspot_render::Theme::Light) > 0.05);
    // Light theme: the corners are the light background.
    let bg = hotspot_render::Theme::Light.background();
    let corner = img.pixel(2, img.height / 2);
    assert!((0..3).all(|k| corner[k].abs_diff(bg[k]) <= 3), "{corner:?}");

    // Arrest metrics take the arrest palette; errors are clear.
    let out = dir.path().join("rate.png");
    let out_s = out.to_string_lossy().into_owned();
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out_s,
            "--size",
            "320x240",
            "--metric",
            "smoothed_rate",
            "--scripts",
            &scripts,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out_s,
            "--palette",
            "nope",
            "--scripts",
            &scripts,
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("no palette \"nope\""), "{}", text(&o));
    let o = hotspot(&lake, &["render", "--out", &out_s, "--metric", "nope"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("is not a metric"), "{}", text(&o));
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn a_view_predicate_changes_the_picture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 20_000, "2024-01-01", "2024-03-31");
    // A scripts directory with one predicate and two views that differ only by it.
    let scripts = dir.path().join("scripts");
    std::fs::create_dir_all(scripts.join("views")).expect("mkdir");
    std::fs::write(
        scripts.join("predicates.rhai"),
        "fn busy(cells, city) { cells.incidents >= 40 }\n",
    )
    .expect("write");
    let view = |predicate: &str| {
        format!(
            "#{{ title: \"Q1\", resolution: 7, period: \"2024-01-01..2024-03-31\", \
             metric: \"incidents\", camera: \"citywide\"{predicate} }}"
        )
    };
    std::fs::write(scripts.join("views/plain.rhai"), view("")).expect("write");
    std::fs::write(
        scripts.join("views/busy.rhai"),
        view(", predicate: \"busy\""),
    )
    .expect("write");

    let render = |name: &str| {
        let out = dir.path().join(format!("{name}.png"));
        let view = scripts.join(format!("views/{name}.rhai"));
        let o = hotspot(
            &lake,
            &[
                "render",
                "--out",
                &out.to_string_lossy(),
                "--size",
                "480x600",
                "--view",
                &view.to_string_lossy(),
                "--msaa",
                "1",
                "--adapter",
                "software",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        (
            Image::load_png(&out).unwrap_or_else(|e| panic!("{e}")),
            text(&o),
        )
    };
    let (plain, plain_log) = render("plain");
    let (busy, busy_log) = render("busy");
    assert!(!plain_log.contains("highlighted"), "{plain_log}");

    // How many cells the predicate picks, worked out from the query's JSON.
    let o = hotspot(
        &lake,
        &[
            "query",
            "--res",
            "7",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let incidents = json["cells"]["incidents"].as_array().expect("incidents");
    let picked = incidents
        .iter()
        .filter(|v| v.as_u64().unwrap_or(0) >= 40)
        .count();
    assert!(
        picked > 0 && picked < incidents.len(),
        "{picked} of {}",
        incidents.len()
    );
    assert!(
        busy_log.contains(&format!(
            "{picked} cells highlighted: busy (the rest dimmed)"
        )),
        "{busy_log}"
    );
    // The dimmed cells change the picture: many pixels differ, and the highlighted frame is
    // darker on the dark background (dimmed cells mix toward it).
    let differ = plain
        .rgba
        .chunks_exact(4)
        .zip(busy.rgba.chunks_exact(4))
        .filter(|(a, b)| (0..3).any(|k| a[k].abs_diff(b[k]) > 8))
        .count();
    let pixels = plain.rgba.len() / 4;
    assert!(
        differ * 50 > pixels,
        "only {differ} of {pixels} pixels differ"
    );
    let brightness = |img: &Image| -> u64 {
        img.rgba
            .chunks_exact(4)
            .map(|p| u64::from(p[0]) + u64::from(p[1]) + u64::from(p[2]))
            .sum()
    };
    assert!(brightness(&busy) < brightness(&plain));
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn hot_spots_colour_the_whole_study_area_by_confidence_bin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 20_000, "2024-01-01", "2024-03-31");
    let out = dir.path().join("gi.png");
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out.to_string_lossy(),
            "--size",
            "600x700",
            "--res",
            "8",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--metric",
            "hot_spots",
            "--scripts",
            &scripts.to_string_lossy(),
            "--msaa",
            "1",
            "--adapter",
            "software",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    // The bins' colours as drawn (palette mixed with the dark background at 0.92 opacity).
    let bg = hotspot_render::Theme::Dark.background();
    let drawn = |hex: [u8; 3]| -> [u8; 3] {
        let mut c = [0u8; 3];
        for k in 0..3 {
            c[k] = (f32::from(hex[k]) * 0.92 + f32::from(bg[k]) * 0.08).round() as u8;
        }
        c
    };
    let count = |c: [u8; 3]| {
        img.rgba
            .chunks_exact(4)
            .filter(|p| (0..3).all(|k| p[k].abs_diff(c[k]) <= 6))
            .count()
    };
    let hot99 = count(drawn([0xd7, 0x30, 0x27]));
    let neutral = count(drawn([0xd9, 0xd9, 0xd9]));
    // Most of the study area is not significant; the busiest areas are 99 % hot spots.
    assert!(
        neutral > hot99 && hot99 > 0,
        "neutral {neutral}, hot 99 % {hot99}"
    );
    // The query's clusters agree that there are 99 % hot spots at r8.
    let o = hotspot(
        &lake,
        &[
            "hotspots",
            "--res",
            "8",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
        ],
    );
    assert!(text(&o).contains("99%"), "{}", text(&o));
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn emerging_hot_spots_draw_one_colour_per_category_present() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 20_000, "2024-01-01", "2024-03-31");
    let out = dir.path().join("ehsa.png");
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let scope = ["--res", "8", "--from", "2024-01-01", "--to", "2024-03-31"];
    let mut args = vec![
        "render",
        "--out",
        out.to_str().expect("utf-8 path"),
        "--size",
        "600x700",
        "--metric",
        "emerging",
        "--step",
        "week",
        "--scripts",
        scripts.to_str().expect("utf-8 path"),
        "--msaa",
        "1",
        "--adapter",
        "software",
    ];
    args.extend(scope);
    let o = hotspot(&lake, &args);
    assert!(o.status.success(), "{}", text(&o));
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    // The categories of the same scope, from the query's JSON.
    let mut q = vec!["query", "--json", "--emerging", "week"];
    q.extend(scope);
    let o = hotspot(&lake, &q);
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("json");
    let codes: Vec<i64> = json["emerging"]["ehsa_code"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|v| v.as_i64())
        .collect();
    // Category code c is stop c + 8 of the 17-stop palette, its alpha times the map's 0.92
    // opacity over the dark background (no pattern is see-through); the lookup table's
    // rounding blends at most 1/32 of a neighbour stop.
    let stops = hotspot_render::Palette::emerging().stops;
    let bg = hotspot_render::Theme::Dark.background();
    let count = |code: i64| {
        let s = stops[(code + 8) as usize];
        let a = f32::from(s[3]) / 255.0 * 0.92;
        let c: Vec<u8> = (0..3)
            .map(|k| (f32::from(s[k]) * a + f32::from(bg[k]) * (1.0 - a)).round() as u8)
            .collect();
        img.rgba
            .chunks_exact(4)
            .filter(|p| (0..3).all(|k| p[k].abs_diff(c[k]) <= 8))
            .count()
    };
    let present = |code: i64| codes.iter().filter(|c| **c == code).count();
    assert!(present(0) > 0 && codes.iter().any(|c| *c != 0), "{codes:?}");
    // Most of the study area shows no pattern, and is drawn so.
    assert!(count(0) > 50 * present(0), "{} pixels", count(0));
    for code in -8..=8 {
        let (cells, pixels) = (present(code), count(code));
        if cells > 0 {
            // Drawn on the map: one r8 cell covers about 120 pixels at this size.
            assert!(
                pixels >= 40 * cells.min(2),
                "code {code}: {cells} cells, {pixels} pixels"
            );
        } else {
            // Neither on the map nor in the legend: at most a few anti-aliased text pixels
            // happen to come close to its colour.
            assert!(pixels < 10, "code {code} is absent but has {pixels} pixels");
        }
    }
    // A period too short for two steps is refused with the reason, nothing written.
    let short = dir.path().join("short.png");
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            short.to_str().expect("utf-8 path"),
            "--metric",
            "emerging",
            "--step",
            "month",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--adapter",
            "software",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("at least two steps"), "{}", text(&o));
    assert!(!short.exists());
}

#[test]
#[ignore = "needs the real sample (../shared/data) and the software GPU adapter (lavapipe)"]
fn streets_and_their_names_lie_under_a_drilled_micro_block_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let sample = hotspot_testkit::sample::path();
    let o = hotspot(&lake, &["ingest", &sample.to_string_lossy(), "--build"]);
    assert!(o.status.success(), "{}", text(&o));
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let render = |name: &str, extra: &[&str]| {
        let out = dir.path().join(format!("{name}.png"));
        let mut args = vec![
            "render",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--size",
            "512x512",
            "--res",
            "10",
            // The Loop, drilled r7 → r8.
            "--drill",
            "872664c1affffff,882664c1a9fffff",
            "--scripts",
            scripts.to_str().expect("utf-8 path"),
            "--msaa",
            "1",
            "--adapter",
            "software",
        ];
        args.extend(extra);
        let o = hotspot(&lake, &args);
        assert!(o.status.success(), "{}", text(&o));
        Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"))
    };
    for theme in ["dark", "light"] {
        let with = render(theme, &["--theme", theme]);
        let without = render(
            &format!("{theme}-bare"),
            &["--theme", theme, "--no-streets"],
        );
        // Streets change a visible share of the frame (lines, halos and names).
        let changed = with
            .rgba
            .chunks_exact(4)
            .zip(without.rgba.chunks_exact(4))
            .filter(|(a, b)| (0..3).any(|k| a[k].abs_diff(b[k]) > 24))
            .count();
        let total = (with.width * with.height) as usize;
        assert!(
            changed * 100 > total && changed * 4 < total,
            "{theme}: streets changed {changed} of {total} pixels"
        );
        assert_snapshot(
            &format!("render-streets-loop-{theme}"),
            &with,
            Tolerance::default(),
        );
    }

    // A user's GeoJSON layer over the cells: a line along State St, a station point and a
    // polygon, in the layer accent colour (dark theme: #4dd1e0).
    let layer = dir.path().join("mine.geojson");
    std::fs::write(
        &layer,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"My route"},
           "geometry":{"type":"LineString","coordinates":[[-87.6278,41.8770],[-87.6278,41.8860]]}},
          {"type":"Feature","properties":{"name":"Station"},
           "geometry":{"type":"Point","coordinates":[-87.6310,41.8800]}},
          {"type":"Feature","properties":{},
           "geometry":{"type":"Polygon","coordinates":[[[-87.634,41.878],[-87.630,41.878],[-87.630,41.882],[-87.634,41.882],[-87.634,41.878]]]}}
        ]}"#,
    )
    .expect("write");
    let layer_arg = layer.to_string_lossy().into_owned();
    let img = render("layer", &["--layer", &layer_arg]);
    let accent = [0x4d, 0xd1, 0xe0];
    let near = img
        .rgba
        .chunks_exact(4)
        .filter(|p| (0..3).all(|k| p[k].abs_diff(accent[k]) <= 12))
        .count();
    assert!(near > 200, "{near} pixels in the layer colour");
    // The same layer named by a view, relative to its scripts directory.
    let views = dir.path().join("my-scripts/views");
    std::fs::create_dir_all(&views).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("my-scripts/layers")).expect("mkdir");
    std::fs::copy(&layer, dir.path().join("my-scripts/layers/mine.geojson")).expect("copy");
    std::fs::write(
        views.join("loop.rhai"),
        r#"#{ title: "The Loop with my layer", res: 10, period: "all",
              drill: ["872664c1affffff", "882664c1a9fffff"],
              context: #{ layers: ["layers/mine.geojson"] } }"#,
    )
    .expect("write");
    let out = dir.path().join("view-layer.png");
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--size",
            "512x512",
            "--view",
            views.join("loop.rhai").to_str().expect("utf-8 path"),
            "--msaa",
            "1",
            "--adapter",
            "software",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let viewed = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    let near_view = viewed
        .rgba
        .chunks_exact(4)
        .filter(|p| (0..3).all(|k| p[k].abs_diff(accent[k]) <= 12))
        .count();
    assert!(near_view > 200, "{near_view} pixels in the layer colour");
    // A bad layer: an error naming the file and the feature, no picture.
    let bad = dir.path().join("bad.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"properties":{},"geometry":{"type":"LineString","coordinates":[[-87.6,41.8]]}}]}"#,
    )
    .expect("write");
    let out = dir.path().join("bad.png");
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--layer",
            bad.to_str().expect("utf-8 path"),
            "--adapter",
            "software",
        ],
    );
    assert!(!o.status.success());
    let err = text(&o);
    assert!(
        err.contains("bad.geojson") && err.contains("feature 0 (id 7)"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe)"]
fn a_tile_basemap_is_fetched_cached_drawn_under_the_cells_and_works_offline() {
    use hotspot_testkit::tileserver::{Behaviour, TileServer, tile_color};
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 6000, "2024-01-01", "2024-01-31");
    let server = TileServer::start();
    let template = server.template();
    let cache = dir.path().join("tiles");
    let cache_s = cache.to_string_lossy().into_owned();
    let render = |name: &str, extra: &[&str]| {
        let out = dir.path().join(format!("{name}.png"));
        let mut args = vec![
            "render",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--size",
            "480x360",
            "--res",
            "8",
            "--theme",
            "light",
            "--cell-opacity",
            "0.2",
            "--msaa",
            "1",
            "--adapter",
            "software",
            "--tile-cache",
            &cache_s,
        ];
        args.extend(extra);
        let o = hotspot(&lake, &args);
        (o, out)
    };
    let (o, out) = render(
        "tiles",
        &["--tiles", &template, "--tile-attribution", "© Test Tiles"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let err = text(&o);
    let note = err
        .lines()
        .find(|l| l.contains("basemap:"))
        .unwrap_or_else(|| panic!("no basemap note: {err}"));
    let requested = server.requests().len();
    assert!(requested >= 4, "{requested} requests");
    assert!(
        note.contains(&format!(
            "{requested} of {requested} tiles ({requested} fetched"
        )),
        "{note}"
    );
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    // Every requested tile's colour shows somewhere (under cells at 20% or bare).
    let logged: Vec<(u8, u32, u32)> = server
        .requests()
        .iter()
        .filter_map(|r| {
            let p: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
            Some((
                p.first()?.parse().ok()?,
                p.get(1)?.parse().ok()?,
                p.get(2)?.strip_suffix(".png")?.parse().ok()?,
            ))
        })
        .collect();
    assert_eq!(logged.len(), requested);
    let shows = |img: &Image, c: [u8; 3]| {
        img.rgba
            .chunks_exact(4)
            .filter(|p| (0..3).all(|k| p[k].abs_diff(c[k]) <= 2))
            .count()
    };
    let bare: usize = logged
        .iter()
        .map(|&(z, x, y)| shows(&img, tile_color(z, x, y)))
        .sum();
    let total = (img.width * img.height) as usize;
    assert!(bare * 10 > total, "bare tile pixels: {bare} of {total}");

    // Again, with the server gone and offline: the same picture from the cache.
    drop(server);
    let (o, out2) = render(
        "offline",
        &[
            "--tiles",
            &template,
            "--tile-attribution",
            "© Test Tiles",
            "--offline",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("0 fetched, {requested} from the cache")),
        "{}",
        text(&o)
    );
    let again = Image::load_png(&out2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        img.rgba, again.rgba,
        "the cached basemap draws the same picture"
    );

    // Without --tiles nothing is fetched and the background shows.
    let server = TileServer::start();
    let (o, plain) = render("plain", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(server.requests().is_empty());
    assert!(!text(&o).contains("basemap:"));
    let plain = Image::load_png(&plain).unwrap_or_else(|e| panic!("{e}"));
    let bare_plain: usize = logged
        .iter()
        .map(|&(z, x, y)| shows(&plain, tile_color(z, x, y)))
        .sum();
    assert!(bare_plain * 100 < total, "{bare_plain}");

    // A failing server (a new port: a new template, so nothing cached): the picture is
    // still drawn, the failures are said.
    for &(z, x, y) in &logged {
        server.set(z, x, y, Behaviour::Fail);
    }
    let (o, _) = render("failing", &["--tiles", &server.template()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("failed (first: HTTP 500"), "{}", text(&o));

    // A template that cannot be used: an error naming it, no picture.
    let (o, bad) = render("bad", &["--tiles", "https://t.example/{z}/{x}.png"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("must contain {z}, {x} and {y}"),
        "{}",
        text(&o)
    );
    assert!(!bad.exists());
}

/// Decodes a GIF: its frames' sizes.
fn gif_frames(path: &Path) -> Vec<(u32, u32)> {
    use image::AnimationDecoder;
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("open gif"));
    let decoder = image::codecs::gif::GifDecoder::new(file).expect("a GIF");
    decoder
        .into_frames()
        .map(|f| {
            let f = f.expect("frame");
            f.buffer().dimensions()
        })
        .collect()
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe) and tesseract"]
fn an_animation_has_a_frame_per_step_with_its_dates_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 8000, "2024-01-01", "2024-02-29");
    let render = |extra: &[&str]| {
        let mut args = vec![
            "render",
            "--size",
            "480x270",
            "--res",
            "8",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-29",
            "--msaa",
            "1",
            "--adapter",
            "software",
            "--animate",
        ];
        args.extend(extra);
        hotspot(&lake, &args)
    };
    // Weeks ending on 29 February whose first day is in the period: 60 days → 8 weeks.
    let gif = dir.path().join("weeks.gif");
    let o = render(&["--step", "week", "--out", gif.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("8 frames of 480×270"), "{}", text(&o));
    assert_eq!(gif_frames(&gif), vec![(480, 270); 8]);
    // One in-between frame per step: 7 × 2 + 1.
    let tween = dir.path().join("tween.gif");
    let o = render(&[
        "--step",
        "week",
        "--tween",
        "1",
        "--out",
        tween.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(gif_frames(&tween).len(), 15);

    // Months as numbered PNGs, large enough to read: January then February, in order.
    let frames = dir.path().join("months");
    let o = hotspot(
        &lake,
        &[
            "render",
            "--size",
            "1280x720",
            "--res",
            "7",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-29",
            "--msaa",
            "1",
            "--adapter",
            "software",
            "--animate",
            "--step",
            "month",
            "--out",
            frames.to_str().expect("utf-8"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut names: Vec<_> = std::fs::read_dir(&frames)
        .expect("frames")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["frame-00001.png", "frame-00002.png"]);
    let first = ocr(&frames.join(&names[0]));
    let second = ocr(&frames.join(&names[1]));
    assert!(first.contains("Jan 2024"), "frame 1 reads: {first}");
    assert!(second.contains("Feb 2024"), "frame 2 reads: {second}");

    // Video through ffmpeg: made where it is installed, a clear message where it is not.
    let mp4 = dir.path().join("weeks.mp4");
    let mut cmd = common::command(&lake);
    cmd.args([
        "render",
        "--size",
        "480x270",
        "--res",
        "8",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-29",
        "--msaa",
        "1",
        "--adapter",
        "software",
        "--animate",
        "--out",
    ])
    .arg(&mp4)
    .env("PATH", dir.path());
    let o = cmd.output().expect("run");
    assert!(!o.status.success());
    assert!(
        text(&o).contains("needs ffmpeg, which is not installed"),
        "{}",
        text(&o)
    );
    assert!(!mp4.exists());
    let have_ffmpeg = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok();
    if have_ffmpeg {
        let o = render(&["--step", "week", "--out", mp4.to_str().expect("utf-8")]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(std::fs::metadata(&mp4).expect("mp4").len() > 1000);
    } else {
        assert!(
            !hotspot_testkit::in_ci(),
            "CI installs ffmpeg; it is missing here"
        );
        eprintln!("note: ffmpeg is not installed: the MP4 path was not exercised");
    }

    // What cannot be played is refused, nothing written.
    let bad = dir.path().join("bad.gif");
    let o = render(&[
        "--metric",
        "hot_spots",
        "--out",
        bad.to_str().expect("utf-8"),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("cannot be played"), "{}", text(&o));
    assert!(!bad.exists());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe)"]
fn comparing_two_periods_marks_the_significant_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 8000, "2024-01-01", "2024-03-31");
    let render = |name: &str, extra: &[&str]| {
        let out = dir.path().join(format!("{name}.png"));
        let mut args = vec![
            "render",
            "--out",
            out.to_str().expect("utf-8"),
            "--size",
            "480x360",
            "--res",
            "7",
            "--msaa",
            "1",
            "--adapter",
            "software",
        ];
        args.extend(extra);
        (hotspot(&lake, &args), out)
    };
    // March against January: both in the lake, so every cell's change is tested.
    let (o, out) = render("cmp", &["--compare", "2024-01", "2024-03"]);
    assert!(o.status.success(), "{}", text(&o));
    let said = text(&o);
    let line = said
        .lines()
        .find(|l| l.contains("significantly up and"))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(line.contains("against 1–31 Jan 2024"), "{line}");
    assert!(out.exists());
    // A baseline before the lake: drawn, not tested, and said.
    let (o, _) = render("before", &["--compare", "2023-01", "2024-03"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("changes drawn, not tested"),
        "{}",
        text(&o)
    );
    // A period that is not one: refused before anything runs.
    let (o, bad) = render("bad", &["--compare", "2024-13", "2024-03"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("a period is a month"), "{}", text(&o));
    assert!(!bad.exists());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe)"]
fn side_by_side_puts_a_on_the_left_and_b_on_the_right() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = common::demo(dir.path(), 8000, "2024-01-01", "2024-03-31");
    let out = dir.path().join("sbs.png");
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            out.to_str().expect("utf-8"),
            "--size",
            "1280x640",
            "--res",
            "7",
            "--msaa",
            "1",
            "--adapter",
            "software",
            "--theme",
            "light",
            "--compare",
            "2024-01",
            "2024-03",
            "--side-by-side",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("side by side"), "{}", text(&o));
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    // Both halves hold a map: many cell colours in each, and the same layout (one camera),
    // so the halves' coloured pixel counts are close (over the west of each half, clear of
    // the legend in the top-right corner).
    let bg = hotspot_render::Theme::Light.background();
    let coloured = |x0: u32| {
        let mut n = 0usize;
        for y in 120..560 {
            for x in x0..x0 + 380 {
                let p = img.pixel(x, y);
                if (0..3).any(|k| p[k].abs_diff(bg[k]) > 30) {
                    n += 1;
                }
            }
        }
        n
    };
    let (l, r) = (coloured(0), coloured(640));
    assert!(l > 5_000 && r > 5_000, "{l} {r}");
    assert!(l.abs_diff(r) * 4 < l.max(r), "{l} vs {r}");
    // Without --compare it is refused.
    let o = hotspot(&lake, &["render", "--out", "x.png", "--side-by-side"]);
    assert!(!o.status.success());
}
