//! BambooHR client, following BambooHR's public REST API.
//!
//! - Base URL: `https://api.bamboohr.com/api/gateway.php/{subdomain}/v1`; an integration's
//!   `config.base_url` replaces the `https://api.bamboohr.com` part (a sandbox, the local
//!   simulator), the path stays the same.
//! - Auth: HTTP Basic with the API key as user name and `x` as password; `Accept:
//!   application/json`.
//! - Full pull: `POST /reports/custom?format=JSON&onlyCurrent=false` with the fields in
//!   [`REPORT_FIELDS`]. Incremental: `GET /employees/changed/?since=<ISO 8601>` says which
//!   employees changed, then `GET /employees/{id}/?fields=...` fetches only those.
//! - Errors: 401/403 carry `X-BambooHR-Error-Message`; 429/503 carry `Retry-After`. Both are
//!   classified by [`crate::http`].
//! - Empty dates are `"0000-00-00"`; ids and values are strings.
//! - Webhooks ([`verify_webhook`], [`parse_webhook`]): `X-BambooHR-Signature` is the hex
//!   HMAC-SHA256, keyed with the webhook's private key, of the raw body followed by the
//!   `X-BambooHR-Timestamp` value (the send time, Unix seconds). Payloads come in two documented
//!   JSON shapes, event-based (`{"type": "employee.updated", "timestamp", "data":
//!   {"employeeId", ...}}`, the one BambooHR recommends) and field-based (`{"employees": [{"id",
//!   "action", "timestamp", "fields", "changedFields"}]}`); both are read. The form-post
//!   encoding is not: configure the webhook to post JSON.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use reqwest::Url;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::hris::{
    ChangeKind, EmployeePull, EmploymentStatus, HrisChange, HrisEmployee, HrisError,
    MalformedRecord, text_value,
};
use crate::http::{HttpPolicy, VendorError, VendorHttp, join};
use crate::webhooks::{self, HmacSha256, WebhookError};

/// BambooHR's public API host.
pub const DEFAULT_HOST: &str = "https://api.bamboohr.com";
/// The header in which BambooHR explains a 4xx.
pub const ERROR_MESSAGE_HEADER: &str = "X-BambooHR-Error-Message";
/// The header carrying a webhook delivery's signature: hex HMAC-SHA256.
pub const SIGNATURE_HEADER: &str = "X-BambooHR-Signature";
/// The header carrying when a webhook delivery was sent (Unix seconds); it is signed too.
pub const TIMESTAMP_HEADER: &str = "X-BambooHR-Timestamp";
/// How far a webhook's timestamp may be from our clock, either way, before it is refused as a
/// replay.
pub const WEBHOOK_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// The BambooHR fields a pull asks for, by their API names.
pub const REPORT_FIELDS: [&str; 13] = [
    "id",
    "firstName",
    "lastName",
    "displayName",
    "workEmail",
    "employeeNumber",
    "jobTitle",
    "department",
    "location",
    "supervisorEId",
    "status",
    "hireDate",
    "terminationDate",
];

/// A BambooHR API key; its `Debug` never shows the value.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(..)")
    }
}

/// What one BambooHR integration needs to connect.
#[derive(Debug, Clone)]
pub struct BambooHrConfig {
    /// The company's BambooHR subdomain (`acme` in `acme.bamboohr.com`).
    pub subdomain: String,
    pub api_key: ApiKey,
    /// Replaces [`DEFAULT_HOST`], e.g. `http://127.0.0.1:7070/bamboohr` for the simulator.
    pub base_url: Option<String>,
    pub policy: HttpPolicy,
}

/// What BambooHR says happened to an employee since a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ChangeAction {
    Inserted,
    Updated,
    Deleted,
}

/// One entry of `GET /employees/changed/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeChange {
    pub external_id: String,
    pub action: ChangeAction,
    pub last_changed: DateTime<Utc>,
}

/// The answer of `GET /employees/changed/`: `latest` is the cursor for the next incremental sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    pub latest: Option<DateTime<Utc>>,
    pub changes: Vec<EmployeeChange>,
}

/// An incremental pull: the changed employees fetched anew, the deleted ones by id, and the
/// cursor to pass as `since` next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncrementalPull {
    pub latest: Option<DateTime<Utc>>,
    pub pull: EmployeePull,
    pub deleted_external_ids: Vec<String>,
}

