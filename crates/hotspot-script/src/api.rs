//! What scripts can call: vectorised cell columns ([`Column`], [`Mask`], [`TextColumn`]) with
//! overloaded operators, the [`Cells`] object, and formatting helpers.
//!
//! A predicate such as `cells.selected >= 10 & cells.arrest_rate < city.wilson_lo` is one
//! script call: each operator is one native function over every cell at once, so 40k cells
//! cost a few column passes, not 40k script evaluations.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use hotspot_scope::{CellArrays, HotspotRow};
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position};

type Res<T> = Result<T, Box<EvalAltResult>>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(Box::new(EvalAltResult::ErrorRuntime(
        msg.into().into(),
        Position::NONE,
    )))
}

/// One number per cell (integers as floats; unknown values as NaN, which compares false).
#[derive(Clone, Debug, PartialEq)]
pub struct Column(pub Arc<Vec<f64>>);

/// One true/false per cell: the result of comparing columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask(pub Arc<Vec<bool>>);

/// One optional text per cell (dominant offence, label, cell id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextColumn(pub Arc<Vec<Option<String>>>);

impl Column {
    pub fn new(v: Vec<f64>) -> Self {
        Column(Arc::new(v))
    }

    fn map(&self, f: impl Fn(f64) -> f64) -> Column {
        Column::new(self.0.iter().map(|x| f(*x)).collect())
    }
}

impl Mask {
    pub fn new(v: Vec<bool>) -> Self {
        Mask(Arc::new(v))
    }

    /// The mask as plain booleans.
    pub fn to_vec(&self) -> Vec<bool> {
        self.0.as_ref().clone()
    }
}

fn same_len(a: usize, b: usize) -> Res<()> {
    if a == b {
        Ok(())
    } else {
        err(format!(
            "columns of different lengths ({a} and {b} cells) cannot be combined"
        ))
    }
}

fn zip(a: &Column, b: &Column, f: fn(f64, f64) -> f64) -> Res<Column> {
    same_len(a.0.len(), b.0.len())?;
    Ok(Column::new(
        a.0.iter().zip(b.0.iter()).map(|(x, y)| f(*x, *y)).collect(),
    ))
}

fn cmp(a: &Column, b: &Column, f: fn(f64, f64) -> bool) -> Res<Mask> {
    same_len(a.0.len(), b.0.len())?;
    Ok(Mask::new(
        a.0.iter().zip(b.0.iter()).map(|(x, y)| f(*x, *y)).collect(),
    ))
}

fn cmp_scalar(a: &Column, b: f64, f: fn(f64, f64) -> bool) -> Mask {
    Mask::new(a.0.iter().map(|x| f(*x, b)).collect())
}

fn scalar_cmp(a: f64, b: &Column, f: fn(f64, f64) -> bool) -> Mask {
    Mask::new(b.0.iter().map(|y| f(a, *y)).collect())
}

fn combine(a: &Mask, b: &Mask, f: fn(bool, bool) -> bool) -> Res<Mask> {
    same_len(a.0.len(), b.0.len())?;
    Ok(Mask::new(
        a.0.iter().zip(b.0.iter()).map(|(x, y)| f(*x, *y)).collect(),
    ))
}

fn add(a: f64, b: f64) -> f64 {
    a + b
}
fn sub(a: f64, b: f64) -> f64 {
    a - b
}
fn mul(a: f64, b: f64) -> f64 {
    a * b
}
fn div(a: f64, b: f64) -> f64 {
    a / b
}
fn rem(a: f64, b: f64) -> f64 {
    a % b
}
fn pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}
fn gt(a: f64, b: f64) -> bool {
    a > b
}
fn ge(a: f64, b: f64) -> bool {
    a >= b
}
fn lt(a: f64, b: f64) -> bool {
    a < b
}
fn le(a: f64, b: f64) -> bool {
    a <= b
}
fn eq(a: f64, b: f64) -> bool {
    a == b
}
fn ne(a: f64, b: f64) -> bool {
    a != b
}
fn and(a: bool, b: bool) -> bool {
    a & b
}
fn or(a: bool, b: bool) -> bool {
    a | b
}
fn xor(a: bool, b: bool) -> bool {
    a ^ b
}

