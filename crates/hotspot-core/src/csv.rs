//! A CSV record splitter that never loses a line.
//!
//! General-purpose CSV readers either stop at the first malformed record or silently repair it.
//! The lake contract wants every bad row quarantined with its *physical line number and raw
//! text*, so Hotspot splits records itself: [`CsvBlocks`] reads large blocks, finds record
//! boundaries (RFC 4180 quoting, quoted newlines allowed, CRLF or LF), and hands out
//! [`RecordSpan`]s pointing into the block. [`split_fields`] then splits one record.
//!
//! Recovery rule: a quoted field that runs on for more than [`MAX_RECORD_LINES`] physical lines
//! (or [`MAX_RECORD_BYTES`]) is an unterminated quote. Only the record's *first* physical line is
//! reported as bad; scanning restarts on the next line, so the rows after a stray quote still get
//! their own chance instead of being swallowed.

use std::borrow::Cow;
use std::io::{self, Read};

/// A quoted field may span at most this many physical lines.
pub const MAX_RECORD_LINES: u64 = 64;
/// A record may be at most this many bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// How a record span was delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanStatus {
    /// A well-formed record.
    Complete,
    /// The first line of a record whose quoted field never closed.
    UnterminatedQuote,
    /// A single physical line longer than [`MAX_RECORD_BYTES`] (truncated to that size).
    Oversized,
}

/// One record inside a [`Block`]: its first physical line (1-based) and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSpan {
    pub line: u64,
    pub start: usize,
    pub end: usize,
    pub status: SpanStatus,
}

/// A block of input bytes and the records found in it.
#[derive(Debug, Default)]
pub struct Block {
    pub data: Vec<u8>,
    pub records: Vec<RecordSpan>,
}

impl Block {
    /// The raw bytes of a record (without its line terminator).
    pub fn bytes(&self, span: &RecordSpan) -> &[u8] {
        &self.data[span.start..span.end]
    }
}

/// Reads a byte stream as blocks of whole CSV records.
pub struct CsvBlocks<R> {
    reader: R,
    block_size: usize,
    carry: Vec<u8>,
    /// Physical line number of the first byte of `carry`.
    carry_line: u64,
    eof: bool,
    /// Bytes still to be skipped up to the next newline (after an oversized line).
    skipping: bool,
    first: bool,
}

impl<R: Read> CsvBlocks<R> {
    /// Splits `reader` into blocks of roughly `block_size` bytes.
    pub fn new(reader: R, block_size: usize) -> Self {
        Self {
            reader,
            block_size: block_size.max(4096),
            carry: Vec::new(),
            carry_line: 1,
            eof: false,
            skipping: false,
            first: true,
        }
    }

