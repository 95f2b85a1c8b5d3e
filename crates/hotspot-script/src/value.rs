//! Reading what scripts return: typed fields of Rhai maps with messages a script author
//! understands.

use rhai::{Array, Dynamic, Map};

/// A Rhai value's type as a script author would name it.
pub(crate) fn type_name(d: &Dynamic) -> &'static str {
    if d.is_unit() {
        "()"
    } else if d.is_string() {
        "a string"
    } else if d.is_int() {
        "an integer"
    } else if d.is_float() {
        "a number"
    } else if d.is_bool() {
        "true/false"
    } else if d.is_array() {
        "an array"
    } else if d.is_map() {
        "a map"
    } else {
        "another type"
    }
}

/// The value as a map.
pub(crate) fn map(d: &Dynamic, what: &str) -> Result<Map, String> {
    d.read_lock::<Map>()
        .map(|m| m.clone())
        .ok_or_else(|| format!("{what} must be a map `#{{ … }}`, not {}", type_name(d)))
}

/// The value as an array.
pub(crate) fn array(d: &Dynamic, what: &str) -> Result<Array, String> {
    d.read_lock::<Array>()
        .map(|a| a.clone())
        .ok_or_else(|| format!("{what} must be an array `[ … ]`, not {}", type_name(d)))
}

/// The value as a string.
pub(crate) fn string(d: &Dynamic, what: &str) -> Result<String, String> {
    if d.is_string() {
        Ok(d.to_string())
    } else {
        Err(format!("{what} must be a string, not {}", type_name(d)))
    }
}

/// Rejects keys other than `allowed` (catches typos such as `revers: true`).
pub(crate) fn only_keys(m: &Map, allowed: &[&str], what: &str) -> Result<(), String> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!(
                "{what}: unknown field `{k}` (expected one of: {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

/// An optional field (absent or `()` → `None`).
pub(crate) fn field<'a>(m: &'a Map, key: &str) -> Option<&'a Dynamic> {
    m.get(key).filter(|d| !d.is_unit())
}

pub(crate) fn opt_string(m: &Map, key: &str, what: &str) -> Result<Option<String>, String> {
    field(m, key)
        .map(|d| string(d, &format!("{what}: `{key}`")))
        .transpose()
}

pub(crate) fn req_string(m: &Map, key: &str, what: &str) -> Result<String, String> {
    opt_string(m, key, what)?.ok_or_else(|| format!("{what}: `{key}` is missing"))
}

pub(crate) fn opt_bool(m: &Map, key: &str, what: &str) -> Result<Option<bool>, String> {
    field(m, key)
        .map(|d| {
            d.as_bool().map_err(|_| {
                format!(
                    "{what}: `{key}` must be true or false, not {}",
                    type_name(d)
                )
            })
        })
        .transpose()
}

pub(crate) fn opt_int(m: &Map, key: &str, what: &str) -> Result<Option<i64>, String> {
    field(m, key)
        .map(|d| {
            d.as_int()
                .map_err(|_| format!("{what}: `{key}` must be an integer, not {}", type_name(d)))
        })
        .transpose()
}

/// A string, or an array of strings.
pub(crate) fn strings(d: &Dynamic, what: &str) -> Result<Vec<String>, String> {
    if d.is_string() {
        return Ok(vec![d.to_string()]);
    }
    array(d, what)?
        .iter()
        .enumerate()
        .map(|(i, x)| string(x, &format!("{what}[{i}]")))
        .collect()
}

pub(crate) fn opt_strings(m: &Map, key: &str, what: &str) -> Result<Vec<String>, String> {
    field(m, key)
        .map(|d| strings(d, &format!("{what}: `{key}`")))
        .transpose()
        .map(Option::unwrap_or_default)
}
