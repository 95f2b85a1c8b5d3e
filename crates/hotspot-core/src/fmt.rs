//! Number formatting shared by the terminal, the console and scripts.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Signed thousands: `-1,234`, `+56`.
pub fn signed_thousands(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "+" };
    format!("{sign}{}", thousands(n.unsigned_abs()))
}

/// A share as a percentage with `decimals` places: `0.1354` → `13.5%`.
pub fn percent(share: f64, decimals: usize) -> String {
    if share.is_finite() {
        format!("{:.*}%", decimals, share * 100.0)
    } else {
        "–".to_string()
    }
}

/// A size in binary units: `268435456` → `256 MiB`, `1536` → `1.5 KiB`, `12` → `12 bytes`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(11_641), "11,641");
        assert_eq!(bytes(12), "12 bytes");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(256 << 20), "256 MiB");
        assert_eq!(bytes(3 << 30), "3 GiB");
        assert_eq!(bytes(u64::MAX), "16 EiB");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(signed_thousands(-59), "-59");
        assert_eq!(signed_thousands(1200), "+1,200");
        assert_eq!(percent(0.135_469, 1), "13.5%");
        assert_eq!(percent(f64::NAN, 1), "–");
    }
}
