//! The CSV splitter and record parser on arbitrary bytes: no panic, every physical line
//! accounted for (in a record or counted blank), and every record either parsed or refused
//! with a reason.

#![no_main]

use std::borrow::Cow;

use hotspot_core::csv::{CsvBlocks, MAX_RECORD_LINES, split_fields_str};
use hotspot_core::socrata::{Header, parse_record};
use libfuzzer_sys::fuzz_target;

/// Physical lines, counted independently of the splitter: LF, CRLF and a lone CR each end
/// one; a last line without a terminator counts when it is not empty. A leading byte-order
/// mark is not content.
fn physical_lines(data: &[u8]) -> u64 {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let (mut n, mut i, mut open) = (0u64, 0usize, false);
    while i < data.len() {
        match data[i] {
            b'\n' => (n, open) = (n + 1, false),
            b'\r' => {
                (n, open) = (n + 1, false);
                if data.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => open = true,
        }
        i += 1;
    }
    n + u64::from(open)
}

fuzz_target!(|data: &[u8]| {
    let mut blocks = CsvBlocks::new(data, 4096);
    let mut lines = 0u64;
    let mut header: Option<Header> = None;
    while let Some(block) = blocks.next_block().expect("reading memory cannot fail") {
        let mut fields: Vec<Cow<'_, str>> = Vec::new();
        for span in &block.records {
            assert!((1..=MAX_RECORD_LINES).contains(&span.lines));
            lines += span.lines;
            let Ok(text) = std::str::from_utf8(block.bytes(span)) else {
                continue;
            };
            split_fields_str(text, &mut fields);
            match &header {
                None => header = Header::detect(&fields).ok(),
                Some(h) => {
                    let _ = parse_record(h, &fields);
                }
            }
        }
    }
    assert_eq!(lines + blocks.blank_lines(), physical_lines(data));
});
