//! Reading one Socrata CSV (plain or gzip) into month batches and quarantined rows.
//!
//! A reader thread decompresses, hashes and splits the file into blocks of whole records; the
//! calling thread parses each block's records in parallel (rayon) and hands the results, in
//! input order, to a sink.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;

use flate2::read::MultiGzDecoder;
use hotspot_core::csv::{
    Block, CsvBlocks, RecordSpan, SpanStatus, is_blank, line_status, split_fields, split_fields_str,
};
use hotspot_core::lake::SourceFile;
use hotspot_core::progress::Stage;
use hotspot_core::socrata::{Header, HeaderStyle, RejectReason, parse_record};
use hotspot_core::time::YearMonth;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::batch::{BronzeBatch, seq_of};
use crate::error::{PipelineError, Result};

/// Block size for reading: large enough to amortise, small enough to bound memory.
const BLOCK_BYTES: usize = 8 << 20;
/// Records per parallel parse task.
const CHUNK_RECORDS: usize = 4096;

/// The incident dates the lake accepts, as naive Chicago time in microseconds: from the
/// dataset's first day (1 January 2001) to the end of the day after the ingest (a clock or time
/// zone a day ahead is still fine). A record outside is quarantined as `date_out_of_range`: a
/// year of 2199 or 1850 is a typo, and would otherwise stretch every period to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    pub first: i64,
    pub last: i64,
}

impl DateRange {
    /// 2001-01-01T00:00 up to the end of the day after `today`.
    pub fn until_day_after(today: chrono::NaiveDate) -> Self {
        let micros = |d: chrono::NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp_micros())
        };
        let first = chrono::NaiveDate::from_ymd_opt(2001, 1, 1).map_or(0, micros);
        let last = today
            .checked_add_days(chrono::Days::new(2))
            .map_or(i64::MAX, micros)
            - 1;
        Self { first, last }
    }

    fn contains(&self, micros: i64) -> bool {
        (self.first..=self.last).contains(&micros)
    }
}

/// A row that could not become a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    pub source: String,
    pub line: u64,
    pub raw: String,
    pub reason: RejectReason,
    pub detail: String,
}

/// What parsing a run of records produced, in input order.
#[derive(Debug, Default)]
pub struct Parsed {
    pub months: BTreeMap<YearMonth, BronzeBatch>,
    pub rejects: Vec<Quarantined>,
    pub rows: u64,
    /// Physical lines those rows took.
    pub lines: u64,
    /// Accepted records per field-issue code (see [`hotspot_core::socrata::FieldIssues`]).
    pub field_issues: BTreeMap<&'static str, u64>,
    /// The distinct primary types of the accepted records.
    pub types: std::collections::BTreeSet<String>,
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Hex of a digest.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads `path` and calls `sink` with each block's parsed records, in order. A file whose first
/// line is not the dataset's header (an unknown header, a headerless file, an empty file) is an
/// error before any row reaches the sink.
pub fn parse_file(
    path: &Path,
    file_index: usize,
    dates: DateRange,
    stage: &dyn Stage,
    sink: &mut dyn FnMut(Parsed) -> Result<()>,
) -> Result<SourceFile> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| PipelineError::io(path, e))?;
    let size = file
        .metadata()
        .map_err(|e| PipelineError::io(path, e))?
        .len();
    let mut hashing = HashingReader {
        inner: BufReader::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        bytes: 0,
    };

    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match hashing.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(PipelineError::io(path, e)),
        }
    }
    let prefix = io::Cursor::new(magic[..got].to_vec());
    let gz = got == 2 && magic == [0x1f, 0x8b];

    let mut header: Option<Header> = None;
    let mut rows_read = 0u64;
    let mut lines_read = 0u64;
    let (tx, rx) = mpsc::sync_channel::<io::Result<Block>>(2);

    let (hasher_result, blank_lines) = std::thread::scope(|scope| -> Result<(Sha256, u64)> {
        let reader = scope.spawn(move || {
            let chained = prefix.chain(&mut hashing);
            let source: Box<dyn Read + '_> = if gz {
                Box::new(MultiGzDecoder::new(chained))
            } else {
                Box::new(chained)
            };
            let mut blocks = CsvBlocks::new(source, BLOCK_BYTES);
            loop {
                let block = blocks.next_block().transpose();
                let Some(block) = block else { break };
                let failed = block.is_err();
                if tx.send(block).is_err() || failed {
                    break;
                }
            }
            let blank = blocks.blank_lines();
            drop(blocks);
            // Drain whatever the splitter did not need, so the hash covers the whole file.
            let mut rest = Vec::new();
            let _ = hashing.read_to_end(&mut rest);
            (hashing.hasher, blank)
        });

        let mut outcome = Ok(());
        for block in rx.iter() {
            let block = match block {
                Ok(b) => b,
                Err(e) => {
                    outcome = Err(PipelineError::io(path, e));
                    break;
                }
            };
            let mut spans = &block.records[..];
            if header.is_none()
                && let Some(first) = spans.first()
            {
                match detect_header(&block, first) {
                    Ok(h) => header = Some(h),
                    Err(detail) => {
                        outcome = Err(PipelineError::BadHeader {
                            path: path.to_path_buf(),
                            detail,
                        });
                        break;
                    }
                }
                lines_read += first.lines;
                spans = &spans[1..];
            }
            stage.advance(block.data.len() as u64);
            let Some(h) = &header else { continue };
            for parsed in parse_spans(&block, spans, h, dates, &name, file_index) {
                rows_read += parsed.rows;
                lines_read += parsed.lines;
                if let Err(e) = sink(parsed) {
                    outcome = Err(e);
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
        }
        drop(rx);
        let done = reader
            .join()
            .map_err(|_| PipelineError::io(path, io::Error::other("reader thread panicked")))?;
        outcome.map(|()| done)
    })?;

    let Some(header) = header else {
        return Err(PipelineError::BadHeader {
            path: path.to_path_buf(),
            detail: "the file is empty: no header row and no data".into(),
        });
    };
    Ok(SourceFile {
        name,
        size,
        sha256: hex(&hasher_result.finalize()),
        header_style: Some(match header.style {
            HeaderStyle::Export => "export".to_string(),
            HeaderStyle::Api => "api".to_string(),
        }),
        extra_columns: header.extra_columns.clone(),
        rows_read,
        lines_read: lines_read + blank_lines,
        blank_lines,
    })
}

