//! A QuickBooks Online simulator, faithful to what [`crate::quickbooks`] relies on.
//!
//! One simulator serves any number of companies (realms). Vendor endpoints, under
//! `/quickbooks`:
//! - `POST /oauth2/v1/tokens/bearer` (Intuit's token endpoint): the app's client id and secret
//!   as HTTP Basic, form-encoded `grant_type=refresh_token` and `refresh_token` →
//!   `{"token_type": "bearer", "access_token", "expires_in", "refresh_token",
//!   "x_refresh_token_expires_in"}`. The refresh token rotates, as Intuit's does: the answer
//!   carries a new one and the one sent stops working (a 400 `{"error": "invalid_grant"}` from
//!   then on). A wrong client id or secret is a 401 `{"error": "invalid_client"}`, another grant
//!   type a 400 `{"error": "unsupported_grant_type"}`.
//! - `GET /v3/company/{realmId}/query?query=...&minorversion=...` → `{"QueryResponse":
//!   {"<Entity>": [...], "startPosition", "maxResults"}, "time"}` (an empty `QueryResponse`
//!   when nothing matches). The statements understood: `SELECT * FROM` `Purchase`, `Bill` or
//!   `PurchaseOrder`, optionally `WHERE TxnDate` compared (`>=`, `>`, `=`, `<=`, `<`) with a
//!   quoted `YYYY-MM-DD` (several joined by `AND`), `ORDERBY MetaData.CreateTime`, `Id` or
//!   `TxnDate` (`ASC` or `DESC`), `STARTPOSITION n` (from 1), `MAXRESULTS m` (more than 1000
//!   is served as 1000); keywords in any case. Documents are created in id order, so ordering
//!   by creation time is ordering by id. Anything else is a 400 `ValidationFault`
//!   (`QueryParserError`).
//! - `GET /v3/company/{realmId}/companyinfo/{realmId}` → `{"CompanyInfo", "time"}`.
//!
//! API calls need `Authorization: Bearer` with an access token the company issued that has not
//! run out: otherwise a 401 Fault (`AuthenticationFailed`, code 3200); a token of another
//! company gets a 403 (`ApplicationAuthorizationFailed`). Errors are Intuit's `{"Fault":
//! {"Error": [{"Message", "Detail", "code"}], "type"}, "time"}`. Faults apply to every vendor
//! request, token requests included; a malformed document's `TxnDate` is `not-a-date`.
//!
//! A company's purchases are generated from its seed ([`CompanySeed`]): each device of the
//! chosen MDM fleet as a Bill from its seller, with the device's serial in the line
//! (`"MacBook Pro 14 M3, SN: JMF000000017"`); monitors, docks and software subscriptions as
//! card Purchases. More can be added ([`QuickBooksSandbox::add_purchase`]).
//!
//! Control endpoints, under `/_control/quickbooks/{realmId}` (faults and stats as every
//! simulator has them):
//! - `PUT` `{"client_id": "...", "client_secret": "...", "refresh_token": "...", "devices":
//!   200, "fleet": "jamf", "company_name": "...", "token_lifetime_secs": 3600}`: create or
//!   reset a company;
//! - `POST /purchases` with a [`PurchaseDocument`]: add a document, answers `{"id"}`;
//! - `GET /refresh-token`: `{"refresh_token"}`, the one that works now (a client that ran has
//!   rotated the seeded one);
//! - `POST /tokens/expire`: every access token issued so far stops working.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Days, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

pub use super::books::{DocumentKind, DocumentLine, Fleet, PurchaseDocument, StoredPurchase};
use super::books::{Filing, catalogue, money, ref_id};
use super::control::{self, Controlled};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
use super::mdm::bearer;
use super::tokens::{IssuedTokens, TokenState};
use super::workforce::fingerprint;

