//! The Chicago Police "Crimes – 2001 to Present" export format (Socrata dataset `ijzp-q8t2`).
//!
//! Two header styles exist: the portal export's display names (`ID, Case Number, Date, …`) and
//! the SODA API's field names (`id, case_number, date, …`). Lower-casing a display name and
//! replacing spaces with underscores gives the API name, which is how [`Header::detect`] maps
//! both. Timestamps come as `MM/DD/YYYY hh:mm:ss AM` (export) or `YYYY-MM-DDTHH:MM:SS.fff` (API),
//! both naive Chicago wall-clock time.
//!
//! [`parse_record`] turns the fields of one row into a [`Record`] or a [`Reject`] with a reason
//! code from the lake contract; [`write_header`] / [`write_record`] produce either style.

use std::borrow::Cow;
use std::fmt;

use crate::time;

mod timestamp;

use timestamp::digits;
pub use timestamp::{format_api_timestamp, format_export_timestamp, parse_timestamp};

/// A column of the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    CaseNumber,
    Date,
    Block,
    Iucr,
    PrimaryType,
    Description,
    LocationDescription,
    Arrest,
    Domestic,
    Beat,
    District,
    Ward,
    CommunityArea,
    FbiCode,
    XCoordinate,
    YCoordinate,
    Year,
    UpdatedOn,
    Latitude,
    Longitude,
    Location,
}

/// Every column, in the export's order.
pub const FIELDS: [Field; 22] = [
    Field::Id,
    Field::CaseNumber,
    Field::Date,
    Field::Block,
    Field::Iucr,
    Field::PrimaryType,
    Field::Description,
    Field::LocationDescription,
    Field::Arrest,
    Field::Domestic,
    Field::Beat,
    Field::District,
    Field::Ward,
    Field::CommunityArea,
    Field::FbiCode,
    Field::XCoordinate,
    Field::YCoordinate,
    Field::Year,
    Field::UpdatedOn,
    Field::Latitude,
    Field::Longitude,
    Field::Location,
];

impl Field {
    /// The portal export's column name.
    pub fn display_name(self) -> &'static str {
        match self {
            Field::Id => "ID",
            Field::CaseNumber => "Case Number",
            Field::Date => "Date",
            Field::Block => "Block",
            Field::Iucr => "IUCR",
            Field::PrimaryType => "Primary Type",
            Field::Description => "Description",
            Field::LocationDescription => "Location Description",
            Field::Arrest => "Arrest",
            Field::Domestic => "Domestic",
            Field::Beat => "Beat",
            Field::District => "District",
            Field::Ward => "Ward",
            Field::CommunityArea => "Community Area",
            Field::FbiCode => "FBI Code",
            Field::XCoordinate => "X Coordinate",
            Field::YCoordinate => "Y Coordinate",
            Field::Year => "Year",
            Field::UpdatedOn => "Updated On",
            Field::Latitude => "Latitude",
            Field::Longitude => "Longitude",
            Field::Location => "Location",
        }
    }

    /// The SODA API's field name.
    pub fn api_name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::CaseNumber => "case_number",
            Field::Date => "date",
            Field::Block => "block",
            Field::Iucr => "iucr",
            Field::PrimaryType => "primary_type",
            Field::Description => "description",
            Field::LocationDescription => "location_description",
            Field::Arrest => "arrest",
            Field::Domestic => "domestic",
            Field::Beat => "beat",
            Field::District => "district",
            Field::Ward => "ward",
            Field::CommunityArea => "community_area",
            Field::FbiCode => "fbi_code",
            Field::XCoordinate => "x_coordinate",
            Field::YCoordinate => "y_coordinate",
            Field::Year => "year",
            Field::UpdatedOn => "updated_on",
            Field::Latitude => "latitude",
            Field::Longitude => "longitude",
            Field::Location => "location",
        }
    }

    /// Columns without which a file cannot be read as this dataset.
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::Id | Field::Date | Field::PrimaryType | Field::Arrest | Field::Domestic
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which header style a file uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderStyle {
    /// Portal export display names (`ID, Case Number, …`), timestamps `MM/DD/YYYY hh:mm:ss AM`.
    Export,
    /// SODA API field names (`id, case_number, …`), ISO timestamps.
    Api,
}

