//! Jira Service Management (Cloud) client: customer requests through the service desk API,
//! their states through Jira's issue search.
//!
//! - Host: the site, `https://{site}.atlassian.net`; `base_url` replaces it (the simulator).
//! - Auth: HTTP Basic with the Atlassian account's email and an API token. The account must be
//!   an agent of the service project: agents raise requests on someone's behalf and search
//!   the project's issues.
//! - Check: `GET /rest/servicedeskapi/servicedesk/{serviceDeskId}` and
//!   `GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}`; a 404
//!   (no such desk or request type, or one the account cannot see) needs a person.
//! - Create: `POST /rest/servicedeskapi/request` `{"serviceDeskId", "requestTypeId",
//!   "requestFieldValues": {"summary", "description"}, "raiseOnBehalfOf"}` → 201, the customer
//!   request: `issueId`, `issueKey`, `currentStatus: {"status", "statusCategory"}` (`NEW`,
//!   `INDETERMINATE`, `DONE`, `UNDEFINED`), `_links.web` (the request in the customer portal).
//!   Refusals are 400 or 404 `{"errorMessage", "i18nErrorMessage"}`. `raiseOnBehalfOf` names
//!   the customer by email; a site that only takes account ids there refuses it with a 400.
//! - Read many: the service desk API lists only requests the caller created or takes part in,
//!   which an agent raising requests on others' behalf does not, so the states come from
//!   Jira's issue search, `POST /rest/api/3/search/jql` `{"jql": "issue in (...)", "fields":
//!   ["status"], "maxResults", "nextPageToken", "reconcileIssues"}` → `{"issues": [{"id",
//!   "key", "fields": {"status": {"name", "statusCategory": {"key"}}}}], "nextPageToken",
//!   "isLast"}`, followed page by page while a `nextPageToken` comes back. The search may lag
//!   behind recent writes; `reconcileIssues` (at most 50 ids) asks it to catch up on ours.
//!   Jira refuses a whole query (400) when one of its issues no longer exists or cannot be
//!   seen; the client then reads those tickets one by one,
//!   `GET /rest/servicedeskapi/request/{issueId}`, a 404 meaning gone.
//! - States: the status category decides (`NEW` → open, `INDETERMINATE` → in progress,
//!   `DONE` → resolved); within `DONE`, a status named "Closed" is closed and one named
//!   "Canceled", "Cancelled", "Declined", "Rejected" or "Won't do" cancelled.
//! - Errors: the Jira platform answers `{"errorMessages": [...], "errors": {...}}`; 401 for a
//!   wrong email or token, 403 for a missing permission, 429 with `Retry-After`.
//! - Links: a created request links to the customer portal (`_links.web`); a searched one, to
//!   the agent view `{site}/browse/{key}` (the search has no portal link).

use std::collections::HashSet;

use reqwest::header::ACCEPT;
use reqwest::{Method, Response, StatusCode, Url};
use serde_json::{Value, json};

use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, read_json};
use crate::itsm::{
    ItsmError, MalformedRecord, NewTicket, Ticket, TicketPull, TicketState, account_root,
    refusal_text, wanted_ids,
};
use crate::mdm::RecordReader;

/// Jira Cloud sites live at `{site}.atlassian.net`.
pub const DEFAULT_DOMAIN: &str = "atlassian.net";
/// Issues per search request, and per query: the most ids a search reconciles at once.
pub const SEARCH_PAGE: usize = 50;
/// Where Jira and the service desk API put their error texts.
const ERROR_POINTERS: [&str; 3] = ["/errorMessage", "/errorMessages", "/errors"];

/// An Atlassian API token; its `Debug` never shows the value.
#[derive(Clone)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps the token as Atlassian shows it once, at creation.
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into())
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(..)")
    }
}