    fn fill(&mut self, data: &mut Vec<u8>) -> io::Result<()> {
        let target = data.len() + self.block_size;
        while data.len() < target && !self.eof {
            let old = data.len();
            data.resize(target, 0);
            let n = loop {
                match self.reader.read(&mut data[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        data.truncate(old);
                        return Err(e);
                    }
                }
            };
            data.truncate(old + n);
            if n == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// The next block, or `None` at the end of input.
    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        loop {
            if self.eof && self.carry.is_empty() {
                return Ok(None);
            }
            let mut data = std::mem::take(&mut self.carry);
            let mut line = self.carry_line;
            self.fill(&mut data)?;
            if self.first {
                self.first = false;
                if data.starts_with(b"\xEF\xBB\xBF") {
                    data.drain(..3);
                }
            }
            let mut records = Vec::new();
            let mut pos = 0usize;
            if self.skipping {
                match memchr::memchr(b'\n', &data) {
                    Some(nl) => {
                        pos = nl + 1;
                        line += 1;
                        self.skipping = false;
                    }
                    None => {
                        if self.eof {
                            return Ok(None);
                        }
                        continue;
                    }
                }
            }
            loop {
                match scan_record(&data[pos..], self.eof) {
                    Scan::Record {
                        len,
                        consumed,
                        lines,
                    } => {
                        if len > 0 && !is_blank(&data[pos..pos + len]) {
                            records.push(RecordSpan {
                                line,
                                start: pos,
                                end: pos + len,
                                status: SpanStatus::Complete,
                            });
                        }
                        pos += consumed;
                        line += lines;
                    }
                    Scan::Unterminated {
                        first_line_len,
                        first_line_consumed,
                    } => {
                        records.push(RecordSpan {
                            line,
                            start: pos,
                            end: pos + first_line_len,
                            status: SpanStatus::UnterminatedQuote,
                        });
                        pos += first_line_consumed;
                        line += 1;
                    }
                    Scan::Oversized => {
                        records.push(RecordSpan {
                            line,
                            start: pos,
                            end: pos + MAX_RECORD_BYTES.min(data.len() - pos),
                            status: SpanStatus::Oversized,
                        });
                        match memchr::memchr(b'\n', &data[pos..]) {
                            Some(nl) => {
                                pos += nl + 1;
                                line += 1;
                            }
                            None => {
                                pos = data.len();
                                self.skipping = !self.eof;
                            }
                        }
                    }
                    Scan::NeedMore => break,
                    Scan::End => break,
                }
                if pos >= data.len() {
                    break;
                }
            }
            self.carry = data[pos..].to_vec();
            self.carry_line = line;
            data.truncate(pos);
            if !records.is_empty() || (self.eof && self.carry.is_empty()) {
                return Ok(Some(Block { data, records }));
            }
            if self.eof && !self.carry.is_empty() && pos == 0 && !self.skipping {
                // Cannot happen: at EOF scan_record always consumes something.
                self.carry.clear();
            }
        }
    }
}

impl<R: Read> Iterator for CsvBlocks<R> {
    type Item = io::Result<Block>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_block().transpose()
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

enum Scan {
    /// A record of `len` bytes (terminator excluded); `consumed` includes the terminator.
    Record {
        len: usize,
        consumed: usize,
        lines: u64,
    },
    Unterminated {
        first_line_len: usize,
        first_line_consumed: usize,
    },
    Oversized,
    NeedMore,
    End,
}

fn trim_cr(bytes: &[u8], end: usize) -> usize {
    if end > 0 && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn scan_record(bytes: &[u8], eof: bool) -> Scan {
    if bytes.is_empty() {
        return Scan::End;
    }
    let mut in_quote = false;
    let mut i = 0usize;
    let mut lines = 1u64;
    let mut first_nl: Option<usize> = None;
    loop {
        match memchr::memchr2(b'"', b'\n', &bytes[i..]) {
            Some(off) => {
                let at = i + off;
                if bytes[at] == b'"' {
                    in_quote = !in_quote;
                    i = at + 1;
                } else if in_quote {
                    first_nl.get_or_insert(at);
                    lines += 1;
                    i = at + 1;
                    if lines > MAX_RECORD_LINES || at > MAX_RECORD_BYTES {
                        let nl = first_nl.unwrap_or(at);
                        return Scan::Unterminated {
                            first_line_len: trim_cr(bytes, nl),
                            first_line_consumed: nl + 1,
                        };
                    }
                } else {
                    return Scan::Record {
                        len: trim_cr(bytes, at),
                        consumed: at + 1,
                        lines,
                    };
                }
            }
            None => {
                if !eof {
                    if bytes.len() > MAX_RECORD_BYTES {
                        return match first_nl {
                            Some(nl) => Scan::Unterminated {
                                first_line_len: trim_cr(bytes, nl),
                                first_line_consumed: nl + 1,
                            },
                            None => Scan::Oversized,
                        };
                    }
                    return Scan::NeedMore;
                }
                if in_quote {
                    return match first_nl {
                        Some(nl) => Scan::Unterminated {
                            first_line_len: trim_cr(bytes, nl),
                            first_line_consumed: nl + 1,
                        },
                        None => Scan::Unterminated {
                            first_line_len: trim_cr(bytes, bytes.len()),
                            first_line_consumed: bytes.len(),
                        },
                    };
                }
                let len = trim_cr(bytes, bytes.len());
                if len > MAX_RECORD_BYTES {
                    return Scan::Oversized;
                }
                return Scan::Record {
                    len,
                    consumed: bytes.len(),
                    lines,
                };
            }
        }
    }
}

/// Walks one record's fields (RFC 4180): for each field, `field` receives the byte ranges of
/// `record` whose concatenation is the field's text — one range unless `""` escapes or text
/// after a closing quote had to be joined. Quoted fields lose their quotes and `""` becomes
/// `"`; a quote inside an unquoted field, or text after a closing quote, is kept literally; an
/// unterminated quote takes the rest of the record. Every range starts and ends next to an
/// ASCII comma or quote (or the record's ends), so UTF-8 text splits on char boundaries.
fn scan_fields(
    record: &[u8],
    segs: &mut Vec<std::ops::Range<usize>>,
    mut field: impl FnMut(&[std::ops::Range<usize>]),
) {
    let mut i = 0usize;
    loop {
        segs.clear();
        if i < record.len() && record[i] == b'"' {
            let mut j = i + 1;
            let mut seg = j;
            loop {
                let Some(off) = memchr::memchr(b'"', &record[j..]) else {
                    segs.push(seg..record.len());
                    field(segs);
                    return;
                };
                let q = j + off;
                if record.get(q + 1) == Some(&b'"') {
                    // An escaped quote: keep one of the two.
                    segs.push(seg..q + 1);
                    j = q + 2;
                    seg = j;
                    continue;
                }
                // The closing quote; anything up to the next comma is kept literally.
                let after = q + 1;
                let next_comma = memchr::memchr(b',', &record[after..]).map(|o| after + o);
                segs.push(seg..q);
                segs.push(after..next_comma.unwrap_or(record.len()));
                segs.retain(|r| !r.is_empty());
                field(segs);
                match next_comma {
                    Some(c) => {
                        i = c + 1;
                        break;
                    }
                    None => return,
                }
            }
        } else {
            let end = memchr::memchr(b',', &record[i..]).map(|o| i + o);
            segs.push(i..end.unwrap_or(record.len()));
            field(segs);
            match end {
                Some(c) => i = c + 1,
                None => return,
            }
        }
    }
}

/// Splits one record into fields (see [`scan_fields`] for the rules); fields borrow from the
/// record unless escapes had to be joined.
pub fn split_fields<'a>(record: &'a [u8], out: &mut Vec<Cow<'a, [u8]>>) {
    out.clear();
    let mut segs = Vec::new();
    scan_fields(record, &mut segs, |s| {
        out.push(match s {
            [] => Cow::Borrowed(&record[0..0]),
            [one] => Cow::Borrowed(&record[one.clone()]),
            many => Cow::Owned(
                many.iter()
                    .flat_map(|r| &record[r.clone()])
                    .copied()
                    .collect(),
            ),
        })
    });
}

/// [`split_fields`] for a record already known to be UTF-8: fields are `&str` slices of it
/// (or owned text where `""` escapes had to be unescaped), with no second validation.
pub fn split_fields_str<'a>(record: &'a str, out: &mut Vec<Cow<'a, str>>) {
    out.clear();
    let mut segs = Vec::new();
    scan_fields(record.as_bytes(), &mut segs, |s| {
        out.push(match s {
            [] => Cow::Borrowed(""),
            [one] => Cow::Borrowed(&record[one.clone()]),
            many => Cow::Owned(many.iter().map(|r| &record[r.clone()]).collect()),
        })
    });
}

/// Writes one field, quoting it when it contains a comma, quote, CR or LF.
pub fn write_field(out: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str, block: usize) -> Vec<(u64, String, SpanStatus)> {
        let mut out = Vec::new();
        for b in CsvBlocks::new(input.as_bytes(), block) {
            let b = b.expect("read");
            for r in &b.records {
                out.push((
                    r.line,
                    String::from_utf8_lossy(b.bytes(r)).into_owned(),
                    r.status,
                ));
            }
        }
        out
    }

