//! A BambooHR simulator, faithful to what [`crate::bamboohr`] relies on.
//!
//! Vendor endpoints, under `/bamboohr/api/gateway.php/{subdomain}/v1`:
//! - `GET /meta/fields`
//! - `POST /reports/custom?format=JSON&onlyCurrent=false` with `{"fields": [...]}`
//! - `GET /employees/changed/?since=<ISO 8601>`
//! - `GET /employees/{id}/?fields=a,b,c`
//!
//! Each checks HTTP Basic auth (the company's API key as user, any password): a wrong key gets a
//! 401 with `X-BambooHR-Error-Message`, an unknown subdomain a 404.
//!
//! Employees `1..=N` are generated deterministically from their id, so a company of 50,000 costs
//! nothing until it is read; hires, updates, terminations and deletions made through the control
//! API are stored on top and reported by `employees/changed`.
//!
//! Control endpoints, under `/_control/bamboohr/{subdomain}`:
//! - `PUT` `{"api_key": "...", "employees": 500}`: create or reset a company;
//! - `POST /faults` `{"rate_limit_next": 1, "retry_after_secs": 1}`, `{"fail_next": 2,
//!   "fail_status": 503}`, `{"malformed_ids": ["17"]}`, `{"slow_next": 1, "slow_ms": 2000}`:
//!   the next vendor requests misbehave;
//! - `POST /employees` `{"firstName": "Ada", ...}`: hire (answers the new record);
//! - `PATCH /employees/{id}` with BambooHR fields: update;
//! - `POST /employees/{id}/terminate` `{"date": "2026-11-30"}`: terminate;
//! - `DELETE /employees/{id}`: delete;
//! - `GET /stats`: `{"requests": n}`, the vendor requests this company received.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::bamboohr::{ERROR_MESSAGE_HEADER, REPORT_FIELDS};

/// One employee as BambooHR field name → value (BambooHR answers strings).
pub type Record = BTreeMap<String, String>;

/// A company present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct CompanySeed {
    pub subdomain: String,
    pub api_key: String,
    /// How many employees to generate (ids `1..=employees`).
    pub employees: u64,
}

impl Default for CompanySeed {
    fn default() -> Self {
        CompanySeed {
            subdomain: "acme".into(),
            api_key: "sandbox-api-key".into(),
            employees: 200,
        }
    }
}

/// Misbehaviour for the next vendor requests of one company. Fields left out of a control
/// request keep their current value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Faults {
    /// Answer this many next requests with 429.
    #[serde(default)]
    pub rate_limit_next: u32,
    /// The `Retry-After` seconds sent with those 429s (and with 503 failures).
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// Answer this many next requests with `fail_status`.
    #[serde(default)]
    pub fail_next: u32,
    /// The status for `fail_next` (default 500).
    #[serde(default)]
    pub fail_status: Option<u16>,
    /// Employees whose records come back malformed (a hire date that is no date).
    #[serde(default)]
    pub malformed_ids: Vec<String>,
    /// Delay this many next requests by `slow_ms` before answering (to provoke timeouts).
    #[serde(default)]
    pub slow_next: u32,
    #[serde(default)]
    pub slow_ms: u64,
}

#[derive(Debug, Deserialize)]
struct FaultsPatch {
    rate_limit_next: Option<u32>,
    retry_after_secs: Option<u64>,
    fail_next: Option<u32>,
    fail_status: Option<u16>,
    malformed_ids: Option<Vec<String>>,
    slow_next: Option<u32>,
    slow_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Inserted,
    Updated,
    Deleted,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Inserted => "Inserted",
            Action::Updated => "Updated",
            Action::Deleted => "Deleted",
        }
    }
}

#[derive(Debug)]
struct Company {
    api_key: String,
    generated: u64,
    next_id: u64,
    /// Records changed through the control API; `None` = deleted.
    stored: BTreeMap<u64, Option<Record>>,
    /// The last change per stored id.
    changes: HashMap<u64, (Action, DateTime<Utc>)>,
    faults: Faults,
    requests: u64,
}

/// When generated employees were "last changed".
fn seeded_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

impl Company {
    fn new(seed: &CompanySeed) -> Self {
        Company {
            api_key: seed.api_key.clone(),
            generated: seed.employees,
            next_id: seed.employees + 1,
            stored: BTreeMap::new(),
            changes: HashMap::new(),
            faults: Faults::default(),
            requests: 0,
        }
    }

