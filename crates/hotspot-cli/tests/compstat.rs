//! `hotspot compstat` on the real sample: the table on the terminal, the CSV (its figures
//! the ones worked out independently in Python for the scope engine's CompStat test), one
//! district, and the printable HTML page with its map.

mod common;

use common::{hotspot, stdout, text};

#[test]
#[ignore = "needs the real sample (../shared/data) and the software GPU adapter (lavapipe)"]
fn the_weekly_table_on_the_terminal_as_csv_and_as_a_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let sample = hotspot_testkit::sample::path();
    let o = hotspot(&lake, &["ingest", &sample.to_string_lossy(), "--build"]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = dir.path().join("cs.csv");
    let html = dir.path().join("cs.html");
    let o = hotspot(
        &lake,
        &[
            "compstat",
            "--week-ending",
            "2024-09-11",
            "--csv",
            csv.to_str().expect("utf-8"),
            "--html",
            html.to_str().expect("utf-8"),
            "--adapter",
            "software",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains("week ending 11 Sep 2024"), "{out}");
    let all = out
        .lines()
        .find(|l| l.starts_with("All offences"))
        .expect("the all-offences row");
    assert!(
        all.contains("5,270") && all.contains("3,234") && all.contains("+63.0%"),
        "{all}"
    );
    assert!(out.contains("District 18 (Near North)"), "{out}");
    assert!(out.contains("note: the previous week"), "{out}");

    let rows = std::fs::read_to_string(&csv).expect("csv");
    assert!(rows.starts_with("area,district,category,week,previous_week,week_change"));
    assert!(
        rows.contains("\nCitywide,,All offences,5270,3234,0.6296,8504,0,,8504,0,\n"),
        "{rows}"
    );
    assert!(rows.contains(",18,Violent,61,39,"), "{rows}");
    // Citywide and 22 districts, seven rows each, and the header.
    assert_eq!(rows.lines().count(), 1 + 7 * 23);

    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.contains("<title>CompStat — week ending 11 September 2024</title>"));
    assert!(
        page.contains("data:image/png;base64,iVBORw0KGgo"),
        "the map is embedded"
    );
    assert!(page.contains("<th>District 1 (Central)</th><td>290</td><td>175</td>"));
    assert!(page.contains("@page"), "printable");

    // One district by category.
    let o = hotspot(
        &lake,
        &[
            "compstat",
            "--week-ending",
            "2024-09-11",
            "--district",
            "11",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains("District 11 (Harrison)"), "{out}");
    let violent = out
        .lines()
        .find(|l| l.starts_with("Violent"))
        .expect("violent row");
    assert!(
        violent.contains("115") && violent.contains("66"),
        "{violent}"
    );
    assert!(!out.contains("Districts, all offences"));
    // A district the lake does not have, and a week before the lake: clear errors.
    let o = hotspot(&lake, &["compstat", "--district", "13"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("no district 13"), "{}", text(&o));
    let o = hotspot(&lake, &["compstat", "--week-ending", "2024-01-07"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("before the lake's first day"),
        "{}",
        text(&o)
    );
}
