//! The real `hotspot` binary, end to end on a small synthetic city.

mod common;

use common::{hotspot, stdout};

#[test]
fn demo_status_query_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");

    let o = hotspot(
        &lake,
        &[
            "demo",
            "--rows",
            "20000",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--no-console",
        ],
    );
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert!(text.contains("rows read 20,000 = accepted"), "{text}");
    assert!(text.contains("Micro-block (r10)"), "{text}");

    let o = hotspot(&lake, &["status"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("Bronze: 3 months (2024-01 … 2024-03)"),
        "{}",
        stdout(&o)
    );

    let o = hotspot(
        &lake,
        &[
            "query",
            "--res",
            "8",
            "--from",
            "2024-02-01",
            "--to",
            "2024-02-29",
            "--categories",
            "Violent",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["scope"]["res"], 8);
    assert_eq!(json["selection_active"], true);
    let cells = json["cells"]["cell"].as_array().expect("cells");
    assert!(!cells.is_empty());
    assert!(cells.iter().all(|c| {
        c.as_str()
            .is_some_and(|s| s.len() == 15 && s.starts_with("88"))
    }));
    let selected: u64 = json["cells"]["selected"]
        .as_array()
        .expect("selected")
        .iter()
        .map(|v| v.as_u64().unwrap_or(0))
        .sum();
    assert!(selected > 0 && selected <= json["kpis"]["incidents"].as_u64().expect("incidents"));

    let o = hotspot(&lake, &["query", "--res", "9", "--top", "3"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Total incidents"), "{}", stdout(&o));

    // Errors: a clear message and a failing exit code, never a panic.
    let o = hotspot(&dir.path().join("nowhere"), &["query"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("hotspot demo"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = hotspot(&lake, &["query", "--drill", "zz"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an H3 cell"));
    let o = hotspot(&lake, &["ingest", "/no/such/file.csv"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/file.csv"));

    // Hot spots: a summary, a table of clusters and, with --csv, every cell of the study area.
    let csv = dir.path().join("hs.csv");
    let o = hotspot(
        &lake,
        &[
            "hotspots",
            "--res",
            "9",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--csv",
            &csv.to_string_lossy(),
        ],
    );
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("Getis–Ord Gi*, k = 1, FDR-corrected"), "{out}");
    assert!(out.contains("hot cells in"), "{out}");
    let rows = std::fs::read_to_string(&csv).expect("csv");
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines[0], "cell,label,incidents,gi_z,gi_p,gi_bin");
    let study: usize = out
        .split("study area ")
        .nth(1)
        .and_then(|s| s.split(" cells").next())
        .map(|s| s.replace(',', "").parse().expect("count"))
        .expect("study area size");
    assert_eq!(lines.len() - 1, study);
    // Incidents over the study area equal the period's mapped incidents.
    let total: u64 = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .nth_back(3)
                .expect("incidents")
                .parse::<u64>()
                .expect("number")
        })
        .sum();
    let o = hotspot(
        &lake,
        &[
            "query",
            "--res",
            "9",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--json",
        ],
    );
    let q: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let mapped: u64 = q["cells"]["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|v| v.as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, mapped);
    // Emerging hot spots over the three months in weeks: every cell gets one category.
    let csv = dir.path().join("ehsa.csv");
    let o = hotspot(
        &lake,
        &[
            "hotspots",
            "--res",
            "8",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--step",
            "week",
            "--csv",
            &csv.to_string_lossy(),
        ],
    );
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("13 weeks from 2024-01-01 to 2024-03-31"),
        "{out}"
    );
    let categories: u64 = out
        .lines()
        .filter(|l| l.contains(" Spot ") || l.contains("No Pattern Detected"))
        .filter_map(|l| {
            l.split_whitespace()
                .last()?
                .replace(',', "")
                .parse::<u64>()
                .ok()
        })
        .sum();
    let rows = std::fs::read_to_string(&csv).expect("csv");
    assert_eq!(rows.lines().count() as u64 - 1, categories, "{out}");
    let o = hotspot(&lake, &["hotspots", "--step", "week", "--alpha", "2"]);
    assert!(!o.status.success());
    // The same statistics in the query's JSON.
    let o = hotspot(
        &lake,
        &[
            "query",
            "--res",
            "9",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--json",
            "--hotspots",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let q: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let hs = &q["hot_spots"];
    assert_eq!(hs["study_area"].as_u64(), Some(study as u64));
    assert_eq!(hs["cells"].as_array().map(Vec::len), Some(study));
    let bins = hs["gi_bin"].as_array().expect("bins");
    let hot_in_bins = bins.iter().filter(|b| b.as_i64().unwrap_or(0) > 0).count() as u64;
    let hot_counted: u64 = ["1", "2", "3"]
        .iter()
        .map(|k| hs["counts"][k].as_u64().expect("count"))
        .sum();
    assert_eq!(hot_in_bins, hot_counted);
    assert!(hot_counted > 0);
    // Emerging categories in the JSON: one per shown cell, counted per category name.
    let o = hotspot(
        &lake,
        &[
            "query",
            "--res",
            "8",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--json",
            "--emerging",
            "month",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let q: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let em = &q["emerging"];
    assert_eq!(em["step"], "month");
    assert_eq!(em["steps"].as_array().map(Vec::len), Some(3));
    let names = em["ehsa"].as_array().expect("ehsa");
    assert_eq!(Some(names.len()), em["cells"].as_array().map(Vec::len));
    let mut tally: std::collections::BTreeMap<String, u64> = Default::default();
    for n in names {
        *tally
            .entry(n.as_str().expect("name").to_string())
            .or_default() += 1;
    }
    let counts: std::collections::BTreeMap<String, u64> = em["counts"]
        .as_object()
        .expect("counts")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
        .collect();
    assert_eq!(tally, counts);
    // Each code agrees with its name (hot positive, cold negative, no pattern 0).
    for (name, code) in names.iter().zip(em["ehsa_code"].as_array().expect("codes")) {
        let (name, code) = (name.as_str().unwrap_or(""), code.as_i64().unwrap_or(99));
        let want = if name.ends_with("Hot Spot") {
            1..=8
        } else if name.ends_with("Cold Spot") {
            -8..=-1
        } else {
            0..=0
        };
        assert!(want.contains(&code), "{name} {code}");
    }
    // Leaders name only present categories, with their counts.
    for l in em["leaders"].as_array().expect("leaders") {
        let name = l["category"].as_str().expect("category");
        assert_eq!(l["count"].as_u64(), counts.get(name).copied(), "{name}");
    }
    let o = hotspot(&lake, &["query", "--emerging", "week"]);
    assert!(!o.status.success(), "--emerging needs --json");
    let o = hotspot(&lake, &["hotspots", "--k", "9"]);
    assert!(!o.status.success());

    // A mistyped --scripts is an error, not a silent fall back to the built-ins.
    for args in [
        &["render", "--scripts", "/no/such/scripts", "--out", "x.png"][..],
        &["console", "--scripts", "/no/such/scripts"][..],
    ] {
        let o = hotspot(&lake, args);
        let command = args[0];
        assert!(!o.status.success(), "{command}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("--scripts /no/such/scripts: no such directory"),
            "{command}: {err}"
        );
    }

    // A reader that goes away early (`hotspot query | head -1`): a quiet, successful exit.
    for args in [
        &["query", "--res", "10", "--top", "500"][..],
        &["status"][..],
    ] {
        let mut child = common::command(&lake)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take()); // the read end closes before anything is written
        let o = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?}: {:?} {err}", o.status);
        assert!(err.trim().is_empty(), "{args:?}: {err}");
    }
}
