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
use hotspot_core::csv::{Block, CsvBlocks, SpanStatus, split_fields, split_fields_str};
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

/// How the header row turned out.
enum HeaderState {
    Pending,
    Known(Box<Header>),
    Unknown(String),
}

/// Reads `path` and calls `sink` with each block's parsed records, in order.
pub fn parse_file(
    path: &Path,
    file_index: usize,
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

    let mut header = HeaderState::Pending;
    let mut rows_read = 0u64;
    let (tx, rx) = mpsc::sync_channel::<io::Result<Block>>(2);

    let hasher_result = std::thread::scope(|scope| -> Result<Sha256> {
        let reader = scope.spawn(move || {
            let chained = prefix.chain(&mut hashing);
            let source: Box<dyn Read + '_> = if gz {
                Box::new(MultiGzDecoder::new(chained))
            } else {
                Box::new(chained)
            };
            for block in CsvBlocks::new(source, BLOCK_BYTES) {
                let failed = block.is_err();
                if tx.send(block).is_err() || failed {
                    break;
                }
            }
            // Drain whatever the splitter did not need, so the hash covers the whole file.
            let mut rest = Vec::new();
            let _ = hashing.read_to_end(&mut rest);
            hashing.hasher
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
            if let HeaderState::Pending = header
                && let Some(first) = spans.first()
            {
                header = detect_header(&block, first);
                spans = &spans[1..];
            }
            stage.advance(block.data.len() as u64);
            for parsed in parse_spans(&block, spans, &header, &name, file_index) {
                rows_read += parsed.rows;
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
        let hasher = reader
            .join()
            .map_err(|_| PipelineError::io(path, io::Error::other("reader thread panicked")))?;
        outcome.map(|()| hasher)
    })?;

    let (header_style, extra_columns) = match &header {
        HeaderState::Known(h) => (
            Some(match h.style {
                HeaderStyle::Export => "export".to_string(),
                HeaderStyle::Api => "api".to_string(),
            }),
            h.extra_columns.clone(),
        ),
        HeaderState::Unknown(_) | HeaderState::Pending => (None, Vec::new()),
    };
    if let HeaderState::Unknown(why) = &header {
        tracing::warn!(file = %name, "{why}: every row of this file is quarantined");
    }
    if matches!(header, HeaderState::Pending) {
        tracing::warn!(file = %name, "empty file: no header and no rows");
    }
    Ok(SourceFile {
        name,
        size,
        sha256: hex(&hasher_result.finalize()),
        header_style,
        extra_columns,
        rows_read,
    })
}

fn detect_header(block: &Block, span: &hotspot_core::csv::RecordSpan) -> HeaderState {
    let bytes = block.bytes(span);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return HeaderState::Unknown("unknown header: header row is not UTF-8".into());
    };
    let mut fields = Vec::new();
    split_fields(text.as_bytes(), &mut fields);
    let names: Vec<String> = fields
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    match Header::detect(&names) {
        Ok(h) => HeaderState::Known(Box::new(h)),
        Err(e) => HeaderState::Unknown(e.to_string()),
    }
}

fn parse_spans(
    block: &Block,
    spans: &[hotspot_core::csv::RecordSpan],
    header: &HeaderState,
    source: &str,
    file_index: usize,
) -> Vec<Parsed> {
    spans
        .par_chunks(CHUNK_RECORDS)
        .map(|chunk| {
            let mut out = Parsed::default();
            let mut fields = Vec::with_capacity(32);
            for span in chunk {
                out.rows += 1;
                let bytes = block.bytes(span);
                let reject = |reason: RejectReason, detail: String| Quarantined {
                    source: source.to_string(),
                    line: span.line,
                    raw: String::from_utf8_lossy(bytes).into_owned(),
                    reason,
                    detail,
                };
                match span.status {
                    SpanStatus::Complete => {}
                    SpanStatus::UnterminatedQuote => {
                        out.rejects.push(reject(
                            RejectReason::UnterminatedQuote,
                            "a quoted field is never closed".into(),
                        ));
                        continue;
                    }
                    SpanStatus::Oversized => {
                        out.rejects.push(reject(
                            RejectReason::OversizedRecord,
                            format!("line longer than {} bytes", bytes.len()),
                        ));
                        continue;
                    }
                }
                let header = match header {
                    HeaderState::Known(h) => h,
                    HeaderState::Unknown(why) => {
                        out.rejects
                            .push(reject(RejectReason::UnknownHeader, why.clone()));
                        continue;
                    }
                    HeaderState::Pending => continue,
                };
                let text = match std::str::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => {
                        out.rejects.push(reject(
                            RejectReason::InvalidUtf8,
                            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                        ));
                        continue;
                    }
                };
                split_fields_str(text, &mut fields);
                match parse_record(header, &fields) {
                    Ok(record) => {
                        let ym = YearMonth::of_micros(record.occurred_at);
                        out.months
                            .entry(ym)
                            .or_default()
                            .push(seq_of(file_index, span.line), &record);
                    }
                    Err(r) => out.rejects.push(reject(r.reason, r.detail)),
                }
            }
            out
        })
        .collect()
}