/// A client for one company's BambooHR account.
#[derive(Debug, Clone)]
pub struct BambooHrClient {
    http: VendorHttp,
    /// `.../api/gateway.php/{subdomain}/v1/`, always with the trailing slash.
    base: Url,
    api_key: ApiKey,
}

impl BambooHrClient {
    pub fn new(config: BambooHrConfig) -> Result<Self, HrisError> {
        let subdomain = config.subdomain.trim();
        if subdomain.is_empty()
            || !subdomain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(VendorError::Other {
                message: format!("invalid BambooHR subdomain {subdomain:?}"),
            }
            .into());
        }
        let host = config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_HOST)
            .trim_end_matches('/');
        let base = Url::parse(&format!("{host}/api/gateway.php/{subdomain}/v1/")).map_err(|e| {
            VendorError::Other {
                message: format!("invalid BambooHR base URL {host:?}: {e}"),
            }
        })?;
        let http = VendorHttp::new(config.policy, ERROR_MESSAGE_HEADER)?;
        Ok(BambooHrClient {
            http,
            base,
            api_key: config.api_key,
        })
    }

    /// The API root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    fn url(&self, path: &str) -> Result<Url, HrisError> {
        Ok(join(&self.base, path)?)
    }

    async fn send_json(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, HrisError> {
        let auth = (self.api_key.0.as_str(), "x");
        Ok(self.http.basic_json(method, url, auth, body).await?)
    }

    /// Checks the credentials and the subdomain with a cheap authenticated call
    /// (`GET /meta/fields`).
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn test_connection(&self) -> Result<(), HrisError> {
        self.send_json(reqwest::Method::GET, self.url("meta/fields")?, None)
            .await?;
        Ok(())
    }

    /// Pulls every employee, current and former, through a custom report. Unreadable records are
    /// listed in [`EmployeePull::malformed`]; the rest still come through.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_all(&self) -> Result<EmployeePull, HrisError> {
        let mut url = self.url("reports/custom")?;
        url.query_pairs_mut()
            .append_pair("format", "JSON")
            .append_pair("onlyCurrent", "false");
        let body =
            serde_json::json!({ "title": "Assetronics employee sync", "fields": REPORT_FIELDS });
        let report = self
            .send_json(reqwest::Method::POST, url, Some(&body))
            .await?;
        let records = report
            .get("employees")
            .and_then(Value::as_array)
            .ok_or_else(|| VendorError::InvalidResponse {
                message: "custom report without an employees list".into(),
            })?;
        let mut pull = EmployeePull::default();
        for record in records {
            match parse_employee(record) {
                Ok(employee) => pull.employees.push(employee),
                Err(malformed) => pull.malformed.push(malformed),
            }
        }
        Ok(pull)
    }

    /// Which employees were inserted, updated or deleted since `since`.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn changed_since(&self, since: DateTime<Utc>) -> Result<ChangeSet, HrisError> {
        let mut url = self.url("employees/changed/")?;
        url.query_pairs_mut()
            .append_pair("since", &since.to_rfc3339_opts(SecondsFormat::Secs, true));
        let answer = self.send_json(reqwest::Method::GET, url, None).await?;
        parse_change_set(&answer).map_err(|message| VendorError::InvalidResponse { message }.into())
    }

    /// One employee by BambooHR id. `Ok(Err(_))` when the record came back unreadable.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_employee(
        &self,
        external_id: &str,
    ) -> Result<Result<HrisEmployee, MalformedRecord>, HrisError> {
        if external_id.is_empty() || !external_id.chars().all(|c| c.is_ascii_digit()) {
            return Ok(Err(MalformedRecord {
                external_id: Some(external_id.to_owned()),
                reason: "BambooHR employee ids are numeric".into(),
            }));
        }
        let mut url = self.url(&format!("employees/{external_id}/"))?;
        url.query_pairs_mut()
            .append_pair("fields", &REPORT_FIELDS.join(","));
        let record = self.send_json(reqwest::Method::GET, url, None).await?;
        Ok(parse_employee(&record))
    }

    /// An incremental sync: asks what changed since `since`, then fetches only those employees.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_changed(&self, since: DateTime<Utc>) -> Result<IncrementalPull, HrisError> {
        let changes = self.changed_since(since).await?;
        let mut result = IncrementalPull {
            latest: changes.latest,
            pull: EmployeePull::default(),
            deleted_external_ids: Vec::new(),
        };
        for change in changes.changes {
            match change.action {
                ChangeAction::Deleted => result.deleted_external_ids.push(change.external_id),
                ChangeAction::Inserted | ChangeAction::Updated => {
                    match self.fetch_employee(&change.external_id).await? {
                        Ok(employee) => result.pull.employees.push(employee),
                        Err(malformed) => result.pull.malformed.push(malformed),
                    }
                }
            }
        }
        Ok(result)
    }
}

