//! Freshservice client, following the Freshservice API v2.
//!
//! - Host: the account, `https://{domain}.freshservice.com` (API v2 answers only there, not at
//!   custom domains); `base_url` replaces it (the simulator).
//! - Auth: HTTP Basic with the agent's API key as the user and `X` as the password.
//! - Check: `GET /api/v2/tickets?per_page=1`.
//! - Create: `POST /api/v2/tickets` `{"subject", "description" (HTML), "email", "priority": 1,
//!   "status": 2, "source": 2}` → 201 `{"ticket": {"id", "type", "status", ...}}`. Freshservice
//!   requires a requester: the ticket's `requester_email`, else the integration's
//!   `default_requester_email`; without either the ticket is refused before any call. An
//!   email Freshservice does not know yet becomes a new requester.
//! - Read many: `GET /api/v2/tickets?updated_since=2000-01-01T00:00:00Z&order_type=desc
//!   &per_page=100&page=1` → `{"tickets": [...]}`, the next page wherever the `Link` header's
//!   `rel="next"` points (followed only on the same host). Without `updated_since` the list
//!   holds only tickets created in the last 30 days. The list has no filter by id: the client
//!   pages from the newest ticket and stops once it has every ticket asked for, or reaches a
//!   page of tickets all older than the oldest asked for (Freshservice numbers tickets in the
//!   order they are created, and lists them newest first).
//! - States: 2 Open, 3 Pending, 4 Resolved, 5 Closed; a status an account added itself counts
//!   as in progress.
//! - Errors: `{"description", "errors": [{"field", "message", "code"}]}` for a refused request
//!   (400), `{"code", "message"}` for 401 (a wrong key) and 403; 429 with `Retry-After` when
//!   the account's per-minute limit is spent.
//! - References and links: an incident is `#INC-{id}`, a service request `#SR-{id}`; the
//!   agent view is `{account}/a/tickets/{id}`.

use std::collections::HashSet;

use reqwest::header::ACCEPT;
use reqwest::{Method, Response, StatusCode, Url};
use serde_json::{Value, json};

use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, read_json};
use crate::itsm::{
    ItsmError, MalformedRecord, NewTicket, Ticket, TicketPull, TicketState, account_root,
    next_link, plain_to_html, refusal_text, same_origin, wanted_ids,
};
use crate::mdm::{RecordReader, email_address};

/// Freshservice accounts live at `{domain}.freshservice.com`.
pub const DEFAULT_DOMAIN: &str = "freshservice.com";
/// Tickets per list request: Freshservice's most.
pub const PAGE_SIZE: u32 = 100;
/// The `updated_since` of a read: early enough for every ticket (the list otherwise holds only
/// the last 30 days').
const UPDATED_SINCE: &str = "2000-01-01T00:00:00Z";
/// Priority 1 (low), status 2 (open), source 2 (portal).
const NEW_TICKET_PRIORITY: u8 = 1;
const NEW_TICKET_STATUS: u8 = 2;
const NEW_TICKET_SOURCE: u8 = 2;
/// The longest read, in pages, before the client stops following next links.
const MAX_PAGES: usize = 10_000;
/// Where Freshservice puts its error texts.
const ERROR_POINTERS: [&str; 3] = ["/errors", "/description", "/message"];

/// A Freshservice API key; its `Debug` never shows the value.
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

/// What one Freshservice integration needs to connect.
#[derive(Debug, Clone)]
pub struct FreshserviceConfig {
    /// The account: `acme` of `acme.freshservice.com`.
    pub domain: String,
    /// Replaces `https://{domain}.freshservice.com`, e.g. `http://127.0.0.1:7070/freshservice`
    /// for the simulator.
    pub base_url: Option<String>,
    pub api_key: ApiKey,
    /// The requester of a ticket that names none (Freshservice requires one), e.g. the IT
    /// team's address.
    pub default_requester_email: Option<String>,
    pub policy: HttpPolicy,
}

