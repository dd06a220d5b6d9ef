//! The normalized ticket every IT service management (ITSM) client returns, the ticket an
//! integration opens, and how ITSM calls fail.
//!
//! The clients: [`crate::jira`] (Jira Service Management), [`crate::servicenow`] (ServiceNow),
//! [`crate::freshservice`] (Freshservice). Each has the same four calls:
//! - `new(config)`: builds the client without calling the vendor;
//! - `test_connection()`: checks the credentials and the configured ids;
//! - `create_ticket(&NewTicket)`: opens a ticket and answers it as a [`Ticket`];
//! - `tickets(&[external_id])`: the current state of many tickets at once, through the vendor's
//!   list or search endpoint, every page of it. This is what a polling job calls. A ticket the
//!   vendor no longer has is absent from the answer; so is one whose record is unreadable (it is
//!   logged; `fetch_tickets` answers the same read as a [`TicketPull`] that lists it).
//!
//! A ticket's [`TicketState`] is the vendor's status sorted into five classes;
//! [`TicketState::is_done`] is what an offboarding or a hardware request waits for.
//!
//! Creating a ticket is not idempotent at any of these vendors: a create that failed with a
//! timeout or a 5xx may still have opened the ticket, and the retry (in-process, or the job's)
//! opens another. A created ticket whose answer is unreadable is
//! [`ItsmError::MalformedRecord`]: the ticket most likely exists; do not retry blindly.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::hris::MalformedRecord;
use crate::http::VendorError;

/// The ticket an integration asks the ITSM to open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// One line: the ticket's title.
    pub summary: String,
    /// Plain text; line breaks are kept.
    pub description: String,
    /// Who the ticket is for (raised on their behalf), when known.
    pub requester_email: Option<String>,
}

/// Where a ticket stands, in vendor-neutral classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Nobody has started on it.
    Open,
    /// Being worked on, or waiting (on hold, pending, waiting for the customer).
    InProgress,
    /// The work is done; the vendor may still close it later.
    Resolved,
    Closed,
    /// Withdrawn, declined or skipped: finished without the work being done.
    Cancelled,
}

impl TicketState {
    /// Whether the ticket is finished: resolved, closed or cancelled.
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            TicketState::Resolved | TicketState::Closed | TicketState::Cancelled
        )
    }
}

/// One ticket as the ITSM knows it, in vendor-neutral form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The vendor's stable id for the ticket, what `tickets` takes: Jira's issue id, a
    /// ServiceNow `sys_id`, a Freshservice ticket id.
    pub external_id: String,
    /// The reference people use: `IT-12`, `INC0010001`, `#INC-42`.
    pub key: String,
    /// Where a person opens the ticket in a browser.
    pub url: Option<String>,
    pub state: TicketState,
    /// The vendor's own name for the status, e.g. "Waiting for support", "On Hold".
    pub vendor_status: String,
}

/// The outcome of a read of many tickets: every ticket that parsed, and every record that did
/// not. A ticket listed twice (paging over a changing list) is kept once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketPull {
    pub tickets: Vec<Ticket>,
    pub malformed: Vec<MalformedRecord>,
}

impl TicketPull {
    /// Adds one parsed record, skipping a ticket (or broken record) whose id this read already
    /// has; answers whether it was new.
    pub(crate) fn absorb(
        &mut self,
        seen: &mut HashSet<String>,
        parsed: Result<Ticket, MalformedRecord>,
    ) -> bool {
        match parsed {
            Ok(ticket) => {
                let new = seen.insert(ticket.external_id.clone());
                if new {
                    self.tickets.push(ticket);
                }
                new
            }
            Err(malformed) => {
                let new = malformed
                    .external_id
                    .as_ref()
                    .is_none_or(|id| seen.insert(id.clone()));
                if new {
                    self.malformed.push(malformed);
                }
                new
            }
        }
    }

