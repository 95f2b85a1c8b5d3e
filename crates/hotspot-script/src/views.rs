//! Views: a named, scripted scope (resolution, period, selection, metric, palette, camera,
//! drill path), and the ops-room playlist that cycles through them.

use std::path::PathBuf;

use chrono::NaiveDate;
use hotspot_core::time::{YearMonth, day_number, naive_date};
use hotspot_scope::{Metric, Period, Scope, Selection, TableSpec};
use rhai::Dynamic;

use crate::data::TaxonomyDef;
use crate::value::{
    array, field, map, only_keys, opt_bool, opt_int, opt_string, req_string, string, strings,
    type_name,
};

/// Where the map camera starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Camera {
    /// The whole city.
    Citywide,
    /// Centred on one H3 cell.
    Cell(u64),
    /// Framing one police district.
    District(u8),
}

/// A view in the menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewInfo {
    /// The file stem: `citywide` for `views/citywide.rhai`.
    pub name: String,
    pub title: String,
    pub path: PathBuf,
}

/// A view resolved against the lake's date range, ready to query and draw.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewSpec {
    pub name: String,
    pub title: String,
    pub path: PathBuf,
    /// The scope to query (its `drill` is the view's drill path).
    pub scope: Scope,
    pub metric: Metric,
    /// A palette name from `palettes.rhai`.
    pub palette: String,
    pub camera: Camera,
    /// The drill path, coarse to fine (the same as `scope.drill`).
    pub drill: Vec<u64>,
    /// A predicate from `predicates.rhai` that highlights cells, if any.
    pub predicate: Option<String>,
    /// Set when the period had to be adapted to the data (no complete month, …).
    pub note: Option<String>,
    /// The context layers the view shows, when it says (`context: #{ streets, areas }`).
    pub context: Option<ViewContext>,
}

/// The context layers a view shows under its cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewContext {
    pub streets: bool,
    pub districts: bool,
    pub community_areas: bool,
    pub wards: bool,
    pub beats: bool,
    /// GeoJSON files drawn over the cells; relative paths are resolved against the scripts
    /// directory when the view is opened.
    pub layers: Vec<PathBuf>,
    /// A raster basemap under the cells (checked where it is used: the template's form is
    /// the tile client's business).
    pub tiles: Option<ViewTiles>,
}

/// A view's raster basemap: an XYZ URL template, its attribution and maximum zoom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewTiles {
    pub url: String,
    pub attribution: String,
    pub max_zoom: Option<u8>,
}

fn tiles_value(d: &Dynamic) -> Result<ViewTiles, String> {
    let what = "`context`: `tiles`";
    if d.is_string() {
        return Ok(ViewTiles {
            url: string(d, what)?,
            attribution: String::new(),
            max_zoom: None,
        });
    }
    let m = map(d, what)?;
    only_keys(&m, &["url", "attribution", "max_zoom"], what)?;
    let max_zoom = match opt_int(&m, "max_zoom", what)? {
        None => None,
        Some(z) => Some(
            u8::try_from(z)
                .ok()
                .filter(|z| *z <= 22)
                .ok_or_else(|| format!("{what}: `max_zoom` {z} is outside 0–22"))?,
        ),
    };
    Ok(ViewTiles {
        url: req_string(&m, "url", what)?,
        attribution: opt_string(&m, "attribution", what)?.unwrap_or_default(),
        max_zoom,
    })
}

/// A period as a view script states it, before the lake's date range is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PeriodSpec {
    Range(NaiveDate, NaiveDate),
    Months(Vec<YearMonth>),
    /// The last N days of data, ending on the last day with data.
    LastDays(u32),
    /// N calendar months ending with the last full month.
    LastMonths(u32),
    LastFullMonth,
    /// The last full month, one year earlier.
    SameMonthLastYear,
    /// The month of the last day with data (possibly partial).
    LatestMonth,
    All,
}

/// A selection as a view script states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SelectionSpec {
    None,
    /// Names of named selections, categories or offence types.
    Names(Vec<String>),
    Explicit(Selection),
}

/// A parsed view script.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ViewDef {
    pub title: String,
    pub res: u8,
    pub period: PeriodSpec,
    pub selection: SelectionSpec,
    pub metric: Option<Metric>,
    pub palette: Option<String>,
    pub camera: Camera,
    pub drill: Vec<u64>,
    pub predicate: Option<String>,
    pub emerging: Option<hotspot_scope::EmergingOptions>,
    pub context: Option<ViewContext>,
}

