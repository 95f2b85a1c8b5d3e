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
    fn lut_texels_are_the_stops_reversed_for_arrests() {
        // The arrest palette is CRIME_SCALE reversed: texel 0 is its last stop, texel 51 (one
        // fifth of 255) the next, texel 255 its first.
        let p = Palette::arrests();
        let lut = lut_rgba(&p).unwrap_or_default();
        assert_eq!(lut.len(), LUT_SIZE * 4);
        let texel = |i: usize| [lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2], lut[i * 4 + 3]];
        assert_eq!(texel(0), [0xb0, 0x20, 0x2f, 0xff]);
        assert_eq!(texel(51), [0xef, 0x62, 0x48, 0xff]);
        assert_eq!(texel(255), [0x9b, 0xd1, 0x74, 0xff]);
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
