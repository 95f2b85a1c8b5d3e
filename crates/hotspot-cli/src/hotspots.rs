//! `hotspot hotspots`: the statistically significant clusters of a scope (Getis–Ord Gi* with
//! false-discovery-rate control, asked of the scope engine), as a table or per cell as CSV.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use hotspot_core::Lake;
use hotspot_core::fmt::thousands;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{HotSpotOptions, MAX_K};

use crate::query::{ScopeArgs, open_engine};

#[derive(Args, Debug)]
pub struct HotspotsArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Neighbourhood: the cells within K steps of each cell (1–5).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_K)))]
    pub k: u32,
    /// Plain 90/95/99 % cut-offs instead of the false-discovery-rate correction.
    #[arg(long)]
    pub no_fdr: bool,
    /// Clusters to list.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Also write every cell of the study area (cell, label, incidents, z, p, bin) as CSV.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

fn confidence(bin: i8) -> &'static str {
    match bin.unsigned_abs() {
        3 => "99%",
        2 => "95%",
        1 => "90%",
        _ => "–",
    }
}

/// Runs `hotspot hotspots`.
pub fn run(lake: &Lake, args: HotspotsArgs, taxonomy: &Taxonomy) -> Result<()> {
    let engine = open_engine(lake)?;
    let scope = args.scope.scope(&engine)?;
    let options = HotSpotOptions {
        k: args.k,
        fdr: !args.no_fdr,
    };
    let h = engine.hot_spots(&scope, taxonomy, options)?;
    let clusters = h.clusters();
    let hot: usize = clusters.iter().filter(|c| c.sign > 0).count();
    let hot_cells: u64 = (1..=3).map(|b| h.count(b)).sum();
    let cold_cells: u64 = (1..=3).map(|b| h.count(-b)).sum();
    outln!(
        "Hot spots (Getis–Ord Gi*, k = {}, {}) of {}, {}: study area {} cells",
        options.k,
        if options.fdr {
            "FDR-corrected"
        } else {
            "no FDR correction"
        },
        scope.period.label(),
        hotspot_core::res::display(h.res),
        thousands(h.cells.len() as u64)
    )?;
    if !h.varies {
        outln!(
            "  No variation: every cell of the study area has the same count, so none stands out."
        )?;
    }
    outln!(
        "  {} hot cells in {} clusters, {} cold cells in {} clusters ({} of {} shown cells significant); {:.1} ms",
        thousands(hot_cells),
        hot,
        thousands(cold_cells),
        clusters.len() - hot,
        thousands(hot_cells + cold_cells),
        thousands(h.shown.len() as u64),
        h.elapsed_ms
    )?;
    if !clusters.is_empty() {
        outln!()?;
        outln!(
            "  {:<4} {:<5} {:>10} {:>6} {:>10} {:>7}  around",
            "#",
            "kind",
            "confidence",
            "cells",
            "incidents",
            "peak z"
        )?;
    }
    for (i, c) in clusters.iter().take(args.top).enumerate() {
        outln!(
            "  {:<4} {:<5} {:>10} {:>6} {:>10} {:>7.2}  {}",
            i + 1,
            if c.sign > 0 { "hot" } else { "cold" },
            confidence(c.bin),
            c.cells.len(),
            thousands(c.incidents),
            c.peak_z,
            engine.label(c.peak).unwrap_or("–")
        )?;
    }
    if clusters.len() > args.top {
        outln!("  … {} more (--top N)", clusters.len() - args.top)?;
    }
    if let Some(path) = &args.csv {
        let mut out = Vec::new();
        out.extend_from_slice(b"cell,label,incidents,gi_z,gi_p,gi_bin\n");
        for i in h.shown.clone() {
            out.extend_from_slice(format!("{:015x},", h.cells[i]).as_bytes());
            hotspot_core::csv::write_field(&mut out, engine.label(h.cells[i]).unwrap_or(""));
            out.extend_from_slice(
                format!(",{},{:.6},{:.6},{}\n", h.x[i], h.z[i], h.p[i], h.bin[i]).as_bytes(),
            );
        }
        hotspot_core::lake::write_atomic(path, &out)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {} ({} cells)",
            path.display(),
            thousands(h.shown.len() as u64)
        );
    }
    Ok(())
}
