//! A HiBob ("Bob") simulator, faithful to what [`crate::hibob`] relies on.
//!
//! Vendor endpoints, under `/hibob/v1`:
//! - `GET /company/people/fields`: the employee fields metadata;
//! - `POST /people/search` `{"fields", "filters", "showInactive", "humanReadable"}`: every
//!   matching employee in one answer (Bob does not page it). Without `showInactive` only people
//!   whose access is active come back. Fields are named in dot notation and answered both under
//!   slash keys (`"/work/title": {"value": ...}`) and nested by category; unknown fields are
//!   left out silently. List fields answer list-item ids, with their names under
//!   `humanReadable` (`APPEND`) or instead of the ids (`REPLACE`, which also formats dates
//!   `dd/MM/yyyy`). One filter at most, on `root.id` or `root.email` with `equals`; anything else
//!   is a 400.
//!
//! Each checks HTTP Basic auth (service user id and token): a wrong pair gets a 401 with a JSON
//! body `{"key", "error"}`. A 429 carries `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
//! `X-RateLimit-Reset` (Unix seconds) and, unless told otherwise, `Retry-After`.
//!
//! People `1..=N` of a company are generated deterministically (ids [`employee_id`]`(n)`); every
//! 20th has left, every 97th other is a hire whose start date is still ahead. Changes made
//! through the control API or [`HibobSandbox`] are stored on top.
//!
//! Control endpoints, under `/_control/hibob/{company_id}` (the faults, stats and webhook
//! endpoints are those every simulator has):
//! - `PUT` `{"service_user_id": "...", "token": "...", "employees": 500}`: create or reset a
//!   company;
//! - `POST /faults`: [`Faults`]; `{"without_retry_after": true}` leaves only
//!   `X-RateLimit-Reset` on 429s;
//! - `POST /employees` `{"firstName": "Ada", "surname": "Lovelace", ...}` ([`PersonChanges`]):
//!   hire (answers the new [`Person`]);
//! - `PATCH /employees/{id}` ([`PersonChanges`]): update;
//! - `POST /employees/{id}/terminate` `{"date": "2026-11-30"}`: terminate;
//! - `DELETE /employees/{id}`: delete;
//! - `PUT /webhook` `{"url": "...", "secret": "..."}`: send webhooks there from now on.
//!
//! With a webhook registered, each change POSTs Bob's v2 payload signed with `Bob-Signature`
//! ([`signed_delivery`]): a hire `employee.created`, an update `employee.updated`, a termination
//! effective today or earlier `employee.left` (one dated ahead `employee.updated`), a deletion
//! `employee.deleted`. `triggeredBy` is `system`; `data` carries only `employeeId`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};

use super::control::{self, Controlled, Hooked};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use super::webhooks::{Outbox, Pending, SignedDelivery, WebhookDelivery, WebhookTarget};
use super::workforce::{fingerprint, work_email, worker};
use crate::hibob::{RATE_LIMIT_RESET_HEADER, SEARCH_FIELDS, SIGNATURE_HEADER};

/// Person `n`'s id: Bob's ids are long numbers.
const ID_BASE: u64 = 3_332_883_800_000_000_000;
/// The rate limit a 429 reports (Bob's people search allows 50 requests a minute).
const RATE_LIMIT: u32 = 50;
/// The most field ids one search may ask for.
const MAX_FIELDS: usize = 400;
/// The fields a search without `fields` answers.
const DEFAULT_FIELDS: [&str; 10] = [
    "root.id",
    "root.firstName",
    "root.surname",
    "root.displayName",
    "root.email",
    "work.title",
    "work.department",
    "work.site",
    "work.reportsTo",
    "work.startDate",
];

/// The id of generated person `n` (from 1).
pub fn employee_id(n: u64) -> String {
    (ID_BASE + n).to_string()
}

fn person_number(id: &str) -> Option<u64> {
    id.trim()
        .parse::<u64>()
        .ok()?
        .checked_sub(ID_BASE)
        .filter(|n| *n > 0)
}

/// A company present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct CompanySeed {
    /// Bob's company id (webhook payloads carry it).
    pub company_id: u64,
    pub service_user_id: String,
    pub token: String,
    /// How many people to generate.
    pub employees: u64,
}

impl Default for CompanySeed {
    fn default() -> Self {
        CompanySeed {
            company_id: 100_001,
            service_user_id: "SERVICE-SANDBOX".into(),
            token: "sandbox-token".into(),
            employees: 200,
        }
    }
}

/// Where a person is in Bob's employee lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Start date still ahead; no access yet.
    Hired,
    Employed,
    Terminated,
}

