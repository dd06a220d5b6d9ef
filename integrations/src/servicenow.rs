//! ServiceNow client, through the Table API.
//!
//! - Host: the instance, `https://{instance}.service-now.com`; `base_url` replaces it (a
//!   custom URL, the simulator). The tickets live in one table, `incident` unless the
//!   integration names another (`sc_task`, a custom `u_...` table).
//! - Auth: HTTP Basic with an integration user's name and password. The user needs to read and
//!   create records of the table (the `itil` role does, for incidents) and to read `sys_user`
//!   to find a requester.
//! - Check: `GET /api/now/table/{table}?sysparm_limit=1&sysparm_fields=sys_id`; an unknown
//!   table is a 400 (`Invalid table`), which needs a person.
//! - Create: `POST /api/now/table/{table}` `{"short_description", "description", "caller_id"}`
//!   → 201 `{"result": {...}}`. An incident's requester is its caller, a reference to
//!   `sys_user`: the client looks the user up by email first, `GET /api/now/table/sys_user
//!   ?sysparm_query=email={email}^active=true`, and sets `caller_id` to their `sys_id`. A
//!   requester who is no active user, or one of a table without a caller, is named at the end
//!   of the description instead.
//! - Read many: `GET /api/now/table/{table}?sysparm_query=sys_idIN{ids}^ORDERBYsys_id
//!   &sysparm_fields=sys_id,number,state&sysparm_display_value=all&sysparm_limit=&sysparm_offset=`
//!   → `{"result": [...]}`, each field as `{"value", "display_value"}`. More pages while the
//!   `Link` header has a `rel="next"` (or `X-Total-Count` says more): the client asks for the
//!   next offset itself, so the credentials only ever go to the configured host.
//! - States: incidents number them 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed,
//!   8 Canceled; other task tables -5 Pending, 1 Open, 2 Work in Progress, 3 Closed Complete,
//!   4 Closed Incomplete, 7 Closed Skipped. A state an instance added itself counts as in
//!   progress, under its display name.
//! - Errors: `{"error": {"message", "detail"}, "status": "failure"}`; 401 for wrong
//!   credentials, 403 for a missing role, 429 with `Retry-After` (and `X-RateLimit-Reset`) when
//!   a rate limit rule applies.
//! - Links: `{instance}/nav_to.do?uri={table}.do?sys_id={sys_id}` (the record in the UI).

use std::collections::HashSet;

use reqwest::header::ACCEPT;
use reqwest::{Method, Response, StatusCode, Url};
use serde_json::{Map, Value, json};

use crate::hris::text_value;
use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, read_json};
use crate::itsm::{
    ItsmError, MalformedRecord, NewTicket, Ticket, TicketPull, TicketState, account_root,
    next_link, refusal_text, wanted_ids,
};

/// ServiceNow instances live at `{instance}.service-now.com`.
pub const DEFAULT_DOMAIN: &str = "service-now.com";
/// The table tickets go to unless the integration names another.
pub const DEFAULT_TABLE: &str = "incident";
/// Records per request, and ids per query.
pub const PAGE_SIZE: usize = 100;
/// The fields a read asks for.
const FIELDS: &str = "sys_id,number,state";
/// Where ServiceNow puts its error texts.
const ERROR_POINTERS: [&str; 2] = ["/error/message", "/error/detail"];

/// A ServiceNow password; its `Debug` never shows the value.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(password: impl Into<String>) -> Self {
        Password(password.into())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// What one ServiceNow integration needs to connect.
#[derive(Debug, Clone)]
pub struct ServiceNowConfig {
    /// The instance: `acme` of `acme.service-now.com`.
    pub instance: String,
    /// Replaces `https://{instance}.service-now.com`, e.g. `http://127.0.0.1:7070/servicenow`
    /// for the simulator.
    pub base_url: Option<String>,
    pub username: String,
    pub password: Password,
    /// The table tickets go to; `None` for [`DEFAULT_TABLE`].
    pub table: Option<String>,
    pub policy: HttpPolicy,
}