macro_rules! arith {
    ($e:expr, $op:literal, $f:path) => {
        $e.register_fn($op, |a: Column, b: Column| zip(&a, &b, $f));
        $e.register_fn($op, |a: Column, b: f64| a.map(|x| $f(x, b)));
        $e.register_fn($op, |a: Column, b: i64| a.map(|x| $f(x, b as f64)));
        $e.register_fn($op, |a: f64, b: Column| b.map(|y| $f(a, y)));
        $e.register_fn($op, |a: i64, b: Column| b.map(|y| $f(a as f64, y)));
    };
}

macro_rules! compare {
    ($e:expr, $op:literal, $f:path) => {
        $e.register_fn($op, |a: Column, b: Column| cmp(&a, &b, $f));
        $e.register_fn($op, |a: Column, b: f64| cmp_scalar(&a, b, $f));
        $e.register_fn($op, |a: Column, b: i64| cmp_scalar(&a, b as f64, $f));
        $e.register_fn($op, |a: f64, b: Column| scalar_cmp(a, &b, $f));
        $e.register_fn($op, |a: i64, b: Column| scalar_cmp(a as f64, &b, $f));
    };
}

macro_rules! logic {
    ($e:expr, $op:literal, $f:path) => {
        $e.register_fn($op, |a: Mask, b: Mask| combine(&a, &b, $f));
        $e.register_fn($op, |a: Mask, b: bool| {
            Mask::new(a.0.iter().map(|x| $f(*x, b)).collect())
        });
        $e.register_fn($op, |a: bool, b: Mask| {
            Mask::new(b.0.iter().map(|y| $f(a, *y)).collect())
        });
    };
}

fn finite(c: &Column) -> impl Iterator<Item = f64> + '_ {
    c.0.iter().copied().filter(|x| x.is_finite())
}

fn quantile(c: &Column, q: f64) -> f64 {
    let mut xs: Vec<f64> = finite(c).collect();
    xs.sort_unstable_by(f64::total_cmp);
    hotspot_core::stats::quantile_sorted(&xs, q).unwrap_or(f64::NAN)
}

/// The share of the column's total held by the largest `fraction` of its values (at least
/// one value): `0.05` → "the busiest 5 % of cells hold …".
fn top_share(c: &Column, fraction: f64) -> f64 {
    let mut xs: Vec<f64> = finite(c).collect();
    let total: f64 = xs.iter().sum();
    if xs.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let k = ((xs.len() as f64 * fraction.clamp(0.0, 1.0)).ceil() as usize).clamp(1, xs.len());
    // Only the k largest are needed: a partial selection, not a sort.
    if k < xs.len() {
        xs.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    }
    xs[..k].iter().sum::<f64>() / total
}

fn index<T: Clone>(v: &[T], i: i64) -> Res<T> {
    let n = v.len() as i64;
    let j = if i < 0 { n + i } else { i };
    if j < 0 || j >= n {
        return Err(Box::new(EvalAltResult::ErrorArrayBounds(
            v.len(),
            i,
            Position::NONE,
        )));
    }
    Ok(v[j as usize].clone())
}

/// A cell's signature block and street (raw, upper case), where known.
type Place = (Option<String>, Option<String>);

/// The cells of a scope result as columns.
#[derive(Clone, Debug)]
pub struct Cells {
    arrays: Arc<CellArrays>,
    /// Gi* z, p and bin per cell (aligned with `arrays`), when the scope tested hot spots.
    gi: Arc<Option<[Vec<f64>; 3]>>,
    /// Emerging category code, trend τ and trend p per cell, when the scope ran the analysis.
    ehsa: Arc<Option<[Vec<f64>; 3]>>,
    /// Block and street of the cells in the result's hotspot table.
    places: Arc<HashMap<u64, Place>>,
    /// Each cell's change p-value and significance (+1 / −1 / 0) against the previous
    /// period, when the lake covers both.
    change: Arc<Option<[Vec<f64>; 2]>>,
}

