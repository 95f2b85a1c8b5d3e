//! `hotspot query`: a scope's KPIs, warnings and top cells, as a table or JSON.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Args;
use hotspot_core::Lake;
use hotspot_core::fmt::{percent, thousands};
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::YearMonth;
use hotspot_scope::{Engine, Period, Scope, Selection, SortColumn, TableSpec, WeekDelta};

/// Which cells, when, and what.
#[derive(Args, Debug, Clone)]
pub struct ScopeArgs {
    /// Resolution of the cells (6 citywide … 10 micro-block).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(6..=10))]
    pub res: u8,
    /// First day (YYYY-MM-DD); default: 28 days before the last day of data.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive; default: the last day of data.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// A set of months instead of a range (YYYY-MM,YYYY-MM,…).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["from", "to"])]
    pub months: Vec<String>,
    /// Selected primary types (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
    /// Selected categories (comma-separated, from the taxonomy).
    #[arg(long, value_delimiter = ',')]
    pub categories: Vec<String>,
    /// Drill path: H3 cells (15 hex digits), each one level finer than the last.
    #[arg(long, value_delimiter = ',')]
    pub drill: Vec<String>,
    /// Weekday focus of the hourly profile (0 = Monday … 6 = Sunday).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=6))]
    pub dow: Option<u8>,
}

