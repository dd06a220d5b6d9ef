//! A Jamf Pro simulator, faithful to what [`crate::jamf`] relies on.
//!
//! One simulator serves any number of instances; a request's credentials say which (the client
//! id at the token endpoint, the access token after that), so every instance's `base_url` is
//! `{sandbox}/jamf`. Vendor endpoints, under `/jamf/api`:
//! - `POST /oauth/token`, form-encoded `grant_type=client_credentials`, `client_id`,
//!   `client_secret` → `{"access_token", "scope", "token_type": "Bearer", "expires_in"}`; an
//!   unknown client or a wrong secret gets a 401 `{"error": "invalid_client"}`, another grant
//!   type a 400 `{"error": "unsupported_grant_type"}`;
//! - `GET /v1/computers-inventory?section=...&page=&page-size=&sort=` → `{"totalCount",
//!   "results"}`: pages from 0, `page-size` 1 to 2000 (default 100), `sort` `id` or
//!   `general.name`, `:asc` or `:desc` (default `general.name:asc`); sections not asked for
//!   are `null`, no section means `GENERAL`;
//! - `POST /v1/computer-inventory/{id}/erase` `{"pin": "123456"}` (PIN optional) → 201
//!   `{"deviceId", "commandUuid"}`, recorded ([`JamfSandbox::wipes`]); 404 for an unknown id.
//!
//! API calls need `Authorization: Bearer` with a token the instance issued and that has not
//! run out; otherwise a 401. Errors are Jamf's `{"httpStatus", "errors": [{"code",
//! "description", "id", "field"}]}`. Faults apply to every vendor request, token requests
//! included; a malformed computer's `general.lastContactTime` is `not-a-date`.
//!
//! Computers `1..=N` of an instance are generated deterministically (ids `n`, serials
//! [`serial`]`(n)`); their holders are the simulated workforce at the instance's `user_domain`
//! (the default, `acme.example.com`, is the BambooHR simulator's default company).
//!
//! Control endpoints, under `/_control/jamf/{instance}` (faults and stats as every simulator
//! has them):
//! - `PUT` `{"client_id": "...", "client_secret": "...", "computers": 500, "user_domain":
//!   "acme.example.com", "token_lifetime_secs": 1800}`: create or reset an instance;
//! - `GET /wipes`: the erase commands received, oldest first;
//! - `POST /tokens/expire`: every token issued so far stops working.

use std::collections::HashSet;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{Value, json};

use super::control;
pub use super::faults::Faults;
use super::faults::Misbehaviour;
pub use super::fleet::Wipe;
use super::fleet::{self, Platform, machine};
use super::mdm::{Auth, FleetSandbox, Refusal, Tenant, Tenants, TokenOutcome};
use super::tokens::TokenRequest;
use crate::jamf::INVENTORY_SECTIONS;

/// Computers per page when the request does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// The largest page the simulator serves.
pub const MAX_PAGE_SIZE: u64 = 2000;
/// Every inventory section Jamf Pro knows; the simulator fills those the client reads
/// ([`INVENTORY_SECTIONS`]) and answers the others `null`.
const KNOWN_SECTIONS: [&str; 24] = [
    "GENERAL",
    "DISK_ENCRYPTION",
    "PURCHASING",
    "APPLICATIONS",
    "STORAGE",
    "USER_AND_LOCATION",
    "CONFIGURATION_PROFILES",
    "PRINTERS",
    "SERVICES",
    "HARDWARE",
    "LOCAL_USER_ACCOUNTS",
    "CERTIFICATES",
    "ATTACHMENTS",
    "PLUGINS",
    "PACKAGE_RECEIPTS",
    "FONTS",
    "SECURITY",
    "OPERATING_SYSTEM",
    "LICENSED_SOFTWARE",
    "IBEACONS",
    "SOFTWARE_UPDATES",
    "EXTENSION_ATTRIBUTES",
    "CONTENT_CACHING",
    "GROUP_MEMBERSHIPS",
];

/// The serial number of generated computer `n`: `JMF` and nine digits.
pub fn serial(n: u64) -> String {
    fleet::serial("JMF", n)
}

/// The Jamf id of generated computer `n`.
pub fn computer_id(n: u64) -> String {
    n.to_string()
}

/// An instance present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct InstanceSeed {
    /// How control paths name the instance (the `acme` of `acme.jamfcloud.com`).
    pub instance: String,
    pub client_id: String,
    pub client_secret: String,
    /// How many computers to generate.
    pub computers: u64,
    /// The email domain of the computers' users.
    pub user_domain: String,
    /// How long issued access tokens live.
    pub token_lifetime_secs: u64,
}