/// A client for one Freshservice account.
#[derive(Debug, Clone)]
pub struct FreshserviceClient {
    http: VendorHttp,
    /// The account root, always with the trailing slash.
    root: Url,
    /// `{root}api/v2/`.
    api: Url,
    key: ApiKey,
    default_requester: Option<String>,
}

impl FreshserviceClient {
    /// Builds the client without calling Freshservice: fails ([`ItsmError::Rejected`]) only on
    /// settings no account could accept (a domain that is no subdomain, a default requester
    /// that is no email address).
    pub fn new(config: FreshserviceConfig) -> Result<Self, ItsmError> {
        let root = account_root(
            &config.domain,
            DEFAULT_DOMAIN,
            config.base_url.as_deref(),
            "Freshservice domain",
        )?;
        let api = join(&root, "api/v2/")?;
        let default_requester = match config
            .default_requester_email
            .as_deref()
            .map(str::trim)
            .filter(|email| !email.is_empty())
        {
            None => None,
            Some(email) => Some(email_address(email).ok_or_else(|| {
                ItsmError::rejected(format!(
                    "the default requester {email:?} is not an email address"
                ))
            })?),
        };
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("message"),
                rate_limit_reset_header: None,
            },
        )?;
        Ok(FreshserviceClient {
            http,
            root,
            api,
            key: config.api_key,
            default_requester,
        })
    }

    /// The account root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.root
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    async fn call(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        accepted: &[StatusCode],
    ) -> Result<Response, VendorError> {
        self.http
            .send_accepting(
                |client| {
                    let request = client
                        .request(method.clone(), url.clone())
                        .basic_auth(&self.key.0, Some("X"))
                        .header(ACCEPT, "application/json");
                    match body {
                        Some(body) => request.json(body),
                        None => request,
                    }
                },
                accepted,
            )
            .await
    }

    /// `tickets?...` with `page` of the list a read pages through.
    fn list_url(&self, per_page: u32, page: u32) -> Result<Url, VendorError> {
        let mut url = join(&self.api, "tickets")?;
        url.query_pairs_mut()
            .append_pair("updated_since", UPDATED_SINCE)
            .append_pair("order_type", "desc")
            .append_pair("per_page", &per_page.to_string())
            .append_pair("page", &page.to_string());
        Ok(url)
    }

    /// Checks the key and its permission to read tickets with one ticket.
    #[tracing::instrument(skip(self), fields(base = %self.root))]
    pub async fn test_connection(&self) -> Result<(), ItsmError> {
        let url = self.list_url(1, 1)?;
        let response = self.call(Method::GET, &url, None, &[]).await?;
        tickets_of(read_json(response).await?)?;
        Ok(())
    }

    /// Opens a ticket (an incident, open, low priority, from the portal) for the requester, or
    /// the integration's default requester.
    #[tracing::instrument(skip(self, ticket), fields(base = %self.root))]
    pub async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket, ItsmError> {
        let requester = ticket
            .requester_email
            .as_deref()
            .map(str::trim)
            .filter(|email| !email.is_empty())
            .map(str::to_owned)
            .or_else(|| self.default_requester.clone())
            .ok_or_else(|| {
                ItsmError::rejected(
                    "Freshservice needs a requester: the ticket names none and the integration \
                     has no default requester email",
                )
            })?;
        let description = match plain_to_html(&ticket.description) {
            // Freshservice requires a description.
            html if html.trim().is_empty() => plain_to_html(ticket.summary.trim()),
            html => html,
        };
        let body = json!({
            "subject": ticket.summary.trim(),
            "description": description,
            "email": requester,
            "priority": NEW_TICKET_PRIORITY,
            "status": NEW_TICKET_STATUS,
            "source": NEW_TICKET_SOURCE,
        });
        let url = join(&self.api, "tickets")?;
        let response = self
            .call(Method::POST, &url, Some(&body), &[StatusCode::BAD_REQUEST])
            .await?;
        if response.status() == StatusCode::BAD_REQUEST {
            let text = refusal_text(response, &ERROR_POINTERS).await;
            return Err(ItsmError::rejected(format!(
                "Freshservice did not create the ticket: {text}"
            )));
        }
        let answer = read_json(response).await?;
        let Some(record) = answer.get("ticket").filter(|t| t.is_object()) else {
            return Err(VendorError::InvalidResponse {
                message: "created ticket answer without a ticket object".into(),
            }
            .into());
        };
        parse_ticket(record, &self.root).map_err(|malformed| {
            tracing::error!(%malformed, "Freshservice created a ticket whose answer is unreadable");
            ItsmError::MalformedRecord(malformed)
        })
    }

    /// The current state of these tickets (Freshservice ticket ids); tickets Freshservice no
    /// longer has, and unreadable ones (logged), are left out.
    #[tracing::instrument(skip(self, external_ids), fields(base = %self.root, count = external_ids.len()))]
    pub async fn tickets(&self, external_ids: &[String]) -> Result<Vec<Ticket>, ItsmError> {
        Ok(self
            .fetch_tickets(external_ids)
            .await?
            .into_tickets("freshservice"))
    }

    /// [`FreshserviceClient::tickets`], with the unreadable records listed in
    /// [`TicketPull::malformed`].
    pub async fn fetch_tickets(&self, external_ids: &[String]) -> Result<TicketPull, ItsmError> {
        // Ticket ids are positive numbers; anything else names no ticket.
        let wanted: HashSet<u64> = wanted_ids(external_ids)
            .iter()
            .filter_map(|id| id.parse::<u64>().ok())
            .filter(|id| *id > 0)
            .collect();
        let mut pull = TicketPull::default();
        let Some(oldest) = wanted.iter().min().copied() else {
            return Ok(pull);
        };
        let mut seen = HashSet::new();
        let mut found = HashSet::new();
        let mut listed = HashSet::new();
        let mut url = self.list_url(PAGE_SIZE, 1)?;
        for _ in 0..MAX_PAGES {
            let response = self.call(Method::GET, &url, None, &[]).await?;
            let next = next_link(response.headers());
            let records = tickets_of(read_json(response).await?)?;
            let mut any_new = false;
            let mut all_older = !records.is_empty();
            for record in &records {
                let Some(id) = record.get("id").and_then(Value::as_u64) else {
                    tracing::warn!("a listed ticket without a readable id; skipped");
                    continue;
                };
                any_new |= listed.insert(id);
                all_older &= id < oldest;
                if wanted.contains(&id) && found.insert(id) {
                    pull.absorb(&mut seen, parse_ticket(record, &self.root));
                }
            }
            let done = found.len() == wanted.len() || all_older;
            let Some(next) = next.filter(|_| !done && !records.is_empty()) else {
                return Ok(pull);
            };
            if !any_new {
                tracing::warn!("Freshservice repeats a page of tickets; stopping");
                return Ok(pull);
            }
            url = same_origin(&self.api, &next)?;
        }
        tracing::warn!(pages = MAX_PAGES, "ticket read cut short");
        Ok(pull)
    }
}

