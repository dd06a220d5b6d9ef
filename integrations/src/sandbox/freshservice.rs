//! A Freshservice simulator (API v2 tickets), faithful to what [`crate::freshservice`] relies
//! on.
//!
//! One simulator serves any number of accounts; a request's API key (the HTTP Basic user; any
//! password) says which, so every account's `base_url` is `{sandbox}/freshservice`. Vendor
//! endpoints, under `/freshservice/api/v2`:
//! - `GET /tickets?per_page=&page=&updated_since=&order_type=&type=&include=` → `{"tickets":
//!   [...]}`, newest first (`order_type=asc` for oldest first), `per_page` 1 to 100 (default
//!   30, and at most the account's `page_size`), pages from 1; a `Link` header with
//!   `rel="next"` while more pages follow. Without `updated_since`, only tickets created in
//!   the last 30 days are listed; with it, those updated since then. Another parameter is a
//!   400 (`invalid_field`), as Freshservice answers.
//! - `POST /tickets` `{"subject", "description", "email", "priority", "status", "source",
//!   "type"}` → 201 `{"ticket": {...}}`; 400 `{"description": "Validation failed", "errors":
//!   [{"field", "message", "code"}]}` for a missing subject, description or requester, an
//!   email that is no address, or a priority, status or source out of range.
//!
//! Every request needs the account's API key as the HTTP Basic user: anything else gets a 401
//! `{"code": "invalid_credentials", "message": "You have to be logged in to perform this
//! action."}`. A 429 carries `Retry-After` (unless the faults leave it out). A malformed ticket
//! (faults' `malformed_ids` holding its id) has the status `"not-a-status"`.
//!
//! States render as status codes: open 2, in progress 3 (Pending), resolved 4, closed 5; a
//! cancelled ticket is closed (5): Freshservice has no cancelled status.
//!
//! Defaults ([`AccountSeed::default`]): domain `acme`, API key `sandbox-freshservice-key`, 20
//! seeded incidents (ids 1..20, created in 2025; every fourth resolved).
//!
//! Control endpoints, under `/_control/freshservice/{domain}` (faults, stats and tickets as
//! every ITSM simulator has them):
//! - `PUT` `{"api_key", "tickets", "page_size"}` (all optional): create or reset an account;
//! - `POST /tickets/3/state` `{"state": "resolved"}`: an agent moves the ticket.
//!
//! From Rust: `sandbox.freshservice().set_state("acme", "3", TicketState::Resolved)`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::control;
use super::desk::{Account, DeskSandbox, DeskVendor, origin, seeded_at, seeded_state};
pub use super::desk::{DeskTicket, TicketState};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use super::mdm::Refusal;
use super::workforce::fingerprint;

/// The most tickets a list page holds, and its default.
const MAX_PER_PAGE: u64 = 100;
const DEFAULT_PER_PAGE: u64 = 30;
/// How far back a list without `updated_since` reaches.
const DEFAULT_WINDOW_DAYS: i64 = 30;

/// An account present when the simulator starts; in a control `PUT`, every field is optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AccountSeed {
    /// The account, as control paths name it: `acme` of `acme.freshservice.com`.
    pub domain: String,
    pub api_key: String,
    /// Incidents present from the start: ids 1 onwards, created in 2025.
    pub tickets: u64,
    /// The most tickets a list page holds (Freshservice's most is 100).
    pub page_size: u64,
}

impl Default for AccountSeed {
    fn default() -> Self {
        AccountSeed {
            domain: "acme".into(),
            api_key: "sandbox-freshservice-key".into(),
            tickets: 20,
            page_size: MAX_PER_PAGE,
        }
    }
}

/// What only a simulated Freshservice account has.
#[derive(Debug)]
pub struct FreshserviceAccount {
    /// The id of the next ticket.
    next: u64,
}

/// Names the Freshservice simulator in [`DeskSandbox`].
#[derive(Debug)]
pub enum Freshservice {}

impl DeskVendor for Freshservice {
    type Settings = FreshserviceAccount;
    const NAME: &'static str = "freshservice";
}

/// The simulated Freshservice accounts, keyed by domain; [`DeskSandbox`] has what tests read
/// and change (requests, faults, tickets, moving a ticket to another state).
pub type FreshserviceSandbox = DeskSandbox<Freshservice>;

/// How people refer to ticket `id` of `ticket_type`.
fn key(ticket_type: &str, id: u64) -> String {
    match ticket_type {
        "Service Request" => format!("#SR-{id}"),
        _ => format!("#INC-{id}"),
    }
}