impl Lifecycle {
    fn machine(self) -> &'static str {
        match self {
            Lifecycle::Hired => "hired",
            Lifecycle::Employed => "employed",
            Lifecycle::Terminated => "terminated",
        }
    }

    /// Bob's access status: only employed people are `Active`.
    fn access(self) -> &'static str {
        match self {
            Lifecycle::Employed => "Active",
            Lifecycle::Hired | Lifecycle::Terminated => "Inactive",
        }
    }
}

/// One person as the simulator stores them; list fields (title, department, site) by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub first_name: String,
    pub surname: String,
    pub display_name: String,
    pub email: String,
    pub employee_id_in_company: u64,
    pub title: Option<String>,
    pub department: Option<String>,
    pub site: Option<String>,
    /// The manager's id.
    pub reports_to: Option<String>,
    pub start_date: NaiveDate,
    pub lifecycle: Lifecycle,
    pub termination_date: Option<NaiveDate>,
}

/// Changes to a person; fields left out keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonChanges {
    pub first_name: Option<String>,
    pub surname: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub employee_id_in_company: Option<u64>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub site: Option<String>,
    pub reports_to: Option<String>,
    pub start_date: Option<NaiveDate>,
    /// Fields the person no longer has (applied after the changes above).
    #[serde(default)]
    pub remove: Vec<RemovableField>,
}

/// A work field that Bob can empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RemovableField {
    Title,
    Department,
    Site,
    ReportsTo,
}

impl PersonChanges {
    fn apply(self, person: &mut Person) {
        let renamed = self.first_name.is_some() || self.surname.is_some();
        if let Some(v) = self.first_name {
            person.first_name = v;
        }
        if let Some(v) = self.surname {
            person.surname = v;
        }
        match self.display_name {
            Some(v) => person.display_name = v,
            None if renamed => {
                person.display_name = format!("{} {}", person.first_name, person.surname);
            }
            None => {}
        }
        if let Some(v) = self.email {
            person.email = v;
        }
        if let Some(v) = self.employee_id_in_company {
            person.employee_id_in_company = v;
        }
        person.title = self.title.or(person.title.take());
        person.department = self.department.or(person.department.take());
        person.site = self.site.or(person.site.take());
        person.reports_to = self.reports_to.or(person.reports_to.take());
        for field in self.remove {
            match field {
                RemovableField::Title => person.title = None,
                RemovableField::Department => person.department = None,
                RemovableField::Site => person.site = None,
                RemovableField::ReportsTo => person.reports_to = None,
            }
        }
        if let Some(v) = self.start_date {
            person.start_date = v;
        }
        if person.lifecycle != Lifecycle::Terminated {
            person.lifecycle = if person.start_date > Utc::now().date_naive() {
                Lifecycle::Hired
            } else {
                Lifecycle::Employed
            };
        }
    }
}

/// Generated person `n` of a company: same input, same person, every run.
pub fn generate(company_id: u64, n: u64) -> Person {
    let worker = worker(n);
    // A hire whose start is still ahead; leavers stay leavers.
    let future_hire = n.is_multiple_of(97) && worker.left.is_none();
    let (start_date, lifecycle) = match (worker.left, future_hire) {
        (Some(_), _) => (worker.hired, Lifecycle::Terminated),
        (None, true) => (
            NaiveDate::from_ymd_opt(2099, 1, 4).unwrap_or_default(),
            Lifecycle::Hired,
        ),
        (None, false) => (worker.hired, Lifecycle::Employed),
    };
    Person {
        id: employee_id(n),
        first_name: worker.first.to_owned(),
        surname: worker.last.to_owned(),
        display_name: format!("{} {}", worker.first, worker.last),
        email: work_email(&worker, n, &format!("c{company_id}.example.com")),
        employee_id_in_company: n,
        title: Some(worker.title.to_owned()),
        department: Some(worker.department.to_owned()),
        site: Some(worker.location.to_owned()),
        reports_to: worker.manager.map(employee_id),
        start_date,
        lifecycle,
        termination_date: worker.left,
    }
}

/// The request Bob would POST for `event_type` about `employee_id`, triggered at
/// `triggered_at` (UTC, written without an offset as Bob does), signed with `secret`. For
/// replaying or tampering with in tests.
pub fn signed_delivery(
    secret: &str,
    company_id: u64,
    event_type: &str,
    employee_id: &str,
    triggered_at: NaiveDateTime,
) -> SignedDelivery {
    let body = json!({
        "companyId": company_id,
        "type": event_type,
        "triggeredBy": "system",
        "triggeredAt": triggered_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "version": "v2",
        "data": {"employeeId": employee_id},
    });
    let mut delivery = SignedDelivery::json(&body, Vec::new());
    let signature = crate::hibob::sign_webhook(secret, &delivery.body);
    delivery.headers.push((SIGNATURE_HEADER.into(), signature));
    delivery
}

