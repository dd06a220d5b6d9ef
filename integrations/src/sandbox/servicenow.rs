//! A ServiceNow simulator (the Table API), faithful to what [`crate::servicenow`] relies on.
//!
//! One simulator serves any number of instances; a request's HTTP Basic user says which, so
//! every instance's `base_url` is `{sandbox}/servicenow`. Vendor endpoints, under
//! `/servicenow/api/now/table`:
//! - `GET /{table}?sysparm_query=&sysparm_fields=&sysparm_limit=&sysparm_offset=
//!   &sysparm_display_value=&sysparm_exclude_reference_link=` → `{"result": [...]}` with
//!   `X-Total-Count` and a `Link` header (`first`, `prev`, `next`, `last`). The encoded query
//!   understood: `sys_idIN{a,b}`, `numberIN{a,b}`, `ORDERBY{field}`, `ORDERBYDESC{field}`
//!   joined by `^`; for `sys_user`, `email={address}` and `active=true`. `sysparm_limit` is
//!   capped at the instance's `page_size`. `sysparm_display_value` `false` (the default)
//!   answers values, `true` display values, `all` both as `{"display_value", "value"}` (and a
//!   `link` for references unless `sysparm_exclude_reference_link=true`).
//! - `POST /{table}` (the record's fields) → 201 `{"result": {...}}`.
//!
//! Tables: `incident`, `sc_task`, `sc_req_item` and `task` hold tickets; `sys_user` answers a
//! user for every address at the instance's `user_domain` (and no other); another table is a
//! 400 `Invalid table`. Every request needs HTTP Basic auth with the instance's user name and
//! password: anything else gets a 401 `{"error": {"message": "User Not Authenticated",
//! "detail": "Required to provide Auth information"}, "status": "failure"}`. Errors are
//! `{"error": {"message", "detail"}, "status": "failure"}`; a 429 carries `Retry-After` (unless
//! the faults leave it out) and `X-RateLimit-Reset`. A malformed ticket (faults'
//! `malformed_ids` holding its `sys_id` or number) has the state `broken`.
//!
//! States render as the base system numbers them: for incidents open is 1 New, in progress
//! 2 In Progress, resolved 6, closed 7, cancelled 8 Canceled; for the other tables open is
//! 1 Open, in progress 2 Work in Progress, resolved and closed 3 Closed Complete, cancelled
//! 4 Closed Incomplete.
//!
//! Defaults ([`InstanceSeed::default`]): instance `acme`, user `sandbox.integration`,
//! password `sandbox-servicenow-password`, users at `acme.example.com`, 20 seeded incidents
//! (`INC0010001`..`INC0010020`, `sys_id`s from [`sys_id`]; every fourth resolved).
//!
//! Control endpoints, under `/_control/servicenow/{instance}` (faults, stats and tickets as
//! every ITSM simulator has them):
//! - `PUT` `{"username", "password", "tickets", "page_size", "user_domain"}` (all optional):
//!   create or reset an instance;
//! - `POST /tickets/INC0010003/state` `{"state": "resolved"}`: an agent moves the record.
//!
//! From Rust: `sandbox.servicenow().set_state("acme", "INC0010003", TicketState::Resolved)`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::control;
use super::desk::{Account, DeskSandbox, DeskVendor, hex_id, origin, seeded_at, seeded_state};
pub use super::desk::{DeskTicket, TicketState};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use super::mdm::Refusal;

/// The tables that hold tickets, with the prefix of their numbers.
const TABLES: [(&str, &str); 4] = [
    ("incident", "INC"),
    ("sc_task", "SCTASK"),
    ("sc_req_item", "RITM"),
    ("task", "TASK"),
];

/// An instance present when the simulator starts; in a control `PUT`, every field is
/// optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct InstanceSeed {
    /// The instance, as control paths name it: `acme` of `acme.service-now.com`.
    pub instance: String,
    pub username: String,
    pub password: String,
    /// Incidents present from the start: `INC0010001` onwards.
    pub tickets: u64,
    /// The most records a page holds.
    pub page_size: u64,
    /// The email domain `sys_user` knows addresses at.
    pub user_domain: String,
}

