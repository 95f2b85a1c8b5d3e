//! What a fetch does, and how politely.

use std::time::Duration;

use chrono::NaiveDate;

/// The City of Chicago's open-data portal.
pub const DEFAULT_BASE_URL: &str = "https://data.cityofchicago.org";
/// The Socrata resource id of "Crimes – 2001 to Present".
pub const DATASET: &str = "ijzp-q8t2";
/// Page size when an app token is given (Socrata allows large pages to identified clients).
pub const PAGE_SIZE_WITH_TOKEN: usize = 50_000;
/// Page size without an app token (anonymous clients are throttled hard).
pub const PAGE_SIZE_ANONYMOUS: usize = 1_000;

/// How to fetch. [`FetchOptions::default`] talks to the real portal with conservative settings.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Scheme and host of the Socrata portal (a mirror or a test server may stand in),
    /// without a trailing path: `https://data.cityofchicago.org`.
    pub base_url: String,
    /// The dataset's resource id.
    pub dataset: String,
    /// Socrata app token, sent as `X-App-Token` (the CLI reads env `SODA_APP_TOKEN`).
    pub app_token: Option<String>,
    /// First backfill: only incidents on or after this date (`None`: all history since 2001).
    /// A later run with an earlier date than the lake's recorded scope backfills again from
    /// that date; a later date keeps the recorded (wider) scope.
    pub since: Option<NaiveDate>,
    /// Ignore the high-water mark and fetch the whole scope again (an upsert: nothing is
    /// duplicated, revised records replace the lake's).
    pub full_refresh: bool,
    /// Rows per request; `None`: [`PAGE_SIZE_WITH_TOKEN`] with a token, else
    /// [`PAGE_SIZE_ANONYMOUS`].
    pub page_size: Option<usize>,
    /// Retries of one request after its first attempt (429, 5xx, network errors, truncated
    /// bodies). The request fails after `max_retries + 1` attempts.
    pub max_retries: u32,
    /// First backoff delay; doubles on every retry (with jitter), capped at `backoff_max`.
    pub backoff_base: Duration,
    /// Longest backoff delay.
    pub backoff_max: Duration,
    /// Longest wait a `Retry-After` header may impose; a longer one is cut to this.
    pub max_retry_after: Duration,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Timeout of each socket read (response headers and body).
    pub read_timeout: Duration,
    /// Largest page body accepted, in bytes (after gzip decoding).
    pub max_page_bytes: u64,
    /// Rebuild Silver and Gold for the months the fetch touched.
    pub build: bool,
    /// Test hook: stop with [`crate::FetchError::InjectedFailure`] after this many pages were
    /// saved by this call (the checkpoint stays, as after a crash).
    #[doc(hidden)]
    pub fail_after_pages: Option<u64>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_string(),
            dataset: DATASET.to_string(),
            app_token: None,
            since: None,
            full_refresh: false,
            page_size: None,
            max_retries: 5,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
            max_page_bytes: 1 << 30,
            build: true,
            fail_after_pages: None,
        }
    }
}

impl FetchOptions {
    /// The page size this run uses.
    pub fn effective_page_size(&self) -> usize {
        self.page_size.unwrap_or(if self.app_token.is_some() {
            PAGE_SIZE_WITH_TOKEN
        } else {
            PAGE_SIZE_ANONYMOUS
        })
    }
}