/// The tickets of a list answer, `{"tickets": [...]}`.
fn tickets_of(answer: Value) -> Result<Vec<Value>, VendorError> {
    match answer {
        Value::Object(mut body) => match body.remove("tickets") {
            Some(Value::Array(records)) => Ok(records),
            _ => Err(VendorError::InvalidResponse {
                message: "ticket list answer without a tickets list".into(),
            }),
        },
        _ => Err(VendorError::InvalidResponse {
            message: "ticket list answer that is not a JSON object".into(),
        }),
    }
}

/// The class of Freshservice status `code` and its name, when it is one of the four built in.
/// A status an account added itself counts as in progress.
pub fn ticket_state(code: i64) -> (TicketState, Option<&'static str>) {
    match code {
        2 => (TicketState::Open, Some("Open")),
        3 => (TicketState::InProgress, Some("Pending")),
        4 => (TicketState::Resolved, Some("Resolved")),
        5 => (TicketState::Closed, Some("Closed")),
        _ => (TicketState::InProgress, None),
    }
}

/// How people refer to ticket `id` of `ticket_type`: `#INC-42`, `#SR-42`, else `#42`.
pub fn ticket_key(ticket_type: Option<&str>, id: &str) -> String {
    match ticket_type {
        Some("Incident") => format!("#INC-{id}"),
        Some("Service Request") => format!("#SR-{id}"),
        _ => format!("#{id}"),
    }
}