/// The column names of [`Cells`].
pub const NUMERIC_COLUMNS: [&str; 25] = [
    "incidents",
    "selected",
    "arrests",
    "arrest_rate",
    "wilson_lo",
    "wilson_hi",
    "smoothed_rate",
    "pooled_incidents",
    "pooled_arrests",
    "pooled_rate",
    "pooled_smoothed",
    "focus_share",
    "previous",
    "change",
    "district",
    "ward",
    "community_area",
    "gi_z",
    "gi_p",
    "gi_bin",
    "ehsa_code",
    "trend_tau",
    "trend_p",
    "change_p",
    "change_sig",
];

fn u32s(v: &[u32]) -> Vec<f64> {
    v.iter().map(|x| f64::from(*x)).collect()
}

fn f32s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|x| f64::from(*x)).collect()
}

/// An optional small-integer column (district, ward, community area): unknown → NaN.
fn opt_u8s(c: &CellArrays, which: &str) -> Vec<f64> {
    let a = match which {
        "district" => &c.district,
        "ward" => &c.ward,
        _ => &c.community_area,
    };
    a.iter().map(|v| v.map_or(f64::NAN, f64::from)).collect()
}

fn opt_u8_at(c: &CellArrays, which: &str, i: usize) -> Option<u8> {
    let a = match which {
        "district" => &c.district,
        "ward" => &c.ward,
        _ => &c.community_area,
    };
    a.iter().nth(i).flatten()
}

fn opt_str(c: &CellArrays, which: &str, i: usize) -> Option<String> {
    let a = match which {
        "dominant_type" => &c.dominant_type,
        _ => &c.label,
    };
    a.iter().nth(i).flatten().map(str::to_string)
}

impl Cells {
    /// Wraps a result's cells: its table supplies blocks and streets where it has them, its
    /// hot spots the Gi* columns and its emerging analysis the `ehsa` and trend columns (NaN
    /// without them).
    pub fn of(result: &hotspot_scope::ScopeResult) -> Self {
        let mut cells = Self::new(
            &result.cells,
            &result.table,
            result.hot_spots.as_deref(),
            result.emerging.as_deref(),
        );
        let c = &result.comparison;
        if c.tested && c.change_p.len() == result.cells.len() {
            cells.change = Arc::new(Some([
                c.change_p.iter().map(|v| f64::from(*v)).collect(),
                c.change_sig.iter().map(|v| f64::from(*v)).collect(),
            ]));
        }
        cells
    }