/// The largest page the simulator serves.
pub const MAX_RESULTS: u64 = 1000;
/// The id of a company's first document; the next ones count up from it.
pub const FIRST_DOCUMENT_ID: u64 = 101;
/// How a company's generated purchases are filed.
const FILING: Filing = Filing {
    devices: DocumentKind::Bill,
    accessories: DocumentKind::Expense,
    software: DocumentKind::Expense,
};

/// A company present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct CompanySeed {
    /// The company's realm id (digits).
    pub realm_id: String,
    pub company_name: String,
    /// The Intuit app allowed into the company.
    pub client_id: String,
    pub client_secret: String,
    /// The refresh token that works first; each use rotates it.
    pub refresh_token: String,
    /// How many devices of `fleet` the company bought (device `n` is the MDM simulator's
    /// device `n`, by serial number).
    pub devices: u64,
    pub fleet: Fleet,
    /// How long issued access tokens live.
    pub token_lifetime_secs: u64,
}

impl Default for CompanySeed {
    fn default() -> Self {
        CompanySeed {
            realm_id: "9341452917364120".into(),
            company_name: "Acme Corp".into(),
            client_id: "sandbox-quickbooks-client".into(),
            client_secret: "sandbox-quickbooks-secret".into(),
            refresh_token: "sandbox-quickbooks-refresh-token".into(),
            devices: 200,
            fleet: Fleet::Jamf,
            token_lifetime_secs: 3600,
        }
    }
}

/// The generated purchases of `seed`'s company, in the order they are filed (the first gets
/// [`FIRST_DOCUMENT_ID`]).
pub fn generate(seed: &CompanySeed) -> Vec<PurchaseDocument> {
    catalogue(seed.fleet, seed.devices, FILING)
}

/// The QuickBooks entity a document is filed as.
pub fn entity(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Bill => "Bill",
        DocumentKind::Expense => "Purchase",
        DocumentKind::PurchaseOrder => "PurchaseOrder",
    }
}

#[derive(Debug)]
struct Company {
    name: String,
    client_id: String,
    client_secret: String,
    /// The refresh token that works now.
    refresh_token: String,
    /// Refresh tokens used up by rotation.
    retired: HashSet<String>,
    tokens: IssuedTokens,
    faults: Faults,
    requests: u64,
    token_requests: u64,
    documents: Vec<StoredPurchase>,
    next_id: u64,
}

impl Company {
    fn file(&mut self, document: PurchaseDocument) -> String {
        let id = self.next_id.to_string();
        self.next_id += 1;
        self.documents.push(StoredPurchase {
            id: id.clone(),
            document,
        });
        id
    }
}

#[derive(Debug, Default)]
struct Registry {
    companies: HashMap<String, Company>,
    /// Requests no company could be found for.
    unattributed: u64,
}

/// The simulated QuickBooks companies, keyed by realm id; cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct QuickBooksSandbox {
    registry: Arc<Mutex<Registry>>,
}