impl Default for InstanceSeed {
    fn default() -> Self {
        InstanceSeed {
            instance: "acme".into(),
            username: "sandbox.integration".into(),
            password: "sandbox-servicenow-password".into(),
            tickets: 20,
            page_size: 100,
            user_domain: "acme.example.com".into(),
        }
    }
}

/// What only a simulated ServiceNow instance has.
#[derive(Debug)]
pub struct Instance {
    user_domain: String,
    /// The number of the next record, per table.
    next: HashMap<String, u64>,
    /// The users looked up so far: `sys_id` → email.
    users: HashMap<String, String>,
}

/// The `sys_id` of record `n` of `table` on `instance`.
pub fn sys_id(instance: &str, table: &str, n: u64) -> String {
    hex_id(&format!("servicenow/{instance}/{table}"), n)
}

/// The `sys_id` of the user with `email` on `instance`.
pub fn user_sys_id(instance: &str, email: &str) -> String {
    hex_id(
        &format!("servicenow/{instance}/sys_user/{}", email.to_lowercase()),
        1,
    )
}

/// The number of record `n` of `table`: `INC0010001` for incident 1.
pub fn number(table: &str, n: u64) -> String {
    let prefix = TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map_or("REC", |(_, prefix)| *prefix);
    format!("{prefix}{:07}", 10_000 + n)
}

/// Names the ServiceNow simulator in [`DeskSandbox`].
#[derive(Debug)]
pub enum ServiceNow {}

impl DeskVendor for ServiceNow {
    type Settings = Instance;
    const NAME: &'static str = "servicenow";
}

/// The simulated ServiceNow instances, keyed by instance; [`DeskSandbox`] has what tests read
/// and change (requests, faults, tickets, moving a ticket to another state).
pub type ServiceNowSandbox = DeskSandbox<ServiceNow>;

impl ServiceNowSandbox {
    /// The instances in `seeds`.
    pub fn new(seeds: Vec<InstanceSeed>) -> Self {
        let sandbox = Self::default();
        for seed in seeds {
            sandbox.put_instance(seed);
        }
        sandbox
    }

    /// Creates or resets an instance (its records, faults and counters too).
    pub fn put_instance(&self, seed: InstanceSeed) {
        let mut next = HashMap::new();
        next.insert("incident".to_owned(), seed.tickets + 1);
        let mut account = Account::new(
            &seed.username,
            &seed.password,
            seed.page_size,
            Instance {
                user_domain: seed.user_domain.to_lowercase(),
                next,
                users: HashMap::new(),
            },
        );
        account.tickets = (1..=seed.tickets)
            .map(|n| {
                let mut fields = Map::new();
                fields.insert("table".into(), json!("incident"));
                DeskTicket {
                    id: sys_id(&seed.instance, "incident", n),
                    key: number("incident", n),
                    summary: format!("Seeded incident {n}"),
                    description: format!("Incident {n}, present when the simulator started."),
                    requester: None,
                    state: seeded_state(n),
                    created_at: seeded_at(n),
                    updated_at: seeded_at(n),
                    fields,
                }
            })
            .collect();
        self.put(&seed.instance, account);
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/servicenow/api/now/table")
            .route("/{table}", web::get().to(list))
            .route("/{table}", web::post().to(create)),
    )
    .service(control::desk_routes::<ServiceNowSandbox>(
        control::routes::<ServiceNowSandbox>(
            web::scope("/_control/servicenow/{instance}")
                .route("", web::put().to(control_put_instance)),
        ),
    ));
}

/// ServiceNow's error answer body.
fn error_body(message: &str, detail: Option<&str>) -> Value {
    json!({"error": {"message": message, "detail": detail}, "status": "failure"})
}

fn error(status: StatusCode, message: &str, detail: Option<&str>) -> HttpResponse {
    HttpResponse::build(status).json(error_body(message, detail))
}

