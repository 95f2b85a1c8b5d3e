//! `hotspot render --animate`: the scope's period played step by step into an animated GIF,
//! an MP4 or WebM (through ffmpeg, when it is installed) or a directory of numbered PNGs.
//! Every frame carries the title, the legend (one colour domain for all frames) and the
//! frame's dates; in-between frames mix two steps on the GPU.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};
use clap::Args;
use hotspot_core::progress::Progress;
use hotspot_present::{HeadlessView, Overlay};
use hotspot_render::{FrameSpec, Image};
use hotspot_scope::{Period, TimelineMatrix};

/// The most frames one animation writes.
pub const MAX_OUTPUT_FRAMES: usize = 5_000;

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

/// Where frames go.
enum Sink {
    Gif {
        encoder: image::codecs::gif::GifEncoder<File>,
        tmp: PathBuf,
        delay_ms: u32,
    },
    Video {
        child: Child,
        tmp: PathBuf,
    },
    Pngs {
        dir: PathBuf,
        written: usize,
    },
}

fn kind_of(out: &Path) -> &'static str {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("gif") => "gif",
        Some("mp4") => "mp4",
        Some("webm") => "webm",
        Some(_) if !out.is_dir() => "unknown",
        _ => "pngs",
    }
}

fn temp_beside(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Whether ffmpeg answers on this machine.
fn have_ffmpeg() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Sink {
    fn open(out: &Path, size: (u32, u32), fps: f32) -> Result<Sink> {
        Ok(match kind_of(out) {
            "gif" => {
                let tmp = temp_beside(out);
                let file = File::create(&tmp)
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
                let mut encoder = image::codecs::gif::GifEncoder::new_with_speed(file, 10);
                encoder.set_repeat(image::codecs::gif::Repeat::Infinite)?;
                Sink::Gif {
                    encoder,
                    tmp,
                    delay_ms: (1000.0 / fps).round().max(10.0) as u32,
                }
            }
            kind @ ("mp4" | "webm") => {
                if !have_ffmpeg() {
                    bail!(
                        "writing .{kind} needs ffmpeg, which is not installed here (apt-get install \
                         ffmpeg); write a .gif, or a directory of PNG frames, instead"
                    );
                }
                let tmp = temp_beside(out).with_extension(kind);
                let codec: &[&str] = if kind == "mp4" {
                    &[
                        "-c:v",
                        "libx264",
                        "-pix_fmt",
                        "yuv420p",
                        "-movflags",
                        "+faststart",
                    ]
                } else {
                    &[
                        "-c:v",
                        "libvpx-vp9",
                        "-pix_fmt",
                        "yuv420p",
                        "-b:v",
                        "0",
                        "-crf",
                        "32",
                    ]
                };
                let child = Command::new("ffmpeg")
                    .args([
                        "-y",
                        "-loglevel",
                        "error",
                        "-f",
                        "rawvideo",
                        "-pix_fmt",
                        "rgba",
                    ])
                    .args(["-s", &format!("{}x{}", size.0, size.1)])
                    .args(["-r", &format!("{fps}"), "-i", "-"])
                    // Even sides, as yuv420p needs.
                    .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"])
                    .args(codec)
                    .arg(&tmp)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .context("cannot start ffmpeg")?;
                Sink::Video { child, tmp }
            }
            "pngs" => {
                std::fs::create_dir_all(out)
                    .with_context(|| format!("cannot create {}", out.display()))?;
                Sink::Pngs {
                    dir: out.to_path_buf(),
                    written: 0,
                }
            }
            _ => bail!(
                "{}: an animation is a .gif, .mp4 or .webm file, or a directory for PNG frames",
                out.display()
            ),
        })
    }

    fn push(&mut self, img: &Image) -> Result<()> {
        match self {
            Sink::Gif {
                encoder, delay_ms, ..
            } => {
                let rgba = image::RgbaImage::from_raw(img.width, img.height, img.rgba.clone())
                    .context("frame size")?;
                let delay = image::Delay::from_numer_denom_ms(*delay_ms, 1);
                encoder.encode_frame(image::Frame::from_parts(rgba, 0, 0, delay))?;
            }
            Sink::Video { child, .. } => {
                let stdin = child.stdin.as_mut().context("ffmpeg's input closed")?;
                stdin
                    .write_all(&img.rgba)
                    .context("ffmpeg stopped taking frames")?;
            }
            Sink::Pngs { dir, written } => {
                *written += 1;
                let path = dir.join(format!("frame-{:05}.png", *written));
                img.save_png(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(())
    }

    fn finish(self, out: &Path) -> Result<()> {
        match self {
            Sink::Gif { encoder, tmp, .. } => {
                // The encoder writes the trailer when dropped and cannot report an error
                // then: read it back, so a full disk is an error, not a cut file.
                drop(encoder);
                let last = (|| {
                    use std::io::{Read, Seek, SeekFrom};
                    let mut f = File::open(&tmp)?;
                    f.seek(SeekFrom::End(-1))?;
                    let mut b = [0u8; 1];
                    f.read_exact(&mut b)?;
                    std::io::Result::Ok(b[0])
                })()
                .with_context(|| format!("cannot read back {}", tmp.display()))?;
                if last != 0x3B {
                    let _ = std::fs::remove_file(&tmp);
                    bail!("the GIF was not written whole (disk full?)");
                }
                std::fs::rename(&tmp, out)
                    .with_context(|| format!("cannot write {}", out.display()))?;
            }
            Sink::Video { mut child, tmp } => {
                drop(child.stdin.take());
                let o = child.wait_with_output().context("ffmpeg")?;
                if !o.status.success() {
                    let _ = std::fs::remove_file(&tmp);
                    bail!(
                        "ffmpeg failed: {}",
                        String::from_utf8_lossy(&o.stderr).trim()
                    );
                }
                std::fs::rename(&tmp, out)
                    .with_context(|| format!("cannot write {}", out.display()))?;
            }
            Sink::Pngs { .. } => {}
        }
        Ok(())
    }

    fn abandon(self) {
        match self {
            Sink::Gif { tmp, .. } => {
                let _ = std::fs::remove_file(tmp);
            }
            Sink::Video { mut child, tmp } => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(tmp);
            }
            Sink::Pngs { .. } => {}
        }
    }
}

/// The output frames: `(frames − 1) × (tween + 1) + 1` positions along the timeline.
pub fn positions(frames: usize, tween: u32) -> Vec<f32> {
    if frames == 0 {
        return Vec::new();
    }
    let per = tween as usize + 1;
    (0..=(frames - 1) * per)
        .map(|k| k as f32 / per as f32)
        .collect()
}

/// Writes the animation; returns how many frames were written.
pub fn write(
    view: &mut HeadlessView,
    frame: &FrameSpec,
    overlay: &Overlay,
    matrix: &TimelineMatrix,
    args: &AnimateArgs,
    out: &Path,
    progress: &dyn Progress,
) -> Result<usize> {
    let positions = positions(matrix.frames.len(), args.tween);
    if positions.len() > MAX_OUTPUT_FRAMES {
        bail!(
            "{} frames ({} steps × {} in-betweens): more than {MAX_OUTPUT_FRAMES}; use a longer \
             step, a shorter period or fewer --tween frames",
            positions.len(),
            matrix.frames.len(),
            args.tween
        );
    }
    let size = (frame.width, frame.height);
    let mut sink = Sink::open(out, size, args.fps)?;
    let stage = progress.stage("frames", Some(positions.len() as u64));
    let mut overlay = overlay.clone();
    overlay.subtitle = Some(format!(
        "{} frames, {}",
        matrix.frames.len(),
        matrix.timeline.label()
    ));
    for &p in &positions {
        let f = &matrix.frames[(p.round() as usize).min(matrix.frames.len() - 1)];
        let dates = Period::Range {
            from: f.from,
            to: f.to,
        }
        .label();
        overlay.stamp = Some(if f.partial {
            format!("{dates} (part)")
        } else {
            dates
        });
        view.map().set_timeline_position(Some(p));
        let pushed = view
            .render(frame, &overlay)
            .map_err(anyhow::Error::from)
            .and_then(|img| sink.push(&img));
        if let Err(e) = pushed {
            sink.abandon();
            return Err(e);
        }
        stage.advance(1);
    }
    stage.finish();
    sink.finish(out)?;
    Ok(positions.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_positions_and_kinds() {
        assert_eq!(parse_window("28d"), Ok(28));
        assert_eq!(parse_window("4w"), Ok(28));
        assert_eq!(parse_window("7"), Ok(7));
        assert!(parse_window("0d").is_err());
        assert!(parse_window("1000w").is_err());
        assert!(parse_window("a month").is_err());
        assert_eq!(positions(3, 0), vec![0.0, 1.0, 2.0]);
        assert_eq!(positions(3, 1), vec![0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(positions(1, 5), vec![0.0]);
        assert!(positions(0, 2).is_empty());
        assert_eq!(kind_of(Path::new("a/b.GIF")), "gif");
        assert_eq!(kind_of(Path::new("b.webm")), "webm");
        assert_eq!(kind_of(Path::new("frames")), "pngs");
        assert_eq!(kind_of(Path::new("b.avi")), "unknown");
    }
}