impl FreshserviceSandbox {
    /// The accounts in `seeds`.
    pub fn new(seeds: Vec<AccountSeed>) -> Self {
        let sandbox = Self::default();
        for seed in seeds {
            sandbox.put_account(seed);
        }
        sandbox
    }

    /// Creates or resets an account (its tickets, faults and counters too).
    pub fn put_account(&self, seed: AccountSeed) {
        let mut account = Account::new(
            &seed.api_key,
            "",
            seed.page_size.min(MAX_PER_PAGE),
            FreshserviceAccount {
                next: seed.tickets + 1,
            },
        );
        account.tickets = (1..=seed.tickets)
            .map(|n| {
                let mut fields = Map::new();
                fields.insert("type".into(), json!("Incident"));
                fields.insert("priority".into(), json!(1 + n % 4));
                fields.insert("source".into(), json!(2));
                DeskTicket {
                    id: n.to_string(),
                    key: key("Incident", n),
                    summary: format!("Seeded ticket {n}"),
                    description: format!(
                        "<div>Ticket {n}, present when the simulator started.</div>"
                    ),
                    requester: Some(format!("person.{n}@acme.example.com")),
                    state: seeded_state(n),
                    created_at: seeded_at(n),
                    updated_at: seeded_at(n),
                    fields,
                }
            })
            .collect();
        self.put(&seed.domain, account);
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/freshservice/api/v2")
            .route("/tickets", web::get().to(list))
            .route("/tickets", web::post().to(create)),
    )
    .service(control::desk_routes::<FreshserviceSandbox>(
        control::routes::<FreshserviceSandbox>(
            web::scope("/_control/freshservice/{domain}")
                .route("", web::put().to(control_put_account)),
        ),
    ));
}

/// One entry of a validation error.
fn invalid(field: &str, message: &str, code: &str) -> Value {
    json!({"field": field, "message": message, "code": code})
}

fn validation_failed(errors: Vec<Value>) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"description": "Validation failed", "errors": errors}))
}

fn refused(refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Unauthorized => HttpResponse::Unauthorized().json(json!({
            "code": "invalid_credentials",
            "message": "You have to be logged in to perform this action.",
        })),
        Refusal::Misbehaved(misbehaviour) => {
            let body = match misbehaviour {
                Misbehaviour::RateLimited { .. } => json!({
                    "code": "rate_limit_exceeded",
                    "message": "You have exceeded the limit of requests per minute.",
                }),
                Misbehaviour::Failed { .. } => json!({
                    "code": "internal_error",
                    "message": "We are facing some issues. Please try again later.",
                }),
            };
            misbehaviour.response().json(body)
        }
    }
}

/// A ticket state as a status code.
fn status_code(state: TicketState) -> u8 {
    match state {
        TicketState::Open => 2,
        TicketState::InProgress => 3,
        TicketState::Resolved => 4,
        TicketState::Closed | TicketState::Cancelled => 5,
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A ticket as Freshservice answers it; the description only when `full` (a created ticket).
fn render(account: &Account<FreshserviceAccount>, ticket: &DeskTicket, full: bool) -> Value {
    let id: u64 = ticket.id.parse().unwrap_or_default();
    let field = |name: &str| ticket.fields.get(name).cloned().unwrap_or(Value::Null);
    let status = if account.faults.breaks(&ticket.id) {
        json!("not-a-status")
    } else {
        json!(status_code(ticket.state))
    };
    let requester_id = ticket
        .requester
        .as_deref()
        .map(|email| 21_000_000_000 + u64::from(fingerprint(email)));
    let mut record = json!({
        "subject": ticket.summary,
        "group_id": null,
        "department_id": null,
        "category": null,
        "sub_category": null,
        "item_category": null,
        "requester_id": requester_id,
        "requested_for_id": requester_id,
        "responder_id": null,
        "due_by": time(ticket.created_at + chrono::Duration::days(3)),
        "fr_escalated": false,
        "deleted": false,
        "spam": false,
        "email_config_id": null,
        "fwd_emails": [],
        "reply_cc_emails": [],
        "cc_emails": [],
        "is_escalated": false,
        "fr_due_by": time(ticket.created_at + chrono::Duration::days(1)),
        "id": id,
        "priority": field("priority"),
        "status": status,
        "source": field("source"),
        "created_at": time(ticket.created_at),
        "updated_at": time(ticket.updated_at),
        "to_emails": null,
        "type": field("type"),
        "workspace_id": 2,
        "custom_fields": {},
    });
    if full {
        record["description"] = json!(ticket.description);
        record["description_text"] = json!(ticket.description);
    }
    record
}

/// What a list request asks for.
#[derive(Debug)]
struct ListQuery {
    per_page: u64,
    page: u64,
    since: Option<DateTime<Utc>>,
    ascending: bool,
    ticket_type: Option<String>,
}

fn list_query(pairs: &[(String, String)]) -> Result<ListQuery, Vec<Value>> {
    let mut query = ListQuery {
        per_page: DEFAULT_PER_PAGE,
        page: 1,
        since: None,
        ascending: false,
        ticket_type: None,
    };
    let mut errors = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "per_page" => match value.parse::<u64>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => query.per_page = n,
                _ => errors.push(invalid(
                    "per_page",
                    "Has to be between 1 and 100",
                    "invalid_value",
                )),
            },
            "page" => match value.parse::<u64>() {
                Ok(n) if n >= 1 => query.page = n,
                _ => errors.push(invalid(
                    "page",
                    "It should be a/an Positive Integer",
                    "invalid_value",
                )),
            },
            "updated_since" => match DateTime::parse_from_rfc3339(value) {
                Ok(at) => query.since = Some(at.with_timezone(&Utc)),
                Err(_) => errors.push(invalid(
                    "updated_since",
                    "It should be in the 'valid date time' format",
                    "invalid_value",
                )),
            },
            "order_type" => match value.as_str() {
                "asc" => query.ascending = true,
                "desc" => query.ascending = false,
                _ => errors.push(invalid(
                    "order_type",
                    "It should be one of these values: 'asc,desc'",
                    "invalid_value",
                )),
            },
            "type" => query.ticket_type = Some(value.clone()),
            "include" => {}
            _ => errors.push(invalid(
                name,
                "Unexpected/invalid field in request",
                "invalid_field",
            )),
        }
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(errors)
    }
}

