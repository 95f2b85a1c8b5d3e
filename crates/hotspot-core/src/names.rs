//! Human names: blocks written as people write them, streets, community areas and districts.

/// Chicago's 77 community areas, by number.
const COMMUNITY_AREAS: [&str; 77] = [
    "Rogers Park",
    "West Ridge",
    "Uptown",
    "Lincoln Square",
    "North Center",
    "Lake View",
    "Lincoln Park",
    "Near North Side",
    "Edison Park",
    "Norwood Park",
    "Jefferson Park",
    "Forest Glen",
    "North Park",
    "Albany Park",
    "Portage Park",
    "Irving Park",
    "Dunning",
    "Montclare",
    "Belmont Cragin",
    "Hermosa",
    "Avondale",
    "Logan Square",
    "Humboldt Park",
    "West Town",
    "Austin",
    "West Garfield Park",
    "East Garfield Park",
    "Near West Side",
    "North Lawndale",
    "South Lawndale",
    "Lower West Side",
    "Loop",
    "Near South Side",
    "Armour Square",
    "Douglas",
    "Oakland",
    "Fuller Park",
    "Grand Boulevard",
    "Kenwood",
    "Washington Park",
    "Hyde Park",
    "Woodlawn",
    "South Shore",
    "Chatham",
    "Avalon Park",
    "South Chicago",
    "Burnside",
    "Calumet Heights",
    "Roseland",
    "Pullman",
    "South Deering",
    "East Side",
    "West Pullman",
    "Riverdale",
    "Hegewisch",
    "Garfield Ridge",
    "Archer Heights",
    "Brighton Park",
    "McKinley Park",
    "Bridgeport",
    "New City",
    "West Elsdon",
    "Gage Park",
    "Clearing",
    "West Lawn",
    "Chicago Lawn",
    "West Englewood",
    "Englewood",
    "Greater Grand Crossing",
    "Ashburn",
    "Auburn Gresham",
    "Beverly",
    "Washington Heights",
    "Mount Greenwood",
    "Morgan Park",
    "O'Hare",
    "Edgewater",
];

/// The name of community area `n` (1–77).
pub fn community_area_name(n: u8) -> Option<&'static str> {
    COMMUNITY_AREAS.get(usize::from(n).checked_sub(1)?).copied()
}

/// The name of police district `n` as CPD calls it.
pub fn district_name(n: u8) -> Option<&'static str> {
    Some(match n {
        1 => "Central",
        2 => "Wentworth",
        3 => "Grand Crossing",
        4 => "South Chicago",
        5 => "Calumet",
        6 => "Gresham",
        7 => "Englewood",
        8 => "Chicago Lawn",
        9 => "Deering",
        10 => "Ogden",
        11 => "Harrison",
        12 => "Near West",
        14 => "Shakespeare",
        15 => "Austin",
        16 => "Jefferson Park",
        17 => "Albany Park",
        18 => "Near North",
        19 => "Town Hall",
        20 => "Lincoln",
        22 => "Morgan Park",
        24 => "Rogers Park",
        25 => "Grand Central",
        31 => "Airport",
        _ => return None,
    })
}

/// "District 8 (Chicago Lawn)", never zero-padded.
pub fn district_label(n: u8) -> String {
    match district_name(n) {
        Some(name) => format!("District {n} ({name})"),
        None => format!("District {n}"),
    }
}

/// The community area's name, or "Community Area N".
pub fn community_area_label(n: u8) -> String {
    community_area_name(n).map_or_else(|| format!("Community Area {n}"), str::to_string)
}

/// Whether a block token is a house-number prefix: digits followed by zero or more `X`
/// (`012XX`, `0000X`, `1000`).
fn is_house_number(token: &str) -> bool {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && token.bytes().skip(digits).all(|b| b == b'X' || b == b'x')
}

/// The first house number of a block, rounded down to its hundred: `012XX W SOME ST` → 1200,
/// `0000X N STATE ST` → 0, `100XX W OHARE ST` → 10000, `1234 E MAIN RD` → 1200. `None` when the
/// block does not start with a house number.
pub fn block_number(block: &str) -> Option<u32> {
    let token = block.split_whitespace().next()?;
    if !is_house_number(token) && !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    let xs = token.len() - digits;
    let base: u64 = token[..digits].parse().ok()?;
    let value = base.checked_mul(10u64.checked_pow(u32::try_from(xs).ok()?)?)?;
    u32::try_from(value / 100 * 100).ok()
}

