//! `hotspot bench wall`: the wall's soak test. Runs [`hotspot_console::soak`] for the minutes
//! asked and prints, per window, the frame-time percentiles and the resident memory, so that
//! a half-hour curve shows whether the wall holds steady; `--csv` keeps the curve.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use hotspot_core::Lake;

use crate::render::parse_size;

#[derive(Args, Debug)]
pub struct WallArgs {
    /// How long to run.
    #[arg(long, default_value_t = 30.0)]
    pub minutes: f64,
    /// The wall's size in pixels.
    #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Frames drawn a second.
    #[arg(long, default_value_t = 10.0)]
    pub fps: f32,
    /// Seconds each playlist view shows (shorter than on a real wall, to turn it more).
    #[arg(long, default_value_t = 5)]
    pub view_seconds: u32,
    /// How often the lake is reopened and switched to, as a refresh does.
    #[arg(long, value_parser = hotspot_fetch::parse_every, default_value = "60s")]
    pub refresh_every: Duration,
    /// How often an alert is injected.
    #[arg(long, value_parser = hotspot_fetch::parse_every, default_value = "90s")]
    pub alert_every: Duration,
    /// How long an injected alert holds the wall.
    #[arg(long, value_parser = hotspot_fetch::parse_every, default_value = "10s")]
    pub alert_hold: Duration,
    /// Seconds per reported window.
    #[arg(long, default_value_t = 60)]
    pub window: u64,
    /// The scripts directory (default ./scripts, else the built-ins).
    #[arg(long)]
    pub scripts: Option<PathBuf>,
    /// Also write the windows as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Save the last frame drawn as PNG here.
    #[arg(long, value_name = "PNG")]
    pub last_frame: Option<PathBuf>,
}

/// Resident memory now, from `/proc/self/statm` (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn mb(b: u64) -> f64 {
    b as f64 / (1u64 << 20) as f64
}

/// Least-squares slope of `y` over `x`.
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return 0.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let num: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let den: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    if den > 0.0 { num / den } else { 0.0 }
}

pub fn wall(lake: &Lake, args: WallArgs) -> Result<()> {
    if !(args.minutes > 0.0 && args.minutes <= 24.0 * 60.0) {
        bail!("--minutes must be more than 0 and at most a day");
    }
    if !(1..=3600).contains(&args.window) {
        bail!("--window must be 1–3600 seconds");
    }
    let options = hotspot_console::soak::SoakOptions {
        lake: lake.root().to_path_buf(),
        scripts: crate::scripts::resolve(args.scripts.as_deref())?,
        duration: Duration::from_secs_f64(args.minutes * 60.0),
        size: args.size,
        fps: args.fps,
        view_seconds: args.view_seconds,
        refresh_every: args.refresh_every,
        alert_every: args.alert_every,
        alert_hold: args.alert_hold,
        window: Duration::from_secs(args.window),
        last_frame: args.last_frame.clone(),
    };
    let mut csv = match &args.csv {
        Some(p) => {
            let mut f = std::fs::File::create(p).with_context(|| format!("{}", p.display()))?;
            writeln!(
                f,
                "at_s,frames,p50_ms,p95_ms,p99_ms,max_ms,rss_mb,queries,query_max_ms,views,refreshes,alerts"
            )?;
            Some(f)
        }
        None => None,
    };
    outln!(
        "soak: the wall at {}×{}, {} fps, views every {} s, a refresh every {} s, an alert every {} s, for {} min",
        args.size.0,
        args.size.1,
        args.fps,
        args.view_seconds,
        args.refresh_every.as_secs(),
        args.alert_every.as_secs(),
        args.minutes
    )?;
    outln!(
        "{:>7}  {:>6}  {:>7}  {:>7}  {:>7}  {:>7}  {:>8}  {:>7}  {:>5}  {:>5}  {:>6}",
        "t (s)",
        "frames",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "RSS MB",
        "queries",
        "views",
        "refr",
        "alerts"
    )?;
    let mut curve: Vec<(f64, f64)> = Vec::new();
    let mut failed: Option<std::io::Error> = None;
    let windows = hotspot_console::soak::run(&options, |w| {
        let rss = rss_bytes().map_or(f64::NAN, mb);
        curve.push((w.at_s, rss));
        let line = format!(
            "{:>7.0}  {:>6}  {:>7.1}  {:>7.1}  {:>7.1}  {:>7.1}  {:>8.1}  {:>7}  {:>5}  {:>5}  {:>6}",
            w.at_s, w.frames, w.p50_ms, w.p95_ms, w.p99_ms, w.max_ms, rss, w.queries, w.views, w.refreshes, w.alerts
        );
        if let Err(e) = outln!("{line}") {
            failed.get_or_insert(e);
        }
        if let Some(f) = csv.as_mut()
            && let Err(e) = writeln!(
                f,
                "{:.1},{},{:.3},{:.3},{:.3},{:.3},{:.1},{},{:.3},{},{},{}",
                w.at_s, w.frames, w.p50_ms, w.p95_ms, w.p99_ms, w.max_ms, rss, w.queries, w.query_max_ms, w.views, w.refreshes, w.alerts
            )
        {
            failed.get_or_insert(e);
        }
    })
    .context("the soak failed")?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    // Memory after the first window (warm-up: caches, geometry, fonts) should stay flat.
    let steady: Vec<(f64, f64)> = curve
        .iter()
        .skip(1)
        .copied()
        .filter(|(_, r)| r.is_finite())
        .collect();
    let (xs, ys): (Vec<f64>, Vec<f64>) = steady.iter().map(|(t, r)| (*t / 3600.0, *r)).unzip();
    let frames: usize = windows.iter().map(|w| w.frames).sum();
    outln!(
        "{} frames; RSS after warm-up {:.1} → {:.1} MB (min {:.1}, max {:.1}), trend {:+.1} MB/hour",
        frames,
        ys.first().copied().unwrap_or(f64::NAN),
        ys.last().copied().unwrap_or(f64::NAN),
        ys.iter().copied().fold(f64::INFINITY, f64::min),
        ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        slope(&xs, &ys)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_is_a_least_squares_slope() {
        assert_eq!(slope(&[0.0, 1.0, 2.0], &[5.0, 7.0, 9.0]), 2.0);
        assert_eq!(slope(&[0.0, 1.0, 2.0], &[5.0, 5.0, 5.0]), 0.0);
        assert_eq!(slope(&[1.0], &[5.0]), 0.0);
    }
}