fn parse_change_set(answer: &Value) -> Result<ChangeSet, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        id: Value,
        action: ChangeAction,
        last_changed: String,
    }
    let latest = match answer.get("latest") {
        Some(Value::String(s)) if !s.is_empty() => Some(parse_timestamp(s)?),
        _ => None,
    };
    let mut changes = Vec::new();
    // An empty map comes back as `[]` from BambooHR's PHP side.
    if let Some(map) = answer.get("employees").and_then(Value::as_object) {
        for (key, entry) in map {
            let entry: Entry = serde_json::from_value(entry.clone())
                .map_err(|e| format!("change entry {key}: {e}"))?;
            let external_id = match entry.id {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                _ => key.clone(),
            };
            changes.push(EmployeeChange {
                external_id,
                action: entry.action,
                last_changed: parse_timestamp(&entry.last_changed)?,
            });
        }
    }
    changes.sort_by(|a, b| {
        a.last_changed
            .cmp(&b.last_changed)
            .then_with(|| a.external_id.cmp(&b.external_id))
    });
    Ok(ChangeSet { latest, changes })
}

fn parse_timestamp(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {value:?}: {e}"))
}

/// Turns one BambooHR employee object into an [`HrisEmployee`], or says why it cannot.
pub fn parse_employee(record: &Value) -> Result<HrisEmployee, MalformedRecord> {
    let Some(fields) = record.as_object() else {
        return Err(MalformedRecord {
            external_id: None,
            reason: "record is not a JSON object".into(),
        });
    };
    let external_id = text(fields, "id").ok().flatten();
    let malformed = |reason: String| MalformedRecord {
        external_id: external_id.clone(),
        reason,
    };
    let Some(id) = external_id.clone() else {
        return Err(malformed("missing id".into()));
    };
    let required = |key: &str| -> Result<String, MalformedRecord> {
        text(fields, key)
            .map_err(&malformed)?
            .ok_or_else(|| malformed(format!("missing {key}")))
    };
    let optional = |key: &str| text(fields, key).map_err(&malformed);
    let first_name = required("firstName")?;
    let last_name = required("lastName")?;
    let display_name =
        optional("displayName")?.unwrap_or_else(|| format!("{first_name} {last_name}"));
    let work_email = match optional("workEmail")? {
        Some(email) if !email.contains('@') => {
            return Err(malformed(format!(
                "workEmail {email:?} is not an email address"
            )));
        }
        email => email.map(|e| e.to_lowercase()),
    };
    let status = match required("status")?.as_str() {
        "Active" => EmploymentStatus::Active,
        "Inactive" => EmploymentStatus::Terminated,
        other => return Err(malformed(format!("unknown status {other:?}"))),
    };
    let date = |key: &str| -> Result<Option<NaiveDate>, MalformedRecord> {
        match optional(key)? {
            None => Ok(None),
            Some(d) if d == "0000-00-00" => Ok(None),
            Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| malformed(format!("{key} {d:?} is not a date"))),
        }
    };
    Ok(HrisEmployee {
        external_id: id,
        first_name,
        last_name,
        display_name,
        work_email,
        employee_number: optional("employeeNumber")?,
        job_title: optional("jobTitle")?,
        department: optional("department")?,
        location: optional("location")?,
        manager_external_id: optional("supervisorEId")?,
        status,
        hire_date: date("hireDate")?,
        termination_date: date("terminationDate")?,
    })
}

/// A BambooHR text value: strings (trimmed; empty is none), numbers as text, null as none.
fn text(fields: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    text_value(key, fields.get(key))
}

/// The `X-BambooHR-Signature` for `body` sent at `timestamp` (the `X-BambooHR-Timestamp`
/// value): lowercase hex HMAC-SHA256 of the body followed by the timestamp, keyed with the
/// webhook's private key. What BambooHR computes; used by the simulator and tests.
pub fn sign_webhook(private_key: &str, timestamp: &str, body: &[u8]) -> String {
    webhooks::sign::<HmacSha256>(private_key.as_bytes(), &[body, timestamp.as_bytes()])
        .map(hex::encode)
        .unwrap_or_default()
}