/// The street of a block: the house-number prefix removed, upper case, single spaces.
/// `012XX W SOME ST` → `W SOME ST`, `0000X N STATE ST` → `N STATE ST`.
pub fn street_of_block(block: &str) -> String {
    let mut tokens = block.split_whitespace().peekable();
    if tokens.peek().is_some_and(|t| is_house_number(t)) {
        tokens.next();
    }
    let mut out = String::with_capacity(block.len());
    for t in tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.to_uppercase());
    }
    out
}

const KEEP_UPPER: &[&str] = &[
    "N", "S", "E", "W", "NE", "NW", "SE", "SW", "II", "III", "IV", "US",
];

fn title_word(word: &str) -> String {
    let upper = word.to_uppercase();
    if KEEP_UPPER.contains(&upper.as_str()) || is_house_number(word) {
        return upper;
    }
    // Ordinals: 95TH → 95th, 1ST → 1st.
    let digits = upper.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return format!("{}{}", &upper[..digits], upper[digits..].to_lowercase());
    }
    let mut out = String::with_capacity(word.len());
    let mut start_of_part = true;
    let chars: Vec<char> = upper.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if start_of_part {
            out.push(c);
            // Mc prefix: MCCORMICK → McCormick.
            if c == 'M' && chars.get(i + 1) == Some(&'C') && chars.len() > i + 3 {
                out.push('c');
                i += 2;
                if let Some(next) = chars.get(i) {
                    out.push(*next);
                }
            }
        } else {
            out.extend(c.to_lowercase());
        }
        start_of_part = !c.is_alphanumeric();
        i += 1;
    }
    out
}

/// A block as people write it: `001XX N STATE ST` → `001XX N State St`,
/// `016XX W 95TH ST` → `016XX W 95th St`, `0000X S DR MARTIN LUTHER KING JR DR` →
/// `0000X S Dr Martin Luther King Jr Dr`. Directions stay upper case; house numbers keep `XX`.
pub fn pretty_block(block: &str) -> String {
    block
        .split_whitespace()
        .map(title_word)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streets_lose_their_house_numbers() {
        assert_eq!(street_of_block("012XX W SOME ST"), "W SOME ST");
        assert_eq!(street_of_block("0000X N STATE ST"), "N STATE ST");
        assert_eq!(street_of_block("100XX W OHARE ST"), "W OHARE ST");
        assert_eq!(street_of_block("1000 E MAIN RD"), "E MAIN RD");
        assert_eq!(street_of_block("022XX N Western  Ave"), "N WESTERN AVE");
        assert_eq!(street_of_block("N STATE ST"), "N STATE ST");
        assert_eq!(street_of_block(""), "");
        // A numbered street is not a house number.
        assert_eq!(street_of_block("W 95TH ST"), "W 95TH ST");
    }

    #[test]
    fn block_numbers() {
        assert_eq!(block_number("012XX W SOME ST"), Some(1200));
        assert_eq!(block_number("0000X N STATE ST"), Some(0));
        assert_eq!(block_number("000XX N STATE ST"), Some(0));
        assert_eq!(block_number("100XX W OHARE ST"), Some(10_000));
        assert_eq!(block_number("1234 E MAIN RD"), Some(1200));
        assert_eq!(block_number("N STATE ST"), None);
        assert_eq!(block_number(""), None);
        assert_eq!(block_number("99999999999XX W HUGE ST"), None);
    }

    #[test]
    fn blocks_are_written_as_people_write_them() {
        assert_eq!(pretty_block("001XX N STATE ST"), "001XX N State St");
        assert_eq!(pretty_block("016XX W 95TH ST"), "016XX W 95th St");
        assert_eq!(pretty_block("0000X N STATE ST"), "0000X N State St");
        assert_eq!(pretty_block("022XX N Western Ave"), "022XX N Western Ave");
        assert_eq!(pretty_block("003XX E MCCORMICK PL"), "003XX E McCormick Pl");
        assert_eq!(pretty_block("005XX W O'HARE ST"), "005XX W O'Hare St");
        assert_eq!(
            pretty_block("051XX S DR MARTIN LUTHER KING JR DR"),
            "051XX S Dr Martin Luther King Jr Dr"
        );
    }

    #[test]
    fn places() {
        assert_eq!(community_area_name(8), Some("Near North Side"));
        assert_eq!(community_area_name(32), Some("Loop"));
        assert_eq!(community_area_name(77), Some("Edgewater"));
        assert_eq!(community_area_name(0), None);
        assert_eq!(community_area_name(78), None);
        assert_eq!(district_label(8), "District 8 (Chicago Lawn)");
        assert_eq!(district_label(13), "District 13");
        assert_eq!(community_area_label(99), "Community Area 99");
    }
}
