//! `cargo bench --workspace --bench render` (set `HOTSPOT_BENCH_FRAMES` for N, default 15):
//! geometry build, value update and frame times at r6–r10, 1080p and 4K, on the real
//! sample's coverage. `hotspot bench render` does the same on a lake's own coverage.

use hotspot_render::{Headless, HeadlessOptions};

fn main() {
    let Some(path) = hotspot_testkit::sample::find() else {
        eprintln!(
            "the render bench draws the real sample's coverage: put {} in ../shared/data or set \
             HOTSPOT_SAMPLE (or run `hotspot bench render` on a lake)",
            hotspot_testkit::sample::FILE_NAME
        );
        std::process::exit(2);
    };
    let sample = match hotspot_testkit::coverage::load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let env = |k: &str| std::env::var(k).ok();
    let msaa = env("HOTSPOT_BENCH_MSAA")
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let resolutions: Vec<u8> = env("HOTSPOT_BENCH_RES")
        .map(|s| s.split(',').filter_map(|r| r.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![6, 7, 8, 9, 10]);
    let mut h = match Headless::new(HeadlessOptions {
        msaa,
        ..HeadlessOptions::default()
    }) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let frames = env("HOTSPOT_BENCH_FRAMES")
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let sizes = [(1920, 1080), (3840, 2160)];
    for size in sizes {
        match hotspot_render::bench::empty_frame_ms(&mut h, size, frames) {
            Ok(t) => println!("empty frame {}x{}: {t:.1} ms", size.0, size.1),
            Err(e) => eprintln!("{e}"),
        }
    }
    let layers = sample.bench_layers(&resolutions);
    match hotspot_render::bench::run(&mut h, &layers, &sizes, frames) {
        Ok(rows) => print!(
            "{}",
            hotspot_render::bench::table(&h.gpu.describe(), h.msaa(), &rows)
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
