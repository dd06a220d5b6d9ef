//! A Jira Service Management simulator, faithful to what [`crate::jira`] relies on.
//!
//! One simulator serves any number of sites; a request's HTTP Basic user (the account's email)
//! says which, so every site's `base_url` is `{sandbox}/jira`. Vendor endpoints, under
//! `/jira/rest`:
//! - `GET /servicedeskapi/servicedesk/{serviceDeskId}` → the service desk; 404 for another id;
//! - `GET /servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}` → the
//!   request type; 404 for another;
//! - `POST /servicedeskapi/request` `{"serviceDeskId", "requestTypeId", "requestFieldValues":
//!   {"summary", "description"}, "raiseOnBehalfOf"}` → 201, the customer request (`issueId`,
//!   `issueKey`, `currentStatus`, `_links.web`); 404 for another service desk, 400 for another
//!   request type, a missing summary or a `raiseOnBehalfOf` that is no email address;
//! - `GET /servicedeskapi/request/{issueIdOrKey}` → the customer request; 404 when there is
//!   none;
//! - `POST /api/3/search/jql` `{"jql", "fields", "maxResults", "nextPageToken",
//!   "reconcileIssues"}` → `{"issues", "nextPageToken", "isLast"}`. The JQL understood is
//!   `issue in (...)` (or `issuekey`, `key`, `id`), values quoted or not; as Jira does, a value
//!   naming no issue fails the whole query with a 400. `maxResults` (default 50) is capped at
//!   the site's `page_size`; `fields` must name `status` (or `*all`, `*navigable`) for issues
//!   to carry it; `reconcileIssues` takes at most 50 ids.
//!
//! Every request needs HTTP Basic auth with the site's email and API token: anything else gets
//! a 401 `{"errorMessages": ["Client must be authenticated to access this resource."]}`. Service
//! desk errors are `{"errorMessage", "i18nErrorMessage"}`, platform errors `{"errorMessages",
//! "errors"}`. A malformed ticket (faults' `malformed_ids` holding its id or key) has a
//! `currentStatus` (and a search's `fields.status`) that is a bare string.
//!
//! States render as JSM's default workflow names them: open is "Waiting for support" (`NEW`),
//! in progress "In Progress" (`INDETERMINATE`), resolved "Resolved", closed "Closed",
//! cancelled "Canceled" (all `DONE`).
//!
//! Defaults ([`SiteSeed::default`]): site `acme`, email `sandbox@acme.example.com`, API token
//! `sandbox-jira-token`, service desk `1` (project `IT`), request type `10`, 20 seeded requests
//! (`IT-1`..`IT-20`, issue ids 10001..10020; every fourth resolved).
//!
//! Control endpoints, under `/_control/jira/{site}` (faults, stats and tickets as every ITSM
//! simulator has them):
//! - `PUT` `{"email", "api_token", "service_desk_id", "request_type_id", "project_key",
//!   "tickets", "page_size"}` (all optional): create or reset a site;
//! - `POST /tickets/IT-3/state` `{"state": "resolved"}`: an agent moves the request.
//!
//! From Rust: `sandbox.jira().set_state("acme", "IT-3", TicketState::Resolved)`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::control;
use super::desk::{Account, DeskSandbox, DeskVendor, origin, seeded_at, seeded_state};
pub use super::desk::{DeskTicket, TicketState};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use super::mdm::Refusal;

/// The most ids a search reconciles.
const MAX_RECONCILE: usize = 50;

/// A site present when the simulator starts; in a control `PUT`, every field is optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SiteSeed {
    /// The site, as control paths name it: `acme` of `acme.atlassian.net`.
    pub site: String,
    /// The agent account's email: the HTTP Basic user.
    pub email: String,
    pub api_token: String,
    /// The one service desk of the site.
    pub service_desk_id: String,
    /// Its project's key, the prefix of issue keys.
    pub project_key: String,
    /// The request type tickets may be raised with.
    pub request_type_id: String,
    /// Requests present from the start: `{project_key}-1` onwards.
    pub tickets: u64,
    /// The most issues a search page holds.
    pub page_size: u64,
}

