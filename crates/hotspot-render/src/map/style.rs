//! How the map looks: the background theme, cell outlines, what is drawn outside the drill
//! scope, which context layers show, and the palette's lookup texture.

use super::MapRenderer;
use super::values::MAX_BREAKS;
use crate::RenderError;
use crate::palette::{DomainMode, LUT_SIZE, Palette, lut_rgba};

/// Background theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

impl Theme {
    /// The map background.
    pub fn background(self) -> [u8; 4] {
        match self {
            Theme::Dark => [0x0e, 0x11, 0x17, 0xff],
            Theme::Light => [0xf7, 0xf7, 0xf4, 0xff],
        }
    }
    /// Text and line colour that contrasts with the background.
    pub fn foreground(self) -> [u8; 4] {
        match self {
            Theme::Dark => [0xe8, 0xea, 0xed, 0xff],
            Theme::Light => [0x1f, 0x23, 0x29, 0xff],
        }
    }
    /// A translucent panel behind overlay text.
    pub fn panel(self) -> [u8; 4] {
        match self {
            Theme::Dark => [0x0e, 0x11, 0x17, 0xd8],
            Theme::Light => [0xff, 0xff, 0xff, 0xe0],
        }
    }
    pub(super) fn with_alpha(c: [u8; 4], a: f32) -> [f32; 4] {
        [rgba_f(c)[0], rgba_f(c)[1], rgba_f(c)[2], a]
    }
    pub(super) fn footprint_fill(self) -> [f32; 4] {
        match self {
            Theme::Dark => [1.0, 1.0, 1.0, 0.045],
            Theme::Light => [0.0, 0.0, 0.0, 0.05],
        }
    }
    pub(super) fn hover(self) -> [f32; 4] {
        Self::with_alpha(self.foreground(), 1.0)
    }
    /// Users' layers: a cyan no palette uses (sRGB, opaque).
    pub(super) fn overlay(self) -> [f32; 4] {
        match self {
            Theme::Dark => [0.30, 0.82, 0.88, 1.0],
            Theme::Light => [0.0, 0.45, 0.55, 1.0],
        }
    }
    pub(super) fn selected_halo(self) -> [f32; 4] {
        match self {
            Theme::Dark => [0.0, 0.0, 0.0, 0.75],
            Theme::Light => [1.0, 1.0, 1.0, 0.85],
        }
    }
}

pub(super) fn rgba_f(c: [u8; 4]) -> [f32; 4] {
    c.map(|v| f32::from(v) / 255.0)
}

/// How cells outside the drill scope are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum OutsideScope {
    /// Faded towards the background.
    #[default]
    Dim,
    /// Not drawn.
    Hide,
}

/// Cell outline policy.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Outlines {
    /// Thin gaps between cells when cells are large enough on screen (none below 4 px).
    #[default]
    Auto,
    /// Cells share edges exactly.
    Off,
    /// A fixed gap in logical pixels.
    Px(f32),
}

/// Which context layers are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContextVisibility {
    pub footprint: bool,
    pub districts: bool,
    pub community_areas: bool,
    pub labels: bool,
    /// Street lines (arterials from district scale down, every street at street scale) and
    /// their names.
    pub streets: bool,
    /// Ward and police-beat outlines with their names.
    pub wards: bool,
    pub beats: bool,
}

impl Default for ContextVisibility {
    fn default() -> Self {
        Self {
            footprint: true,
            districts: true,
            community_areas: false,
            labels: true,
            streets: true,
            wards: false,
            beats: false,
        }
    }
}

impl MapRenderer {
    // ---------------------------------------------------------------- style

    /// Sets the palette (validated; the LUT texture is rewritten).
    pub fn set_palette(&mut self, palette: &Palette) -> Result<(), RenderError> {
        let lut = lut_rgba(palette)?;
        let no_data = palette.no_data;
        if palette.stops.len() > MAX_BREAKS + 1 && palette.mode == DomainMode::Quantile {
            return Err(RenderError::Unsupported {
                adapter: "renderer".into(),
                detail: format!("quantile palettes take at most {} stops", MAX_BREAKS + 1),
            });
        }
        self.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &self.lut_tex,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &lut,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(LUT_SIZE as u32 * 4),
                rows_per_image: None,
            },
            wgpu::Extent3d {
                width: LUT_SIZE as u32,
                height: 1,
                depth_or_array_layers: 1,
            },
        );
        if palette.stops.len() != self.palette.stops.len() || palette.mode != self.palette.mode {
            for l in self.layers.values_mut() {
                l.breaks = None;
            }
        }
        self.palette = palette.clone();
        self.lut = lut;
        self.no_data = no_data;
        self.dirty = true;
        Ok(())
    }

    /// The palette in use.
    pub fn palette(&self) -> &Palette {
        &self.palette
    }

    /// The LUT uploaded to the GPU (RGBA, [`LUT_SIZE`] texels).
    pub fn lut_rgba(&self) -> &[u8] {
        &self.lut
    }

    /// Sets the background theme.
    pub fn set_theme(&mut self, theme: Theme) {
        if self.theme != theme {
            self.theme = theme;
            self.dirty = true;
        }
    }
    /// The background theme.
    pub fn theme(&self) -> Theme {
        self.theme
    }
    /// Fill opacity of cells with data (0–1).
    pub fn set_opacity(&mut self, opacity: f32) {
        self.opacity = opacity.clamp(0.0, 1.0);
        self.dirty = true;
    }
    /// Cell size on screen (physical pixels) below which the brick level of detail is used;
    /// 0 disables it.
    pub fn set_lod_threshold(&mut self, px: f64) {
        self.lod_px = px.max(0.0);
        self.dirty = true;
    }
    /// Cell outline policy.
    pub fn set_outlines(&mut self, outlines: Outlines) {
        self.outlines = outlines;
        self.dirty = true;
    }
}