    /// The tickets, after logging every unreadable record (what `tickets` answers).
    pub(crate) fn into_tickets(self, vendor: &str) -> Vec<Ticket> {
        for malformed in &self.malformed {
            tracing::warn!(vendor, %malformed, "unreadable ticket left out of the read");
        }
        self.tickets
    }
}

/// Why an ITSM call failed, classified by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum ItsmError {
    /// The vendor call failed as a whole; see [`VendorError`] for the classes.
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// The vendor answered a record that cannot be read. From `create_ticket` this means the
    /// ticket was most likely opened: not retried.
    #[error(transparent)]
    MalformedRecord(#[from] MalformedRecord),
    /// The vendor refused the integration's settings or request in a way a person must fix: an
    /// unknown service desk, request type or table, a required field the integration does not
    /// fill, a requester it does not accept; or a setting no vendor could accept. Not retried.
    #[error("the ITSM refused the request: {message}")]
    Rejected { message: String },
}

impl ItsmError {
    /// Bad credentials, missing permissions or settings the vendor refuses: a person must fix
    /// the integration's settings. Never retried.
    pub fn needs_attention(&self) -> bool {
        match self {
            ItsmError::Vendor(e) => e.needs_attention(),
            ItsmError::Rejected { .. } => true,
            ItsmError::MalformedRecord(_) => false,
        }
    }

    /// Whether trying the same call later can succeed (rate limits, outages, timeouts, an open
    /// circuit).
    pub fn is_retryable(&self) -> bool {
        matches!(self, ItsmError::Vendor(e) if e.is_retryable() || matches!(e, VendorError::CircuitOpen))
    }

    /// How long the vendor asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ItsmError::Vendor(e) => e.retry_after(),
            ItsmError::MalformedRecord(_) | ItsmError::Rejected { .. } => None,
        }
    }

    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        ItsmError::Rejected {
            message: message.into(),
        }
    }
}

/// The ids a read asks for: trimmed, without blanks and duplicates, in the caller's order.
pub(crate) fn wanted_ids(external_ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    external_ids
        .iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty() && seen.insert(id.to_owned()))
        .map(str::to_owned)
        .collect()
}

/// `https://{subdomain}.{domain}` for a vendor-hosted account, or `base_url` when the
/// integration sets one (another host, the simulator). `subdomain` must be a DNS label;
/// `what` names it in the error ("Jira site").
pub(crate) fn account_root(
    subdomain: &str,
    domain: &str,
    base_url: Option<&str>,
    what: &str,
) -> Result<Url, ItsmError> {
    let subdomain = subdomain.trim();
    let label = !subdomain.is_empty()
        && subdomain.len() <= 63
        && !subdomain.starts_with('-')
        && !subdomain.ends_with('-')
        && subdomain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !label {
        return Err(ItsmError::rejected(format!(
            "invalid {what} {subdomain:?}: the subdomain of {domain}"
        )));
    }
    let host = match base_url.map(str::trim).filter(|url| !url.is_empty()) {
        Some(url) => url.to_owned(),
        None => format!("https://{}.{domain}", subdomain.to_lowercase()),
    };
    crate::http::vendor_url(&host, "", &format!("{what} URL"))
        .map_err(|e| ItsmError::rejected(e.to_string()))
}

