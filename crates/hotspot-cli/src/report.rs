//! What the terminal shows after each command.

use hotspot_core::fmt::thousands;
use hotspot_core::lake::{BuildInfo, IngestRun, Lake, Manifest};
use hotspot_core::res;
use hotspot_pipeline::Quarantined;
use hotspot_pipeline::verify::{Finding, Report, Severity};

/// The reconciliation line and what the run touched.
pub fn ingest(run: &IngestRun, sample: &[Quarantined]) -> std::io::Result<()> {
    let c = &run.counts;
    outln!(
        "rows read {} = accepted {} + quarantined {} + superseded {}{}",
        thousands(c.rows_read),
        thousands(c.accepted),
        thousands(c.quarantined),
        thousands(c.superseded),
        if c.balanced() {
            ""
        } else {
            "  (DOES NOT RECONCILE)"
        }
    )?;
    if run.replaced_in_lake > 0 {
        outln!(
            "updated {} records already in the lake",
            thousands(run.replaced_in_lake)
        )?;
    }
    for s in &run.sources {
        outln!(
            "  {}  {} rows, {} header{}",
            s.name,
            thousands(s.rows_read),
            s.header_style.as_deref().unwrap_or("unknown"),
            if s.extra_columns.is_empty() {
                String::new()
            } else {
                format!(", ignored columns: {}", s.extra_columns.join(", "))
            }
        )?;
    }
    if !run.quarantine_reasons.is_empty() {
        let reasons: Vec<String> = run
            .quarantine_reasons
            .iter()
            .map(|(k, v)| format!("{k} {}", thousands(*v)))
            .collect();
        outln!("quarantined by reason: {}", reasons.join(", "))?;
        for q in sample.iter().take(5) {
            let raw: String = q.raw.chars().take(80).collect();
            outln!(
                "  {}:{}  {}  {}  | {raw}",
                q.source,
                q.line,
                q.reason,
                q.detail
            )?;
        }
        if let Some(f) = &run.quarantine_file {
            outln!("all quarantined rows: {f}")?;
        }
    }
    match run.months_touched.as_slice() {
        [] => outln!("no month changed")?,
        [one] => outln!("month rewritten: {one}")?,
        many => outln!(
            "months rewritten: {} ({} … {})",
            many.len(),
            many[0],
            many[many.len() - 1]
        )?,
    }
    Ok(())
}

/// What a build produced.
pub fn build(info: &BuildInfo) -> std::io::Result<()> {
    if info.months_built.is_empty() && info.months_removed.is_empty() {
        outln!("nothing to build: every month is up to date")?;
    } else {
        outln!(
            "built {} month(s){} in {:.1} s",
            info.months_built.len(),
            match (info.months_built.first(), info.months_built.last()) {
                (Some(a), Some(b)) if a != b => format!(" ({a} … {b})"),
                (Some(a), _) => format!(" ({a})"),
                _ => String::new(),
            },
            info.seconds
        )?;
    }
    outln!(
        "lake: {} records, {} without usable coordinates{}",
        thousands(info.records),
        thousands(info.unmapped),
        if info.unmapped_by_issue.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = info
                .unmapped_by_issue
                .iter()
                .map(|(k, v)| format!("{k} {}", thousands(*v)))
                .collect();
            format!(" ({})", parts.join(", "))
        }
    )?;
    let cells: Vec<String> = info
        .cells_per_resolution
        .iter()
        .map(|(r, n)| format!("r{r} {}", thousands(*n)))
        .collect();
    outln!("cells with data: {}", cells.join(" · "))?;
    Ok(())
}

