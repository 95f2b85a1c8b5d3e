//! Column names of the lake's tables, as the contract (`lake.md`) spells them. The pipeline
//! writes and the scope engine reads through these constants, so a name exists once.

/// Bronze columns, in file order.
pub mod bronze {
    pub const ID: &str = "id";
    pub const CASE_NUMBER: &str = "case_number";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const BLOCK: &str = "block";
    pub const IUCR: &str = "iucr";
    pub const PRIMARY_TYPE: &str = "primary_type";
    pub const DESCRIPTION: &str = "description";
    pub const LOCATION_DESCRIPTION: &str = "location_description";
    pub const ARREST: &str = "arrest";
    pub const DOMESTIC: &str = "domestic";
    pub const BEAT: &str = "beat";
    pub const DISTRICT: &str = "district";
    pub const WARD: &str = "ward";
    pub const COMMUNITY_AREA: &str = "community_area";
    pub const FBI_CODE: &str = "fbi_code";
    pub const X_COORDINATE: &str = "x_coordinate";
    pub const Y_COORDINATE: &str = "y_coordinate";
    pub const LATITUDE: &str = "latitude";
    pub const LONGITUDE: &str = "longitude";
    pub const UPDATED_ON: &str = "updated_on";
    /// An extension: codes of the fields whose value could not be stored (`beat`, `district`,
    /// `ward`, `community_area`, comma-separated; null when none). Those fields are null.
    pub const FIELD_ISSUE: &str = "field_issue";

    /// Every Bronze column in order.
    pub const ALL: [&str; 21] = [
        ID,
        CASE_NUMBER,
        OCCURRED_AT,
        BLOCK,
        IUCR,
        PRIMARY_TYPE,
        DESCRIPTION,
        LOCATION_DESCRIPTION,
        ARREST,
        DOMESTIC,
        BEAT,
        DISTRICT,
        WARD,
        COMMUNITY_AREA,
        FBI_CODE,
        X_COORDINATE,
        Y_COORDINATE,
        LATITUDE,
        LONGITUDE,
        UPDATED_ON,
        FIELD_ISSUE,
    ];
}

/// Columns Silver adds to Bronze's.
pub mod silver {
    pub const CATEGORY: &str = "category";
    pub const DATE: &str = "date";
    pub const HOUR: &str = "hour";
    pub const DOW: &str = "dow";
    pub const IS_WEEKEND: &str = "is_weekend";
    pub const HOUR_SIN: &str = "hour_sin";
    pub const HOUR_COS: &str = "hour_cos";
    pub const DOW_SIN: &str = "dow_sin";
    pub const DOW_COS: &str = "dow_cos";
    pub const MONTH_SIN: &str = "month_sin";
    pub const MONTH_COS: &str = "month_cos";
    pub const STREET: &str = "street";
    pub const GEO_ISSUE: &str = "geo_issue";

    /// `h3_r6` … `h3_r10`.
    pub fn h3(res: u8) -> String {
        format!("h3_r{res}")
    }
}

/// Gold column names.
pub mod gold {
    pub const CELL: &str = "cell";
    pub const DATE: &str = "date";
    pub const PRIMARY_TYPE: &str = "primary_type";
    pub const INCIDENTS: &str = "incidents";
    pub const ARRESTS: &str = "arrests";
    pub const DOMESTIC: &str = "domestic";
    pub const DOW: &str = "dow";
    pub const HOUR: &str = "hour";
    pub const ARREST_RATE: &str = "arrest_rate";
    pub const WILSON_LO: &str = "wilson_lo";
    pub const WILSON_HI: &str = "wilson_hi";
    pub const SMOOTHED_RATE: &str = "smoothed_rate";
    pub const POOLED_INCIDENTS: &str = "pooled_incidents";
    pub const POOLED_ARRESTS: &str = "pooled_arrests";
    pub const POOLED_RATE: &str = "pooled_rate";
    pub const POOLED_SMOOTHED: &str = "pooled_smoothed";
    pub const LOW_CONFIDENCE: &str = "low_confidence";
    pub const DOMINANT_TYPE: &str = "dominant_type";
    pub const SIGNATURE_BLOCK: &str = "signature_block";
    pub const SIGNATURE_STREET: &str = "signature_street";
    pub const DISTRICT: &str = "district";
    pub const WARD: &str = "ward";
    pub const COMMUNITY_AREA: &str = "community_area";
    /// The month's citywide arrest rate (an extension: the prior every smoothed rate used).
    pub const PRIOR: &str = "prior";
    pub const PARENT: &str = "parent";
    pub const CHILD: &str = "child";
    pub const LABEL: &str = "label";
    pub const GEO_ISSUE: &str = "geo_issue";
    /// `r10_tally`: which attribute a tally row counts (`street`, `district`, …).
    pub const FIELD: &str = "field";
    /// `r10_tally`: the attribute's value.
    pub const VALUE: &str = "value";
}
