//! The normalized device every MDM client returns, how a pull reports unreadable records, the
//! remote wipe every MDM offers, and how MDM calls fail.
//!
//! The clients: [`crate::jamf`] (Jamf Pro), [`crate::intune`] (Microsoft Intune),
//! [`crate::kandji`] (Kandji). Each has `test_connection`, `fetch_all` (every device, all
//! pages) and `wipe`.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::hris::MalformedRecord;
use crate::hris::text_value;
use crate::http::VendorError;

/// One managed device as the MDM knows it, in vendor-neutral form.
///
/// `external_id` is the MDM's stable id for the enrolment (what [`wipe`](crate::jamf::JamfClient::wipe)
/// takes): the backend upserts on it. `serial_number` is the hardware's, the key that ties the
/// device to an asset; MDMs leave it out for some enrolments (personal Android work profiles),
/// hence optional. Optional fields are `None` when the vendor has no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MdmDevice {
    pub external_id: String,
    pub serial_number: Option<String>,
    /// The device's name in the MDM (often the user's, e.g. "Ada's MacBook Pro").
    pub name: String,
    /// The marketing model, e.g. "MacBook Pro (14-inch, 2023)", "Latitude 7440".
    pub model: Option<String>,
    /// "macOS", "iOS", "iPadOS", "Windows", "Android", ...
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    /// When the device last reached the MDM; `None` when it never did.
    pub last_check_in: Option<DateTime<Utc>>,
    /// The assigned user's email, lowercased; `None` without a user or without a readable
    /// address (an admin-typed value that is no email address is dropped, not fatal).
    pub user_email: Option<String>,
    pub user_name: Option<String>,
}

/// The outcome of a pull: every device that parsed, and every record that did not. A device
/// listed twice (paging over a changing inventory) is kept once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevicePull {
    pub devices: Vec<MdmDevice>,
    pub malformed: Vec<MalformedRecord>,
}

impl DevicePull {
    /// Adds one parsed record, skipping a device (or broken record) whose id this pull already
    /// has; answers whether it was new.
    pub(crate) fn absorb(
        &mut self,
        seen: &mut HashSet<String>,
        parsed: Result<MdmDevice, MalformedRecord>,
    ) -> bool {
        match parsed {
            Ok(device) => {
                let new = seen.insert(device.external_id.clone());
                if new {
                    self.devices.push(device);
                }
                new
            }
            Err(malformed) => {
                let new = malformed
                    .external_id
                    .as_ref()
                    .is_none_or(|id| seen.insert(id.clone()));
                if new {
                    self.malformed.push(malformed);
                }
                new
            }
        }
    }

    /// Adds a page of records; answers whether any was new. A vendor that answers a page
    /// already read (an offset or a next link it ignored) would otherwise be paged forever.
    pub(crate) fn absorb_page<'a>(
        &mut self,
        seen: &mut HashSet<String>,
        records: impl IntoIterator<Item = &'a Value>,
        parse: impl Fn(&Value) -> Result<MdmDevice, MalformedRecord>,
    ) -> bool {
        let mut any_new = false;
        for record in records {
            any_new |= self.absorb(seen, parse(record));
        }
        any_new
    }
}

/// The PIN a remote wipe sets: six digits. Macs without Apple silicon or a T2 chip ask for it
/// before starting again after an erase (their firmware lock); other devices ignore it. Its
/// `Debug` never shows the digits.
#[derive(Clone, PartialEq, Eq)]
pub struct UnlockPin(String);

impl UnlockPin {
    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for UnlockPin {
    type Error = String;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let value = value.trim();
        if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(UnlockPin(value.to_owned()))
        } else {
            Err("an unlock PIN is exactly six digits".into())
        }
    }
}

impl std::fmt::Debug for UnlockPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnlockPin(..)")
    }
}

/// How to wipe a device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WipeOptions {
    /// Sent as the vendor's unlock PIN (Jamf `pin`, Intune `macOsUnlockCode`, Kandji `PIN`).
    pub pin: Option<UnlockPin>,
}

/// The MDM accepted a command for a device; the device carries it out when it next checks in,
/// which may be much later (a laptop in a drawer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandReceipt {
    pub device_external_id: String,
    /// The vendor's id of the queued command, when it gives one (Jamf's `commandUuid`), to look
    /// its status up later.
    pub command_id: Option<String>,
}