fn refused(refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Unauthorized => error(
            StatusCode::UNAUTHORIZED,
            "User Not Authenticated",
            Some("Required to provide Auth information"),
        ),
        Refusal::Misbehaved(misbehaviour) => {
            let mut response = misbehaviour.response();
            let body = match misbehaviour {
                Misbehaviour::RateLimited {
                    retry_after_secs, ..
                } => {
                    let reset = Utc::now().timestamp()
                        + i64::try_from(retry_after_secs).unwrap_or(i64::MAX / 2);
                    response.insert_header(("X-RateLimit-Reset", reset.to_string()));
                    error_body(
                        "Rate limit exceeded",
                        Some("Too many requests for this rate limit rule"),
                    )
                }
                Misbehaviour::Failed { .. } => error_body(
                    "Internal server error",
                    Some("The instance could not answer"),
                ),
            };
            response.json(body)
        }
    }
}

fn invalid_table(table: &str) -> HttpResponse {
    error(
        StatusCode::BAD_REQUEST,
        &format!("Invalid table {table}"),
        None,
    )
}

/// The query parameters of a request, by name (the last of a repeated one).
fn params(request: &HttpRequest) -> HashMap<String, String> {
    web::Query::<Vec<(String, String)>>::from_query(request.query_string())
        .map(|q| q.into_inner().into_iter().collect())
        .unwrap_or_default()
}

/// How a record's fields are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Display {
    Values,
    Names,
    Both { links: bool },
}

fn display(params: &HashMap<String, String>) -> Display {
    match params.get("sysparm_display_value").map(String::as_str) {
        Some("true") => Display::Names,
        Some("all") => Display::Both {
            links: params
                .get("sysparm_exclude_reference_link")
                .map(String::as_str)
                != Some("true"),
        },
        _ => Display::Values,
    }
}

/// One field: its value, the name a person sees, and the record it refers to.
fn render_field(display: Display, value: &str, name: &str, link: Option<String>) -> Value {
    match display {
        Display::Values => json!(value),
        Display::Names => json!(name),
        Display::Both { links } => {
            let mut field = json!({"display_value": name, "value": value});
            if let (true, Some(link)) = (links, link) {
                field["link"] = json!(link);
            }
            field
        }
    }
}