impl QuickBooksSandbox {
    /// The companies in `seeds`.
    pub fn new(seeds: Vec<CompanySeed>) -> Self {
        let sandbox = QuickBooksSandbox::default();
        for seed in seeds {
            sandbox.put_company(seed);
        }
        sandbox
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with<T>(&self, realm: &str, f: impl FnOnce(&mut Company) -> T) -> Option<T> {
        self.lock().companies.get_mut(realm).map(f)
    }

    /// Creates or resets a company: its purchases regenerated, its tokens, faults and counters
    /// new.
    pub fn put_company(&self, seed: CompanySeed) {
        let mut company = Company {
            name: seed.company_name.clone(),
            client_id: seed.client_id.clone(),
            client_secret: seed.client_secret.clone(),
            refresh_token: seed.refresh_token.clone(),
            retired: HashSet::new(),
            tokens: IssuedTokens::new(Duration::from_secs(seed.token_lifetime_secs)),
            faults: Faults::default(),
            requests: 0,
            token_requests: 0,
            documents: Vec::new(),
            next_id: FIRST_DOCUMENT_ID,
        };
        for document in generate(&seed) {
            company.file(document);
        }
        self.lock().companies.insert(seed.realm_id, company);
    }

    /// Files `document` in the company; answers its id, `None` when there is no such company.
    pub fn add_purchase(&self, realm: &str, document: PurchaseDocument) -> Option<String> {
        self.with(realm, |company| company.file(document))
    }

    /// The company's documents, in the order they were filed.
    pub fn purchases(&self, realm: &str) -> Vec<StoredPurchase> {
        self.with(realm, |company| company.documents.clone())
            .unwrap_or_default()
    }

    /// The refresh token that works now.
    pub fn current_refresh_token(&self, realm: &str) -> Option<String> {
        self.with(realm, |company| company.refresh_token.clone())
    }

    /// Vendor requests the company received, token requests included.
    pub fn requests(&self, realm: &str) -> u64 {
        self.with(realm, |c| c.requests).unwrap_or(0)
    }

    /// Token requests the company received.
    pub fn token_requests(&self, realm: &str) -> u64 {
        self.with(realm, |c| c.token_requests).unwrap_or(0)
    }

    /// Requests no company could be found for (an unknown client or token).
    pub fn unattributed_requests(&self) -> u64 {
        self.lock().unattributed
    }

    /// Replaces the company's faults. False when there is no such company.
    pub fn set_faults(&self, realm: &str, faults: Faults) -> bool {
        self.with(realm, |c| c.faults = faults).is_some()
    }

    /// Every access token issued so far stops working (the refresh token still does). False
    /// when there is no such company.
    pub fn expire_tokens(&self, realm: &str) -> bool {
        self.with(realm, |c| c.tokens.expire_all()).is_some()
    }

    /// Takes a pending "slow" fault of the company `pick` finds, outside the lock.
    async fn stall(&self, pick: impl FnOnce(&Registry) -> Option<String>) {
        let delay = {
            let mut registry = self.lock();
            pick(&registry)
                .and_then(|realm| registry.companies.get_mut(&realm)?.faults.take_delay())
        };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }

    /// Answers a refresh-token request from the app `client` (Basic user and password).
    fn refresh(&self, client: Option<(String, String)>, form: &RefreshRequest) -> HttpResponse {
        let mut registry = self.lock();
        let (client_id, secret) = client.unwrap_or_default();
        let sent = form.refresh_token.as_deref().unwrap_or_default();
        // One app may reach many companies: the refresh token says which.
        let realm = registry
            .companies
            .iter()
            .filter(|(_, c)| !client_id.is_empty() && c.client_id == client_id)
            .max_by_key(|(_, c)| (c.refresh_token == sent, c.retired.contains(sent)))
            .map(|(realm, _)| realm.clone());
        let Some(realm) = realm else {
            registry.unattributed += 1;
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        };
        let Some(company) = registry.companies.get_mut(&realm) else {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        };
        company.requests += 1;
        company.token_requests += 1;
        if let Some(misbehaviour) = company.faults.take_misbehaviour() {
            return misbehaviour
                .response()
                .json(json!({"error": "server_error"}));
        }
        if company.client_secret != secret {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        }
        if form.grant_type.as_deref() != Some("refresh_token") {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
        }
        if sent.is_empty() || company.refresh_token != sent {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
        }
        let (access_token, expires_in) = company.tokens.issue(&format!("quickbooks/{realm}"));
        let rotations = company.retired.len() + 1;
        let rotated = format!(
            "RT1-{:08x}{:08x}-{rotations}",
            fingerprint(&realm),
            fingerprint(&format!("{realm}/{sent}/{rotations}"))
        );
        company.retired.insert(std::mem::replace(
            &mut company.refresh_token,
            rotated.clone(),
        ));
        HttpResponse::Ok().json(json!({
            "token_type": "bearer",
            "access_token": access_token,
            "expires_in": expires_in,
            "refresh_token": rotated,
            "x_refresh_token_expires_in": 8_726_400,
        }))
    }

    /// Admits an API request to `realm`: counts it, refuses it without a valid token of that
    /// company, applies pending faults, then runs `answer` on the company.
    fn admit(
        &self,
        request: &HttpRequest,
        realm: &str,
        answer: impl FnOnce(&mut Company) -> HttpResponse,
    ) -> HttpResponse {
        let mut registry = self.lock();
        let token = bearer(request).unwrap_or_default();
        let owner = registry.companies.iter().find_map(|(key, c)| {
            let state = c.tokens.state(&token);
            (state != TokenState::Unknown).then(|| (key.clone(), state))
        });
        let Some(company) = registry.companies.get_mut(realm) else {
            registry.unattributed += 1;
            return match owner {
                Some(_) => forbidden(),
                None => unauthorized(),
            };
        };
        company.requests += 1;
        match owner {
            Some((key, TokenState::Valid)) if key == realm => {}
            Some((key, TokenState::Valid)) if key != realm => return forbidden(),
            _ => return unauthorized(),
        }
        if let Some(misbehaviour) = company.faults.take_misbehaviour() {
            return misbehaved(misbehaviour);
        }
        answer(company)
    }
}

impl Controlled for QuickBooksSandbox {
    type Company = String;