/// The lake summary (`hotspot status`, and the end of `hotspot demo`), after checking the lake
/// against its manifest ([`hotspot_pipeline::verify`]).
pub fn status(lake: &Lake, m: &Manifest, check: &Report) -> std::io::Result<()> {
    outln!(
        "Lake {}{}",
        lake.root().display(),
        check
            .generation
            .map(|g| format!(" (snapshot {g})"))
            .unwrap_or_default()
    )?;
    if m.bronze_months.is_empty() {
        outln!("  empty: run `hotspot ingest FILE…` or `hotspot demo`")?;
        return Ok(());
    }
    let (first, last) = (
        m.bronze_months[0],
        m.bronze_months[m.bronze_months.len() - 1],
    );
    outln!(
        "  Bronze: {} months ({first} … {last})",
        m.bronze_months.len()
    )?;
    let t = &m.totals;
    outln!(
        "  Ingested: {} runs, {} files; rows read {} = accepted {} + quarantined {} + superseded {}",
        m.ingest_runs.len(),
        m.sources.len(),
        thousands(t.rows_read),
        thousands(t.accepted),
        thousands(t.quarantined),
        thousands(t.superseded)
    )?;
    if let Some(b) = &m.build {
        outln!("  Built: {}", b.built_at)?;
        let arrests: u64 = m.months.values().map(|s| s.arrests_geolocated).sum();
        let mapped: u64 = m.months.values().map(|s| s.geolocated).sum();
        outln!(
            "  Records: {} ({} mapped, {} unmapped); arrest rate {}",
            thousands(b.records),
            thousands(mapped),
            thousands(b.unmapped),
            hotspot_core::fmt::percent(hotspot_core::stats::rate(arrests as f64, mapped as f64), 1)
        )?;
        for (r, n) in &b.cells_per_resolution {
            outln!(
                "  {:<26} {:>8} cells   {}",
                res::display(*r),
                thousands(*n),
                res::size_text(*r)
            )?;
        }
    } else {
        outln!("  Not built yet: run `hotspot build`")?;
    }
    not_accepted(m)?;
    let damage: Vec<&Finding> = check
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Damage)
        .collect();
    for f in &check.findings {
        let tag = match f.severity {
            Severity::Damage => "DAMAGED",
            Severity::Note => "note",
        };
        outln!("  {tag}: {}: {}", f.path.display(), f.problem)?;
        outln!("    → {}", f.fix)?;
    }
    if !damage.is_empty() {
        outln!(
            "  The lake is damaged ({} problem(s) in {} files checked): answers may be wrong.",
            damage.len(),
            thousands(check.files_checked as u64)
        )?;
    } else if m.dirty_months.is_empty() && m.build.is_some() {
        outln!(
            "  Up to date ({} files checked).",
            thousands(check.files_checked as u64)
        )?;
    } else if !m.dirty_months.is_empty() {
        outln!(
            "  {} month(s) changed since the last build: run `hotspot build`",
            m.dirty_months.len()
        )?;
    }
    Ok(())
}

/// Every row that did not become a record, by reason, and fields stored as null, over all
/// ingest runs.
fn not_accepted(m: &Manifest) -> std::io::Result<()> {
    let mut reasons: std::collections::BTreeMap<&str, u64> = Default::default();
    let mut fields: std::collections::BTreeMap<&str, u64> = Default::default();
    for run in &m.ingest_runs {
        for (k, v) in &run.quarantine_reasons {
            *reasons.entry(k).or_default() += v;
        }
        for (k, v) in &run.field_issues {
            *fields.entry(k).or_default() += v;
        }
    }
    let list = |map: &std::collections::BTreeMap<&str, u64>| {
        map.iter()
            .map(|(k, v)| format!("{k} {}", thousands(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !reasons.is_empty() {
        outln!("  Quarantined by reason: {}", list(&reasons))?;
    }
    if m.totals.superseded > 0 {
        outln!(
            "  Superseded: {} older copies of records (duplicate ids)",
            thousands(m.totals.superseded)
        )?;
    }
    if !fields.is_empty() {
        outln!(
            "  Kept with a field stored as null (its value was unusable): {}",
            list(&fields)
        )?;
    }
    Ok(())
}
