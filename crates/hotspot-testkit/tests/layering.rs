//! The layering rules of ARCHITECTURE.md, checked against `cargo metadata`:
//! - the table under "## Dependency graph" lists every workspace crate with the workspace
//!   crates it depends on (normal dependencies), and it must be exactly what the manifests say;
//! - the "## What each crate must never pull in" table lists external crates that must not
//!   appear anywhere in a crate's normal dependency tree (the renderer never reaches egui,
//!   the pipeline never reaches wgpu, …).
//!
//! So the graph drawn in ARCHITECTURE.md is the one the build uses, and CI fails if they drift.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The host's target triple (`rustc -vV`), so the resolve covers only what this machine
/// builds (and needs no download of other platforms' crates).
fn host() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .unwrap_or_else(|e| panic!("cannot run rustc -vV: {e}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .unwrap_or_else(|| panic!("rustc -vV names no host"))
}

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo metadata: {e}"));
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("cargo metadata: {e}"))
}

/// The rows of the markdown table that follows `heading` in ARCHITECTURE.md, as
/// (first cell, names listed in the second cell).
fn table(heading: &str) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(workspace_root().join("ARCHITECTURE.md"))
        .unwrap_or_else(|e| panic!("ARCHITECTURE.md: {e}"));
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no {heading:?} section"));
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in text[start..].lines().skip(1) {
        let line = line.trim();
        if !line.starts_with('|') {
            if in_table {
                break;
            }
            continue;
        }
        in_table = true;
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 2 || cells[0].starts_with("---") || cells[0] == "crate" {
            continue;
        }
        let name = cells[0].trim_matches('`').to_string();
        let deps = cells[1]
            .split(',')
            .map(|d| d.trim().trim_matches('`').to_string())
            .filter(|d| !d.is_empty() && d != "—")
            .collect();
        rows.insert(name, deps);
    }
    assert!(!rows.is_empty(), "the table under {heading:?} is empty");
    rows
}

/// The workspace's crates and their direct normal dependencies on each other, from the
/// manifests (`cargo metadata --no-deps`).
fn workspace_graph() -> BTreeMap<String, BTreeSet<String>> {
    let meta = metadata();
    let packages: Vec<&Value> = meta["packages"].as_array().into_iter().flatten().collect();
    let members: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    packages
        .iter()
        .filter_map(|p| {
            let name = p["name"].as_str()?.to_string();
            let deps = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["kind"].is_null())
                .filter_map(|d| d["name"].as_str().map(str::to_string))
                .filter(|d| members.contains(d))
                .collect();
            Some((name, deps))
        })
        .collect()
}

/// Every package in `member`'s normal dependency tree, with the features building `member`
/// alone enables (`cargo tree -e normal`: dev-dependencies and other crates' features do not
/// leak in).
fn tree(member: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-p", member, "-e", "normal", "--prefix", "none"])
        .args(["--offline", "--locked", "--target", &host()])
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo tree: {e}"));
    assert!(
        out.status.success(),
        "cargo tree -p {member} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn the_dependency_graph_is_the_one_architecture_md_draws() {
    let g = workspace_graph();
    let drawn = table("## Dependency graph");
    let members: BTreeSet<&String> = g.keys().collect();
    let listed: BTreeSet<&String> = drawn.keys().collect();
    assert_eq!(
        members, listed,
        "ARCHITECTURE.md's dependency table must list exactly the workspace's crates"
    );
    let mut wrong = Vec::new();
    for (name, expected) in &drawn {
        let actual = &g[name];
        if actual != expected {
            wrong.push(format!(
                "{name}: Cargo.toml says {actual:?}, ARCHITECTURE.md says {expected:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the layers drifted:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_crate_pulls_in_what_it_must_never_depend_on() {
    let members = workspace_graph();
    let rules = table("## What each crate must never pull in");
    let mut broken = Vec::new();
    for (name, forbidden) in &rules {
        assert!(
            members.contains_key(name),
            "ARCHITECTURE.md names {name}, which is not a workspace crate"
        );
        let tree = tree(name);
        for f in forbidden {
            if tree.contains(f) {
                broken.push(format!("{name} depends (directly or not) on {f}"));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_checks_can_fail() {
    // The rules table really is read: the renderer is listed and forbids egui, and the
    // console's own tree does contain egui (so a forbidden-crate check can see it).
    let rules = table("## What each crate must never pull in");
    assert!(rules["hotspot-render"].contains("egui"));
    assert!(tree("hotspot-console").contains("egui"));
    assert!(tree("hotspot-pipeline").contains("polars"));
    assert!(!tree("hotspot-render").contains("egui"));
    assert!(workspace_graph()["hotspot-present"].contains("hotspot-render"));
}
