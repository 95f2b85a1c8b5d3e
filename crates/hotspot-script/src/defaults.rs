//! The default scripts, built in: they stand in for missing or broken files, and
//! [`write_defaults`] copies them into a new scripts directory.

use std::path::Path;

/// Scripts with a built-in fallback: (path in the scripts directory, text).
pub const SCRIPTS: [(&str, &str); 5] = [
    (
        "palettes.rhai",
        include_str!("../../../scripts/palettes.rhai"),
    ),
    (
        "taxonomy.rhai",
        include_str!("../../../scripts/taxonomy.rhai"),
    ),
    (
        "quick_hits.rhai",
        include_str!("../../../scripts/quick_hits.rhai"),
    ),
    (
        "predicates.rhai",
        include_str!("../../../scripts/predicates.rhai"),
    ),
    ("alerts.rhai", include_str!("../../../scripts/alerts.rhai")),
];

/// The default views.
pub const VIEWS: [(&str, &str); 5] = [
    (
        "views/citywide.rhai",
        include_str!("../../../scripts/views/citywide.rhai"),
    ),
    (
        "views/street_scale_theft.rhai",
        include_str!("../../../scripts/views/street_scale_theft.rhai"),
    ),
    (
        "views/violent_last_year.rhai",
        include_str!("../../../scripts/views/violent_last_year.rhai"),
    ),
    (
        "views/low_clearance.rhai",
        include_str!("../../../scripts/views/low_clearance.rhai"),
    ),
    (
        "views/emerging_weekly.rhai",
        include_str!("../../../scripts/views/emerging_weekly.rhai"),
    ),
];

/// The default ops-room playlist.
pub const PLAYLIST: &str = include_str!("../../../scripts/playlist.rhai");

/// A helper module the reference's `import` example uses.
pub const MODULES: [(&str, &str); 1] = [(
    "lib/format.rhai",
    include_str!("../../../scripts/lib/format.rhai"),
)];

/// Writes the default scripts into `dir` without overwriting existing files; returns the
/// files written.
pub fn write_defaults(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut written = Vec::new();
    let all = SCRIPTS
        .iter()
        .chain(VIEWS.iter())
        .chain(MODULES.iter())
        .chain([("playlist.rhai", PLAYLIST)].iter());
    for (rel, text) in all {
        let path = dir.join(rel);
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        written.push(rel.to_string());
    }
    Ok(written)
}