/// A message from a vendor's JSON error body: the first of `pointers` (JSON pointers) that
/// holds text, and the texts of an array of messages joined; cut to 300 characters.
pub(crate) fn error_text(body: &Value, pointers: &[&str]) -> Option<String> {
    pointers.iter().find_map(|pointer| {
        let text = match body.pointer(pointer)? {
            Value::String(text) => text.trim().to_owned(),
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(text) => Some(text.trim().to_owned()),
                    Value::Object(_) => {
                        let field = item.get("field").and_then(Value::as_str);
                        let message = item.get("message").and_then(Value::as_str)?;
                        Some(match field {
                            Some(field) => format!("{field}: {message}"),
                            None => message.to_owned(),
                        })
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("; "),
            Value::Object(fields) => fields
                .iter()
                .filter_map(|(field, message)| Some(format!("{field}: {}", message.as_str()?)))
                .collect::<Vec<_>>()
                .join("; "),
            _ => return None,
        };
        (!text.is_empty()).then(|| text.chars().take(300).collect())
    })
}

/// A response whose status the caller let through unclassified (a 400 or 404 that explains
/// itself), read as the vendor's error message: the text at the first of `pointers` that has
/// one, else the status.
pub(crate) async fn refusal_text(response: reqwest::Response, pointers: &[&str]) -> String {
    let status = response.status();
    let body: Value = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    error_text(&body, pointers).unwrap_or_else(|| status.to_string())
}

/// The target of the `rel="next"` link of an RFC 8288 `Link` header, when there is one.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(next_in_link_header)
}

fn next_in_link_header(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>')?;
        let target = &after[..end];
        let tail = &after[end + 1..];
        let params_end = tail.find('<').unwrap_or(tail.len());
        let is_next = tail[..params_end].split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.trim().to_owned());
        }
        rest = &tail[params_end..];
    }
    None
}

/// `next` as a URL on the same origin (scheme, host, port) as `base`: credentials are sent
/// nowhere a header pointed to. Anything else is [`VendorError::InvalidResponse`].
pub(crate) fn same_origin(base: &Url, next: &str) -> Result<Url, VendorError> {
    let url = base.join(next).map_err(|e| VendorError::InvalidResponse {
        message: format!("unreadable next link {next:?}: {e}"),
    })?;
    if url.origin() == base.origin() {
        Ok(url)
    } else {
        Err(VendorError::InvalidResponse {
            message: format!(
                "next link {url} leaves {}",
                base.origin().ascii_serialization()
            ),
        })
    }
}

