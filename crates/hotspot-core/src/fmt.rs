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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(11_641), "11,641");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(signed_thousands(-59), "-59");
        assert_eq!(signed_thousands(1200), "+1,200");
        assert_eq!(percent(0.135_469, 1), "13.5%");
        assert_eq!(percent(f64::NAN, 1), "–");
    }
}