/// Checks that a delivery came from BambooHR and is fresh: the signature must match the raw
/// `body` and the `timestamp` header under `private_key` (compared in constant time), and the
/// timestamp must lie within `tolerance` of `now`, in the past or the future.
///
/// `timestamp` is Unix seconds as BambooHR sends it; an RFC 3339 time is accepted too, the
/// signature covering the header's text either way.
pub fn verify_webhook(
    private_key: &str,
    signature_hex: &str,
    timestamp: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: chrono::TimeDelta,
) -> Result<(), WebhookError> {
    let signature = hex::decode(signature_hex.trim()).map_err(|_| WebhookError::BadSignature)?;
    webhooks::verify::<HmacSha256>(
        private_key.as_bytes(),
        &[body, timestamp.as_bytes()],
        &signature,
    )?;
    let sent_at = parse_webhook_time(timestamp).ok_or_else(|| WebhookError::BadTimestamp {
        timestamp: timestamp.to_owned(),
    })?;
    let skew = now - sent_at;
    if skew.abs() > tolerance {
        return Err(WebhookError::Stale {
            skew_secs: skew.num_seconds(),
        });
    }
    Ok(())
}

/// Reads a verified delivery's changes, in payload order. Accepts the event-based and the
/// field-based JSON payloads; event types other than `employee.created|updated|deleted` are
/// skipped. A termination reaches BambooHR webhooks as an update (of `status`), so
/// [`ChangeKind::Terminated`] never comes from here: the re-read says so.
///
/// The delivery key hashes the employee id, the action and the payload's timestamp: the same
/// event redelivered (BambooHR retries with a new `X-BambooHR-Timestamp`, the payload
/// unchanged) gives the same key.
pub fn parse_webhook(body: &[u8]) -> Result<Vec<HrisChange>, WebhookError> {
    let payload: Value = serde_json::from_slice(body).map_err(|e| {
        WebhookError::Malformed(format!(
            "not JSON ({e}); configure the BambooHR webhook to post JSON"
        ))
    })?;
    if let Some(entries) = payload.get("employees") {
        let entries = entries.as_array().ok_or_else(|| {
            WebhookError::Malformed("field-based payload whose employees is not a list".into())
        })?;
        return entries.iter().map(field_based_change).collect();
    }
    let Some(event) = payload.get("type").and_then(Value::as_str) else {
        return Err(WebhookError::Malformed(
            "neither an event-based (type) nor a field-based (employees) payload".into(),
        ));
    };
    let kind = match event {
        "employee.created" => ChangeKind::Created,
        "employee.updated" => ChangeKind::Updated,
        "employee.deleted" => ChangeKind::Deleted,
        _ => return Ok(Vec::new()),
    };
    let external_id = webhooks::id_text(payload.get("data").and_then(|d| d.get("employeeId")))
        .ok_or_else(|| WebhookError::Malformed(format!("{event} without data.employeeId")))?;
    let timestamp = payload
        .get("timestamp")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(vec![HrisChange {
        delivery_key: webhooks::delivery_key("bamboohr", &[event, &external_id, timestamp]),
        external_id,
        kind,
        occurred_at: parse_webhook_time(timestamp),
    }])
}

fn field_based_change(entry: &Value) -> Result<HrisChange, WebhookError> {
    let external_id = webhooks::id_text(entry.get("id"))
        .ok_or_else(|| WebhookError::Malformed("employee entry without an id".into()))?;
    let action = entry
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = match action {
        "Created" => ChangeKind::Created,
        "Updated" => ChangeKind::Updated,
        "Deleted" => ChangeKind::Deleted,
        other => {
            return Err(WebhookError::Malformed(format!(
                "employee {external_id}: unknown action {other:?}"
            )));
        }
    };
    let timestamp = entry
        .get("timestamp")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(HrisChange {
        delivery_key: webhooks::delivery_key("bamboohr", &[action, &external_id, timestamp]),
        external_id,
        kind,
        occurred_at: parse_webhook_time(timestamp),
    })
}

