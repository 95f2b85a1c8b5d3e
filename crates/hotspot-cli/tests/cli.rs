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

/// A Socrata stand-in small enough for one CLI test: three records answer the first page of a
/// backfill (`$where=updated_on IS NOT NULL`); every other query (the null pass, later
/// incremental runs) answers the header alone. Returns the base URL.
fn tiny_soda_server() -> String {
    use hotspot_core::socrata::{FIELDS, Field};
    use std::io::{BufRead, BufReader, Write};

    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    fn line(values: &[String]) -> String {
        let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
        quoted.join(",") + "\n"
    }
    let mut all = line(&FIELDS.map(|f| f.api_name().to_string()));
    let header_only = all.clone();
    for k in 0..3_i64 {
        let id = 5000 + k;
        let value = |f: Field| -> String {
            match f {
                Field::Id => id.to_string(),
                Field::CaseNumber => format!("JH{id:06}"),
                Field::Date => format!("2024-09-0{}T12:00:00.000", k + 1),
                Field::Block => "001XX N STATE ST".into(),
                Field::Iucr => "0820".into(),
                Field::PrimaryType => "THEFT".into(),
                Field::Description => "$500 AND UNDER".into(),
                Field::LocationDescription => "STREET".into(),
                Field::Arrest | Field::Domestic => "false".into(),
                Field::Beat => "0111".into(),
                Field::District => "001".into(),
                Field::Ward => "42".into(),
                Field::CommunityArea => "32".into(),
                Field::FbiCode => "06".into(),
                Field::XCoordinate => "1176000".into(),
                Field::YCoordinate => "1900000".into(),
                Field::Year => "2024".into(),
                Field::UpdatedOn => format!("2025-12-01T10:00:0{k}.000"),
                Field::Latitude => "41.883000000".into(),
                Field::Longitude => "-87.628000000".into(),
                Field::Location => "(41.883000000, -87.628000000)".into(),
            }
        };
        all.push_str(&line(&FIELDS.map(value)));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(read) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(read);
            let mut request = String::new();
            if reader.read_line(&mut request).unwrap_or(0) == 0 {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let target = request.split_whitespace().nth(1).unwrap_or("/");
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let backfill_page = query
                .split('&')
                .filter_map(|p| p.split_once('='))
                .any(|(k, v)| decode(k) == "$where" && decode(v) == "updated_on IS NOT NULL");
            let body = if backfill_page { &all } else { &header_only };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
    });
    format!("http://{addr}")
}

/// `hotspot fetch --every`: a run that fails (another fetch holds the lake) is reported and
/// retried after its backoff, the loop carries on, and `--cycles` ends it with success. Bad
/// intervals are clap errors; `--cycles` is hidden and needs `--every`.
#[test]
fn fetch_every_retries_a_failed_run_and_keeps_syncing() {
    use std::io::BufRead;

    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let base_url = tiny_soda_server();

    // Another fetch holds the lake for the first run; released once that run is reported.
    let mut held = Some(
        hotspot_fetch::checkpoint::FetchLock::acquire(&hotspot_fetch::checkpoint::fetch_dir(
            &hotspot_core::Lake::new(&lake),
        ))
        .expect("hold the fetch lock"),
    );
    let started = std::time::Instant::now();
    let mut child = common::command(&lake)
        .args(["fetch", "--base-url", &base_url, "--no-build"])
        .args(["--every", "1s", "--cycles", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(out).lines() {
        let line = line.expect("line");
        if line.starts_with("cycle 1 ") {
            held = None;
        }
        lines.push(line);
    }
    let o = child.wait_with_output().expect("wait");
    drop(held);
    let text = lines.join("\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}\n{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let cycles: Vec<&String> = lines.iter().filter(|l| l.starts_with("cycle ")).collect();
    assert_eq!(cycles.len(), 2, "{text}");
    assert!(
        cycles[0].starts_with("cycle 1 FAILED")
            && cycles[0].contains("another hotspot fetch is running")
            && cycles[0].contains("(in 1.0 s)"),
        "{text}"
    );
    assert!(
        cycles[1].starts_with("cycle 2 ok: Backfill")
            && cycles[1].contains("3 rows downloaded")
            && cycles[1].contains("3 accepted"),
        "{text}"
    );
    assert!(
        text.contains("sync ended after 2 run(s): 1 ok, 1 failed, 3 rows downloaded"),
        "{text}"
    );
    let months = hotspot_core::Lake::new(&lake)
        .bronze_months()
        .expect("months");
    assert_eq!(months.len(), 1, "{months:?}");

    // Without --every: one run, as before (nothing new upstream).
    let o = hotspot(&lake, &["fetch", "--base-url", &base_url, "--no-build"]);
    assert!(o.status.success(), "{}", common::text(&o));
    assert!(stdout(&o).contains("Incremental run"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("cycle "), "{}", stdout(&o));

    for (bad, why) in [
        ("0s", "longer than zero"),
        ("25h", "24h"),
        ("soon", "not an interval"),
        ("15", "no unit"),
    ] {
        let o = hotspot(&lake, &["fetch", "--every", bad]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("invalid value") && err.contains("--every") && err.contains(why),
            "{bad}: {err}"
        );
    }
    let o = hotspot(&lake, &["fetch", "--cycles", "2"]);
    assert_eq!(o.status.code(), Some(2), "--cycles needs --every");
    let o = hotspot(&lake, &["fetch", "--help"]);
    assert!(stdout(&o).contains("--every <DURATION>"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("--cycles"), "{}", stdout(&o));
}
