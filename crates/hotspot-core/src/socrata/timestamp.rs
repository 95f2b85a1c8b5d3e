//! The dataset's timestamps: parsing either layout (and a few close variants) to microseconds
//! since the epoch by hand, byte by byte (the ingest's hot path), and formatting both layouts.

use crate::time::{self, micros_from_parts};

/// The value of ASCII digits; `None` for anything else, nothing, or a value beyond `u32`.
pub(super) fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    let mut v = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(v)
}

/// Parses a timestamp in either of the dataset's layouts (plus a few close variants):
/// `MM/DD/YYYY hh:mm:ss AM`, `MM/DD/YYYY HH:MM[:SS]`, `YYYY-MM-DDTHH:MM:SS[.fff…]` and
/// `YYYY-MM-DD HH:MM:SS`. Returns microseconds since the epoch, or `None` for anything else or
/// for an impossible date or time.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let s = text.trim().as_bytes();
    if s.len() >= 10 && s[2] == b'/' && s[5] == b'/' {
        let month = digits(&s[0..2])?;
        let day = digits(&s[3..5])?;
        let year = digits(&s[6..10])? as i32;
        let rest = &s[10..];
        let (h, m, sec, ampm) = match rest.len() {
            0 => (0, 0, 0, None),
            // " hh:mm:ss AM"
            12 if rest[0] == b' ' && rest[3] == b':' && rest[6] == b':' && rest[9] == b' ' => (
                digits(&rest[1..3])?,
                digits(&rest[4..6])?,
                digits(&rest[7..9])?,
                Some(&rest[10..12]),
            ),
            // " hh:mm AM"
            9 if rest[0] == b' ' && rest[3] == b':' && rest[6] == b' ' => (
                digits(&rest[1..3])?,
                digits(&rest[4..6])?,
                0,
                Some(&rest[7..9]),
            ),
            // " HH:MM:SS"
            9 if rest[0] == b' ' && rest[3] == b':' && rest[6] == b':' => (
                digits(&rest[1..3])?,
                digits(&rest[4..6])?,
                digits(&rest[7..9])?,
                None,
            ),
            // " HH:MM"
            6 if rest[0] == b' ' && rest[3] == b':' => {
                (digits(&rest[1..3])?, digits(&rest[4..6])?, 0, None)
            }
            _ => return None,
        };
        let hour = match ampm {
            None => h,
            Some(tag) => {
                if !(1..=12).contains(&h) {
                    return None;
                }
                match tag {
                    b"AM" | b"am" => h % 12,
                    b"PM" | b"pm" => h % 12 + 12,
                    _ => return None,
                }
            }
        };
        return validated(year, month, day, hour, m, sec, 0);
    }
    if s.len() >= 10 && s[4] == b'-' && s[7] == b'-' {
        let year = digits(&s[0..4])? as i32;
        let month = digits(&s[5..7])?;
        let day = digits(&s[8..10])?;
        if s.len() == 10 {
            return validated(year, month, day, 0, 0, 0, 0);
        }
        if s.len() < 19 || !(s[10] == b'T' || s[10] == b' ') || s[13] != b':' || s[16] != b':' {
            return None;
        }
        let h = digits(&s[11..13])?;
        let m = digits(&s[14..16])?;
        let sec = digits(&s[17..19])?;
        let mut micros = 0u32;
        if s.len() > 19 {
            if s[19] != b'.' || s.len() == 20 || s.len() > 29 {
                return None;
            }
            let frac = &s[20..];
            let v = digits(frac)?;
            let scale = 10u32.pow(6u32.saturating_sub(frac.len() as u32));
            micros = if frac.len() <= 6 {
                v * scale
            } else {
                v / 10u32.pow(frac.len() as u32 - 6)
            };
        }
        return validated(year, month, day, h, m, sec, micros);
    }
    None
}

fn validated(year: i32, month: u32, day: u32, h: u32, m: u32, s: u32, us: u32) -> Option<i64> {
    if !(1..=12).contains(&month)
        || day == 0
        || day > time::days_in_month(year, month)
        || h > 23
        || m > 59
        || s > 59
        || !(1800..=2200).contains(&year)
    {
        return None;
    }
    Some(micros_from_parts(year, month, day, h, m, s, us))
}

/// Formats a timestamp in the export layout, `MM/DD/YYYY hh:mm:ss AM`.
pub fn format_export_timestamp(micros: i64, out: &mut String) {
    use std::fmt::Write;
    let days = time::day_of_micros(micros);
    let (y, mo, d) = time::civil_from_days(days);
    let secs = micros.rem_euclid(time::MICROS_PER_DAY) / 1_000_000;
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let (h12, tag) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let _ = write!(out, "{mo:02}/{d:02}/{y:04} {h12:02}:{mi:02}:{s:02} {tag}");
}

/// Formats a timestamp in the API layout, `YYYY-MM-DDTHH:MM:SS.fff`.
pub fn format_api_timestamp(micros: i64, out: &mut String) {
    use std::fmt::Write;
    let days = time::day_of_micros(micros);
    let (y, mo, d) = time::civil_from_days(days);
    let in_day = micros.rem_euclid(time::MICROS_PER_DAY);
    let secs = in_day / 1_000_000;
    let millis = in_day % 1_000_000 / 1000;
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let _ = write!(
        out,
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}"
    );
}