#[derive(Debug)]
struct Company {
    service_user_id: String,
    token: String,
    generated: u64,
    next_n: u64,
    /// People changed through the control API; `None` = deleted.
    stored: BTreeMap<u64, Option<Person>>,
    faults: Faults,
    requests: u64,
    webhook: Option<WebhookTarget>,
}

impl Company {
    fn new(seed: &CompanySeed) -> Self {
        Company {
            service_user_id: seed.service_user_id.clone(),
            token: seed.token.clone(),
            generated: seed.employees,
            next_n: seed.employees + 1,
            stored: BTreeMap::new(),
            faults: Faults::default(),
            requests: 0,
            webhook: None,
        }
    }

    fn person(&self, company_id: u64, n: u64) -> Option<Person> {
        match self.stored.get(&n) {
            Some(stored) => stored.clone(),
            None if n >= 1 && n <= self.generated => Some(generate(company_id, n)),
            None => None,
        }
    }

    fn person_by_id(&self, company_id: u64, id: &str) -> Option<Person> {
        self.person(company_id, person_number(id)?)
    }
}

/// The simulated HiBob accounts, keyed by company id; cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct HibobSandbox {
    companies: Arc<Mutex<HashMap<u64, Company>>>,
    outbox: Outbox,
}

impl HibobSandbox {
    pub fn new(seeds: Vec<CompanySeed>) -> Self {
        let sandbox = HibobSandbox::default();
        for seed in seeds {
            sandbox.put_company(seed);
        }
        sandbox
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Company>> {
        self.companies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates or resets a company (its webhook too).
    pub fn put_company(&self, seed: CompanySeed) {
        self.lock().insert(seed.company_id, Company::new(&seed));
    }

    /// Vendor requests the company has received (control requests excluded).
    pub fn requests(&self, company_id: u64) -> u64 {
        self.lock().get(&company_id).map_or(0, |c| c.requests)
    }

    /// Replaces the company's faults.
    pub fn set_faults(&self, company_id: u64, faults: Faults) -> bool {
        self.lock()
            .get_mut(&company_id)
            .map(|c| c.faults = faults)
            .is_some()
    }

    /// The person with this id, as stored or generated.
    pub fn person(&self, company_id: u64, id: &str) -> Option<Person> {
        self.lock().get(&company_id)?.person_by_id(company_id, id)
    }

    /// From now on, POSTs the company's changes to `url`, signed with `secret`. False when
    /// there is no such company.
    pub fn set_webhook(&self, company_id: u64, url: &str, secret: &str) -> bool {
        let target = WebhookTarget {
            url: url.to_owned(),
            secret: secret.to_owned(),
        };
        self.lock()
            .get_mut(&company_id)
            .map(|c| c.webhook = Some(target))
            .is_some()
    }

    /// Stops the company's webhooks. False when there is no such company.
    pub fn clear_webhook(&self, company_id: u64) -> bool {
        self.lock()
            .get_mut(&company_id)
            .map(|c| c.webhook = None)
            .is_some()
    }

    /// The webhook deliveries attempted for the company, oldest first.
    pub fn deliveries(&self, company_id: u64) -> Vec<WebhookDelivery> {
        self.outbox.deliveries(&company_id.to_string())
    }

    /// Waits until `count` webhook deliveries were attempted for the company (or `timeout`
    /// passed) and answers those attempted by then.
    pub async fn wait_for_deliveries(
        &self,
        company_id: u64,
        count: usize,
        timeout: std::time::Duration,
    ) -> Vec<WebhookDelivery> {
        self.outbox
            .wait_for(&company_id.to_string(), count, timeout)
            .await
    }

    /// Applies `edit` to the company, stores the person it answers and sends the webhook event
    /// it names.
    fn change(
        &self,
        company_id: u64,
        edit: impl FnOnce(&mut Company) -> Option<(u64, Option<Person>, &'static str)>,
    ) -> Option<(Option<Person>, Pending)> {
        let mut companies = self.lock();
        let company = companies.get_mut(&company_id)?;
        let (n, person, event_type) = edit(company)?;
        company.stored.insert(n, person.clone());
        let target = company.webhook.clone();
        drop(companies);
        let deliveries = target.as_ref().map_or_else(Vec::new, |target| {
            vec![signed_delivery(
                &target.secret,
                company_id,
                event_type,
                &employee_id(n),
                Utc::now().naive_utc(),
            )]
        });
        let pending = self
            .outbox
            .send(&company_id.to_string(), target.as_ref(), deliveries);
        Some((person, pending))
    }

    /// Hires someone: assigns the next id and answers the stored person.
    pub fn hire(&self, company_id: u64, changes: PersonChanges) -> Option<Person> {
        self.hire_notifying(company_id, changes)
            .and_then(|(person, _)| person)
    }

    fn hire_notifying(
        &self,
        company_id: u64,
        changes: PersonChanges,
    ) -> Option<(Option<Person>, Pending)> {
        self.change(company_id, |company| {
            let n = company.next_n;
            company.next_n += 1;
            let mut person = Person {
                id: employee_id(n),
                first_name: "New".into(),
                surname: "Hire".into(),
                display_name: "New Hire".into(),
                email: format!("new.hire.{n}@c{company_id}.example.com"),
                employee_id_in_company: n,
                title: None,
                department: None,
                site: None,
                reports_to: None,
                start_date: Utc::now().date_naive(),
                lifecycle: Lifecycle::Employed,
                termination_date: None,
            };
            changes.apply(&mut person);
            Some((n, Some(person), "employee.created"))
        })
    }

    /// Changes an existing person; `None` when there is no such person.
    pub fn update(&self, company_id: u64, id: &str, changes: PersonChanges) -> Option<Person> {
        self.update_notifying(company_id, id, changes)
            .and_then(|(person, _)| person)
    }

    fn update_notifying(
        &self,
        company_id: u64,
        id: &str,
        changes: PersonChanges,
    ) -> Option<(Option<Person>, Pending)> {
        self.change(company_id, |company| {
            let n = person_number(id)?;
            let mut person = company.person(company_id, n)?;
            changes.apply(&mut person);
            Some((n, Some(person), "employee.updated"))
        })
    }

    /// Terminates a person on `date` (default today): a leaver at once when the date is not
    /// ahead, otherwise still employed with the termination date set.
    pub fn terminate(&self, company_id: u64, id: &str, date: Option<NaiveDate>) -> Option<Person> {
        self.terminate_notifying(company_id, id, date)
            .and_then(|(person, _)| person)
    }

    fn terminate_notifying(
        &self,
        company_id: u64,
        id: &str,
        date: Option<NaiveDate>,
    ) -> Option<(Option<Person>, Pending)> {
        let today = Utc::now().date_naive();
        let date = date.unwrap_or(today);
        self.change(company_id, |company| {
            let n = person_number(id)?;
            let mut person = company.person(company_id, n)?;
            person.termination_date = Some(date);
            let event = if date <= today {
                person.lifecycle = Lifecycle::Terminated;
                "employee.left"
            } else {
                "employee.updated"
            };
            Some((n, Some(person), event))
        })
    }

    /// Deletes a person. False when there is no such person.
    pub fn delete(&self, company_id: u64, id: &str) -> bool {
        self.delete_notifying(company_id, id).is_some()
    }

    fn delete_notifying(&self, company_id: u64, id: &str) -> Option<(Option<Person>, Pending)> {
        self.change(company_id, |company| {
            let n = person_number(id)?;
            company.person(company_id, n)?;
            Some((n, None, "employee.deleted"))
        })
    }

    /// Stalls when a "slow" fault is pending for the caller's company, outside the lock.
    async fn stall(&self, request: &HttpRequest) {
        let delay = super::basic_credentials(request).and_then(|(user, _)| {
            self.lock()
                .values_mut()
                .find(|c| c.service_user_id == user)?
                .faults
                .take_delay()
        });
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/hibob/v1")
            .route("/company/people/fields", web::get().to(people_fields))
            .route("/people/search", web::post().to(search)),
    )
    .service(control::webhook_routes::<HibobSandbox>(control::routes::<
        HibobSandbox,
    >(
        web::scope("/_control/hibob/{company_id}")
            .route("", web::put().to(control_put_company))
            .route("/employees", web::post().to(control_hire))
            .route("/employees/{id}", web::patch().to(control_update))
            .route("/employees/{id}", web::delete().to(control_delete))
            .route(
                "/employees/{id}/terminate",
                web::post().to(control_terminate),
            ),
    )));
}

/// Bob's error answer: a status and `{"key", "error"}`.
fn vendor_error(status: StatusCode, key: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"key": key, "error": message}))
}

