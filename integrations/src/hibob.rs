//! HiBob ("Bob") client, following Bob's public API.
//!
//! - Base URL: `https://api.hibob.com/v1`; an integration's `config.base_url` replaces the
//!   `https://api.hibob.com` part (Bob's sandbox host, the local simulator), the path stays.
//! - Auth: a service user, HTTP Basic with the service user's id as user name and its token as
//!   password.
//! - Full pull: `POST /people/search` with `{"fields": [...], "showInactive": true,
//!   "humanReadable": "APPEND"}`. The endpoint has no paging: one call answers every employee the
//!   service user may see. Without `showInactive` only people whose `internal.status` is
//!   `Active` come back, which leaves out leavers and hires whose start date is still ahead.
//! - By id: the same endpoint with one filter, `{"fieldPath": "root.id", "operator": "equals",
//!   "values": [...]}` (`root.id` and `root.email` are the only filterable fields); see
//!   [`HibobClient::fetch_by_ids`].
//! - Fields: the request names them in dot notation ([`SEARCH_FIELDS`], e.g. `work.title`); the
//!   answer keys them in slash notation (`"/work/title": {"value": ...}`) and may also nest them
//!   by category (`"work": {"title": ...}`, root fields at the top level). Both forms are read.
//!   A field the service user may not see is silently left out.
//! - List fields (`work.title`, `work.department`, `work.site`) come back as list-item ids;
//!   `humanReadable: "APPEND"` adds a `humanReadable` node with their names, which are what we
//!   keep. `REPLACE` is not used: it would also format dates for the service user's locale.
//! - Status: `internal.lifecycleStatus` `terminated` is a leaver; other lifecycle statuses
//!   (employed, hired, leave, garden leave) are still employed. Without that field, an
//!   `internal.status` of `Inactive` with a termination date not in the future is a leaver.
//! - Errors: 401 (bad credentials) and 403 (missing permission; Bob also blocks callers that fail
//!   authorization repeatedly) with a JSON body `{"key", "error"}`; 429 over the rate limit
//!   (people search: 50 requests a minute), with `X-RateLimit-Reset`, the Unix time at which the
//!   window resets. `Retry-After` is honored when present, the reset header otherwise; both are
//!   classified by [`crate::http`].
//! - Webhooks (v2, [`verify_webhook`], [`parse_webhook`]): `Bob-Signature` is the base64
//!   HMAC-SHA512 of the raw body keyed with the webhook's secret. The payload is `{"companyId",
//!   "type", "triggeredBy", "triggeredAt", "version": "v2", "data": {"employeeId", ...}}`;
//!   `triggeredBy` is whoever made the change, `data.employeeId` the person changed.

use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use reqwest::Url;
use serde_json::{Map, Value, json};

use crate::hris::{
    ChangeKind, EmployeePull, EmploymentStatus, HrisChange, HrisEmployee, HrisError,
    MalformedRecord, text_value,
};
use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join};
use crate::webhooks::{self, HmacSha512, WebhookError};

/// Bob's public API host.
pub const DEFAULT_HOST: &str = "https://api.hibob.com";
/// The header carrying a webhook delivery's signature: base64 HMAC-SHA512.
pub const SIGNATURE_HEADER: &str = "Bob-Signature";
/// The header in which a 429 says when the rate-limit window resets (Unix seconds).
pub const RATE_LIMIT_RESET_HEADER: &str = "X-RateLimit-Reset";
/// The employee fields a pull asks for, by their field ids.
pub const SEARCH_FIELDS: [&str; 14] = [
    "root.id",
    "root.firstName",
    "root.surname",
    "root.displayName",
    "root.email",
    "work.employeeIdInCompany",
    "work.title",
    "work.department",
    "work.site",
    "work.reportsTo",
    "work.startDate",
    "internal.status",
    "internal.lifecycleStatus",
    "internal.terminationDate",
];
/// How many ids one by-id search asks for. Bob documents no limit on the filter's values; this
/// keeps each request and answer small.
pub const IDS_PER_SEARCH: usize = 100;

/// A HiBob service user's token; its `Debug` never shows the value.
#[derive(Clone)]
pub struct ServiceUserToken(String);

impl ServiceUserToken {
    pub fn new(token: impl Into<String>) -> Self {
        ServiceUserToken(token.into())
    }
}

impl std::fmt::Debug for ServiceUserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceUserToken(..)")
    }
}