/// A client for one ServiceNow table.
#[derive(Debug, Clone)]
pub struct ServiceNowClient {
    http: VendorHttp,
    /// The instance root, always with the trailing slash.
    root: Url,
    table: String,
    username: String,
    password: Password,
}

impl ServiceNowClient {
    /// Builds the client without calling ServiceNow: fails ([`ItsmError::Rejected`]) only on
    /// settings no instance could accept (an instance that is no subdomain, a table name that
    /// is none).
    pub fn new(config: ServiceNowConfig) -> Result<Self, ItsmError> {
        let root = account_root(
            &config.instance,
            DEFAULT_DOMAIN,
            config.base_url.as_deref(),
            "ServiceNow instance",
        )?;
        let table = config
            .table
            .as_deref()
            .map(str::trim)
            .filter(|table| !table.is_empty())
            .unwrap_or(DEFAULT_TABLE)
            .to_owned();
        let valid = table.len() <= 80
            && table.starts_with(|c: char| c.is_ascii_lowercase())
            && table
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(ItsmError::rejected(format!(
                "{table:?} is not a ServiceNow table name"
            )));
        }
        let username = config.username.trim().to_owned();
        if username.is_empty() {
            return Err(ItsmError::rejected("the ServiceNow user name is empty"));
        }
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("/error/message"),
                rate_limit_reset_header: Some("X-RateLimit-Reset"),
            },
        )?;
        Ok(ServiceNowClient {
            http,
            root,
            table,
            username,
            password: config.password,
        })
    }

    /// The instance root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.root
    }

    /// The table tickets go to.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    /// `/api/now/table/{table}` with `query`.
    fn table_url(&self, table: &str, query: &[(&str, &str)]) -> Result<Url, VendorError> {
        let mut url = join(&self.root, &format!("api/now/table/{table}"))?;
        url.query_pairs_mut().extend_pairs(query);
        Ok(url)
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
                        .basic_auth(&self.username, Some(&self.password.0))
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

    /// A 400 or 404 from ServiceNow, as what a person must fix.
    async fn refused(&self, response: Response, doing: &str) -> ItsmError {
        let text = refusal_text(response, &ERROR_POINTERS).await;
        ItsmError::rejected(format!(
            "ServiceNow refused {doing} table {}: {text}",
            self.table
        ))
    }

    /// Checks the credentials and that the user can read the table.
    #[tracing::instrument(skip(self), fields(base = %self.root, table = %self.table))]
    pub async fn test_connection(&self) -> Result<(), ItsmError> {
        let url = self.table_url(
            &self.table,
            &[("sysparm_limit", "1"), ("sysparm_fields", "sys_id")],
        )?;
        let response = self
            .call(
                Method::GET,
                &url,
                None,
                &[StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND],
            )
            .await?;
        if !response.status().is_success() {
            return Err(self.refused(response, "reading").await);
        }
        results(read_json(response).await?)?;
        Ok(())
    }

    /// Opens a ticket in the table; an incident's caller is the requester when ServiceNow
    /// knows them.
    #[tracing::instrument(skip(self, ticket), fields(base = %self.root, table = %self.table))]
    pub async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket, ItsmError> {
        let mut description = ticket.description.clone();
        let mut body = Map::new();
        body.insert("short_description".into(), json!(ticket.summary.trim()));
        if let Some(email) = requester(ticket) {
            let caller = if self.table == DEFAULT_TABLE {
                self.find_user(email).await?
            } else {
                None
            };
            match caller {
                Some(sys_id) => {
                    body.insert("caller_id".into(), json!(sys_id));
                }
                None => {
                    if !description.is_empty() {
                        description.push_str("\n\n");
                    }
                    description.push_str(&format!("Requested for: {email}"));
                }
            }
        }
        body.insert("description".into(), json!(description));
        let body = Value::Object(body);
        let url = self.table_url(
            &self.table,
            &[
                ("sysparm_display_value", "all"),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_fields", FIELDS),
            ],
        )?;
        let response = self
            .call(
                Method::POST,
                &url,
                Some(&body),
                &[StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND],
            )
            .await?;
        if !response.status().is_success() {
            return Err(self.refused(response, "a record for").await);
        }
        let answer = read_json(response).await?;
        let Some(record) = answer.get("result").filter(|r| r.is_object()) else {
            return Err(VendorError::InvalidResponse {
                message: "created record answer without a result object".into(),
            }
            .into());
        };
        parse_record(record, &self.table, &self.root).map_err(|malformed| {
            tracing::error!(%malformed, "ServiceNow created a record whose answer is unreadable");
            ItsmError::MalformedRecord(malformed)
        })
    }

    /// The `sys_id` of the active user with this email, when there is one.
    async fn find_user(&self, email: &str) -> Result<Option<String>, ItsmError> {
        // `^` separates encoded-query terms; an address with one cannot be asked for safely.
        if email.contains('^') {
            return Ok(None);
        }
        let query = format!("email={email}^active=true");
        let url = self.table_url(
            "sys_user",
            &[
                ("sysparm_query", query.as_str()),
                ("sysparm_fields", "sys_id"),
                ("sysparm_limit", "1"),
            ],
        )?;
        let response = self.call(Method::GET, &url, None, &[]).await?;
        let users = results(read_json(response).await?)?;
        Ok(users
            .first()
            .and_then(|user| field(user, "sys_id").ok())
            .and_then(|field| field.value))
    }

    /// The current state of these tickets (`sys_id`s); records ServiceNow no longer has, and
    /// unreadable ones (logged), are left out.
    #[tracing::instrument(skip(self, external_ids), fields(base = %self.root, table = %self.table, count = external_ids.len()))]
    pub async fn tickets(&self, external_ids: &[String]) -> Result<Vec<Ticket>, ItsmError> {
        Ok(self
            .fetch_tickets(external_ids)
            .await?
            .into_tickets("servicenow"))
    }

    /// [`ServiceNowClient::tickets`], with the unreadable records listed in
    /// [`TicketPull::malformed`].
    pub async fn fetch_tickets(&self, external_ids: &[String]) -> Result<TicketPull, ItsmError> {
        // A sys_id is 32 hex digits; anything else names no record (and stays out of the query).
        let wanted: Vec<String> = wanted_ids(external_ids)
            .into_iter()
            .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|id| id.to_ascii_lowercase())
            .collect();
        let mut pull = TicketPull::default();
        let mut seen = HashSet::new();
        for batch in wanted.chunks(PAGE_SIZE) {
            self.read_batch(batch, &mut pull, &mut seen).await?;
        }
        Ok(pull)
    }

    /// Reads the records of `batch`, every page.
    async fn read_batch(
        &self,
        batch: &[String],
        pull: &mut TicketPull,
        seen: &mut HashSet<String>,
    ) -> Result<(), ItsmError> {
        let query = format!("sys_idIN{}^ORDERBYsys_id", batch.join(","));
        let limit = PAGE_SIZE.to_string();
        let mut offset: usize = 0;
        loop {
            let offset_text = offset.to_string();
            let url = self.table_url(
                &self.table,
                &[
                    ("sysparm_query", query.as_str()),
                    ("sysparm_fields", FIELDS),
                    ("sysparm_display_value", "all"),
                    ("sysparm_exclude_reference_link", "true"),
                    ("sysparm_limit", limit.as_str()),
                    ("sysparm_offset", offset_text.as_str()),
                ],
            )?;
            let response = self.call(Method::GET, &url, None, &[]).await?;
            let more_linked = next_link(response.headers()).is_some();
            let total = response
                .headers()
                .get("X-Total-Count")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<usize>().ok());
            let records = results(read_json(response).await?)?;
            let mut any_new = false;
            for record in &records {
                any_new |= pull.absorb(seen, parse_record(record, &self.table, &self.root));
            }
            offset += records.len();
            let more = more_linked || total.is_some_and(|total| offset < total);
            if records.is_empty() || !more {
                return Ok(());
            }
            if !any_new {
                tracing::warn!(offset, "ServiceNow repeats a page; stopping");
                return Ok(());
            }
        }
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

