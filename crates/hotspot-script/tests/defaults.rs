//! The default scripts: palettes reach the lookup table exactly, the taxonomy is the lake's,
//! the views and playlist load.

use hotspot_core::palette::{Palette, colour_name};
use hotspot_core::taxonomy::{Taxonomy, default_known_types};
use hotspot_scope::Metric;
use hotspot_script::{Camera, ScriptHost};

mod common;

#[test]
fn the_default_scripts_load_cleanly() {
    let host = ScriptHost::open(common::scripts_dir());
    assert!(host.errors().is_empty(), "{:#?}", host.errors());
}

#[test]
fn palette_script_colours_reach_the_lookup_table() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("palettes.rhai"),
        r##"[
            #{ name: "test", stops: ["#102030", "#f0e0d0", "#00ff0080"] },
            #{ name: "test_rev", stops: ["#102030", "#f0e0d0", "#00ff0080"], reverse: true },
        ]"##,
    )
    .expect("write");
    let host = ScriptHost::open(tmp.path());
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    let lut = host.palette("test").expect("test").lut(5);
    assert_eq!(lut[0], [0x10, 0x20, 0x30, 255]);
    assert_eq!(
        lut[2],
        [0xf0, 0xe0, 0xd0, 255],
        "midpoint is the middle stop"
    );
    // Halfway between #102030 and #f0e0d0: (16+240)/2, (32+224)/2, (48+208)/2.
    assert_eq!(lut[1], [128, 128, 128, 255]);
    assert_eq!(lut[4], [0x00, 0xff, 0x00, 0x80]);
    let rev = host.palette("test_rev").expect("rev").lut(5);
    assert_eq!(rev[0], [0x00, 0xff, 0x00, 0x80]);
    assert_eq!(rev[4], [0x10, 0x20, 0x30, 255]);
}

#[test]
fn default_palettes_match_the_old_console_with_correct_captions() {
    let host = ScriptHost::open(common::scripts_dir());
    let volume = host.palette("volume").expect("volume");
    assert_eq!(volume, Palette::volume());
    let arrests = host.palette("arrests").expect("arrests");
    assert_eq!(arrests, Palette::arrests());
    let lut = arrests.lut(256);
    assert_eq!(lut[0], [0xb0, 0x20, 0x2f, 255], "low arrests are red");
    assert_eq!(lut[255], [0x9b, 0xd1, 0x74, 255], "high arrests are green");
    assert_eq!(colour_name(lut[0]), "red");
    assert_eq!(
        arrests.legend_caption(),
        "Legend: red → fewer arrests / lower clearance; green → more arrests / higher clearance."
    );
    assert_eq!(host.palette_for(Metric::SmoothedRate).name, "arrests");
    assert_eq!(host.palette_for(Metric::Change).name, "change");
    assert_eq!(host.palette_for(Metric::Selected).name, "volume");
    let change = host.palette("change").expect("change");
    assert_eq!(colour_name(change.low_colour()), "blue");
    assert_eq!(colour_name(change.sample(0.5)), "white");
    assert_eq!(colour_name(change.high_colour()), "red");
    assert!(host.palette("viridis").is_some());
    // The class palettes are built in too (a script directory without them must not colour
    // classes with a volume ramp), and the scripts' versions are the built-in ones.
    assert_eq!(host.palette("hotspots"), Some(Palette::hotspots()));
    assert_eq!(host.palette("emerging"), Some(Palette::emerging()));
    let bare = tempfile::tempdir().expect("tempdir");
    std::fs::write(bare.path().join("palettes.rhai"), "[]").expect("write");
    let bare = ScriptHost::open(bare.path());
    assert_eq!(bare.palette_for(Metric::Emerging), Palette::emerging());
    assert_eq!(bare.palette_for(Metric::HotSpots), Palette::hotspots());
    // One distinct colour per emerging category, no pattern (code 0) light grey in the middle.
    let e = Palette::emerging();
    let mut distinct = e.stops.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 17);
    assert_eq!(e.stops[8], [0xd9, 0xd9, 0xd9, 0x66]);
}

#[test]
fn the_taxonomy_script_is_the_lake_default() {
    let host = ScriptHost::open(common::scripts_dir());
    let t = host.taxonomy();
    let d = Taxonomy::default();
    assert_eq!(t.categories(), d.categories());
    for ty in default_known_types().chain(["SOMETHING NEW"]) {
        assert_eq!(t.category_of(ty), d.category_of(ty), "{ty}");
    }
    let guns = host.selection("guns").expect("Guns");
    assert_eq!(
        guns.types,
        [
            "WEAPONS VIOLATION",
            "CONCEALED CARRY LICENSE VIOLATION",
            "HOMICIDE"
        ]
    );
    assert_eq!(
        host.selection("Violent").expect("Violent").categories,
        ["Violent"]
    );
    assert!(host.selections().iter().any(|s| s.name == "Property"));
}

#[test]
fn views_and_playlist() {
    let host = ScriptHost::open(common::scripts_dir());
    let names: Vec<String> = host.views().into_iter().map(|v| v.name).collect();
    assert_eq!(
        names,
        [
            "citywide",
            "emerging_weekly",
            "low_clearance",
            "street_scale_theft",
            "violent_last_year"
        ]
    );
    let range = (common::d(2023, 1, 1), common::d(2024, 9, 15));
    let v = host.view("low_clearance", range).expect("view");
    assert_eq!(v.predicate.as_deref(), Some("low_clearance"));
    assert_eq!(
        (v.metric, v.palette.as_str()),
        (Metric::ArrestRate, "arrests")
    );
    assert_eq!(v.camera, Camera::Citywide);
    assert_eq!(v.scope.emerging, None);
    let e = host.view("emerging_weekly", range).expect("view");
    assert_eq!(
        (e.metric, e.palette.as_str()),
        (Metric::Emerging, "emerging")
    );
    assert_eq!(
        e.scope.emerging,
        Some(hotspot_scope::EmergingOptions {
            step: hotspot_scope::Step::Week,
            time_lag: 1,
            k: 1,
            alpha: 0.10,
            fdr: true,
        })
    );
    // Twelve weeks ending on the lake's last day.
    assert_eq!(
        e.scope.period,
        hotspot_scope::Period::Range {
            from: common::d(2024, 6, 24),
            to: common::d(2024, 9, 15)
        }
    );
    assert_eq!(
        host.playlist(),
        [
            ("citywide".to_string(), 30),
            ("violent_last_year".to_string(), 30),
            ("street_scale_theft".to_string(), 20),
            ("low_clearance".to_string(), 20)
        ]
    );
    assert!(host.view("nope", range).is_err());
}

#[test]
fn defaults_can_be_written_into_a_new_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scripts");
    let written = hotspot_script::defaults::write_defaults(&dir).expect("write");
    // Every .rhai file of the repository's scripts/ directory, counted from the disk.
    let repo = common::scripts_dir();
    let mut on_disk = 0;
    for sub in ["", "views", "lib"] {
        for e in std::fs::read_dir(repo.join(sub)).expect("scripts dir") {
            let p = e.expect("entry").path();
            on_disk += usize::from(p.extension().is_some_and(|x| x == "rhai"));
        }
    }
    assert_eq!(written.len(), on_disk);
    assert!(
        hotspot_script::defaults::write_defaults(&dir)
            .expect("again")
            .is_empty()
    );
    let host = ScriptHost::open(&dir);
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert_eq!(host.views().len(), hotspot_script::defaults::VIEWS.len());
    assert_eq!(hotspot_script::defaults::VIEWS.len(), 5);
    assert_eq!(host.predicates().len(), 5);
}
