//! Run scripts over a scope result: the quick hits narrative of `scripts/quick_hits.rhai`, and
//! a one-line snippet evaluated against the same result (the sandbox and its limits apply).
//!
//! `cargo run -p hotspot-examples --example script [LAKE_DIR]`

use hotspot_scope::{Engine, Scope};
use hotspot_script::ScriptHost;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let example = hotspot_examples::lake_or_demo()?;
    let engine = Engine::open(&example.lake)?;
    let host = ScriptHost::open(hotspot_examples::scripts_dir());
    for e in host.errors() {
        eprintln!("script error: {e}");
    }
    let (_, last) = engine.date_range();
    let scope = Scope::new(8, last - chrono::Days::new(27), last);
    let result = engine.query(&scope, &host.taxonomy())?;
    for hit in host.quick_hits(&result)? {
        println!("• {hit}");
    }
    let busy = host.eval_snippet(
        "let busy = cells.selected >= 10; `${busy.count()} of ${cells.selected.len()} cells have 10 or more incidents`",
        &result,
    )?;
    println!("{busy}");
    Ok(())
}