    fn with_faults<T>(&self, realm: &String, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.with(realm, |c| edit(&mut c.faults))
    }

    fn request_count(&self, realm: &String) -> Option<u64> {
        self.with(realm, |c| c.requests)
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/quickbooks")
            .route("/oauth2/v1/tokens/bearer", web::post().to(token))
            .route("/v3/company/{realm}/query", web::get().to(query))
            .route(
                "/v3/company/{realm}/companyinfo/{id}",
                web::get().to(company_info),
            ),
    )
    .service(control::routes::<QuickBooksSandbox>(
        web::scope("/_control/quickbooks/{realm}")
            .route("", web::put().to(control_put_company))
            .route("/purchases", web::post().to(control_add_purchase))
            .route("/refresh-token", web::get().to(control_refresh_token))
            .route("/tokens/expire", web::post().to(control_expire_tokens)),
    ));
}

/// Intuit's time stamp of an answer.
fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// Intuit's error answer: `{"Fault": {"Error": [{"Message", "Detail", "code"}], "type"},
/// "time"}`.
fn fault_body(kind: &str, message: &str, detail: &str, code: &str) -> Value {
    json!({
        "Fault": {"Error": [{"Message": message, "Detail": detail, "code": code}], "type": kind},
        "time": now(),
    })
}

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(fault_body(
        "AUTHENTICATION",
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        "Token expired or invalid: the access token was not issued for this app or has run out",
        "3200",
    ))
}

fn forbidden() -> HttpResponse {
    HttpResponse::Forbidden().json(fault_body(
        "AUTHORIZATION",
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        "The access token does not reach this company",
        "3100",
    ))
}

fn misbehaved(misbehaviour: Misbehaviour) -> HttpResponse {
    let body = match misbehaviour {
        Misbehaviour::RateLimited { .. } => fault_body(
            "SERVICE",
            "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            "The request limit was reached",
            "3001",
        ),
        Misbehaviour::Failed { .. } => fault_body(
            "SystemFault",
            "An application error has occurred while processing your request",
            "System Failure Error: the simulator was asked to fail",
            "10000",
        ),
    };
    misbehaviour.response().json(body)
}

fn validation_fault(detail: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(fault_body(
        "ValidationFault",
        "Error parsing query",
        &format!("QueryParserError: {detail}"),
        "4000",
    ))
}

fn oauth_error(status: StatusCode, error: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": error }))
}

/// A refresh-token request (`application/x-www-form-urlencoded`); fields the client left out
/// are `None`.
#[derive(Debug, Default, Deserialize)]
struct RefreshRequest {
    grant_type: Option<String>,
    refresh_token: Option<String>,
}