/// What one HiBob integration needs to connect.
#[derive(Debug, Clone)]
pub struct HibobConfig {
    /// The service user's id (the Basic auth user name).
    pub service_user_id: String,
    pub token: ServiceUserToken,
    /// Replaces [`DEFAULT_HOST`], e.g. `http://127.0.0.1:7070/hibob` for the simulator.
    pub base_url: Option<String>,
    pub policy: HttpPolicy,
}

/// A client for one company's HiBob account, as one service user.
#[derive(Debug, Clone)]
pub struct HibobClient {
    http: VendorHttp,
    /// `.../v1/`, always with the trailing slash.
    base: Url,
    service_user_id: String,
    token: ServiceUserToken,
}

impl HibobClient {
    pub fn new(config: HibobConfig) -> Result<Self, HrisError> {
        let service_user_id = config.service_user_id.trim().to_owned();
        if service_user_id.is_empty() {
            return Err(VendorError::Other {
                message: "a HiBob service user id is required".into(),
            }
            .into());
        }
        let host = config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_HOST)
            .trim_end_matches('/');
        let base = Url::parse(&format!("{host}/v1/")).map_err(|e| VendorError::Other {
            message: format!("invalid HiBob base URL {host:?}: {e}"),
        })?;
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("error"),
                rate_limit_reset_header: Some(RATE_LIMIT_RESET_HEADER),
            },
        )?;
        Ok(HibobClient {
            http,
            base,
            service_user_id,
            token: config.token,
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
        let auth = (self.service_user_id.as_str(), self.token.0.as_str());
        Ok(self.http.basic_json(method, url, auth, body).await?)
    }

    /// Checks the credentials with a cheap authenticated call (`GET /company/people/fields`,
    /// the employee fields metadata).
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn test_connection(&self) -> Result<(), HrisError> {
        self.send_json(
            reqwest::Method::GET,
            self.url("company/people/fields")?,
            None,
        )
        .await?;
        Ok(())
    }

    /// Pulls every employee the service user may see, current and former, in one people
    /// search. Unreadable records are listed in [`EmployeePull::malformed`]; the rest still
    /// come through.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_all(&self) -> Result<EmployeePull, HrisError> {
        self.search(None).await
    }

    /// The employees with these ids, current or former, [`IDS_PER_SEARCH`] per request: what a
    /// webhook-driven update reads. An id that is not numeric (Bob's ids are) is reported
    /// malformed without a request. An id in neither list of the answer is not known to Bob (a
    /// deleted person) or not visible to the service user.
    #[tracing::instrument(skip(self, external_ids), fields(base = %self.base, ids = external_ids.len()))]
    pub async fn fetch_by_ids(&self, external_ids: &[String]) -> Result<EmployeePull, HrisError> {
        let mut pull = EmployeePull::default();
        let mut wanted: Vec<String> = Vec::new();
        for id in external_ids {
            let id = id.trim();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
                pull.malformed.push(MalformedRecord {
                    external_id: Some(id.to_owned()),
                    reason: "HiBob employee ids are numeric".into(),
                });
            } else if !wanted.iter().any(|w| w == id) {
                wanted.push(id.to_owned());
            }
        }
        for batch in wanted.chunks(IDS_PER_SEARCH) {
            let part = self.search(Some(batch)).await?;
            pull.employees.extend(part.employees);
            pull.malformed.extend(part.malformed);
        }
        Ok(pull)
    }

    /// One employee by id: `None` when Bob does not return them (deleted, or not visible to
    /// the service user), `Some(Err(_))` when the id is not a Bob id or the record came back
    /// unreadable.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_one(
        &self,
        external_id: &str,
    ) -> Result<Option<Result<HrisEmployee, MalformedRecord>>, HrisError> {
        let pull = self.fetch_by_ids(&[external_id.to_owned()]).await?;
        if let Some(malformed) = pull.malformed.into_iter().next() {
            return Ok(Some(Err(malformed)));
        }
        Ok(pull
            .employees
            .into_iter()
            .find(|e| e.external_id == external_id.trim())
            .map(Ok))
    }

    async fn search(&self, ids: Option<&[String]>) -> Result<EmployeePull, HrisError> {
        let mut body = json!({
            "fields": SEARCH_FIELDS,
            "showInactive": true,
            "humanReadable": "APPEND",
        });
        if let Some(ids) = ids {
            body["filters"] =
                json!([{"fieldPath": "root.id", "operator": "equals", "values": ids}]);
        }
        let answer = self
            .send_json(
                reqwest::Method::POST,
                self.url("people/search")?,
                Some(&body),
            )
            .await?;
        let records = answer
            .get("employees")
            .and_then(Value::as_array)
            .ok_or_else(|| VendorError::InvalidResponse {
                message: "people search without an employees list".into(),
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
}

/// The value of `field` (a dot-notation id such as `work.title`) in a people-search record:
/// nested by category (root fields at the top level) or under its slash key
/// (`"/work/title": {"value": ...}`). Bob fills both with the same value when it sends both.
fn lookup<'a>(record: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    let (category, name) = field.split_once('.')?;
    let scope = if category == "root" {
        Some(record)
    } else {
        record.get(category).and_then(Value::as_object)
    };
    if let Some(value) = scope.and_then(|scope| scope.get(name)) {
        return Some(value);
    }
    let value = record.get(&format!("/{category}/{name}"))?;
    Some(match value {
        Value::Object(wrapped) => wrapped.get("value").unwrap_or(value),
        other => other,
    })
}

/// Turns one people-search record into an [`HrisEmployee`], or says why it cannot.
pub fn parse_employee(record: &Value) -> Result<HrisEmployee, MalformedRecord> {
    let Some(fields) = record.as_object() else {
        return Err(MalformedRecord {
            external_id: None,
            reason: "record is not a JSON object".into(),
        });
    };
    let human = fields.get("humanReadable").and_then(Value::as_object);
    let external_id = text_value("root.id", lookup(fields, "root.id"))
        .ok()
        .flatten();
    let malformed = |reason: String| MalformedRecord {
        external_id: external_id.clone(),
        reason,
    };
    let Some(id) = external_id.clone() else {
        return Err(malformed("missing root.id".into()));
    };
    let optional = |field: &str| text_value(field, lookup(fields, field)).map_err(&malformed);
    let required =
        |field: &str| optional(field)?.ok_or_else(|| malformed(format!("missing {field}")));
    // A list field's name, from the human-readable node; its list-item id otherwise.
    let named = |field: &str| match human.and_then(|h| lookup(h, field)) {
        Some(name) => text_value(field, Some(name)).map_err(&malformed),
        None => optional(field),
    };
    let date = |field: &str| -> Result<Option<NaiveDate>, MalformedRecord> {
        let Some(text) = optional(field)? else {
            return Ok(None);
        };
        // Dates are ISO; some come as a date-time at midnight.
        text.get(..10)
            .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
            .filter(|_| {
                text.get(10..)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('T'))
            })
            .map(Some)
            .ok_or_else(|| malformed(format!("{field} {text:?} is not a date")))
    };

    let first_name = required("root.firstName")?;
    let last_name = required("root.surname")?;
    let display_name =
        optional("root.displayName")?.unwrap_or_else(|| format!("{first_name} {last_name}"));
    let work_email = match optional("root.email")? {
        Some(email) if !email.contains('@') => {
            return Err(malformed(format!(
                "root.email {email:?} is not an email address"
            )));
        }
        email => email.map(|e| e.to_lowercase()),
    };
    let manager_external_id = match lookup(fields, "work.reportsTo") {
        Some(Value::Object(manager)) => {
            text_value("work.reportsTo.id", manager.get("id")).map_err(&malformed)?
        }
        other => text_value("work.reportsTo", other).map_err(&malformed)?,
    };
    let hire_date = date("work.startDate")?;
    let termination_date = date("internal.terminationDate")?;
    let lifecycle = optional("internal.lifecycleStatus")?;
    let access = optional("internal.status")?;
    let status = match (lifecycle.map(|l| l.to_lowercase()), access.as_deref()) {
        (Some(lifecycle), _) if lifecycle == "terminated" => EmploymentStatus::Terminated,
        (Some(_), _) | (None, Some("Active")) => EmploymentStatus::Active,
        (None, Some("Inactive")) => match termination_date {
            Some(left) if left <= Utc::now().date_naive() => EmploymentStatus::Terminated,
            _ => EmploymentStatus::Active,
        },
        (None, Some(other)) => {
            return Err(malformed(format!("unknown internal.status {other:?}")));
        }
        (None, None) => {
            return Err(malformed(
                "missing internal.lifecycleStatus and internal.status (may the service user see \
                 the employees' lifecycle fields?)"
                    .into(),
            ));
        }
    };
    Ok(HrisEmployee {
        external_id: id,
        first_name,
        last_name,
        display_name,
        work_email,
        employee_number: optional("work.employeeIdInCompany")?,
        job_title: named("work.title")?,
        department: named("work.department")?,
        location: named("work.site")?,
        manager_external_id,
        status,
        hire_date,
        termination_date,
    })
}

