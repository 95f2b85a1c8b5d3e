//! Generates rows from the embedded model and reports the speed.
//!
//! `cargo run --release -p hotspot-synth --example synth-bench -- [ROWS] [OUT.csv[.gz]|-] [FROM] [TO]`
//! (without OUT, or with `-`, the rows are discarded: generation and formatting only; the
//! range defaults to 2020-01-01..2024-12-31).

use std::time::Instant;

use chrono::NaiveDate;
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::HeaderStyle;
use hotspot_synth::{CityModel, GenerateOptions, generate, generate_to_path};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let out = args.next().filter(|o| o != "-");
    let day = |text: Option<String>, default: &str| {
        NaiveDate::parse_from_str(text.as_deref().unwrap_or(default), "%Y-%m-%d")
    };
    let from = day(args.next(), "2020-01-01")?;
    let to = day(args.next(), "2024-12-31")?;
    let model = CityModel::embedded()?;
    let opts = GenerateOptions {
        rows,
        from,
        to,
        seed: 42,
        style: HeaderStyle::Export,
    };
    let start = Instant::now();
    let summary = match &out {
        Some(path) => generate_to_path(&model, &opts, path.as_ref(), &NoProgress)?,
        None => generate(&model, &opts, std::io::sink(), &NoProgress)?,
    };
    let secs = start.elapsed().as_secs_f64();
    println!("{summary:?}");
    println!(
        "{rows} rows in {secs:.2} s: {:.0} rows/s",
        rows as f64 / secs
    );
    Ok(())
}
