//! The real `hotspot console` window, end to end: a small synthetic lake, a private Xvfb
//! display and whatever Vulkan / GL driver is installed (lavapipe on CI). It must open, draw
//! the map and the overlay, save a screenshot and exit with code 0.
//!
//! It needs Xvfb and a GPU adapter, so it is `#[ignore = …]` (listed with the reason by a
//! plain `cargo test`); CI runs it with `--include-ignored`, where anything missing fails it.

mod common;

use common::{command as hotspot, run_with_timeout, text};

use std::path::{Path, PathBuf};
use std::time::Duration;

use hotspot_render::{Image, Palette};
use hotspot_testkit::display::Xvfb;

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

fn near_palette(px: [u8; 4], lut: &[[u8; 4]]) -> bool {
    lut.iter()
        .any(|c| (0..3).all(|k| px[k].abs_diff(c[k]) <= 6))
}

fn repo_scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

#[test]
#[ignore = "needs Xvfb and a GPU adapter (apt-get install xvfb mesa-vulkan-drivers)"]
fn console_opens_draws_the_map_and_saves_a_screenshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let o = hotspot(&lake)
        .args(["demo", "--rows", "20000", "--no-console"])
        .output()
        .expect("demo");
    assert!(o.status.success(), "{}", text(&o));

    let x = Xvfb::start(1920, 1080);
    let shot = dir.path().join("out.png");
    let settings = dir.path().join("console.json");
    let mut cmd = hotspot(&lake);
    cmd.args([
        "console",
        "--size",
        "1600x1000",
        "--exit-after-frames",
        "20",
    ])
    .arg("--scripts")
    .arg(repo_scripts())
    .arg("--screenshot")
    .arg(&shot)
    .env("DISPLAY", &x.display)
    .env("HOTSPOT_CONFIG", &settings)
    .env("HOTSPOT_LOG", "hotspot_console=info")
    .env_remove("WAYLAND_DISPLAY")
    .current_dir(dir.path());
    let o = run_with_timeout(cmd, Duration::from_secs(300));
    let log = text(&o);
    assert!(o.status.success(), "exit {:?}\n{log}", o.status.code());
    eprintln!("{log}");
    assert!(log.contains("first frame presented"), "{log}");

    // The screenshot: the window at its native size, not blank, with the map drawn.
    let img = Image::load_png(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    assert_eq!((img.width, img.height), (1600, 1000));
    let mut colours: Vec<[u8; 4]> = img
        .rgba
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2], 255])
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 200,
        "only {} colours: blank?",
        colours.len()
    );
    // The map panel sits between the sidebar (~300 px) and the insights (~430 px), under the
    // breadcrumbs and above the charts; its middle must be mostly cells in palette colours.
    let lut = drawn_colours(&Palette::volume(), hotspot_render::Theme::Dark);
    let (mut inside, mut coloured, mut background) = (0usize, 0usize, 0usize);
    let bg = hotspot_render::Theme::Dark.background();
    for y in (250..600).step_by(2) {
        for x in (600..1000).step_by(2) {
            inside += 1;
            let px = img.pixel(x, y);
            if near_palette(px, &lut) {
                coloured += 1;
            }
            if (0..3).all(|k| px[k].abs_diff(bg[k]) <= 3) {
                background += 1;
            }
        }
    }
    eprintln!(
        "map area: {coloured} of {inside} pixels in palette colours, {background} background"
    );
    assert!(
        coloured * 4 >= inside,
        "only {coloured} of {inside} map pixels have palette colours"
    );
    assert!(coloured < inside, "the map area is one flat colour");

    // The settings were saved on exit (with the view).
    let saved = std::fs::read_to_string(&settings).expect("settings saved");
    assert!(
        saved.contains("\"view\"") && saved.contains("window_size"),
        "{saved}"
    );

    // A lake that is not there: a clear error and a failing exit code, never a hang.
    let mut cmd = hotspot(&dir.path().join("nowhere"));
    cmd.args(["console", "--exit-after-frames", "2"])
        .env("DISPLAY", &x.display)
        .env("HOTSPOT_CONFIG", &settings)
        .env_remove("WAYLAND_DISPLAY");
    let o = run_with_timeout(cmd, Duration::from_secs(120));
    assert!(!o.status.success());
    assert!(text(&o).contains("hotspot demo"), "{}", text(&o));
}