impl Default for InstanceSeed {
    fn default() -> Self {
        InstanceSeed {
            instance: "acme".into(),
            client_id: "sandbox-jamf-client".into(),
            client_secret: "sandbox-jamf-secret".into(),
            computers: 200,
            user_domain: "acme.example.com".into(),
            token_lifetime_secs: 1800,
        }
    }
}

/// Generated computer `n` of an instance, every section filled: same input, same computer,
/// every run.
pub fn generate(instance: &str, user_domain: &str, n: u64) -> Value {
    let computer = machine(n, &[Platform::Mac], user_domain);
    let holder = computer.holder.as_ref();
    json!({
        "id": computer_id(n),
        "udid": fleet::uuid(&format!("jamf/{instance}/udid"), n).to_uppercase(),
        "general": {
            "name": computer.name,
            "lastContactTime": computer.last_check_in.to_rfc3339_opts(SecondsFormat::Secs, true),
            "platform": "Mac",
            "managementId": fleet::uuid(&format!("jamf/{instance}/management"), n),
            "assetTag": null,
            "remoteManagement": {"managed": true},
        },
        "hardware": {
            "make": "Apple",
            "model": computer.model,
            "serialNumber": serial(n),
        },
        "operatingSystem": {
            "name": computer.platform.os_name(),
            "version": computer.os_version,
        },
        "userAndLocation": {
            "username": holder.map(fleet::Holder::username).unwrap_or_default(),
            "realname": holder.map(fleet::Holder::full_name).unwrap_or_default(),
            "email": holder.map(|h| h.email.clone()).unwrap_or_default(),
            "position": "",
        },
    })
}

/// What a Jamf Pro webhook posts about generated computer `n` for `event` (one of
/// [`crate::jamf::COMPUTER_EVENTS`]), as the documented samples show it.
pub fn webhook_payload(
    instance: &str,
    user_domain: &str,
    n: u64,
    event: &str,
    webhook_id: u64,
    at: chrono::DateTime<chrono::Utc>,
) -> Value {
    let c = generate(instance, user_domain, n);
    json!({
        "event": {
            "deviceName": c["general"]["name"],
            "emailAddress": c["userAndLocation"]["email"],
            "jssID": n,
            "model": c["hardware"]["model"],
            "osBuild": "",
            "osVersion": c["operatingSystem"]["version"],
            "realName": c["userAndLocation"]["realname"],
            "serialNumber": c["hardware"]["serialNumber"],
            "udid": c["udid"],
            "userDirectoryID": "-1",
            "username": c["userAndLocation"]["username"],
        },
        "webhook": {
            "eventTimestamp": at.timestamp_millis(),
            "id": webhook_id,
            "name": "Assetronics",
            "webhookEvent": event,
        },
    })
}

/// Posts a webhook body to a receiver as Jamf Pro does (JSON, HTTP Basic credentials when the
/// webhook has them); answers the receiver's status and body.
pub async fn send_webhook(url: &str, body: &Value, auth: Option<(&str, &str)>) -> (u16, String) {
    let client = reqwest::Client::new();
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    match request.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.text().await.unwrap_or_default())
        }
        Err(e) => (0, e.to_string()),
    }
}

/// Names the Jamf Pro simulator in [`FleetSandbox`].
#[derive(Debug)]
pub enum JamfPro {}

/// The simulated Jamf Pro instances, keyed by instance name; [`FleetSandbox`] has what tests
/// read and change (requests, faults, wipes, token expiry).
pub type JamfSandbox = FleetSandbox<JamfPro>;

impl JamfSandbox {
    /// The instances in `seeds`.
    pub fn new(seeds: Vec<InstanceSeed>) -> Self {
        let sandbox = Self::with_tenants(Tenants::new("jamf", Auth::IssuedToken));
        for seed in seeds {
            sandbox.put_instance(seed);
        }
        sandbox
    }

    /// Creates or resets an instance (its tokens, faults, counters and wipes too).
    pub fn put_instance(&self, seed: InstanceSeed) {
        self.tenants().put(
            &seed.instance,
            Tenant::new(
                &seed.client_id,
                &seed.client_secret,
                seed.computers,
                &seed.user_domain,
                DEFAULT_PAGE_SIZE,
                Duration::from_secs(seed.token_lifetime_secs),
            ),
        );
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/jamf/api")
            .route("/oauth/token", web::post().to(token))
            .route("/v1/computers-inventory", web::get().to(inventory))
            .route("/v1/computer-inventory/{id}/erase", web::post().to(erase)),
    )
    .service(control::fleet_routes::<JamfSandbox>(control::routes::<
        JamfSandbox,
    >(
        web::scope("/_control/jamf/{instance}").route("", web::put().to(control_put_instance)),
    )));
}

/// Jamf's error answer: `{"httpStatus", "errors": [{"code", "description", "id", "field"}]}`.
fn api_error(status: StatusCode, code: &str, description: &str) -> HttpResponse {
    HttpResponse::build(status).json(api_error_body(status, code, description))
}