/// A ticket's state in `table`: the number and its name.
fn state_code(table: &str, state: TicketState) -> (&'static str, &'static str) {
    if table == "incident" {
        match state {
            TicketState::Open => ("1", "New"),
            TicketState::InProgress => ("2", "In Progress"),
            TicketState::Resolved => ("6", "Resolved"),
            TicketState::Closed => ("7", "Closed"),
            TicketState::Cancelled => ("8", "Canceled"),
        }
    } else {
        match state {
            TicketState::Open => ("1", "Open"),
            TicketState::InProgress => ("2", "Work in Progress"),
            TicketState::Resolved | TicketState::Closed => ("3", "Closed Complete"),
            TicketState::Cancelled => ("4", "Closed Incomplete"),
        }
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The table a ticket is in.
fn table_of(ticket: &DeskTicket) -> &str {
    ticket
        .fields
        .get("table")
        .and_then(Value::as_str)
        .unwrap_or("incident")
}

/// A ticket as the Table API answers it, only `fields` when given.
fn render_ticket(
    base: &str,
    account: &Account<Instance>,
    ticket: &DeskTicket,
    display: Display,
    fields: Option<&[String]>,
) -> Value {
    let table = table_of(ticket);
    let (code, state_name) =
        if account.faults.breaks(&ticket.id) || account.faults.breaks(&ticket.key) {
            ("broken", "Broken")
        } else {
            state_code(table, ticket.state)
        };
    let caller = ticket.requester.as_deref().unwrap_or_default();
    let caller_name = account
        .vendor
        .users
        .get(caller)
        .map_or(caller, String::as_str);
    let caller_link =
        (!caller.is_empty()).then(|| format!("{base}/api/now/table/sys_user/{caller}"));
    let active = if ticket.state.is_done() {
        "false"
    } else {
        "true"
    };
    let all: [(&str, Value); 10] = [
        (
            "sys_id",
            render_field(display, &ticket.id, &ticket.id, None),
        ),
        (
            "number",
            render_field(display, &ticket.key, &ticket.key, None),
        ),
        ("state", render_field(display, code, state_name, None)),
        (
            "short_description",
            render_field(display, &ticket.summary, &ticket.summary, None),
        ),
        (
            "description",
            render_field(display, &ticket.description, &ticket.description, None),
        ),
        (
            "caller_id",
            render_field(display, caller, caller_name, caller_link),
        ),
        ("active", render_field(display, active, active, None)),
        (
            "opened_at",
            render_field(
                display,
                &time(ticket.created_at),
                &time(ticket.created_at),
                None,
            ),
        ),
        (
            "sys_created_on",
            render_field(
                display,
                &time(ticket.created_at),
                &time(ticket.created_at),
                None,
            ),
        ),
        (
            "sys_updated_on",
            render_field(
                display,
                &time(ticket.updated_at),
                &time(ticket.updated_at),
                None,
            ),
        ),
    ];
    let record: Map<String, Value> = all
        .into_iter()
        .filter(|(name, _)| fields.is_none_or(|fields| fields.iter().any(|f| f == name)))
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    Value::Object(record)
}

/// What a query on a ticket table asks for.
#[derive(Debug, Default)]
struct TicketQuery {
    sys_ids: Option<Vec<String>>,
    numbers: Option<Vec<String>>,
    order_by: Option<(String, bool)>,
}

fn ticket_query(query: &str) -> Result<TicketQuery, String> {
    let mut parsed = TicketQuery::default();
    for term in query.split('^').map(str::trim).filter(|t| !t.is_empty()) {
        let list = |rest: &str| {
            rest.split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        };
        if let Some(rest) = term.strip_prefix("sys_idIN") {
            parsed.sys_ids = Some(list(rest));
        } else if let Some(rest) = term.strip_prefix("numberIN") {
            parsed.numbers = Some(list(rest));
        } else if let Some(field) = term.strip_prefix("ORDERBYDESC") {
            parsed.order_by = Some((field.to_owned(), true));
        } else if let Some(field) = term.strip_prefix("ORDERBY") {
            parsed.order_by = Some((field.to_owned(), false));
        } else {
            return Err(format!(
                "the simulator does not understand the query term {term:?}"
            ));
        }
    }
    if let Some((field, _)) = &parsed.order_by
        && !matches!(
            field.as_str(),
            "sys_id" | "number" | "sys_created_on" | "sys_updated_on"
        )
    {
        return Err(format!("the simulator cannot order by {field:?}"));
    }
    Ok(parsed)
}

/// `(limit, offset)` of a list request, `limit` capped at the page size.
fn window(params: &HashMap<String, String>, page_size: u64) -> Result<(usize, usize), String> {
    let number = |name: &str, default: u64| match params.get(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("{name} {text:?} is not a number")),
    };
    let limit = number("sysparm_limit", 10_000)?.clamp(1, page_size);
    let offset = number("sysparm_offset", 0)?;
    Ok((
        usize::try_from(limit).unwrap_or(usize::MAX),
        usize::try_from(offset).unwrap_or(usize::MAX),
    ))
}

/// The `Link` header of a page: the same request at other offsets.
fn link_header(request: &HttpRequest, limit: usize, offset: usize, total: usize) -> String {
    let at = |offset: usize| {
        let mut pairs: Vec<(String, String)> =
            web::Query::<Vec<(String, String)>>::from_query(request.query_string())
                .map(web::Query::into_inner)
                .unwrap_or_default()
                .into_iter()
                .filter(|(name, _)| name != "sysparm_offset" && name != "sysparm_limit")
                .collect();
        pairs.push(("sysparm_limit".into(), limit.to_string()));
        pairs.push(("sysparm_offset".into(), offset.to_string()));
        let query = reqwest::Url::parse_with_params("http://x/", &pairs)
            .ok()
            .and_then(|url| url.query().map(str::to_owned))
            .unwrap_or_default();
        format!("{}{}?{query}", origin(request), request.path())
    };
    let last = if total == 0 {
        0
    } else {
        (total - 1) / limit * limit
    };
    let mut links = vec![format!("<{}>;rel=\"first\"", at(0))];
    if offset > 0 {
        links.push(format!(
            "<{}>;rel=\"prev\"",
            at(offset.saturating_sub(limit))
        ));
    }
    if offset + limit < total {
        links.push(format!("<{}>;rel=\"next\"", at(offset + limit)));
    }
    links.push(format!("<{}>;rel=\"last\"", at(last)));
    links.join(",")
}

async fn list(
    sandbox: web::Data<ServiceNowSandbox>,
    request: HttpRequest,
    table: web::Path<String>,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let params = params(&request);
    let base = format!("{}/servicenow", origin(&request));
    let answer = sandbox.admit(&request, |instance, account| {
        let (limit, offset) = match window(&params, account.page_size) {
            Ok(window) => window,
            Err(text) => return error(StatusCode::BAD_REQUEST, &text, None),
        };
        let query = params
            .get("sysparm_query")
            .map(String::as_str)
            .unwrap_or_default();
        let display = display(&params);
        let fields: Option<Vec<String>> = params.get("sysparm_fields").map(|f| {
            f.split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        });
        let records: Vec<Value> = if table.as_str() == "sys_user" {
            match users(instance, account, query) {
                Ok(users) => users
                    .into_iter()
                    .map(|(id, email)| {
                        let record = json!({
                            "sys_id": render_field(display, &id, &id, None),
                            "email": render_field(display, &email, &email, None),
                            "name": render_field(display, &email, &email, None),
                            "user_name": render_field(display, &email, &email, None),
                            "active": render_field(display, "true", "true", None),
                        });
                        match &fields {
                            Some(fields) => Value::Object(
                                record
                                    .as_object()
                                    .into_iter()
                                    .flatten()
                                    .filter(|(name, _)| fields.contains(name))
                                    .map(|(name, value)| (name.clone(), value.clone()))
                                    .collect(),
                            ),
                            None => record,
                        }
                    })
                    .collect(),
                Err(text) => return error(StatusCode::BAD_REQUEST, &text, None),
            }
        } else if TABLES.iter().any(|(name, _)| *name == table.as_str()) {
            let parsed = match ticket_query(query) {
                Ok(parsed) => parsed,
                Err(text) => return error(StatusCode::BAD_REQUEST, &text, None),
            };
            let mut matches: Vec<&DeskTicket> = account
                .tickets
                .iter()
                .filter(|t| table_of(t) == table.as_str())
                .filter(|t| {
                    parsed
                        .sys_ids
                        .as_ref()
                        .is_none_or(|ids| ids.contains(&t.id))
                })
                .filter(|t| {
                    parsed
                        .numbers
                        .as_ref()
                        .is_none_or(|numbers| numbers.contains(&t.key))
                })
                .collect();
            if let Some((field, descending)) = &parsed.order_by {
                match field.as_str() {
                    "sys_id" => matches.sort_by(|a, b| a.id.cmp(&b.id)),
                    "number" => matches.sort_by(|a, b| a.key.cmp(&b.key)),
                    "sys_created_on" => matches.sort_by_key(|t| t.created_at),
                    _ => matches.sort_by_key(|t| t.updated_at),
                }
                if *descending {
                    matches.reverse();
                }
            }
            let total = matches.len();
            let page: Vec<Value> = matches
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(|ticket| render_ticket(&base, account, ticket, display, fields.as_deref()))
                .collect();
            return HttpResponse::Ok()
                .insert_header(("X-Total-Count", total.to_string()))
                .insert_header(("Link", link_header(&request, limit, offset, total)))
                .json(json!({ "result": page }));
        } else {
            return invalid_table(&table);
        };
        let total = records.len();
        let page: Vec<Value> = records.into_iter().skip(offset).take(limit).collect();
        HttpResponse::Ok()
            .insert_header(("X-Total-Count", total.to_string()))
            .json(json!({ "result": page }))
    });
    answer.unwrap_or_else(refused)
}

/// The users a `sys_user` query finds: `(sys_id, email)`; remembered for the callers of
/// records.
fn users(
    instance: &str,
    account: &mut Account<Instance>,
    query: &str,
) -> Result<Vec<(String, String)>, String> {
    let mut email = None;
    for term in query.split('^').map(str::trim).filter(|t| !t.is_empty()) {
        if let Some(address) = term.strip_prefix("email=") {
            email = Some(address.trim().to_lowercase());
        } else if term != "active=true" {
            return Err(format!(
                "the simulator does not understand the query term {term:?}"
            ));
        }
    }
    let Some(email) = email else {
        return Err("the simulator lists users by email only".into());
    };
    let known = email
        .rsplit_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain == account.vendor.user_domain);
    if !known {
        return Ok(Vec::new());
    }
    let id = user_sys_id(instance, &email);
    account.vendor.users.insert(id.clone(), email.clone());
    Ok(vec![(id, email)])
}