/// A webhook time: Unix seconds (the signature header), RFC 3339, or ISO 8601 with a `+0000`
/// offset (the payloads).
fn parse_webhook_time(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<i64>() {
        return DateTime::from_timestamp(secs, 0);
    }
    DateTime::parse_from_rfc3339(value)
        .or_else(|_| DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn maps_bamboohr_fields() {
        let record = json!({
            "id": "42", "firstName": "Ada", "lastName": "Lovelace", "displayName": "Ada Lovelace",
            "workEmail": "Ada@Example.com", "employeeNumber": "E-42", "jobTitle": "Engineer",
            "department": "R&D", "location": "London", "supervisorEId": "7", "status": "Active",
            "hireDate": "2020-01-15", "terminationDate": "0000-00-00"
        });
        let employee = parse_employee(&record).unwrap();
        assert_eq!(employee.external_id, "42");
        assert_eq!(employee.work_email.as_deref(), Some("ada@example.com"));
        assert_eq!(employee.manager_external_id.as_deref(), Some("7"));
        assert_eq!(employee.status, EmploymentStatus::Active);
        assert_eq!(employee.hire_date, NaiveDate::from_ymd_opt(2020, 1, 15));
        assert_eq!(employee.termination_date, None);
    }

    #[test]
    fn reports_what_is_wrong_with_a_record() {
        let bad_date = json!({"id": 9, "firstName": "A", "lastName": "B", "status": "Active", "hireDate": "15/01/2020"});
        let err = parse_employee(&bad_date).unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("9"));
        assert!(err.reason.contains("hireDate"), "{err}");
        let no_id = json!({"firstName": "A"});
        assert_eq!(parse_employee(&no_id).unwrap_err().external_id, None);
        let bad_status = json!({"id": "3", "firstName": "A", "lastName": "B", "status": "Gone"});
        assert!(
            parse_employee(&bad_status)
                .unwrap_err()
                .reason
                .contains("status")
        );
    }

    #[test]
    fn reads_change_sets_including_the_empty_array() {
        let answer = json!({"latest": "2026-11-25T10:00:00+00:00", "employees": {
            "5": {"id": "5", "action": "Updated", "lastChanged": "2026-11-25T10:00:00+00:00"},
            "3": {"id": "3", "action": "Deleted", "lastChanged": "2026-11-25T09:00:00+00:00"}}});
        let set = parse_change_set(&answer).unwrap();
        assert_eq!(set.changes.len(), 2);
        assert_eq!(set.changes[0].external_id, "3");
        assert_eq!(set.changes[0].action, ChangeAction::Deleted);
        let empty = parse_change_set(&json!({"latest": "", "employees": []})).unwrap();
        assert!(empty.changes.is_empty() && empty.latest.is_none());
    }

    #[test]
    fn base_url_keeps_the_gateway_path() {
        let client = BambooHrClient::new(BambooHrConfig {
            subdomain: "acme".into(),
            api_key: ApiKey::new("k"),
            base_url: Some("http://127.0.0.1:9/bamboohr/".into()),
            policy: HttpPolicy::default(),
        })
        .unwrap();
        assert_eq!(
            client.base_url().as_str(),
            "http://127.0.0.1:9/bamboohr/api/gateway.php/acme/v1/"
        );
        assert!(format!("{client:?}").contains("ApiKey(..)"));
    }

    const KEY: &str = "bamboo-private-key";
    /// BambooHR's event-based JSON example, as its documentation prints it.
    const EVENT_BODY: &str = r#"{"type":"employee.updated","timestamp":"2026-01-31T18:42:00+0000","data":{"companyId":"12345","employeeId":"67890","changedFields":["firstName"]}}"#;
    const SENT: &str = "1769884920";

    fn sent_at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_769_884_920, 0).unwrap()
    }

    #[test]
    fn signs_like_an_independent_hmac_implementation() {
        // Computed outside this crate: HMAC-SHA256(key, body ++ timestamp), hex.
        assert_eq!(
            sign_webhook(KEY, SENT, EVENT_BODY.as_bytes()),
            "8ffd096d5ca2d483d530dcc636a5cb37882edd900b22cd1eacf6a7eb789f9239"
        );
    }

    #[test]
    fn accepts_a_valid_delivery_and_refuses_altered_ones() {
        let body = EVENT_BODY.as_bytes();
        let signature = sign_webhook(KEY, SENT, body);
        let check = |key: &str, signature: &str, timestamp: &str, body: &[u8]| {
            verify_webhook(
                key,
                signature,
                timestamp,
                body,
                sent_at(),
                WEBHOOK_TOLERANCE,
            )
        };
        check(KEY, &signature, SENT, body).unwrap();
        check(KEY, &signature.to_uppercase(), SENT, body).unwrap();

        let tampered = EVENT_BODY.replace("67890", "67891");
        assert_eq!(
            check(KEY, &signature, SENT, tampered.as_bytes()),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            check("another-key", &signature, SENT, body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            check(KEY, &signature, "1769884921", body),
            Err(WebhookError::BadSignature),
            "the timestamp is signed"
        );
        assert_eq!(
            check(KEY, "not hex", SENT, body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(check(KEY, "", SENT, body), Err(WebhookError::BadSignature));
    }

    #[test]
    fn refuses_stale_and_future_timestamps() {
        let body = EVENT_BODY.as_bytes();
        let signature = sign_webhook(KEY, SENT, body);
        let at = |now: DateTime<Utc>| {
            verify_webhook(KEY, &signature, SENT, body, now, WEBHOOK_TOLERANCE)
        };
        at(sent_at() + chrono::TimeDelta::seconds(299)).unwrap();
        at(sent_at() - chrono::TimeDelta::seconds(299)).unwrap();
        assert_eq!(
            at(sent_at() + chrono::TimeDelta::minutes(6)),
            Err(WebhookError::Stale { skew_secs: 360 })
        );
        assert_eq!(
            at(sent_at() - chrono::TimeDelta::minutes(6)),
            Err(WebhookError::Stale { skew_secs: -360 })
        );

        let unreadable = sign_webhook(KEY, "yesterday", body);
        assert!(matches!(
            verify_webhook(
                KEY,
                &unreadable,
                "yesterday",
                body,
                sent_at(),
                WEBHOOK_TOLERANCE
            ),
            Err(WebhookError::BadTimestamp { .. })
        ));
    }

    #[test]
    fn reads_the_documented_event_based_payload() {
        let changes = parse_webhook(EVENT_BODY.as_bytes()).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].external_id, "67890");
        assert_eq!(changes[0].kind, ChangeKind::Updated);
        assert_eq!(
            changes[0].occurred_at,
            DateTime::from_timestamp(1_769_884_920, 0)
        );
        let created = EVENT_BODY.replace("employee.updated", "employee.created");
        let created = parse_webhook(created.as_bytes()).unwrap();
        assert_eq!(created[0].kind, ChangeKind::Created);
        assert_ne!(created[0].delivery_key, changes[0].delivery_key);
        assert_eq!(
            parse_webhook(EVENT_BODY.as_bytes()).unwrap()[0].delivery_key,
            changes[0].delivery_key,
            "a redelivery has the same key"
        );
        let other = json!({"type": "time_off.requested", "data": {"employeeId": "1"}});
        assert!(
            parse_webhook(other.to_string().as_bytes())
                .unwrap()
                .is_empty()
        );
        let no_id = json!({"type": "employee.deleted", "timestamp": "2026-01-31T18:42:00+0000", "data": {}});
        assert!(matches!(
            parse_webhook(no_id.to_string().as_bytes()),
            Err(WebhookError::Malformed(_))
        ));
    }

    #[test]
    fn reads_the_documented_field_based_payload() {
        let body = json!({"employees": [
            {"action": "Updated", "changedFields": ["First Name"], "fields": {"First Name": "Bryony"},
             "id": "12345", "timestamp": "2026-01-31T18:42:00+0000"},
            {"action": "Deleted", "changedFields": [], "fields": {}, "id": 7, "timestamp": "2026-01-31T18:43:00+0000"},
        ]});
        let changes = parse_webhook(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            changes
                .iter()
                .map(|c| (c.external_id.as_str(), c.kind))
                .collect::<Vec<_>>(),
            vec![("12345", ChangeKind::Updated), ("7", ChangeKind::Deleted)]
        );
        assert!(changes[0].occurred_at.is_some());
        assert_ne!(changes[0].delivery_key, changes[1].delivery_key);
        let unknown = json!({"employees": [{"id": "1", "action": "Renamed"}]});
        assert!(matches!(
            parse_webhook(unknown.to_string().as_bytes()),
            Err(WebhookError::Malformed(_))
        ));
    }

    #[test]
    fn form_posts_and_other_bodies_are_malformed() {
        for body in [
            "type=employee.updated&data[employeeId]=67890",
            "{}",
            r#"{"employees": {"1": {}}}"#,
        ] {
            assert!(
                matches!(
                    parse_webhook(body.as_bytes()),
                    Err(WebhookError::Malformed(_))
                ),
                "{body}"
            );
        }
    }
}
