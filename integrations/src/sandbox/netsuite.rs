//! A NetSuite simulator, faithful to what [`crate::netsuite`] relies on.
//!
//! One simulator serves any number of accounts; a request's OAuth realm says which, so every
//! account's `base_url` is `{sandbox}/netsuite`. Vendor endpoint:
//! - `POST /netsuite/services/rest/query/v1/suiteql?limit=&offset=` with `Prefer: transient`
//!   and `{"q": "SELECT ..."}` → `{"links", "count", "hasMore", "items", "offset",
//!   "totalResults"}`: `limit` rows (1 to 1000, default 1000) from `offset`. The queries
//!   understood are purchase-line queries like [`crate::netsuite::purchase_lines_query`]: they
//!   must read `transactionline`; the transaction types come from their `type IN (...)` list
//!   (`VendBill`, `PurchOrd`, `CardChrg`), a date bound from `trandate >= TO_DATE('YYYY-MM-DD',
//!   ...)`. Each row has the columns that query names (`transaction_id`, `line_id`, `type`,
//!   `tranid`, `trandate` as `YYYY-MM-DD`, `supplier`, `currency`, `memo`, `item`, `quantity`,
//!   `rate`, `amount`), null ones left out, money as decimal text. Rows come in transaction and
//!   line order. Anything else is a 400.
//!
//! Every request must carry a valid token-based-authentication header, checked as NetSuite
//! does: the realm names an account, the consumer key and token id are the account's, the
//! signature method is HMAC-SHA256, the timestamp within five minutes of the simulator's clock,
//! the nonce not seen before, and the signature the one the simulator computes itself from the
//! request's method, URL (query string included) and the account's secrets
//! ([`crate::oauth1::signature_base_string`]). Any failure is a 401 `INVALID_LOGIN`; a wrong
//! token secret is one. Errors are NetSuite's `{"type", "title", "status", "o:errorDetails":
//! [{"detail", "o:errorCode"}]}`. Faults apply to requests that passed authentication; a
//! malformed transaction's rows have `trandate` `not-a-date`.
//!
//! An account's transactions are generated from its seed ([`AccountSeed`]): each device of the
//! chosen MDM fleet as a vendor bill from its seller, the device's serial in the line's memo;
//! software subscriptions as vendor bills; monitors and docks as purchase orders. More can be
//! added ([`NetSuiteSandbox::add_purchase`]).
//!
//! Control endpoints, under `/_control/netsuite/{account}` (faults and stats as every simulator
//! has them; the account id in any case):
//! - `PUT` `{"consumer_key", "consumer_secret", "token_id", "token_secret", "devices": 200,
//!   "fleet": "jamf"}`: create or reset an account;
//! - `POST /purchases` with a [`PurchaseDocument`]: add a transaction, answers `{"id"}`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

pub use super::books::{DocumentKind, DocumentLine, Fleet, PurchaseDocument, StoredPurchase};
use super::books::{Filing, catalogue, decimal};
use super::control::{self, Controlled};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use crate::oauth1;

/// The largest page the simulator serves, and its page when the request names none.
pub const MAX_LIMIT: u64 = 1000;
/// The internal id of an account's first transaction; the next ones count up from it.
pub const FIRST_TRANSACTION_ID: u64 = 1001;
/// How far a request's timestamp may be from the simulator's clock, in seconds.
pub const TIMESTAMP_TOLERANCE_SECS: u64 = 300;
/// How many nonces an account remembers before it forgets those past the clock tolerance.
const MAX_REMEMBERED_NONCES: usize = 10_000;
/// How an account's generated purchases are filed.
const FILING: Filing = Filing {
    devices: DocumentKind::Bill,
    accessories: DocumentKind::PurchaseOrder,
    software: DocumentKind::Bill,
};

/// An account present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountSeed {
    /// The account id, e.g. `1234567_SB1`; the OAuth realm is its upper case.
    pub account_id: String,
    /// The integration record's consumer key and secret.
    pub consumer_key: String,
    pub consumer_secret: String,
    /// The access token's id and secret.
    pub token_id: String,
    pub token_secret: String,
    /// How many devices of `fleet` the company bought.
    pub devices: u64,
    pub fleet: Fleet,
}

impl Default for AccountSeed {
    fn default() -> Self {
        AccountSeed {
            account_id: "1234567_SB1".into(),
            consumer_key: "sandbox-netsuite-consumer-key".into(),
            consumer_secret: "sandbox-netsuite-consumer-secret".into(),
            token_id: "sandbox-netsuite-token-id".into(),
            token_secret: "sandbox-netsuite-token-secret".into(),
            devices: 200,
            fleet: Fleet::Jamf,
        }
    }
}