/// What one Jira Service Management integration needs to connect.
#[derive(Debug, Clone)]
pub struct JiraServiceManagementConfig {
    /// The site: `acme` of `acme.atlassian.net`.
    pub site: String,
    /// Replaces `https://{site}.atlassian.net`, e.g. `http://127.0.0.1:7070/jira` for the
    /// simulator.
    pub base_url: Option<String>,
    /// The Atlassian account's email: the user of HTTP Basic auth.
    pub email: String,
    pub api_token: ApiToken,
    /// The service desk (a number) tickets are raised in.
    pub service_desk_id: String,
    /// The request type (a number) of the tickets raised; it must take a summary and a
    /// description and require nothing else.
    pub request_type_id: String,
    pub policy: HttpPolicy,
}

/// A client for one Jira Service Management service desk.
#[derive(Debug, Clone)]
pub struct JiraServiceManagementClient {
    http: VendorHttp,
    /// The site root, always with the trailing slash.
    root: Url,
    email: String,
    token: ApiToken,
    service_desk_id: String,
    request_type_id: String,
}

/// How a search over one batch of ids ended.
enum Searched {
    /// Every page read.
    Done,
    /// Jira refused the query (400), with its reason.
    Refused(String),
}

impl JiraServiceManagementClient {
    /// Builds the client without calling Jira: fails ([`ItsmError::Rejected`]) only on
    /// settings no site could accept (a site that is no subdomain, ids that are no numbers).
    pub fn new(config: JiraServiceManagementConfig) -> Result<Self, ItsmError> {
        let root = account_root(
            &config.site,
            DEFAULT_DOMAIN,
            config.base_url.as_deref(),
            "Jira site",
        )?;
        let email = config.email.trim().to_owned();
        if email.is_empty() {
            return Err(ItsmError::rejected("the Jira account email is empty"));
        }
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("/errorMessages/0"),
                rate_limit_reset_header: None,
            },
        )?;
        Ok(JiraServiceManagementClient {
            http,
            root,
            email,
            token: config.api_token,
            service_desk_id: number(&config.service_desk_id, "service desk id")?,
            request_type_id: number(&config.request_type_id, "request type id")?,
        })
    }

    /// The site root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.root
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    /// One JSON call with the account's credentials; a response whose status is in `accepted`
    /// comes back as it is.
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
                        .basic_auth(&self.email, Some(&self.token.0))
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

    /// Checks the credentials, the service desk and the request type.
    #[tracing::instrument(skip(self), fields(base = %self.root))]
    pub async fn test_connection(&self) -> Result<(), ItsmError> {
        let desk = format!("rest/servicedeskapi/servicedesk/{}", self.service_desk_id);
        let checks = [
            (
                desk.clone(),
                format!("service desk {}", self.service_desk_id),
            ),
            (
                format!("{desk}/requesttype/{}", self.request_type_id),
                format!(
                    "request type {} in service desk {}",
                    self.request_type_id, self.service_desk_id
                ),
            ),
        ];
        for (path, what) in checks {
            let url = join(&self.root, &path)?;
            let response = self
                .call(Method::GET, &url, None, &[StatusCode::NOT_FOUND])
                .await?;
            if response.status() == StatusCode::NOT_FOUND {
                let text = refusal_text(response, &ERROR_POINTERS).await;
                return Err(ItsmError::rejected(format!(
                    "Jira Service Management has no {what} this account can see: {text}"
                )));
            }
        }
        Ok(())
    }

    /// Raises a request in the service desk, on behalf of the requester when there is one.
    #[tracing::instrument(skip(self, ticket), fields(base = %self.root))]
    pub async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket, ItsmError> {
        let mut body = json!({
            "serviceDeskId": self.service_desk_id,
            "requestTypeId": self.request_type_id,
            "requestFieldValues": {
                "summary": ticket.summary.trim(),
                "description": ticket.description,
            },
        });
        if let Some(email) = requester(ticket) {
            body["raiseOnBehalfOf"] = json!(email);
        }
        let url = join(&self.root, "rest/servicedeskapi/request")?;
        let response = self
            .call(
                Method::POST,
                &url,
                Some(&body),
                &[StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND],
            )
            .await?;
        if matches!(
            response.status(),
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND
        ) {
            let text = refusal_text(response, &ERROR_POINTERS).await;
            return Err(ItsmError::rejected(format!(
                "Jira Service Management did not raise the request: {text}"
            )));
        }
        let record = read_json(response).await?;
        parse_request(&record).map_err(|malformed| {
            tracing::error!(%malformed, "Jira raised a request whose answer is unreadable");
            ItsmError::MalformedRecord(malformed)
        })
    }

    /// The current state of these tickets (issue ids, or keys); tickets Jira no longer has,
    /// and unreadable ones (logged), are left out.
    #[tracing::instrument(skip(self, external_ids), fields(base = %self.root, count = external_ids.len()))]
    pub async fn tickets(&self, external_ids: &[String]) -> Result<Vec<Ticket>, ItsmError> {
        Ok(self.fetch_tickets(external_ids).await?.into_tickets("jira"))
    }

    /// [`JiraServiceManagementClient::tickets`], with the unreadable records listed in
    /// [`TicketPull::malformed`].
    pub async fn fetch_tickets(&self, external_ids: &[String]) -> Result<TicketPull, ItsmError> {
        // Anything that is no issue id or key cannot be a Jira issue (and stays out of JQL).
        let wanted: Vec<String> = wanted_ids(external_ids)
            .into_iter()
            .filter(|id| is_issue_ref(id))
            .collect();
        let mut pull = TicketPull::default();
        let mut seen = HashSet::new();
        for batch in wanted.chunks(SEARCH_PAGE) {
            if let Searched::Refused(reason) = self.search(batch, &mut pull, &mut seen).await? {
                tracing::info!(%reason, "Jira refused the search; reading the tickets one by one");
                self.read_one_by_one(batch, &mut pull, &mut seen).await?;
            }
        }
        Ok(pull)
    }

    /// Searches the issues of `batch`, every page.
    async fn search(
        &self,
        batch: &[String],
        pull: &mut TicketPull,
        seen: &mut HashSet<String>,
    ) -> Result<Searched, ItsmError> {
        let url = join(&self.root, "rest/api/3/search/jql")?;
        let refs: Vec<String> = batch.iter().map(|id| format!("\"{id}\"")).collect();
        let jql = format!("issue in ({})", refs.join(", "));
        let reconcile: Vec<u64> = batch.iter().filter_map(|id| id.parse().ok()).collect();
        let mut token: Option<String> = None;
        let mut tokens = HashSet::new();
        loop {
            let mut body = json!({
                "jql": jql,
                "fields": ["status"],
                "maxResults": SEARCH_PAGE,
                "reconcileIssues": reconcile,
            });
            if let Some(token) = &token {
                body["nextPageToken"] = json!(token);
            }
            let response = self
                .call(Method::POST, &url, Some(&body), &[StatusCode::BAD_REQUEST])
                .await?;
            if response.status() == StatusCode::BAD_REQUEST {
                return Ok(Searched::Refused(
                    refusal_text(response, &ERROR_POINTERS).await,
                ));
            }
            let page = read_json(response).await?;
            let Some(issues) = page.get("issues").and_then(Value::as_array) else {
                return Err(VendorError::InvalidResponse {
                    message: "issue search answer without an issues list".into(),
                }
                .into());
            };
            let mut any_new = false;
            for issue in issues {
                any_new |= pull.absorb(seen, parse_issue(issue, &self.root));
            }
            let next = page
                .get("nextPageToken")
                .and_then(Value::as_str)
                .filter(|next| !next.is_empty());
            let last = page
                .get("isLast")
                .and_then(Value::as_bool)
                .unwrap_or(next.is_none());
            match next {
                Some(next) if !last => {
                    if !any_new || !tokens.insert(next.to_owned()) {
                        tracing::warn!("Jira repeats a page of the search; stopping");
                        return Ok(Searched::Done);
                    }
                    token = Some(next.to_owned());
                }
                _ => return Ok(Searched::Done),
            }
        }
    }

    /// Reads each ticket of `batch` by itself; a 404 means Jira no longer has it.
    async fn read_one_by_one(
        &self,
        batch: &[String],
        pull: &mut TicketPull,
        seen: &mut HashSet<String>,
    ) -> Result<(), ItsmError> {
        for id in batch {
            let url = join(&self.root, &format!("rest/servicedeskapi/request/{id}"))?;
            let response = self
                .call(Method::GET, &url, None, &[StatusCode::NOT_FOUND])
                .await?;
            if response.status() == StatusCode::NOT_FOUND {
                continue;
            }
            let record = read_json(response).await?;
            pull.absorb(seen, parse_request(&record));
        }
        Ok(())
    }
}

