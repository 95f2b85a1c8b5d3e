//! A CSV record splitter that never loses a line.
//!
//! General-purpose CSV readers either stop at the first malformed record or silently repair it.
//! The lake contract wants every bad row quarantined with its *physical line number and raw
//! text*, so Hotspot splits records itself: [`CsvBlocks`] reads large blocks, finds record
//! boundaries (RFC 4180 quoting, quoted line breaks allowed; LF, CRLF or a lone CR ends a
//! line), and hands out [`RecordSpan`]s pointing into the block. [`split_fields`] then splits
//! one record. Both follow the same quoting rule: a quote opens a quoted field only at the start
//! of a field; anywhere else (`12" TV`) it is an ordinary character.
//!
//! Recovery rule: a quoted field that runs on for more than [`MAX_RECORD_LINES`] physical lines
//! (or [`MAX_RECORD_BYTES`]) is an unterminated quote. Only the record's *first* physical line is
//! reported as bad; scanning restarts on the next line, so the rows after a stray quote still get
//! their own chance instead of being swallowed. A record that does span several lines says so
//! ([`RecordSpan::lines`]), so a reader can fall back to its lines one by one when it does not
//! parse as a whole.

use std::borrow::Cow;
use std::io::{self, Read};

/// A quoted field may span at most this many physical lines (its own and the next few).
pub const MAX_RECORD_LINES: u64 = 4;
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