    fn fields(rec: &str) -> Vec<String> {
        let mut v = Vec::new();
        split_fields(rec.as_bytes(), &mut v);
        v.iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }

    #[test]
    fn splits_records_with_quoted_newlines_and_counts_lines() {
        let input = "h1,h2\r\na,\"x\ny\"\nb,c\n\nd,e";
        let got = records(input, 4096);
        assert_eq!(
            got,
            vec![
                (1, "h1,h2".into(), SpanStatus::Complete),
                (2, "a,\"x\ny\"".into(), SpanStatus::Complete),
                (4, "b,c".into(), SpanStatus::Complete),
                (6, "d,e".into(), SpanStatus::Complete),
            ]
        );
    }

    #[test]
    fn block_boundaries_do_not_change_records() {
        let mut input = String::from("id,text\n");
        for i in 0..500 {
            input.push_str(&format!("{i},\"multi\nline {i}, with \"\"quotes\"\"\"\n"));
        }
        let reference = records(&input, 1 << 20);
        assert_eq!(reference.len(), 501);
        for block in [4096, 4097, 5000] {
            assert_eq!(records(&input, block), reference);
        }
        assert_eq!(reference[2].0, 4);
    }

    #[test]
    fn unterminated_quote_costs_one_line_only() {
        let mut input = String::from("a,\"broken\n");
        for i in 0..100 {
            input.push_str(&format!("{i},ok\n"));
        }
        let got = records(&input, 4096);
        assert_eq!(
            got[0],
            (1, "a,\"broken".into(), SpanStatus::UnterminatedQuote)
        );
        // Lines 2.. are all recovered.
        assert_eq!(got.len(), 101);
        assert_eq!(got[1], (2, "0,ok".into(), SpanStatus::Complete));
        assert_eq!(got[100], (101, "99,ok".into(), SpanStatus::Complete));
    }