/// A tile colour as the dark theme draws it: desaturated and mixed toward the background by
/// the same share (0.55), worked out here from the shader's formula.
fn dimmed(c: [u8; 3], bg: [u8; 4]) -> [u8; 3] {
    let f = |v: u8| f32::from(v) / 255.0;
    let grey = 0.299 * f(c[0]) + 0.587 * f(c[1]) + 0.114 * f(c[2]);
    let a = 0.55;
    let mut out = [0u8; 3];
    for k in 0..3 {
        let muted = f(c[k]) * (1.0 - a) + grey * a;
        out[k] = ((muted * (1.0 - a) + f(bg[k]) * a) * 255.0).round() as u8;
    }
    out
}

#[test]
#[ignore = "needs Xvfb and a GPU adapter (apt-get install xvfb mesa-vulkan-drivers)"]
fn the_window_draws_a_tile_basemap_from_a_local_server_and_remembers_it() {
    use hotspot_testkit::tileserver::{TileServer, tile_color};
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let o = hotspot(&lake)
        .args(["demo", "--rows", "6000", "--no-console"])
        .output()
        .expect("demo");
    assert!(o.status.success(), "{}", text(&o));
    let server = TileServer::start();
    let x = Xvfb::start(1920, 1080);
    let shot = dir.path().join("tiles.png");
    let settings = dir.path().join("console.json");
    let mut cmd = hotspot(&lake);
    cmd.args(["console", "--size", "1600x1000", "--exit-after-frames", "8"])
        .arg("--scripts")
        .arg(repo_scripts())
        .arg("--tiles")
        .arg(server.template())
        .args([
            "--tile-attribution",
            "© Test Tiles",
            "--tile-max-zoom",
            "15",
        ])
        .arg("--tile-cache")
        .arg(dir.path().join("cache"))
        .arg("--screenshot")
        .arg(&shot)
        .env("DISPLAY", &x.display)
        .env("HOTSPOT_CONFIG", &settings)
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(dir.path());
    let o = run_with_timeout(cmd, Duration::from_secs(300));
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status.code(),
        text(&o)
    );
    let requests = server.requests();
    assert!(requests.len() >= 4, "{} tile requests", requests.len());
    assert!(requests.iter().all(|r| {
        r.user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("hotspot/"))
    }));
    assert!(server.peak_concurrency() <= 2);
    // The screenshot waited for the tiles: their (dimmed) colours fill the map's margins.
    let img = Image::load_png(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    let bg = hotspot_render::Theme::Dark.background();
    let colours: Vec<[u8; 3]> = requests
        .iter()
        .filter_map(|r| {
            let p: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
            let z = p.first()?.parse().ok()?;
            let x = p.get(1)?.parse().ok()?;
            let y = p.get(2)?.strip_suffix(".png")?.parse().ok()?;
            Some(dimmed(tile_color(z, x, y), bg))
        })
        .collect();
    let tiled = img
        .rgba
        .chunks_exact(4)
        .filter(|p| {
            colours
                .iter()
                .any(|c| (0..3).all(|k| p[k].abs_diff(c[k]) <= 3))
        })
        .count();
    let total = (img.width * img.height) as usize;
    assert!(tiled * 20 > total, "{tiled} of {total} pixels show tiles");
    // The source is in the settings for the next start.
    let saved = std::fs::read_to_string(&settings).expect("settings saved");
    assert!(saved.contains(&server.template()), "{saved}");
    assert!(saved.contains("© Test Tiles") && saved.contains("\"basemap_max_zoom\": 15"));

    // A URL that cannot be used is refused at the prompt.
    let mut cmd = hotspot(&lake);
    cmd.args([
        "console",
        "--exit-after-frames",
        "2",
        "--tiles",
        "ftp://x/{z}/{x}/{y}",
    ])
    .env("DISPLAY", &x.display)
    .env("HOTSPOT_CONFIG", &settings);
    let o = run_with_timeout(cmd, Duration::from_secs(60));
    assert!(!o.status.success());
    assert!(text(&o).contains("http:// or https://"), "{}", text(&o));
}
