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
    /// Emerging hot spots instead: cut the period into steps of a week or a month.
    #[arg(long, value_enum)]
    pub step: Option<StepArg>,
    /// With --step: earlier steps each bin's neighbourhood reaches back.
    #[arg(long, default_value_t = 1, requires = "step", value_parser = clap::value_parser!(u32).range(0..=12))]
    pub time_lag: u32,
    /// With --step: significance level of the bins and the trend.
    #[arg(long, default_value_t = 0.10, requires = "step", value_parser = parse_alpha)]
    pub alpha: f64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum StepArg {
    Week,
    Month,
}

impl From<StepArg> for hotspot_scope::Step {
    fn from(s: StepArg) -> Self {
        match s {
            StepArg::Week => hotspot_scope::Step::Week,
            StepArg::Month => hotspot_scope::Step::Month,
        }
    }
}

fn parse_alpha(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(a) if a > 0.0 && a < 0.5 => Ok(a),
        _ => Err(format!(
            "`{s}`: the significance level must be above 0 and below 0.5 (e.g. 0.10)"
        )),
    }
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
    if let Some(step) = args.step {
        return emerging(&engine, &scope, &args, step, taxonomy);
    }
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

/// `hotspot hotspots --step …`: the categories of an emerging hot-spot analysis.
fn emerging(
    engine: &hotspot_scope::Engine,
    scope: &hotspot_scope::Scope,
    args: &HotspotsArgs,
    step: StepArg,
    taxonomy: &Taxonomy,
) -> Result<()> {
    use hotspot_scope::hotspots::{Category, Family, Pattern};
    let options = hotspot_scope::EmergingOptions {
        step: step.into(),
        time_lag: args.time_lag as usize,
        k: args.k,
        alpha: args.alpha,
        fdr: !args.no_fdr,
    };
    let e = engine.emerging_hot_spots(scope, taxonomy, options)?;
    let (first, last) = (e.steps[0].0, e.steps[e.steps.len() - 1].1);
    outln!(
        "Emerging hot spots (space-time Gi*, k = {}, time lag {}, α = {}, {}): {} {}s from {} to {}, {}: study area {} cells; {:.0} ms",
        options.k,
        options.time_lag,
        options.alpha,
        if options.fdr {
            "FDR-corrected"
        } else {
            "no FDR correction"
        },
        e.steps.len(),
        options.step.name(),
        first,
        last,
        hotspot_core::res::display(e.res),
        thousands(e.cells.len() as u64),
        e.elapsed_ms
    )?;
    for (c, n) in &e.counts {
        outln!("  {:<26} {:>8}", c.name(), thousands(*n))?;
    }
    // The patterns an analyst acts on first, with where they are.
    let notable = [
        Category::Spot(Family::Hot, Pattern::New),
        Category::Spot(Family::Hot, Pattern::Intensifying),
        Category::Spot(Family::Hot, Pattern::Consecutive),
        Category::Spot(Family::Hot, Pattern::Persistent),
    ];
    let leaders = e.leaders(args.top);
    for cat in notable {
        let Some((_, count, cells)) = leaders.iter().find(|(c, _, _)| *c == cat) else {
            continue;
        };
        outln!()?;
        outln!(
            "  {} ({count}), strongest in the last step first:",
            cat.name()
        )?;
        for &cell in cells {
            let Some(i) = e.index(cell) else { continue };
            outln!(
                "    {cell:015x}  z {:>6.2}  trend τ {:+.2} (p {:.3})  {}",
                e.final_z(i),
                e.trend_tau[i],
                e.trend_p[i],
                engine.label(cell).unwrap_or("–")
            )?;
        }
    }
    if let Some(path) = &args.csv {
        let mut out = Vec::new();
        out.extend_from_slice(b"cell,label,category,trend_tau,trend_p\n");
        for i in 0..e.cells.len() {
            out.extend_from_slice(format!("{:015x},", e.cells[i]).as_bytes());
            hotspot_core::csv::write_field(&mut out, engine.label(e.cells[i]).unwrap_or(""));
            out.push(b',');
            hotspot_core::csv::write_field(&mut out, &e.category[i].name());
            out.extend_from_slice(
                format!(",{:.6},{:.6}\n", e.trend_tau[i], e.trend_p[i]).as_bytes(),
            );
        }
        hotspot_core::lake::write_atomic(path, &out)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {} ({} cells)",
            path.display(),
            thousands(e.cells.len() as u64)
        );
    }
    Ok(())
}