impl Default for SiteSeed {
    fn default() -> Self {
        SiteSeed {
            site: "acme".into(),
            email: "sandbox@acme.example.com".into(),
            api_token: "sandbox-jira-token".into(),
            service_desk_id: "1".into(),
            project_key: "IT".into(),
            request_type_id: "10".into(),
            tickets: 20,
            page_size: 50,
        }
    }
}

/// What only a simulated Jira site has.
#[derive(Debug)]
pub struct JiraSite {
    service_desk_id: String,
    project_key: String,
    request_type_id: String,
    /// The number of the next issue.
    next: u64,
}

/// The issue id of request `n` of a site.
pub fn issue_id(n: u64) -> String {
    (10_000 + n).to_string()
}

/// The key of request `n` of project `project_key`.
pub fn issue_key(project_key: &str, n: u64) -> String {
    format!("{project_key}-{n}")
}

/// Names the Jira Service Management simulator in [`DeskSandbox`].
#[derive(Debug)]
pub enum Jira {}

impl DeskVendor for Jira {
    type Settings = JiraSite;
    const NAME: &'static str = "jira";
}

/// The simulated Jira sites, keyed by site; [`DeskSandbox`] has what tests read and change
/// (requests, faults, tickets, moving a ticket to another state).
pub type JiraSandbox = DeskSandbox<Jira>;

impl JiraSandbox {
    /// The sites in `seeds`.
    pub fn new(seeds: Vec<SiteSeed>) -> Self {
        let sandbox = Self::default();
        for seed in seeds {
            sandbox.put_site(seed);
        }
        sandbox
    }

    /// Creates or resets a site (its tickets, faults and counters too).
    pub fn put_site(&self, seed: SiteSeed) {
        let mut account = Account::new(
            &seed.email,
            &seed.api_token,
            seed.page_size,
            JiraSite {
                service_desk_id: seed.service_desk_id.clone(),
                project_key: seed.project_key.clone(),
                request_type_id: seed.request_type_id.clone(),
                next: seed.tickets + 1,
            },
        );
        account.tickets = (1..=seed.tickets)
            .map(|n| DeskTicket {
                id: issue_id(n),
                key: issue_key(&seed.project_key, n),
                summary: format!("Seeded request {n}"),
                description: format!("Request {n}, present when the simulator started."),
                requester: None,
                state: seeded_state(n),
                created_at: seeded_at(n),
                updated_at: seeded_at(n),
                fields: Map::new(),
            })
            .collect();
        self.put(&seed.site, account);
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/jira/rest")
            .route(
                "/servicedeskapi/servicedesk/{desk}",
                web::get().to(service_desk),
            )
            .route(
                "/servicedeskapi/servicedesk/{desk}/requesttype/{request_type}",
                web::get().to(request_type),
            )
            .route("/servicedeskapi/request", web::post().to(create_request))
            .route(
                "/servicedeskapi/request/{issue}",
                web::get().to(get_request),
            )
            .route("/api/3/search/jql", web::post().to(search)),
    )
    .service(control::desk_routes::<JiraSandbox>(control::routes::<
        JiraSandbox,
    >(
        web::scope("/_control/jira/{site}").route("", web::put().to(control_put_site)),
    )));
}

/// The service desk API's error answer.
fn desk_error(status: StatusCode, i18n_key: &str, text: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errorMessage": text,
        "i18nErrorMessage": {"i18nKey": i18n_key, "parameters": []},
    }))
}

/// The Jira platform's error answer.
fn platform_error_body(text: &str) -> Value {
    json!({"errorMessages": [text], "errors": {}})
}

fn platform_error(status: StatusCode, text: &str) -> HttpResponse {
    HttpResponse::build(status).json(platform_error_body(text))
}

