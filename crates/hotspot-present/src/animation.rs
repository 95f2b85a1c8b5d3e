//! Animations of a timeline: the map played step by step into an animated GIF, an MP4 or
//! WebM (through ffmpeg, when it is installed) or a directory of numbered PNGs. Every frame
//! carries the overlay (title, the legend of one colour domain for all frames) and a large
//! date stamp; in-between frames mix two steps on the GPU. `hotspot render --animate` and the
//! console's *Export animation* both write through [`write_animation`].

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use hotspot_core::progress::Progress;
use hotspot_render::{FrameSpec, Image, RenderError};
use hotspot_scope::{Period, TimelineMatrix};
use thiserror::Error;

use crate::headless::HeadlessView;
use crate::overlay::Overlay;

/// The most frames one animation writes.
pub const MAX_OUTPUT_FRAMES: usize = 5_000;

/// Why an animation could not be written.
#[derive(Debug, Error)]
pub enum AnimationError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "writing .{0} needs ffmpeg, which is not installed here (apt-get install ffmpeg); write a .gif, or a directory of PNG frames, instead"
    )]
    NoFfmpeg(String),
    #[error("ffmpeg: {0}")]
    Ffmpeg(String),
    #[error("{0}: an animation is a .gif, .mp4 or .webm file, or a directory for PNG frames")]
    Kind(String),
    #[error(
        "{frames} frames ({steps} steps, {tween} in-betweens each): more than 5000; use a longer step, a shorter period or fewer in-between frames"
    )]
    TooMany {
        frames: usize,
        steps: usize,
        tween: u32,
    },
    #[error("GIF: {0}")]
    Gif(String),
    #[error(transparent)]
    Render(#[from] RenderError),
}

fn io(path: &Path, source: std::io::Error) -> AnimationError {
    AnimationError::Io {
        path: path.display().to_string(),
        source,
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
    fn open(out: &Path, size: (u32, u32), fps: f32) -> Result<Sink, AnimationError> {
        Ok(match kind_of(out) {
            "gif" => {
                let tmp = temp_beside(out);
                let file = File::create(&tmp).map_err(|e| io(&tmp, e))?;
                let mut encoder = image::codecs::gif::GifEncoder::new_with_speed(file, 10);
                encoder
                    .set_repeat(image::codecs::gif::Repeat::Infinite)
                    .map_err(|e| AnimationError::Gif(e.to_string()))?;
                Sink::Gif {
                    encoder,
                    tmp,
                    delay_ms: (1000.0 / fps).round().max(10.0) as u32,
                }
            }
            kind @ ("mp4" | "webm") => {
                if !have_ffmpeg() {
                    return Err(AnimationError::NoFfmpeg(kind.to_string()));
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
                    .map_err(|e| AnimationError::Ffmpeg(format!("cannot start it: {e}")))?;
                Sink::Video { child, tmp }
            }
            "pngs" => {
                std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
                Sink::Pngs {
                    dir: out.to_path_buf(),
                    written: 0,
                }
            }
            _ => return Err(AnimationError::Kind(out.display().to_string())),
        })
    }

    fn push(&mut self, img: &Image) -> Result<(), AnimationError> {
        match self {
            Sink::Gif {
                encoder, delay_ms, ..
            } => {
                let rgba = image::RgbaImage::from_raw(img.width, img.height, img.rgba.clone())
                    .ok_or_else(|| AnimationError::Gif("a frame of the wrong size".into()))?;
                let delay = image::Delay::from_numer_denom_ms(*delay_ms, 1);
                encoder
                    .encode_frame(image::Frame::from_parts(rgba, 0, 0, delay))
                    .map_err(|e| AnimationError::Gif(e.to_string()))?;
            }
            Sink::Video { child, .. } => {
                let stdin = child
                    .stdin
                    .as_mut()
                    .ok_or_else(|| AnimationError::Ffmpeg("its input closed".into()))?;
                stdin
                    .write_all(&img.rgba)
                    .map_err(|e| AnimationError::Ffmpeg(format!("stopped taking frames: {e}")))?;
            }
            Sink::Pngs { dir, written } => {
                *written += 1;
                let path = dir.join(format!("frame-{:05}.png", *written));
                img.save_png(&path)?;
            }
        }
        Ok(())
    }

    fn finish(self, out: &Path) -> Result<(), AnimationError> {
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
                .map_err(|e| io(&tmp, e))?;
                if last != 0x3B {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(AnimationError::Gif(
                        "the GIF was not written whole (disk full?)".into(),
                    ));
                }
                std::fs::rename(&tmp, out).map_err(|e| io(out, e))?;
            }
            Sink::Video { mut child, tmp } => {
                drop(child.stdin.take());
                let o = child
                    .wait_with_output()
                    .map_err(|e| AnimationError::Ffmpeg(e.to_string()))?;
                if !o.status.success() {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(AnimationError::Ffmpeg(
                        String::from_utf8_lossy(&o.stderr).trim().to_string(),
                    ));
                }
                std::fs::rename(&tmp, out).map_err(|e| io(out, e))?;
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

/// Frames a second and in-between frames per step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnimationOptions {
    pub fps: f32,
    pub tween: u32,
}

/// Writes the timeline on `view`'s map as an animation to `out` (its kind from the name:
/// `.gif`, `.mp4`, `.webm`, or a directory for numbered PNGs), each frame with `overlay` and
/// the frame's dates as a stamp. Returns how many frames were written; a failure removes
/// what it had written to a file.
pub fn write_animation(
    view: &mut HeadlessView,
    frame: &FrameSpec,
    overlay: &Overlay,
    matrix: &TimelineMatrix,
    options: AnimationOptions,
    out: &Path,
    progress: &dyn Progress,
) -> Result<usize, AnimationError> {
    let positions = positions(matrix.frames.len(), options.tween);
    if positions.len() > MAX_OUTPUT_FRAMES {
        return Err(AnimationError::TooMany {
            frames: positions.len(),
            steps: matrix.frames.len(),
            tween: options.tween,
        });
    }
    let size = (frame.width, frame.height);
    let mut sink = Sink::open(out, size, options.fps)?;
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
            .map_err(AnimationError::from)
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
    fn positions_and_kinds() {
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
