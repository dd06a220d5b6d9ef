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
//! Control endpoints, under `/_control/bamboohr/{subdomain}` (the faults, stats and webhook
//! endpoints are those every simulator has):
//! - `PUT` `{"api_key": "...", "employees": 500}`: create or reset a company;
//! - `POST /faults` `{"rate_limit_next": 1, "retry_after_secs": 1}`, `{"fail_next": 2,
//!   "fail_status": 503}`, `{"malformed_ids": ["17"]}`, `{"slow_next": 1, "slow_ms": 2000}`:
//!   the next vendor requests misbehave;
//! - `POST /employees` `{"firstName": "Ada", ...}`: hire (answers the new record);
//! - `PATCH /employees/{id}` with BambooHR fields: update;
//! - `POST /employees/{id}/terminate` `{"date": "2026-11-30"}`: terminate;
//! - `DELETE /employees/{id}`: delete;
//! - `GET /stats`: `{"requests": n}`, the vendor requests this company received;
//! - `PUT /webhook` `{"url": "...", "private_key": "...", "format": "event"}` (or `"field"`):
//!   send webhooks there from now on; `DELETE /webhook` stops them;
//! - `GET /webhook/deliveries`: the deliveries attempted, oldest first.
//!
//! With a webhook registered, every hire, update, termination and deletion (through the control
//! API or [`BambooHrSandbox`]) POSTs BambooHR's signed JSON payload to it
//! ([`signed_delivery`]): event-based (BambooHR's recommendation; a hire sends
//! `employee.created` then `employee.updated`, as BambooHR does) or field-based (fields under
//! their API names, as if aliased so). A control request answers once its deliveries were
//! attempted; changes made in Rust are delivered in the background, in order
//! ([`BambooHrSandbox::wait_for_deliveries`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::control::{self, Controlled, Hooked};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use super::webhooks::{Outbox, Pending, SignedDelivery, WebhookDelivery, WebhookTarget};
use super::workforce::{fingerprint, work_email, worker};
use crate::bamboohr::{ERROR_MESSAGE_HEADER, REPORT_FIELDS, SIGNATURE_HEADER, TIMESTAMP_HEADER};

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

/// Which of BambooHR's two JSON webhook payloads a simulated webhook posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadFormat {
    /// `{"type": "employee.updated", "timestamp", "data": {"companyId", "employeeId",
    /// "changedFields"}}`, one event per delivery.
    #[default]
    Event,
    /// `{"employees": [{"id", "action", "timestamp", "fields", "changedFields"}]}`.
    Field,
}

/// What a webhook delivery reports about one employee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAction {
    Created,
    Updated,
    Deleted,
}

/// One employee change, as a simulated webhook announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The BambooHR company id (event-based payloads carry it).
    pub company_id: String,
    pub employee_id: String,
    pub action: WebhookAction,
    /// When the change happened (the payload's `timestamp`).
    pub at: DateTime<Utc>,
    /// The fields that changed (updates only).
    pub changed_fields: Vec<String>,
    /// Field values posted with a field-based payload.
    pub fields: Record,
}