/// Why an MDM call failed, classified by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum MdmError {
    /// The vendor call failed as a whole; see [`VendorError`] for the classes.
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// The MDM has no device with this id (unenrolled, deleted, or never there). Not retried;
    /// the device is gone from the MDM, so nothing there can be wiped.
    #[error("the MDM has no device {external_id:?}")]
    DeviceNotFound { external_id: String },
}

impl MdmError {
    /// Bad credentials or missing permissions: a person must fix the integration's settings.
    /// Never retried.
    pub fn needs_attention(&self) -> bool {
        matches!(self, MdmError::Vendor(e) if e.needs_attention())
    }

    /// Whether trying the same call later can succeed (rate limits, outages, timeouts, an open
    /// circuit).
    pub fn is_retryable(&self) -> bool {
        matches!(self, MdmError::Vendor(e) if e.is_retryable() || matches!(e, VendorError::CircuitOpen))
    }

    /// How long the vendor asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            MdmError::Vendor(e) => e.retry_after(),
            MdmError::DeviceNotFound { .. } => None,
        }
    }
}

/// `external_id` as one URL path segment, or [`MdmError::DeviceNotFound`] when it cannot be an
/// id of any vendor here (they are numbers or UUIDs): nothing else reaches the vendor's path.
pub(crate) fn id_segment(external_id: &str) -> Result<&str, MdmError> {
    let id = external_id.trim();
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(id)
    } else {
        Err(MdmError::DeviceNotFound {
            external_id: external_id.to_owned(),
        })
    }
}

/// A command to a device: `POST` of a JSON `body` to `url`, asking for JSON back. The caller
/// adds the credentials.
pub(crate) fn command_request(
    client: &reqwest::Client,
    url: &reqwest::Url,
    body: &Value,
) -> reqwest::RequestBuilder {
    client
        .post(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .json(body)
}

/// What a command request's answer means: a 404 is [`MdmError::DeviceNotFound`]; any other
/// answer (the caller let only 2xx and 404 through) is a [`CommandReceipt`], with the command id
/// read from `command_id_field` of a JSON body when there is one.
pub(crate) async fn command_receipt(
    response: reqwest::Response,
    external_id: &str,
    command_id_field: Option<&str>,
) -> Result<CommandReceipt, MdmError> {
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(MdmError::DeviceNotFound {
            external_id: external_id.to_owned(),
        });
    }
    // The body only adds the command id; an empty or unreadable one does not undo the command.
    let body: Value = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    let command_id =
        command_id_field.and_then(|field| text_value(field, body.get(field)).ok().flatten());
    Ok(CommandReceipt {
        device_external_id: external_id.trim().to_owned(),
        command_id,
    })
}

/// Reads the fields of one vendor device record by JSON pointer (`/general/name`), naming the
/// field (`general.name`) in whatever it reports malformed.
pub(crate) struct RecordReader<'a> {
    record: &'a Value,
    external_id: Option<String>,
}

impl<'a> RecordReader<'a> {
    /// A reader for `record`, whose id is at `id_pointer`. A record that is no JSON object, or
    /// has no id, is malformed.
    pub(crate) fn new(record: &'a Value, id_pointer: &str) -> Result<Self, MalformedRecord> {
        if !record.is_object() {
            return Err(MalformedRecord {
                external_id: None,
                reason: "record is not a JSON object".into(),
            });
        }
        let external_id = text_value(&field_name(id_pointer), record.pointer(id_pointer))
            .ok()
            .flatten();
        let reader = RecordReader {
            record,
            external_id,
        };
        if reader.external_id.is_none() {
            return Err(reader.malformed(format!("missing {}", field_name(id_pointer))));
        }
        Ok(reader)
    }

    /// The record's id.
    pub(crate) fn id(&self) -> String {
        self.external_id.clone().unwrap_or_default()
    }

    pub(crate) fn malformed(&self, reason: String) -> MalformedRecord {
        MalformedRecord {
            external_id: self.external_id.clone(),
            reason,
        }
    }

    /// A text field: trimmed, empty as none, numbers as text.
    pub(crate) fn text(&self, pointer: &str) -> Result<Option<String>, MalformedRecord> {
        text_value(&field_name(pointer), self.record.pointer(pointer))
            .map_err(|reason| self.malformed(reason))
    }

