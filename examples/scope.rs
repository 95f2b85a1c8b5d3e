//! Open a lake and run a scope: the last 28 days at street scale (r9), violent offences only,
//! with the KPIs, the top five cells and the warnings.
//!
//! `cargo run -p hotspot-examples --example scope [LAKE_DIR]`

use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Engine, Scope, Selection};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let example = hotspot_examples::lake_or_demo()?;
    let engine = Engine::open(&example.lake)?;
    let (_, last) = engine.date_range();
    let scope = Scope {
        selection: Selection {
            types: vec![],
            categories: vec!["Violent".into()],
        },
        ..Scope::new(9, last - chrono::Days::new(27), last)
    };
    let result = engine.query(&scope, &Taxonomy::default())?;
    let k = &result.kpis;
    println!(
        "{} · {}: {} {} ({} arrests, {:.1} % arrest rate), {} cells with data, in {} µs",
        result.period_label,
        hotspot_core::res::display(scope.res),
        k.incidents,
        k.incidents_label.to_lowercase(),
        k.arrests,
        k.arrest_rate * 100.0,
        result.cells.len(),
        result.elapsed_us
    );
    for row in result.table.iter().take(5) {
        println!(
            "  {:015x}  {:>4} selected of {:>4}  {}",
            row.cell, row.selected, row.incidents, row.label
        );
    }
    for w in &result.warnings {
        println!("  warning: {}", w.message);
    }
    Ok(())
}
