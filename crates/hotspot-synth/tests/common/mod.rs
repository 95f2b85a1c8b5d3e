//! Shared helpers: generating, parsing back, locating the real sample.

#![allow(dead_code)]

use chrono::NaiveDate;
use hotspot_core::csv::{CsvBlocks, split_fields};
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::{Field, Header, HeaderStyle, Record, parse_record};
use hotspot_synth::{CityModel, GenerateOptions, GenerateSummary, generate};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn model() -> CityModel {
    CityModel::embedded().expect("embedded model")
}

pub fn options(
    rows: u64,
    from: NaiveDate,
    to: NaiveDate,
    seed: u64,
    style: HeaderStyle,
) -> GenerateOptions {
    GenerateOptions {
        rows,
        from,
        to,
        seed,
        style,
    }
}

pub fn generate_bytes(model: &CityModel, opts: &GenerateOptions) -> (Vec<u8>, GenerateSummary) {
    let mut out = Vec::new();
    let summary = generate(model, opts, &mut out, &NoProgress).expect("generate");
    (out, summary)
}

/// One generated row, parsed back.
pub struct Parsed {
    pub record: Record<'static>,
    /// The Block field as written (parse_record upper-cases it).
    pub raw_block: String,
    /// The whole line as written.
    pub line: String,
}

/// Parses generated CSV bytes with the core reader; panics on any row that does not parse.
pub fn parse_all(bytes: &[u8]) -> (Header, Vec<Parsed>) {
    let mut header: Option<Header> = None;
    let mut out = Vec::new();
    for block in CsvBlocks::new(bytes, 1 << 20) {
        let block = block.expect("read");
        let mut fields = Vec::new();
        for span in &block.records {
            let raw = block.bytes(span);
            let text = std::str::from_utf8(raw).expect("utf8");
            split_fields(raw, &mut fields);
            let strs: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            match &header {
                None => header = Some(Header::detect(&strs).expect("header")),
                Some(h) => {
                    let refs: Vec<&str> = strs.iter().map(String::as_str).collect();
                    let record = parse_record(h, &refs)
                        .unwrap_or_else(|e| {
                            panic!("row {} does not parse: {e:?}\n{text}", span.line)
                        })
                        .into_owned();
                    let raw_block =
                        refs[h.position(Field::Block).expect("block column")].to_string();
                    out.push(Parsed {
                        record,
                        raw_block,
                        line: text.to_string(),
                    });
                }
            }
        }
    }
    (header.expect("a header row"), out)
}
