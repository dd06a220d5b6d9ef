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

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use reqwest::Url;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::hris::{EmployeePull, EmploymentStatus, HrisEmployee, HrisError, MalformedRecord};
use crate::http::{HttpPolicy, VendorError, VendorHttp};

/// BambooHR's public API host.
pub const DEFAULT_HOST: &str = "https://api.bamboohr.com";
/// The header in which BambooHR explains a 4xx.
pub const ERROR_MESSAGE_HEADER: &str = "X-BambooHR-Error-Message";
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
        self.base.join(path).map_err(|e| {
            VendorError::Other {
                message: format!("building URL for {path}: {e}"),
            }
            .into()
        })
    }

    async fn send_json(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, HrisError> {
        let response = self
            .http
            .send(|client| {
                let request = client
                    .request(method.clone(), url.clone())
                    .basic_auth(&self.api_key.0, Some("x"))
                    .header(reqwest::header::ACCEPT, "application/json");
                match body {
                    Some(body) => request.json(body),
                    None => request,
                }
            })
            .await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| VendorError::Unavailable {
                message: format!("reading the response: {e}"),
                retry_after: None,
            })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            VendorError::InvalidResponse {
                message: format!("{url}: not JSON: {e}"),
            }
            .into()
        })
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
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_owned()))
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("{key} has an unexpected value {other}")),
    }
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
}