/// The header of the file from its first record, or why that record is not one.
fn detect_header(block: &Block, span: &RecordSpan) -> std::result::Result<Header, String> {
    let bytes = block.bytes(span);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err("line 1 is not UTF-8 text, so it is not a header".into());
    };
    let mut fields = Vec::new();
    split_fields(text.as_bytes(), &mut fields);
    let names: Vec<String> = fields
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    Header::detect(&names).map_err(|e| {
        let first = names.first().map(|n| n.trim()).unwrap_or_default();
        let looks_like_data = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
        let shown: String = text.chars().take(120).collect();
        if looks_like_data {
            format!("line 1 is a data row, not a header ({shown:?}): the file has no header row")
        } else {
            format!("line 1 is not the dataset's header ({e}): {shown:?}")
        }
    })
}

/// Parses one record into `out` (a month batch or a quarantined row).
#[allow(clippy::too_many_arguments)]
fn parse_one<'a>(
    out: &mut Parsed,
    fields: &mut Vec<std::borrow::Cow<'a, str>>,
    bytes: &'a [u8],
    line: u64,
    status: SpanStatus,
    header: &Header,
    dates: DateRange,
    source: &str,
    file_index: usize,
) -> std::result::Result<(), Quarantined> {
    let reject = |reason: RejectReason, detail: String| Quarantined {
        source: source.to_string(),
        line,
        raw: String::from_utf8_lossy(bytes).into_owned(),
        reason,
        detail,
    };
    match status {
        SpanStatus::Complete => {}
        SpanStatus::UnterminatedQuote => {
            return Err(reject(
                RejectReason::UnterminatedQuote,
                "a quoted field is never closed".into(),
            ));
        }
        SpanStatus::Oversized => {
            return Err(reject(
                RejectReason::OversizedRecord,
                format!("line longer than {} bytes", bytes.len()),
            ));
        }
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        reject(
            RejectReason::InvalidUtf8,
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    split_fields_str(text, fields);
    let record = parse_record(header, fields).map_err(|r| reject(r.reason, r.detail))?;
    if !dates.contains(record.occurred_at) {
        let when = chrono::DateTime::from_timestamp_micros(record.occurred_at)
            .map_or_else(|| "?".into(), |t| t.naive_utc().date().to_string());
        return Err(reject(
            RejectReason::DateOutOfRange,
            format!(
                "the incident date {when} is outside the accepted range (2001-01-01 to the \
                 day after the ingest)"
            ),
        ));
    }
    for code in record.field_issues.codes() {
        *out.field_issues.entry(code).or_default() += 1;
    }
    if !out.types.contains(record.primary_type.as_ref()) {
        out.types.insert(record.primary_type.to_string());
    }
    let ym = YearMonth::of_micros(record.occurred_at);
    out.months
        .entry(ym)
        .or_default()
        .push(seq_of(file_index, line), &record);
    Ok(())
}

/// The physical lines of a record spanning several, with their line numbers.
fn physical_lines(bytes: &[u8], first: u64) -> Vec<(u64, &[u8])> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = first;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((line, &bytes[start..i]));
                line += 1;
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push((line, &bytes[start..i]));
                line += 1;
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((line, &bytes[start..]));
    out
}

fn parse_spans(
    block: &Block,
    spans: &[RecordSpan],
    header: &Header,
    dates: DateRange,
    source: &str,
    file_index: usize,
) -> Vec<Parsed> {
    spans
        .par_chunks(CHUNK_RECORDS)
        .map(|chunk| {
            let mut out = Parsed::default();
            let mut fields = Vec::with_capacity(32);
            for span in chunk {
                let bytes = block.bytes(span);
                out.lines += span.lines;
                let one = parse_one(
                    &mut out,
                    &mut fields,
                    bytes,
                    span.line,
                    span.status,
                    header,
                    dates,
                    source,
                    file_index,
                );
                match one {
                    Ok(()) => out.rows += 1,
                    // A record over several lines that does not parse is most likely a stray
                    // quote joining rows: read its lines one by one, so none is lost in it.
                    Err(_) if span.lines > 1 => {
                        for (line, text) in physical_lines(bytes, span.line) {
                            if is_blank(text) {
                                continue;
                            }
                            out.rows += 1;
                            if let Err(q) = parse_one(
                                &mut out,
                                &mut fields,
                                text,
                                line,
                                line_status(text),
                                header,
                                dates,
                                source,
                                file_index,
                            ) {
                                out.rejects.push(q);
                            }
                        }
                    }
                    Err(q) => {
                        out.rows += 1;
                        out.rejects.push(q);
                    }
                }
            }
            out
        })
        .collect()
}