/// The generated purchases of `seed`'s account, in the order they are filed (the first gets
/// [`FIRST_TRANSACTION_ID`]).
pub fn generate(seed: &AccountSeed) -> Vec<PurchaseDocument> {
    catalogue(seed.fleet, seed.devices, FILING)
}

/// The NetSuite transaction type a document is filed as.
pub fn transaction_type(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Bill => "VendBill",
        DocumentKind::PurchaseOrder => "PurchOrd",
        DocumentKind::Expense => "CardChrg",
    }
}

#[derive(Debug)]
struct Account {
    consumer_key: String,
    consumer_secret: String,
    token_id: String,
    token_secret: String,
    faults: Faults,
    requests: u64,
    /// Requests refused for their authentication.
    refused: u64,
    /// Nonces seen, with their timestamps.
    nonces: HashSet<(String, String)>,
    documents: Vec<StoredPurchase>,
    next_id: u64,
}

impl Account {
    fn file(&mut self, document: PurchaseDocument) -> String {
        let id = self.next_id.to_string();
        self.next_id += 1;
        self.documents.push(StoredPurchase {
            id: id.clone(),
            document,
        });
        id
    }

    /// Why the signed request is not this account's, if it is not. `parameters` are the
    /// header's, `url` the request's as the client addressed it.
    fn refuse(
        &self,
        method: &str,
        url: &reqwest::Url,
        parameters: &[(String, String)],
    ) -> Option<String> {
        let get = |name: &str| {
            parameters
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if get("oauth_consumer_key") != Some(self.consumer_key.as_str()) {
            return Some("unknown consumer key".into());
        }
        if get("oauth_token") != Some(self.token_id.as_str()) {
            return Some("unknown token".into());
        }
        if get("oauth_signature_method") != Some(oauth1::SIGNATURE_METHOD) {
            return Some("unsupported signature method".into());
        }
        if get("oauth_version").is_some_and(|v| v != oauth1::VERSION) {
            return Some("unsupported OAuth version".into());
        }
        let Some(timestamp) = get("oauth_timestamp").and_then(|t| t.parse::<u64>().ok()) else {
            return Some("missing timestamp".into());
        };
        if timestamp.abs_diff(oauth1::timestamp_now()) > TIMESTAMP_TOLERANCE_SECS {
            return Some("timestamp out of range".into());
        }
        let nonce = get("oauth_nonce").unwrap_or_default();
        if nonce.len() < 6 {
            return Some("nonce rejected".into());
        }
        if self
            .nonces
            .contains(&(nonce.to_owned(), timestamp.to_string()))
        {
            return Some("nonce used".into());
        }
        let protocol: Vec<(&str, &str)> = parameters
            .iter()
            .filter(|(k, _)| k != "realm" && k != "oauth_signature")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let base_string = oauth1::signature_base_string(method, url, &protocol);
        let expected = oauth1::signature(&base_string, &self.consumer_secret, &self.token_secret);
        (get("oauth_signature") != Some(expected.as_str())).then(|| "signature mismatch".into())
    }
}

#[derive(Debug, Default)]
struct Registry {
    /// By realm (the account id in upper case).
    accounts: HashMap<String, Account>,
    /// Requests no account could be found for.
    unattributed: u64,
}

/// The simulated NetSuite accounts, keyed by realm; cheap to clone (shared state). Methods take
/// the account id in any case.
#[derive(Debug, Clone, Default)]
pub struct NetSuiteSandbox {
    registry: Arc<Mutex<Registry>>,
}

impl NetSuiteSandbox {
    /// The accounts in `seeds`.
    pub fn new(seeds: Vec<AccountSeed>) -> Self {
        let sandbox = NetSuiteSandbox::default();
        for seed in seeds {
            sandbox.put_account(seed);
        }
        sandbox
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with<T>(&self, account: &str, f: impl FnOnce(&mut Account) -> T) -> Option<T> {
        self.lock()
            .accounts
            .get_mut(&crate::netsuite::realm(account))
            .map(f)
    }

    /// Creates or resets an account: its transactions regenerated, faults and counters new.
    pub fn put_account(&self, seed: AccountSeed) {
        let mut account = Account {
            consumer_key: seed.consumer_key.clone(),
            consumer_secret: seed.consumer_secret.clone(),
            token_id: seed.token_id.clone(),
            token_secret: seed.token_secret.clone(),
            faults: Faults::default(),
            requests: 0,
            refused: 0,
            nonces: HashSet::new(),
            documents: Vec::new(),
            next_id: FIRST_TRANSACTION_ID,
        };
        for document in generate(&seed) {
            account.file(document);
        }
        self.lock()
            .accounts
            .insert(crate::netsuite::realm(&seed.account_id), account);
    }

    /// Files `document` in the account; answers its internal id, `None` when there is no such
    /// account.
    pub fn add_purchase(&self, account: &str, document: PurchaseDocument) -> Option<String> {
        self.with(account, |a| a.file(document))
    }

    /// The account's transactions, in the order they were filed.
    pub fn purchases(&self, account: &str) -> Vec<StoredPurchase> {
        self.with(account, |a| a.documents.clone())
            .unwrap_or_default()
    }

    /// Vendor requests the account received.
    pub fn requests(&self, account: &str) -> u64 {
        self.with(account, |a| a.requests).unwrap_or(0)
    }

    /// Requests to the account refused for their authentication (a wrong secret, a reused
    /// nonce, ...).
    pub fn refused_logins(&self, account: &str) -> u64 {
        self.with(account, |a| a.refused).unwrap_or(0)
    }

    /// Requests no account could be found for (no header, an unknown realm).
    pub fn unattributed_requests(&self) -> u64 {
        self.lock().unattributed
    }

    /// Replaces the account's faults. False when there is no such account.
    pub fn set_faults(&self, account: &str, faults: Faults) -> bool {
        self.with(account, |a| a.faults = faults).is_some()
    }

    /// Admits a SuiteQL request: finds its account by the header's realm, counts it, refuses
    /// it unless its signature verifies, applies pending faults, then runs `answer`.
    fn admit(
        &self,
        request: &HttpRequest,
        answer: impl FnOnce(&mut Account) -> HttpResponse,
    ) -> HttpResponse {
        let parameters = request
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(oauth1::parse_authorization);
        let mut registry = self.lock();
        let account = parameters.as_ref().and_then(|parameters| {
            let realm = parameters.iter().find(|(k, _)| k == "realm")?;
            registry.accounts.get_mut(&realm.1)
        });
        let (Some(account), Some(parameters)) = (account, parameters.as_ref()) else {
            registry.unattributed += 1;
            return invalid_login();
        };
        account.requests += 1;
        let url = request_url(request);
        let refusal = match &url {
            Some(url) => account.refuse(request.method().as_str(), url, parameters),
            None => Some("unreadable request URL".into()),
        };
        if let Some(reason) = refusal {
            tracing::debug!(%reason, "simulated NetSuite refused a login");
            account.refused += 1;
            return invalid_login();
        }
        let get = |name: &str| {
            parameters
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        account
            .nonces
            .insert((get("oauth_nonce"), get("oauth_timestamp")));
        if account.nonces.len() > MAX_REMEMBERED_NONCES {
            // A nonce older than the clock tolerance is refused for its timestamp anyway.
            let now = oauth1::timestamp_now();
            account.nonces.retain(|(_, timestamp)| {
                timestamp
                    .parse::<u64>()
                    .is_ok_and(|t| t.abs_diff(now) <= TIMESTAMP_TOLERANCE_SECS)
            });
        }
        if let Some(misbehaviour) = account.faults.take_misbehaviour() {
            return misbehaved(misbehaviour);
        }
        answer(account)
    }

    /// Takes a pending "slow" fault of the account the request's realm names, outside the lock.
    async fn stall(&self, request: &HttpRequest) {
        let realm = request
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(oauth1::parse_authorization)
            .and_then(|parameters| parameters.into_iter().find(|(k, _)| k == "realm"))
            .map(|(_, realm)| realm);
        let delay =
            realm.and_then(|realm| self.lock().accounts.get_mut(&realm)?.faults.take_delay());
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

impl Controlled for NetSuiteSandbox {
    type Company = String;

    fn with_faults<T>(&self, account: &String, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.with(account, |a| edit(&mut a.faults))
    }

    fn request_count(&self, account: &String) -> Option<u64> {
        self.with(account, |a| a.requests)
    }
}

/// The URL the client addressed: the scheme and host it connected to, the path and query.
fn request_url(request: &HttpRequest) -> Option<reqwest::Url> {
    let info = request.connection_info();
    let query = request.query_string();
    let url = if query.is_empty() {
        format!("{}://{}{}", info.scheme(), info.host(), request.path())
    } else {
        format!(
            "{}://{}{}?{query}",
            info.scheme(),
            info.host(),
            request.path()
        )
    };
    reqwest::Url::parse(&url).ok()
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/netsuite/services/rest/query/v1").route("/suiteql", web::post().to(suiteql)),
    )
    .service(control::routes::<NetSuiteSandbox>(
        web::scope("/_control/netsuite/{account}")
            .route("", web::put().to(control_put_account))
            .route("/purchases", web::post().to(control_add_purchase)),
    ));
}

/// NetSuite's error answer: `{"type", "title", "status", "o:errorDetails": [{"detail",
/// "o:errorCode"}]}`.
fn error_body(status: StatusCode, code: &str, detail: &str) -> Value {
    json!({
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    })
}

fn error(status: StatusCode, code: &str, detail: &str) -> HttpResponse {
    HttpResponse::build(status).json(error_body(status, code, detail))
}

fn invalid_login() -> HttpResponse {
    error(
        StatusCode::UNAUTHORIZED,
        "INVALID_LOGIN",
        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
    )
}

fn misbehaved(misbehaviour: Misbehaviour) -> HttpResponse {
    let body = match misbehaviour {
        Misbehaviour::RateLimited { .. } => error_body(
            StatusCode::TOO_MANY_REQUESTS,
            "CONCURRENCY_LIMIT_EXCEEDED",
            "The request could not be processed: the account's concurrency limit was reached.",
        ),
        Misbehaviour::Failed { status, .. } => error_body(
            status,
            "UNEXPECTED_ERROR",
            "An unexpected error occurred. The simulator was asked to fail.",
        ),
    };
    misbehaviour.response().json(body)
}

/// What a purchase-line query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineQuery {
    types: Vec<String>,
    since: Option<NaiveDate>,
}

/// Reads a purchase-line query: the `type IN (...)` list and a `trandate >= TO_DATE('...')`
/// bound.
fn read_query(query: &str) -> Result<LineQuery, String> {
    let lower = query.to_ascii_lowercase();
    if !lower.trim_start().starts_with("select") {
        return Err("Invalid search query: a SuiteQL query starts with SELECT".into());
    }
    if !lower.contains("transactionline") {
        return Err("Invalid search query: the simulator answers transaction line queries".into());
    }
    let types = match lower.find("type in (") {
        Some(at) => {
            let list = &query[at + "type in (".len()..];
            let list = list.split(')').next().unwrap_or_default();
            list.split(',')
                .map(|t| t.trim().trim_matches('\'').to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        }
        None => vec![
            "VendBill".to_owned(),
            "PurchOrd".to_owned(),
            "CardChrg".to_owned(),
        ],
    };
    let since = match lower.find("trandate >= to_date('") {
        Some(at) => {
            let from = at + "trandate >= to_date('".len();
            let date = query.get(from..from + 10).unwrap_or_default();
            Some(
                NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| format!("Invalid search query: {date:?} is not a date"))?,
            )
        }
        None => None,
    };
    Ok(LineQuery { types, since })
}

/// The rows of `stored`, one per line, as the purchase-line query names its columns;
/// `trandate` is `not-a-date` when `broken`.
pub fn rows(stored: &StoredPurchase, broken: bool) -> Vec<Value> {
    let document = &stored.document;
    document
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut row = json!({
                "links": [],
                "transaction_id": stored.id,
                "line_id": (i + 1).to_string(),
                "type": transaction_type(document.kind),
                "trandate": if broken { "not-a-date".to_owned() } else { document.date.to_string() },
                "supplier": document.supplier,
                "currency": document.currency,
                "memo": line.description,
                "quantity": line.quantity,
                "rate": decimal(line.unit_price_cents),
                "amount": decimal(line.amount_cents()),
            });
            if let Some(number) = &document.number {
                row["tranid"] = json!(number);
            }
            if let Some(item) = &line.item {
                row["item"] = json!(item);
            }
            row
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct Paging {
    limit: Option<String>,
    offset: Option<String>,
}

#[derive(Debug, Deserialize)]
struct QueryBody {
    q: String,
}

async fn suiteql(
    sandbox: web::Data<NetSuiteSandbox>,
    request: HttpRequest,
    paging: Option<web::Query<Paging>>,
    body: Option<web::Json<QueryBody>>,
) -> HttpResponse {
    sandbox.stall(&request).await;
    let paging = paging.map(web::Query::into_inner).unwrap_or_default();
    let transient = request
        .headers()
        .get("Prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("transient"));
    sandbox.admit(&request, |account| {
        if !transient {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_HEADER",
                "SuiteQL queries need the header Prefer: transient.",
            );
        }
        let number = |value: &Option<String>, default: u64| match value {
            None => Some(default),
            Some(text) => text.trim().parse::<u64>().ok(),
        };
        let (Some(limit), Some(offset)) =
            (number(&paging.limit, MAX_LIMIT), number(&paging.offset, 0))
        else {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_PARAMETER",
                "limit and offset are whole numbers.",
            );
        };
        if !(1..=MAX_LIMIT).contains(&limit) {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_PARAMETER",
                &format!("Invalid limit {limit}: it is from 1 to {MAX_LIMIT}."),
            );
        }
        let Some(body) = body.as_ref() else {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_CONTENT",
                "The request body is not {\"q\": \"...\"}.",
            );
        };
        let query = match read_query(&body.q) {
            Ok(query) => query,
            Err(detail) => return error(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", &detail),
        };
        let all: Vec<Value> = account
            .documents
            .iter()
            .filter(|d| {
                query
                    .types
                    .iter()
                    .any(|t| t == transaction_type(d.document.kind))
            })
            .filter(|d| query.since.is_none_or(|since| d.document.date >= since))
            .flat_map(|d| rows(d, account.faults.breaks(&d.id)))
            .collect();
        let total = all.len() as u64;
        let items: Vec<Value> = all
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect();
        let count = items.len() as u64;
        let has_more = offset + count < total;
        let here = request_url(&request)
            .map(|url| url.to_string())
            .unwrap_or_default();
        let mut links = vec![json!({"rel": "self", "href": here})];
        if has_more && let Some(mut next) = request_url(&request) {
            next.set_query(Some(&format!("limit={limit}&offset={}", offset + limit)));
            links.insert(0, json!({"rel": "next", "href": next.to_string()}));
        }
        HttpResponse::Ok().json(json!({
            "links": links,
            "count": count,
            "hasMore": has_more,
            "items": items,
            "offset": offset,
            "totalResults": total,
        }))
    })
}

#[derive(Debug, Deserialize)]
struct PutAccount {
    consumer_key: String,
    consumer_secret: String,
    token_id: String,
    token_secret: String,
    #[serde(default)]
    devices: u64,
    fleet: Option<Fleet>,
}

async fn control_put_account(
    sandbox: web::Data<NetSuiteSandbox>,
    account: web::Path<String>,
    body: web::Json<PutAccount>,
) -> HttpResponse {
    let body = body.into_inner();
    sandbox.put_account(AccountSeed {
        account_id: account.into_inner(),
        consumer_key: body.consumer_key,
        consumer_secret: body.consumer_secret,
        token_id: body.token_id,
        token_secret: body.token_secret,
        devices: body.devices,
        fleet: body.fleet.unwrap_or_default(),
    });
    HttpResponse::NoContent().finish()
}

async fn control_add_purchase(
    sandbox: web::Data<NetSuiteSandbox>,
    account: web::Path<String>,
    document: web::Json<PurchaseDocument>,
) -> HttpResponse {
    match sandbox.add_purchase(&account, document.into_inner()) {
        Some(id) => HttpResponse::Created().json(json!({ "id": id })),
        None => control::not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_clients_query() {
        let since = NaiveDate::from_ymd_opt(2026, 2, 1);
        let query = read_query(&crate::netsuite::purchase_lines_query(since)).unwrap();
        assert_eq!(query.types, ["VendBill", "PurchOrd"]);
        assert_eq!(query.since, since);
        let all = read_query(&crate::netsuite::purchase_lines_query(None)).unwrap();
        assert_eq!(all.since, None);
        assert!(read_query("SELECT id FROM customer").is_err());
        assert!(read_query("DELETE FROM transactionline").is_err());
        assert!(
            read_query(
                "SELECT * FROM transactionline WHERE trandate >= TO_DATE('2/1/2026', 'MM/DD/YYYY')"
            )
            .is_err()
        );
    }

    #[test]
    fn rows_parse_with_the_client() {
        let seed = AccountSeed {
            devices: 5,
            ..AccountSeed::default()
        };
        let documents = generate(&seed);
        let stored = StoredPurchase {
            id: "1001".into(),
            document: documents[0].clone(),
        };
        let lines: Vec<_> = rows(&stored, false)
            .iter()
            .map(crate::netsuite::parse_row)
            .collect();
        let laptop = lines[0].as_ref().unwrap();
        assert_eq!(laptop.external_id, "VendBill:1001:1");
        assert_eq!(laptop.serial_number, Some(super::super::jamf::serial(1)));
        assert_eq!(laptop.amount_cents, documents[0].lines[0].amount_cents());
        let broken = crate::netsuite::parse_row(&rows(&stored, true)[0]).unwrap_err();
        assert!(broken.reason.contains("trandate"), "{broken}");
    }
}
