//! SoQL queries for stable keyset paging over the dataset.
//!
//! Socrata gives no order unless asked, so paging with `$offset` alone returns duplicates and
//! misses rows (the old downloader's bug). Every page here is ordered by `(updated_on, id)` and
//! starts strictly after the last key of the previous page (keyset paging), so rows inserted or
//! revised while a run is under way cannot shift a page boundary. Rows without `updated_on`
//! (none exist today, but nothing may be lost) are fetched first, in their own id-ordered pass.

use chrono::NaiveDate;
use hotspot_core::socrata::FIELDS;
use serde::{Deserialize, Serialize};

/// Which pass of a run a page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Rows whose `updated_on` is null, ordered by `id` (backfills only).
    NullUpdated,
    /// Rows ordered by `(updated_on, id)`.
    ByUpdated,
    /// Every page is downloaded; the run waits to be ingested.
    Done,
}

/// The key of the last row of the last saved page: the next page starts strictly after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// `updated_on` exactly as the server wrote it (`None` in the null pass).
    pub updated_on: Option<String>,
    pub id: i64,
}

/// The comma-separated `$select` list: the 22 API fields in export order.
pub fn select_list() -> String {
    FIELDS
        .iter()
        .map(|f| f.api_name())
        .collect::<Vec<_>>()
        .join(",")
}

/// A SoQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The floating-timestamp literal text of midnight on `date`.
pub fn date_text(date: NaiveDate) -> String {
    format!("{}T00:00:00.000", date.format("%Y-%m-%d"))
}

/// The run's scope, without paging: `date >= since` and `updated_on > after`.
pub fn scope_clause(since: Option<NaiveDate>, after: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(d) = since {
        parts.push(format!("date >= {}", literal(&date_text(d))));
    }
    if let Some(a) = after {
        parts.push(format!("updated_on > {}", literal(a)));
    }
    parts.join(" AND ")
}

/// The `$where` of the next page of `phase`.
pub fn where_clause(
    since: Option<NaiveDate>,
    after: Option<&str>,
    phase: Phase,
    cursor: Option<&Cursor>,
) -> String {
    let mut parts = Vec::new();
    let scope = scope_clause(since, after);
    if !scope.is_empty() {
        parts.push(scope);
    }
    match phase {
        Phase::NullUpdated => {
            parts.push("updated_on IS NULL".to_string());
            if let Some(c) = cursor {
                parts.push(format!("id > {}", c.id));
            }
        }
        Phase::ByUpdated | Phase::Done => match cursor {
            Some(Cursor {
                updated_on: Some(u),
                id,
            }) => {
                let u = literal(u);
                parts.push(format!(
                    "(updated_on > {u} OR (updated_on = {u} AND id > {id}))"
                ));
            }
            _ if after.is_none() => parts.push("updated_on IS NOT NULL".to_string()),
            _ => {}
        },
    }
    parts.join(" AND ")
}

/// The `$order` of `phase`.
pub fn order(phase: Phase) -> &'static str {
    match phase {
        Phase::NullUpdated => "id",
        Phase::ByUpdated | Phase::Done => "updated_on,id",
    }
}

/// Percent-encodes a query component: everything but RFC 3986 unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SODA CSV URL of one page.
pub fn page_url(base_url: &str, dataset: &str, where_: &str, order: &str, limit: usize) -> String {
    format!(
        "{}/resource/{}.csv?$select={}&$where={}&$order={}&$limit={limit}",
        base_url.trim_end_matches('/'),
        encode(dataset),
        encode(&select_list()),
        encode(where_),
        encode(order),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_clauses_page_by_key() {
        let since = NaiveDate::from_ymd_opt(2024, 9, 1);
        assert_eq!(
            where_clause(since, None, Phase::ByUpdated, None),
            "date >= '2024-09-01T00:00:00.000' AND updated_on IS NOT NULL"
        );
        let c = Cursor {
            updated_on: Some("2025-05-17T15:40:52.000".into()),
            id: 42,
        };
        assert_eq!(
            where_clause(
                None,
                Some("2025-01-01T00:00:00.000"),
                Phase::ByUpdated,
                Some(&c)
            ),
            "updated_on > '2025-01-01T00:00:00.000' AND (updated_on > '2025-05-17T15:40:52.000' \
             OR (updated_on = '2025-05-17T15:40:52.000' AND id > 42))"
        );
        assert_eq!(
            where_clause(
                None,
                None,
                Phase::NullUpdated,
                Some(&Cursor {
                    updated_on: None,
                    id: 7
                })
            ),
            "updated_on IS NULL AND id > 7"
        );
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn urls_are_encoded() {
        assert_eq!(encode("a b,'c'>=&é"), "a%20b%2C%27c%27%3E%3D%26%C3%A9");
        let url = page_url("http://x/", "ijzp-q8t2", "id > 1", "updated_on,id", 10);
        assert!(url.starts_with("http://x/resource/ijzp-q8t2.csv?$select=id%2Ccase_number%2C"));
        assert!(url.ends_with("&$where=id%20%3E%201&$order=updated_on%2Cid&$limit=10"));
    }
}