    fn record(&self, subdomain: &str, id: u64) -> Option<Record> {
        match self.stored.get(&id) {
            Some(stored) => stored.clone(),
            None if id >= 1 && id <= self.generated => Some(generate(subdomain, id)),
            None => None,
        }
    }

    fn shaped(&self, mut record: Record, fields: &[String]) -> Value {
        let id = record.get("id").cloned().unwrap_or_default();
        if self.faults.malformed_ids.contains(&id) {
            record.insert("hireDate".into(), "not-a-date".into());
        }
        let mut out = serde_json::Map::new();
        out.insert("id".into(), Value::String(id));
        for field in fields {
            let value = record
                .get(field)
                .map_or(Value::Null, |v| Value::String(v.clone()));
            out.insert(field.clone(), value);
        }
        Value::Object(out)
    }
}

const FIRST_NAMES: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Linus",
    "Radia",
    "Ken",
    "Frances",
    "Dennis",
    "Hedy",
    "John",
    "Katherine",
    "Tim",
];
const LAST_NAMES: [&str; 16] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Torvalds",
    "Perlman",
    "Thompson",
    "Allen",
    "Ritchie",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Berners-Lee",
];
const DEPARTMENTS: [&str; 6] = [
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Support",
];
const LOCATIONS: [&str; 4] = ["Berlin", "London", "New York", "Remote"];
const TITLES: [&str; 5] = [
    "Engineer",
    "Account Executive",
    "Analyst",
    "Manager",
    "Specialist",
];

/// The deterministic employee `id` of a company: same input, same record, every run.
pub fn generate(subdomain: &str, id: u64) -> Record {
    let pick = |salt: u64, len: usize| {
        ((id.wrapping_mul(2_654_435_761).wrapping_add(salt)) % len as u64) as usize
    };
    let first = FIRST_NAMES[pick(1, FIRST_NAMES.len())];
    let last = LAST_NAMES[pick(7, LAST_NAMES.len())];
    let base = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default();
    let hire = base + Duration::days((id * 37 % 3650) as i64);
    let terminated = id.is_multiple_of(20);
    let mut record = Record::new();
    let mut set = |k: &str, v: String| {
        record.insert(k.to_owned(), v);
    };
    set("id", id.to_string());
    set("firstName", first.to_owned());
    set("lastName", last.to_owned());
    set("displayName", format!("{first} {last}"));
    set(
        "workEmail",
        format!(
            "{}.{}.{id}@{subdomain}.example.com",
            first.to_lowercase(),
            last.to_lowercase()
        ),
    );
    set("employeeNumber", format!("E{id:05}"));
    set("jobTitle", TITLES[pick(3, TITLES.len())].to_owned());
    set(
        "department",
        DEPARTMENTS[pick(5, DEPARTMENTS.len())].to_owned(),
    );
    set("location", LOCATIONS[pick(11, LOCATIONS.len())].to_owned());
    set(
        "supervisorEId",
        if id == 1 {
            String::new()
        } else {
            ((id - 2) / 10 + 1).to_string()
        },
    );
    set(
        "status",
        if terminated { "Inactive" } else { "Active" }.to_owned(),
    );
    set("hireDate", hire.format("%Y-%m-%d").to_string());
    set(
        "terminationDate",
        if terminated {
            (hire + Duration::days(400)).format("%Y-%m-%d").to_string()
        } else {
            "0000-00-00".into()
        },
    );
    record
}

/// The simulated BambooHR accounts; cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct BambooHrSandbox {
    companies: Arc<Mutex<HashMap<String, Company>>>,
}

