//! The normalized HRIS record every HR-system client returns, how a pull reports failures, and
//! the normalized change a vendor's webhook announces.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::VendorError;

/// Whether the person still works for the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    Active,
    Terminated,
}

/// One person as the HR system knows them, in vendor-neutral form.
///
/// `external_id` is the vendor's stable id: the backend upserts on it, so a repeated sync changes
/// nothing. Optional fields are `None` when the vendor has no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HrisEmployee {
    pub external_id: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub work_email: Option<String>,
    pub employee_number: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    /// The manager's `external_id` in the same HR system.
    pub manager_external_id: Option<String>,
    pub status: EmploymentStatus,
    pub hire_date: Option<NaiveDate>,
    pub termination_date: Option<NaiveDate>,
}

/// A vendor record that could not be turned into a normalized record (an [`HrisEmployee`], an
/// [`MdmDevice`](crate::mdm::MdmDevice)). A sync skips it, counts it as failed and carries on
/// with the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("malformed record {}: {reason}", external_id.as_deref().unwrap_or("(no id)"))]
pub struct MalformedRecord {
    /// The vendor's id for the record, when the record had a readable one.
    pub external_id: Option<String>,
    pub reason: String,
}

/// The outcome of a pull: every record that parsed, and every one that did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeePull {
    pub employees: Vec<HrisEmployee>,
    pub malformed: Vec<MalformedRecord>,
}

/// What a webhook says happened to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    /// Any other change, including ones (leave, rehire, a future-dated termination) that only a
    /// fresh read of the person explains.
    Updated,
    /// The person left the company; the record still exists.
    Terminated,
    /// The record itself was deleted in the HR system.
    Deleted,
}

/// One change announced by a verified vendor webhook.
///
/// A webhook is a notification, not the data: the receiver re-reads the person by
/// `external_id` (both vendors advise so) unless `kind` is [`ChangeKind::Deleted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HrisChange {
    /// The vendor's id of the person, as in [`HrisEmployee::external_id`].
    pub external_id: String,
    pub kind: ChangeKind,
    /// When the vendor says the change happened, when it said so readably.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Identifies this one event across redeliveries (the vendors retry failed deliveries with
    /// the same payload): store it and skip a key already seen. Vendor-prefixed and at most 73
    /// characters.
    pub delivery_key: String,
}

/// Why an HRIS call failed, classified by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum HrisError {
    /// The vendor call failed as a whole; see [`VendorError`] for the classes.
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// One record was unreadable; only that record is affected.
    #[error(transparent)]
    MalformedRecord(#[from] MalformedRecord),
}

impl HrisError {
    /// Bad credentials or missing permissions: a person must fix the integration's settings.
    /// Never retried.
    pub fn needs_attention(&self) -> bool {
        matches!(self, HrisError::Vendor(e) if e.needs_attention())
    }

    /// Whether trying the same call later can succeed (rate limits, outages, timeouts, an open
    /// circuit).
    pub fn is_retryable(&self) -> bool {
        matches!(self, HrisError::Vendor(e) if e.is_retryable() || matches!(e, VendorError::CircuitOpen))
    }

    /// How long the vendor asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HrisError::Vendor(e) => e.retry_after(),
            HrisError::MalformedRecord(_) => None,
        }
    }
}

/// A vendor's text value: strings trimmed (empty is none), numbers as text, null or absent as
/// none; anything else is an error naming `field`.
pub(crate) fn text_value(field: &str, value: Option<&Value>) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_owned()))
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("{field} has an unexpected value {other}")),
    }
}