/// Authenticates, counts and applies faults; on success runs `answer` on the company.
fn with_company(
    sandbox: &HibobSandbox,
    request: &HttpRequest,
    answer: impl FnOnce(u64, &Company) -> HttpResponse,
) -> HttpResponse {
    let unauthorized = || {
        vendor_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Invalid service user credentials",
        )
    };
    let Some((user, token)) = super::basic_credentials(request) else {
        return unauthorized();
    };
    let mut companies = sandbox.lock();
    let Some((company_id, company)) = companies
        .iter_mut()
        .find(|(_, c)| c.service_user_id == user)
    else {
        return unauthorized();
    };
    company.requests += 1;
    if company.token != token {
        return unauthorized();
    }
    if let Some(misbehaviour) = company.faults.take_misbehaviour() {
        let mut response = misbehaviour.response();
        return match misbehaviour {
            Misbehaviour::RateLimited {
                retry_after_secs, ..
            } => {
                let reset = Utc::now().timestamp() + retry_after_secs as i64;
                response
                    .insert_header(("X-RateLimit-Limit", RATE_LIMIT.to_string()))
                    .insert_header(("X-RateLimit-Remaining", "0"))
                    .insert_header((RATE_LIMIT_RESET_HEADER, reset.to_string()))
                    .json(json!({"key": "rate_limit", "error": "Too many requests"}))
            }
            Misbehaviour::Failed { status, .. } => response.json(json!({
                "key": "failure",
                "error": status.canonical_reason().unwrap_or("Failure"),
            })),
        };
    }
    answer(*company_id, company)
}

