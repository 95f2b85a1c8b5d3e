//! Validation of one downloaded page before anything of it is kept.
//!
//! A page is accepted only whole: a header of exactly the 22 API fields in `$select` order,
//! every row with 22 fields and a readable key, rows in strictly increasing key order after the
//! previous page's last key (proof that the server honoured `$order`), no more rows than
//! `$limit`, and a body that ends with a line break (a dropped connection cuts a body short).
//! Rows whose *values* are bad (an impossible date, an empty primary type) are not the page's
//! fault: ingest quarantines them.

use std::borrow::Cow;

use hotspot_core::csv::{CsvBlocks, SpanStatus, split_fields};
use hotspot_core::socrata::{FIELDS, Field, parse_timestamp};

use crate::soql::{Cursor, Phase};

/// What a valid page holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageSummary {
    pub rows: usize,
    /// The key of the last row (`None` for an empty page).
    pub last: Option<Cursor>,
    /// The latest `updated_on` of the page, as written by the server, with its value.
    pub max_updated: Option<(i64, String)>,
}

/// Why a page was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageProblem {
    /// The body looks cut short (worth another attempt).
    Truncated(String),
    /// The body is complete but not what was asked for.
    Invalid(String),
}

impl PageProblem {
    pub fn detail(&self) -> &str {
        match self {
            PageProblem::Truncated(d) | PageProblem::Invalid(d) => d,
        }
    }
}

/// What a page must satisfy.
pub struct Expect<'a> {
    pub phase: Phase,
    /// The previous page's last key.
    pub cursor: Option<&'a Cursor>,
    /// Exclusive lower bound on `updated_on` (microseconds).
    pub after: Option<i64>,
    pub limit: usize,
}

fn text<'a>(field: &'a Cow<'a, [u8]>) -> Cow<'a, str> {
    String::from_utf8_lossy(field)
}

