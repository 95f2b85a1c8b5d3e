//! The real `hotspot` binary, end to end on a small synthetic city.

use std::path::Path;
use std::process::{Command, Output};

fn hotspot(lake: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--lake")
        .arg(lake)
        .arg("--quiet")
        .args(args)
        .output()
        .expect("run hotspot")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

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
}