/// A field's display name and type in the fields metadata; `None` for fields not simulated.
fn field_metadata(field: &str) -> Option<(&'static str, &'static str)> {
    Some(match field {
        "root.id" => ("Id", "text"),
        "root.firstName" => ("First name", "text"),
        "root.surname" => ("Last name", "text"),
        "root.displayName" => ("Display name", "text"),
        "root.email" => ("Email", "text"),
        "work.employeeIdInCompany" => ("Employee ID", "number"),
        "work.title" => ("Job title", "list"),
        "work.department" => ("Department", "list"),
        "work.site" => ("Site", "list"),
        "work.reportsTo" => ("Reports to", "employee-reference"),
        "work.startDate" => ("Start date", "date"),
        "internal.status" => ("Status", "text"),
        "internal.lifecycleStatus" => ("Lifecycle status", "text"),
        "internal.terminationDate" => ("Termination date", "date"),
        _ => return None,
    })
}

async fn people_fields(sandbox: web::Data<HibobSandbox>, request: HttpRequest) -> HttpResponse {
    sandbox.stall(&request).await;
    with_company(&sandbox, &request, |_, _| {
        let fields: Vec<Value> = SEARCH_FIELDS
            .iter()
            .filter_map(|id| {
                let (name, kind) = field_metadata(id)?;
                let category = id.split_once('.').map_or("root", |(c, _)| c);
                Some(json!({"id": id, "name": name, "category": category, "type": kind}))
            })
            .collect();
        HttpResponse::Ok().json(fields)
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchRequest {
    fields: Option<Vec<String>>,
    filters: Option<Vec<Filter>>,
    #[serde(default)]
    show_inactive: bool,
    human_readable: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    field_path: String,
    operator: String,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Readable {
    Machine,
    Append,
    Replace,
}

/// Which people a search selects: all, or those with these ids or emails.
enum Selection {
    All,
    Ids(Vec<String>),
    Emails(Vec<String>),
}

fn selection(filters: Option<Vec<Filter>>) -> Result<Selection, String> {
    let Some(mut filters) = filters else {
        return Ok(Selection::All);
    };
    if filters.len() != 1 {
        return Err("filters takes exactly one filter; omit it to search everyone".into());
    }
    let Some(filter) = filters.pop() else {
        return Ok(Selection::All);
    };
    if filter.operator != "equals" {
        return Err(format!("unsupported operator {:?}", filter.operator));
    }
    if filter.values.is_empty() {
        return Err("a filter needs values".into());
    }
    match filter.field_path.as_str() {
        "root.id" => Ok(Selection::Ids(filter.values)),
        "root.email" => Ok(Selection::Emails(filter.values)),
        other => Err(format!("cannot filter by {other:?}")),
    }
}

async fn search(
    sandbox: web::Data<HibobSandbox>,
    request: HttpRequest,
    body: web::Json<SearchRequest>,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let body = body.into_inner();
    with_company(&sandbox, &request, |company_id, company| {
        let readable = match body.human_readable.as_deref() {
            None | Some("") => Readable::Machine,
            Some("APPEND") => Readable::Append,
            Some("REPLACE") => Readable::Replace,
            Some(other) => {
                return vendor_error(
                    StatusCode::BAD_REQUEST,
                    "validation",
                    &format!("humanReadable {other:?} is not APPEND or REPLACE"),
                );
            }
        };
        let fields: Vec<String> = match body.fields {
            Some(fields) if fields.len() > MAX_FIELDS => {
                return vendor_error(StatusCode::BAD_REQUEST, "validation", "at most 400 fields");
            }
            Some(fields) => fields,
            None => DEFAULT_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        };
        let selection = match selection(body.filters) {
            Ok(selection) => selection,
            Err(message) => {
                return vendor_error(StatusCode::BAD_REQUEST, "validation", &message);
            }
        };
        let people: Vec<Person> = match selection {
            Selection::Ids(ids) => ids
                .iter()
                .filter_map(|id| company.person_by_id(company_id, id))
                .collect(),
            Selection::All | Selection::Emails(_) => (1..company.next_n)
                .filter_map(|n| company.person(company_id, n))
                .filter(|p| match &selection {
                    Selection::Emails(emails) => {
                        emails.iter().any(|e| e.eq_ignore_ascii_case(&p.email))
                    }
                    _ => true,
                })
                .collect(),
        };
        let employees: Vec<Rendered> = people
            .iter()
            .filter(|p| body.show_inactive || p.lifecycle == Lifecycle::Employed)
            .map(|p| Rendered::new(company_id, company, p, &fields, readable))
            .collect();
        HttpResponse::Ok().json(SearchAnswer { employees })
    })
}

#[derive(Serialize)]
struct SearchAnswer<'a> {
    employees: Vec<Rendered<'a>>,
}

/// A list item's id, as Bob answers list fields in machine-readable form: stable per name.
fn list_item_id(name: &str) -> String {
    (209_000_000 + u64::from(fingerprint(name) % 1_000_000)).to_string()
}

/// A field's value in a people-search answer.
#[derive(Clone)]
enum Shown<'a> {
    Text(Cow<'a, str>),
    Number(u64),
    Null,
    /// `work.reportsTo` in machine-readable form: a reference to the manager.
    Manager(Box<Person>),
}

impl Serialize for Shown<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Text(text) => serializer.serialize_str(text),
            Shown::Number(n) => serializer.serialize_u64(*n),
            Shown::Null => serializer.serialize_none(),
            Shown::Manager(m) => {
                let mut map = serializer.serialize_map(Some(5))?;
                map.serialize_entry("id", &m.id)?;
                map.serialize_entry("firstName", &m.first_name)?;
                map.serialize_entry("surname", &m.surname)?;
                map.serialize_entry("displayName", &m.display_name)?;
                map.serialize_entry("email", &m.email)?;
                map.end()
            }
        }
    }
}

