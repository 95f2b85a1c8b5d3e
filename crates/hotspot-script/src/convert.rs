//! A scope result as the Rhai values scripts receive: `city` and the `result` map.

use hotspot_core::stats::{Z95, wilson_interval};
use hotspot_scope::{ScopeResult, WarningKind, WeekDelta};
use rhai::{Array, Dynamic, Map};

use crate::api::Cells;

fn int(v: impl Into<i64>) -> Dynamic {
    Dynamic::from(v.into())
}

fn u64d(v: u64) -> Dynamic {
    Dynamic::from(i64::try_from(v).unwrap_or(i64::MAX))
}

fn float(v: f64) -> Dynamic {
    Dynamic::from(v)
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> Dynamic) -> Dynamic {
    v.map_or(Dynamic::UNIT, f)
}

fn text(s: &str) -> Dynamic {
    Dynamic::from(s.to_string())
}

fn list<T>(items: &[T], f: impl Fn(&T) -> Dynamic) -> Dynamic {
    Dynamic::from_array(items.iter().map(f).collect::<Array>())
}

fn map(pairs: Vec<(&str, Dynamic)>) -> Dynamic {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.into(), v);
    }
    Dynamic::from_map(m)
}

/// `SparseResolution` → `sparse_resolution` (the names the JSON output uses).
fn kind_name(k: WarningKind) -> String {
    let mut out = String::new();
    for (i, ch) in format!("{k:?}").chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn delta(d: &WeekDelta) -> Dynamic {
    map(vec![
        ("first_week_mean", float(d.first_week_mean)),
        ("last_week_mean", float(d.last_week_mean)),
        ("change", float(d.change)),
    ])
}

/// Citywide figures over the mapped cells: what per-cell values are compared against.
pub fn city(r: &ScopeResult) -> Map {
    let c = &r.cells;
    let sel: u64 = c.selected.values().iter().map(|v| u64::from(*v)).sum();
    let all: u64 = c.incidents.values().iter().map(|v| u64::from(*v)).sum();
    let arr: u64 = c.arrests.values().iter().map(|v| u64::from(*v)).sum();
    let (lo, hi) = wilson_interval(arr as f64, sel as f64, Z95);
    let mut m = Map::new();
    m.insert("res".into(), int(r.scope.res));
    m.insert("cells".into(), u64d(c.len() as u64));
    m.insert("incidents".into(), u64d(sel));
    m.insert("all_incidents".into(), u64d(all));
    m.insert("arrests".into(), u64d(arr));
    m.insert("prior".into(), float(r.prior));
    m.insert("arrest_rate".into(), float(r.prior));
    m.insert("wilson_lo".into(), float(lo));
    m.insert("wilson_hi".into(), float(hi));
    m
}

/// The `result` map quick hits and snippets receive.
pub fn result(r: &ScopeResult, cells: &Cells) -> Map {
    let k = &r.kpis;
    let s = &r.scope;
    let mut m = Map::new();
    m.insert("res".into(), int(s.res));
    m.insert("res_name".into(), text(hotspot_core::res::name(s.res)));
    m.insert("res_label".into(), text(&hotspot_core::res::display(s.res)));
    m.insert(
        "period".into(),
        map(vec![
            ("label", text(&r.period_label)),
            ("from", text(&r.from.to_string())),
            ("to", text(&r.to.to_string())),
            ("days", int((r.to - r.from).num_days() + 1)),
        ]),
    );
    m.insert(
        "selection".into(),
        map(vec![
            ("active", Dynamic::from(r.selection_active)),
            ("types", list(&s.selection.types, |t| text(t))),
            ("categories", list(&s.selection.categories, |t| text(t))),
            ("resolved_types", list(&r.selected_types, |t| text(t))),
        ]),
    );
    m.insert("city".into(), Dynamic::from_map(city(r)));
    m.insert("cells".into(), Dynamic::from(cells.clone()));
    let top = cells
        .rows(
            &crate::api::Mask::new(vec![true; cells.len()]),
            "selected",
            10,
        )
        .unwrap_or_default();
    m.insert("top".into(), Dynamic::from_array(top));
    m.insert(
        "kpis".into(),
        map(vec![
            ("incidents_label", text(&k.incidents_label)),
            ("incidents", u64d(k.incidents)),
            ("arrests", u64d(k.arrests)),
            ("arrest_rate", float(k.arrest_rate)),
            ("incidents_change", opt(k.incidents_delta.as_ref(), delta)),
            ("arrests_change", opt(k.arrests_delta.as_ref(), delta)),
            ("avg_focus_share", opt(k.avg_focus_share, float)),
            ("overall_focus_share", opt(k.overall_focus_share, float)),
            (
                "busiest",
                opt(k.busiest.as_ref(), |b| {
                    map(vec![
                        ("cell", text(&format!("{:015x}", b.cell))),
                        ("label", text(&b.label)),
                        ("selected", int(b.value)),
                        ("focus_share", float(b.focus_share)),
                    ])
                }),
            ),
            ("window_note", text(&k.window.note)),
        ]),
    );
    let change = |c: &hotspot_scope::CellChange| {
        map(vec![
            ("cell", text(&format!("{:015x}", c.cell))),
            ("label", text(&c.label)),
            ("current", int(c.current)),
            ("previous", int(c.previous)),
            ("change", int(c.change)),
        ])
    };
    let cmp = &r.comparison;
    m.insert(
        "comparison".into(),
        map(vec![
            ("period_label", text(&cmp.period_label)),
            ("complete", Dynamic::from(cmp.complete)),
            ("incidents", u64d(cmp.incidents)),
            ("arrests", u64d(cmp.arrests)),
            ("change_share", opt(cmp.change_share, float)),
            ("rises", list(&cmp.rises, change)),
            ("falls", list(&cmp.falls, change)),
            ("tested", Dynamic::from(cmp.tested)),
            ("n_up", int(cmp.n_up as i64)),
            ("n_down", int(cmp.n_down as i64)),
            ("significant_up", list(&cmp.significant_up, change)),
            ("significant_down", list(&cmp.significant_down, change)),
        ]),
    );
    m.insert(
        "warnings".into(),
        list(&r.warnings, |w| {
            map(vec![
                ("kind", Dynamic::from(kind_name(w.kind))),
                ("message", text(&w.message)),
            ])
        }),
    );
    let se = &r.series;
    let type_count = |t: &hotspot_scope::TypeCount| {
        map(vec![
            ("type", text(&t.primary_type)),
            ("category", text(&t.category)),
            ("incidents", u64d(t.incidents)),
            ("arrests", u64d(t.arrests)),
        ])
    };
    m.insert(
        "series".into(),
        map(vec![
            ("top_types", list(&se.top_types, type_count)),
            (
                "top_districts",
                list(&se.top_districts, |d| {
                    map(vec![
                        ("district", opt(d.district, int)),
                        ("label", text(&d.label)),
                        ("incidents", u64d(d.incidents)),
                        ("arrests", u64d(d.arrests)),
                    ])
                }),
            ),
            ("dow_incidents", list(&se.dow_incidents, |v| u64d(*v))),
            ("dow_arrests", list(&se.dow_arrests, |v| u64d(*v))),
            ("hour_incidents", list(&se.hour_incidents, |v| u64d(*v))),
            ("hour_arrests", list(&se.hour_arrests, |v| u64d(*v))),
            ("periods", list(&se.mix.periods, |d| text(&d.to_string()))),
            ("totals", list(&se.mix.totals, |v| int(*v))),
            ("arrests", list(&se.mix.arrests, |v| int(*v))),
        ]),
    );
    m.insert(
        "drill".into(),
        map(vec![
            (
                "breadcrumbs",
                list(&r.drill.breadcrumbs, |c| text(&c.label)),
            ),
            (
                "target",
                opt(r.drill.target, |c| text(&format!("{c:015x}"))),
            ),
            ("children", int(r.drill.children.len() as i64)),
        ]),
    );
    m.insert(
        "hot_spots".into(),
        match &r.hot_spots {
            None => Dynamic::UNIT,
            Some(h) => {
                let st = &h.stats;
                let count = |signs: &[i8]| u64d(signs.iter().map(|b| st.count(*b)).sum());
                map(vec![
                    ("k", int(st.options.k)),
                    ("fdr", Dynamic::from(st.options.fdr)),
                    ("study_area", u64d(st.cells.len() as u64)),
                    ("varies", Dynamic::from(st.varies)),
                    ("hot_cells", count(&[1, 2, 3])),
                    ("cold_cells", count(&[-1, -2, -3])),
                    ("hot_99", count(&[3])),
                    (
                        "clusters",
                        list(&h.clusters, |c| {
                            map(vec![
                                ("hot", Dynamic::from(c.sign > 0)),
                                (
                                    "confidence",
                                    int(match c.bin.unsigned_abs() {
                                        3 => 99,
                                        2 => 95,
                                        _ => 90,
                                    }),
                                ),
                                ("cells", u64d(c.cells.len() as u64)),
                                ("incidents", u64d(c.incidents)),
                                ("peak_z", float(c.peak_z)),
                                ("label", opt(c.label.as_deref(), text)),
                                ("cell", text(&format!("{:015x}", c.peak))),
                            ])
                        }),
                    ),
                ])
            }
        },
    );
    m.insert(
        "emerging".into(),
        match &r.emerging {
            None => Dynamic::UNIT,
            Some(e) => {
                let st = &e.stats;
                let o = &st.options;
                let counts: rhai::Map = st
                    .counts
                    .iter()
                    .map(|(c, n)| (c.name().into(), u64d(*n)))
                    .collect();
                let day = |d: chrono::NaiveDate| text(&d.to_string());
                map(vec![
                    ("step", text(o.step.name())),
                    ("steps", u64d(st.steps.len() as u64)),
                    ("first_step", opt(st.steps.first().map(|s| s.0), day)),
                    ("last_step", opt(st.steps.last().map(|s| s.0), day)),
                    ("last_step_end", opt(st.steps.last().map(|s| s.1), day)),
                    (
                        "last_step_label",
                        opt(st.steps.last(), |&(from, to)| {
                            text(&hotspot_scope::Period::Range { from, to }.label())
                        }),
                    ),
                    ("time_lag", u64d(o.time_lag as u64)),
                    ("k", int(o.k)),
                    ("alpha", float(o.alpha)),
                    ("fdr", Dynamic::from(o.fdr)),
                    ("study_area", u64d(st.cells.len() as u64)),
                    ("counts", Dynamic::from_map(counts)),
                    (
                        "leaders",
                        list(&e.leaders, |l| {
                            map(vec![
                                ("category", text(&l.category.name())),
                                ("code", int(l.category.code())),
                                ("hot", Dynamic::from(l.category.code() > 0)),
                                ("count", u64d(l.count)),
                                (
                                    "cells",
                                    list(&l.cells, |(c, label)| {
                                        map(vec![
                                            ("cell", text(&format!("{c:015x}"))),
                                            ("label", opt(label.as_deref(), text)),
                                        ])
                                    }),
                                ),
                            ])
                        }),
                    ),
                ])
            }
        },
    );
    m
}