async fn create(
    sandbox: web::Data<ServiceNowSandbox>,
    request: HttpRequest,
    table: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let params = params(&request);
    let base = format!("{}/servicenow", origin(&request));
    let body: Option<Value> = serde_json::from_slice(&body).ok();
    let answer = sandbox.admit(&request, |instance, account| {
        if table.as_str() == "sys_user" {
            return error(
                StatusCode::FORBIDDEN,
                "Operation Failed",
                Some("Users are not created through this integration"),
            );
        }
        if !TABLES.iter().any(|(name, _)| *name == table.as_str()) {
            return invalid_table(&table);
        }
        let Some(Value::Object(body)) = body else {
            return error(
                StatusCode::BAD_REQUEST,
                "Exception while reading request",
                Some("The payload is not valid JSON."),
            );
        };
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let n = {
            let next = account.vendor.next.entry(table.to_string()).or_insert(1);
            let n = *next;
            *next += 1;
            n
        };
        let caller = Some(text("caller_id")).filter(|c| !c.is_empty());
        let mut fields = Map::new();
        fields.insert("table".into(), json!(table.as_str()));
        let now = Utc::now();
        let ticket = DeskTicket {
            id: sys_id(instance, &table, n),
            key: number(&table, n),
            summary: text("short_description"),
            description: text("description"),
            requester: caller,
            state: TicketState::Open,
            created_at: now,
            updated_at: now,
            fields,
        };
        let fields: Option<Vec<String>> = params.get("sysparm_fields").map(|f| {
            f.split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        });
        let record = render_ticket(&base, account, &ticket, display(&params), fields.as_deref());
        account.tickets.push(ticket);
        HttpResponse::Created().json(json!({ "result": record }))
    });
    answer.unwrap_or_else(refused)
}