/// One requested field of one person: its category and name, the value answered in place
/// (machine-readable, or human-readable under `REPLACE`) and the human-readable one.
struct Entry<'a> {
    category: &'a str,
    name: &'a str,
    value: Shown<'a>,
    human: Shown<'a>,
}

impl<'a> Entry<'a> {
    fn shown(&self, human: bool) -> &Shown<'a> {
        if human { &self.human } else { &self.value }
    }
}

/// A field's machine-readable value and what `humanReadable` shows for it; `None` for fields
/// Bob would leave out.
fn field_value<'a>(
    company_id: u64,
    company: &Company,
    person: &'a Person,
    field: &str,
) -> Option<(Shown<'a>, Shown<'a>)> {
    let text = |v: &'a str| Some((Shown::Text(v.into()), Shown::Text(v.into())));
    let list = |v: &'a Option<String>| match v {
        Some(name) => Some((
            Shown::Text(list_item_id(name).into()),
            Shown::Text(name.as_str().into()),
        )),
        None => Some((Shown::Null, Shown::Null)),
    };
    let date = |d: Option<NaiveDate>| match d {
        Some(d) => Some((
            Shown::Text(d.format("%Y-%m-%d").to_string().into()),
            Shown::Text(d.format("%d/%m/%Y").to_string().into()),
        )),
        None => Some((Shown::Null, Shown::Null)),
    };
    match field {
        "root.id" => text(&person.id),
        "root.firstName" => text(&person.first_name),
        "root.surname" => text(&person.surname),
        "root.displayName" => text(&person.display_name),
        "root.email" => text(&person.email),
        "work.employeeIdInCompany" => Some((
            Shown::Number(person.employee_id_in_company),
            Shown::Text(person.employee_id_in_company.to_string().into()),
        )),
        "work.title" => list(&person.title),
        "work.department" => list(&person.department),
        "work.site" => list(&person.site),
        "work.reportsTo" => Some(
            match person
                .reports_to
                .as_deref()
                .and_then(|id| company.person_by_id(company_id, id))
            {
                Some(manager) => (
                    Shown::Text(manager.display_name.clone().into()),
                    Shown::Manager(Box::new(manager)),
                ),
                None => (Shown::Null, Shown::Null),
            },
        )
        .map(|(human, machine)| (machine, human)),
        "work.startDate" if company.faults.breaks(&person.id) => Some((
            Shown::Text("not-a-date".into()),
            Shown::Text("not-a-date".into()),
        )),
        "work.startDate" => date(Some(person.start_date)),
        "internal.status" => text(person.lifecycle.access()),
        "internal.lifecycleStatus" => {
            let machine = person.lifecycle.machine();
            let human: String = machine
                .chars()
                .take(1)
                .flat_map(char::to_uppercase)
                .chain(machine.chars().skip(1))
                .collect();
            Some((Shown::Text(machine.into()), Shown::Text(human.into())))
        }
        "internal.terminationDate" => date(person.termination_date),
        _ => None,
    }
}

