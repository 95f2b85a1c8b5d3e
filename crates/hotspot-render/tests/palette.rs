//! Palette LUTs, domains and legend captions (no GPU needed).

use hotspot_render::palette::{CRIME_SCALE, LUT_SIZE, parse_hex, quantile_breaks};
use hotspot_render::{Domain, DomainMode, Legend, Palette};

fn texel(lut: &[u8], i: usize) -> [u8; 4] {
    [lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2], lut[i * 4 + 3]]
}

#[test]
fn lut_endpoints_are_the_first_and_last_stops() {
    let p = Palette::incident_volume();
    let lut = p.lut_rgba().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lut.len(), LUT_SIZE * 4);
    assert_eq!(
        texel(&lut, 0),
        parse_hex(CRIME_SCALE[0]).unwrap_or_default()
    );
    assert_eq!(
        texel(&lut, LUT_SIZE - 1),
        parse_hex(CRIME_SCALE[5]).unwrap_or_default()
    );
    // Evenly spaced stops: texel 51 is exactly the second stop (255 / 5 = 51).
    assert_eq!(
        texel(&lut, 51),
        parse_hex(CRIME_SCALE[1]).unwrap_or_default()
    );
    // Interpolated in between.
    let mid = texel(&lut, 25);
    let (a, b) = (
        parse_hex(CRIME_SCALE[0]).unwrap_or_default(),
        parse_hex(CRIME_SCALE[1]).unwrap_or_default(),
    );
    for k in 0..3 {
        assert!(mid[k] >= a[k].min(b[k]) && mid[k] <= a[k].max(b[k]));
    }
}

#[test]
fn reverse_reverses_the_lut() {
    let fwd = Palette::incident_volume().lut_rgba().unwrap_or_default();
    let rev = Palette::arrests().lut_rgba().unwrap_or_default();
    assert!(!fwd.is_empty());
    for i in 0..LUT_SIZE {
        assert_eq!(texel(&rev, i), texel(&fwd, LUT_SIZE - 1 - i), "texel {i}");
    }
    assert_eq!(texel(&rev, 0), parse_hex("#b0202f").unwrap_or_default());
}

#[test]
fn script_palette_reaches_the_lut() {
    // What hotspot-script will construct: any stops, alpha allowed, short forms allowed.
    let p = Palette {
        name: "script".into(),
        stops: vec!["#000".into(), "#0000ff80".into(), "#ffffff".into()],
        mode: DomainMode::Linear,
        reverse: false,
        no_data: "#11223344".into(),
        caption_low: "calm".into(),
        caption_high: "busy".into(),
    };
    let lut = p.lut_rgba().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texel(&lut, 0), [0, 0, 0, 255]);
    assert_eq!(texel(&lut, 255), [255, 255, 255, 255]);
    assert_eq!(texel(&lut, 128), [1, 1, 255, 128]); // t = 0.502: just past the middle stop
    assert_eq!(
        p.no_data_rgba().unwrap_or_default(),
        [0x11, 0x22, 0x33, 0x44]
    );
    let bad = Palette {
        stops: vec!["#12".into()],
        ..p.clone()
    };
    assert!(bad.lut_rgba().is_err());
    let empty = Palette { stops: vec![], ..p };
    assert!(empty.lut_rgba().is_err());
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
    let d = Domain {
        lo: 0.0,
        hi: 100.0,
        breaks: quantile_breaks(&values, 4),
    };
    assert_eq!(d.normalise(DomainMode::Quantile, 1.0), 0.0);
    assert_eq!(d.normalise(DomainMode::Quantile, 25.75), 1.0 / 3.0);
    assert_eq!(d.normalise(DomainMode::Quantile, 60.0), 2.0 / 3.0);
    assert_eq!(d.normalise(DomainMode::Quantile, 100.0), 1.0);
    // Six classes for the six default stops: each class hits a stop exactly.
    assert_eq!(quantile_breaks(&values, 6).len(), 5);
}

#[test]
fn log_domain_maps_known_values() {
    let d = Domain {
        lo: 0.0,
        hi: 99.0,
        breaks: vec![],
    };
    assert_eq!(d.normalise(DomainMode::Log, 0.0), 0.0);
    assert!((d.normalise(DomainMode::Log, 9.0) - 0.5).abs() < 1e-6);
    assert!((d.normalise(DomainMode::Log, 99.0) - 1.0).abs() < 1e-6);
    assert_eq!(d.normalise(DomainMode::Log, 1e6), 1.0);
    assert!((d.value_at(DomainMode::Log, 0.5) - 9.0).abs() < 1e-3);
    assert!((d.normalise(DomainMode::Linear, 49.5) - 0.5).abs() < 1e-6);
}

#[test]
fn captions_follow_the_colours_shown() {
    let vol = Legend::new(
        "Incident volume",
        Palette::incident_volume(),
        Domain::default(),
    );
    assert_eq!(
        vol.caption(),
        "Legend: green → lower incident intensity; red → higher incident intensity."
    );
    // The seed said "green → fewer arrests" although its reversed scale shows low as red.
    let arr = Legend::new("Arrest count", Palette::arrests(), Domain::default());
    assert_eq!(
        arr.caption(),
        "Legend: red → fewer arrests / lower clearance; green → more arrests / higher clearance."
    );
}

#[test]
fn legend_ticks_cover_the_domain() {
    let mut l = Legend::new(
        "Incident volume",
        Palette::incident_volume(),
        Domain {
            lo: 0.0,
            hi: 55.2,
            breaks: vec![],
        },
    );
    let ticks = l.ticks();
    let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
    assert_eq!(labels, ["0", "10", "20", "30", "40", "50"]);
    assert!(ticks.iter().all(|t| (0.0..=1.0).contains(&t.0)));
    l.domain = Domain {
        lo: 0.0,
        hi: 0.35,
        breaks: vec![],
    };
    l.percent = true;
    assert_eq!(l.ticks().last().map(|t| t.1.clone()), Some("35%".into()));
    l.palette.mode = DomainMode::Log;
    l.percent = false;
    l.domain = Domain {
        lo: 0.0,
        hi: 1000.0,
        breaks: vec![],
    };
    let log: Vec<String> = l.ticks().into_iter().map(|t| t.1).collect();
    assert!(
        log.contains(&"0".to_string()) && log.contains(&"1,000".to_string()),
        "{log:?}"
    );
}