fn api_error_body(status: StatusCode, code: &str, description: &str) -> Value {
    json!({
        "httpStatus": status.as_u16(),
        "errors": [{"code": code, "description": description, "id": "0", "field": null}],
    })
}

fn misbehaved(misbehaviour: Misbehaviour) -> HttpResponse {
    let (code, text) = match misbehaviour {
        Misbehaviour::RateLimited { .. } => ("TOO_MANY_REQUESTS", "Too many requests"),
        Misbehaviour::Failed { .. } => ("SERVER_ERROR", "The server could not answer"),
    };
    let body = match misbehaviour {
        Misbehaviour::RateLimited { .. } => {
            api_error_body(StatusCode::TOO_MANY_REQUESTS, code, text)
        }
        Misbehaviour::Failed { status, .. } => api_error_body(status, code, text),
    };
    misbehaviour.response().json(body)
}

fn refused(refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Unauthorized => {
            api_error(StatusCode::UNAUTHORIZED, "INVALID_TOKEN", "Unauthorized")
        }
        Refusal::Misbehaved(misbehaviour) => misbehaved(misbehaviour),
    }
}

async fn token(
    sandbox: web::Data<JamfSandbox>,
    request: HttpRequest,
    form: Option<web::Form<TokenRequest>>,
) -> HttpResponse {
    let form = form.map(web::Form::into_inner).unwrap_or_default();
    sandbox
        .tenants()
        .stall(&request, form.client_id.as_deref())
        .await;
    let oauth_error = |status: StatusCode, error: &str| {
        HttpResponse::build(status).json(json!({ "error": error }))
    };
    match sandbox.tenants().issue(None, &form, None) {
        TokenOutcome::Issued { token, expires_in } => HttpResponse::Ok().json(json!({
            "access_token": token,
            "scope": "api-role:1",
            "token_type": "Bearer",
            "expires_in": expires_in,
        })),
        TokenOutcome::Misbehaved(misbehaviour) => misbehaved(misbehaviour),
        TokenOutcome::UnknownClient | TokenOutcome::WrongSecret => {
            oauth_error(StatusCode::UNAUTHORIZED, "invalid_client")
        }
        TokenOutcome::WrongGrant => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        TokenOutcome::UnknownTenant | TokenOutcome::WrongScope => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request")
        }
    }
}

/// What an inventory request asks for.
#[derive(Debug)]
struct InventoryQuery {
    sections: HashSet<String>,
    page: u64,
    page_size: u64,
    by_name: bool,
    descending: bool,
}

fn inventory_query(request: &HttpRequest) -> Result<InventoryQuery, String> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(request.query_string())
        .map_err(|e| format!("unreadable query: {e}"))?
        .into_inner();
    let mut query = InventoryQuery {
        sections: HashSet::new(),
        page: 0,
        page_size: DEFAULT_PAGE_SIZE,
        by_name: true,
        descending: false,
    };
    for (key, value) in pairs {
        match key.as_str() {
            "section" if KNOWN_SECTIONS.contains(&value.as_str()) => {
                query.sections.insert(value);
            }
            "section" => return Err(format!("unknown section {value:?}")),
            "page" => {
                query.page = value
                    .parse()
                    .map_err(|_| format!("page {value:?} is not a number"))?;
            }
            "page-size" => {
                query.page_size = value
                    .parse()
                    .ok()
                    .filter(|size| (1..=MAX_PAGE_SIZE).contains(size))
                    .ok_or_else(|| format!("page-size {value:?} is not 1 to {MAX_PAGE_SIZE}"))?;
            }
            "sort" => {
                let (field, order) = value.split_once(':').unwrap_or((value.as_str(), "asc"));
                query.by_name = match field {
                    "id" => false,
                    "general.name" => true,
                    other => return Err(format!("cannot sort by {other:?}")),
                };
                query.descending = match order {
                    "asc" => false,
                    "desc" => true,
                    other => return Err(format!("unknown sort order {other:?}")),
                };
            }
            _ => {}
        }
    }
    if query.sections.is_empty() {
        query.sections.insert("GENERAL".into());
    }
    Ok(query)
}

async fn inventory(sandbox: web::Data<JamfSandbox>, request: HttpRequest) -> HttpResponse {
    sandbox.tenants().stall(&request, None).await;
    let query = match inventory_query(&request) {
        Ok(query) => query,
        Err(message) => return api_error(StatusCode::BAD_REQUEST, "INVALID_FIELD", &message),
    };
    let answer = sandbox.tenants().admit(&request, |instance, tenant| {
        let mut numbers: Vec<u64> = (1..=tenant.devices).collect();
        if query.by_name {
            let name = |n: u64| machine(n, &[Platform::Mac], &tenant.user_domain).name;
            numbers.sort_by_cached_key(|n| (name(*n), *n));
        }
        if query.descending {
            numbers.reverse();
        }
        let start = query.page.saturating_mul(query.page_size);
        let results: Vec<Value> = numbers
            .into_iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(query.page_size).unwrap_or(usize::MAX))
            .map(|n| render(instance, tenant, n, &query.sections))
            .collect();
        HttpResponse::Ok().json(json!({"totalCount": tenant.devices, "results": results}))
    });
    answer.unwrap_or_else(refused)
}