const VIEW_KEYS: [&str; 12] = [
    "title",
    "resolution",
    "period",
    "selection",
    "metric",
    "palette",
    "camera",
    "drill",
    "predicate",
    "res",
    "emerging",
    "context",
];

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// How far back a relative period may reach ("last N days/weeks/months"). The Chicago record
/// starts in 2001; a century leaves room for any other city's archive while keeping a month
/// list and a day cube small.
const MAX_YEARS_BACK: u32 = 100;
const MAX_DAYS_BACK: u32 = MAX_YEARS_BACK * 366;

/// The positive number in `prefix N suffix`, whatever its size (the caller bounds it).
fn number_in(s: &str, prefix: &str, suffixes: &[&str]) -> Option<u64> {
    let rest = s.strip_prefix(prefix)?;
    for suf in suffixes {
        if let Some(n) = rest.strip_suffix(suf) {
            return n.trim().parse().ok().filter(|n| *n > 0);
        }
    }
    None
}

const PERIOD_FORMS: &str = "\"last 28 days\", \"last 28 days of data\", \"last full month\", \"last 12 months\", \"same month last year\", \"latest month\", \"all\", \"2024-09\", \"2024\", \"2024-09-01..2024-09-15\", [\"2024-07\", \"2024-08\"] or #{ from: \"2024-09-01\", to: \"2024-09-15\" }";

/// Parses a period stated as text.
pub(crate) fn period_text(text: &str) -> Result<PeriodSpec, String> {
    let s = text.trim().to_lowercase();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let bad = || format!("`{text}` is not a period; try {PERIOD_FORMS}");
    match s.as_str() {
        "all" | "all data" | "everything" => return Ok(PeriodSpec::All),
        "last full month" | "last month" => return Ok(PeriodSpec::LastFullMonth),
        "same month last year" => return Ok(PeriodSpec::SameMonthLastYear),
        "latest month" | "this month" | "last month of data" => {
            return Ok(PeriodSpec::LatestMonth);
        }
        "last year" | "last 12 months" => return Ok(PeriodSpec::LastMonths(12)),
        _ => {}
    }
    let too_long = |n: u64, unit: &str| {
        format!(
            "period `{text}`: {n} {unit} reaches back more than {MAX_YEARS_BACK} years; \
             use \"all\" for everything the lake holds"
        )
    };
    if let Some(n) = number_in(&s, "last ", &[" days of data", " days", " day"]) {
        return u32::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_DAYS_BACK)
            .map(PeriodSpec::LastDays)
            .ok_or_else(|| too_long(n, "days"));
    }
    if let Some(n) = number_in(&s, "last ", &[" weeks of data", " weeks", " week"]) {
        return n
            .checked_mul(7)
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| *d <= MAX_DAYS_BACK)
            .map(PeriodSpec::LastDays)
            .ok_or_else(|| too_long(n, "weeks"));
    }
    if let Some(n) = number_in(
        &s,
        "last ",
        &[" full months", " months", " full month", " month"],
    ) {
        return u32::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_YEARS_BACK * 12)
            .map(PeriodSpec::LastMonths)
            .ok_or_else(|| too_long(n, "months"));
    }
    for sep in ["..", " to "] {
        if let Some((a, b)) = s.split_once(sep) {
            let (a, b) = (
                parse_date(a).ok_or_else(bad)?,
                parse_date(b).ok_or_else(bad)?,
            );
            if b < a {
                return Err(format!("period `{text}`: {b} is before {a}"));
            }
            return Ok(PeriodSpec::Range(a, b));
        }
    }
    if let Some(d) = parse_date(&s) {
        return Ok(PeriodSpec::Range(d, d));
    }
    if let Some(m) = YearMonth::parse(&s).filter(|_| s.len() == 7) {
        return Ok(PeriodSpec::Months(vec![m]));
    }
    if s.len() == 4
        && let Ok(y) = s.parse::<i32>()
        && let (Some(a), Some(b)) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, 31),
        )
    {
        return Ok(PeriodSpec::Range(a, b));
    }
    Err(bad())
}

