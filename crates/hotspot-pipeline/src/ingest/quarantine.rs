//! Quarantined rows on their way to `quarantine/ingest-….parquet`: counted as they come,
//! streamed to the file a row group at a time, so a file that is mostly garbage costs a
//! bounded buffer, not its size in memory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;

use crate::error::Result;
use crate::frame::{self, ParquetStream, PendingFiles, StrColumn};

use super::parse::Quarantined;

/// Raw bytes buffered before they are written out as a row group.
const FLUSH_BYTES: usize = 16 << 20;
/// Rows kept for the run's report.
const SAMPLE: usize = 20;

/// Collects a run's quarantined rows.
pub(crate) struct QuarantineSink {
    dest: PathBuf,
    rows: u64,
    reasons: BTreeMap<String, u64>,
    sample: Vec<Quarantined>,
    buffer: Vec<Quarantined>,
    buffered_bytes: usize,
    /// Opened at the first flush; staged in `pending`.
    stream: Option<ParquetStream>,
    pending: PendingFiles,
    /// Largest buffer held (for tests of the bound).
    peak_buffered: usize,
}

/// What the sink wrote.
pub(crate) struct QuarantineOutcome {
    pub rows: u64,
    pub reasons: BTreeMap<String, u64>,
    pub sample: Vec<Quarantined>,
    /// `quarantine/NAME.parquet`, when any row was quarantined.
    pub file: Option<String>,
    pub pending: PendingFiles,
}

fn schema() -> Schema {
    Schema::from_iter([
        Field::new("source".into(), DataType::String),
        Field::new("line".into(), DataType::UInt64),
        Field::new("raw".into(), DataType::String),
        Field::new("reason".into(), DataType::String),
        Field::new("detail".into(), DataType::String),
    ])
}

/// The rows as the quarantine file's frame.
fn to_frame(rows: &[Quarantined]) -> Result<DataFrame> {
    let mut source = StrColumn::default();
    let mut raw = StrColumn::default();
    let mut reason = StrColumn::default();
    let mut detail = StrColumn::default();
    for q in rows {
        source.push(&q.source);
        raw.push(&q.raw);
        reason.push(q.reason.code());
        detail.push(&q.detail);
    }
    frame::frame(vec![
        source.into_column("source"),
        frame::vec_column::<UInt64Type>("line", rows.iter().map(|q| q.line).collect()),
        raw.into_column("raw"),
        reason.into_column("reason"),
        detail.into_column("detail"),
    ])
}

impl QuarantineSink {
    /// A sink writing to `dest` (inside the run's snapshot) when the run commits.
    pub(crate) fn new(dest: PathBuf) -> QuarantineSink {
        QuarantineSink {
            dest,
            rows: 0,
            reasons: BTreeMap::new(),
            sample: Vec::new(),
            buffer: Vec::new(),
            buffered_bytes: 0,
            stream: None,
            pending: PendingFiles::default(),
            peak_buffered: 0,
        }
    }

    pub(crate) fn extend(&mut self, rows: Vec<Quarantined>) -> Result<()> {
        for q in rows {
            self.rows += 1;
            *self.reasons.entry(q.reason.code().to_string()).or_default() += 1;
            if self.sample.len() < SAMPLE {
                self.sample.push(q.clone());
            }
            self.buffered_bytes += q.raw.len() + q.detail.len() + q.source.len() + 64;
            self.buffer.push(q);
            self.peak_buffered = self.peak_buffered.max(self.buffered_bytes);
            if self.buffered_bytes >= FLUSH_BYTES {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let df = to_frame(&self.buffer)?;
        let stream = match self.stream.as_mut() {
            Some(s) => s,
            None => {
                let tmp = self.pending.stage(self.dest.clone());
                self.stream.insert(ParquetStream::create(&tmp, &schema())?)
            }
        };
        stream.write(&df)?;
        self.buffer.clear();
        self.buffered_bytes = 0;
        Ok(())
    }

    /// Writes what is buffered and closes the file (nothing is written without rows).
    pub(crate) fn finish(mut self) -> Result<QuarantineOutcome> {
        self.flush()?;
        if let Some(stream) = self.stream.take() {
            stream.finish()?;
        }
        tracing::debug!(
            rows = self.rows,
            peak_buffered = self.peak_buffered,
            "quarantine written"
        );
        let file = (self.rows > 0).then(|| {
            format!(
                "quarantine/{}",
                self.dest
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )
        });
        Ok(QuarantineOutcome {
            rows: self.rows,
            reasons: self.reasons,
            sample: self.sample,
            file,
            pending: self.pending,
        })
    }

    #[cfg(test)]
    pub(crate) fn peak_buffered(&self) -> usize {
        self.peak_buffered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotspot_core::socrata::RejectReason;

    fn row(i: u64, raw: String) -> Quarantined {
        Quarantined {
            source: "bad.csv".into(),
            line: i + 2,
            raw,
            reason: RejectReason::BadId,
            detail: "id is not an integer".into(),
        }
    }

    #[test]
    fn streams_many_rows_with_a_bounded_buffer_and_keeps_every_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("quarantine/ingest-x.parquet");
        let mut sink = QuarantineSink::new(dest.clone());
        // 60,000 rows of 1 KiB: ~60 MiB of raw text, at least three row groups.
        let n = 60_000u64;
        for chunk in 0..60 {
            let rows = (0..1000)
                .map(|k| {
                    let i = chunk * 1000 + k;
                    row(i, format!("{i:08},{}", "x".repeat(1015)))
                })
                .collect();
            sink.extend(rows).expect("extend");
        }
        assert!(
            sink.peak_buffered() <= FLUSH_BYTES + 2048,
            "buffer grew to {}",
            sink.peak_buffered()
        );
        let out = sink.finish().expect("finish");
        assert_eq!(out.rows, n);
        assert_eq!(out.reasons.get("bad_id"), Some(&n));
        assert_eq!(out.sample.len(), SAMPLE);
        assert_eq!(out.sample[0].line, 2);
        assert_eq!(out.file.as_deref(), Some("quarantine/ingest-x.parquet"));
        out.pending.commit().expect("commit");

        let df = frame::read_parquet(&dest, None).expect("read");
        assert_eq!(df.height() as u64, n);
        let lines = df.column("line").expect("line").u64().expect("u64");
        let want: Vec<u64> = (0..n).map(|i| i + 2).collect();
        assert_eq!(lines.into_no_null_iter().collect::<Vec<_>>(), want);
        let raw = df.column("raw").expect("raw").str().expect("str");
        assert_eq!(raw.get(59_999).map(|r| &r[..8]), Some("00059999"));
    }

    #[test]
    fn no_rows_no_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("quarantine/ingest-y.parquet");
        let out = QuarantineSink::new(dest.clone()).finish().expect("finish");
        assert_eq!((out.rows, out.file), (0, None));
        assert!(out.pending.is_empty());
        assert!(!dest.exists());
    }
}