fn refused(refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Unauthorized => platform_error(
            StatusCode::UNAUTHORIZED,
            "Client must be authenticated to access this resource.",
        ),
        Refusal::Misbehaved(misbehaviour) => {
            let text = match misbehaviour {
                Misbehaviour::RateLimited { .. } => "Rate limit exceeded.",
                Misbehaviour::Failed { .. } => "Internal server error",
            };
            misbehaviour.response().json(platform_error_body(text))
        }
    }
}

/// The site root the simulator answers as: `{origin}/jira`.
fn site_base(request: &HttpRequest) -> String {
    format!("{}/jira", origin(request))
}

/// A status as JSM's default workflow has it.
struct Status {
    id: &'static str,
    name: &'static str,
    /// The category as the platform writes it; the service desk API writes it in capitals.
    category: &'static str,
    category_name: &'static str,
    category_id: u8,
}

fn status(state: TicketState) -> Status {
    let (id, name) = match state {
        TicketState::Open => ("10001", "Waiting for support"),
        TicketState::InProgress => ("3", "In Progress"),
        TicketState::Resolved => ("5", "Resolved"),
        TicketState::Closed => ("6", "Closed"),
        TicketState::Cancelled => ("10003", "Canceled"),
    };
    let (category, category_name, category_id) = match state {
        TicketState::Open => ("new", "To Do", 2),
        TicketState::InProgress => ("indeterminate", "In Progress", 4),
        TicketState::Resolved | TicketState::Closed | TicketState::Cancelled => ("done", "Done", 3),
    };
    Status {
        id,
        name,
        category,
        category_name,
        category_id,
    }
}

/// A time as the service desk API writes it.
fn desk_date(at: DateTime<Utc>) -> Value {
    json!({
        "iso8601": at.format("%Y-%m-%dT%H:%M:%S%z").to_string(),
        "jira": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "friendly": at.format("%d/%b/%y %-I:%M %p").to_string(),
        "epochMillis": at.timestamp_millis(),
    })
}

/// A ticket as the service desk API answers it.
fn render_request(base: &str, account: &Account<JiraSite>, ticket: &DeskTicket) -> Value {
    let site = &account.vendor;
    let status = status(ticket.state);
    let current = if account.faults.breaks(&ticket.id) || account.faults.breaks(&ticket.key) {
        json!("not-a-status")
    } else {
        json!({
            "status": status.name,
            "statusCategory": status.category.to_uppercase(),
            "statusDate": desk_date(ticket.updated_at),
        })
    };
    let reporter = ticket.requester.as_deref().unwrap_or(&account.user);
    json!({
        "_expands": ["participant", "status", "sla", "requestType", "serviceDesk", "attachment", "action", "comment"],
        "issueId": ticket.id,
        "issueKey": ticket.key,
        "requestTypeId": site.request_type_id,
        "serviceDeskId": site.service_desk_id,
        "createdDate": desk_date(ticket.created_at),
        "reporter": {"emailAddress": reporter, "displayName": reporter, "active": true},
        "requestFieldValues": [
            {"fieldId": "summary", "label": "Summary", "value": ticket.summary},
            {"fieldId": "description", "label": "Description", "value": ticket.description},
        ],
        "currentStatus": current,
        "_links": {
            "jiraRest": format!("{base}/rest/api/2/issue/{}", ticket.id),
            "web": format!("{base}/servicedesk/customer/portal/{}/{}", site.service_desk_id, ticket.key),
            "agent": format!("{base}/browse/{}", ticket.key),
            "self": format!("{base}/rest/servicedeskapi/request/{}", ticket.id),
        },
    })
}

