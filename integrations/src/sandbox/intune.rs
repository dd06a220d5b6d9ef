//! A Microsoft Intune simulator (the identity platform's token endpoint and the Graph
//! managed-device endpoints), faithful to what [`crate::intune`] relies on. Both hosts are one
//! here: an integration's `base_url` and `login_base_url` are both `{sandbox}/intune`.
//!
//! Vendor endpoints, under `/intune`:
//! - `POST /{tenant}/oauth2/v2.0/token`, form-encoded `grant_type=client_credentials`,
//!   `client_id`, `client_secret`, `scope=https://graph.microsoft.com/.default` →
//!   `{"token_type": "Bearer", "expires_in", "ext_expires_in", "access_token"}`. Refusals as
//!   Entra words them, `{"error", "error_description": "AADSTS...", "error_codes"}`: an unknown
//!   tenant (400 `invalid_request`, AADSTS90002), an unknown app (400 `unauthorized_client`,
//!   AADSTS700016), a wrong secret (401 `invalid_client`, AADSTS7000215), another grant type
//!   (400 `unsupported_grant_type`) or scope (400 `invalid_scope`);
//! - `GET /v1.0/deviceManagement/managedDevices?$select=a,b&$top=n` → `{"@odata.context",
//!   "value", "@odata.nextLink"}`: pages of the tenant's `page_size` (or `$top`, at most 1000)
//!   devices; the next link carries an opaque `$skiptoken` and the same `$select` and `$top`;
//!   an unknown property in `$select` is a 400;
//! - `POST /v1.0/deviceManagement/managedDevices/{id}/wipe` `{"keepEnrollmentData",
//!   "keepUserData", "macOsUnlockCode"}` → 204, recorded ([`IntuneSandbox::wipes`]); 404 for
//!   an unknown id.
//!
//! Graph calls need a bearer token the tenant issued and that has not run out; otherwise a 401
//! `InvalidAuthenticationToken`. Errors are Graph's `{"error": {"code", "message",
//! "innerError"}}`. Faults apply to every vendor request, token requests included; a malformed
//! device's `lastSyncDateTime` is `not-a-date`.
//!
//! Devices `1..=N` of a tenant are generated deterministically (ids [`device_id`], serials
//! [`serial`]`(n)`): Windows laptops, Macs and iPhones, held by the simulated workforce at the
//! tenant's `user_domain`.
//!
//! Control endpoints, under `/_control/intune/{tenant}` (faults and stats as every simulator
//! has them):
//! - `PUT` `{"client_id": "...", "client_secret": "...", "devices": 500, "user_domain": "...",
//!   "page_size": 100, "token_lifetime_secs": 3599}`: create or reset a tenant;
//! - `GET /wipes`: the wipes received, oldest first;
//! - `POST /tokens/expire`: every token issued so far stops working.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::control;
pub use super::faults::Faults;
use super::faults::Misbehaviour;
pub use super::fleet::Wipe;
use super::fleet::{self, Platform, machine};
use super::mdm::{Auth, FleetSandbox, Refusal, Tenant, Tenants, TokenOutcome};
use super::tokens::TokenRequest;
use crate::intune::GRAPH_SCOPE;

/// The most devices one page may hold (`$top`).
pub const MAX_PAGE_SIZE: u64 = 1000;
/// The platforms of a tenant's devices, in turn.
pub(crate) const PLATFORMS: [Platform; 5] = [
    Platform::Windows,
    Platform::Mac,
    Platform::Windows,
    Platform::IPhone,
    Platform::Windows,
];
/// Scrambles offsets into skip tokens, so that clients follow links instead of counting.
const SKIP_KEY: u64 = 0xA5A5_5A5A_C3C3_3C3C;

/// The serial number of generated device `n`: `INT` and nine digits.
pub fn serial(n: u64) -> String {
    fleet::serial("INT", n)
}

/// The Intune id (a GUID) of generated device `n` of `tenant`.
pub fn device_id(tenant: &str, n: u64) -> String {
    fleet::uuid(&format!("intune/{tenant}"), n)
}