/// The request BambooHR would POST for `event`, sent at `sent_at` (the signed
/// `X-BambooHR-Timestamp`), signed with `private_key`. For replaying or tampering with in tests.
pub fn signed_delivery(
    private_key: &str,
    format: PayloadFormat,
    event: &WebhookEvent,
    sent_at: DateTime<Utc>,
) -> SignedDelivery {
    let timestamp = event.at.format("%Y-%m-%dT%H:%M:%S%z").to_string();
    let body = match format {
        PayloadFormat::Event => {
            let kind = match event.action {
                WebhookAction::Created => "employee.created",
                WebhookAction::Updated => "employee.updated",
                WebhookAction::Deleted => "employee.deleted",
            };
            let mut data = json!({"companyId": event.company_id, "employeeId": event.employee_id});
            if event.action == WebhookAction::Updated {
                data["changedFields"] = json!(event.changed_fields);
            }
            json!({"type": kind, "timestamp": timestamp, "data": data})
        }
        PayloadFormat::Field => {
            let action = match event.action {
                WebhookAction::Created => "Created",
                WebhookAction::Updated => "Updated",
                WebhookAction::Deleted => "Deleted",
            };
            json!({"employees": [{
                "action": action,
                "changedFields": event.changed_fields,
                "fields": event.fields,
                "id": event.employee_id,
                "timestamp": timestamp,
            }]})
        }
    };
    let sent = sent_at.timestamp().to_string();
    let mut delivery = SignedDelivery::json(&body, Vec::new());
    let signature = crate::bamboohr::sign_webhook(private_key, &sent, &delivery.body);
    delivery.headers.push((TIMESTAMP_HEADER.into(), sent));
    delivery.headers.push((SIGNATURE_HEADER.into(), signature));
    delivery
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
    webhook: Option<(WebhookTarget, PayloadFormat)>,
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
            webhook: None,
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
        if self.faults.breaks(&id) {
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

/// The deterministic employee `id` of a company: same input, same record, every run.
pub fn generate(subdomain: &str, id: u64) -> Record {
    let person = worker(id);
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Record::from([
        ("id".to_owned(), id.to_string()),
        ("firstName".to_owned(), person.first.to_owned()),
        ("lastName".to_owned(), person.last.to_owned()),
        (
            "displayName".to_owned(),
            format!("{} {}", person.first, person.last),
        ),
        (
            "workEmail".to_owned(),
            work_email(&person, id, &format!("{subdomain}.example.com")),
        ),
        ("employeeNumber".to_owned(), format!("E{id:05}")),
        ("jobTitle".to_owned(), person.title.to_owned()),
        ("department".to_owned(), person.department.to_owned()),
        ("location".to_owned(), person.location.to_owned()),
        (
            "supervisorEId".to_owned(),
            person.manager.map(|m| m.to_string()).unwrap_or_default(),
        ),
        (
            "status".to_owned(),
            if person.left.is_some() {
                "Inactive"
            } else {
                "Active"
            }
            .to_owned(),
        ),
        ("hireDate".to_owned(), date(person.hired)),
        (
            "terminationDate".to_owned(),
            person.left.map_or_else(|| "0000-00-00".to_owned(), date),
        ),
    ])
}

/// The company id BambooHR would put in event-based payloads: derived from the subdomain.
fn company_id(subdomain: &str) -> String {
    (fingerprint(subdomain) % 900_000 + 100_000).to_string()
}

/// The simulated BambooHR accounts; cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct BambooHrSandbox {
    companies: Arc<Mutex<HashMap<String, Company>>>,
    outbox: Outbox,
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

    /// Creates or resets a company (its webhook too).
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

    /// From now on, POSTs the company's changes to `url` as `format` payloads signed with
    /// `private_key`. False when there is no such company.
    pub fn set_webhook(
        &self,
        subdomain: &str,
        url: &str,
        private_key: &str,
        format: PayloadFormat,
    ) -> bool {
        let target = WebhookTarget {
            url: url.to_owned(),
            secret: private_key.to_owned(),
        };
        self.lock()
            .get_mut(subdomain)
            .map(|c| c.webhook = Some((target, format)))
            .is_some()
    }

    /// Stops the company's webhooks. False when there is no such company.
    pub fn clear_webhook(&self, subdomain: &str) -> bool {
        self.lock()
            .get_mut(subdomain)
            .map(|c| c.webhook = None)
            .is_some()
    }

    /// The webhook deliveries attempted for the company, oldest first.
    pub fn deliveries(&self, subdomain: &str) -> Vec<WebhookDelivery> {
        self.outbox.deliveries(subdomain)
    }

    /// Waits until `count` webhook deliveries were attempted for the company (or `timeout`
    /// passed) and answers those attempted by then.
    pub async fn wait_for_deliveries(
        &self,
        subdomain: &str,
        count: usize,
        timeout: std::time::Duration,
    ) -> Vec<WebhookDelivery> {
        self.outbox.wait_for(subdomain, count, timeout).await
    }

    /// Applies `edit` to the company and sends the webhooks for the events it reports.
    fn change<T>(
        &self,
        subdomain: &str,
        edit: impl FnOnce(&mut Company) -> Option<(T, Vec<WebhookEvent>)>,
    ) -> Option<(T, Pending)> {
        let mut companies = self.lock();
        let company = companies.get_mut(subdomain)?;
        let (result, events) = edit(company)?;
        let target = company.webhook.clone();
        drop(companies);
        let deliveries = target.as_ref().map_or_else(Vec::new, |(target, format)| {
            events
                .iter()
                .map(|event| signed_delivery(&target.secret, *format, event, Utc::now()))
                .collect()
        });
        let target = target.map(|(target, _)| target);
        Some((
            result,
            self.outbox.send(subdomain, target.as_ref(), deliveries),
        ))
    }

    fn event(subdomain: &str, id: u64, action: WebhookAction, changed: &Record) -> WebhookEvent {
        WebhookEvent {
            company_id: company_id(subdomain),
            employee_id: id.to_string(),
            action,
            at: Utc::now(),
            changed_fields: changed.keys().cloned().collect(),
            fields: changed.clone(),
        }
    }

    /// Hires someone: assigns the next id and answers the stored record.
    pub fn hire(&self, subdomain: &str, fields: Record) -> Option<Record> {
        self.hire_notifying(subdomain, fields)
            .map(|(record, _)| record)
    }

    fn hire_notifying(&self, subdomain: &str, fields: Record) -> Option<(Record, Pending)> {
        self.change(subdomain, |company| {
            let id = company.next_id;
            company.next_id += 1;
            let mut record = Record::from([
                ("firstName".to_owned(), "New".to_owned()),
                ("lastName".to_owned(), "Hire".to_owned()),
                ("status".to_owned(), "Active".to_owned()),
                (
                    "hireDate".to_owned(),
                    Utc::now().date_naive().format("%Y-%m-%d").to_string(),
                ),
                ("terminationDate".to_owned(), "0000-00-00".to_owned()),
            ]);
            record.extend(fields);
            record.insert("id".into(), id.to_string());
            if !record.contains_key("displayName") {
                let name = format!("{} {}", record["firstName"], record["lastName"]);
                record.insert("displayName".into(), name);
            }
            company.stored.insert(id, Some(record.clone()));
            company.changes.insert(id, (Action::Inserted, Utc::now()));
            let mut events = vec![Self::event(
                subdomain,
                id,
                WebhookAction::Created,
                &Record::new(),
            )];
            // BambooHR creates, then initializes: event-based webhooks see both.
            if matches!(company.webhook, Some((_, PayloadFormat::Event))) {
                let mut initialized = record.clone();
                initialized.remove("id");
                events.push(Self::event(
                    subdomain,
                    id,
                    WebhookAction::Updated,
                    &initialized,
                ));
            }
            Some((record, events))
        })
    }

    /// Takes one "slow" fault, if any, and answers how long to stall.
    fn take_delay(&self, subdomain: &str) -> Option<std::time::Duration> {
        self.lock().get_mut(subdomain)?.faults.take_delay()
    }

    /// Stalls when a "slow" fault is pending, outside the lock.
    async fn stall(&self, subdomain: &str) {
        if let Some(delay) = self.take_delay(subdomain) {
            tokio::time::sleep(delay).await;
        }
    }

    /// Changes fields of an existing employee; `None` when there is no such employee.
    pub fn update(&self, subdomain: &str, id: u64, fields: Record) -> Option<Record> {
        self.update_notifying(subdomain, id, fields)
            .map(|(record, _)| record)
    }

    fn update_notifying(
        &self,
        subdomain: &str,
        id: u64,
        fields: Record,
    ) -> Option<(Record, Pending)> {
        self.change(subdomain, |company| {
            let mut record = company.record(subdomain, id)?;
            record.extend(fields.clone());
            record.insert("id".into(), id.to_string());
            company.stored.insert(id, Some(record.clone()));
            let action = match company.changes.get(&id) {
                Some((Action::Inserted, _)) => Action::Inserted,
                _ => Action::Updated,
            };
            company.changes.insert(id, (action, Utc::now()));
            let event = Self::event(subdomain, id, WebhookAction::Updated, &fields);
            Some((record, vec![event]))
        })
    }

    /// Marks an employee as terminated (status `Inactive`) on `date` (default today).
    pub fn terminate(&self, subdomain: &str, id: u64, date: Option<NaiveDate>) -> Option<Record> {
        self.terminate_notifying(subdomain, id, date)
            .map(|(record, _)| record)
    }

    fn terminate_notifying(
        &self,
        subdomain: &str,
        id: u64,
        date: Option<NaiveDate>,
    ) -> Option<(Record, Pending)> {
        let date = date.unwrap_or_else(|| Utc::now().date_naive());
        let fields = Record::from([
            ("status".to_owned(), "Inactive".to_owned()),
            (
                "terminationDate".to_owned(),
                date.format("%Y-%m-%d").to_string(),
            ),
        ]);
        self.update_notifying(subdomain, id, fields)
    }

    /// Deletes an employee; reported as `Deleted` by `employees/changed`.
    pub fn delete(&self, subdomain: &str, id: u64) -> bool {
        self.delete_notifying(subdomain, id).is_some()
    }

    fn delete_notifying(&self, subdomain: &str, id: u64) -> Option<((), Pending)> {
        self.change(subdomain, |company| {
            company.record(subdomain, id)?;
            company.stored.insert(id, None);
            company.changes.insert(id, (Action::Deleted, Utc::now()));
            let event = Self::event(subdomain, id, WebhookAction::Deleted, &Record::new());
            Some(((), vec![event]))
        })
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
    .service(control::webhook_routes::<BambooHrSandbox>(
        control::routes::<BambooHrSandbox>(
            web::scope("/_control/bamboohr/{subdomain}")
                .route("", web::put().to(control_put_company))
                .route("/employees", web::post().to(control_hire))
                .route("/employees/{id}", web::patch().to(control_update))
                .route("/employees/{id}", web::delete().to(control_delete))
                .route(
                    "/employees/{id}/terminate",
                    web::post().to(control_terminate),
                ),
        ),
    ));
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
    let key = super::basic_credentials(request).map(|(user, _)| user);
    if key.as_deref() != Some(company.api_key.as_str()) {
        return vendor_error(StatusCode::UNAUTHORIZED, "Invalid API key");
    }
    if let Some(misbehaviour) = company.faults.take_misbehaviour() {
        let mut response = misbehaviour.response();
        if matches!(misbehaviour, Misbehaviour::RateLimited { .. }) {
            response.insert_header((ERROR_MESSAGE_HEADER, "API rate limit exceeded"));
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

async fn control_hire(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<String>,
    body: web::Json<Record>,
) -> HttpResponse {
    let change = sandbox.hire_notifying(&path, body.into_inner());
    control::respond(some(change), StatusCode::CREATED).await
}

async fn control_update(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<(String, u64)>,
    body: web::Json<Record>,
) -> HttpResponse {
    let (subdomain, id) = path.into_inner();
    let change = sandbox.update_notifying(&subdomain, id, body.into_inner());
    control::respond(some(change), StatusCode::OK).await
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
    let change = sandbox.terminate_notifying(&subdomain, id, date);
    control::respond(some(change), StatusCode::OK).await
}

async fn control_delete(
    sandbox: web::Data<BambooHrSandbox>,
    path: web::Path<(String, u64)>,
) -> HttpResponse {
    let (subdomain, id) = path.into_inner();
    let change = sandbox
        .delete_notifying(&subdomain, id)
        .map(|((), pending)| (None::<Record>, pending));
    control::respond(change, StatusCode::NO_CONTENT).await
}

/// A change that leaves a record, as [`control::respond`] takes it.
fn some(change: Option<(Record, Pending)>) -> Option<(Option<Record>, Pending)> {
    change.map(|(record, pending)| (Some(record), pending))
}

/// The body of `PUT /_control/bamboohr/{subdomain}/webhook`.
#[derive(Debug, Deserialize)]
pub(crate) struct WebhookRegistration {
    url: String,
    private_key: String,
    #[serde(default)]
    format: PayloadFormat,
}

impl Controlled for BambooHrSandbox {
    type Company = String;

    fn with_faults<T>(&self, subdomain: &String, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.lock().get_mut(subdomain).map(|c| edit(&mut c.faults))
    }

    fn request_count(&self, subdomain: &String) -> Option<u64> {
        self.lock().get(subdomain).map(|c| c.requests)
    }
}

impl Hooked for BambooHrSandbox {
    type Webhook = WebhookRegistration;

    fn register_webhook(&self, subdomain: &String, webhook: Option<WebhookRegistration>) -> bool {
        match webhook {
            Some(w) => self.set_webhook(subdomain, &w.url, &w.private_key, w.format),
            None => self.clear_webhook(subdomain),
        }
    }

    fn webhook_deliveries(&self, subdomain: &String) -> Vec<WebhookDelivery> {
        self.deliveries(subdomain)
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
