//! The lake tells the truth about itself: `hotspot status` checks what it reports, says what
//! is wrong and how to repair it, and writers refuse what is not a lake.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, hotspot, text};

/// A small built lake (the demo's generator, two months).
fn demo(dir: &Path) -> PathBuf {
    common::demo(dir, 6000, "2024-01-01", "2024-02-29")
}

#[test]
fn status_checks_the_files_and_says_how_to_repair() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = demo(dir.path());
    let o = hotspot(&good, &["status"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Up to date ("), "{}", text(&o));

    // A corrupt Gold file: status says so, names the file and the fix, and fails.
    let corrupt = dir.path().join("corrupt");
    copy_dir(&good, &corrupt);
    let cell_month = hotspot_core::Lake::new(&corrupt).gold(
        hotspot_core::lake::GoldTable::CellMonth,
        8,
        hotspot_core::YearMonth {
            year: 2024,
            month: 2,
        },
    );
    std::fs::write(&cell_month, b"not parquet at all").expect("corrupt");
    let o = hotspot(&corrupt, &["status"]);
    assert!(!o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("DAMAGED") && t.contains("cell_month"), "{t}");
    assert!(t.contains("hotspot build --all"), "{t}");
    assert!(!t.contains("Up to date"), "{t}");
    // The fix it names works.
    let o = hotspot(&corrupt, &["build", "--all"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = hotspot(&corrupt, &["status"]);
    assert!(o.status.success(), "{}", text(&o));

    // A deleted manifest is damage, not an "empty" lake.
    let no_manifest = dir.path().join("no-manifest");
    copy_dir(&good, &no_manifest);
    std::fs::remove_file(hotspot_core::Lake::new(&no_manifest).manifest_path()).expect("rm");
    let o = hotspot(&no_manifest, &["status"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("manifest") && text(&o).contains("damaged"),
        "{}",
        text(&o)
    );
    let o = hotspot(&no_manifest, &["query", "--res", "8"]);
    assert!(
        !o.status.success(),
        "a damaged lake answers no query: {}",
        text(&o)
    );

    // Leftovers of a killed run are a note, and --repair removes them.
    let leftovers = dir.path().join("leftovers");
    copy_dir(&good, &leftovers);
    std::fs::create_dir_all(leftovers.join("snapshots/000000000099/bronze")).expect("mkdir");
    let o = hotspot(&leftovers, &["status"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("uncommitted generation"), "{}", text(&o));
    let o = hotspot(&leftovers, &["status", "--repair"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("removed generation 99"), "{}", text(&o));
    assert!(!leftovers.join("snapshots/000000000099").exists());
}

#[test]
fn writers_refuse_what_is_not_a_lake() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A typo: build must not create an empty lake and exit 0.
    let typo = dir.path().join("lkae");
    let o = hotspot(&typo, &["build"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("no lake at"), "{}", text(&o));
    assert!(!typo.exists(), "nothing was created");
    let o = hotspot(&typo, &["status"]);
    assert!(!o.status.success(), "{}", text(&o));

    // A path that is a file.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").expect("write");
    let o = hotspot(&file, &["build"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("is a file, not a directory"),
        "{}",
        text(&o)
    );

    // A directory of other things is not turned into a lake (nor cleared by --fresh).
    let other = dir.path().join("documents");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::write(other.join("thesis.tex"), b"precious").expect("write");
    let csv = dir.path().join("one.csv");
    let o = hotspot(
        dir.path(),
        &[
            "generate",
            "--rows",
            "50",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
            "--out",
            csv.to_str().expect("utf8"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = hotspot(&other, &["ingest", csv.to_str().expect("utf8")]);
    assert!(!o.status.success());
    assert!(text(&o).contains("not a Hotspot lake"), "{}", text(&o));
    let o = hotspot(&other, &["demo", "--rows", "50", "--fresh", "--no-console"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read(other.join("thesis.tex")).expect("still there"),
        b"precious"
    );
}
