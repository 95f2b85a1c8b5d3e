//! Every example in `scripts/README.md` runs: snippets against the real sample's r9 result for
//! 1–15 Sep 2024 (their `// =>` values compared), whole-file examples loaded as that script.

use std::path::{Path, PathBuf};

use hotspot_script::ScriptHost;

mod common;
use common::*;

struct Block {
    line: usize,
    info: String,
    code: String,
}

fn blocks() -> Vec<Block> {
    let text = std::fs::read_to_string(scripts_dir().join("README.md")).expect("README");
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None => {
                if let Some(info) = line.strip_prefix("```rhai") {
                    current = Some(Block {
                        line: i + 1,
                        info: info.trim().to_string(),
                        code: String::new(),
                    });
                }
            }
            Some(b) => {
                if line.trim_start().starts_with("```") {
                    out.extend(current.take());
                } else {
                    b.code.push_str(line);
                    b.code.push('\n');
                }
            }
        }
    }
    assert!(current.is_none(), "unclosed block");
    out
}

/// The `// => …` expectation on a block's last line, if any.
fn expectation(code: &str) -> Option<String> {
    let last = code.lines().rev().find(|l| !l.trim().is_empty())?;
    last.trim()
        .strip_prefix("// => ")
        .map(|s| s.trim().to_string())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else if p.extension().is_some_and(|x| x == "rhai") {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn every_readme_example_runs() {
    let e = engine();
    let result = query(e, &sept(9));
    let host = ScriptHost::open(scripts_dir());
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    let all = blocks();
    assert!(all.len() >= 25, "only {} examples found", all.len());
    let mut failures = Vec::new();
    // Every `// =>` in a snippet is compared: count them on both sides.
    let promised = all
        .iter()
        .filter(|b| !b.info.starts_with("file=") && expectation(&b.code).is_some())
        .count();
    let mut compared = 0;
    for b in &all {
        let at = format!("README.md:{} ({})", b.line, b.info);
        if let Some(file) = b.info.strip_prefix("file=") {
            if let Err(msg) = run_file(file, &b.code, e, &result) {
                failures.push(format!("{at}: {msg}"));
            }
            continue;
        }
        let out = host.eval_snippet(&b.code, &result);
        match (b.info.as_str(), out) {
            ("", Ok(v)) => {
                if let Some(want) = expectation(&b.code) {
                    compared += 1;
                    if v != want {
                        failures.push(format!("{at}: got `{v}`, the README says `{want}`"));
                    }
                }
            }
            ("", Err(err)) => failures.push(format!("{at}: {err}")),
            ("fails", Ok(v)) => failures.push(format!("{at}: should fail, gave `{v}`")),
            ("fails", Err(err)) => {
                if let Some(want) = expectation(&b.code) {
                    compared += 1;
                    let want = want.strip_prefix("error: ").unwrap_or(&want);
                    if !err.to_string().contains(want) {
                        failures.push(format!("{at}: error `{err}` lacks `{want}`"));
                    }
                }
            }
            (other, _) => failures.push(format!("{at}: unknown block kind `{other}`")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(
        promised >= 10,
        "only {promised} examples say what they give"
    );
    assert_eq!(compared, promised, "an expectation was not compared");
}

/// Loads a whole-file example as that script in a copy of the default scripts directory and
/// uses what it defines.
fn run_file(
    rel: &str,
    code: &str,
    engine: &hotspot_scope::Engine,
    result: &hotspot_scope::ScopeResult,
) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir: PathBuf = tmp.path().join("scripts");
    copy_dir(&scripts_dir(), &dir);
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
    std::fs::write(&path, code).map_err(|e| e.to_string())?;
    let host = ScriptHost::open(&dir);
    if let Some(err) = host.errors().first() {
        return Err(err.to_string());
    }
    let range = engine.date_range();
    match rel {
        "palettes.rhai" => {
            let p = host.palettes();
            if p.is_empty() || p.iter().any(|p| p.stops.len() < 2) {
                return Err("no usable palettes".into());
            }
        }
        "taxonomy.rhai" => {
            let t = host.taxonomy();
            for s in host.selections() {
                engine
                    .query(
                        &hotspot_scope::Scope {
                            selection: s.selection,
                            ..sept(8)
                        },
                        &t,
                    )
                    .map_err(|e| e.to_string())?;
            }
        }
        "quick_hits.rhai" => {
            let bullets = host.quick_hits(result).map_err(|e| e.to_string())?;
            if bullets.is_empty() {
                return Err("no bullets".into());
            }
        }
        "predicates.rhai" => {
            for p in host.predicates() {
                let m = host.predicate(&p, result).map_err(|e| e.to_string())?;
                if m.len() != result.cells.len() {
                    return Err(format!("{p}: wrong length"));
                }
            }
        }
        "playlist.rhai" => {
            for (view, _) in host.playlist() {
                host.view(&view, range).map_err(|e| e.to_string())?;
            }
        }
        // The rules load, and the engine can evaluate them.
        "alerts.rhai" => {
            let rules = host.alert_rules();
            if rules.len() != 2 {
                return Err(format!("{} rules, the example has 2", rules.len()));
            }
            engine
                .evaluate_alerts(&rules, &host.taxonomy())
                .map_err(|e| e.to_string())?;
        }
        v if v.starts_with("views/") => {
            let name = v.trim_start_matches("views/").trim_end_matches(".rhai");
            let spec = host.view(name, range).map_err(|e| e.to_string())?;
            let r = engine
                .query(&spec.scope, &host.taxonomy())
                .map_err(|e| e.to_string())?;
            if let Some(p) = &spec.predicate {
                host.predicate(p, &r).map_err(|e| e.to_string())?;
            }
        }
        // A library module: the scripts that import it (the quick hits) must still run.
        v if v.starts_with("lib/") => {
            if host
                .quick_hits(result)
                .map_err(|e| e.to_string())?
                .is_empty()
            {
                return Err("no bullets".into());
            }
        }
        other => return Err(format!("no check for a whole-file example of {other}")),
    }
    Ok(())
}

/// Every name scripts can use is documented (a new function without a README entry fails).
#[test]
fn every_script_name_is_documented() {
    let text = std::fs::read_to_string(scripts_dir().join("README.md")).expect("README");
    let names = [
        // Column, Mask, TextColumn methods.
        "sum",
        "count",
        "mean",
        "min",
        "max",
        "quantile",
        "top_share",
        "abs",
        "sqrt",
        "log1p",
        "round",
        "fill_nan",
        "is_nan",
        "filter",
        "to_array",
        "len",
        "any",
        "all",
        "contains",
        "starts_with",
        "is_in",
        // Cells.
        "top",
        "rows",
        "row",
        "column",
        "low_confidence",
        "dominant_type",
        "label",
        "cell",
        "none",
        "previous_selected",
        // Helpers.
        "thousands",
        "signed",
        "percent",
        "plural",
        "pretty_block",
        "street_of_block",
        "district_label",
        "community_area_label",
        "res_name",
        "res_label",
        "join",
    ];
    let columns = hotspot_script::api::NUMERIC_COLUMNS;
    let missing: Vec<&str> = names
        .iter()
        .chain(columns.iter())
        .copied()
        .filter(|n| {
            // The name itself, not a longer one it begins (`row` is not `rows`).
            ![
                format!("`{n}`"),
                format!("`{n}("),
                format!(".{n}("),
                format!(".{n}`"),
            ]
            .iter()
            .any(|p| text.contains(p.as_str()))
        })
        .collect();
    assert!(missing.is_empty(), "not in scripts/README.md: {missing:?}");
}