async fn list(sandbox: web::Data<FreshserviceSandbox>, request: HttpRequest) -> HttpResponse {
    sandbox.stall(&request).await;
    let pairs = web::Query::<Vec<(String, String)>>::from_query(request.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let answer = sandbox.admit(&request, |_, account| {
        let query = match list_query(&pairs) {
            Ok(query) => query,
            Err(errors) => return validation_failed(errors),
        };
        let window_start = Utc::now() - chrono::Duration::days(DEFAULT_WINDOW_DAYS);
        let mut listed: Vec<&DeskTicket> = account
            .tickets
            .iter()
            .filter(|t| match query.since {
                Some(since) => t.updated_at >= since,
                None => t.created_at >= window_start,
            })
            .filter(|t| {
                query.ticket_type.as_deref().is_none_or(|wanted| {
                    t.fields.get("type").and_then(Value::as_str) == Some(wanted)
                })
            })
            .collect();
        let number = |t: &DeskTicket| t.id.parse::<u64>().unwrap_or_default();
        listed.sort_by_key(|t| (t.created_at, number(t)));
        if !query.ascending {
            listed.reverse();
        }
        let per_page = query.per_page.min(account.page_size);
        let start =
            usize::try_from((query.page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let size = usize::try_from(per_page).unwrap_or(usize::MAX);
        let page: Vec<Value> = listed
            .iter()
            .skip(start)
            .take(size)
            .map(|ticket| render(account, ticket, false))
            .collect();
        let mut response = HttpResponse::Ok();
        if start.saturating_add(size) < listed.len() {
            let next: Vec<(String, String)> = pairs
                .iter()
                .filter(|(name, _)| name != "page")
                .cloned()
                .chain([("page".to_owned(), (query.page + 1).to_string())])
                .collect();
            let query = reqwest::Url::parse_with_params("http://x/", &next)
                .ok()
                .and_then(|url| url.query().map(str::to_owned))
                .unwrap_or_default();
            let url = format!("{}{}?{query}", origin(&request), request.path());
            response.insert_header(("Link", format!("<{url}>; rel=\"next\"")));
        }
        response.json(json!({ "tickets": page }))
    });
    answer.unwrap_or_else(refused)
}

/// The integer at `name` of a create request when it is in `range`; `default` when absent.
fn small_number(
    body: &Map<String, Value>,
    name: &str,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
    errors: &mut Vec<Value>,
) -> u64 {
    match body.get(name) {
        None | Some(Value::Null) => default,
        Some(value) => match value.as_u64().filter(|n| range.contains(n)) {
            Some(n) => n,
            None => {
                errors.push(invalid(
                    name,
                    &format!(
                        "It should be one of these values: '{}'",
                        range.map(|n| n.to_string()).collect::<Vec<_>>().join(",")
                    ),
                    "invalid_value",
                ));
                default
            }
        },
    }
}

async fn create(
    sandbox: web::Data<FreshserviceSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let body: Option<Value> = serde_json::from_slice(&body).ok();
    let answer = sandbox.admit(&request, |_, account| {
        let Some(Value::Object(body)) = body else {
            return HttpResponse::BadRequest().json(json!({
                "description": "Validation failed",
                "errors": [invalid("body", "Request body has invalid json format", "invalid_json")],
            }));
        };
        let mut errors = Vec::new();
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
        };
        let subject = text("subject");
        if subject.is_none() {
            errors.push(invalid(
                "subject",
                "It should be a/an String",
                "missing_field",
            ));
        }
        let description = text("description");
        if description.is_none() {
            errors.push(invalid(
                "description",
                "It should be a/an String",
                "missing_field",
            ));
        }
        let email = text("email").map(str::to_lowercase);
        match &email {
            None if body.get("requester_id").is_none() => errors.push(invalid(
                "requester_id",
                "Please fill at least 1 of requester_id, phone, email fields",
                "missing_field",
            )),
            Some(email)
                if !email
                    .split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
                    || email.contains(' ') =>
            {
                errors.push(invalid(
                    "email",
                    "It should be in the 'valid email address' format",
                    "invalid_value",
                ));
            }
            _ => {}
        }
        let priority = small_number(&body, "priority", 1..=4, 1, &mut errors);
        let status = small_number(&body, "status", 2..=5, 2, &mut errors);
        let source = small_number(&body, "source", 1..=10, 2, &mut errors);
        let ticket_type = match text("type") {
            None | Some("Incident") => "Incident",
            Some("Service Request") => "Service Request",
            Some(_) => {
                errors.push(invalid(
                    "type",
                    "It should be one of these values: 'Incident,Service Request'",
                    "invalid_value",
                ));
                "Incident"
            }
        };
        if !errors.is_empty() {
            return validation_failed(errors);
        }
        let id = account.vendor.next;
        account.vendor.next += 1;
        let mut fields = Map::new();
        fields.insert("type".into(), json!(ticket_type));
        fields.insert("priority".into(), json!(priority));
        fields.insert("source".into(), json!(source));
        let state = match status {
            3 => TicketState::InProgress,
            4 => TicketState::Resolved,
            5 => TicketState::Closed,
            _ => TicketState::Open,
        };
        let now = Utc::now();
        let ticket = DeskTicket {
            id: id.to_string(),
            key: key(ticket_type, id),
            summary: subject.unwrap_or_default().to_owned(),
            description: description.unwrap_or_default().to_owned(),
            requester: email,
            state,
            created_at: now,
            updated_at: now,
            fields,
        };
        let record = render(account, &ticket, true);
        account.tickets.push(ticket);
        HttpResponse::Created().json(json!({ "ticket": record }))
    });
    answer.unwrap_or_else(refused)
}

async fn control_put_account(
    sandbox: web::Data<FreshserviceSandbox>,
    path: web::Path<String>,
    body: web::Json<AccountSeed>,
) -> HttpResponse {
    let mut seed = body.into_inner();
    seed.domain = path.into_inner();
    sandbox.put_account(seed);
    HttpResponse::NoContent().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn list_queries_are_validated_as_freshservice_does() {
        let query = list_query(&pairs(&[
            ("per_page", "100"),
            ("page", "2"),
            ("order_type", "desc"),
            ("updated_since", "2000-01-01T00:00:00Z"),
        ]))
        .unwrap();
        assert_eq!(
            (query.per_page, query.page, query.ascending),
            (100, 2, false)
        );
        assert!(query.since.is_some());
        let errors = list_query(&pairs(&[("per_page", "101"), ("filter_id", "x")])).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1]["code"], "invalid_field");
    }

    #[test]
    fn rendered_tickets_parse_with_the_client() {
        let sandbox = FreshserviceSandbox::new(vec![AccountSeed::default()]);
        let root = reqwest::Url::parse("http://sim/freshservice/").unwrap();
        for (state, expected) in [
            (TicketState::Open, TicketState::Open),
            (TicketState::InProgress, TicketState::InProgress),
            (TicketState::Resolved, TicketState::Resolved),
            (TicketState::Closed, TicketState::Closed),
            (TicketState::Cancelled, TicketState::Closed),
        ] {
            sandbox.set_state("acme", "3", state).unwrap();
            let record = sandbox
                .with("acme", |account| {
                    render(account, account.ticket("#INC-3").unwrap(), false)
                })
                .unwrap();
            let ticket = crate::freshservice::parse_ticket(&record, &root).unwrap();
            assert_eq!(
                (ticket.external_id.as_str(), ticket.key.as_str()),
                ("3", "#INC-3")
            );
            assert_eq!(ticket.state, expected);
        }
    }
}