/// Computer `n` with only the asked sections filled, broken if the faults say so.
fn render(instance: &str, tenant: &Tenant, n: u64, sections: &HashSet<String>) -> Value {
    let mut record = generate(instance, &tenant.user_domain, n);
    if tenant.faults.breaks(&computer_id(n)) {
        record["general"]["lastContactTime"] = json!("not-a-date");
    }
    for (section, key) in [
        ("GENERAL", "general"),
        ("HARDWARE", "hardware"),
        ("OPERATING_SYSTEM", "operatingSystem"),
        ("USER_AND_LOCATION", "userAndLocation"),
    ] {
        if !sections.contains(section) {
            record[key] = Value::Null;
        }
    }
    for section in KNOWN_SECTIONS {
        if !INVENTORY_SECTIONS.contains(&section) {
            record[camel_case(section)] = Value::Null;
        }
    }
    record
}

/// `OPERATING_SYSTEM` → `operatingSystem`.
fn camel_case(section: &str) -> String {
    let mut out = String::new();
    for (i, word) in section.split('_').enumerate() {
        let lower = word.to_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

async fn erase(
    sandbox: web::Data<JamfSandbox>,
    request: HttpRequest,
    id: web::Path<String>,
    body: Option<web::Json<Value>>,
) -> HttpResponse {
    sandbox.tenants().stall(&request, None).await;
    let pin = body
        .as_ref()
        .and_then(|b| b.get("pin"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let answer = sandbox.tenants().admit(&request, |instance, tenant| {
        if pin.as_ref().is_some_and(|pin| pin.chars().count() != 6) {
            return api_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                "pin must be six characters",
            );
        }
        let Some(n) = id.parse::<u64>().ok().filter(|n| tenant.has(*n)) else {
            return api_error(
                StatusCode::NOT_FOUND,
                "INVALID_ID",
                &format!("Computer with id {id} not found"),
            );
        };
        tenant.record_wipe(&computer_id(n), pin.clone());
        let command = fleet::uuid(
            &format!("jamf/{instance}/command/{}", tenant.wipes.len()),
            n,
        );
        HttpResponse::Created().json(json!({"deviceId": computer_id(n), "commandUuid": command}))
    });
    answer.unwrap_or_else(refused)
}

#[derive(Debug, Deserialize)]
struct PutInstance {
    client_id: String,
    client_secret: String,
    #[serde(default)]
    computers: u64,
    user_domain: Option<String>,
    token_lifetime_secs: Option<u64>,
}

async fn control_put_instance(
    sandbox: web::Data<JamfSandbox>,
    path: web::Path<String>,
    body: web::Json<PutInstance>,
) -> HttpResponse {
    let body = body.into_inner();
    let defaults = InstanceSeed::default();
    sandbox.put_instance(InstanceSeed {
        instance: path.into_inner(),
        client_id: body.client_id,
        client_secret: body.client_secret,
        computers: body.computers,
        user_domain: body.user_domain.unwrap_or(defaults.user_domain),
        token_lifetime_secs: body
            .token_lifetime_secs
            .unwrap_or(defaults.token_lifetime_secs),
    });
    HttpResponse::NoContent().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_computers_parse_with_the_client() {
        let record = generate("acme", "acme.example.com", 17);
        assert_eq!(record, generate("acme", "acme.example.com", 17));
        let device = crate::jamf::parse_computer(&record).unwrap();
        assert_eq!(device.external_id, "17");
        assert_eq!(device.serial_number.as_deref(), Some("JMF000000017"));
        assert_eq!(device.os_name.as_deref(), Some("macOS"));
        assert!(
            device
                .user_email
                .as_deref()
                .is_some_and(|e| e.ends_with(".17@acme.example.com"))
        );
        let spare = crate::jamf::parse_computer(&generate("acme", "x.example.com", 15)).unwrap();
        assert_eq!((spare.user_email, spare.user_name), (None, None));
    }

    #[test]
    fn sections_map_to_their_record_keys() {
        assert_eq!(camel_case("OPERATING_SYSTEM"), "operatingSystem");
        assert_eq!(camel_case("GENERAL"), "general");
        assert_eq!(camel_case("USER_AND_LOCATION"), "userAndLocation");
    }
}
