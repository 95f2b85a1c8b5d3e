//! Palettes, the taxonomy and named selections, read from what `palettes.rhai` and
//! `taxonomy.rhai` return.

use std::collections::BTreeSet;

use hotspot_core::palette::{DomainMode, Palette, parse_hex};
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::Selection;
use rhai::Dynamic;

use crate::value::{array, map, only_keys, opt_bool, opt_string, opt_strings, req_string, strings};

/// A selection with a name scripts and menus use ("Violent", "Guns").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedSelection {
    pub name: String,
    pub selection: Selection,
}

/// What `taxonomy.rhai` defines.
#[derive(Clone, Debug, PartialEq)]
pub struct TaxonomyDef {
    pub taxonomy: Taxonomy,
    pub selections: Vec<NamedSelection>,
}

impl Default for TaxonomyDef {
    fn default() -> Self {
        let taxonomy = Taxonomy::default();
        let selections = taxonomy
            .categories()
            .iter()
            .map(|c| NamedSelection {
                name: c.clone(),
                selection: Selection {
                    types: vec![],
                    categories: vec![c.clone()],
                },
            })
            .collect();
        TaxonomyDef {
            taxonomy,
            selections,
        }
    }
}

const PALETTE_KEYS: [&str; 7] = [
    "name",
    "stops",
    "mode",
    "reverse",
    "no_data",
    "caption_low",
    "caption_high",
];

/// Palettes from the array `palettes.rhai` evaluates to.
pub(crate) fn palettes(value: &Dynamic) -> Result<Vec<Palette>, String> {
    let list = array(
        value,
        "palettes.rhai must end with the list of palettes: it",
    )?;
    if list.is_empty() {
        return Err("the list of palettes is empty".into());
    }
    let mut names = BTreeSet::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, d) in list.iter().enumerate() {
        let what = format!("palette {}", i + 1);
        let m = map(d, &what)?;
        let name = req_string(&m, "name", &what)?;
        let what = format!("palette `{name}`");
        only_keys(&m, &PALETTE_KEYS, &what)?;
        if !names.insert(name.to_lowercase()) {
            return Err(format!("{what} is defined twice"));
        }
        let stops_value = m
            .get("stops")
            .ok_or_else(|| format!("{what}: `stops` is missing"))?;
        let stops = strings(stops_value, &format!("{what}: `stops`"))?
            .iter()
            .map(|s| parse_hex(s).map_err(|e| format!("{what}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if stops.is_empty() {
            return Err(format!("{what}: `stops` needs at least one colour"));
        }
        let mode = match opt_string(&m, "mode", &what)? {
            Some(s) => DomainMode::parse(&s).map_err(|e| format!("{what}: {e}"))?,
            None => DomainMode::Linear,
        };
        let no_data = match opt_string(&m, "no_data", &what)? {
            Some(s) => parse_hex(&s).map_err(|e| format!("{what}: `no_data`: {e}"))?,
            None => hotspot_core::palette::DEFAULT_NO_DATA,
        };
        out.push(Palette {
            name,
            stops,
            mode,
            reverse: opt_bool(&m, "reverse", &what)?.unwrap_or(false),
            no_data,
            caption_low: opt_string(&m, "caption_low", &what)?.unwrap_or_else(|| "lower".into()),
            caption_high: opt_string(&m, "caption_high", &what)?.unwrap_or_else(|| "higher".into()),
        });
    }
    Ok(out)
}

/// The taxonomy and selections from the map `taxonomy.rhai` evaluates to.
pub(crate) fn taxonomy(value: &Dynamic) -> Result<TaxonomyDef, String> {
    let m = map(value, "taxonomy.rhai must end with a map: it")?;
    only_keys(&m, &["categories", "fallback", "selections"], "taxonomy")?;
    let fallback = opt_string(&m, "fallback", "taxonomy")?.unwrap_or_else(|| "Other".into());
    let cats = array(
        m.get("categories")
            .ok_or("taxonomy: `categories` is missing")?,
        "taxonomy: `categories`",
    )?;
    let mut names = Vec::new();
    let mut assignments: Vec<(String, String)> = Vec::new();
    for (i, d) in cats.iter().enumerate() {
        let what = format!("category {}", i + 1);
        let c = map(d, &what)?;
        let name = req_string(&c, "name", &what)?;
        let what = format!("category `{name}`");
        only_keys(&c, &["name", "types"], &what)?;
        if names.contains(&name) {
            return Err(format!("{what} is defined twice"));
        }
        for t in opt_strings(&c, "types", &what)? {
            let t = t.trim().to_uppercase();
            if let Some((_, other)) = assignments.iter().find(|(ty, _)| *ty == t) {
                return Err(format!("{t} is in both `{other}` and `{name}`"));
            }
            assignments.push((t, name.clone()));
        }
        names.push(name);
    }
    let mut taxonomy = Taxonomy::new(names.clone(), &fallback);
    for (t, c) in &assignments {
        taxonomy.assign(t, c);
    }
    let known: Vec<String> = taxonomy.categories().to_vec();
    let mut selections = Vec::new();
    if let Some(list) = m.get("selections").filter(|d| !d.is_unit()) {
        for (i, d) in array(list, "taxonomy: `selections`")?.iter().enumerate() {
            let what = format!("selection {}", i + 1);
            let s = map(d, &what)?;
            let name = req_string(&s, "name", &what)?;
            let what = format!("selection `{name}`");
            only_keys(&s, &["name", "types", "categories"], &what)?;
            let types: Vec<String> = opt_strings(&s, "types", &what)?
                .iter()
                .map(|t| t.trim().to_uppercase())
                .collect();
            let categories = opt_strings(&s, "categories", &what)?;
            for c in &categories {
                if !known.iter().any(|k| k.eq_ignore_ascii_case(c)) {
                    return Err(format!(
                        "{what}: `{c}` is not a category (categories: {})",
                        known.join(", ")
                    ));
                }
            }
            if types.is_empty() && categories.is_empty() {
                return Err(format!(
                    "{what} selects nothing: give `types` or `categories`"
                ));
            }
            if selections
                .iter()
                .any(|x: &NamedSelection| x.name.eq_ignore_ascii_case(&name))
            {
                return Err(format!("{what} is defined twice"));
            }
            selections.push(NamedSelection {
                name,
                selection: Selection { types, categories },
            });
        }
    }
    Ok(TaxonomyDef {
        taxonomy,
        selections,
    })
}