    /// Wraps a result's parts (see [`Cells::of`]).
    pub fn new(
        arrays: &CellArrays,
        table: &[HotspotRow],
        hot_spots: Option<&hotspot_scope::HotSpotsResult>,
        emerging: Option<&hotspot_scope::EmergingResult>,
    ) -> Self {
        let gi = hot_spots.map(|h| {
            let mut out = [Vec::new(), Vec::new(), Vec::new()];
            for &c in arrays.cell.values() {
                let (z, p, b) = h.of(c).map_or((f64::NAN, f64::NAN, f64::NAN), |(z, p, b)| {
                    (z, p, f64::from(b))
                });
                out[0].push(z);
                out[1].push(p);
                out[2].push(b);
            }
            out
        });
        let ehsa = emerging.map(|e| {
            let mut out = [Vec::new(), Vec::new(), Vec::new()];
            for &c in arrays.cell.values() {
                let (code, tau, p) = e
                    .stats
                    .of(c)
                    .map_or((f64::NAN, f64::NAN, f64::NAN), |(cat, tau, p)| {
                        (f64::from(cat.code()), tau, p)
                    });
                out[0].push(code);
                out[1].push(tau);
                out[2].push(p);
            }
            out
        });
        Cells {
            change: Arc::new(None),
            gi: Arc::new(gi),
            ehsa: Arc::new(ehsa),
            arrays: Arc::new(arrays.clone()),
            places: Arc::new(
                table
                    .iter()
                    .map(|r| (r.cell, (r.block.clone(), r.street.clone())))
                    .collect(),
            ),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.arrays.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.arrays.is_empty()
    }

    /// A numeric column by name.
    pub fn column(&self, name: &str) -> Option<Column> {
        let c = &*self.arrays;
        let v = match name {
            "incidents" => u32s(c.incidents.values()),
            "selected" => u32s(c.selected.values()),
            "arrests" => u32s(c.arrests.values()),
            "arrest_rate" => f32s(c.arrest_rate.values()),
            "wilson_lo" => f32s(c.wilson_lo.values()),
            "wilson_hi" => f32s(c.wilson_hi.values()),
            "smoothed_rate" => f32s(c.smoothed_rate.values()),
            "pooled_incidents" => u32s(c.pooled_incidents.values()),
            "pooled_arrests" => u32s(c.pooled_arrests.values()),
            "pooled_rate" => f32s(c.pooled_rate.values()),
            "pooled_smoothed" => f32s(c.pooled_smoothed.values()),
            "focus_share" => f32s(c.focus_share.values()),
            "previous" | "previous_selected" => u32s(c.previous_selected.values()),
            "change" => c
                .selected
                .values()
                .iter()
                .zip(c.previous_selected.values())
                .map(|(a, b)| f64::from(*a) - f64::from(*b))
                .collect(),
            "district" | "ward" | "community_area" => opt_u8s(c, name),
            "gi_z" | "gi_p" | "gi_bin" => {
                let k = ["gi_z", "gi_p", "gi_bin"].iter().position(|n| *n == name)?;
                match &*self.gi {
                    Some(cols) => cols[k].clone(),
                    None => vec![f64::NAN; c.len()],
                }
            }
            "ehsa_code" | "trend_tau" | "trend_p" => {
                let k = ["ehsa_code", "trend_tau", "trend_p"]
                    .iter()
                    .position(|n| *n == name)?;
                match &*self.ehsa {
                    Some(cols) => cols[k].clone(),
                    None => vec![f64::NAN; c.len()],
                }
            }
            "change_p" | "change_sig" => {
                let k = usize::from(name == "change_sig");
                match &*self.change {
                    Some(cols) => cols[k].clone(),
                    None => vec![f64::NAN; c.len()],
                }
            }
            _ => return None,
        };
        Some(Column::new(v))
    }

    fn text(&self, name: &str) -> TextColumn {
        TextColumn(Arc::new(match name {
            "cell" => self
                .arrays
                .cell
                .values()
                .iter()
                .map(|c| Some(format!("{c:015x}")))
                .collect(),
            "dominant_type" => self
                .arrays
                .dominant_type
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
            "ehsa" => match &*self.ehsa {
                Some(cols) => cols[0].iter().map(|&code| ehsa_name(code)).collect(),
                None => vec![None; self.len()],
            },
            _ => self
                .arrays
                .label
                .iter()
                .map(|v| v.map(str::to_string))
                .collect(),
        }))
    }

    fn low_confidence(&self) -> Mask {
        Mask::new(
            self.arrays
                .low_confidence
                .iter()
                .map(|v| v.unwrap_or(false))
                .collect(),
        )
    }

    /// One cell as a map (see the script reference for the fields).
    pub fn row(&self, i: usize) -> Map {
        let c = &*self.arrays;
        let cell = c.cell.value(i);
        let mut m = Map::new();
        let int = |v: u32| Dynamic::from(i64::from(v));
        let float = |v: f32| Dynamic::from(f64::from(v));
        let opt_u8 = |which: &str| {
            opt_u8_at(c, which, i).map_or(Dynamic::UNIT, |v| Dynamic::from(i64::from(v)))
        };
        let (block, street) = self.places.get(&cell).cloned().unwrap_or((None, None));
        let text = |s: Option<String>| s.map_or(Dynamic::UNIT, Dynamic::from);
        m.insert("cell".into(), Dynamic::from(format!("{cell:015x}")));
        m.insert("label".into(), text(opt_str(c, "label", i)));
        m.insert("block".into(), text(block));
        m.insert("street".into(), text(street));
        m.insert("dominant".into(), text(opt_str(c, "dominant_type", i)));
        m.insert("incidents".into(), int(c.incidents.value(i)));
        m.insert("selected".into(), int(c.selected.value(i)));
        m.insert("arrests".into(), int(c.arrests.value(i)));
        m.insert("arrest_rate".into(), float(c.arrest_rate.value(i)));
        m.insert("wilson_lo".into(), float(c.wilson_lo.value(i)));
        m.insert("wilson_hi".into(), float(c.wilson_hi.value(i)));
        m.insert("smoothed_rate".into(), float(c.smoothed_rate.value(i)));
        m.insert("focus_share".into(), float(c.focus_share.value(i)));
        m.insert(
            "low_confidence".into(),
            Dynamic::from(c.low_confidence.value(i)),
        );
        let prev = c.previous_selected.value(i);
        m.insert("previous".into(), int(prev));
        m.insert(
            "change".into(),
            Dynamic::from(i64::from(c.selected.value(i)) - i64::from(prev)),
        );
        m.insert("district".into(), opt_u8("district"));
        m.insert("ward".into(), opt_u8("ward"));
        m.insert("community_area".into(), opt_u8("community_area"));
        let at = |cols: &Option<[Vec<f64>; 3]>, k: usize| {
            cols.as_ref()
                .and_then(|c| c[k].get(i).copied())
                .filter(|v| !v.is_nan())
        };
        let num = |v: Option<f64>| v.map_or(Dynamic::UNIT, Dynamic::from);
        m.insert("gi_z".into(), num(at(&self.gi, 0)));
        m.insert("gi_p".into(), num(at(&self.gi, 1)));
        m.insert(
            "gi_bin".into(),
            at(&self.gi, 2).map_or(Dynamic::UNIT, |b| Dynamic::from(b as i64)),
        );
        m.insert("ehsa".into(), text(at(&self.ehsa, 0).and_then(ehsa_name)));
        m.insert("trend_tau".into(), num(at(&self.ehsa, 1)));
        m.insert("trend_p".into(), num(at(&self.ehsa, 2)));
        let change = |k: usize| {
            self.change
                .as_ref()
                .as_ref()
                .and_then(|c| c[k].get(i).copied())
                .filter(|v| !v.is_nan())
        };
        m.insert("change_p".into(), num(change(0)));
        m.insert(
            "change_sig".into(),
            change(1).map_or(Dynamic::UNIT, |s| Dynamic::from(s as i64)),
        );
        m
    }

    /// Up to `n` cells where `mask` is true, largest `by` first (ties: more selected incidents,
    /// then lower cell id; NaN last).
    pub fn rows(&self, mask: &Mask, by: &str, n: usize) -> Res<Array> {
        same_len(mask.0.len(), self.len())?;
        let Some(key) = self.column(by) else {
            return err(format!(
                "`{by}` is not a cell column; use one of: {}",
                NUMERIC_COLUMNS.join(", ")
            ));
        };
        let sel = self.arrays.selected.values();
        let cells = self.arrays.cell.values();
        let mut idx: Vec<usize> = (0..self.len()).filter(|&i| mask.0[i]).collect();
        let order = |&i: &usize, &j: &usize| {
            let (a, b) = (key.0[i], key.0[j]);
            let primary = match (a.is_nan(), b.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
            };
            primary
                .then_with(|| sel[j].cmp(&sel[i]))
                .then_with(|| cells[i].cmp(&cells[j]))
        };
        // The order is total (cell ids are unique), so selecting the first n and sorting
        // only those gives the same rows as a full sort.
        if n > 0 && n < idx.len() {
            idx.select_nth_unstable_by(n - 1, order);
            idx.truncate(n);
        }
        idx.sort_by(order);
        let mut rows = Array::with_capacity(n.min(idx.len()));
        for i in idx.into_iter().take(n) {
            // One native call must not build more rows than the call's memory budget holds.
            if rows.len() % 256 == 255 && crate::alloc::exceeded() {
                return Err(crate::sandbox::memory_exceeded());
            }
            rows.push(Dynamic::from_map(self.row(i)));
        }
        Ok(rows)
    }
}

/// The category name of an emerging category code ("New Hot Spot"); `None` for NaN.
fn ehsa_name(code: f64) -> Option<String> {
    if code.is_nan() {
        return None;
    }
    hotspot_scope::hotspots::Category::from_code(code as i8).map(|c| c.name())
}

fn to_usize(n: i64) -> usize {
    n.max(0) as usize
}

fn plural(n: i64, word: &str) -> String {
    let n_text = hotspot_core::fmt::thousands(n.unsigned_abs());
    let sign = if n < 0 { "-" } else { "" };
    if n == 1 {
        format!("{sign}{n_text} {word}")
    } else if word.ends_with('y') && !word.ends_with("ey") {
        format!("{sign}{n_text} {}ies", &word[..word.len() - 1])
    } else if word.ends_with('s') || word.ends_with("sh") || word.ends_with("ch") {
        format!("{sign}{n_text} {word}es")
    } else {
        format!("{sign}{n_text} {word}s")
    }
}

/// Registers every type and function scripts may use.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Column>("Column");
    engine.register_type_with_name::<Mask>("Mask");
    engine.register_type_with_name::<TextColumn>("TextColumn");
    engine.register_type_with_name::<Cells>("Cells");