/// A tenant present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct TenantSeed {
    /// The Entra tenant id (or domain) the token URL names.
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// How many devices to generate.
    pub devices: u64,
    /// The email domain of the devices' users.
    pub user_domain: String,
    /// Devices per page when the client sends no `$top`.
    pub page_size: u64,
    /// How long issued access tokens live.
    pub token_lifetime_secs: u64,
}

impl Default for TenantSeed {
    fn default() -> Self {
        TenantSeed {
            tenant_id: "acme.onmicrosoft.com".into(),
            client_id: "sandbox-intune-client".into(),
            client_secret: "sandbox-intune-secret".into(),
            devices: 200,
            user_domain: "acme.example.com".into(),
            page_size: 100,
            token_lifetime_secs: 3599,
        }
    }
}

/// Generated device `n` of a tenant, every property filled: same input, same device, every
/// run.
pub fn generate(tenant: &str, user_domain: &str, n: u64) -> Value {
    let device = machine(n, &PLATFORMS, user_domain);
    let holder = device.holder.as_ref();
    let email = holder.map(|h| h.email.clone()).unwrap_or_default();
    let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Micros, true);
    json!({
        "id": device_id(tenant, n),
        "userId": holder.map(|_| fleet::uuid(&format!("intune/{tenant}/user"), n)),
        "deviceName": device.name,
        "managedDeviceOwnerType": "company",
        "enrolledDateTime": time(device.last_check_in - chrono::Duration::days(400)),
        "lastSyncDateTime": time(device.last_check_in),
        "operatingSystem": device.platform.os_name(),
        "complianceState": "compliant",
        "osVersion": device.os_version,
        "userPrincipalName": email,
        "emailAddress": email,
        "userDisplayName": holder.map(fleet::Holder::full_name),
        "model": device.model,
        "manufacturer": device.manufacturer(),
        "serialNumber": serial(n),
    })
}

/// Names the Intune simulator in [`FleetSandbox`].
#[derive(Debug)]
pub enum Intune {}

/// The simulated Intune tenants, keyed by tenant id; [`FleetSandbox`] has what tests read and
/// change (requests, faults, wipes, token expiry).
pub type IntuneSandbox = FleetSandbox<Intune>;

impl IntuneSandbox {
    /// The tenants in `seeds`.
    pub fn new(seeds: Vec<TenantSeed>) -> Self {
        let sandbox = Self::with_tenants(Tenants::new("intune", Auth::IssuedToken));
        for seed in seeds {
            sandbox.put_tenant(seed);
        }
        sandbox
    }

    /// Creates or resets a tenant (its tokens, faults, counters and wipes too).
    pub fn put_tenant(&self, seed: TenantSeed) {
        self.tenants().put(
            &seed.tenant_id,
            Tenant::new(
                &seed.client_id,
                &seed.client_secret,
                seed.devices,
                &seed.user_domain,
                seed.page_size.min(MAX_PAGE_SIZE),
                Duration::from_secs(seed.token_lifetime_secs),
            ),
        );
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/intune")
            .route(
                "/v1.0/deviceManagement/managedDevices",
                web::get().to(managed_devices),
            )
            .route(
                "/v1.0/deviceManagement/managedDevices/{id}/wipe",
                web::post().to(wipe),
            )
            .route("/{tenant}/oauth2/v2.0/token", web::post().to(token)),
    )
    .service(control::fleet_routes::<IntuneSandbox>(control::routes::<
        IntuneSandbox,
    >(
        web::scope("/_control/intune/{tenant}").route("", web::put().to(control_put_tenant)),
    )));
}

/// Graph's error answer: `{"error": {"code", "message", "innerError"}}`.
fn graph_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(graph_error_body(code, message))
}

fn graph_error_body(code: &str, message: &str) -> Value {
    let date = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({"error": {"code": code, "message": message,
        "innerError": {"date": date, "request-id": "00000000-0000-4000-8000-000000000000"}}})
}

fn misbehaved(misbehaviour: Misbehaviour) -> HttpResponse {
    let body = match misbehaviour {
        Misbehaviour::RateLimited { .. } => graph_error_body(
            "TooManyRequests",
            "Too many requests from this application; retry after the delay given.",
        ),
        Misbehaviour::Failed { status, .. } => graph_error_body(
            if status == StatusCode::SERVICE_UNAVAILABLE {
                "ServiceUnavailable"
            } else {
                "InternalServerError"
            },
            status.canonical_reason().unwrap_or("Failure"),
        ),
    };
    misbehaviour.response().json(body)
}