impl ScopeArgs {
    /// The scope these arguments describe, with defaults from the lake.
    pub fn scope(&self, engine: &Engine) -> Result<Scope> {
        let (_, last) = engine.date_range();
        let period = if self.months.is_empty() {
            let to = self.to.unwrap_or(last);
            let from = self.from.unwrap_or(to - chrono::Days::new(27));
            Period::Range { from, to }
        } else {
            let months = self
                .months
                .iter()
                .map(|m| {
                    YearMonth::parse(m).with_context(|| format!("--months: {m:?} is not YYYY-MM"))
                })
                .collect::<Result<Vec<_>>>()?;
            Period::Months(months)
        };
        let drill = self
            .drill
            .iter()
            .map(|c| {
                u64::from_str_radix(c.trim(), 16)
                    .with_context(|| format!("--drill: {c:?} is not an H3 cell"))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Scope {
            res: self.res,
            period,
            selection: Selection {
                types: self.types.clone(),
                categories: self.categories.clone(),
            },
            drill,
            focus_dow: self.dow,
            table: TableSpec::default(),
            hot_spots: None,
            emerging: None,
            compare: None,
        })
    }
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Rows in the hotspot table.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Sort column of the table.
    #[arg(long, value_enum, default_value = "selected")]
    pub sort: SortArg,
    /// Sort ascending.
    #[arg(long)]
    pub asc: bool,
    /// Print the whole scope result as JSON (cells as 15-hex-digit H3 strings).
    #[arg(long)]
    pub json: bool,
    /// With --json: add `hot_spots`, the Gi* of every shown cell of the study area (z, p,
    /// FDR-corrected bin), the counts per bin and the clusters (see `hotspot hotspots`).
    #[arg(long, requires = "json")]
    pub hotspots: bool,
    /// With --json: add `emerging`, the emerging hot-spot analysis of the period cut into
    /// weeks or months (category, trend τ and p of every shown cell, the counts per category
    /// and the leading cells of each; time lag 1, k = 1, α = 0.10, FDR on — `hotspot hotspots
    /// --step` sets them).
    #[arg(long, value_enum, requires = "json")]
    pub emerging: Option<crate::hotspots::StepArg>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SortArg {
    Label,
    Street,
    Incidents,
    Selected,
    Dominant,
    District,
    Ward,
    CommunityArea,
    FocusShare,
    Arrests,
    ArrestRate,
    Change,
}

impl From<SortArg> for SortColumn {
    fn from(s: SortArg) -> Self {
        match s {
            SortArg::Label => SortColumn::Label,
            SortArg::Street => SortColumn::Street,
            SortArg::Incidents => SortColumn::Incidents,
            SortArg::Selected => SortColumn::Selected,
            SortArg::Dominant => SortColumn::DominantType,
            SortArg::District => SortColumn::District,
            SortArg::Ward => SortColumn::Ward,
            SortArg::CommunityArea => SortColumn::CommunityArea,
            SortArg::FocusShare => SortColumn::FocusShare,
            SortArg::Arrests => SortColumn::Arrests,
            SortArg::ArrestRate => SortColumn::ArrestRate,
            SortArg::Change => SortColumn::Change,
        }
    }
}

/// Opens the scope engine over a built lake.
pub fn open_engine(lake: &Lake) -> Result<Engine> {
    if !lake.manifest_path().exists() {
        bail!(
            "no lake at {}: run `hotspot demo` or `hotspot ingest FILE --build`",
            lake.root().display()
        );
    }
    Engine::open(lake).with_context(|| format!("cannot load the lake at {}", lake.root().display()))
}

fn delta(d: &Option<WeekDelta>) -> String {
    d.as_ref().map_or_else(String::new, |d| {
        format!("{:+.1}/day vs first week", d.change)
    })
}

pub fn run(lake: &Lake, args: QueryArgs, taxonomy: &Taxonomy) -> Result<()> {
    let engine = open_engine(lake)?;
    let mut scope = args.scope.scope(&engine)?;
    scope.table = TableSpec {
        rows: args.top,
        sort: args.sort.into(),
        descending: !args.asc,
    };
    if args.hotspots {
        scope.hot_spots = Some(hotspot_scope::HotSpotOptions::default());
    }
    if let Some(step) = args.emerging {
        scope.emerging = Some(hotspot_scope::EmergingOptions {
            step: step.into(),
            ..Default::default()
        });
    }
    let r = engine.query(&scope, taxonomy)?;
    if args.json {
        let mut value: serde_json::Value = serde_json::from_str(&r.to_json()?)?;
        if let Some(map) = value.as_object_mut() {
            if let Some(h) = r.hot_spots.as_deref() {
                map.insert("hot_spots".into(), h.stats.to_json_value(&h.clusters));
            }
            if let Some(e) = r.emerging.as_deref() {
                let mut json = e.stats.to_json_value();
                let leaders: Vec<serde_json::Value> = e
                    .leaders
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "category": l.category.name(),
                            "code": l.category.code(),
                            "count": l.count,
                            "cells": l.cells.iter().map(|(c, label)| serde_json::json!({
                                "cell": format!("{c:015x}"),
                                "label": label,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                if let Some(m) = json.as_object_mut() {
                    m.insert("leaders".into(), leaders.into());
                }
                map.insert("emerging".into(), json);
            }
        }
        outln!("{value}")?;
        return Ok(());
    }
    let crumbs: Vec<&str> = r
        .drill
        .breadcrumbs
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    outln!(
        "{} · {} · {}{}",
        hotspot_core::res::display(scope.res),
        crumbs.join(" › "),
        r.period_label,
        if r.selection_active {
            format!(" · {} selected type(s)", r.selected_types.len())
        } else {
            String::new()
        }
    )?;
    let k = &r.kpis;
    outln!(
        "  {:<22} {:>10}  {}",
        k.incidents_label,
        thousands(k.incidents),
        delta(&k.incidents_delta)
    )?;
    if let Some(b) = &k.busiest {
        outln!(
            "  {:<22} {:>10}  {} ({:015x}) {}",
            "Busiest cell",
            thousands(u64::from(b.value)),
            b.label,
            b.cell,
            delta(&b.delta)
        )?;
    }
    if let Some(s) = k.avg_focus_share {
        outln!("  {:<22} {:>10}", "Avg focus share", percent(s, 0))?;
    }
    outln!(
        "  {:<22} {:>10}  {}",
        "Arrests",
        thousands(k.arrests),
        delta(&k.arrests_delta)
    )?;
    outln!("  {:<22} {:>10}", "Arrest rate", percent(k.arrest_rate, 1))?;
    if let Some(c) = r.comparison.change_share {
        outln!(
            "  {:<22} {:>10}  vs {} ({})",
            "Change",
            percent(c, 0),
            r.comparison.period_label,
            thousands(r.comparison.incidents)
        )?;
    }
    if !k.window.note.is_empty() {
        outln!("  ({})", k.window.note)?;
    }
    for w in &r.warnings {
        outln!("  ! {}", w.message)?;
    }
    outln!()?;
    outln!(
        "{:<15} {:<30} {:>9} {:>9} {:<24} {:>4} {:>6} {:>6} {:>17}",
        "cell",
        "label",
        "incidents",
        "selected",
        "dominant",
        "dist",
        "share",
        "arrest",
        "95% interval"
    )?;
    for row in &r.table {
        let label: String = row.label.chars().take(30).collect();
        let dom: String = row
            .dominant_type
            .clone()
            .unwrap_or_default()
            .chars()
            .take(24)
            .collect();
        outln!(
            "{:015x} {:<30} {:>9} {:>9} {:<24} {:>4} {:>6} {:>6} {:>17}",
            row.cell,
            label,
            thousands(u64::from(row.incidents)),
            thousands(u64::from(row.selected)),
            dom,
            row.district
                .map(|d| d.to_string())
                .unwrap_or_else(|| "–".into()),
            percent(row.focus_share, 0),
            percent(row.arrest_rate, 0),
            format!(
                "{}–{}",
                percent(row.wilson_lo, 0),
                percent(row.wilson_hi, 0)
            )
        )?;
    }
    outln!(
        "\n{} cells with data · answered in {:.1} ms",
        thousands(r.cells.len() as u64),
        r.elapsed_us as f64 / 1000.0
    )?;
    Ok(())
}
