//! A polite HTTP client: app token, bounded retries, exponential backoff with jitter, and
//! `Retry-After` honoured on 429 (and 503).

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::FetchError;
use crate::options::FetchOptions;
use crate::page::PageProblem;

/// Counters of one client's traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// HTTP requests sent (every attempt).
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Bytes of response bodies read (after decoding).
    pub bytes: u64,
}

/// What one request's body turned into.
pub enum Checked<T> {
    Ok(T),
    Problem(PageProblem),
}

pub struct Client {
    agent: ureq::Agent,
    app_token: Option<String>,
    max_retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
    max_retry_after: Duration,
    max_body: u64,
    rng: Cell<u64>,
    pub traffic: Traffic,
}

/// Why one attempt failed.
enum Attempt {
    /// Worth retrying after the backoff, or after the given delay.
    Retry {
        error: FetchError,
        after: Option<Duration>,
    },
    /// Not worth retrying.
    Fatal(FetchError),
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || (500..=599).contains(&status)
}

fn is_retryable_error(e: &ureq::Error) -> bool {
    !matches!(
        e,
        ureq::Error::BadUri(_)
            | ureq::Error::Http(_)
            | ureq::Error::InvalidProxyUrl
            | ureq::Error::BodyExceedsLimit(_)
            | ureq::Error::TooManyRedirects
            | ureq::Error::RedirectFailed
            | ureq::Error::RequireHttpsOnly(_)
            | ureq::Error::TlsRequired
            | ureq::Error::LargeResponseHeader(_, _)
    )
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or
/// asctime, as RFC 9110 §10.2.3 asks a recipient to accept). Whatever the server sends, the
/// answer is a valid `Duration` (a huge delay saturates; the caller caps it) or `None` for
/// what is not a delay (negative, not a number, not a date), which falls back to the backoff.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() || v.len() > 64 {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds: as long a wait as can be.
        return Some(v.parse::<u64>().map_or(Duration::MAX, Duration::from_secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        // Not allowed by the RFC, but sent: `1.5`, `1e20`. Negative, NaN: not a delay.
        return if secs >= 0.0 {
            Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
        } else {
            None
        };
    }
    let when = chrono::DateTime::parse_from_rfc2822(v)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
                .map(|n| n.and_utc())
        })?;
    let now: chrono::DateTime<chrono::Utc> = now.into();
    // A date in the past means "now".
    Some(
        when.signed_duration_since(now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Client {
    pub fn new(options: &FetchOptions) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .user_agent(format!(
                "hotspot-fetch/{} (+https://github.com/hotspot-console/hotspot)",
                env!("CARGO_PKG_VERSION")
            ))
            .build();
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15)
            ^ u64::from(std::process::id()).rotate_left(32);
        Self {
            agent: config.new_agent(),
            app_token: options.app_token.clone(),
            max_retries: options.max_retries,
            backoff_base: options.backoff_base,
            backoff_max: options.backoff_max,
            max_retry_after: options.max_retry_after,
            max_body: options.max_page_bytes,
            rng: Cell::new(seed | 1),
            traffic: Traffic::default(),
        }
    }

    /// A uniform number in [0, 1) (xorshift64*; jitter needs no cryptographic quality).
    fn random(&self) -> f64 {
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The backoff before retry number `retry` (1-based): base·2^(retry−1), capped, with
    /// "equal jitter" (between half and all of it).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = 2f64.powi(retry.saturating_sub(1).min(30) as i32);
        let full = (self.backoff_base.as_secs_f64() * exp).min(self.backoff_max.as_secs_f64());
        Duration::from_secs_f64(full * (0.5 + 0.5 * self.random()))
    }

    /// GETs `url` and hands the body to `check`, retrying what is worth retrying; returns the
    /// body with what `check` made of it. `on_problem` turns a refused body into the error
    /// reported when no attempt is left.
    pub fn get<T>(
        &mut self,
        url: &str,
        mut check: impl FnMut(&[u8]) -> Checked<T>,
        on_problem: impl Fn(PageProblem) -> FetchError,
    ) -> Result<(Vec<u8>, T), FetchError> {
        let attempts_allowed = self.max_retries.saturating_add(1);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 1 {
                self.traffic.retries += 1;
            }
            self.traffic.requests += 1;
            let outcome = self.attempt(url, attempt, &mut check, &on_problem);
            let (error, after) = match outcome {
                Ok(v) => return Ok(v),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry { error, after }) => (error, after),
            };
            if attempt >= attempts_allowed {
                return Err(error);
            }
            let wait = match after {
                Some(d) => d.min(self.max_retry_after),
                None => self.backoff(attempt),
            };
            tracing::warn!(
                url,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "{error}; retrying"
            );
            std::thread::sleep(wait);
        }
    }

    fn attempt<T>(
        &mut self,
        url: &str,
        attempt: u32,
        check: &mut impl FnMut(&[u8]) -> Checked<T>,
        on_problem: &impl Fn(PageProblem) -> FetchError,
    ) -> Result<(Vec<u8>, T), Attempt> {
        let network = |e: ureq::Error| {
            let retry = is_retryable_error(&e);
            let error = FetchError::Network {
                url: url.to_string(),
                attempts: attempt,
                detail: e.to_string(),
            };
            if retry {
                Attempt::Retry { error, after: None }
            } else {
                Attempt::Fatal(error)
            }
        };
        let mut request = self.agent.get(url).header("Accept", "text/csv");
        if let Some(token) = &self.app_token {
            request = request.header("X-App-Token", token);
        }
        let mut response = request.call().map_err(network)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body)
            .read_to_vec();
        if status != 200 {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let detail = body.as_deref().map(snippet).unwrap_or_default();
            let error = FetchError::Http {
                url: url.to_string(),
                status,
                attempts: attempt,
                detail,
            };
            return Err(if is_retryable_status(status) {
                let after = if matches!(status, 429 | 503) {
                    retry_after
                } else {
                    None
                };
                Attempt::Retry { error, after }
            } else {
                Attempt::Fatal(error)
            });
        }
        let body = body.map_err(network)?;
        self.traffic.bytes += body.len() as u64;
        match check(&body) {
            Checked::Ok(v) => Ok((body, v)),
            Checked::Problem(p @ PageProblem::Truncated(_)) => Err(Attempt::Retry {
                error: on_problem(p),
                after: None,
            }),
            Checked::Problem(p) => Err(Attempt::Fatal(on_problem(p))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_both_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_470); // 2015-10-21T07:27:50Z
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_from_a_hostile_server_never_panics() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 07:28:00
        let cases: [(&str, Option<Duration>); 14] = [
            ("1e20", Some(Duration::MAX)),
            ("1e400", Some(Duration::MAX)), // parses as infinity
            ("99999999999999999999999999", Some(Duration::MAX)),
            ("18446744073709551615", Some(Duration::from_secs(u64::MAX))),
            ("-1", None),
            ("-0.5", None),
            ("NaN", None),
            ("inf", Some(Duration::MAX)),
            ("1.5", Some(Duration::from_millis(1500))),
            ("", None),
            ("   ", None),
            // RFC 850 and asctime dates, 30 s ahead.
            (
                "Wednesday, 21-Oct-15 07:28:30 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Wed Oct 21 07:28:30 2015", Some(Duration::from_secs(30))),
            // Far past: retry now.
            ("Mon, 01 Jan 1900 00:00:00 GMT", Some(Duration::ZERO)),
        ];
        for (value, expect) in cases {
            assert_eq!(parse_retry_after(value, now), expect, "{value:?}");
        }
        let long = "9".repeat(10_000);
        assert_eq!(parse_retry_after(&long, now), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let options = FetchOptions {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            ..FetchOptions::default()
        };
        let client = Client::new(&options);
        for _ in 0..50 {
            let b1 = client.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b3 = client.backoff(3);
            assert!(b3 >= Duration::from_millis(175) && b3 <= Duration::from_millis(350));
        }
    }
}