async fn control_put_instance(
    sandbox: web::Data<ServiceNowSandbox>,
    path: web::Path<String>,
    body: web::Json<InstanceSeed>,
) -> HttpResponse {
    let mut seed = body.into_inner();
    seed.instance = path.into_inner();
    sandbox.put_instance(seed);
    HttpResponse::NoContent().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn understands_the_queries_the_client_sends() {
        let query = ticket_query("sys_idINa,b^ORDERBYsys_id").unwrap();
        assert_eq!(query.sys_ids, Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(query.order_by, Some(("sys_id".to_owned(), false)));
        assert_eq!(
            ticket_query("ORDERBYDESCnumber").unwrap().order_by,
            Some(("number".to_owned(), true))
        );
        assert!(ticket_query("short_descriptionLIKElaptop").is_err());
        assert!(ticket_query("ORDERBYpriority").is_err());
    }

    #[test]
    fn numbers_and_ids_are_stable() {
        assert_eq!(number("incident", 1), "INC0010001");
        assert_eq!(number("sc_task", 12), "SCTASK0010012");
        assert_eq!(sys_id("acme", "incident", 3), sys_id("acme", "incident", 3));
        assert_ne!(sys_id("acme", "incident", 3), sys_id("acme", "sc_task", 3));
    }

    #[test]
    fn rendered_records_parse_with_the_client() {
        let sandbox = ServiceNowSandbox::new(vec![InstanceSeed::default()]);
        let root = reqwest::Url::parse("http://sim/servicenow/").unwrap();
        for state in [
            TicketState::Open,
            TicketState::InProgress,
            TicketState::Resolved,
            TicketState::Closed,
            TicketState::Cancelled,
        ] {
            sandbox.set_state("acme", "INC0010001", state).unwrap();
            for display in [Display::Values, Display::Both { links: false }] {
                let record = sandbox
                    .with("acme", |account| {
                        let ticket = account.ticket("INC0010001").unwrap();
                        render_ticket("http://sim/servicenow", account, ticket, display, None)
                    })
                    .unwrap();
                let ticket = crate::servicenow::parse_record(&record, "incident", &root).unwrap();
                assert_eq!(ticket.external_id, sys_id("acme", "incident", 1));
                assert_eq!(ticket.key, "INC0010001");
                assert_eq!(ticket.state, state, "{display:?}");
            }
        }
    }
}