/// The `Bob-Signature` for `body`: base64 (standard, padded) HMAC-SHA512 of the raw body keyed
/// with the webhook's secret. What Bob computes; used by the simulator and tests.
pub fn sign_webhook(secret: &str, body: &[u8]) -> String {
    webhooks::sign::<HmacSha512>(secret.as_bytes(), &[body])
        .map(|mac| base64::engine::general_purpose::STANDARD.encode(mac))
        .unwrap_or_default()
}

/// Checks that a delivery came from Bob: the `Bob-Signature` must match the raw `body` under
/// the webhook's `secret`, compared in constant time. Bob signs no timestamp, so there is no
/// replay window to check: drop replays by [`HrisChange::delivery_key`].
pub fn verify_webhook(secret: &str, signature_b64: &str, body: &[u8]) -> Result<(), WebhookError> {
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature_b64.trim())
        .map_err(|_| WebhookError::BadSignature)?;
    webhooks::verify::<HmacSha512>(secret.as_bytes(), &[body], &signature)
}

/// Reads a verified v2 delivery: at most one change.
///
/// - `employee.created` → created, `employee.deleted` → deleted, `employee.left` (the
///   termination taking effect) → terminated; `employee.updated`, the other lifecycle events
///   (`employee.joined`, `employee.inactivated`, ...) and `table.entry.*` → updated, for a
///   re-read to explain. Other event types (time off, tasks, ...) give no change.
/// - The test POST Bob sends when a webhook is set up (`Ping test`, or `{"text": "Ping test"}`)
///   gives no change.
/// - Bob sends no delivery id: the delivery key hashes `companyId`, `type`,
///   `data.employeeId` and `triggeredAt`, which a retry repeats.
/// - `triggeredAt` carries no offset (e.g. `2025-01-08T13:06:26.915906`); it is read as UTC.
pub fn parse_webhook(body: &[u8]) -> Result<Vec<HrisChange>, WebhookError> {
    if String::from_utf8_lossy(body).trim() == "Ping test" {
        return Ok(Vec::new());
    }
    let payload: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::Malformed(format!("not JSON: {e}")))?;
    let Some(event) = payload.get("type").and_then(Value::as_str) else {
        if payload.get("text").is_some() {
            return Ok(Vec::new());
        }
        return Err(WebhookError::Malformed("no event type".into()));
    };
    let kind = match event {
        "employee.created" => ChangeKind::Created,
        "employee.deleted" => ChangeKind::Deleted,
        "employee.left" => ChangeKind::Terminated,
        "employee.updated" => ChangeKind::Updated,
        other if other.starts_with("employee.") || other.starts_with("table.entry.") => {
            ChangeKind::Updated
        }
        _ => return Ok(Vec::new()),
    };
    let external_id = webhooks::id_text(payload.get("data").and_then(|d| d.get("employeeId")))
        .ok_or_else(|| WebhookError::Malformed(format!("{event} without data.employeeId")))?;
    let company = webhooks::id_text(payload.get("companyId")).unwrap_or_default();
    let triggered_at = payload
        .get("triggeredAt")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(vec![HrisChange {
        delivery_key: webhooks::delivery_key(
            "hibob",
            &[&company, event, &external_id, triggered_at],
        ),
        external_id,
        kind,
        occurred_at: parse_triggered_at(triggered_at),
    }])
}

