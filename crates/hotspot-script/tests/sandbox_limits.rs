//! The limits that Rhai alone cannot enforce: operations and time inside closures passed to
//! native functions, and memory held by a call — host values (columns, masks, rows) included —
//! at every entry point a script is run through.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hotspot_script::{ErrorKind, Limits, Metered, ScriptError, ScriptHost};

// The binary's allocator is metered, as the `hotspot` binary's is; without it the memory
// limit cannot be measured (the first test checks it is in place).
#[global_allocator]
static GLOBAL: Metered<std::alloc::System> = Metered(std::alloc::System);

fn scripts(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scripts");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    (tmp, dir)
}

fn error_of(host: &ScriptHost, file: &str) -> ScriptError {
    host.errors()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("no error for {file}: {:#?}", host.errors()))
}

/// Only memory can stop these scripts: no operation limit, a time limit far away.
fn memory_only(max_memory: u64) -> Limits {
    Limits {
        max_operations: 0,
        time_limit: Duration::from_secs(120),
        max_memory,
        ..Limits::default()
    }
}

const MIB: u64 = 1 << 20;

/// A loop nested three deep through native `map` calls: 300³ = 27 million closure calls.
const NESTED_MAP: &str = "let a = [];\nfor i in 0..300 { a.push(i); }\n\
    let b = a;\nlet c = a;\nlet n = a.map(|x| b.map(|y| c.map(|z| z + 1).len()).len());\n[]";

#[test]
fn the_metered_allocator_is_in_place() {
    assert!(hotspot_script::alloc::installed());
    let before = hotspot_script::alloc::live();
    let v = vec![0u64; 1 << 16];
    assert!(hotspot_script::alloc::live() - before >= 8 << 16);
    drop(v);
    assert!(hotspot_script::alloc::live() - before < 4096);
}

#[test]
fn operations_and_the_clock_count_inside_closures() {
    let (_t, dir) = scripts(&[("palettes.rhai", NESTED_MAP)]);
    let cases = [
        (
            Limits {
                max_operations: 1_000_000,
                time_limit: Duration::from_secs(120),
                ..Limits::default()
            },
            ErrorKind::OperationLimit,
            "after 1,000,000 operations",
        ),
        (
            Limits {
                max_operations: 0, // only the clock can stop it
                time_limit: Duration::from_millis(100),
                ..Limits::default()
            },
            ErrorKind::TimeLimit,
            "after 100 ms",
        ),
    ];
    for (limits, kind, says) in cases {
        let started = Instant::now();
        let host = ScriptHost::with_limits(&dir, limits);
        // A million operations or 100 ms take well under a second even unoptimised; all 27
        // million closure calls (what ran before the meter) take minutes.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{kind:?}: stopped late: {:?}",
            started.elapsed()
        );
        let e = error_of(&host, "scripts/palettes.rhai");
        assert_eq!(e.kind, kind, "{e}");
        assert!(e.message.contains(says), "{e}");
    }
}

#[test]
fn hoarding_host_columns_is_stopped_with_the_script_and_limit_named() {
    let predicates = "fn hoard(cells, city) {\n    let keep = [];\n    \
                      loop { keep.push(cells.incidents); }\n}\n\
                      fn busy(cells, city) { cells.selected >= 1 }\n";
    let (_t, dir) = scripts(&[("predicates.rhai", predicates)]);
    let host = ScriptHost::with_limits(&dir, memory_only(16 * MIB));
    let result = common::query(common::engine(), &common::sept(10));
    let cells = result.cells.len();
    assert!(cells > 1000, "{cells} cells");
    // Each `cells.incidents` is a fresh column of 8 bytes a cell, invisible to Rhai's sizes:
    // 16 MiB hold about 16 MiB / (8 × cells) of them.
    let before = hotspot_script::alloc::live();
    let e = host.predicate("hoard", &result).expect_err("stopped");
    assert_eq!(e.kind, ErrorKind::MemoryLimit, "{e}");
    assert_eq!(e.file, "scripts/predicates.rhai");
    assert!(
        e.message
            .contains("more than 16 MiB (the memory limit per call)"),
        "{e}"
    );
    // Everything the call held was given back, and the next call runs normally.
    assert!(
        hotspot_script::alloc::live() - before < i64::try_from(MIB).expect("fits"),
        "{} bytes still held",
        hotspot_script::alloc::live() - before
    );
    let mask = host.predicate("busy", &result).expect("busy");
    let expected = result.cells.selected.values().iter().filter(|&&s| s >= 1);
    assert_eq!(mask.iter().filter(|&&m| m).count(), expected.count());
}

