//! Palettes on the GPU. The palette type itself is [`hotspot_core::palette::Palette`] (re-exported
//! here): the one the scripts build, with its stops, domain mode, no-data colour, captions and the
//! old console's colour-range rules ([`Palette::domain_for`]). The renderer only adds the lookup
//! table it uploads ([`lut_rgba`], built from [`Palette::lut`], so what a script defines is
//! exactly what the GPU samples).

pub use hotspot_core::palette::{
    CRIME_SCALE, DEFAULT_NO_DATA, Domain, DomainMode, Palette, PaletteError, Rgba, ValueKind,
    colour_name, parse_hex, quantile_breaks, sample_stops, to_hex,
};

use crate::RenderError;

/// Texels in the colour lookup table.
pub const LUT_SIZE: usize = 256;

/// The lookup table the GPU samples: [`LUT_SIZE`] RGBA texels, texel `i` is
/// [`Palette::lut`]`(LUT_SIZE)[i]`, the colour at `t = i / 255` (stops evenly spaced,
/// interpolated in sRGB as web maps do, `reverse` applied).
pub fn lut_rgba(palette: &Palette) -> Result<Vec<u8>, RenderError> {
    if palette.stops.is_empty() {
        return Err(RenderError::EmptyPalette(palette.name.clone()));
    }
    Ok(palette.lut(LUT_SIZE).concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lut_is_the_palettes_own_lut() {
        let p = Palette::arrests();
        let lut = lut_rgba(&p).unwrap_or_default();
        assert_eq!(lut.len(), LUT_SIZE * 4);
        for (i, c) in p.lut(LUT_SIZE).iter().enumerate() {
            assert_eq!(&lut[i * 4..i * 4 + 4], c.as_slice());
        }
        let empty = Palette {
            stops: Vec::new(),
            ..Palette::volume()
        };
        assert!(matches!(
            lut_rgba(&empty),
            Err(RenderError::EmptyPalette(_))
        ));
    }
}