fn refused(refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Unauthorized => graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        ),
        Refusal::Misbehaved(misbehaviour) => misbehaved(misbehaviour),
    }
}

async fn token(
    sandbox: web::Data<IntuneSandbox>,
    request: HttpRequest,
    tenant: web::Path<String>,
    form: Option<web::Form<TokenRequest>>,
) -> HttpResponse {
    let form = form.map(web::Form::into_inner).unwrap_or_default();
    sandbox
        .tenants()
        .stall(&request, form.client_id.as_deref())
        .await;
    let client_id = form.client_id.clone().unwrap_or_default();
    let entra_error = |status: StatusCode, error: &str, code: u32, text: String| {
        HttpResponse::build(status).json(json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {text}"),
            "error_codes": [code],
        }))
    };
    match sandbox.tenants().issue(Some(&tenant), &form, Some(GRAPH_SCOPE)) {
        TokenOutcome::Issued { token, expires_in } => HttpResponse::Ok().json(json!({
            "token_type": "Bearer",
            "expires_in": expires_in,
            "ext_expires_in": expires_in,
            "access_token": token,
        })),
        TokenOutcome::Misbehaved(misbehaviour) => misbehaved(misbehaviour),
        TokenOutcome::UnknownTenant => entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!("Tenant '{tenant}' not found."),
        ),
        TokenOutcome::UnknownClient => entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        ),
        TokenOutcome::WrongSecret => entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided.".into(),
        ),
        TokenOutcome::WrongGrant => entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.".into(),
        ),
        TokenOutcome::WrongScope => entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.".into(),
        ),
    }
}

/// What a managed-devices request asks for.
#[derive(Debug)]
struct DevicesQuery {
    select: Option<Vec<String>>,
    top: Option<u64>,
    offset: u64,
}

fn devices_query(request: &HttpRequest) -> Result<DevicesQuery, String> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(request.query_string())
        .map_err(|e| format!("unreadable query: {e}"))?
        .into_inner();
    let mut query = DevicesQuery {
        select: None,
        top: None,
        offset: 0,
    };
    let known = generate("t", "d", 1);
    for (key, value) in pairs {
        match key.as_str() {
            "$select" => {
                let fields: Vec<String> = value.split(',').map(|f| f.trim().to_owned()).collect();
                if let Some(unknown) = fields.iter().find(|f| known.get(f.as_str()).is_none()) {
                    return Err(format!(
                        "Could not find a property named '{unknown}' on type 'microsoft.graph.managedDevice'."
                    ));
                }
                query.select = Some(fields);
            }
            "$top" => {
                query.top = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|top| (1..=MAX_PAGE_SIZE).contains(top))
                        .ok_or_else(|| format!("Invalid $top value '{value}'."))?,
                );
            }
            "$skiptoken" => {
                query.offset = u64::from_str_radix(&value, 16)
                    .map(|scrambled| scrambled ^ SKIP_KEY)
                    .map_err(|_| "Invalid $skiptoken.".to_owned())?;
            }
            _ => {}
        }
    }
    Ok(query)
}