    arith!(engine, "+", add);
    arith!(engine, "-", sub);
    arith!(engine, "*", mul);
    arith!(engine, "/", div);
    arith!(engine, "%", rem);
    arith!(engine, "**", pow);
    compare!(engine, ">", gt);
    compare!(engine, ">=", ge);
    compare!(engine, "<", lt);
    compare!(engine, "<=", le);
    compare!(engine, "==", eq);
    compare!(engine, "!=", ne);
    logic!(engine, "&", and);
    logic!(engine, "|", or);
    logic!(engine, "^", xor);
    engine.register_fn("!", |a: Mask| Mask::new(a.0.iter().map(|x| !x).collect()));
    engine.register_fn("-", |a: Column| a.map(|x| -x));

    // Column methods.
    engine.register_fn("len", |c: &mut Column| c.0.len() as i64);
    engine.register_get("len", |c: &mut Column| c.0.len() as i64);
    engine.register_fn("sum", |c: &mut Column| finite(c).sum::<f64>());
    engine.register_fn("count", |c: &mut Column| finite(c).count() as i64);
    engine.register_fn("mean", |c: &mut Column| {
        let n = finite(c).count();
        if n == 0 {
            f64::NAN
        } else {
            finite(c).sum::<f64>() / n as f64
        }
    });
    engine.register_fn("min", |c: &mut Column| {
        finite(c).fold(f64::NAN, |a, b| if a.is_nan() { b } else { a.min(b) })
    });
    engine.register_fn("max", |c: &mut Column| {
        finite(c).fold(f64::NAN, |a, b| if a.is_nan() { b } else { a.max(b) })
    });
    engine.register_fn("quantile", |c: &mut Column, q: f64| quantile(c, q));
    engine.register_fn("top_share", |c: &mut Column, f: f64| top_share(c, f));
    engine.register_fn("abs", |c: &mut Column| c.map(f64::abs));
    engine.register_fn("sqrt", |c: &mut Column| c.map(f64::sqrt));
    engine.register_fn("log1p", |c: &mut Column| c.map(f64::ln_1p));
    engine.register_fn("round", |c: &mut Column| c.map(f64::round));
    engine.register_fn("fill_nan", |c: &mut Column, v: f64| {
        c.map(|x| if x.is_nan() { v } else { x })
    });
    engine.register_fn("fill_nan", |c: &mut Column, v: i64| {
        c.map(|x| if x.is_nan() { v as f64 } else { x })
    });
    engine.register_fn("filter", |c: &mut Column, m: Mask| -> Res<Column> {
        same_len(c.0.len(), m.0.len())?;
        Ok(Column::new(
            c.0.iter()
                .zip(m.0.iter())
                .filter(|(_, k)| **k)
                .map(|(x, _)| *x)
                .collect(),
        ))
    });
    engine.register_fn("is_nan", |c: &mut Column| {
        Mask::new(c.0.iter().map(|x| x.is_nan()).collect())
    });
    engine.register_fn("to_array", |c: &mut Column| -> Array {
        c.0.iter().map(|x| Dynamic::from(*x)).collect()
    });
    engine.register_indexer_get(|c: &mut Column, i: i64| index(&c.0, i));
    engine.register_fn("to_string", |c: &mut Column| {
        format!("Column({} cells)", c.0.len())
    });
    engine.register_fn("to_debug", |c: &mut Column| {
        format!("Column({} cells)", c.0.len())
    });

