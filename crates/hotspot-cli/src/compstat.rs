//! `hotspot compstat`: the weekly-meeting table — this week, the last 28 days and the year
//! to date against their previous periods, citywide and per police district, per offence
//! category — on the terminal, as CSV, or as one printable HTML page with the map.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use base64::Engine as _;
use chrono::NaiveDate;
use clap::Args;
use hotspot_core::Lake;
use hotspot_core::fmt::thousands;
use hotspot_render::{FrameSpec, HeadlessOptions};
use hotspot_scope::{ALL_OFFENCES, COMPSTAT_PERIODS, CompStat, CompStatRow, Metric, Period, Scope};
use hotspot_script::ScriptHost;

use crate::query::open_engine;
use crate::render::AdapterArg;

#[derive(Args, Debug)]
pub struct CompstatArgs {
    /// The week's last day (default: the lake's last day).
    #[arg(long)]
    pub week_ending: Option<NaiveDate>,
    /// One district by category (default: citywide by category, then every district).
    #[arg(long)]
    pub district: Option<u8>,
    /// Write every row (area × category × period, with changes) as CSV.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write one printable page: the map of the week and the tables.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The scripts directory (taxonomy, palettes); default ./scripts if there is one.
    #[arg(long)]
    pub scripts: Option<PathBuf>,
    /// Which adapter draws the HTML page's map.
    #[arg(long, value_enum, default_value = "hardware")]
    pub adapter: AdapterArg,
}

/// "+12.5%", "−8.0%", "—" (no earlier count).
fn change_text(c: Option<f64>) -> String {
    match c {
        Some(v) if v > 0.0 => format!("+{:.1}%", v * 100.0),
        Some(v) if v < 0.0 => format!("−{:.1}%", -v * 100.0),
        Some(_) => "0.0%".into(),
        None => "—".into(),
    }
}

fn period_text(p: (NaiveDate, NaiveDate)) -> String {
    Period::Range { from: p.0, to: p.1 }.label()
}

/// The table of `rows` with the first column from `name`, as text.
fn text_table(rows: &[&CompStatRow], name: impl Fn(&CompStatRow) -> String) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:>7} {:>7} {:>8}   {:>7} {:>7} {:>8}   {:>8} {:>8} {:>8}",
        "", "week", "prev", "change", "28 days", "prev", "change", "YTD", "last yr", "change"
    );
    for r in rows {
        let c = &r.counts;
        let _ = writeln!(
            out,
            "{:<28} {:>7} {:>7} {:>8}   {:>7} {:>7} {:>8}   {:>8} {:>8} {:>8}",
            name(r),
            thousands(c[0]),
            thousands(c[1]),
            change_text(r.change(0)),
            thousands(c[2]),
            thousands(c[3]),
            change_text(r.change(1)),
            thousands(c[4]),
            thousands(c[5]),
            change_text(r.change(2))
        );
    }
    out
}

fn csv_text(t: &CompStat) -> String {
    let mut out = String::from(
        "area,district,category,week,previous_week,week_change,days_28,previous_28,days_28_change,year_to_date,same_days_last_year,ytd_change\n",
    );
    let q = |s: &str| {
        let mut b = Vec::new();
        hotspot_core::csv::write_field(&mut b, s);
        String::from_utf8_lossy(&b).into_owned()
    };
    let f = |c: Option<f64>| c.map(|v| format!("{v:.4}")).unwrap_or_default();
    for r in &t.rows {
        let c = &r.counts;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            q(&r.area),
            r.district.map(|d| d.to_string()).unwrap_or_default(),
            q(&r.category),
            c[0],
            c[1],
            f(r.change(0)),
            c[2],
            c[3],
            f(r.change(1)),
            c[4],
            c[5],
            f(r.change(2))
        );
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_rows(rows: &[&CompStatRow], name: impl Fn(&CompStatRow) -> String) -> String {
    let mut out = String::new();
    for r in rows {
        let c = &r.counts;
        let cell = |ch: Option<f64>| {
            let class = match ch {
                Some(v) if v > 0.0 => "up",
                Some(v) if v < 0.0 => "down",
                _ => "",
            };
            format!("<td class=\"{class}\">{}</td>", change_text(ch))
        };
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td>{}</tr>",
            esc(&name(r)),
            thousands(c[0]),
            thousands(c[1]),
            cell(r.change(0)),
            thousands(c[2]),
            thousands(c[3]),
            cell(r.change(1)),
            thousands(c[4]),
            thousands(c[5]),
            cell(r.change(2))
        );
    }
    out
}