impl BambooHrSandbox {
    pub fn new(seeds: Vec<CompanySeed>) -> Self {
        let sandbox = BambooHrSandbox::default();
        for seed in seeds {
            sandbox.put_company(seed);
        }
        sandbox
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Company>> {
        self.companies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates or resets a company.
    pub fn put_company(&self, seed: CompanySeed) {
        self.lock()
            .insert(seed.subdomain.clone(), Company::new(&seed));
    }

    /// Vendor requests the company has received (control requests excluded).
    pub fn requests(&self, subdomain: &str) -> u64 {
        self.lock().get(subdomain).map_or(0, |c| c.requests)
    }

    /// Replaces the company's faults.
    pub fn set_faults(&self, subdomain: &str, faults: Faults) -> bool {
        self.lock()
            .get_mut(subdomain)
            .map(|c| c.faults = faults)
            .is_some()
    }

    /// Hires someone: assigns the next id and answers the stored record.
    pub fn hire(&self, subdomain: &str, fields: Record) -> Option<Record> {
        let mut companies = self.lock();
        let company = companies.get_mut(subdomain)?;
        let id = company.next_id;
        company.next_id += 1;
        let mut record = Record::new();
        record.insert("firstName".into(), "New".into());
        record.insert("lastName".into(), "Hire".into());
        record.insert("status".into(), "Active".into());
        record.insert(
            "hireDate".into(),
            Utc::now().date_naive().format("%Y-%m-%d").to_string(),
        );
        record.insert("terminationDate".into(), "0000-00-00".into());
        record.extend(fields);
        record.insert("id".into(), id.to_string());
        if !record.contains_key("displayName") {
            let name = format!("{} {}", record["firstName"], record["lastName"]);
            record.insert("displayName".into(), name);
        }
        company.stored.insert(id, Some(record.clone()));
        company.changes.insert(id, (Action::Inserted, Utc::now()));
        Some(record)
    }

    /// Takes one "slow" fault, if any, and answers how long to stall.
    fn take_delay(&self, subdomain: &str) -> Option<std::time::Duration> {
        let mut companies = self.lock();
        let faults = &mut companies.get_mut(subdomain)?.faults;
        if faults.slow_next == 0 {
            return None;
        }
        faults.slow_next -= 1;
        Some(std::time::Duration::from_millis(faults.slow_ms))
    }

    /// Stalls when a "slow" fault is pending, outside the lock.
    async fn stall(&self, subdomain: &str) {
        if let Some(delay) = self.take_delay(subdomain) {
            tokio::time::sleep(delay).await;
        }
    }

    /// Changes fields of an existing employee; `None` when there is no such employee.
    pub fn update(&self, subdomain: &str, id: u64, fields: Record) -> Option<Record> {
        let mut companies = self.lock();
        let company = companies.get_mut(subdomain)?;
        let mut record = company.record(subdomain, id)?;
        record.extend(fields);
        record.insert("id".into(), id.to_string());
        company.stored.insert(id, Some(record.clone()));
        let action = match company.changes.get(&id) {
            Some((Action::Inserted, _)) => Action::Inserted,
            _ => Action::Updated,
        };
        company.changes.insert(id, (action, Utc::now()));
        Some(record)
    }

    /// Marks an employee as terminated (status `Inactive`) on `date` (default today).
    pub fn terminate(&self, subdomain: &str, id: u64, date: Option<NaiveDate>) -> Option<Record> {
        let date = date.unwrap_or_else(|| Utc::now().date_naive());
        let fields = Record::from([
            ("status".to_owned(), "Inactive".to_owned()),
            (
                "terminationDate".to_owned(),
                date.format("%Y-%m-%d").to_string(),
            ),
        ]);
        self.update(subdomain, id, fields)
    }

    /// Deletes an employee; reported as `Deleted` by `employees/changed`.
    pub fn delete(&self, subdomain: &str, id: u64) -> bool {
        let mut companies = self.lock();
        let Some(company) = companies.get_mut(subdomain) else {
            return false;
        };
        if company.record(subdomain, id).is_none() {
            return false;
        }
        company.stored.insert(id, None);
        company.changes.insert(id, (Action::Deleted, Utc::now()));
        true
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/bamboohr/api/gateway.php/{subdomain}/v1")
            .route("/meta/fields", web::get().to(meta_fields))
            .route("/meta/fields/", web::get().to(meta_fields))
            .route("/reports/custom", web::post().to(custom_report))
            .route("/employees/changed", web::get().to(changed))
            .route("/employees/changed/", web::get().to(changed))
            .route("/employees/{id}", web::get().to(employee))
            .route("/employees/{id}/", web::get().to(employee)),
    )
    .service(
        web::scope("/_control/bamboohr/{subdomain}")
            .route("", web::put().to(control_put_company))
            .route("/faults", web::post().to(control_faults))
            .route("/stats", web::get().to(control_stats))
            .route("/employees", web::post().to(control_hire))
            .route("/employees/{id}", web::patch().to(control_update))
            .route("/employees/{id}", web::delete().to(control_delete))
            .route(
                "/employees/{id}/terminate",
                web::post().to(control_terminate),
            ),
    );
}

fn vendor_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ERROR_MESSAGE_HEADER, message))
        .finish()
}