    // Mask methods.
    engine.register_fn("len", |m: &mut Mask| m.0.len() as i64);
    engine.register_get("len", |m: &mut Mask| m.0.len() as i64);
    engine.register_fn("count", |m: &mut Mask| {
        m.0.iter().filter(|x| **x).count() as i64
    });
    engine.register_fn("any", |m: &mut Mask| m.0.iter().any(|x| *x));
    engine.register_fn("all", |m: &mut Mask| m.0.iter().all(|x| *x));
    engine.register_fn("to_array", |m: &mut Mask| -> Array {
        m.0.iter().map(|x| Dynamic::from(*x)).collect()
    });
    engine.register_indexer_get(|m: &mut Mask, i: i64| index(&m.0, i));
    engine.register_fn("to_string", |m: &mut Mask| {
        format!(
            "Mask({} of {} cells)",
            m.0.iter().filter(|x| **x).count(),
            m.0.len()
        )
    });
    engine.register_fn("to_debug", |m: &mut Mask| {
        format!(
            "Mask({} of {} cells)",
            m.0.iter().filter(|x| **x).count(),
            m.0.len()
        )
    });

    // Text columns.
    let text_eq = |t: &TextColumn, s: &str, want: bool| {
        Mask::new(
            t.0.iter()
                .map(|x| (x.as_deref() == Some(s)) == want)
                .collect(),
        )
    };
    engine.register_fn("==", move |t: TextColumn, s: ImmutableString| {
        text_eq(&t, &s, true)
    });
    engine.register_fn("!=", move |t: TextColumn, s: ImmutableString| {
        text_eq(&t, &s, false)
    });
    engine.register_fn("contains", |t: &mut TextColumn, s: &str| {
        Mask::new(
            t.0.iter()
                .map(|x| x.as_deref().is_some_and(|x| x.contains(s)))
                .collect(),
        )
    });
    engine.register_fn("starts_with", |t: &mut TextColumn, s: &str| {
        Mask::new(
            t.0.iter()
                .map(|x| x.as_deref().is_some_and(|x| x.starts_with(s)))
                .collect(),
        )
    });
    engine.register_fn("is_in", |t: &mut TextColumn, list: Array| {
        let wanted: Vec<String> = list.iter().map(|d| d.to_string()).collect();
        Mask::new(
            t.0.iter()
                .map(|x| x.as_deref().is_some_and(|x| wanted.iter().any(|w| w == x)))
                .collect(),
        )
    });
    engine.register_fn("len", |t: &mut TextColumn| t.0.len() as i64);
    engine.register_get("len", |t: &mut TextColumn| t.0.len() as i64);
    engine.register_indexer_get(|t: &mut TextColumn, i: i64| -> Res<Dynamic> {
        Ok(index(&t.0, i)?.map_or(Dynamic::UNIT, Dynamic::from))
    });
    engine.register_fn("to_string", |t: &mut TextColumn| {
        format!("TextColumn({} cells)", t.0.len())
    });