/// The records of a Table API answer, `{"result": [...]}`.
fn results(answer: Value) -> Result<Vec<Value>, VendorError> {
    match answer {
        Value::Object(mut body) => match body.remove("result") {
            Some(Value::Array(records)) => Ok(records),
            _ => Err(VendorError::InvalidResponse {
                message: "Table API answer without a result list".into(),
            }),
        },
        _ => Err(VendorError::InvalidResponse {
            message: "Table API answer that is not a JSON object".into(),
        }),
    }
}

/// A field of a Table API record: a plain value, or `{"value", "display_value"}` when asked
/// for with `sysparm_display_value=all`.
#[derive(Debug, Default)]
struct Field {
    value: Option<String>,
    display: Option<String>,
}

fn field(record: &Value, name: &str) -> Result<Field, String> {
    match record.get(name) {
        Some(Value::Object(parts)) => Ok(Field {
            value: text_value(&format!("{name}.value"), parts.get("value"))?,
            display: text_value(&format!("{name}.display_value"), parts.get("display_value"))?,
        }),
        other => Ok(Field {
            value: text_value(name, other)?,
            display: None,
        }),
    }
}

/// A state of a ticket in `table`: its class and ServiceNow's name for it, when it is one of
/// the base system's. Incidents have their own numbering; other tables have the task table's.
/// A state an instance added itself is in progress, without a known name.
pub fn ticket_state(table: &str, code: i64) -> (TicketState, Option<&'static str>) {
    let known = if table == DEFAULT_TABLE {
        match code {
            1 => Some((TicketState::Open, "New")),
            2 => Some((TicketState::InProgress, "In Progress")),
            3 => Some((TicketState::InProgress, "On Hold")),
            6 => Some((TicketState::Resolved, "Resolved")),
            7 => Some((TicketState::Closed, "Closed")),
            8 => Some((TicketState::Cancelled, "Canceled")),
            _ => None,
        }
    } else {
        match code {
            -5 => Some((TicketState::Open, "Pending")),
            1 => Some((TicketState::Open, "Open")),
            2 => Some((TicketState::InProgress, "Work in Progress")),
            3 => Some((TicketState::Closed, "Closed Complete")),
            4 => Some((TicketState::Cancelled, "Closed Incomplete")),
            7 => Some((TicketState::Cancelled, "Closed Skipped")),
            _ => None,
        }
    };
    match known {
        Some((state, name)) => (state, Some(name)),
        None => (TicketState::InProgress, None),
    }
}

