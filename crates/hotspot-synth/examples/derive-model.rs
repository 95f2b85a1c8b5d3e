//! Derives a city model from Socrata CSVs and prints its canonical JSON.
//!
//! `cargo run -p hotspot-synth --example derive-model -- SAMPLE.csv [MORE.csv.gz …] > data/city-model.json`

use std::path::PathBuf;

use hotspot_synth::CityModel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        return Err("usage: derive-model FILE.csv[.gz]...".into());
    }
    let model = CityModel::derive(&paths)?;
    print!("{}", model.to_json()?);
    Ok(())
}