async fn token(
    sandbox: web::Data<QuickBooksSandbox>,
    request: HttpRequest,
    form: Option<web::Form<RefreshRequest>>,
) -> HttpResponse {
    let form = form.map(web::Form::into_inner).unwrap_or_default();
    let client = super::basic_credentials(&request);
    let client_id = client
        .as_ref()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    sandbox
        .stall(|registry| {
            registry
                .companies
                .iter()
                .find(|(_, c)| c.client_id == client_id)
                .map(|(realm, _)| realm.clone())
        })
        .await;
    sandbox.refresh(client, &form)
}

/// How a query compares `TxnDate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    AtLeast,
    After,
    On,
    AtMost,
    Before,
}

/// A select statement the simulator understands.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    entity: &'static str,
    dates: Vec<(Comparison, NaiveDate)>,
    descending: bool,
    by_date: bool,
    start: u64,
    max_results: u64,
}

/// The statement's words: quoted literals (quotes kept) and comparison operators are words of
/// their own.
fn words(statement: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = statement.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut literal = String::from("'");
            loop {
                match chars.next() {
                    Some('\'') => break,
                    Some(ch) => literal.push(ch),
                    None => return Err("unterminated string literal".into()),
                }
            }
            out.push(literal);
        } else if matches!(c, '<' | '>' | '=') {
            chars.next();
            let mut op = c.to_string();
            if c != '=' && chars.peek() == Some(&'=') {
                chars.next();
                op.push('=');
            }
            out.push(op);
        } else {
            let mut word = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() || matches!(ch, '\'' | '<' | '>' | '=') {
                    break;
                }
                word.push(ch);
                chars.next();
            }
            out.push(word);
        }
    }
    Ok(out)
}

fn parse_statement(statement: &str) -> Result<Statement, String> {
    let words = words(statement)?;
    let mut at = words.iter().map(String::as_str).peekable();
    let mut expect = |want: &str| match at.next() {
        Some(word) if word.eq_ignore_ascii_case(want) => Ok(()),
        Some(word) => Err(format!("Encountered \"{word}\", expected \"{want}\"")),
        None => Err(format!("expected \"{want}\"")),
    };
    expect("select")?;
    expect("*")?;
    expect("from")?;
    let entity = match at.next() {
        Some(e) if e.eq_ignore_ascii_case("Purchase") => "Purchase",
        Some(e) if e.eq_ignore_ascii_case("Bill") => "Bill",
        Some(e) if e.eq_ignore_ascii_case("PurchaseOrder") => "PurchaseOrder",
        Some(e) => return Err(format!("unsupported entity \"{e}\"")),
        None => return Err("expected an entity".into()),
    };
    let mut parsed = Statement {
        entity,
        dates: Vec::new(),
        descending: false,
        by_date: false,
        start: 1,
        max_results: 100,
    };
    let number = |word: Option<&str>, what: &str| {
        word.and_then(|w| w.parse::<u64>().ok())
            .ok_or_else(|| format!("{what} needs a number"))
    };
    while let Some(word) = at.next() {
        match word.to_ascii_lowercase().as_str() {
            "where" | "and" => {
                let field = at.next().unwrap_or_default();
                if !field.eq_ignore_ascii_case("TxnDate") {
                    return Err(format!("cannot filter on \"{field}\""));
                }
                let comparison = match at.next() {
                    Some(">=") => Comparison::AtLeast,
                    Some(">") => Comparison::After,
                    Some("=") => Comparison::On,
                    Some("<=") => Comparison::AtMost,
                    Some("<") => Comparison::Before,
                    other => return Err(format!("unsupported operator {other:?}")),
                };
                let literal = at.next().unwrap_or_default();
                let date = literal
                    .strip_prefix('\'')
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .ok_or_else(|| format!("\"{literal}\" is not a quoted date"))?;
                parsed.dates.push((comparison, date));
            }
            "orderby" => {
                let field = at.next().unwrap_or_default();
                parsed.by_date = match field.to_ascii_lowercase().as_str() {
                    "metadata.createtime" | "id" => false,
                    "txndate" => true,
                    _ => return Err(format!("cannot order by \"{field}\"")),
                };
                if let Some(order) = at.peek()
                    && (order.eq_ignore_ascii_case("asc") || order.eq_ignore_ascii_case("desc"))
                {
                    parsed.descending = order.eq_ignore_ascii_case("desc");
                    at.next();
                }
            }
            "startposition" => {
                parsed.start = number(at.next(), "STARTPOSITION")?.max(1);
            }
            "maxresults" => {
                parsed.max_results = number(at.next(), "MAXRESULTS")?.clamp(1, MAX_RESULTS);
            }
            _ => return Err(format!("Encountered \"{word}\"")),
        }
    }
    Ok(parsed)
}