/// Checks a page body; see the module documentation.
pub fn validate(body: &[u8], expect: &Expect<'_>) -> Result<PageSummary, PageProblem> {
    use PageProblem::{Invalid, Truncated};
    if body.is_empty() {
        return Err(Truncated(
            "the response body is empty (no header row)".into(),
        ));
    }
    if !body.ends_with(b"\n") {
        return Err(Truncated(
            "the body does not end with a line break (truncated)".into(),
        ));
    }
    let id_pos = FIELDS.iter().position(|f| *f == Field::Id).unwrap_or(0);
    let upd_pos = FIELDS
        .iter()
        .position(|f| *f == Field::UpdatedOn)
        .unwrap_or(0);
    let cursor_micros =
        match expect.cursor {
            Some(Cursor {
                updated_on: Some(u),
                ..
            }) => Some(parse_timestamp(u).ok_or_else(|| {
                Invalid(format!("the checkpoint's cursor {u:?} is not a timestamp"))
            })?),
            _ => None,
        };
    let mut prev: Option<(Option<i64>, i64)> = expect.cursor.map(|c| (cursor_micros, c.id));

    let mut blocks = CsvBlocks::new(body, body.len().max(1 << 16));
    let mut header_seen = false;
    let mut rows = 0usize;
    let mut last: Option<Cursor> = None;
    let mut max_updated: Option<(i64, String)> = None;
    while let Some(block) = blocks
        .next_block()
        .map_err(|e| Invalid(format!("cannot split the CSV: {e}")))?
    {
        let n_spans = block.records.len();
        let mut fields = Vec::with_capacity(FIELDS.len());
        for (k, span) in block.records.iter().enumerate() {
            let at_end = k + 1 == n_spans;
            let line = span.line;
            if span.status != SpanStatus::Complete {
                let why = match span.status {
                    SpanStatus::UnterminatedQuote => "a quoted field never closes",
                    _ => "the line is too long",
                };
                return Err(if at_end {
                    Truncated(format!("line {line}: {why} (truncated)"))
                } else {
                    Invalid(format!("line {line}: {why}"))
                });
            }
            fields.clear();
            split_fields(block.bytes(span), &mut fields);
            if !header_seen {
                header_seen = true;
                let names: Vec<String> =
                    fields.iter().map(|f| text(f).trim().to_string()).collect();
                let expected: Vec<&str> = FIELDS.iter().map(|f| f.api_name()).collect();
                if names != expected {
                    return Err(Invalid(format!(
                        "the header is not the {} API fields asked for (got {} column(s): {})",
                        expected.len(),
                        names.len(),
                        names.join(",")
                    )));
                }
                continue;
            }
            if fields.len() != FIELDS.len() {
                let msg = format!(
                    "line {line} has {} field(s), expected {}",
                    fields.len(),
                    FIELDS.len()
                );
                return Err(if at_end { Truncated(msg) } else { Invalid(msg) });
            }
            rows += 1;
            if rows > expect.limit {
                return Err(Invalid(format!(
                    "more rows than the $limit of {}",
                    expect.limit
                )));
            }
            let id_text = text(&fields[id_pos]);
            let id: i64 = id_text
                .trim()
                .parse()
                .map_err(|_| Invalid(format!("line {line}: id {:?} is not an integer", id_text)))?;
            let upd_raw = text(&fields[upd_pos]).trim().to_string();
            let upd = match expect.phase {
                Phase::NullUpdated => {
                    if !upd_raw.is_empty() {
                        return Err(Invalid(format!(
                            "line {line}: updated_on {upd_raw:?} in the pass over rows without one"
                        )));
                    }
                    None
                }
                Phase::ByUpdated | Phase::Done => {
                    let Some(u) = parse_timestamp(&upd_raw) else {
                        return Err(Invalid(format!(
                            "line {line}: updated_on {upd_raw:?} is not a timestamp"
                        )));
                    };
                    if let Some(after) = expect.after
                        && u <= after
                    {
                        return Err(Invalid(format!(
                            "line {line}: updated_on {upd_raw} is not after the high-water mark \
                             (the server ignored $where)"
                        )));
                    }
                    Some(u)
                }
            };
            let key = (upd, id);
            if let Some(p) = prev
                && key <= p
            {
                return Err(Invalid(format!(
                    "line {line}: row (updated_on {upd_raw:?}, id {id}) is not after the previous \
                     key (the server ignored $order or the cursor)"
                )));
            }
            prev = Some(key);
            if let Some(u) = upd
                && max_updated.as_ref().is_none_or(|(m, _)| u > *m)
            {
                max_updated = Some((u, upd_raw.clone()));
            }
            last = Some(Cursor {
                updated_on: upd.map(|_| upd_raw),
                id,
            });
        }
    }
    if !header_seen {
        return Err(Truncated("the body has no header row".into()));
    }
    Ok(PageSummary {
        rows,
        last,
        max_updated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        let names: Vec<String> = FIELDS
            .iter()
            .map(|f| format!("\"{}\"", f.api_name()))
            .collect();
        names.join(",") + "\n"
    }

    fn row(id: i64, updated: &str) -> String {
        let mut f: Vec<String> = vec![String::new(); 22];
        f[0] = id.to_string();
        f[18] = updated.to_string();
        f.iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(",")
            + "\n"
    }

    fn expect(limit: usize) -> Expect<'static> {
        Expect {
            phase: Phase::ByUpdated,
            cursor: None,
            after: None,
            limit,
        }
    }

    #[test]
    fn accepts_an_ordered_page() {
        let body =
            header() + &row(2, "2024-09-01T00:00:00.000") + &row(1, "2024-09-02T00:00:00.000");
        let s = validate(body.as_bytes(), &expect(10)).expect("valid");
        assert_eq!(s.rows, 2);
        assert_eq!(
            s.last,
            Some(Cursor {
                updated_on: Some("2024-09-02T00:00:00.000".into()),
                id: 1
            })
        );
        let empty = header();
        assert_eq!(
            validate(empty.as_bytes(), &expect(10)).expect("empty").rows,
            0
        );
    }

    #[test]
    fn refuses_bad_pages() {
        let ok = header() + &row(1, "2024-09-01T00:00:00.000");
        let cut = &ok[..ok.len() - 5];
        assert!(matches!(
            validate(cut.as_bytes(), &expect(10)),
            Err(PageProblem::Truncated(_))
        ));
        let unordered =
            header() + &row(2, "2024-09-01T00:00:00.000") + &row(1, "2024-09-01T00:00:00.000");
        assert!(matches!(
            validate(unordered.as_bytes(), &expect(10)),
            Err(PageProblem::Invalid(_))
        ));
        assert!(matches!(
            validate(ok.as_bytes(), &expect(0)),
            Err(PageProblem::Invalid(_))
        ));
        let short = header() + "1,2,3\n" + &row(1, "2024-09-01T00:00:00.000");
        assert!(matches!(
            validate(short.as_bytes(), &expect(10)),
            Err(PageProblem::Invalid(_))
        ));
        let wrong = "ID,Case Number\n".to_string();
        assert!(matches!(
            validate(wrong.as_bytes(), &expect(10)),
            Err(PageProblem::Invalid(_))
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Rows in the order the API pages them: by `updated_on`, then `id`.
        fn ordered_rows() -> impl Strategy<Value = Vec<(i64, String)>> {
            prop::collection::vec((0i64..5_000_000, 0u32..5_000), 0..60).prop_map(|mut v| {
                v.sort_by_key(|&(id, t)| (t, id));
                v.dedup_by_key(|(id, t)| (*t, *id));
                v.into_iter()
                    .map(|(id, t)| {
                        let ts =
                            chrono::DateTime::from_timestamp(1_700_000_000 + i64::from(t) * 60, 0)
                                .expect("instant")
                                .format("%Y-%m-%dT%H:%M:%S%.3f")
                                .to_string();
                        (id, ts)
                    })
                    .collect()
            })
        }

        fn page(rows: &[(i64, String)]) -> String {
            rows.iter()
                .fold(header(), |acc, (id, t)| acc + &row(*id, t))
        }

        proptest! {
            #[test]
            fn ordered_pages_are_accepted_and_summarised(rows in ordered_rows()) {
                let body = page(&rows);
                let s = validate(body.as_bytes(), &expect(rows.len().max(1))).expect("valid");
                prop_assert_eq!(s.rows, rows.len());
                prop_assert_eq!(
                    s.last,
                    rows.last().map(|(id, t)| Cursor { updated_on: Some(t.clone()), id: *id })
                );
                // One row more than the $limit is refused.
                if !rows.is_empty() {
                    prop_assert!(validate(body.as_bytes(), &expect(rows.len() - 1)).is_err());
                }
            }

            #[test]
            fn a_cut_page_is_refused_unless_the_cut_falls_between_rows(
                rows in ordered_rows().prop_filter("rows", |r| !r.is_empty()),
                at in any::<prop::sample::Index>(),
            ) {
                let body = page(&rows);
                let cut = header().len() + at.index(body.len() - header().len());
                let prefix = &body.as_bytes()[..cut];
                let complete = prefix[header().len()..].iter().filter(|&&b| b == b'\n').count();
                match validate(prefix, &expect(rows.len())) {
                    Ok(s) => {
                        // Only a cut after a whole row (its newline, or the quote before it).
                        prop_assert!(
                            s.rows == complete
                                && (prefix.ends_with(b"\n") || prefix.len() == header().len())
                                || s.rows == complete + 1 && prefix.ends_with(b"\""),
                            "cut at {} accepted as {} rows", cut, s.rows
                        );
                    }
                    Err(_) => prop_assert!(!prefix.ends_with(b"\n")),
                }
            }

            #[test]
            fn any_bytes_are_refused_or_accepted_without_panicking(
                body in prop::collection::vec(any::<u8>(), 0..2000),
                with_header in any::<bool>(),
            ) {
                let mut data = if with_header { header().into_bytes() } else { Vec::new() };
                data.extend_from_slice(&body);
                let _ = validate(&data, &expect(1000));
            }
        }
    }
}