async fn managed_devices(sandbox: web::Data<IntuneSandbox>, request: HttpRequest) -> HttpResponse {
    sandbox.tenants().stall(&request, None).await;
    let query = match devices_query(&request) {
        Ok(query) => query,
        Err(message) => return graph_error(StatusCode::BAD_REQUEST, "BadRequest", &message),
    };
    let info = request.connection_info().clone();
    let here = format!("{}://{}{}", info.scheme(), info.host(), request.path());
    let answer = sandbox.tenants().admit(&request, |tenant_id, tenant| {
        let size = query.top.unwrap_or(tenant.page_size);
        let end = query.offset.saturating_add(size).min(tenant.devices);
        let value: Vec<Value> = (query.offset + 1..=end)
            .map(|n| {
                let mut device = generate(tenant_id, &tenant.user_domain, n);
                if tenant.faults.breaks(&device_id(tenant_id, n)) {
                    device["lastSyncDateTime"] = json!("not-a-date");
                }
                match &query.select {
                    Some(fields) => {
                        let chosen: Map<String, Value> = fields
                            .iter()
                            .map(|f| (f.clone(), device[f.as_str()].clone()))
                            .collect();
                        Value::Object(chosen)
                    }
                    None => device,
                }
            })
            .collect();
        let mut page = json!({
            "@odata.context": format!("{here}/$metadata#deviceManagement/managedDevices"),
            "value": value,
        });
        if end < tenant.devices {
            let mut link = format!("{here}?");
            if let Some(fields) = &query.select {
                link.push_str(&format!("$select={}&", fields.join(",")));
            }
            if let Some(top) = query.top {
                link.push_str(&format!("$top={top}&"));
            }
            link.push_str(&format!("$skiptoken={:016x}", end ^ SKIP_KEY));
            page["@odata.nextLink"] = json!(link);
        }
        HttpResponse::Ok().json(page)
    });
    answer.unwrap_or_else(refused)
}

async fn wipe(
    sandbox: web::Data<IntuneSandbox>,
    request: HttpRequest,
    id: web::Path<String>,
    body: Option<web::Json<Value>>,
) -> HttpResponse {
    sandbox.tenants().stall(&request, None).await;
    let pin = body
        .as_ref()
        .and_then(|b| b.get("macOsUnlockCode"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let answer = sandbox.tenants().admit(&request, |tenant_id, tenant| {
        if pin
            .as_ref()
            .is_some_and(|pin| pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()))
        {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "macOsUnlockCode must be six digits.",
            );
        }
        let salt = format!("intune/{tenant_id}");
        let Some(n) = fleet::uuid_number(&salt, &id).filter(|n| tenant.has(*n)) else {
            return graph_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
            );
        };
        tenant.record_wipe(&device_id(tenant_id, n), pin.clone());
        HttpResponse::NoContent().finish()
    });
    answer.unwrap_or_else(refused)
}

#[derive(Debug, Deserialize)]
struct PutTenant {
    client_id: String,
    client_secret: String,
    #[serde(default)]
    devices: u64,
    user_domain: Option<String>,
    page_size: Option<u64>,
    token_lifetime_secs: Option<u64>,
}

async fn control_put_tenant(
    sandbox: web::Data<IntuneSandbox>,
    path: web::Path<String>,
    body: web::Json<PutTenant>,
) -> HttpResponse {
    let body = body.into_inner();
    let defaults = TenantSeed::default();
    sandbox.put_tenant(TenantSeed {
        tenant_id: path.into_inner(),
        client_id: body.client_id,
        client_secret: body.client_secret,
        devices: body.devices,
        user_domain: body.user_domain.unwrap_or(defaults.user_domain),
        page_size: body.page_size.unwrap_or(defaults.page_size),
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
    fn generated_devices_parse_with_the_client() {
        let record = generate("acme.onmicrosoft.com", "acme.example.com", 17);
        assert_eq!(
            record,
            generate("acme.onmicrosoft.com", "acme.example.com", 17)
        );
        let device = crate::intune::parse_managed_device(&record).unwrap();
        assert_eq!(device.external_id, device_id("acme.onmicrosoft.com", 17));
        assert_eq!(device.serial_number.as_deref(), Some("INT000000017"));
        assert!(device.user_email.is_some() && device.user_name.is_some());
        let spare =
            crate::intune::parse_managed_device(&generate("t", "acme.example.com", 25)).unwrap();
        assert_eq!((spare.user_email, spare.user_name), (None, None));
        let platforms: Vec<_> = (1..=5)
            .map(|n| generate("t", "d.example.com", n)["operatingSystem"].clone())
            .collect();
        assert!(platforms.contains(&json!("Windows")) && platforms.contains(&json!("iOS")));
    }

    #[test]
    fn skip_tokens_round_trip() {
        let token = format!("{:016x}", 30 ^ SKIP_KEY);
        assert_eq!(u64::from_str_radix(&token, 16).unwrap() ^ SKIP_KEY, 30);
    }
}