/// The column layout of one file, detected from its header row.
#[derive(Clone, Debug)]
pub struct Header {
    pub style: HeaderStyle,
    /// Number of fields in the header row; every data row must have exactly this many.
    pub width: usize,
    /// Header names that are not dataset columns (computed regions and the like), ignored.
    pub extra_columns: Vec<String>,
    positions: [Option<usize>; 22],
}

/// Why a header row is not this dataset's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown header: missing column(s) {}", missing.join(", "))]
pub struct HeaderError {
    pub missing: Vec<&'static str>,
}

/// Normalises a header name to its API form: trimmed, lower case, spaces to underscores.
fn normalise_header_name(name: &str) -> String {
    let cleaned = clean_text(name);
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        if c == ' ' || c == '-' {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

impl Header {
    /// Maps header names (either style) to columns.
    pub fn detect<S: AsRef<str>>(names: &[S]) -> Result<Header, HeaderError> {
        let mut positions = [None; 22];
        let mut extra_columns = Vec::new();
        let mut display_votes = 0usize;
        for (i, raw) in names.iter().enumerate() {
            let raw = raw.as_ref();
            let norm = normalise_header_name(raw);
            match FIELDS.iter().find(|f| f.api_name() == norm) {
                Some(f) if positions[f.index()].is_none() => {
                    positions[f.index()] = Some(i);
                    if raw.trim() != norm {
                        display_votes += 1;
                    }
                }
                _ => extra_columns.push(clean_text(raw).into_owned()),
            }
        }
        let missing: Vec<_> = FIELDS
            .iter()
            .filter(|f| f.required() && positions[f.index()].is_none())
            .map(|f| f.display_name())
            .collect();
        if !missing.is_empty() {
            return Err(HeaderError { missing });
        }
        let style = if display_votes > 0 {
            HeaderStyle::Export
        } else {
            HeaderStyle::Api
        };
        Ok(Header {
            style,
            width: names.len(),
            extra_columns,
            positions,
        })
    }

    /// The position of a column in a row, if the file has it.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions[field.index()]
    }
}

/// Why a row was quarantined (the `reason` column of `quarantine/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// The row has a different number of fields than the header.
    FieldCount,
    /// The ID is missing or not an integer.
    BadId,
    /// The incident date is missing or not a valid timestamp.
    BadDate,
    /// `Arrest` or `Domestic` is not `true`/`false`.
    BadBoolean,
    /// The primary type is empty.
    EmptyPrimaryType,
    /// The row is not valid UTF-8.
    InvalidUtf8,
    /// A quoted field was never closed; only the first line of the record is quarantined.
    UnterminatedQuote,
    /// A single line longer than the record size limit.
    OversizedRecord,
    /// The file's header is not this dataset's, so none of its rows can be read. (Older lakes
    /// quarantined such files row by row; ingest now refuses the file instead.)
    UnknownHeader,
    /// `Updated On` holds text that is not a timestamp (empty is fine: no update yet).
    BadUpdatedOn,
    /// The incident date is a valid timestamp outside the range the lake accepts (before the
    /// dataset began in 2001, or after the day of the ingest).
    DateOutOfRange,
}

impl RejectReason {
    /// Every reason, for reports.
    pub const ALL: [RejectReason; 11] = [
        RejectReason::FieldCount,
        RejectReason::BadId,
        RejectReason::BadDate,
        RejectReason::BadBoolean,
        RejectReason::EmptyPrimaryType,
        RejectReason::InvalidUtf8,
        RejectReason::UnterminatedQuote,
        RejectReason::OversizedRecord,
        RejectReason::UnknownHeader,
        RejectReason::BadUpdatedOn,
        RejectReason::DateOutOfRange,
    ];

    /// The reason code written to the lake.
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::FieldCount => "field_count",
            RejectReason::BadId => "bad_id",
            RejectReason::BadDate => "bad_date",
            RejectReason::BadBoolean => "bad_boolean",
            RejectReason::EmptyPrimaryType => "empty_primary_type",
            RejectReason::InvalidUtf8 => "invalid_utf8",
            RejectReason::UnterminatedQuote => "unterminated_quote",
            RejectReason::OversizedRecord => "oversized_record",
            RejectReason::UnknownHeader => "unknown_header",
            RejectReason::BadUpdatedOn => "bad_updated_on",
            RejectReason::DateOutOfRange => "date_out_of_range",
        }
    }

    /// Parses a reason code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A row that cannot become a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub reason: RejectReason,
    /// Human-readable detail (which field, what value).
    pub detail: String,
}