/// Turns one Freshservice ticket into a [`Ticket`] linking under the account at `root`, or
/// says why it cannot.
pub fn parse_ticket(record: &Value, root: &Url) -> Result<Ticket, MalformedRecord> {
    let reader = RecordReader::new(record, "/id")?;
    let id = reader.id();
    let status = reader.required("/status")?;
    let code: i64 = status
        .parse()
        .map_err(|_| reader.malformed(format!("status {status:?} is not a number")))?;
    let (state, name) = ticket_state(code);
    Ok(Ticket {
        key: ticket_key(reader.text("/type")?.as_deref(), &id),
        url: root.join(&format!("a/tickets/{id}")).ok().map(String::from),
        external_id: id,
        state,
        vendor_status: name.map_or_else(|| format!("Status {code}"), str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(default_requester: Option<&str>) -> FreshserviceConfig {
        FreshserviceConfig {
            domain: "acme".into(),
            base_url: None,
            api_key: ApiKey::new("key-1414"),
            default_requester_email: default_requester.map(str::to_owned),
            policy: HttpPolicy::default(),
        }
    }

    #[test]
    fn the_account_is_a_subdomain() {
        let client = FreshserviceClient::new(config(Some("IT@acme.example.com"))).unwrap();
        assert_eq!(client.base_url().as_str(), "https://acme.freshservice.com/");
        assert_eq!(client.api.as_str(), "https://acme.freshservice.com/api/v2/");
        assert_eq!(
            client.default_requester.as_deref(),
            Some("it@acme.example.com")
        );
        assert!(!format!("{client:?}").contains("key-1414"));
        let err = FreshserviceClient::new(config(Some("the IT team"))).unwrap_err();
        assert!(err.needs_attention(), "{err}");
    }

    #[test]
    fn statuses_map_to_states() {
        assert_eq!(ticket_state(2), (TicketState::Open, Some("Open")));
        assert_eq!(ticket_state(3), (TicketState::InProgress, Some("Pending")));
        assert_eq!(ticket_state(4), (TicketState::Resolved, Some("Resolved")));
        assert_eq!(ticket_state(5), (TicketState::Closed, Some("Closed")));
        assert_eq!(ticket_state(9), (TicketState::InProgress, None));
        assert!(ticket_state(4).0.is_done() && !ticket_state(3).0.is_done());
    }

    #[test]
    fn reads_tickets() {
        let root = Url::parse("https://acme.freshservice.com/").unwrap();
        let record = json!({"id": 42, "type": "Incident", "status": 3, "priority": 1,
            "subject": "Laptop for Ada", "created_at": "2026-11-02T10:00:00Z"});
        let ticket = parse_ticket(&record, &root).unwrap();
        assert_eq!(ticket.external_id, "42");
        assert_eq!(ticket.key, "#INC-42");
        assert_eq!(ticket.state, TicketState::InProgress);
        assert_eq!(ticket.vendor_status, "Pending");
        assert_eq!(
            ticket.url.as_deref(),
            Some("https://acme.freshservice.com/a/tickets/42")
        );
        let request = json!({"id": 7, "type": "Service Request", "status": 11});
        let ticket = parse_ticket(&request, &root).unwrap();
        assert_eq!(
            (ticket.key.as_str(), ticket.vendor_status.as_str()),
            ("#SR-7", "Status 11")
        );
        let broken = json!({"id": 8, "status": "not-a-status"});
        let err = parse_ticket(&broken, &root).unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("8"));
        assert!(err.reason.contains("status"), "{err}");
    }
}