impl Statement {
    fn matches(&self, date: NaiveDate) -> bool {
        self.dates
            .iter()
            .all(|(comparison, bound)| match comparison {
                Comparison::AtLeast => date >= *bound,
                Comparison::After => date > *bound,
                Comparison::On => date == *bound,
                Comparison::AtMost => date <= *bound,
                Comparison::Before => date < *bound,
            })
    }
}

#[derive(Debug, Default, Deserialize)]
struct QueryParameters {
    query: Option<String>,
    minorversion: Option<String>,
}

async fn query(
    sandbox: web::Data<QuickBooksSandbox>,
    request: HttpRequest,
    realm: web::Path<String>,
    parameters: Option<web::Query<QueryParameters>>,
) -> HttpResponse {
    let realm = realm.into_inner();
    sandbox.stall(|_| Some(realm.clone())).await;
    let parameters = parameters.map(web::Query::into_inner).unwrap_or_default();
    if parameters
        .minorversion
        .as_deref()
        .is_some_and(|v| v.parse::<u32>().is_err())
    {
        return validation_fault("minorversion is not a number");
    }
    let statement = match parameters.query.as_deref().map(parse_statement) {
        Some(Ok(statement)) => statement,
        Some(Err(detail)) => return validation_fault(&detail),
        None => return validation_fault("the query parameter is missing"),
    };
    sandbox.admit(&request, &realm, |company| {
        let mut selected: Vec<&StoredPurchase> = company
            .documents
            .iter()
            .filter(|d| entity(d.document.kind) == statement.entity)
            .filter(|d| statement.matches(d.document.date))
            .collect();
        if statement.by_date {
            selected.sort_by_key(|d| d.document.date);
        }
        if statement.descending {
            selected.reverse();
        }
        let page: Vec<Value> = selected
            .into_iter()
            .skip(usize::try_from(statement.start - 1).unwrap_or(usize::MAX))
            .take(usize::try_from(statement.max_results).unwrap_or(usize::MAX))
            .map(|stored| render(stored, company.faults.breaks(&stored.id)))
            .collect();
        let response = if page.is_empty() {
            json!({})
        } else {
            json!({
                statement.entity: page,
                "startPosition": statement.start,
                "maxResults": page.len(),
            })
        };
        HttpResponse::Ok().json(json!({"QueryResponse": response, "time": now()}))
    })
}

