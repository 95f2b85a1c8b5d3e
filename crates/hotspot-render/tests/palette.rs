//! Palette LUTs, domains and legend captions (no GPU needed). The palette type is
//! `hotspot_core::palette::Palette`, the one the scripts build; the renderer's LUT must be that
//! palette's own `lut(256)`, byte for byte.

use hotspot_render::palette::{
    CRIME_SCALE, LUT_SIZE, lut_rgba, parse_hex, quantile_breaks, to_hex,
};
use hotspot_render::{Domain, DomainMode, Palette, ValueKind};

fn texel(lut: &[u8], i: usize) -> [u8; 4] {
    [lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2], lut[i * 4 + 3]]
}

fn hex(s: &str) -> [u8; 4] {
    parse_hex(s).unwrap_or_else(|e| panic!("{e}"))
}

fn domain(mode: DomainMode, lo: f32, hi: f32, breaks: Vec<f32>) -> Domain {
    Domain {
        mode,
        lo,
        hi,
        breaks,
    }
}

#[test]
fn lut_endpoints_are_the_first_and_last_stops() {
    let p = Palette::volume();
    let lut = lut_rgba(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lut.len(), LUT_SIZE * 4);
    assert_eq!(texel(&lut, 0), hex(CRIME_SCALE[0]));
    assert_eq!(texel(&lut, LUT_SIZE - 1), hex(CRIME_SCALE[5]));
    // Evenly spaced stops: texel 51 is exactly the second stop (255 / 5 = 51).
    assert_eq!(texel(&lut, 51), hex(CRIME_SCALE[1]));
    // Interpolated in between.
    let mid = texel(&lut, 25);
    let (a, b) = (hex(CRIME_SCALE[0]), hex(CRIME_SCALE[1]));
    for k in 0..3 {
        assert!(mid[k] >= a[k].min(b[k]) && mid[k] <= a[k].max(b[k]));
    }
}

#[test]
fn reverse_reverses_the_lut() {
    let fwd = lut_rgba(&Palette::volume()).unwrap_or_default();
    let rev = lut_rgba(&Palette::arrests()).unwrap_or_default();
    assert!(!fwd.is_empty());
    for i in 0..LUT_SIZE {
        assert_eq!(texel(&rev, i), texel(&fwd, LUT_SIZE - 1 - i), "texel {i}");
    }
    assert_eq!(texel(&rev, 0), hex("#b0202f"));
}

#[test]
fn script_palette_reaches_the_lut() {
    // Built exactly as hotspot-script builds a palette from `palettes.rhai` (core's parser:
    // short forms and alpha allowed), then handed to the renderer unchanged.
    let p = Palette {
        mode: DomainMode::Log,
        reverse: false,
        no_data: hex("#11223344"),
        caption_low: "calm".into(),
        caption_high: "busy".into(),
        ..Palette::from_hex("script", &["#000", "#0000ff80", "#ffffff"])
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let lut = lut_rgba(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lut.len(), LUT_SIZE * 4);
    assert_eq!(texel(&lut, 0), [0, 0, 0, 255]);
    assert_eq!(texel(&lut, 255), [255, 255, 255, 255]);
    assert_eq!(texel(&lut, 128), [1, 1, 255, 128]); // t = 0.502: just past the middle stop
    assert_eq!(to_hex(p.no_data), "#11223344");
    // Reversed in the script → reversed on the GPU.
    let rev = Palette {
        reverse: true,
        ..p.clone()
    };
    assert_eq!(texel(&lut_rgba(&rev).unwrap_or_default(), 0), [255; 4]);
    // Bad colours are the script's error, caught before a palette exists.
    assert!(Palette::from_hex("bad", &["#12"]).is_err());
    let empty = Palette { stops: vec![], ..p };
    assert!(lut_rgba(&empty).is_err());
}

#[test]
fn quantile_breakpoints_for_a_known_set() {
    let values: Vec<f32> = (1..=100).map(|v| v as f32).collect();
    // NumPy: np.quantile(range(1, 101), [.25, .5, .75]) = 25.75, 50.5, 75.25
    assert_eq!(quantile_breaks(&values, 4), vec![25.75, 50.5, 75.25]);
    // Order and NaNs do not matter.
    let mut shuffled: Vec<f32> = values.iter().rev().copied().collect();
    shuffled.push(f32::NAN);
    assert_eq!(quantile_breaks(&shuffled, 4), vec![25.75, 50.5, 75.25]);
    let d = domain(
        DomainMode::Quantile,
        0.0,
        100.0,
        quantile_breaks(&values, 4),
    );
    assert_eq!(d.normalise(1.0), 0.0);
    assert_eq!(d.normalise(25.75), 1.0 / 3.0);
    assert_eq!(d.normalise(60.0), 2.0 / 3.0);
    assert_eq!(d.normalise(100.0), 1.0);
    // Six classes for the six default stops: the type-7 quantiles of 1‥100 at j/6 are
    // 1 + 99·j/6.
    assert_eq!(
        quantile_breaks(&values, 6),
        vec![17.5, 34.0, 50.5, 67.0, 83.5]
    );
    let q = Palette {
        mode: DomainMode::Quantile,
        ..Palette::volume()
    };
    assert_eq!(
        q.domain_for(&values, ValueKind::Count).breaks,
        vec![17.5, 34.0, 50.5, 67.0, 83.5]
    );
}

#[test]
fn log_domain_maps_known_values() {
    let d = domain(DomainMode::Log, 0.0, 99.0, vec![]);
    assert_eq!(d.normalise(0.0), 0.0);
    assert!((d.normalise(9.0) - 0.5).abs() < 1e-6);
    assert!((d.normalise(99.0) - 1.0).abs() < 1e-6);
    assert_eq!(d.normalise(1e6), 1.0);
    assert!((d.value_at(0.5) - 9.0).abs() < 1e-3);
    let lin = domain(DomainMode::Linear, 0.0, 99.0, vec![]);
    assert!((lin.normalise(49.5) - 0.5).abs() < 1e-6);
}