    /// A text field that must have a value.
    pub(crate) fn required(&self, pointer: &str) -> Result<String, MalformedRecord> {
        self.text(pointer)?
            .ok_or_else(|| self.malformed(format!("missing {}", field_name(pointer))))
    }

    /// An RFC 3339 time; `None` when empty or at or before the Unix epoch (Graph writes
    /// `0001-01-01T00:00:00Z` for "never").
    pub(crate) fn time(&self, pointer: &str) -> Result<Option<DateTime<Utc>>, MalformedRecord> {
        let Some(text) = self.text(pointer)? else {
            return Ok(None);
        };
        let at = DateTime::parse_from_rfc3339(&text)
            .map_err(|_| {
                self.malformed(format!(
                    "{} {text:?} is not an RFC 3339 time",
                    field_name(pointer)
                ))
            })?
            .with_timezone(&Utc);
        Ok((at.timestamp() > 0).then_some(at))
    }

    /// An email address, lowercased; a value that is no address is none.
    pub(crate) fn email(&self, pointer: &str) -> Result<Option<String>, MalformedRecord> {
        Ok(self.text(pointer)?.and_then(|text| email_address(&text)))
    }
}

/// `text` lowercased when it reads as one email address: one `@` with text on both sides and no
/// whitespace.
pub(crate) fn email_address(text: &str) -> Option<String> {
    let (local, domain) = text.split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace);
    plausible.then(|| text.to_lowercase())
}

/// `general.lastContactTime` for `/general/lastContactTime`.
fn field_name(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pins_are_six_digits_and_stay_out_of_logs() {
        let pin = UnlockPin::try_from(" 012345 ").unwrap();
        assert_eq!(pin.as_str(), "012345");
        assert!(!format!("{pin:?}").contains("012345"));
        for bad in ["12345", "1234567", "12345a", ""] {
            assert!(UnlockPin::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn records_are_read_by_pointer_and_name_their_broken_field() {
        let record = json!({"id": 7, "general": {"name": " Mac ", "seen": "not-a-date",
            "never": "0001-01-01T00:00:00Z", "at": "2026-11-02T10:00:00.1234567Z"},
            "user": {"email": "Ada@Example.COM", "bad": "ada at example"}});
        let reader = RecordReader::new(&record, "/id").unwrap();
        assert_eq!(reader.id(), "7");
        assert_eq!(reader.required("/general/name").unwrap(), "Mac");
        assert_eq!(reader.time("/general/never").unwrap(), None);
        assert!(reader.time("/general/at").unwrap().is_some());
        let err = reader.time("/general/seen").unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("7"));
        assert!(err.reason.contains("general.seen"), "{err}");
        assert_eq!(
            reader.email("/user/email").unwrap().as_deref(),
            Some("ada@example.com")
        );
        assert_eq!(reader.email("/user/bad").unwrap(), None);
        assert!(reader.required("/general/missing").is_err());
        assert!(RecordReader::new(&json!({"name": "x"}), "/id").is_err());
        assert!(RecordReader::new(&json!([1]), "/id").is_err());
    }

    #[test]
    fn a_device_seen_twice_is_kept_once() {
        let device = |id: &str| MdmDevice {
            external_id: id.into(),
            serial_number: None,
            name: id.into(),
            model: None,
            os_name: None,
            os_version: None,
            last_check_in: None,
            user_email: None,
            user_name: None,
        };
        let mut pull = DevicePull::default();
        let mut seen = HashSet::new();
        assert!(pull.absorb(&mut seen, Ok(device("a"))));
        assert!(!pull.absorb(&mut seen, Ok(device("a"))));
        let broken = MalformedRecord {
            external_id: Some("b".into()),
            reason: "x".into(),
        };
        assert!(pull.absorb(&mut seen, Err(broken.clone())));
        assert!(!pull.absorb(&mut seen, Err(broken)));
        assert_eq!((pull.devices.len(), pull.malformed.len()), (1, 1));
    }

    #[test]
    fn classes_follow_the_vendor_error() {
        let unauthorized = MdmError::from(VendorError::Unauthorized {
            message: "no".into(),
        });
        assert!(unauthorized.needs_attention() && !unauthorized.is_retryable());
        let limited = MdmError::from(VendorError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        });
        assert!(limited.is_retryable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(2)));
        let gone = MdmError::DeviceNotFound {
            external_id: "1".into(),
        };
        assert!(!gone.is_retryable() && !gone.needs_attention());
    }
}