    // Cells.
    for name in NUMERIC_COLUMNS.iter().chain(["previous_selected"].iter()) {
        let n = name.to_string();
        engine.register_get(*name, move |c: &mut Cells| -> Res<Column> {
            c.column(&n)
                .map_or_else(|| err(format!("no column `{n}`")), Ok)
        });
    }
    for name in ["dominant_type", "label", "cell", "ehsa"] {
        engine.register_get(name, move |c: &mut Cells| c.text(name));
    }
    engine.register_get("low_confidence", |c: &mut Cells| c.low_confidence());
    engine.register_get("all", |c: &mut Cells| Mask::new(vec![true; c.len()]));
    engine.register_get("none", |c: &mut Cells| Mask::new(vec![false; c.len()]));
    engine.register_fn("len", |c: &mut Cells| c.len() as i64);
    engine.register_get("len", |c: &mut Cells| c.len() as i64);
    engine.register_fn("column", |c: &mut Cells, name: &str| -> Res<Column> {
        c.column(name).map_or_else(
            || {
                err(format!(
                    "`{name}` is not a cell column; use one of: {}",
                    NUMERIC_COLUMNS.join(", ")
                ))
            },
            Ok,
        )
    });
    engine.register_fn("row", |c: &mut Cells, i: i64| -> Res<Map> {
        let n = c.len() as i64;
        if i < 0 || i >= n {
            return Err(Box::new(EvalAltResult::ErrorArrayBounds(
                c.len(),
                i,
                Position::NONE,
            )));
        }
        Ok(c.row(i as usize))
    });
    engine.register_fn("rows", |c: &mut Cells, m: Mask, by: &str, n: i64| {
        c.rows(&m, by, to_usize(n))
    });
    engine.register_fn("rows", |c: &mut Cells, m: Mask, n: i64| {
        c.rows(&m, "selected", to_usize(n))
    });
    engine.register_fn("top", |c: &mut Cells, by: &str, n: i64| {
        c.rows(&Mask::new(vec![true; c.len()]), by, to_usize(n))
    });
    engine.register_fn("to_string", |c: &mut Cells| {
        format!("Cells({} cells)", c.len())
    });
    engine.register_fn("to_debug", |c: &mut Cells| {
        format!("Cells({} cells)", c.len())
    });