/// A stored document as QuickBooks renders its entity; its `TxnDate` is `not-a-date` when
/// `broken`.
pub fn render(stored: &StoredPurchase, broken: bool) -> Value {
    let document = &stored.document;
    let created = document
        .date
        .and_hms_opt(9, 0, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S-08:00")
        .to_string();
    let lines: Vec<Value> = document
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut rendered = json!({
                "Id": (i + 1).to_string(),
                "LineNum": i + 1,
                "Description": line.description,
                "Amount": money(line.amount_cents()),
            });
            match &line.item {
                Some(item) => {
                    rendered["DetailType"] = json!("ItemBasedExpenseLineDetail");
                    rendered["ItemBasedExpenseLineDetail"] = json!({
                        "ItemRef": {"value": ref_id(item), "name": item},
                        "UnitPrice": money(line.unit_price_cents),
                        "Qty": line.quantity,
                        "BillableStatus": "NotBillable",
                        "TaxCodeRef": {"value": "NON"},
                    });
                }
                None => {
                    let account = line.account.as_deref().unwrap_or("Other expenses");
                    rendered["DetailType"] = json!("AccountBasedExpenseLineDetail");
                    rendered["AccountBasedExpenseLineDetail"] = json!({
                        "AccountRef": {"value": ref_id(account), "name": account},
                        "BillableStatus": "NotBillable",
                        "TaxCodeRef": {"value": "NON"},
                    });
                }
            }
            rendered
        })
        .collect();
    let total = money(document.total_cents());
    let mut record = json!({
        "Id": stored.id,
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": false,
        "MetaData": {"CreateTime": created, "LastUpdatedTime": created},
        "TxnDate": if broken { "not-a-date".to_owned() } else { document.date.to_string() },
        "CurrencyRef": {"value": document.currency, "name": currency_name(&document.currency)},
        "TotalAmt": total,
        "Line": lines,
    });
    if let Some(number) = &document.number {
        record["DocNumber"] = json!(number);
    }
    let vendor = json!({"value": ref_id(&document.supplier), "name": document.supplier});
    match document.kind {
        DocumentKind::Bill => {
            record["VendorRef"] = vendor;
            record["APAccountRef"] = json!({"value": "33", "name": "Accounts Payable (A/P)"});
            record["DueDate"] = json!((document.date + Days::new(30)).to_string());
            record["Balance"] = total;
        }
        DocumentKind::Expense => {
            let mut entity = vendor;
            entity["type"] = json!("Vendor");
            record["EntityRef"] = entity;
            record["PaymentType"] = json!("CreditCard");
            record["AccountRef"] = json!({"value": "41", "name": "Company Visa"});
            record["Credit"] = json!(false);
        }
        DocumentKind::PurchaseOrder => {
            record["VendorRef"] = vendor;
            record["POStatus"] = json!("Open");
        }
    }
    record
}

fn currency_name(code: &str) -> &'static str {
    match code {
        "USD" => "United States Dollar",
        "EUR" => "Euro",
        "GBP" => "British Pound Sterling",
        "CAD" => "Canadian Dollar",
        _ => "Other",
    }
}

async fn company_info(
    sandbox: web::Data<QuickBooksSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (realm, id) = path.into_inner();
    sandbox.stall(|_| Some(realm.clone())).await;
    sandbox.admit(&request, &realm, |company| {
        if id != realm {
            return HttpResponse::BadRequest().json(fault_body(
                "ValidationFault",
                "Object Not Found",
                "Object Not Found : Something you're trying to use has been made inactive or is not found",
                "610",
            ));
        }
        HttpResponse::Ok().json(json!({
            "CompanyInfo": {
                "Id": "1",
                "SyncToken": "0",
                "CompanyName": company.name,
                "LegalName": company.name,
                "Country": "US",
                "domain": "QBO",
                "sparse": false,
            },
            "time": now(),
        }))
    })
}

#[derive(Debug, Deserialize)]
struct PutCompany {
    client_id: String,
    client_secret: String,
    refresh_token: String,
    #[serde(default)]
    devices: u64,
    fleet: Option<Fleet>,
    company_name: Option<String>,
    token_lifetime_secs: Option<u64>,
}