fn period_value(d: &Dynamic) -> Result<PeriodSpec, String> {
    if d.is_string() {
        return period_text(&d.to_string());
    }
    if d.is_array() {
        let months = strings(d, "`period`")?
            .iter()
            .map(|s| {
                YearMonth::parse(s).ok_or_else(|| format!("`period`: `{s}` is not a YYYY-MM month"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if months.is_empty() {
            return Err("`period`: the list of months is empty".into());
        }
        return Ok(PeriodSpec::Months(months));
    }
    if d.is_map() {
        let m = map(d, "`period`")?;
        only_keys(&m, &["from", "to"], "`period`")?;
        let date = |k: &str| -> Result<NaiveDate, String> {
            let s = opt_string(&m, k, "`period`")?
                .ok_or_else(|| format!("`period`: `{k}` is missing"))?;
            parse_date(&s).ok_or_else(|| format!("`period`: `{s}` is not a YYYY-MM-DD date"))
        };
        let (a, b) = (date("from")?, date("to")?);
        if b < a {
            return Err(format!("`period`: {b} is before {a}"));
        }
        return Ok(PeriodSpec::Range(a, b));
    }
    Err(format!(
        "`period` must be text, a list of months or #{{ from, to }}, not {}; try {PERIOD_FORMS}",
        type_name(d)
    ))
}

fn hex_cell(s: &str, what: &str) -> Result<u64, String> {
    let t = s.trim();
    let ok = t.len() == 15 && t.bytes().all(|b| b.is_ascii_hexdigit());
    let cell = u64::from_str_radix(t, 16).ok().filter(|_| ok);
    match cell {
        Some(c) if (6..=10).contains(&cell_res(c)) => Ok(c),
        Some(c) => Err(format!(
            "{what}: `{t}` is at H3 resolution {}, outside the lake's r6–r10",
            cell_res(c)
        )),
        None => Err(format!(
            "{what}: `{t}` is not an H3 cell id (15 hex digits, like \"892664c1a93ffff\")"
        )),
    }
}

/// The resolution bits of an H3 cell index.
fn cell_res(cell: u64) -> u8 {
    ((cell >> 52) & 0xf) as u8
}

fn camera_value(d: &Dynamic) -> Result<Camera, String> {
    if d.is_string() {
        let s = d.to_string();
        let t = s.trim().to_lowercase();
        if t == "citywide" || t == "city" {
            return Ok(Camera::Citywide);
        }
        if let Some(n) = t.strip_prefix("district") {
            return n
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n > 0)
                .map(Camera::District)
                .ok_or_else(|| format!("`camera`: `{s}` is not a district (\"district 8\")"));
        }
        return hex_cell(&s, "`camera`").map(Camera::Cell);
    }
    if d.is_map() {
        let m = map(d, "`camera`")?;
        only_keys(&m, &["district", "cell"], "`camera`")?;
        if let Some(n) = opt_int(&m, "district", "`camera`")? {
            return u8::try_from(n)
                .ok()
                .filter(|n| *n > 0)
                .map(Camera::District)
                .ok_or_else(|| format!("`camera`: district {n} does not exist"));
        }
        if let Some(c) = opt_string(&m, "cell", "`camera`")? {
            return hex_cell(&c, "`camera`").map(Camera::Cell);
        }
    }
    Err(format!(
        "`camera` must be \"citywide\", \"district 8\", a cell id or #{{ district: 8 }}, not {}",
        type_name(d)
    ))
}

fn selection_value(d: &Dynamic) -> Result<SelectionSpec, String> {
    if d.is_map() {
        let m = map(d, "`selection`")?;
        only_keys(&m, &["types", "categories"], "`selection`")?;
        let types = crate::value::opt_strings(&m, "types", "`selection`")?
            .iter()
            .map(|t| t.trim().to_uppercase())
            .collect();
        let categories = crate::value::opt_strings(&m, "categories", "`selection`")?;
        return Ok(SelectionSpec::Explicit(Selection { types, categories }));
    }
    let names = strings(d, "`selection`")?;
    Ok(if names.is_empty() {
        SelectionSpec::None
    } else {
        SelectionSpec::Names(names)
    })
}

/// `emerging: "week"` (or `"month"`), or `#{ step, time_lag, k, alpha, fdr }` with any of the
/// keys (the rest default: monthly steps, time lag 1, k = 1, α = 0.10, FDR on).
fn emerging_value(d: &Dynamic) -> Result<hotspot_scope::EmergingOptions, String> {
    use hotspot_scope::{EmergingOptions, Step};
    let what = "`emerging`";
    let step = |s: &str| match s.trim().to_ascii_lowercase().as_str() {
        "week" | "weekly" => Ok(Step::Week),
        "month" | "monthly" => Ok(Step::Month),
        other => Err(format!(
            "{what}: `{other}` is not a step; use \"week\" or \"month\""
        )),
    };
    let mut o = EmergingOptions::default();
    if d.is_string() {
        o.step = step(&d.to_string())?;
        return Ok(o);
    }
    if !d.is_map() {
        return Err(format!(
            "{what} must be \"week\", \"month\" or #{{ step, time_lag, k, alpha, fdr }}, not {}",
            type_name(d)
        ));
    }
    let m = map(d, what)?;
    only_keys(&m, &["step", "time_lag", "k", "alpha", "fdr"], what)?;
    if let Some(s) = opt_string(&m, "step", what)? {
        o.step = step(&s)?;
    }
    if let Some(n) = opt_int(&m, "time_lag", what)? {
        o.time_lag = usize::try_from(n)
            .ok()
            .filter(|n| *n <= 52)
            .ok_or_else(|| format!("{what}: `time_lag` must be 0–52 steps, not {n}"))?;
    }
    if let Some(n) = opt_int(&m, "k", what)? {
        o.k = u32::try_from(n)
            .ok()
            .filter(|k| (1..=hotspot_scope::MAX_K).contains(k))
            .ok_or_else(|| format!("{what}: `k` must be 1–{}, not {n}", hotspot_scope::MAX_K))?;
    }
    if let Some(a) = field(&m, "alpha") {
        let v = a
            .as_float()
            .map_err(|_| format!("{what}: `alpha` must be a number, not {}", type_name(a)))?;
        if !(v > 0.0 && v < 1.0) {
            return Err(format!(
                "{what}: `alpha` must be between 0 and 1 (0.10 is 90 % confidence), not {v}"
            ));
        }
        o.alpha = v;
    }
    if let Some(f) = opt_bool(&m, "fdr", what)? {
        o.fdr = f;
    }
    Ok(o)
}

/// `context: #{ streets: true, areas: ["district", "community_area"], layers: ["x.geojson"] }`
/// (every key optional: streets on, district outlines only, as the console starts).
fn context_value(d: &Dynamic) -> Result<ViewContext, String> {
    let what = "`context`";
    let m = map(d, what)?;
    only_keys(&m, &["streets", "areas", "layers", "tiles"], what)?;
    let mut c = ViewContext {
        streets: opt_bool(&m, "streets", what)?.unwrap_or(true),
        districts: true,
        community_areas: false,
        wards: false,
        beats: false,
        layers: crate::value::opt_strings(&m, "layers", what)?
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        tiles: field(&m, "tiles").map(tiles_value).transpose()?,
    };
    if let Some(a) = field(&m, "areas") {
        let areas = strings(a, "`context`: `areas`")?;
        c.districts = false;
        for area in areas {
            match area
                .trim()
                .to_ascii_lowercase()
                .replace([' ', '-'], "_")
                .as_str()
            {
                "district" | "districts" => c.districts = true,
                "community_area" | "community_areas" => c.community_areas = true,
                "ward" | "wards" => c.wards = true,
                "beat" | "beats" => c.beats = true,
                other => {
                    return Err(format!(
                        "{what}: `{other}` is not an area layer; use \"district\", \"community_area\", \"ward\" or \"beat\""
                    ));
                }
            }
        }
    }
    Ok(c)
}

/// Parses the map a view script evaluates to.
pub(crate) fn view_def(value: &Dynamic) -> Result<ViewDef, String> {
    let m = map(value, "a view script must end with a map: it")?;
    only_keys(&m, &VIEW_KEYS, "view")?;
    let title = opt_string(&m, "title", "view")?.ok_or("view: `title` is missing")?;
    let res = match (
        opt_int(&m, "resolution", "view")?,
        opt_int(&m, "res", "view")?,
    ) {
        (Some(r), _) | (None, Some(r)) => r,
        (None, None) => return Err("view: `resolution` is missing (6–10)".into()),
    };
    let res = u8::try_from(res)
        .ok()
        .filter(|r| (6..=10).contains(r))
        .ok_or_else(|| format!("view: `resolution` {res} is outside r6–r10"))?;
    let period = match field(&m, "period") {
        Some(d) => period_value(d)?,
        None => return Err(format!("view: `period` is missing; try {PERIOD_FORMS}")),
    };
    let selection = match field(&m, "selection") {
        Some(d) => selection_value(d)?,
        None => SelectionSpec::None,
    };
    let metric = match opt_string(&m, "metric", "view")? {
        Some(s) => Some(Metric::parse(&s).ok_or_else(|| {
            let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
            format!("view: `{s}` is not a metric ({})", names.join(", "))
        })?),
        None => None,
    };
    let camera = match field(&m, "camera") {
        Some(d) => camera_value(d)?,
        None => Camera::Citywide,
    };
    let drill = match field(&m, "drill") {
        Some(d) => strings(d, "`drill`")?
            .iter()
            .map(|s| hex_cell(s, "`drill`"))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    for w in drill.windows(2) {
        if cell_res(w[1]) != cell_res(w[0]) + 1 {
            return Err(format!(
                "`drill`: each cell must be one resolution finer than the one before ({:015x} is r{}, {:015x} is r{})",
                w[0],
                cell_res(w[0]),
                w[1],
                cell_res(w[1])
            ));
        }
    }
    if let Some(last) = drill.last()
        && cell_res(*last) >= res
    {
        return Err(format!(
            "`drill`: the last drilled cell is r{}, so `resolution` must be r{} or finer",
            cell_res(*last),
            cell_res(*last) + 1
        ));
    }
    Ok(ViewDef {
        title,
        res,
        period,
        selection,
        metric,
        palette: opt_string(&m, "palette", "view")?,
        camera,
        drill,
        predicate: opt_string(&m, "predicate", "view")?,
        context: field(&m, "context").map(context_value).transpose()?,
        emerging: match field(&m, "emerging") {
            Some(d) => Some(emerging_value(d)?),
            None => {
                (metric == Some(Metric::Emerging)).then(hotspot_scope::EmergingOptions::default)
            }
        },
    })
}

fn month_label(m: YearMonth) -> String {
    naive_date(m.first_day()).format("%b %Y").to_string()
}

/// The period a spec means for a lake whose data runs from `first` to `last`, and a note when
/// it had to be adapted.
pub(crate) fn resolve_period(
    spec: &PeriodSpec,
    (first, last): (NaiveDate, NaiveDate),
) -> (Period, Option<String>) {
    let (f, l) = (day_number(first), day_number(last));
    let last_month = YearMonth::of_day(l);
    // The latest calendar month the data covers completely.
    let full = [last_month, last_month.prev()]
        .into_iter()
        .find(|m| m.first_day() >= f && m.end_day() - 1 <= l);
    let (anchor, anchor_note) = match full {
        Some(m) => (m, None),
        None => (
            last_month,
            Some(format!(
                "the lake holds no complete month: using {} ({} – {})",
                month_label(last_month),
                naive_date(f.max(last_month.first_day())).format("%-d %b"),
                last.format("%-d %b %Y")
            )),
        ),
    };
    let months_back = |n: u32| -> Vec<YearMonth> {
        let n = n.max(1) as i32;
        (anchor.index() - n + 1..=anchor.index())
            .map(YearMonth::from_index)
            .collect()
    };
    match spec {
        PeriodSpec::Range(a, b) => (Period::Range { from: *a, to: *b }, None),
        PeriodSpec::Months(m) => (Period::Months(m.clone()), None),
        PeriodSpec::LastDays(n) => (
            Period::Range {
                from: naive_date(l - *n as i32 + 1),
                to: last,
            },
            None,
        ),
        PeriodSpec::LastMonths(n) => (Period::Months(months_back(*n)), anchor_note),
        PeriodSpec::LastFullMonth => (Period::Months(vec![anchor]), anchor_note),
        PeriodSpec::SameMonthLastYear => {
            let m = YearMonth::from_index(anchor.index() - 12);
            let note = if m.end_day() - 1 < f {
                Some(format!(
                    "{} is before the first data ({})",
                    month_label(m),
                    first.format("%-d %b %Y")
                ))
            } else {
                anchor_note
            };
            (Period::Months(vec![m]), note)
        }
        PeriodSpec::LatestMonth => (Period::Months(vec![last_month]), None),
        PeriodSpec::All => (
            Period::Range {
                from: first,
                to: last,
            },
            None,
        ),
    }
}

/// Resolves named selections, categories and types into a scope selection.
pub(crate) fn resolve_selection(spec: &SelectionSpec, tax: &TaxonomyDef) -> Selection {
    match spec {
        SelectionSpec::None => Selection::default(),
        SelectionSpec::Explicit(s) => s.clone(),
        SelectionSpec::Names(names) => {
            let mut out = Selection::default();
            for n in names {
                if let Some(s) = tax
                    .selections
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(n.trim()))
                {
                    out.types.extend(s.selection.types.iter().cloned());
                    out.categories
                        .extend(s.selection.categories.iter().cloned());
                } else if let Some(c) = tax
                    .taxonomy
                    .categories()
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(n.trim()))
                {
                    out.categories.push(c.clone());
                } else {
                    out.types.push(n.trim().to_uppercase());
                }
            }
            out.types.sort();
            out.types.dedup();
            out.categories.dedup();
            out
        }
    }
}

impl ViewDef {
    pub(crate) fn resolve(
        &self,
        name: &str,
        path: PathBuf,
        tax: &TaxonomyDef,
        range: (NaiveDate, NaiveDate),
    ) -> ViewSpec {
        let (period, note) = resolve_period(&self.period, range);
        let selection = resolve_selection(&self.selection, tax);
        let metric = self.metric.unwrap_or(if selection.is_active() {
            Metric::Selected
        } else {
            Metric::Incidents
        });
        let context = self.context.clone().map(|mut c| {
            // Layer files are named relative to the scripts directory the view is in.
            let scripts = match path.parent() {
                Some(p) if p.file_name().is_some_and(|n| n == "views") => {
                    p.parent().unwrap_or(p).to_path_buf()
                }
                Some(p) => p.to_path_buf(),
                None => PathBuf::from("."),
            };
            for l in &mut c.layers {
                if l.is_relative() {
                    *l = scripts.join(&*l);
                }
            }
            c
        });
        ViewSpec {
            name: name.to_string(),
            title: self.title.clone(),
            path,
            scope: Scope {
                res: self.res,
                period,
                selection,
                drill: self.drill.clone(),
                focus_dow: None,
                table: TableSpec::default(),
                // Quick hits and predicates of a view may use the Gi* columns.
                hot_spots: Some(hotspot_scope::HotSpotOptions::default()),
                emerging: self.emerging,
                compare: None,
            },
            metric,
            palette: self
                .palette
                .clone()
                .unwrap_or_else(|| metric.default_palette().to_string()),
            camera: self.camera,
            drill: self.drill.clone(),
            predicate: self.predicate.clone(),
            note,
            context,
        }
    }
}

/// The playlist `playlist.rhai` evaluates to: `[#{ view: "citywide", seconds: 30 }, …]` (or
/// `["citywide", 30]` pairs).
pub(crate) fn playlist(value: &Dynamic) -> Result<Vec<(String, u32)>, String> {
    let list = array(value, "playlist.rhai must end with a list of views: it")?;
    let mut out = Vec::with_capacity(list.len());
    for (i, d) in list.iter().enumerate() {
        let what = format!("playlist entry {}", i + 1);
        let (view, secs) = if d.is_map() {
            let m = map(d, &what)?;
            only_keys(&m, &["view", "seconds"], &what)?;
            (
                opt_string(&m, "view", &what)?
                    .ok_or_else(|| format!("{what}: `view` is missing"))?,
                opt_int(&m, "seconds", &what)?
                    .ok_or_else(|| format!("{what}: `seconds` is missing"))?,
            )
        } else {
            let a = array(d, &what)?;
            match a.as_slice() {
                [v, s] if v.is_string() && s.is_int() => {
                    (v.to_string(), s.as_int().unwrap_or_default())
                }
                _ => {
                    return Err(format!(
                        "{what} must be #{{ view: \"citywide\", seconds: 30 }}"
                    ));
                }
            }
        };
        let secs = u32::try_from(secs)
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .ok_or_else(|| format!("{what}: `seconds` must be 1–3600, not {secs}"))?;
        out.push((view, secs));
    }
    Ok(out)
}

#[cfg(test)]
#[path = "views/tests.rs"]
mod tests;
