//! Render a scripted view to PNG without a window: the view's scope queried, its metric put
//! on the GPU map through `hotspot_present::present`, legend and title painted, written at
//! 1920×1080 (lavapipe is enough: `apt-get install mesa-vulkan-drivers`).
//!
//! `cargo run -p hotspot-examples --example render_view [LAKE_DIR] [VIEW] [OUT.png]`
//! (defaults: a demo lake, `scripts/views/citywide.rhai`, `view.png`)

use std::path::PathBuf;

use hotspot_present::{HeadlessView, Highlight, Overlay, captions, context_layers, present};
use hotspot_render::{FrameSpec, HeadlessOptions};
use hotspot_scope::Engine;
use hotspot_script::ScriptHost;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let example = hotspot_examples::lake_or_demo()?;
    let args: Vec<String> = std::env::args().collect();
    let scripts = hotspot_examples::scripts_dir();
    let view_file = args
        .get(2)
        .map_or_else(|| scripts.join("views/citywide.rhai"), PathBuf::from);
    let out = args
        .get(3)
        .map_or_else(|| PathBuf::from("view.png"), PathBuf::from);

    let engine = Engine::open(&example.lake)?;
    let host = ScriptHost::open(&scripts);
    let view = host.view_file(&view_file, engine.date_range())?;
    let result = engine.query(&view.scope, &host.taxonomy())?;
    let palette = host
        .palette(&view.palette)
        .unwrap_or_else(|| host.palette_for(view.metric));

    let mut picture = HeadlessView::new(HeadlessOptions::default())?;
    let res = result.scope.res;
    let map = picture.map();
    map.set_coverage(res, engine.coverage(res)?)?;
    map.set_context(context_layers(&engine)?)?;
    // The view's predicate, if it names one: its cells drawn in full, the rest dimmed.
    let mask = match &view.predicate {
        Some(name) => Some(host.predicate(name, &result)?),
        None => None,
    };
    let highlight = view
        .predicate
        .as_deref()
        .zip(mask.as_deref())
        .map(|(name, mask)| Highlight { name, mask });
    let shown = present(map, &result, view.metric, &palette, highlight)?;
    let overlay = Overlay {
        title: Some(view.title.clone()),
        subtitle: Some(captions::subtitle(&result)),
        legend: Some(shown.legend),
        labels: true,
        attribution: None,
        stamp: None,
        split: None,
    };
    let frame = FrameSpec::new(1920, 1080);
    picture.fit(&frame, &overlay, &[]);
    picture.render_png(&frame, &overlay, &out)?;
    println!(
        "wrote {} ({} cells of {} coloured by {})",
        out.display(),
        result.cells.len(),
        hotspot_core::res::display(res),
        view.metric.title()
    );
    Ok(())
}
