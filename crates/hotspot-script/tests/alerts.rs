//! `alerts.rhai`: the repository's rules load as written, a playlist file of its own is read
//! and checked, and a broken rules file is refused with its reason while the last good rules
//! stay.

use hotspot_scope::Step;
use hotspot_scope::alerts::AlertRule;
use hotspot_script::ScriptHost;

mod common;

#[test]
fn the_repository_rules_load_as_written() {
    let host = ScriptHost::open(common::scripts_dir());
    assert!(host.errors().is_empty(), "{:#?}", host.errors());
    let rules = host.alert_rules();
    let names: Vec<&str> = rules.iter().map(AlertRule::name).collect();
    assert_eq!(names, ["surge-24h", "surge-7d", "new-hot-spot"]);
    match &rules[1] {
        AlertRule::Surge(s) => {
            assert_eq!(
                (s.res, s.days, s.baseline_days, s.min_count, s.hold_s),
                (9, 7, 56, 8, 45)
            );
            assert_eq!(s.false_alarm, 0.01);
        }
        other => panic!("{other:?}"),
    }
    match &rules[2] {
        AlertRule::NewHotSpot(n) => {
            assert_eq!(
                (n.res, n.step, n.steps, n.alpha, n.min_count),
                (8, Step::Week, 12, 0.05, 10)
            );
        }
        other => panic!("{other:?}"),
    }
}

fn dir_with(alerts: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    hotspot_script::defaults::write_defaults(tmp.path()).expect("defaults");
    std::fs::write(tmp.path().join("alerts.rhai"), alerts).expect("write");
    tmp
}

#[test]
fn broken_rules_are_refused_with_their_reason_and_the_built_in_ones_stay() {
    for (text, reason) in [
        (
            r#"[#{ name: "x", kind: "sruge" }]"#,
            "`kind` must be \"surge\" or \"new_hot_spot\"",
        ),
        (
            r#"[#{ name: "x", kind: "surge", days: 0 }]"#,
            "`days` must be 1–366, not 0",
        ),
        (
            r#"[#{ name: "x", kind: "surge", false_alarm: 2.0 }]"#,
            "false_alarm 2 is not in (0, 1)",
        ),
        (
            r#"[#{ name: "x", kind: "surge", colour: "red" }]"#,
            "colour",
        ),
        (
            r#"[#{ name: "x", kind: "surge" }, #{ name: "x", kind: "surge" }]"#,
            "named twice",
        ),
        (r#"[#{ kind: "surge" }]"#, "`name`"),
        ("42", "list of rules"),
    ] {
        let tmp = dir_with(text);
        let host = ScriptHost::open(tmp.path());
        let errors = host.errors();
        assert_eq!(errors.len(), 1, "{text}: {errors:#?}");
        let msg = errors[0].to_string();
        assert!(
            msg.contains("alerts.rhai") && msg.contains(reason),
            "{text}: {msg}"
        );
        // The built-in rules stand in.
        assert_eq!(host.alert_rules().len(), 3, "{text}");
    }
    // Defaults fill in what a rule leaves out.
    let tmp = dir_with(r#"[#{ name: "quiet", kind: "surge", types: ["THEFT"] }]"#);
    let host = ScriptHost::open(tmp.path());
    assert!(host.errors().is_empty(), "{:#?}", host.errors());
    match host.alert_rules().as_slice() {
        [AlertRule::Surge(s)] => {
            assert_eq!((s.res, s.days, s.baseline_days, s.min_count), (9, 7, 56, 5));
            assert_eq!(s.selection.types, ["THEFT"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_playlist_file_of_its_own_is_read_and_checked_against_the_views() {
    let host = ScriptHost::open(common::scripts_dir());
    let tmp = tempfile::tempdir().expect("tempdir");
    let east = tmp.path().join("east.rhai");
    std::fs::write(
        &east,
        r#"[#{ view: "low_clearance", seconds: 12 }, ["citywide", 8]]"#,
    )
    .expect("write");
    assert_eq!(
        host.playlist_file(&east).expect("playlist"),
        [
            ("low_clearance".to_string(), 12),
            ("citywide".to_string(), 8)
        ]
    );
    std::fs::write(&east, r#"[#{ view: "nowhere", seconds: 12 }]"#).expect("write");
    let e = host.playlist_file(&east).expect_err("unknown view");
    assert!(e.to_string().contains("`nowhere`"), "{e}");
    let e = host
        .playlist_file(&tmp.path().join("missing.rhai"))
        .expect_err("missing file");
    assert!(e.to_string().contains("cannot read the playlist"), "{e}");
}