/// The plain `text` as HTML: escaped, line breaks as `<br>`.
pub(crate) fn plain_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            '\n' => html.push_str("<br>"),
            '\r' => {}
            c => html.push(c),
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderValue, LINK};
    use serde_json::json;

    use super::*;

    #[test]
    fn done_means_resolved_closed_or_cancelled() {
        assert!(!TicketState::Open.is_done());
        assert!(!TicketState::InProgress.is_done());
        assert!(TicketState::Resolved.is_done());
        assert!(TicketState::Closed.is_done());
        assert!(TicketState::Cancelled.is_done());
        assert_eq!(
            serde_json::to_value(TicketState::InProgress).unwrap(),
            json!("in_progress")
        );
        assert_eq!(
            serde_json::from_value::<TicketState>(json!("cancelled")).unwrap(),
            TicketState::Cancelled
        );
    }

    #[test]
    fn classes_follow_the_vendor_error() {
        let unauthorized = ItsmError::from(VendorError::Unauthorized {
            message: "no".into(),
        });
        assert!(unauthorized.needs_attention() && !unauthorized.is_retryable());
        let limited = ItsmError::from(VendorError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        });
        assert!(limited.is_retryable() && !limited.needs_attention());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(2)));
        assert!(ItsmError::from(VendorError::CircuitOpen).is_retryable());
        let rejected = ItsmError::rejected("no such service desk");
        assert!(rejected.needs_attention() && !rejected.is_retryable());
        let malformed = ItsmError::from(MalformedRecord {
            external_id: Some("7".into()),
            reason: "x".into(),
        });
        assert!(!malformed.needs_attention() && !malformed.is_retryable());
    }

    #[test]
    fn wanted_ids_drop_blanks_and_repeats() {
        let ids = ["  7", "8", "7", "", " "].map(String::from);
        assert_eq!(wanted_ids(&ids), vec!["7".to_owned(), "8".to_owned()]);
    }

    #[test]
    fn accounts_live_at_their_subdomain_unless_a_base_url_says_otherwise() {
        let root = account_root("Acme", "atlassian.net", None, "Jira site").unwrap();
        assert_eq!(root.as_str(), "https://acme.atlassian.net/");
        let root = account_root(
            "acme",
            "atlassian.net",
            Some("http://127.0.0.1:7070/jira/"),
            "Jira site",
        )
        .unwrap();
        assert_eq!(root.as_str(), "http://127.0.0.1:7070/jira/");
        for bad in ["", "acme.evil.com", "-acme", "ac me", "acme/x"] {
            let err = account_root(bad, "atlassian.net", None, "Jira site").unwrap_err();
            assert!(err.needs_attention(), "{bad}: {err}");
        }
        assert!(account_root("acme", "atlassian.net", Some("ftp://x"), "Jira site").is_err());
    }

    #[test]
    fn error_texts_come_from_the_first_pointer_with_one() {
        let jira = json!({"errorMessages": ["Issue does not exist", "Second"], "errors": {}});
        assert_eq!(
            error_text(&jira, &["/errorMessage", "/errorMessages"]).as_deref(),
            Some("Issue does not exist; Second")
        );
        let fresh = json!({"description": "Validation failed",
            "errors": [{"field": "email", "message": "It should be a valid email address", "code": "invalid_value"}]});
        assert_eq!(
            error_text(&fresh, &["/errors", "/description"]).as_deref(),
            Some("email: It should be a valid email address")
        );
        let fields = json!({"errorMessages": [], "errors": {"summary": "Summary is required."}});
        assert_eq!(
            error_text(&fields, &["/errorMessages", "/errors"]).as_deref(),
            Some("summary: Summary is required.")
        );
        assert_eq!(error_text(&json!({"x": 1}), &["/x", "/y"]), None);
    }

    #[test]
    fn next_links_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                "<https://x.example/t?a=1,2&page=1>;rel=\"first\", <https://x.example/t?page=3>; rel=\"next\", <https://x.example/t?page=9>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://x.example/t?page=3")
        );
        headers.insert(
            LINK,
            HeaderValue::from_static("<https://x.example/t?page=1>; rel=\"prev first\""),
        );
        assert_eq!(next_link(&headers), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn next_links_stay_on_the_vendor_host() {
        let base = Url::parse("https://acme.example.com/api/v2/").unwrap();
        assert!(same_origin(&base, "https://acme.example.com/api/v2/tickets?page=2").is_ok());
        assert!(same_origin(&base, "/api/v2/tickets?page=2").is_ok());
        assert!(same_origin(&base, "https://evil.example.com/api/v2/tickets?page=2").is_err());
        assert!(same_origin(&base, "http://acme.example.com/api/v2/tickets?page=2").is_err());
    }

    #[test]
    fn plain_text_becomes_safe_html() {
        assert_eq!(
            plain_to_html("Laptop <MacBook> & \"charger\"\r\nfor Ada's desk"),
            "Laptop &lt;MacBook&gt; &amp; &quot;charger&quot;<br>for Ada&#39;s desk"
        );
    }

    #[test]
    fn a_ticket_seen_twice_is_kept_once() {
        let ticket = |id: &str| Ticket {
            external_id: id.into(),
            key: id.into(),
            url: None,
            state: TicketState::Open,
            vendor_status: "Open".into(),
        };
        let mut pull = TicketPull::default();
        let mut seen = HashSet::new();
        assert!(pull.absorb(&mut seen, Ok(ticket("a"))));
        assert!(!pull.absorb(&mut seen, Ok(ticket("a"))));
        let broken = MalformedRecord {
            external_id: Some("b".into()),
            reason: "x".into(),
        };
        assert!(pull.absorb(&mut seen, Err(broken.clone())));
        assert!(!pull.absorb(&mut seen, Err(broken)));
        assert_eq!(pull.into_tickets("test").len(), 1);
    }
}