/// Authenticates, counts and applies faults; on success runs `answer` on the company.
fn with_company(
    sandbox: &BambooHrSandbox,
    request: &HttpRequest,
    subdomain: &str,
    answer: impl FnOnce(&Company) -> HttpResponse,
) -> HttpResponse {
    let mut companies = sandbox.lock();
    let Some(company) = companies.get_mut(subdomain) else {
        return vendor_error(StatusCode::NOT_FOUND, "Unknown company domain");
    };
    company.requests += 1;
    let key = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| pair.split_once(':').map(|(user, _)| user.to_owned()));
    if key.as_deref() != Some(company.api_key.as_str()) {
        return vendor_error(StatusCode::UNAUTHORIZED, "Invalid API key");
    }
    let retry_after = company.faults.retry_after_secs.unwrap_or(1).to_string();
    if company.faults.rate_limit_next > 0 {
        company.faults.rate_limit_next -= 1;
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", retry_after))
            .insert_header((ERROR_MESSAGE_HEADER, "API rate limit exceeded"))
            .finish();
    }
    if company.faults.fail_next > 0 {
        company.faults.fail_next -= 1;
        let status = company
            .faults
            .fail_status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header(("Retry-After", retry_after));
        }
        return response.finish();
    }
    answer(company)
}

async fn meta_fields(
    sandbox: web::Data<BambooHrSandbox>,
    request: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    sandbox.stall(&path).await;
    with_company(&sandbox, &request, &path, |_| {
        let fields: Vec<Value> = REPORT_FIELDS
            .iter()
            .enumerate()
            .map(|(i, name)| json!({"id": i + 1, "name": name, "type": "text", "alias": name}))
            .collect();
        HttpResponse::Ok().json(fields)
    })
}

#[derive(Debug, Deserialize)]
struct ReportRequest {
    title: Option<String>,
    fields: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportQuery {
    format: Option<String>,
    only_current: Option<String>,
}

async fn custom_report(
    sandbox: web::Data<BambooHrSandbox>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ReportQuery>,
    body: web::Json<ReportRequest>,
) -> HttpResponse {
    let subdomain = path.into_inner();
    sandbox.stall(&subdomain).await;
    with_company(&sandbox, &request, &subdomain, |company| {
        if !query
            .format
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("json"))
        {
            return vendor_error(
                StatusCode::BAD_REQUEST,
                "This simulator only answers format=JSON",
            );
        }
        let only_current = query.only_current.as_deref() != Some("false");
        let last_id = company.next_id.saturating_sub(1);
        let employees: Vec<Value> = (1..=last_id)
            .filter_map(|id| company.record(&subdomain, id))
            .filter(|r| !only_current || r.get("status").map(String::as_str) == Some("Active"))
            .map(|r| company.shaped(r, &body.fields))
            .collect();
        let fields: Vec<Value> = body
            .fields
            .iter()
            .map(|f| json!({"id": f, "type": "text", "name": f}))
            .collect();
        HttpResponse::Ok().json(json!({
            "title": body.title.clone().unwrap_or_else(|| "Report".into()),
            "fields": fields,
            "employees": employees,
        }))
    })
}

#[derive(Debug, Deserialize)]
struct ChangedQuery {
    since: String,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

async fn changed(
    sandbox: web::Data<BambooHrSandbox>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ChangedQuery>,
) -> HttpResponse {
    // A `+` sent unencoded in the offset arrives as a space.
    let since = match DateTime::parse_from_rfc3339(&query.since.replace(' ', "+")) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => return vendor_error(StatusCode::BAD_REQUEST, "Invalid 'since' timestamp"),
    };
    let subdomain = path.into_inner();
    sandbox.stall(&subdomain).await;
    with_company(&sandbox, &request, &subdomain, |company| {
        let mut employees = serde_json::Map::new();
        let mut latest: Option<DateTime<Utc>> = None;
        let mut add = |id: u64, action: Action, at: DateTime<Utc>| {
            latest = latest.max(Some(at));
            employees.insert(
                id.to_string(),
                json!({"id": id.to_string(), "action": action.as_str(), "lastChanged": timestamp(at)}),
            );
        };
        // Timestamps are whole seconds: compare inclusively so a change is never missed.
        let since = since.timestamp();
        if seeded_at().timestamp() >= since {
            for id in (1..=company.generated).filter(|id| !company.changes.contains_key(id)) {
                add(id, Action::Inserted, seeded_at());
            }
        }
        for (id, (action, at)) in &company.changes {
            if at.timestamp() >= since {
                add(*id, *action, *at);
            }
        }
        let employees = if employees.is_empty() {
            json!([])
        } else {
            Value::Object(employees)
        };
        HttpResponse::Ok().json(json!({
            "latest": latest.map(timestamp).unwrap_or_default(),
            "employees": employees,
        }))
    })
}

#[derive(Debug, Deserialize)]
struct EmployeeQuery {
    fields: Option<String>,
}