/// One person as a people search answers them: every field under its slash key
/// (`"/work/title": {"value": ...}`), then nested by category (root fields at the top level),
/// then, for `APPEND`, the human-readable values nested the same way.
struct Rendered<'a> {
    entries: Vec<Entry<'a>>,
    readable: Readable,
}

impl<'a> Rendered<'a> {
    fn new(
        company_id: u64,
        company: &Company,
        person: &'a Person,
        fields: &'a [String],
        readable: Readable,
    ) -> Self {
        let entries = fields
            .iter()
            .filter_map(|field| {
                let (category, name) = field.split_once('.')?;
                let (machine, human) = field_value(company_id, company, person, field)?;
                let value = if readable == Readable::Replace {
                    human.clone()
                } else {
                    machine
                };
                Some(Entry {
                    category,
                    name,
                    value,
                    human,
                })
            })
            .collect();
        Rendered { entries, readable }
    }
}

/// `{"value": ...}`, the wrapper of a slash-keyed field.
struct Wrapped<'a, 'b>(&'b Shown<'a>);

impl Serialize for Wrapped<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("value", self.0)?;
        map.end()
    }
}

/// A slash key, `/{category}/{name}`, written without building the string first.
struct SlashKey<'a>(&'a str, &'a str);

impl Serialize for SlashKey<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("/{}/{}", self.0, self.1))
    }
}

/// The entries nested by category: root fields at this level, the others in one object per
/// category. `human` picks the human-readable values.
fn write_nested<M: SerializeMap>(
    map: &mut M,
    entries: &[Entry<'_>],
    human: bool,
) -> Result<(), M::Error> {
    let mut categories: Vec<&str> = Vec::new();
    for entry in entries {
        if entry.category == "root" {
            map.serialize_entry(entry.name, entry.shown(human))?;
        } else if !categories.contains(&entry.category) {
            categories.push(entry.category);
        }
    }
    for category in categories {
        map.serialize_entry(
            category,
            &Category {
                entries,
                category,
                human,
            },
        )?;
    }
    Ok(())
}

struct Category<'a, 'b> {
    entries: &'b [Entry<'a>],
    category: &'b str,
    human: bool,
}

impl Serialize for Category<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for entry in self.entries.iter().filter(|e| e.category == self.category) {
            map.serialize_entry(entry.name, entry.shown(self.human))?;
        }
        map.end()
    }
}

struct HumanReadable<'a, 'b>(&'b [Entry<'a>]);

impl Serialize for HumanReadable<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        write_nested(&mut map, self.0, true)?;
        map.end()
    }
}

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for entry in &self.entries {
            map.serialize_entry(
                &SlashKey(entry.category, entry.name),
                &Wrapped(&entry.value),
            )?;
        }
        write_nested(&mut map, &self.entries, false)?;
        if self.readable == Readable::Append {
            map.serialize_entry("humanReadable", &HumanReadable(&self.entries))?;
        }
        map.end()
    }
}

#[derive(Debug, Deserialize)]
struct PutCompany {
    service_user_id: String,
    token: String,
    #[serde(default)]
    employees: u64,
}

