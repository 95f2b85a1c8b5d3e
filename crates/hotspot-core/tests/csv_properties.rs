//! Properties of the CSV record splitter, over generated inputs rather than hand-picked files:
//!
//! - on well-formed input (any fields, quoted commas, quotes and line breaks, any of LF, CRLF
//!   and CR endings, any block size) it agrees with the `csv` crate and with the fields that
//!   were written, and numbers each record by its first physical line;
//! - on arbitrary bytes it never panics and accounts for every physical line: each is part of
//!   a record or counted as blank.

use std::borrow::Cow;

use hotspot_core::csv::{CsvBlocks, MAX_RECORD_LINES, RecordSpan, split_fields, write_field};
use proptest::prelude::*;

/// Every record the splitter finds in `data`, with its span, read in blocks of `block`.
fn scan(data: &[u8], block: usize) -> (Vec<(RecordSpan, Vec<u8>)>, u64) {
    let mut blocks = CsvBlocks::new(data, block);
    let mut out = Vec::new();
    while let Some(b) = blocks.next_block().expect("in-memory read") {
        for span in &b.records {
            out.push((*span, b.bytes(span).to_vec()));
        }
    }
    (out, blocks.blank_lines())
}

fn fields_of(record: &[u8]) -> Vec<Vec<u8>> {
    let mut f: Vec<Cow<'_, [u8]>> = Vec::new();
    split_fields(record, &mut f);
    f.into_iter().map(Cow::into_owned).collect()
}

/// Physical lines of `data`, counted independently: LF, CRLF and a lone CR each end one; a
/// last line without a terminator counts when it is not empty.
fn physical_lines(data: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    let mut open = false;
    while i < data.len() {
        match data[i] {
            b'\n' => {
                n += 1;
                open = false;
            }
            b'\r' => {
                n += 1;
                open = false;
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

/// Line breaks inside a field (LF, CRLF and CR each one).
fn breaks(f: &str) -> u64 {
    (f.matches('\n').count() + f.matches('\r').count() - f.matches("\r\n").count()) as u64
}

/// A field: plain text, or text that needs quoting (commas, quotes, at most one line break).
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9 ./:()#&'-]{0,12}",
        1 => "[A-Za-z ,\"]{1,10}",
        1 => "[A-Za-z]{0,5}(\n|\r\n|\r)[A-Za-z]{0,5}",
    ]
}

/// A record: 2 to 8 fields, at most `MAX_RECORD_LINES - 1` line breaks inside quotes.
fn record() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(field(), 2..8).prop_filter("few enough line breaks", |r| {
        r.iter().map(|f| breaks(f)).sum::<u64>() < MAX_RECORD_LINES
    })
}

fn ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_input_reads_back_exactly(
        records in prop::collection::vec(record(), 1..200),
        end in ending(),
        final_terminator in any::<bool>(),
        block in 4096usize..20_000,
    ) {
        let mut data = Vec::new();
        let mut expected_lines = Vec::new();
        let mut line = 1u64;
        for (i, r) in records.iter().enumerate() {
            expected_lines.push(line);
            for (k, f) in r.iter().enumerate() {
                if k > 0 {
                    data.push(b',');
                }
                write_field(&mut data, f);
                line += breaks(f);
            }
            if i + 1 < records.len() || final_terminator {
                data.extend_from_slice(end.as_bytes());
            }
            line += 1;
        }

        let (found, blank) = scan(&data, block);
        prop_assert_eq!(blank, 0);
        prop_assert_eq!(found.len(), records.len());
        for ((span, bytes), (r, line)) in found.iter().zip(records.iter().zip(&expected_lines)) {
            let want: Vec<Vec<u8>> = r.iter().map(|f| f.as_bytes().to_vec()).collect();
            prop_assert_eq!(&fields_of(bytes), &want);
            prop_assert_eq!(span.line, *line);
        }

        // The `csv` crate reads the same records (it also ends records at LF, CRLF or CR).
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&data[..]);
        let theirs: Vec<Vec<Vec<u8>>> = reader
            .byte_records()
            .map(|r| r.expect("csv crate").iter().map(<[u8]>::to_vec).collect())
            .collect();
        let ours: Vec<Vec<Vec<u8>>> = found.iter().map(|(_, b)| fields_of(b)).collect();
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_every_line_is_accounted_for(
        data in prop::collection::vec(
            prop_oneof![
                8 => any::<u8>(),
                2 => Just(b','),
                2 => Just(b'"'),
                2 => Just(b'\n'),
                1 => Just(b'\r'),
                1 => Just(b' '),
            ],
            0..6000,
        ),
        block in 4096usize..9000,
    ) {
        let (found, blank) = scan(&data, block);
        let in_records: u64 = found.iter().map(|(s, _)| s.lines).sum();
        prop_assert_eq!(in_records + blank, physical_lines(&data));
        // Records come in order and never overlap.
        for pair in found.windows(2) {
            prop_assert!(pair[0].0.line + pair[0].0.lines <= pair[1].0.line);
        }
        for (span, bytes) in &found {
            prop_assert!(span.lines >= 1 && span.lines <= MAX_RECORD_LINES);
            let _ = fields_of(bytes);
        }
    }
}