/// A ticket as the issue search answers it, `fields.status` only when asked for.
fn render_issue(
    base: &str,
    account: &Account<JiraSite>,
    ticket: &DeskTicket,
    with_status: bool,
) -> Value {
    let status = status(ticket.state);
    let mut fields = Map::new();
    if with_status {
        let value = if account.faults.breaks(&ticket.id) || account.faults.breaks(&ticket.key) {
            json!("not-a-status")
        } else {
            json!({
                "self": format!("{base}/rest/api/3/status/{}", status.id),
                "description": "",
                "name": status.name,
                "id": status.id,
                "statusCategory": {
                    "self": format!("{base}/rest/api/3/statuscategory/{}", status.category_id),
                    "id": status.category_id,
                    "key": status.category,
                    "colorName": match status.category { "new" => "blue-gray", "done" => "green", _ => "yellow" },
                    "name": status.category_name,
                },
            })
        };
        fields.insert("status".into(), value);
    }
    json!({
        "expand": "",
        "id": ticket.id,
        "self": format!("{base}/rest/api/3/issue/{}", ticket.id),
        "key": ticket.key,
        "fields": fields,
    })
}

/// A JSON request body; `None` when it is not JSON.
fn json_body(body: &web::Bytes) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

/// A JSON value that is a string or a number, as text.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn no_such_desk(desk: &str) -> HttpResponse {
    desk_error(
        StatusCode::NOT_FOUND,
        "sd.service.desk.error.not.found",
        &format!(
            "The service desk {desk} does not exist or you do not have permission to access it."
        ),
    )
}

async fn service_desk(
    sandbox: web::Data<JiraSandbox>,
    request: HttpRequest,
    desk: web::Path<String>,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let base = site_base(&request);
    let answer = sandbox.admit(&request, |_, account| {
        let site = &account.vendor;
        if *desk != site.service_desk_id {
            return no_such_desk(&desk);
        }
        HttpResponse::Ok().json(json!({
            "id": site.service_desk_id,
            "projectId": "10000",
            "projectName": "IT Support",
            "projectKey": site.project_key,
            "_links": {"self": format!("{base}/rest/servicedeskapi/servicedesk/{}", site.service_desk_id)},
        }))
    });
    answer.unwrap_or_else(refused)
}

async fn request_type(
    sandbox: web::Data<JiraSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let (desk, request_type) = path.into_inner();
    let answer = sandbox.admit(&request, |_, account| {
        let site = &account.vendor;
        if desk != site.service_desk_id {
            return no_such_desk(&desk);
        }
        if request_type != site.request_type_id {
            return desk_error(
                StatusCode::NOT_FOUND,
                "sd.request.type.error.not.found",
                &format!("The request type {request_type} does not exist in this service desk."),
            );
        }
        HttpResponse::Ok().json(json!({
            "id": site.request_type_id,
            "name": "Get IT help",
            "description": "Get assistance for general IT problems and questions.",
            "helpText": "",
            "issueTypeId": "10002",
            "serviceDeskId": site.service_desk_id,
            "groupIds": [],
        }))
    });
    answer.unwrap_or_else(refused)
}