    // Formatting helpers.
    engine.register_fn("thousands", |n: i64| {
        let t = hotspot_core::fmt::thousands(n.unsigned_abs());
        if n < 0 { format!("-{t}") } else { t }
    });
    engine.register_fn("thousands", |x: f64| {
        if x.is_finite() {
            let n = x.round() as i64;
            let t = hotspot_core::fmt::thousands(n.unsigned_abs());
            if n < 0 { format!("-{t}") } else { t }
        } else {
            "–".to_string()
        }
    });
    engine.register_fn("signed", |n: i64| hotspot_core::fmt::signed_thousands(n));
    engine.register_fn("percent", |x: f64| hotspot_core::fmt::percent(x, 0));
    engine.register_fn("percent", |x: f64, d: i64| {
        hotspot_core::fmt::percent(x, d.clamp(0, 6) as usize)
    });
    engine.register_fn("percent", |x: i64| hotspot_core::fmt::percent(x as f64, 0));
    engine.register_fn("plural", |n: i64, w: &str| plural(n, w));
    engine.register_fn("pretty_block", |s: &str| {
        hotspot_core::names::pretty_block(s)
    });
    engine.register_fn("street_of_block", |s: &str| {
        hotspot_core::names::street_of_block(s)
    });
    engine.register_fn("district_label", |n: i64| {
        u8::try_from(n).map_or_else(
            |_| format!("District {n}"),
            hotspot_core::names::district_label,
        )
    });
    engine.register_fn("community_area_label", |n: i64| {
        u8::try_from(n).map_or_else(
            |_| format!("Community Area {n}"),
            hotspot_core::names::community_area_label,
        )
    });
    engine.register_fn("res_name", |r: i64| {
        hotspot_core::res::name(u8::try_from(r).unwrap_or(0)).to_string()
    });
    engine.register_fn("res_label", |r: i64| {
        hotspot_core::res::display(u8::try_from(r).unwrap_or(0))
    });
    engine.register_fn("is_nan", |x: f64| x.is_nan());
    engine.register_fn("join", |a: &mut Array, sep: &str| {
        a.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(sep)
    });
}

#[cfg(test)]
#[path = "api/tests.rs"]
mod tests;