impl Reject {
    fn new(reason: RejectReason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

/// One parsed incident. Text borrows from the input row where no cleaning was needed.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<'a> {
    pub id: i64,
    pub case_number: Cow<'a, str>,
    /// Naive Chicago time, microseconds since 1970-01-01T00:00.
    pub occurred_at: i64,
    /// Upper case, single spaces.
    pub block: Cow<'a, str>,
    pub iucr: Cow<'a, str>,
    /// Upper case, trimmed.
    pub primary_type: Cow<'a, str>,
    pub description: Cow<'a, str>,
    pub location_description: Option<Cow<'a, str>>,
    pub arrest: bool,
    pub domestic: bool,
    pub beat: Option<u16>,
    pub district: Option<u8>,
    pub ward: Option<u8>,
    pub community_area: Option<u8>,
    pub fbi_code: Cow<'a, str>,
    pub x_coordinate: Option<f64>,
    pub y_coordinate: Option<f64>,
    /// `NaN` when the field held text that is not a number (kept so Silver can flag it).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub updated_on: Option<i64>,
    /// Fields whose value was unusable and is stored as null.
    pub field_issues: FieldIssues,
}

impl Record<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> Record<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        Record {
            id: self.id,
            case_number: own(self.case_number),
            occurred_at: self.occurred_at,
            block: own(self.block),
            iucr: own(self.iucr),
            primary_type: own(self.primary_type),
            description: own(self.description),
            location_description: self.location_description.map(own),
            arrest: self.arrest,
            domestic: self.domestic,
            beat: self.beat,
            district: self.district,
            ward: self.ward,
            community_area: self.community_area,
            fbi_code: own(self.fbi_code),
            x_coordinate: self.x_coordinate,
            y_coordinate: self.y_coordinate,
            latitude: self.latitude,
            longitude: self.longitude,
            updated_on: self.updated_on,
            field_issues: self.field_issues,
        }
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Trims whitespace (Unicode spaces included), drops zero-width characters, turns any other
/// whitespace (non-breaking spaces, tabs) into plain spaces and collapses runs of spaces.
/// Borrows when the text is already clean.
pub fn clean_text(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    let clean = trimmed.is_ascii()
        && !trimmed.as_bytes().windows(2).any(|w| w == b"  ")
        && !trimmed
            .bytes()
            .any(|b| b.is_ascii_whitespace() && b != b' ');
    if clean {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean_text`], then upper case.
pub fn clean_upper(text: &str) -> Cow<'_, str> {
    match clean_text(text) {
        Cow::Borrowed(s) if !s.bytes().any(|b| b.is_ascii_lowercase()) && s.is_ascii() => {
            Cow::Borrowed(s)
        }
        other => Cow::Owned(other.to_uppercase()),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    let t = clean_text(text);
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A jurisdiction code (beat, district, ward, community area): `Ok(None)` when empty, `Err`
/// when the text is not a whole number or exceeds `max` (what the column can hold).
fn parse_code(text: &str, max: u32) -> Result<Option<u32>, ()> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    // Some exports write integers as floats ("6.0").
    let t = t.strip_suffix(".0").unwrap_or(&t);
    digits(t.as_bytes())
        .filter(|v| *v <= max)
        .map(Some)
        .ok_or(())
}

/// Fields of a record whose value its column cannot hold as given (a beat of `99999`, a ward of
/// `A5`): the record is kept with the field null, and the issue is recorded in Bronze's
/// `field_issue` column and counted in the ingest's reconciliation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldIssues(u8);

impl FieldIssues {
    pub const BEAT: FieldIssues = FieldIssues(1);
    pub const DISTRICT: FieldIssues = FieldIssues(2);
    pub const WARD: FieldIssues = FieldIssues(4);
    pub const COMMUNITY_AREA: FieldIssues = FieldIssues(8);
    /// Every issue with its code.
    pub const ALL: [(FieldIssues, &'static str); 4] = [
        (FieldIssues::BEAT, "beat"),
        (FieldIssues::DISTRICT, "district"),
        (FieldIssues::WARD, "ward"),
        (FieldIssues::COMMUNITY_AREA, "community_area"),
    ];

    /// No issue.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every issue of `other` is in `self`.
    pub fn contains(self, other: FieldIssues) -> bool {
        self.0 & other.0 == other.0
    }

    /// Adds `other`'s issues.
    pub fn insert(&mut self, other: FieldIssues) {
        self.0 |= other.0;
    }

    /// The codes of the issues, in [`FieldIssues::ALL`] order.
    pub fn codes(self) -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .filter(move |(f, _)| self.contains(*f))
            .map(|(_, c)| c)
    }

    /// Parses `beat,ward` (unknown codes are ignored).
    pub fn from_codes(text: &str) -> FieldIssues {
        let mut out = FieldIssues::default();
        for code in text.split(',') {
            if let Some((f, _)) = Self::ALL.iter().find(|(_, c)| *c == code.trim()) {
                out.insert(*f);
            }
        }
        out
    }
}

fn parse_coordinate(text: &str) -> Option<f64> {
    let t = clean_text(text);
    if t.is_empty() {
        None
    } else {
        // Text that is not a number is kept as NaN so Silver can flag it `invalid`.
        Some(t.parse::<f64>().unwrap_or(f64::NAN))
    }
}

/// Parses the fields of one data row under `header`.
pub fn parse_record<'a, S: AsRef<str>>(
    header: &Header,
    fields: &'a [S],
) -> Result<Record<'a>, Reject> {
    if fields.len() != header.width {
        return Err(Reject::new(
            RejectReason::FieldCount,
            format!("expected {} fields, found {}", header.width, fields.len()),
        ));
    }
    let get = |f: Field| -> &'a str { header.position(f).map_or("", |i| fields[i].as_ref()) };

    let id_text = clean_text(get(Field::Id));
    let id = match id_text.parse::<i64>() {
        Ok(id) if id >= 0 => id,
        _ if id_text.is_empty() => return Err(Reject::new(RejectReason::BadId, "ID is empty")),
        _ => {
            return Err(Reject::new(
                RejectReason::BadId,
                format!("ID {id_text:?} is not an integer"),
            ));
        }
    };
    let date_text = get(Field::Date);
    let occurred_at = parse_timestamp(date_text).ok_or_else(|| {
        Reject::new(
            RejectReason::BadDate,
            format!("Date {:?} is not a valid timestamp", date_text),
        )
    })?;
    let primary_type = clean_upper(get(Field::PrimaryType));
    if primary_type.is_empty() {
        return Err(Reject::new(
            RejectReason::EmptyPrimaryType,
            "Primary Type is empty",
        ));
    }
    let arrest = parse_bool(get(Field::Arrest)).ok_or_else(|| {
        Reject::new(
            RejectReason::BadBoolean,
            format!("Arrest {:?} is not true/false", get(Field::Arrest)),
        )
    })?;
    let domestic = parse_bool(get(Field::Domestic)).ok_or_else(|| {
        Reject::new(
            RejectReason::BadBoolean,
            format!("Domestic {:?} is not true/false", get(Field::Domestic)),
        )
    })?;
    let location_description = {
        let t = clean_upper(get(Field::LocationDescription));
        (!t.is_empty()).then_some(t)
    };
    let updated_on = {
        let t = get(Field::UpdatedOn);
        if t.trim().is_empty() {
            None
        } else {
            Some(parse_timestamp(t).ok_or_else(|| {
                Reject::new(
                    RejectReason::BadUpdatedOn,
                    format!("Updated On {t:?} is not a valid timestamp"),
                )
            })?)
        }
    };
    let mut field_issues = FieldIssues::default();
    let mut code = |f: Field, max: u32, issue: FieldIssues| {
        parse_code(get(f), max).unwrap_or_else(|()| {
            field_issues.insert(issue);
            None
        })
    };
    let beat = code(Field::Beat, u32::from(u16::MAX), FieldIssues::BEAT).map(|v| v as u16);
    let district = code(Field::District, 255, FieldIssues::DISTRICT).map(|v| v as u8);
    let ward = code(Field::Ward, 255, FieldIssues::WARD).map(|v| v as u8);
    let community_area =
        code(Field::CommunityArea, 255, FieldIssues::COMMUNITY_AREA).map(|v| v as u8);
    Ok(Record {
        id,
        case_number: clean_upper(get(Field::CaseNumber)),
        occurred_at,
        block: clean_upper(get(Field::Block)),
        iucr: clean_upper(get(Field::Iucr)),
        primary_type,
        description: clean_upper(get(Field::Description)),
        location_description,
        arrest,
        domestic,
        beat,
        district,
        ward,
        community_area,
        fbi_code: clean_upper(get(Field::FbiCode)),
        x_coordinate: parse_coordinate(get(Field::XCoordinate)).filter(|v| v.is_finite()),
        y_coordinate: parse_coordinate(get(Field::YCoordinate)).filter(|v| v.is_finite()),
        latitude: parse_coordinate(get(Field::Latitude)),
        longitude: parse_coordinate(get(Field::Longitude)),
        updated_on,
        field_issues,
    })
}

/// Writes the header row of `style` (with a trailing newline).
pub fn write_header(out: &mut Vec<u8>, style: HeaderStyle) {
    for (i, f) in FIELDS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(match style {
            HeaderStyle::Export => f.display_name().as_bytes(),
            HeaderStyle::Api => f.api_name().as_bytes(),
        });
    }
    out.push(b'\n');
}

/// Writes one record as a data row of `style` (with a trailing newline), formatted the way the
/// portal writes it: zero-padded beat and district, nine-decimal coordinates, a quoted
/// `(lat, lon)` location, blanks for missing values.
pub fn write_record(out: &mut Vec<u8>, style: HeaderStyle, r: &Record<'_>) {
    use crate::csv::write_field;
    let mut s = String::with_capacity(64);
    let field = |out: &mut Vec<u8>, text: &str, last: bool| {
        write_field(out, text);
        out.push(if last { b'\n' } else { b',' });
    };
    let ts = |micros: i64, s: &mut String| {
        s.clear();
        match style {
            HeaderStyle::Export => format_export_timestamp(micros, s),
            HeaderStyle::Api => format_api_timestamp(micros, s),
        }
    };
    field(out, &r.id.to_string(), false);
    field(out, &r.case_number, false);
    ts(r.occurred_at, &mut s);
    field(out, &s, false);
    field(out, &r.block, false);
    field(out, &r.iucr, false);
    field(out, &r.primary_type, false);
    field(out, &r.description, false);
    field(out, r.location_description.as_deref().unwrap_or(""), false);
    field(out, if r.arrest { "true" } else { "false" }, false);
    field(out, if r.domestic { "true" } else { "false" }, false);
    field(
        out,
        &r.beat.map(|b| format!("{b:04}")).unwrap_or_default(),
        false,
    );
    field(
        out,
        &r.district.map(|d| format!("{d:03}")).unwrap_or_default(),
        false,
    );
    field(
        out,
        &r.ward.map(|w| w.to_string()).unwrap_or_default(),
        false,
    );
    field(
        out,
        &r.community_area.map(|c| c.to_string()).unwrap_or_default(),
        false,
    );
    field(out, &r.fbi_code, false);
    field(
        out,
        &r.x_coordinate
            .map(|x| format!("{x:.0}"))
            .unwrap_or_default(),
        false,
    );
    field(
        out,
        &r.y_coordinate
            .map(|y| format!("{y:.0}"))
            .unwrap_or_default(),
        false,
    );
    let (year, _, _) = time::civil_from_days(time::day_of_micros(r.occurred_at));
    field(out, &year.to_string(), false);
    match r.updated_on {
        Some(u) => ts(u, &mut s),
        None => s.clear(),
    }
    field(out, &s, false);
    let coord = |v: Option<f64>| v.map(|v| format!("{v:.9}")).unwrap_or_default();
    field(out, &coord(r.latitude), false);
    field(out, &coord(r.longitude), false);
    let location = match (r.latitude, r.longitude) {
        (Some(lat), Some(lon)) => format!("({lat:.9}, {lon:.9})"),
        _ => String::new(),
    };
    field(out, &location, true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::micros_from_parts;

    const EXPORT_HEADER: &str = "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,Location";
    const ROW: &str = "13582375,JH410439,09/01/2024 12:00:00 AM,006XX E 85TH ST,143A,WEAPONS VIOLATION,UNLAWFUL POSSESSION - HANDGUN,PARK PROPERTY,true,false,0632,006,6,44,15,1181989,1848768,2024,05/17/2025 03:40:52 PM,41.740242790,-87.608792309,\"(41.740242790, -87.608792309)\"";

    fn split(row: &str) -> Vec<String> {
        let mut v = Vec::new();
        crate::csv::split_fields(row.as_bytes(), &mut v);
        v.iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }

    fn header() -> Header {
        Header::detect(&split(EXPORT_HEADER)).expect("header")
    }

    fn parse(row: &str) -> Result<Record<'static>, Reject> {
        let h = header();
        let fields = split(row);
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        parse_record(&h, &refs).map(Record::into_owned)
    }

    #[test]
    fn detects_both_header_styles() {
        let h = header();
        assert_eq!(h.style, HeaderStyle::Export);
        assert_eq!(h.position(Field::Location), Some(21));
        let api: Vec<&str> = FIELDS.iter().map(|f| f.api_name()).collect();
        let h = Header::detect(&api).expect("api");
        assert_eq!(h.style, HeaderStyle::Api);
        assert_eq!(h.position(Field::UpdatedOn), Some(18));
        let mut extra: Vec<String> = split(EXPORT_HEADER);
        extra.push("Historical Wards 2003-2015".into());
        let h = Header::detect(&extra).expect("extra");
        assert_eq!(
            h.extra_columns,
            vec!["Historical Wards 2003-2015".to_string()]
        );
        assert_eq!(h.width, 23);
        let err = Header::detect(&["foo", "bar"]).expect_err("unknown");
        assert!(err.missing.contains(&"ID"));
    }

    #[test]
    fn parses_a_real_row() {
        let r = parse(ROW).expect("record");
        assert_eq!(r.id, 13582375);
        // 2024-09-01T00:00 is 1,725,148,800 s after the epoch (worked out with Python's
        // calendar.timegm).
        assert_eq!(r.occurred_at, 1_725_148_800_000_000);
        assert_eq!(r.block, "006XX E 85TH ST");
        assert_eq!(r.primary_type, "WEAPONS VIOLATION");
        assert!(r.arrest && !r.domestic);
        assert_eq!(
            (r.beat, r.district, r.ward, r.community_area),
            (Some(632), Some(6), Some(6), Some(44))
        );
        assert_eq!(r.latitude, Some(41.740242790));
        assert_eq!(r.updated_on, Some(1_747_496_452_000_000)); // 2025-05-17T15:40:52
    }

    #[test]
    fn write_then_parse_round_trips_in_both_styles() {
        let r = parse(ROW).expect("record");
        for style in [HeaderStyle::Export, HeaderStyle::Api] {
            let mut buf = Vec::new();
            write_header(&mut buf, style);
            write_record(&mut buf, style, &r);
            let text = String::from_utf8(buf).expect("utf8");
            let mut lines = text.lines();
            let h = Header::detect(&split(lines.next().expect("header"))).expect("header");
            assert_eq!(h.style, style);
            let fields = split(lines.next().expect("row"));
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            assert_eq!(parse_record(&h, &refs).expect("parse").into_owned(), r);
        }
        let mut buf = Vec::new();
        write_record(&mut buf, HeaderStyle::Export, &r);
        assert_eq!(String::from_utf8(buf).expect("utf8").trim_end(), ROW);
    }

    #[test]
    fn timestamps() {
        let t = |s| parse_timestamp(s);
        // Microseconds since the epoch, worked out with Python's calendar.timegm.
        const SEP1: i64 = 1_725_148_800_000_000; // 2024-09-01T00:00
        const SEP1_NOON: i64 = 1_725_192_000_000_000; // 2024-09-01T12:00
        const SEP30_2358: i64 = 1_727_740_680_000_000; // 2024-09-30T23:58
        assert_eq!(t("09/01/2024 12:00:00 AM"), Some(SEP1));
        assert_eq!(t("09/01/2024 12:00:00 PM"), Some(SEP1_NOON));
        assert_eq!(t("09/30/2024 11:58:00 PM"), Some(SEP30_2358));
        assert_eq!(t("2024-09-30T23:58:00.000"), Some(SEP30_2358));
        assert_eq!(t("2024-09-30T23:58:00"), Some(SEP30_2358));
        assert_eq!(t("2024-09-30 23:58:00"), Some(SEP30_2358));
        assert_eq!(t("2024-09-30T23:58:00.5"), Some(SEP30_2358 + 500_000));
        assert_eq!(t("02/29/2023 01:00:00 AM"), None);
        assert_eq!(t("13/01/2024 01:00:00 AM"), None);
        assert_eq!(t("09/01/2024 13:00:00 PM"), None);
        assert_eq!(t("09/01/2024 00:00:00 AM"), None);
        assert_eq!(t("not a date"), None);
        assert_eq!(t(""), None);
        let mut s = String::new();
        format_export_timestamp(micros_from_parts(2024, 9, 1, 0, 5, 7, 0), &mut s);
        assert_eq!(s, "09/01/2024 12:05:07 AM");
        s.clear();
        format_export_timestamp(micros_from_parts(2024, 9, 1, 13, 0, 0, 0), &mut s);
        assert_eq!(s, "09/01/2024 01:00:00 PM");
        s.clear();
        format_api_timestamp(micros_from_parts(2024, 9, 1, 13, 0, 0, 0), &mut s);
        assert_eq!(s, "2024-09-01T13:00:00.000");
    }

    #[test]
    fn reject_reasons() {
        let with = |col: usize, value: &str| {
            let mut f = split(ROW);
            f[col] = value.to_string();
            let row: Vec<String> = f
                .iter()
                .map(|v| {
                    let mut b = Vec::new();
                    crate::csv::write_field(&mut b, v);
                    String::from_utf8(b).expect("utf8")
                })
                .collect();
            parse(&row.join(",")).map(|_| ()).map_err(|e| e.reason)
        };
        assert_eq!(with(0, ""), Err(RejectReason::BadId));
        assert_eq!(with(0, "12a"), Err(RejectReason::BadId));
        assert_eq!(with(2, "2024-02-30T00:00:00"), Err(RejectReason::BadDate));
        assert_eq!(with(5, "  "), Err(RejectReason::EmptyPrimaryType));
        assert_eq!(with(8, "yes"), Err(RejectReason::BadBoolean));
        assert_eq!(with(9, ""), Err(RejectReason::BadBoolean));
        assert_eq!(with(8, "TRUE"), Ok(()));
        assert_eq!(
            parse("1,2,3").map(|_| ()).map_err(|e| e.reason),
            Err(RejectReason::FieldCount)
        );
    }

    #[test]
    fn odd_values_are_kept_not_rejected() {
        let mut f = split(ROW);
        f[19] = "NaN".into();
        f[20] = "inf".into();
        f[12] = "".into();
        f[3] = "022XX N Western\u{a0}Ave\u{200b}".into();
        f[5] = " theft ".into();
        let refs: Vec<&str> = f.iter().map(String::as_str).collect();
        let r = parse_record(&header(), &refs).expect("kept");
        assert!(r.latitude.is_some_and(f64::is_nan));
        assert_eq!(r.longitude, Some(f64::INFINITY));
        assert_eq!(r.ward, None);
        assert_eq!(r.block, "022XX N WESTERN AVE");
        assert_eq!(r.primary_type, "THEFT");
        f[19] = "abc".into();
        let refs: Vec<&str> = f.iter().map(String::as_str).collect();
        assert!(
            parse_record(&header(), &refs)
                .expect("kept")
                .latitude
                .is_some_and(f64::is_nan)
        );
    }

    #[test]
    fn clean_text_normalises_whitespace() {
        assert!(matches!(clean_text("ABC DEF"), Cow::Borrowed("ABC DEF")));
        assert_eq!(clean_text("  a \u{a0} b\t c "), "a b c");
        assert_eq!(clean_text("\u{feff}x\u{200b}y"), "xy");
        assert_eq!(clean_upper("Cañon St"), "CAÑON ST");
    }
}