fn html_table(title: &str, rows: &str) -> String {
    format!(
        "<h2>{}</h2><table><thead><tr><th></th><th>Week</th><th>Prev.</th><th>Change</th><th>28 days</th><th>Prev. 28</th><th>Change</th><th>Year to date</th><th>Same days last year</th><th>Change</th></tr></thead><tbody>{rows}</tbody></table>",
        esc(title)
    )
}

fn html_page(t: &CompStat, map_png: Option<&[u8]>, map_note: &str, district: Option<u8>) -> String {
    let periods: String = COMPSTAT_PERIODS
        .iter()
        .zip(&t.periods)
        .map(|(n, p)| format!("<li><b>{}</b>: {}</li>", esc(n), esc(&period_text(*p))))
        .collect();
    let map = match map_png {
        Some(png) => format!(
            "<img class=\"map\" alt=\"Incidents of the week by cell\" src=\"data:image/png;base64,{}\">",
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        None => format!("<p class=\"note\">{}</p>", esc(map_note)),
    };
    let by_category: Vec<&CompStatRow> = t.area(district).collect();
    let area_name = by_category
        .first()
        .map_or_else(|| "Citywide".to_string(), |r| r.area.clone());
    let mut body = html_table(
        &format!("{area_name} by offence category"),
        &html_rows(&by_category, |r| r.category.clone()),
    );
    if district.is_none() {
        let districts: Vec<&CompStatRow> = t
            .rows
            .iter()
            .filter(|r| r.district.is_some() && r.category == ALL_OFFENCES)
            .collect();
        body.push_str(&html_table(
            "Districts, all offences",
            &html_rows(&districts, |r| r.area.clone()),
        ));
    }
    let incomplete: String = t
        .incomplete
        .iter()
        .map(|s| format!("<li>{}</li>", esc(s)))
        .collect();
    let incomplete = if incomplete.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"note\">Counts are low where the lake does not cover a period:</p><ul class=\"note\">{incomplete}</ul>"
        )
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>CompStat — week ending {we}</title>
<style>
@page {{ size: A4 landscape; margin: 10mm; }}
body {{ font: 10pt/1.3 system-ui, sans-serif; color: #111; margin: 0 auto; max-width: 277mm; }}
h1 {{ font-size: 16pt; margin: 0 0 2mm; }} h2 {{ font-size: 11pt; margin: 4mm 0 1mm; }}
.top {{ display: flex; gap: 6mm; align-items: flex-start; }}
.map {{ width: 120mm; border: 1px solid #ccc; }}
table {{ border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }}
th, td {{ padding: 0.6mm 2mm; border-bottom: 1px solid #ddd; text-align: right; }}
tbody th {{ text-align: left; font-weight: 600; }}
thead th {{ border-bottom: 2px solid #333; }}
td.up {{ color: #b3261e; }} td.down {{ color: #1b7f3b; }}
.note {{ color: #555; font-size: 9pt; }}
ul {{ margin: 1mm 0; padding-left: 5mm; }}
table {{ page-break-inside: auto; }} tr {{ page-break-inside: avoid; }}
</style></head><body>
<h1>CompStat — week ending {we}</h1>
<div class="top">{map}<div><ul>{periods}</ul>{incomplete}</div></div>
{body}
<p class="note">Incidents as recorded, by the police district each record names (records without one counted as “No district”). Changes against the earlier period; “—” where it had none. Made by Hotspot.</p>
</body></html>
"#,
        we = esc(&t.week_ending.format("%-d %B %Y").to_string()),
    )
}

/// The week's incidents at r8 with district outlines, as PNG bytes.
fn week_map(lake: &Lake, t: &CompStat, adapter: AdapterArg, host: &ScriptHost) -> Result<Vec<u8>> {
    let engine = open_engine(lake)?;
    let (from, to) = t.periods[0];
    let scope = Scope::new(8, from, to);
    let result = engine.query(&scope, &host.taxonomy())?;
    let mut view = hotspot_present::HeadlessView::new(HeadlessOptions {
        msaa: 4,
        adapter: adapter.into(),
    })?;
    let map = view.map();
    map.set_coverage(8, engine.coverage(8)?)?;
    map.set_theme(hotspot_render::Theme::Light);
    map.set_context(hotspot_present::context_layers(&engine)?)?;
    let palette = host.palette_for(Metric::Incidents);
    let shown = hotspot_present::present(map, &result, Metric::Incidents, &palette, None)?;
    let overlay = hotspot_present::Overlay {
        title: None,
        subtitle: None,
        legend: Some(shown.legend),
        labels: true,
        attribution: None,
        stamp: Some(period_text(t.periods[0])),
        split: None,
    };
    let frame = FrameSpec::new(900, 1100);
    view.fit(&frame, &overlay, &[]);
    Ok(view.render(&frame, &overlay)?.to_png()?)
}

pub fn compstat(lake: &Lake, args: CompstatArgs) -> Result<()> {
    let engine = open_engine(lake)?;
    let host = ScriptHost::open(&crate::scripts::resolve(args.scripts.as_deref())?);
    let week_ending = args.week_ending.unwrap_or(engine.date_range().1);
    let t = engine
        .compstat(week_ending, &host.taxonomy())
        .context("cannot make the CompStat table")?;
    if let Some(d) = args.district
        && !t.rows.iter().any(|r| r.district == Some(d))
    {
        anyhow::bail!("no district {d} in the lake for the week ending {week_ending}");
    }
    let mut out = format!(
        "CompStat, week ending {} (week {}; 28 days {}; year to date {} against {})\n",
        week_ending.format("%-d %b %Y"),
        period_text(t.periods[0]),
        period_text(t.periods[2]),
        period_text(t.periods[4]),
        period_text(t.periods[5])
    );
    let area: Vec<&CompStatRow> = t.area(args.district).collect();
    let _ = write!(
        out,
        "\n{}\n",
        area.first().map_or("Citywide", |r| r.area.as_str())
    );
    out.push_str(&text_table(&area, |r| r.category.clone()));
    if args.district.is_none() {
        let districts: Vec<&CompStatRow> = t
            .rows
            .iter()
            .filter(|r| r.district.is_some() && r.category == ALL_OFFENCES)
            .collect();
        out.push_str("\nDistricts, all offences\n");
        out.push_str(&text_table(&districts, |r| r.area.clone()));
    }
    for note in &t.incomplete {
        let _ = writeln!(out, "note: {note}");
    }
    out!("{out}")?;
    if let Some(path) = &args.csv {
        hotspot_core::lake::write_atomic(path, csv_text(&t).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.html {
        let (png, note) = match week_map(lake, &t, args.adapter, &host) {
            Ok(png) => (Some(png), String::new()),
            Err(e) => {
                eprintln!("note: the page goes without its map: {e:#}");
                (None, format!("No map: {e:#}"))
            }
        };
        let page = html_page(&t, png.as_deref(), &note, args.district);
        hotspot_core::lake::write_atomic(path, page.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_signed_percentages() {
        assert_eq!(change_text(Some(0.125)), "+12.5%");
        assert_eq!(change_text(Some(-0.08)), "−8.0%");
        assert_eq!(change_text(Some(0.0)), "0.0%");
        assert_eq!(change_text(None), "—");
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