async fn create_request(
    sandbox: web::Data<JiraSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let base = site_base(&request);
    let body = json_body(&body);
    let answer = sandbox.admit(&request, |_, account| {
        let Some(body) = body else {
            return desk_error(
                StatusCode::BAD_REQUEST,
                "sd.request.create.error",
                "The request body is not JSON.",
            );
        };
        let desk = id_text(body.get("serviceDeskId")).unwrap_or_default();
        if desk != account.vendor.service_desk_id {
            return no_such_desk(&desk);
        }
        let request_type = id_text(body.get("requestTypeId")).unwrap_or_default();
        if request_type != account.vendor.request_type_id {
            return desk_error(
                StatusCode::BAD_REQUEST,
                "sd.request.create.error.request.type.not.found",
                &format!("The request type {request_type:?} does not exist in this service desk."),
            );
        }
        let values = body.get("requestFieldValues");
        let text = |name: &str| {
            values
                .and_then(|v| v.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let summary = text("summary").unwrap_or_default();
        if summary.trim().is_empty() {
            return desk_error(
                StatusCode::BAD_REQUEST,
                "sd.request.create.error.field.required",
                "Your request could not be created. Summary is required.",
            );
        }
        let requester = match body.get("raiseOnBehalfOf") {
            None | Some(Value::Null) => None,
            Some(Value::String(email)) if email.contains('@') && !email.contains(' ') => {
                Some(email.trim().to_lowercase())
            }
            Some(other) => {
                return desk_error(
                    StatusCode::BAD_REQUEST,
                    "sd.request.create.error.user.not.found",
                    &format!("The user {other} does not exist."),
                );
            }
        };
        let n = account.vendor.next;
        account.vendor.next += 1;
        let now = Utc::now();
        let ticket = DeskTicket {
            id: issue_id(n),
            key: issue_key(&account.vendor.project_key, n),
            summary,
            description: text("description").unwrap_or_default(),
            requester,
            state: TicketState::Open,
            created_at: now,
            updated_at: now,
            fields: Map::new(),
        };
        let answer = render_request(&base, account, &ticket);
        account.tickets.push(ticket);
        HttpResponse::Created().json(answer)
    });
    answer.unwrap_or_else(refused)
}

async fn get_request(
    sandbox: web::Data<JiraSandbox>,
    request: HttpRequest,
    issue: web::Path<String>,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let base = site_base(&request);
    let answer = sandbox.admit(&request, |_, account| match account.ticket(&issue) {
        Some(ticket) => HttpResponse::Ok().json(render_request(&base, account, ticket)),
        None => desk_error(
            StatusCode::NOT_FOUND,
            "sd.request.error.not.found",
            "Issue does not exist or you do not have permission to see it.",
        ),
    });
    answer.unwrap_or_else(refused)
}

/// The field and the values of `{field} in (a, "b", ...)`, the one JQL shape understood.
fn parse_jql(jql: &str) -> Result<(String, Vec<String>), String> {
    let jql = jql.trim();
    let (field, rest) = jql.split_once(char::is_whitespace).ok_or_else(|| {
        format!("Error in the JQL Query: expected \"issue in (...)\", got {jql:?}.")
    })?;
    let field = field.to_lowercase();
    if !matches!(field.as_str(), "issue" | "issuekey" | "key" | "id") {
        return Err(format!(
            "Error in the JQL Query: the simulator cannot search by {field:?}."
        ));
    }
    let rest = rest.trim_start();
    let list = rest
        .get(..2)
        .filter(|word| word.eq_ignore_ascii_case("in"))
        .map(|_| rest[2..].trim())
        .and_then(|list| list.strip_prefix('('))
        .and_then(|list| list.strip_suffix(')'))
        .ok_or_else(|| format!("Error in the JQL Query: expected a list after {field:?} in."))?;
    let values: Vec<String> = list
        .split(',')
        .map(|value| {
            value
                .trim()
                .trim_matches('"')
                .trim_matches('\'')
                .trim()
                .to_owned()
        })
        .collect();
    if values.iter().any(String::is_empty) {
        return Err(
            "Error in the JQL Query: Expecting either a value, list or function but got ')'."
                .into(),
        );
    }
    Ok((field, values))
}

/// Where a page token says the next page starts.
fn page_token(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn token_offset(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

async fn search(
    sandbox: web::Data<JiraSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let base = site_base(&request);
    let body = json_body(&body);
    let answer = sandbox.admit(&request, |_, account| {
        let Some(body) = body else {
            return platform_error(StatusCode::BAD_REQUEST, "The request body is not JSON.");
        };
        let jql = body.get("jql").and_then(Value::as_str).unwrap_or_default();
        let (field, refs) = match parse_jql(jql) {
            Ok(parsed) => parsed,
            Err(text) => return platform_error(StatusCode::BAD_REQUEST, &text),
        };
        let reconcile = body.get("reconcileIssues").and_then(Value::as_array);
        if reconcile
            .is_some_and(|ids| ids.len() > MAX_RECONCILE || ids.iter().any(|id| !id.is_u64()))
        {
            return platform_error(
                StatusCode::BAD_REQUEST,
                "reconcileIssues takes at most 50 issue ids.",
            );
        }
        let mut matches: Vec<&DeskTicket> = Vec::new();
        for reference in &refs {
            match account.ticket(reference) {
                Some(ticket) => {
                    if !matches.iter().any(|t| t.id == ticket.id) {
                        matches.push(ticket);
                    }
                }
                None => {
                    return platform_error(
                        StatusCode::BAD_REQUEST,
                        &format!(
                            "An issue with key '{reference}' does not exist for field '{field}'."
                        ),
                    );
                }
            }
        }
        matches.sort_by_key(|t| t.created_at);
        let offset = match body.get("nextPageToken") {
            None | Some(Value::Null) => 0,
            Some(token) => match token.as_str().and_then(token_offset) {
                Some(offset) => offset,
                None => return platform_error(StatusCode::BAD_REQUEST, "Invalid nextPageToken."),
            },
        };
        let limit = body
            .get("maxResults")
            .and_then(Value::as_u64)
            .unwrap_or(50)
            .clamp(1, account.page_size);
        let with_status = body
            .get("fields")
            .and_then(Value::as_array)
            .is_some_and(|fields| {
                fields
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|f| matches!(f, "status" | "*all" | "*navigable"))
            });
        let end = offset.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX));
        let issues: Vec<Value> = matches
            .iter()
            .skip(offset)
            .take(end - offset)
            .map(|ticket| render_issue(&base, account, ticket, with_status))
            .collect();
        let mut page = json!({"issues": issues, "isLast": end >= matches.len()});
        if end < matches.len() {
            page["nextPageToken"] = json!(page_token(end));
        }
        HttpResponse::Ok().json(page)
    });
    answer.unwrap_or_else(refused)
}

async fn control_put_site(
    sandbox: web::Data<JiraSandbox>,
    path: web::Path<String>,
    body: web::Json<SiteSeed>,
) -> HttpResponse {
    let mut seed = body.into_inner();
    seed.site = path.into_inner();
    sandbox.put_site(seed);
    HttpResponse::NoContent().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn understands_issue_lists() {
        assert_eq!(
            parse_jql("issue in (\"10001\", IT-2, 'IT-3')").unwrap(),
            (
                "issue".into(),
                vec!["10001".into(), "IT-2".into(), "IT-3".into()]
            )
        );
        assert_eq!(parse_jql("KEY IN (IT-1)").unwrap().0, "key");
        assert!(parse_jql("project = IT").is_err());
        assert!(parse_jql("issue in ()").is_err());
        assert!(parse_jql("issue in (IT-1").is_err());
    }

    #[test]
    fn page_tokens_carry_the_offset() {
        assert_eq!(token_offset(&page_token(150)), Some(150));
        assert_eq!(token_offset("garbage"), None);
    }

    #[test]
    fn rendered_requests_parse_with_the_client() {
        let sandbox = JiraSandbox::new(vec![SiteSeed::default()]);
        for state in [
            TicketState::Open,
            TicketState::InProgress,
            TicketState::Resolved,
            TicketState::Closed,
            TicketState::Cancelled,
        ] {
            sandbox.set_state("acme", "IT-1", state).unwrap();
            let (request, issue) = sandbox
                .with("acme", |account| {
                    let ticket = account.ticket("IT-1").unwrap();
                    (
                        render_request("http://sim/jira", account, ticket),
                        render_issue("http://sim/jira", account, ticket, true),
                    )
                })
                .unwrap();
            let ticket = crate::jira::parse_request(&request).unwrap();
            assert_eq!(
                (ticket.external_id.as_str(), ticket.key.as_str()),
                ("10001", "IT-1")
            );
            assert_eq!(ticket.state, state);
            assert_eq!(
                ticket.url.as_deref(),
                Some("http://sim/jira/servicedesk/customer/portal/1/IT-1")
            );
            let site = reqwest::Url::parse("http://sim/jira/").unwrap();
            assert_eq!(
                crate::jira::parse_issue(&issue, &site).unwrap().state,
                state
            );
        }
    }
}