    #[test]
    fn unterminated_quote_at_end_of_input() {
        let got = records("x,y\n1,\"open", 4096);
        assert_eq!(
            got[1],
            (2, "1,\"open".into(), SpanStatus::UnterminatedQuote)
        );
    }

    #[test]
    fn bom_is_stripped() {
        let got = records("\u{feff}ID,Date\n1,2\n", 4096);
        assert_eq!(got[0].1, "ID,Date");
    }

    #[test]
    fn field_splitting() {
        assert_eq!(fields("a,b,,c"), vec!["a", "b", "", "c"]);
        assert_eq!(
            fields("\"a,b\",\"say \"\"hi\"\"\",x"),
            vec!["a,b", "say \"hi\"", "x"]
        );
        assert_eq!(fields(""), vec![""]);
        assert_eq!(fields("a,"), vec!["a", ""]);
        assert_eq!(fields("\"(41.7, -87.6)\""), vec!["(41.7, -87.6)"]);
        // Lenient on malformed quoting: kept literally, never dropped.
        assert_eq!(fields("ab\"c,d"), vec!["ab\"c", "d"]);
        assert_eq!(fields("\"ab\"c,d"), vec!["abc", "d"]);
        assert_eq!(fields("\"open,d"), vec!["open,d"]);
    }

    #[test]
    fn str_splitting_by_hand() {
        let split = |rec: &str| {
            let mut s = Vec::new();
            split_fields_str(rec, &mut s);
            s.iter()
                .map(|f| (f.to_string(), matches!(f, Cow::Owned(_))))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            split("Cañon,\"ñ,ü\""),
            [("Cañon".to_string(), false), ("ñ,ü".to_string(), false)]
        );
        // An escaped quote has to be joined: the field is owned, the others borrowed.
        assert_eq!(
            split("\"say \"\"hi\"\"\",x"),
            [("say \"hi\"".to_string(), true), ("x".to_string(), false)]
        );
        assert_eq!(split(""), [(String::new(), false)]);
    }

    #[test]
    fn str_splitting_matches_byte_splitting() {
        for rec in [
            "a,b,,c",
            "\"a,b\",\"say \"\"hi\"\"\",x",
            "",
            "a,",
            "ab\"c,d",
            "\"ab\"c,d",
            "\"open,d",
            "Cañon,\"ñ,ü\"",
        ] {
            let mut s = Vec::new();
            split_fields_str(rec, &mut s);
            assert_eq!(
                s.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
                fields(rec),
                "{rec}"
            );
        }
    }

    #[test]
    fn write_field_round_trips() {
        for text in ["plain", "a,b", "say \"hi\"", "line\nbreak", ""] {
            let mut buf = Vec::new();
            write_field(&mut buf, text);
            assert_eq!(fields(std::str::from_utf8(&buf).expect("utf8")), vec![text]);
        }
    }
}