async fn control_put_company(
    sandbox: web::Data<HibobSandbox>,
    path: web::Path<u64>,
    body: web::Json<PutCompany>,
) -> HttpResponse {
    let body = body.into_inner();
    sandbox.put_company(CompanySeed {
        company_id: path.into_inner(),
        service_user_id: body.service_user_id,
        token: body.token,
        employees: body.employees,
    });
    HttpResponse::NoContent().finish()
}

async fn control_hire(
    sandbox: web::Data<HibobSandbox>,
    path: web::Path<u64>,
    body: web::Json<PersonChanges>,
) -> HttpResponse {
    let change = sandbox.hire_notifying(path.into_inner(), body.into_inner());
    control::respond(change, StatusCode::CREATED).await
}

async fn control_update(
    sandbox: web::Data<HibobSandbox>,
    path: web::Path<(u64, String)>,
    body: web::Json<PersonChanges>,
) -> HttpResponse {
    let (company_id, id) = path.into_inner();
    let change = sandbox.update_notifying(company_id, &id, body.into_inner());
    control::respond(change, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
struct Terminate {
    date: Option<NaiveDate>,
}

async fn control_terminate(
    sandbox: web::Data<HibobSandbox>,
    path: web::Path<(u64, String)>,
    body: Option<web::Json<Terminate>>,
) -> HttpResponse {
    let (company_id, id) = path.into_inner();
    let date = body.and_then(|b| b.into_inner().date);
    let change = sandbox.terminate_notifying(company_id, &id, date);
    control::respond(change, StatusCode::OK).await
}

async fn control_delete(
    sandbox: web::Data<HibobSandbox>,
    path: web::Path<(u64, String)>,
) -> HttpResponse {
    let (company_id, id) = path.into_inner();
    control::respond(
        sandbox.delete_notifying(company_id, &id),
        StatusCode::NO_CONTENT,
    )
    .await
}

impl Controlled for HibobSandbox {
    type Company = u64;

    fn with_faults<T>(&self, company_id: &u64, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.lock().get_mut(company_id).map(|c| edit(&mut c.faults))
    }

    fn request_count(&self, company_id: &u64) -> Option<u64> {
        self.lock().get(company_id).map(|c| c.requests)
    }
}

impl Hooked for HibobSandbox {
    type Webhook = WebhookTarget;

    fn register_webhook(&self, company_id: &u64, webhook: Option<WebhookTarget>) -> bool {
        match webhook {
            Some(target) => self.set_webhook(*company_id, &target.url, &target.secret),
            None => self.clear_webhook(*company_id),
        }
    }

    fn webhook_deliveries(&self, company_id: &u64) -> Vec<WebhookDelivery> {
        self.deliveries(*company_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_people_are_deterministic_and_well_formed() {
        let seventeen = generate(7, 17);
        assert_eq!(seventeen, generate(7, 17));
        assert_eq!(seventeen.id, employee_id(17));
        assert_eq!(seventeen.reports_to, Some(employee_id(2)));
        assert_eq!(person_number(&seventeen.id), Some(17));
        assert_eq!(generate(7, 40).lifecycle, Lifecycle::Terminated);
        assert_eq!(generate(7, 97).lifecycle, Lifecycle::Hired);
        assert_eq!(person_number("12"), None);
    }

    #[test]
    fn rendered_people_parse_with_the_client() {
        let company = Company::new(&CompanySeed::default());
        let fields: Vec<String> = SEARCH_FIELDS.iter().map(|f| (*f).to_owned()).collect();
        let person = generate(100_001, 40);
        let record = serde_json::to_value(Rendered::new(
            100_001,
            &company,
            &person,
            &fields,
            Readable::Append,
        ))
        .unwrap();
        assert_eq!(record["/root/id"]["value"], json!(person.id));
        assert_eq!(record["firstName"], json!(person.first_name));
        assert_eq!(
            record["work"]["department"],
            json!(list_item_id(person.department.as_deref().unwrap()))
        );
        let parsed = crate::hibob::parse_employee(&record).unwrap();
        assert_eq!(parsed.department, person.department);
        assert_eq!(parsed.status, crate::hris::EmploymentStatus::Terminated);
        assert_eq!(parsed.manager_external_id, person.reports_to);

        let replaced = serde_json::to_value(Rendered::new(
            100_001,
            &company,
            &person,
            &fields,
            Readable::Replace,
        ))
        .unwrap();
        assert_eq!(replaced["work"]["department"], json!(person.department));
        assert!(
            crate::hibob::parse_employee(&replaced).is_err(),
            "REPLACE writes dates for people, not for parsers"
        );
    }
}
