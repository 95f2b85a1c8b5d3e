//! Parsed records in columnar form, on their way to a Bronze partition.

use hotspot_core::socrata::Record;
use polars::prelude::*;

use crate::error::Result;
use crate::frame::{self, StrColumn};
use hotspot_core::lake::columns::bronze as col;

/// The staging column holding each row's position in the input (file index and line).
pub const SEQ: &str = "_seq";

/// Encodes a row's input position so that ordering by it is input order: files in the order
/// given, lines in file order. Sequence 0 is reserved for records already in the lake.
pub fn seq_of(file_index: usize, line: u64) -> u64 {
    ((file_index as u64 + 1) << 40) | line
}

/// Records of one month, column by column.
#[derive(Debug, Default)]
pub struct BronzeBatch {
    pub seq: Vec<u64>,
    pub id: Vec<i64>,
    pub case_number: StrColumn,
    pub occurred_at: Vec<i64>,
    pub block: StrColumn,
    pub iucr: StrColumn,
    pub primary_type: StrColumn,
    pub description: StrColumn,
    pub location_description: StrColumn,
    pub arrest: Vec<bool>,
    pub domestic: Vec<bool>,
    pub beat: Vec<Option<u16>>,
    pub district: Vec<Option<u8>>,
    pub ward: Vec<Option<u8>>,
    pub community_area: Vec<Option<u8>>,
    pub fbi_code: StrColumn,
    pub x_coordinate: Vec<Option<f64>>,
    pub y_coordinate: Vec<Option<f64>>,
    pub latitude: Vec<Option<f64>>,
    pub longitude: Vec<Option<f64>>,
    pub updated_on: Vec<Option<i64>>,
    pub field_issue: StrColumn,
}

impl BronzeBatch {
    /// Appends one record.
    pub fn push(&mut self, seq: u64, r: &Record<'_>) {
        self.seq.push(seq);
        self.id.push(r.id);
        self.case_number.push(&r.case_number);
        self.occurred_at.push(r.occurred_at);
        self.block.push(&r.block);
        self.iucr.push(&r.iucr);
        self.primary_type.push(&r.primary_type);
        self.description.push(&r.description);
        self.location_description
            .push_opt(r.location_description.as_deref());
        self.arrest.push(r.arrest);
        self.domestic.push(r.domestic);
        self.beat.push(r.beat);
        self.district.push(r.district);
        self.ward.push(r.ward);
        self.community_area.push(r.community_area);
        self.fbi_code.push(&r.fbi_code);
        self.x_coordinate.push(r.x_coordinate);
        self.y_coordinate.push(r.y_coordinate);
        self.latitude.push(r.latitude);
        self.longitude.push(r.longitude);
        self.updated_on.push(r.updated_on);
        if r.field_issues.is_empty() {
            self.field_issue.push_opt(None);
        } else {
            let codes: Vec<&str> = r.field_issues.codes().collect();
            self.field_issue.push_opt(Some(&codes.join(",")));
        }
    }

    /// Moves every record of `other` to the end of this batch.
    pub fn append(&mut self, mut other: BronzeBatch) {
        self.seq.append(&mut other.seq);
        self.id.append(&mut other.id);
        self.case_number.append(other.case_number);
        self.occurred_at.append(&mut other.occurred_at);
        self.block.append(other.block);
        self.iucr.append(other.iucr);
        self.primary_type.append(other.primary_type);
        self.description.append(other.description);
        self.location_description.append(other.location_description);
        self.arrest.append(&mut other.arrest);
        self.domestic.append(&mut other.domestic);
        self.beat.append(&mut other.beat);
        self.district.append(&mut other.district);
        self.ward.append(&mut other.ward);
        self.community_area.append(&mut other.community_area);
        self.fbi_code.append(other.fbi_code);
        self.x_coordinate.append(&mut other.x_coordinate);
        self.y_coordinate.append(&mut other.y_coordinate);
        self.latitude.append(&mut other.latitude);
        self.longitude.append(&mut other.longitude);
        self.updated_on.append(&mut other.updated_on);
        self.field_issue.append(other.field_issue);
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Rough memory held, to decide when to spill to staging.
    pub fn approx_bytes(&self) -> usize {
        self.len() * 120
            + self.case_number.byte_len()
            + self.block.byte_len()
            + self.iucr.byte_len()
            + self.primary_type.byte_len()
            + self.description.byte_len()
            + self.location_description.byte_len()
            + self.fbi_code.byte_len()
    }

    /// The batch as a frame with Bronze's schema plus the staging column [`SEQ`].
    pub fn into_frame(mut self) -> Result<DataFrame> {
        let seq = std::mem::take(&mut self.seq);
        let mut columns = vec![frame::vec_column::<UInt64Type>(SEQ, seq)];
        columns.extend(bronze_columns(self));
        frame::frame(columns)
    }
}

fn bronze_columns(b: BronzeBatch) -> Vec<Column> {
    vec![
        frame::vec_column::<Int64Type>(col::ID, b.id),
        b.case_number.into_column(col::CASE_NUMBER),
        frame::timestamp_column(
            col::OCCURRED_AT,
            b.occurred_at.into_iter().map(Some).collect(),
        ),
        b.block.into_column(col::BLOCK),
        b.iucr.into_column(col::IUCR),
        b.primary_type.into_column(col::PRIMARY_TYPE),
        b.description.into_column(col::DESCRIPTION),
        b.location_description
            .into_column(col::LOCATION_DESCRIPTION),
        frame::bool_column(col::ARREST, b.arrest),
        frame::bool_column(col::DOMESTIC, b.domestic),
        frame::opt_column::<UInt16Type>(col::BEAT, b.beat),
        frame::opt_column::<UInt8Type>(col::DISTRICT, b.district),
        frame::opt_column::<UInt8Type>(col::WARD, b.ward),
        frame::opt_column::<UInt8Type>(col::COMMUNITY_AREA, b.community_area),
        b.fbi_code.into_column(col::FBI_CODE),
        frame::opt_column::<Float64Type>(col::X_COORDINATE, b.x_coordinate),
        frame::opt_column::<Float64Type>(col::Y_COORDINATE, b.y_coordinate),
        frame::opt_column::<Float64Type>(col::LATITUDE, b.latitude),
        frame::opt_column::<Float64Type>(col::LONGITUDE, b.longitude),
        frame::timestamp_column(col::UPDATED_ON, b.updated_on),
        b.field_issue.into_column(col::FIELD_ISSUE),
    ]
}
