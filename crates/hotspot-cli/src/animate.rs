//! `hotspot render --animate`: its arguments; the writing is `hotspot_present`'s
//! ([`hotspot_present::write_animation`]: GIF, MP4/WebM through ffmpeg, or numbered PNGs).

use std::path::Path;

use anyhow::Result;
use clap::Args;
use hotspot_core::progress::Progress;
use hotspot_present::{HeadlessView, Overlay};
use hotspot_render::FrameSpec;
use hotspot_scope::TimelineMatrix;

#[derive(Args, Debug, Clone, Default)]
pub struct AnimateArgs {
    /// Write an animation of the period instead of one picture, stepping by --step (day,
    /// week, month, quarter, year): --out FILE.gif, FILE.mp4 or FILE.webm (ffmpeg), or a
    /// directory for numbered PNG frames.
    #[arg(long)]
    pub animate: bool,
    /// With --animate: the days each frame covers, ending on its last day (e.g. 28d, 4w);
    /// default: the step itself.
    #[arg(long, value_parser = parse_window, requires = "animate")]
    pub window: Option<u32>,
    /// With --animate: frames a second.
    #[arg(long, default_value_t = 2.0, value_parser = parse_fps, requires = "animate")]
    pub fps: f32,
    /// With --animate: in-between frames per step, mixing one step into the next (0–30).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=30), requires = "animate")]
    pub tween: u32,
}

/// `28d`, `28`, `4w` → days.
pub fn parse_window(s: &str) -> Result<u32, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(n) = t.strip_suffix('w') {
        (n, 7)
    } else if let Some(n) = t.strip_suffix('d') {
        (n, 1)
    } else {
        (t.as_str(), 1)
    };
    match num.trim().parse::<u32>() {
        Ok(n) if n >= 1 && n * mult <= hotspot_scope::MAX_WINDOW_DAYS => Ok(n * mult),
        _ => Err(format!(
            "`{s}`: a window is a number of days or weeks (28d, 4w), 1 day to 10 years"
        )),
    }
}

fn parse_fps(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.1..=60.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: frames a second must be 0.1–60")),
    }
}

/// Writes the animation (see [`hotspot_present::write_animation`]); returns the frames
/// written.
pub fn write(
    view: &mut HeadlessView,
    frame: &FrameSpec,
    overlay: &Overlay,
    matrix: &TimelineMatrix,
    args: &AnimateArgs,
    out: &Path,
    progress: &dyn Progress,
) -> Result<usize> {
    let options = hotspot_present::AnimationOptions {
        fps: args.fps,
        tween: args.tween,
    };
    Ok(hotspot_present::write_animation(
        view, frame, overlay, matrix, options, out, progress,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_rates_parse() {
        assert_eq!(parse_window("28d"), Ok(28));
        assert_eq!(parse_window("4w"), Ok(28));
        assert_eq!(parse_window("7"), Ok(7));
        assert!(parse_window("0d").is_err());
        assert!(parse_window("1000w").is_err());
        assert!(parse_window("a month").is_err());
        assert!(parse_fps("0").is_err() && parse_fps("4").is_ok());
    }
}