async fn control_put_company(
    sandbox: web::Data<QuickBooksSandbox>,
    realm: web::Path<String>,
    body: web::Json<PutCompany>,
) -> HttpResponse {
    let body = body.into_inner();
    let realm = realm.into_inner();
    if realm.is_empty() || !realm.bytes().all(|b| b.is_ascii_digit()) {
        return HttpResponse::BadRequest().json(json!({"error": "a realm id is digits"}));
    }
    let defaults = CompanySeed::default();
    sandbox.put_company(CompanySeed {
        realm_id: realm,
        company_name: body.company_name.unwrap_or(defaults.company_name),
        client_id: body.client_id,
        client_secret: body.client_secret,
        refresh_token: body.refresh_token,
        devices: body.devices,
        fleet: body.fleet.unwrap_or_default(),
        token_lifetime_secs: body
            .token_lifetime_secs
            .unwrap_or(defaults.token_lifetime_secs),
    });
    HttpResponse::NoContent().finish()
}

async fn control_add_purchase(
    sandbox: web::Data<QuickBooksSandbox>,
    realm: web::Path<String>,
    document: web::Json<PurchaseDocument>,
) -> HttpResponse {
    match sandbox.add_purchase(&realm, document.into_inner()) {
        Some(id) => HttpResponse::Created().json(json!({ "id": id })),
        None => control::not_found(),
    }
}

async fn control_refresh_token(
    sandbox: web::Data<QuickBooksSandbox>,
    realm: web::Path<String>,
) -> HttpResponse {
    match sandbox.current_refresh_token(&realm) {
        Some(token) => HttpResponse::Ok().json(json!({ "refresh_token": token })),
        None => control::not_found(),
    }
}

async fn control_expire_tokens(
    sandbox: web::Data<QuickBooksSandbox>,
    realm: web::Path<String>,
) -> HttpResponse {
    if sandbox.expire_tokens(&realm) {
        HttpResponse::NoContent().finish()
    } else {
        control::not_found()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse_as_the_client_writes_them() {
        let since = NaiveDate::from_ymd_opt(2026, 3, 1);
        let statement =
            parse_statement(&crate::quickbooks::purchase_query("Bill", since, 11, 10)).unwrap();
        assert_eq!(
            statement,
            Statement {
                entity: "Bill",
                dates: vec![(Comparison::AtLeast, since.unwrap())],
                descending: false,
                by_date: false,
                start: 11,
                max_results: 10,
            }
        );
        let loose = parse_statement(
            "select * from purchase where TxnDate>'2026-01-01' and txndate <= '2026-02-01' orderby TxnDate desc maxresults 5000",
        )
        .unwrap();
        assert_eq!(loose.entity, "Purchase");
        assert_eq!(loose.dates.len(), 2);
        assert!(loose.by_date && loose.descending);
        assert_eq!((loose.start, loose.max_results), (1, MAX_RESULTS));
        for bad in [
            "SELECT * FROM Customer",
            "SELECT Id FROM Bill",
            "SELECT * FROM Bill WHERE TotalAmt > '5'",
            "SELECT * FROM Bill WHERE TxnDate >= '03/01/2026'",
            "SELECT * FROM Bill STARTPOSITION x",
            "SELECT * FROM Bill WHERE TxnDate >= '2026-01-01",
            "SELECT * FROM Bill GROUP BY Id",
        ] {
            assert!(parse_statement(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rendered_documents_parse_with_the_client() {
        let seed = CompanySeed {
            devices: 10,
            ..CompanySeed::default()
        };
        let documents = generate(&seed);
        let stored = StoredPurchase {
            id: "101".into(),
            document: documents[0].clone(),
        };
        let lines = crate::quickbooks::parse_transaction("Bill", &render(&stored, false));
        assert_eq!(lines.len(), 2);
        let laptop = lines[0].as_ref().unwrap();
        assert_eq!(laptop.external_id, "Bill:101:1");
        assert_eq!(laptop.serial_number, Some(super::super::jamf::serial(1)));
        assert_eq!(laptop.amount_cents, documents[0].lines[0].amount_cents());
        let broken = crate::quickbooks::parse_transaction("Bill", &render(&stored, true));
        assert!(broken[0].as_ref().unwrap_err().reason.contains("TxnDate"));
    }
}