/// `triggeredAt`: ISO 8601 without an offset (UTC), or RFC 3339.
fn parse_triggered_at(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn machine_record() -> Value {
        json!({
            "id": "3332883884017713238",
            "firstName": "Ada",
            "surname": "Lovelace",
            "displayName": "Ada Lovelace",
            "email": "Ada@Example.com",
            "work": {
                "employeeIdInCompany": 42,
                "title": "210001",
                "department": "209192163",
                "site": "310004",
                "reportsTo": {"id": "3332883884017713001", "displayName": "Grace Hopper"},
                "startDate": "2020-01-15",
            },
            "internal": {"status": "Active", "lifecycleStatus": "employed", "terminationDate": null},
            "humanReadable": {
                "work": {"title": "Engineer", "department": "R&D", "site": "London",
                         "startDate": "15/01/2020"},
            },
        })
    }

    #[test]
    fn maps_nested_fields_preferring_human_readable_names() {
        let employee = parse_employee(&machine_record()).unwrap();
        assert_eq!(employee.external_id, "3332883884017713238");
        assert_eq!(employee.work_email.as_deref(), Some("ada@example.com"));
        assert_eq!(employee.employee_number.as_deref(), Some("42"));
        assert_eq!(employee.job_title.as_deref(), Some("Engineer"));
        assert_eq!(employee.department.as_deref(), Some("R&D"));
        assert_eq!(employee.location.as_deref(), Some("London"));
        assert_eq!(
            employee.manager_external_id.as_deref(),
            Some("3332883884017713001")
        );
        assert_eq!(employee.hire_date, NaiveDate::from_ymd_opt(2020, 1, 15));
        assert_eq!(employee.status, EmploymentStatus::Active);
        assert_eq!(employee.termination_date, None);
    }

    #[test]
    fn reads_slash_keys_and_falls_back_to_list_ids() {
        let record = json!({
            "/root/id": {"value": "7"},
            "/root/firstName": {"value": "Alan"},
            "/root/surname": {"value": "Turing"},
            "/work/department": {"value": "209192163"},
            "/work/reportsTo": {"value": "5"},
            "/work/startDate": {"value": "2019-09-08T00:00:00"},
            "/internal/status": {"value": "Active"},
        });
        let employee = parse_employee(&record).unwrap();
        assert_eq!(employee.external_id, "7");
        assert_eq!(employee.display_name, "Alan Turing");
        assert_eq!(employee.department.as_deref(), Some("209192163"));
        assert_eq!(employee.manager_external_id.as_deref(), Some("5"));
        assert_eq!(employee.hire_date, NaiveDate::from_ymd_opt(2019, 9, 8));
        assert_eq!(employee.work_email, None);
    }

    #[test]
    fn leavers_are_told_by_lifecycle_or_by_access_and_date() {
        let with = |internal: Value| {
            let mut record = machine_record();
            record["internal"] = internal;
            parse_employee(&record)
        };
        let left = with(
            json!({"lifecycleStatus": "terminated", "status": "Inactive",
                               "terminationDate": "2024-03-31"}),
        )
        .unwrap();
        assert_eq!(left.status, EmploymentStatus::Terminated);
        assert_eq!(left.termination_date, NaiveDate::from_ymd_opt(2024, 3, 31));
        let hired = with(json!({"lifecycleStatus": "hired", "status": "Inactive"})).unwrap();
        assert_eq!(
            hired.status,
            EmploymentStatus::Active,
            "a future hire is no leaver"
        );
        let garden = with(
            json!({"lifecycleStatus": "Garden leave", "status": "Active",
                                 "terminationDate": "2999-01-01"}),
        )
        .unwrap();
        assert_eq!(garden.status, EmploymentStatus::Active);
        let inactive_past =
            with(json!({"status": "Inactive", "terminationDate": "2020-01-01"})).unwrap();
        assert_eq!(inactive_past.status, EmploymentStatus::Terminated);
        let inactive_ahead = with(json!({"status": "Inactive"})).unwrap();
        assert_eq!(inactive_ahead.status, EmploymentStatus::Active);
        let unknown = with(json!({"status": "Gone"})).unwrap_err();
        assert!(unknown.reason.contains("internal.status"), "{unknown}");
        let hidden = with(json!({})).unwrap_err();
        assert!(hidden.reason.contains("lifecycle"), "{hidden}");
    }

    #[test]
    fn reports_what_is_wrong_with_a_record() {
        let mut bad_date = machine_record();
        bad_date["work"]["startDate"] = json!("not-a-date");
        let err = parse_employee(&bad_date).unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("3332883884017713238"));
        assert!(err.reason.contains("work.startDate"), "{err}");
        let mut odd_date = machine_record();
        odd_date["work"]["startDate"] = json!("2020-01-15xyz");
        assert!(parse_employee(&odd_date).is_err());
        let mut no_name = machine_record();
        no_name.as_object_mut().unwrap().remove("surname");
        assert!(
            parse_employee(&no_name)
                .unwrap_err()
                .reason
                .contains("root.surname")
        );
        assert_eq!(
            parse_employee(&json!({"firstName": "A"}))
                .unwrap_err()
                .external_id,
            None
        );
        let mut bad_email = machine_record();
        bad_email["email"] = json!("nobody");
        assert!(parse_employee(&bad_email).is_err());
    }

    const SECRET: &str = "bob-webhook-secret";
    /// Bob's documented `table.entry.created` example payload.
    const TABLE_EVENT: &str = r#"{"companyId":636192,"type":"table.entry.created","triggeredBy":"3332883804594373380","triggeredAt":"2025-01-08T13:06:26.915906","version":"v2","data":{"employeeId":"3332883854254932743","tableId":"lifecycle","effectiveDate":"2025-01-08"}}"#;

    #[test]
    fn signs_like_an_independent_hmac_implementation() {
        // Computed outside this crate: base64(HMAC-SHA512(secret, body)).
        assert_eq!(
            sign_webhook(SECRET, TABLE_EVENT.as_bytes()),
            "ccWksc55TWhgdrjKwf3Dw/PDuTiTkcNtaxN8gN3ZzQxD9PiFqcGmKCEiIi3ZxiMM16bPvzM2XepfMYh88Q4wdg=="
        );
    }

    #[test]
    fn accepts_a_valid_delivery_and_refuses_altered_ones() {
        let body = TABLE_EVENT.as_bytes();
        let signature = sign_webhook(SECRET, body);
        verify_webhook(SECRET, &signature, body).unwrap();
        let tampered = TABLE_EVENT.replace("3332883854254932743", "3332883854254932744");
        assert_eq!(
            verify_webhook(SECRET, &signature, tampered.as_bytes()),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_webhook("another-secret", &signature, body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_webhook(SECRET, "%%% not base64", body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_webhook(SECRET, "", body),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn reads_the_documented_payload() {
        let changes = parse_webhook(TABLE_EVENT.as_bytes()).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].external_id, "3332883854254932743");
        assert_eq!(changes[0].kind, ChangeKind::Updated);
        assert_eq!(
            changes[0].occurred_at,
            NaiveDate::from_ymd_opt(2025, 1, 8)
                .and_then(|d| d.and_hms_micro_opt(13, 6, 26, 915_906))
                .map(|t| t.and_utc())
        );
        assert_eq!(
            parse_webhook(TABLE_EVENT.as_bytes()).unwrap()[0].delivery_key,
            changes[0].delivery_key,
            "a redelivery has the same key"
        );
    }

    #[test]
    fn maps_event_types_to_kinds() {
        let kind = |event: &str| {
            let body = json!({"companyId": 1, "type": event, "triggeredBy": "system",
                              "triggeredAt": "2025-01-08T13:06:26", "version": "v2",
                              "data": {"employeeId": 99}});
            parse_webhook(body.to_string().as_bytes())
                .unwrap()
                .first()
                .map(|c| (c.kind, c.external_id.clone()))
        };
        assert_eq!(
            kind("employee.created"),
            Some((ChangeKind::Created, "99".into()))
        );
        assert_eq!(kind("employee.updated").unwrap().0, ChangeKind::Updated);
        assert_eq!(kind("employee.left").unwrap().0, ChangeKind::Terminated);
        assert_eq!(kind("employee.deleted").unwrap().0, ChangeKind::Deleted);
        assert_eq!(kind("employee.joined").unwrap().0, ChangeKind::Updated);
        assert_eq!(kind("employee.inactivated").unwrap().0, ChangeKind::Updated);
        assert_eq!(kind("timeoff.request.created"), None);
    }

    #[test]
    fn pings_are_no_changes_and_junk_is_malformed() {
        assert!(parse_webhook(b"Ping test").unwrap().is_empty());
        assert!(
            parse_webhook(br#"{"text":"Ping test"}"#)
                .unwrap()
                .is_empty()
        );
        for body in [
            &b"{}"[..],
            b"not json",
            br#"{"type":"employee.updated","data":{}}"#,
        ] {
            assert!(
                matches!(parse_webhook(body), Err(WebhookError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn base_url_keeps_the_version_path() {
        let client = HibobClient::new(HibobConfig {
            service_user_id: "SERVICE-1".into(),
            token: ServiceUserToken::new("secret"),
            base_url: Some("http://127.0.0.1:9/hibob/".into()),
            policy: HttpPolicy::default(),
        })
        .unwrap();
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/hibob/v1/");
        assert!(!format!("{client:?}").contains("secret"));
        let default = HibobClient::new(HibobConfig {
            service_user_id: "SERVICE-1".into(),
            token: ServiceUserToken::new("t"),
            base_url: None,
            policy: HttpPolicy::default(),
        })
        .unwrap();
        assert_eq!(default.base_url().as_str(), "https://api.hibob.com/v1/");
    }
}