/// Where a person opens record `sys_id` of `table` on the instance at `root`.
pub fn record_url(root: &Url, table: &str, sys_id: &str) -> Option<String> {
    let mut url = root.join("nav_to.do").ok()?;
    url.query_pairs_mut()
        .append_pair("uri", &format!("{table}.do?sys_id={sys_id}"));
    Some(url.into())
}

/// Turns one Table API record of `table` into a [`Ticket`], or says why it cannot.
pub fn parse_record(record: &Value, table: &str, root: &Url) -> Result<Ticket, MalformedRecord> {
    if !record.is_object() {
        return Err(MalformedRecord {
            external_id: None,
            reason: "record is not a JSON object".into(),
        });
    }
    let sys_id = field(record, "sys_id").ok().and_then(|f| f.value);
    let malformed = |reason: String| MalformedRecord {
        external_id: sys_id.clone(),
        reason,
    };
    let Some(id) = sys_id.clone() else {
        return Err(malformed("missing sys_id".into()));
    };
    let number = field(record, "number")
        .map_err(&malformed)?
        .value
        .ok_or_else(|| malformed("missing number".into()))?;
    let state = field(record, "state").map_err(&malformed)?;
    let code_text = state
        .value
        .ok_or_else(|| malformed("missing state".into()))?;
    let code: i64 = code_text
        .parse()
        .map_err(|_| malformed(format!("state {code_text:?} is not a number")))?;
    let (ticket_state, known_name) = ticket_state(table, code);
    let vendor_status = state
        .display
        .or_else(|| known_name.map(str::to_owned))
        .unwrap_or_else(|| format!("State {code}"));
    Ok(Ticket {
        url: record_url(root, table, &id),
        external_id: id,
        key: number,
        state: ticket_state,
        vendor_status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(table: Option<&str>) -> ServiceNowConfig {
        ServiceNowConfig {
            instance: "acme".into(),
            base_url: None,
            username: "assetronics.integration".into(),
            password: Password::new("pw-1618"),
            table: table.map(str::to_owned),
            policy: HttpPolicy::default(),
        }
    }

    #[test]
    fn the_instance_is_a_subdomain_and_the_table_a_name() {
        let client = ServiceNowClient::new(config(None)).unwrap();
        assert_eq!(client.base_url().as_str(), "https://acme.service-now.com/");
        assert_eq!(client.table(), "incident");
        assert!(!format!("{client:?}").contains("pw-1618"));
        let client = ServiceNowClient::new(config(Some("u_hardware_request"))).unwrap();
        assert_eq!(client.table(), "u_hardware_request");
        for bad in ["incident;drop", "Incident", "../sys_user", "9lives"] {
            let err = ServiceNowClient::new(config(Some(bad))).unwrap_err();
            assert!(err.needs_attention(), "{bad}: {err}");
        }
    }

    #[test]
    fn incident_states_map_to_ticket_states() {
        let expect = [
            (1, TicketState::Open, "New"),
            (2, TicketState::InProgress, "In Progress"),
            (3, TicketState::InProgress, "On Hold"),
            (6, TicketState::Resolved, "Resolved"),
            (7, TicketState::Closed, "Closed"),
            (8, TicketState::Cancelled, "Canceled"),
        ];
        for (code, state, name) in expect {
            assert_eq!(ticket_state("incident", code), (state, Some(name)));
        }
        assert_eq!(
            ticket_state("incident", 42),
            (TicketState::InProgress, None)
        );
    }

    #[test]
    fn task_table_states_map_to_ticket_states() {
        assert_eq!(ticket_state("sc_task", -5).0, TicketState::Open);
        assert_eq!(ticket_state("sc_task", 1).0, TicketState::Open);
        assert_eq!(ticket_state("sc_task", 2).0, TicketState::InProgress);
        assert_eq!(ticket_state("sc_task", 3).0, TicketState::Closed);
        assert_eq!(ticket_state("sc_task", 4).0, TicketState::Cancelled);
        assert_eq!(ticket_state("sc_task", 7).0, TicketState::Cancelled);
        assert!(ticket_state("sc_task", 7).0.is_done());
    }

    #[test]
    fn reads_records_with_and_without_display_values() {
        let root = Url::parse("https://acme.service-now.com/").unwrap();
        let id = "9d385017c611228701d22104cc95c371";
        let record = json!({
            "sys_id": {"display_value": id, "value": id},
            "number": {"display_value": "INC0010001", "value": "INC0010001"},
            "state": {"display_value": "On Hold", "value": "3"},
        });
        let ticket = parse_record(&record, "incident", &root).unwrap();
        assert_eq!(ticket.external_id, id);
        assert_eq!(ticket.key, "INC0010001");
        assert_eq!(ticket.state, TicketState::InProgress);
        assert_eq!(ticket.vendor_status, "On Hold");
        assert_eq!(
            ticket.url.as_deref(),
            Some(
                "https://acme.service-now.com/nav_to.do?uri=incident.do%3Fsys_id%3D9d385017c611228701d22104cc95c371"
            )
        );
        let plain = json!({"sys_id": id, "number": "INC0010001", "state": "6"});
        let ticket = parse_record(&plain, "incident", &root).unwrap();
        assert_eq!(
            (ticket.state, ticket.vendor_status.as_str()),
            (TicketState::Resolved, "Resolved")
        );
        let custom = json!({"sys_id": id, "number": "INC0010001", "state": "12"});
        assert_eq!(
            parse_record(&custom, "incident", &root)
                .unwrap()
                .vendor_status,
            "State 12"
        );
        let broken = json!({"sys_id": id, "number": "INC0010001", "state": {"value": "broken"}});
        let err = parse_record(&broken, "incident", &root).unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some(id));
        assert!(err.reason.contains("state"), "{err}");
        assert!(parse_record(&json!({"number": "INC1"}), "incident", &root).is_err());
    }
}