async fn employee(
    sandbox: web::Data<BambooHrSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<EmployeeQuery>,
) -> HttpResponse {
    let (subdomain, id) = path.into_inner();
    sandbox.stall(&subdomain).await;
    with_company(&sandbox, &request, &subdomain, |company| {
        let Some(record) = id
            .parse::<u64>()
            .ok()
            .and_then(|id| company.record(&subdomain, id))
        else {
            return vendor_error(StatusCode::NOT_FOUND, "Employee not found");
        };
        let fields: Vec<String> = query
            .fields
            .as_deref()
            .unwrap_or("firstName,lastName")
            .split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty() && f != "id")
            .collect();
        HttpResponse::Ok().json(company.shaped(record, &fields))
    })
}

#[derive(Debug, Deserialize)]
struct PutCompany {
    api_key: String,
    #[serde(default)]
    employees: u64,
}

async fn control_put_company(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<String>,
    body: web::Json<PutCompany>,
) -> HttpResponse {
    let body = body.into_inner();
    sandbox.put_company(CompanySeed {
        subdomain: path.into_inner(),
        api_key: body.api_key,
        employees: body.employees,
    });
    HttpResponse::NoContent().finish()
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({"error": "no such company or employee"}))
}

async fn control_faults(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<String>,
    body: web::Json<FaultsPatch>,
) -> HttpResponse {
    let patch = body.into_inner();
    let mut companies = sandbox.lock();
    let Some(company) = companies.get_mut(path.as_str()) else {
        return not_found();
    };
    let faults = &mut company.faults;
    if let Some(v) = patch.rate_limit_next {
        faults.rate_limit_next = v;
    }
    if let Some(v) = patch.retry_after_secs {
        faults.retry_after_secs = Some(v);
    }
    if let Some(v) = patch.fail_next {
        faults.fail_next = v;
    }
    if let Some(v) = patch.fail_status {
        faults.fail_status = Some(v);
    }
    if let Some(v) = patch.malformed_ids {
        faults.malformed_ids = v;
    }
    if let Some(v) = patch.slow_next {
        faults.slow_next = v;
    }
    if let Some(v) = patch.slow_ms {
        faults.slow_ms = v;
    }
    HttpResponse::Ok().json(&*faults)
}

async fn control_stats(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<String>,
) -> HttpResponse {
    let companies = sandbox.lock();
    match companies.get(path.as_str()) {
        Some(company) => HttpResponse::Ok().json(json!({"requests": company.requests})),
        None => not_found(),
    }
}

fn respond(record: Option<Record>, status: StatusCode) -> HttpResponse {
    match record {
        Some(record) => HttpResponse::build(status).json(record),
        None => not_found(),
    }
}

async fn control_hire(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<String>,
    body: web::Json<Record>,
) -> HttpResponse {
    respond(sandbox.hire(&path, body.into_inner()), StatusCode::CREATED)
}

async fn control_update(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<(String, u64)>,
    body: web::Json<Record>,
) -> HttpResponse {
    let (subdomain, id) = path.into_inner();
    respond(
        sandbox.update(&subdomain, id, body.into_inner()),
        StatusCode::OK,
    )
}

#[derive(Debug, Default, Deserialize)]
struct Terminate {
    date: Option<NaiveDate>,
}

async fn control_terminate(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<(String, u64)>,
    body: Option<web::Json<Terminate>>,
) -> HttpResponse {
    let (subdomain, id) = path.into_inner();
    let date = body.and_then(|b| b.into_inner().date);
    respond(sandbox.terminate(&subdomain, id, date), StatusCode::OK)
}

async fn control_delete(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<(String, u64)>,
) -> HttpResponse {
    let (subdomain, id) = path.into_inner();
    if sandbox.delete(&subdomain, id) {
        HttpResponse::NoContent().finish()
    } else {
        not_found()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_employees_are_deterministic_and_well_formed() {
        let a = generate("acme", 17);
        assert_eq!(a, generate("acme", 17));
        assert_eq!(a["employeeNumber"], "E00017");
        assert_eq!(a["supervisorEId"], "2");
        let parsed = crate::bamboohr::parse_employee(&serde_json::to_value(&a).unwrap()).unwrap();
        assert_eq!(parsed.external_id, "17");
        let terminated =
            crate::bamboohr::parse_employee(&serde_json::to_value(generate("acme", 40)).unwrap())
                .unwrap();
        assert_eq!(terminated.status, crate::hris::EmploymentStatus::Terminated);
        assert!(terminated.termination_date.is_some());
    }
}
