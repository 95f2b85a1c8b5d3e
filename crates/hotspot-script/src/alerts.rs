//! `alerts.rhai`: the rules that make the wall interrupt its playlist, as a list of maps the
//! script evaluates to, checked into [`hotspot_scope::alerts::AlertRule`]s (what the rules
//! mean is documented there and in `scripts/README.md`).

use hotspot_scope::alerts::{AlertRule, NewHotSpotRule, SurgeRule};
use hotspot_scope::{Selection, Step};
use rhai::Dynamic;

use crate::value::{
    array, map, only_keys, opt_int, opt_string, opt_strings, req_string, type_name,
};

/// The most rules one file may hold.
pub const MAX_RULES: usize = 32;

/// A number (integer or float) under `key`, if present.
fn opt_number(m: &rhai::Map, key: &str, what: &str) -> Result<Option<f64>, String> {
    m.get(key)
        .map(|d| {
            d.as_float()
                .or_else(|_| d.as_int().map(|i| i as f64))
                .map_err(|_| format!("{what}: `{key}` must be a number, not {}", type_name(d)))
        })
        .transpose()
}

fn in_range(v: i64, lo: i64, hi: i64, key: &str, what: &str) -> Result<u32, String> {
    if (lo..=hi).contains(&v) {
        Ok(v as u32)
    } else {
        Err(format!("{what}: `{key}` must be {lo}–{hi}, not {v}"))
    }
}

/// The rules `alerts.rhai` evaluates to.
pub(crate) fn alert_rules(value: &Dynamic) -> Result<Vec<AlertRule>, String> {
    let list = array(value, "alerts.rhai must end with a list of rules: it")?;
    if list.len() > MAX_RULES {
        return Err(format!(
            "alerts.rhai holds {} rules; at most {MAX_RULES}",
            list.len()
        ));
    }
    let mut out: Vec<AlertRule> = Vec::with_capacity(list.len());
    for (i, d) in list.iter().enumerate() {
        let what = format!("alert rule {}", i + 1);
        let m = map(d, &what)?;
        let name = req_string(&m, "name", &what)?;
        let what = format!("alert rule `{name}`");
        if out.iter().any(|r| r.name() == name) {
            return Err(format!("{what} is named twice"));
        }
        let kind = req_string(&m, "kind", &what)?;
        // Every key a rule of this kind may have: the shared ones and its own.
        let keys = |own: &[&str]| {
            let mut all = vec!["name", "kind", "resolution", "hold", "types", "categories"];
            all.extend_from_slice(own);
            only_keys(&m, &all, &what)
        };
        // An integer setting with its default and range.
        let int = |key: &str, default: i64, lo: i64, hi: i64| -> Result<u32, String> {
            in_range(
                opt_int(&m, key, &what)?.unwrap_or(default),
                lo,
                hi,
                key,
                &what,
            )
        };
        let selection = Selection {
            types: opt_strings(&m, "types", &what)?,
            categories: opt_strings(&m, "categories", &what)?,
        };
        let res = int("resolution", 9, 6, 10)?;
        let hold_s = int("hold", 45, 5, 3600)?;
        let rule = match kind.as_str() {
            "surge" => {
                keys(&["days", "baseline_days", "false_alarm", "min_count"])?;
                AlertRule::Surge(SurgeRule {
                    name,
                    res: res as u8,
                    days: int("days", 7, 1, 366)?,
                    baseline_days: int("baseline_days", 56, 1, 3660)?,
                    false_alarm: opt_number(&m, "false_alarm", &what)?.unwrap_or(0.01),
                    min_count: int("min_count", 5, 1, 1_000_000)?,
                    selection,
                    hold_s,
                })
            }
            "new_hot_spot" => {
                keys(&["step", "steps", "alpha", "min_count"])?;
                let step = match opt_string(&m, "step", &what)?.as_deref() {
                    None | Some("week") => Step::Week,
                    Some("month") => Step::Month,
                    Some(other) => {
                        return Err(format!(
                            "{what}: `step` must be \"week\" or \"month\", not {other:?}"
                        ));
                    }
                };
                AlertRule::NewHotSpot(NewHotSpotRule {
                    name,
                    res: res as u8,
                    step,
                    steps: int("steps", 12, 3, 520)?,
                    alpha: opt_number(&m, "alpha", &what)?.unwrap_or(0.05),
                    min_count: int("min_count", 10, 1, 1_000_000)?,
                    selection,
                    hold_s,
                })
            }
            other => {
                return Err(format!(
                    "{what}: `kind` must be \"surge\" or \"new_hot_spot\", not {other:?}"
                ));
            }
        };
        rule.validate().map_err(|e| e.to_string())?;
        out.push(rule);
    }
    Ok(out)
}
