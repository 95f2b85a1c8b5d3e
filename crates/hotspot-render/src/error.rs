//! The renderer's error type.

use std::path::PathBuf;

/// Everything that can go wrong while building geometry, talking to the GPU or writing a PNG.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No GPU adapter (hardware or software) could be found.
    #[error(
        "no GPU adapter found ({detail}). Install a GPU driver, or on Linux the software \
         rasteriser: `apt-get install mesa-vulkan-drivers libvulkan1` (lavapipe)"
    )]
    NoAdapter { detail: String },
    /// The adapter refused to create a device.
    #[error("the GPU adapter {adapter} refused to create a device: {detail}")]
    Device { adapter: String, detail: String },
    /// The adapter cannot do something the renderer needs.
    #[error("the GPU adapter {adapter} is not supported: {detail}")]
    Unsupported { adapter: String, detail: String },
    /// A requested image is larger than the adapter allows.
    #[error("a {width}×{height} image exceeds this adapter's limit of {max}×{max} pixels")]
    TooLarge { width: u32, height: u32, max: u32 },
    /// A zero-sized image was requested.
    #[error("cannot render an empty {width}×{height} image")]
    EmptyImage { width: u32, height: u32 },
    /// A palette with no stops.
    #[error("palette {0:?} has no colour stops")]
    EmptyPalette(String),
    /// A resolution outside 0–15.
    #[error("resolution {0} is not an H3 resolution")]
    BadResolution(u8),
    /// No geometry has been built for the resolution.
    #[error("no coverage has been set for resolution r{0}")]
    NoCoverage(u8),
    /// `cells` and `values` differ in length.
    #[error("{cells} cells but {values} values")]
    LengthMismatch { cells: usize, values: usize },
    /// A cell set could not be dissolved into polygons.
    #[error("cannot dissolve cells into outlines: {0}")]
    Dissolve(String),
    /// lyon could not tessellate a path.
    #[error("tessellation failed: {0}")]
    Tessellation(String),
    /// A timeline that cannot be played (too large for the GPU).
    #[error("timeline: {0}")]
    Timeline(String),
    /// A basemap tile that cannot be a texture (size, byte count).
    #[error("bad tile: {0}")]
    Tile(String),
    /// The GPU reported an error (validation, out of memory, lost device, failed readback).
    #[error("GPU error: {0}")]
    Gpu(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// The sample CSV could not be read.
    #[error("sample {path}: {detail}")]
    Sample { path: PathBuf, detail: String },
}