/// The requester's email, when the ticket has one.
fn requester(ticket: &NewTicket) -> Option<&str> {
    ticket
        .requester_email
        .as_deref()
        .map(str::trim)
        .filter(|email| !email.is_empty())
}

/// A configured id, which Jira numbers.
fn number(value: &str, what: &str) -> Result<String, ItsmError> {
    let value = value.trim();
    if !value.is_empty() && value.len() <= 18 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(ItsmError::rejected(format!(
            "the Jira {what} {value:?} is not a number"
        )))
    }
}

/// Whether `id` reads as an issue id (`10012`) or key (`IT-12`).
pub fn is_issue_ref(id: &str) -> bool {
    if !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let Some((project, number)) = id.rsplit_once('-') else {
        return false;
    };
    project.starts_with(|c: char| c.is_ascii_alphabetic())
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.len() <= 18
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The state of a request in status `status`, of status category `category` (`NEW`,
/// `INDETERMINATE`, `DONE` or `UNDEFINED`, in any case); `None` for an unknown category.
pub fn ticket_state(category: &str, status: &str) -> Option<TicketState> {
    match category.trim().to_ascii_lowercase().as_str() {
        "new" | "undefined" => Some(TicketState::Open),
        "indeterminate" => Some(TicketState::InProgress),
        "done" => Some(match status.trim().to_lowercase().as_str() {
            "closed" => TicketState::Closed,
            "canceled" | "cancelled" | "declined" | "rejected" | "won't do" => {
                TicketState::Cancelled
            }
            _ => TicketState::Resolved,
        }),
        _ => None,
    }
}

fn state_or_malformed(
    reader: &RecordReader<'_>,
    category_pointer: &str,
    status: &str,
) -> Result<TicketState, MalformedRecord> {
    let category = reader.required(category_pointer)?;
    ticket_state(&category, status).ok_or_else(|| {
        reader.malformed(format!(
            "{} {category:?} is not a status category",
            category_pointer.trim_start_matches('/').replace('/', ".")
        ))
    })
}

/// Turns one customer request of the service desk API into a [`Ticket`], or says why it
/// cannot.
pub fn parse_request(record: &Value) -> Result<Ticket, MalformedRecord> {
    let reader = RecordReader::new(record, "/issueId")?;
    let key = reader.required("/issueKey")?;
    let status = reader.required("/currentStatus/status")?;
    let state = state_or_malformed(&reader, "/currentStatus/statusCategory", &status)?;
    Ok(Ticket {
        external_id: reader.id(),
        key,
        url: reader.text("/_links/web")?,
        state,
        vendor_status: status,
    })
}

/// Turns one issue of a search into a [`Ticket`] linking to the agent view under `site`, or
/// says why it cannot.
pub fn parse_issue(record: &Value, site: &Url) -> Result<Ticket, MalformedRecord> {
    let reader = RecordReader::new(record, "/id")?;
    let key = reader.required("/key")?;
    let status = reader.required("/fields/status/name")?;
    let state = state_or_malformed(&reader, "/fields/status/statusCategory/key", &status)?;
    Ok(Ticket {
        external_id: reader.id(),
        url: site.join(&format!("browse/{key}")).ok().map(String::from),
        key,
        state,
        vendor_status: status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(site: &str) -> JiraServiceManagementConfig {
        JiraServiceManagementConfig {
            site: site.into(),
            base_url: None,
            email: "it@acme.example.com".into(),
            api_token: ApiToken::new("tok-2718"),
            service_desk_id: "3".into(),
            request_type_id: "25".into(),
            policy: HttpPolicy::default(),
        }
    }

    #[test]
    fn the_site_is_a_subdomain_and_the_ids_are_numbers() {
        let client = JiraServiceManagementClient::new(config("acme")).unwrap();
        assert_eq!(client.base_url().as_str(), "https://acme.atlassian.net/");
        assert!(!format!("{client:?}").contains("tok-2718"));
        assert!(JiraServiceManagementClient::new(config("acme.evil.example")).is_err());
        let err = JiraServiceManagementClient::new(JiraServiceManagementConfig {
            service_desk_id: "IT".into(),
            ..config("acme")
        })
        .unwrap_err();
        assert!(err.needs_attention(), "{err}");
    }

    #[test]
    fn status_categories_map_to_states() {
        assert_eq!(
            ticket_state("NEW", "Waiting for support"),
            Some(TicketState::Open)
        );
        assert_eq!(
            ticket_state("indeterminate", "Waiting for customer"),
            Some(TicketState::InProgress)
        );
        assert_eq!(
            ticket_state("DONE", "Resolved"),
            Some(TicketState::Resolved)
        );
        assert_eq!(
            ticket_state("DONE", "Completed"),
            Some(TicketState::Resolved)
        );
        assert_eq!(ticket_state("done", "Closed"), Some(TicketState::Closed));
        assert_eq!(
            ticket_state("DONE", "Canceled"),
            Some(TicketState::Cancelled)
        );
        assert_eq!(
            ticket_state("DONE", "Declined"),
            Some(TicketState::Cancelled)
        );
        assert_eq!(ticket_state("UNDEFINED", "Triage"), Some(TicketState::Open));
        assert_eq!(ticket_state("SOMETIMES", "x"), None);
    }

    #[test]
    fn reads_a_customer_request() {
        let record = json!({
            "issueId": "10012", "issueKey": "IT-12", "requestTypeId": "25", "serviceDeskId": "3",
            "currentStatus": {"status": "Waiting for support", "statusCategory": "NEW",
                "statusDate": {"iso8601": "2026-11-02T10:00:00+0000"}},
            "_links": {"web": "https://acme.atlassian.net/servicedesk/customer/portal/3/IT-12",
                "self": "https://acme.atlassian.net/rest/servicedeskapi/request/10012"}
        });
        let ticket = parse_request(&record).unwrap();
        assert_eq!(ticket.external_id, "10012");
        assert_eq!(ticket.key, "IT-12");
        assert_eq!(ticket.state, TicketState::Open);
        assert_eq!(ticket.vendor_status, "Waiting for support");
        assert_eq!(
            ticket.url.as_deref(),
            Some("https://acme.atlassian.net/servicedesk/customer/portal/3/IT-12")
        );
        let broken = json!({"issueId": "10013", "issueKey": "IT-13",
            "currentStatus": {"status": "Odd", "statusCategory": "PURPLE"}});
        let err = parse_request(&broken).unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("10013"));
        assert!(err.reason.contains("currentStatus.statusCategory"), "{err}");
    }

    #[test]
    fn reads_a_searched_issue() {
        let site = Url::parse("https://acme.atlassian.net/").unwrap();
        let record = json!({"id": "10012", "key": "IT-12", "fields": {"status": {
            "name": "Closed", "statusCategory": {"key": "done", "name": "Done"}}}});
        let ticket = parse_issue(&record, &site).unwrap();
        assert_eq!(ticket.state, TicketState::Closed);
        assert_eq!(
            ticket.url.as_deref(),
            Some("https://acme.atlassian.net/browse/IT-12")
        );
        let err = parse_issue(
            &json!({"id": 10014, "key": "IT-14", "fields": {"status": "x"}}),
            &site,
        )
        .unwrap_err();
        assert!(err.reason.contains("fields.status.name"), "{err}");
    }

    #[test]
    fn only_issue_ids_and_keys_reach_the_query() {
        for good in ["10012", "IT-12", "HW_2-7"] {
            assert!(is_issue_ref(good), "{good}");
        }
        for bad in ["", "IT", "-12", "12-", "IT-1a", "IT-12\") OR (1=1", "a b-1"] {
            assert!(!is_issue_ref(bad), "{bad}");
        }
    }
}