#[test]
fn padding_inside_closures_is_stopped() {
    let quick_hits = "fn quick_hits(r) {\n    let a = [];\n    for i in 0..600 { a.push(i); }\n    \
        let b = a.map(|x| {\n        let pad = [];\n        \
        for j in 0..600 { pad.push(j); }\n        \
        pad\n    });\n    [`${b.len()}`]\n}\n";
    let (_t, dir) = scripts(&[("quick_hits.rhai", quick_hits)]);
    let result = common::query(common::engine(), &common::sept(8));
    // 360,000 values of 16 bytes: well over 4 MiB, under the array limit (1,000,000 items).
    let host = ScriptHost::with_limits(&dir, memory_only(4 * MIB));
    // Quick hits fall back to the built-in narrative; the error is kept for the console.
    let bullets = host.quick_hits(&result).expect("the built-in quick hits");
    assert!(!bullets.is_empty() && bullets[0] != "600", "{bullets:?}");
    let e = error_of(&host, "scripts/quick_hits.rhai");
    assert_eq!(e.kind, ErrorKind::MemoryLimit, "{e}");
    assert!(e.message.contains("scripts/quick_hits.rhai"), "{e}");
    assert!(e.message.contains("4 MiB"), "{e}");
    // With room enough, the same script completes.
    let host = ScriptHost::with_limits(&dir, memory_only(512 * MIB));
    assert_eq!(host.quick_hits(&result).expect("fits"), vec!["600"]);
}

#[test]
fn rows_of_every_cell_are_bounded_inside_the_native_call() {
    let quick_hits = "fn quick_hits(r) {\n    let keep = [];\n    \
        loop { keep.push(r.cells.rows(r.cells.incidents >= 0, \"incidents\", 1000000)); }\n}\n";
    let (_t, dir) = scripts(&[("quick_hits.rhai", quick_hits)]);
    let result = common::query(common::engine(), &common::sept(10));
    let host = ScriptHost::with_limits(&dir, memory_only(8 * MIB));
    let before = hotspot_script::alloc::live();
    host.quick_hits(&result).expect("the built-in quick hits");
    let e = error_of(&host, "scripts/quick_hits.rhai");
    assert_eq!(e.kind, ErrorKind::MemoryLimit, "{e}");
    assert!(e.message.contains("8 MiB"), "{e}");
    assert!(hotspot_script::alloc::live() - before < i64::try_from(MIB).expect("fits"));
}

#[test]
fn every_entry_point_is_held_to_the_memory_limit() {
    // Rhai's own values, not host columns: integers in an array of arrays (under the array
    // limit of 1,000,000 items when 8 MiB are full).
    let hoard = "let keep = [];\nloop {\n    let s = [];\n    \
                 for i in 0..500 { s.push(i); }\n    keep.push(s);\n}\n";
    let view = format!("{hoard}#{{ title: \"never\" }}");
    let (tmp, dir) = scripts(&[
        ("taxonomy.rhai", &format!("{hoard}#{{}}")),
        ("palettes.rhai", &format!("{hoard}[]")),
        ("views/hoard.rhai", &view),
    ]);
    let host = ScriptHost::with_limits(&dir, memory_only(8 * MIB));
    for file in [
        "scripts/taxonomy.rhai",
        "scripts/palettes.rhai",
        "scripts/views/hoard.rhai",
    ] {
        let e = error_of(&host, file);
        assert_eq!(e.kind, ErrorKind::MemoryLimit, "{file}: {e}");
        assert!(e.message.contains(&format!("stopped {file}")), "{e}");
    }
    // The built-ins stay in effect.
    assert!(host.palette("volume").is_some());

    let range = (common::d(2024, 9, 1), common::d(2024, 9, 15));
    let outside = tmp.path().join("loose.rhai");
    std::fs::write(&outside, &view).expect("write");
    let e = host.view_file(&outside, range).expect_err("stopped");
    assert_eq!(e.kind, ErrorKind::MemoryLimit, "{e}");

    let result = common::query(common::engine(), &common::sept(8));
    let e = host.eval_snippet(hoard, &result).expect_err("stopped");
    assert_eq!(e.kind, ErrorKind::MemoryLimit, "{e}");
    assert!(e.message.contains("stopped snippet"), "{e}");

    // An import runs inside the call that imports it, under the same budget.
    std::fs::write(dir.join("lib_hoard.rhai"), format!("{hoard}fn x() {{ 1 }}")).expect("write");
    let e = host
        .eval_snippet("import \"lib_hoard\" as h;\nh::x()", &result)
        .expect_err("stopped");
    assert_eq!(e.kind, ErrorKind::MemoryLimit, "{e}");
}