/// One record inside a [`Block`]: its first physical line (1-based), how many physical lines
/// it spans, and its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSpan {
    pub line: u64,
    pub lines: u64,
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
    blank_lines: u64,
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
            blank_lines: 0,
        }
    }

    /// Physical lines seen so far that held nothing but spaces, tabs or nothing at all (they
    /// are no record, but a reader accounting for every line counts them).
    pub fn blank_lines(&self) -> u64 {
        self.blank_lines
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
                match line_end(&data, self.eof) {
                    Some(next) => {
                        pos = next;
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
                                lines,
                                start: pos,
                                end: pos + len,
                                status: SpanStatus::Complete,
                            });
                        } else {
                            self.blank_lines += lines;
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
                            lines: 1,
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
                            lines: 1,
                            start: pos,
                            end: pos + MAX_RECORD_BYTES.min(data.len() - pos),
                            status: SpanStatus::Oversized,
                        });
                        match line_end(&data[pos..], self.eof) {
                            Some(next) => {
                                pos += next;
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

/// The position just after the first line terminator (LF, CRLF or a lone CR) in `bytes`;
/// `None` when there is none yet (or a CR ends the data and more may follow).
fn line_end(bytes: &[u8], eof: bool) -> Option<usize> {
    let at = memchr::memchr2(b'\n', b'\r', bytes)?;
    terminator_len(bytes, at, eof).map(|t| at + t.max(1))
}

/// How one physical line reads as a record on its own: [`SpanStatus::UnterminatedQuote`] when
/// a quoted field opens in it and does not close, else [`SpanStatus::Complete`] (or
/// [`SpanStatus::Oversized`] beyond [`MAX_RECORD_BYTES`]).
pub fn line_status(line: &[u8]) -> SpanStatus {
    match scan_record(line, true) {
        Scan::Record { lines: 1, .. } | Scan::End => SpanStatus::Complete,
        Scan::Oversized => SpanStatus::Oversized,
        _ => SpanStatus::UnterminatedQuote,
    }
}

/// Whether a line holds nothing but spaces, tabs and CRs.
pub fn is_blank(bytes: &[u8]) -> bool {
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

/// How a record ended: the terminator's length (0 at end of input).
fn terminator_len(bytes: &[u8], at: usize, eof: bool) -> Option<usize> {
    match bytes[at] {
        b'\n' => Some(1),
        // CRLF, or a lone CR (old Mac / Excel "CSV (Macintosh)" files).
        b'\r' => match bytes.get(at + 1) {
            Some(b'\n') => Some(2),
            Some(_) => Some(1),
            None if eof => Some(1),
            None => None,
        },
        _ => Some(0),
    }
}

/// Finds the end of the record at the start of `bytes`.
///
/// Quotes follow the field rules of [`scan_fields`]: a quote opens a quoted field only at the
/// start of a field (the record's first byte or right after a comma); anywhere else it is a
/// literal character, so `12" TV` never starts a quoted field that swallows the next lines.
/// Inside a quoted field `""` is an escaped quote and line breaks belong to the field, for at
/// most [`MAX_RECORD_LINES`] physical lines. Records end at LF, CRLF or a lone CR.
fn scan_record(bytes: &[u8], eof: bool) -> Scan {
    if bytes.is_empty() {
        return Scan::End;
    }
    let unterminated = |first_nl: Option<(usize, usize)>, end: usize| match first_nl {
        Some((nl, term)) => Scan::Unterminated {
            first_line_len: nl,
            first_line_consumed: nl + term,
        },
        None => Scan::Unterminated {
            first_line_len: end,
            first_line_consumed: end,
        },
    };
    let mut i = 0usize;
    let mut lines = 1u64;
    // The first line break inside a quoted field: (position, terminator length).
    let mut first_nl: Option<(usize, usize)> = None;
    loop {
        // Unquoted text: look for a quote, a line break.
        let Some(off) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..]) else {
            if !eof {
                if bytes.len() > MAX_RECORD_BYTES {
                    return match first_nl {
                        Some(_) => unterminated(first_nl, bytes.len()),
                        None => Scan::Oversized,
                    };
                }
                return Scan::NeedMore;
            }
            if bytes.len() > MAX_RECORD_BYTES {
                return Scan::Oversized;
            }
            return Scan::Record {
                len: bytes.len(),
                consumed: bytes.len(),
                lines,
            };
        };
        let at = i + off;
        if bytes[at] != b'"' {
            let Some(term) = terminator_len(bytes, at, eof) else {
                return Scan::NeedMore;
            };
            if at > MAX_RECORD_BYTES {
                return Scan::Oversized;
            }
            return Scan::Record {
                len: at,
                consumed: at + term,
                lines,
            };
        }
        if at > 0 && bytes[at - 1] != b',' {
            // A quote inside an unquoted field: literal.
            i = at + 1;
            continue;
        }
        // A quoted field: up to its closing quote, line breaks included.
        let mut j = at + 1;
        loop {
            let Some(off) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[j..]) else {
                if !eof && bytes.len() <= MAX_RECORD_BYTES {
                    return Scan::NeedMore;
                }
                return unterminated(first_nl, bytes.len());
            };
            let q = j + off;
            if bytes[q] == b'"' {
                match bytes.get(q + 1) {
                    Some(b'"') => j = q + 2,
                    None if !eof => return Scan::NeedMore,
                    _ => {
                        i = q + 1;
                        break;
                    }
                }
                continue;
            }
            let Some(term) = terminator_len(bytes, q, eof) else {
                return Scan::NeedMore;
            };
            first_nl.get_or_insert((q, term));
            lines += 1;
            j = q + term;
            if lines > MAX_RECORD_LINES || q > MAX_RECORD_BYTES {
                return unterminated(first_nl, bytes.len());
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
    fn a_lone_cr_ends_a_line() {
        // Old Mac / Excel "CSV (Macintosh)" files: CR only, or mixed with CRLF and LF.
        let got = records("h1,h2\ra,b\rc,d", 4096);
        assert_eq!(
            got,
            vec![
                (1, "h1,h2".into(), SpanStatus::Complete),
                (2, "a,b".into(), SpanStatus::Complete),
                (3, "c,d".into(), SpanStatus::Complete),
            ]
        );
        let got = records("a,b\r\nc,d\re,f\n\r\ng,h\r", 4096);
        let lines: Vec<(u64, &str)> = got.iter().map(|r| (r.0, r.1.as_str())).collect();
        assert_eq!(lines, [(1, "a,b"), (2, "c,d"), (3, "e,f"), (5, "g,h")]);
        // CRLF split across blocks is still one terminator.
        let mut input = String::from("id,text\r\n");
        for i in 0..800 {
            input.push_str(&format!("{i},row {i}\r\n"));
        }
        let reference = records(&input, 1 << 20);
        assert_eq!(reference.len(), 801);
        for block in [4096, 4097, 4099, 5003] {
            assert_eq!(records(&input, block), reference, "block {block}");
        }
    }

    #[test]
    fn a_quote_inside_a_field_is_an_ordinary_character() {
        let got = records("1,12\" TV,x\n2,ok,y\n3,5\" RADIO,z\n", 4096);
        assert_eq!(
            got,
            vec![
                (1, "1,12\" TV,x".into(), SpanStatus::Complete),
                (2, "2,ok,y".into(), SpanStatus::Complete),
                (3, "3,5\" RADIO,z".into(), SpanStatus::Complete),
            ]
        );
        assert_eq!(fields("1,12\" TV,x"), vec!["1", "12\" TV", "x"]);
        // Text after a closing quote is literal too, quotes included.
        assert_eq!(records("\"a\"b\"c\n2\n", 4096).len(), 2);
    }

    #[test]
    fn a_record_says_how_many_lines_it_spans() {
        // A stray opening quote closed by a stray quote two lines later: one record of three
        // lines, which a reader can split back into its lines.
        let mut blocks = CsvBlocks::new("1,\"abc\n2,def\n3,g\",x\n4,ok\n".as_bytes(), 4096);
        let b = blocks.next_block().expect("read").expect("block");
        let spans: Vec<(u64, u64)> = b.records.iter().map(|r| (r.line, r.lines)).collect();
        assert_eq!(spans, [(1, 3), (4, 1)]);
        // Blank lines are counted, not lost.
        let mut blocks = CsvBlocks::new("a\n\n  \nb\n\n".as_bytes(), 4096);
        let mut n = 0;
        while let Some(b) = blocks.next_block().expect("read") {
            n += b.records.len();
        }
        assert_eq!((n, blocks.blank_lines()), (2, 3));
    }

    #[test]
    fn a_line_on_its_own() {
        assert_eq!(line_status(b"1,ok,x"), SpanStatus::Complete);
        assert_eq!(line_status(b"1,\"a,b\",x"), SpanStatus::Complete);
        assert_eq!(line_status(b"1,12\" TV,x"), SpanStatus::Complete);
        assert_eq!(line_status(b"13,\"JH1,oops"), SpanStatus::UnterminatedQuote);
        assert_eq!(line_status(b""), SpanStatus::Complete);
    }

    #[test]
    fn bom_is_stripped() {
        let got = records("\u{feff}ID,Date\n1,2\n", 4096);
        assert_eq!(got[0].1, "ID,Date");
    }

    #[test]
    fn a_file_of_only_a_bom_has_no_lines() {
        // Found by the fuzzer: the byte-order mark is not content, so a file holding only
        // it has no record and no blank line.
        let mut blocks = CsvBlocks::new(&b"\xEF\xBB\xBF"[..], 4096);
        let mut spans = 0;
        while let Some(block) = blocks.next_block().expect("memory") {
            spans += block.records.len();
        }
        assert_eq!(spans, 0);
        assert_eq!(blocks.blank_lines(), 0);
        let mut blocks = CsvBlocks::new(&b"\xEF\xBB\xBF\n"[..], 4096);
        while blocks.next_block().expect("memory").is_some() {}
        assert_eq!(blocks.blank_lines(), 1);
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
