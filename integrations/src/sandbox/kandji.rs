//! A Kandji simulator, faithful to what [`crate::kandji`] relies on.
//!
//! One simulator serves any number of tenants; the API token says which, so every tenant's
//! `base_url` is `{sandbox}/kandji`. Vendor endpoints, under `/kandji/api/v1`:
//! - `GET /devices?limit=&offset=&ordering=` → a JSON array: `limit` devices (default and at
//!   most 300) from `offset`, ordered by `device_id`, `serial_number` or `device_name` (a `-`
//!   in front reverses it; default: enrolment order);
//! - `POST /devices/{device_id}/action/erase` `{"PIN", "PreserveDataPlan",
//!   "DisallowProximitySetup"}` (PIN optional, six digits) → 200, recorded
//!   ([`KandjiSandbox::wipes`]); 404 for an unknown id.
//!
//! Each needs `Authorization: Bearer` with the tenant's API token: anything else gets a 401.
//! Errors are `{"detail": "..."}`. A malformed device's `last_check_in` is `not-a-date`.
//!
//! Devices `1..=N` of a tenant are generated deterministically (ids [`device_id`], serials
//! [`serial`]`(n)`): mostly Macs, some iPhones and iPads; their `user` is the simulated
//! workforce at the tenant's `user_domain`, or `""` for a spare.
//!
//! Control endpoints, under `/_control/kandji/{subdomain}` (faults and stats as every simulator
//! has them):
//! - `PUT` `{"api_token": "...", "devices": 500, "user_domain": "acme.example.com"}`: create or
//!   reset a tenant (a new token revokes the old one);
//! - `GET /wipes`: the erase commands received, oldest first;
//! - `POST /tokens/expire`: revokes the API token (nothing renews it; `PUT` a new one).

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
use super::mdm::{Auth, FleetSandbox, Refusal, Tenant, Tenants};
use crate::kandji::MAX_PAGE_SIZE;

/// The platforms of a tenant's devices, in turn.
pub(crate) const PLATFORMS: [Platform; 6] = [
    Platform::Mac,
    Platform::Mac,
    Platform::IPhone,
    Platform::Mac,
    Platform::IPad,
    Platform::Mac,
];

/// The serial number of generated device `n`: `KDJ` and nine digits.
pub fn serial(n: u64) -> String {
    fleet::serial("KDJ", n)
}

/// The Kandji id (a UUID) of generated device `n` of the tenant `subdomain`.
pub fn device_id(subdomain: &str, n: u64) -> String {
    fleet::uuid(&format!("kandji/{subdomain}"), n)
}

/// A tenant present when the simulator starts.
#[derive(Debug, Clone, Deserialize)]
pub struct TenantSeed {
    /// The tenant's subdomain, as control paths name it.
    pub subdomain: String,
    pub api_token: String,
    /// How many devices to generate.
    pub devices: u64,
    /// The email domain of the devices' users.
    pub user_domain: String,
}

impl Default for TenantSeed {
    fn default() -> Self {
        TenantSeed {
            subdomain: "acme".into(),
            api_token: "sandbox-kandji-token".into(),
            devices: 200,
            user_domain: "acme.example.com".into(),
        }
    }
}

/// The name Kandji gives a platform.
fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Mac => "Mac",
        Platform::IPhone => "iPhone",
        Platform::IPad => "iPad",
        Platform::Windows => "Windows",
    }
}

/// Generated device `n` of a tenant: same input, same device, every run.
pub fn generate(subdomain: &str, user_domain: &str, n: u64) -> Value {
    let device = machine(n, &PLATFORMS, user_domain);
    let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Micros, true);
    let user = match &device.holder {
        Some(holder) => json!({
            "email": holder.email,
            "name": holder.full_name(),
            "id": fleet::uuid(&format!("kandji/{subdomain}/user"), n),
            "is_archived": false,
        }),
        None => json!(""),
    };
    let enrolled = time(device.last_check_in - chrono::Duration::days(400));
    json!({
        "device_id": device_id(subdomain, n),
        "device_name": device.name,
        "model": device.model,
        "serial_number": serial(n),
        "platform": platform_name(device.platform),
        "os_version": device.os_version,
        "last_check_in": time(device.last_check_in),
        "user": user,
        "asset_tag": "",
        "blueprint_id": fleet::uuid(&format!("kandji/{subdomain}/blueprint"), 1),
        "blueprint_name": "Standard",
        "mdm_enabled": true,
        "agent_installed": device.platform == Platform::Mac,
        "is_missing": false,
        "is_removed": false,
        "agent_version": if device.platform == Platform::Mac { "4.6.1" } else { "" },
        "first_enrollment": enrolled,
        "last_enrollment": enrolled,
        "lost_mode_status": "",
        "tags": [],
    })
}

/// Names the Kandji simulator in [`FleetSandbox`].
#[derive(Debug)]
pub enum Kandji {}

/// The simulated Kandji tenants, keyed by subdomain; [`FleetSandbox`] has what tests read and
/// change (requests, faults, wipes, revoking the API token).
pub type KandjiSandbox = FleetSandbox<Kandji>;

impl KandjiSandbox {
    /// The tenants in `seeds`.
    pub fn new(seeds: Vec<TenantSeed>) -> Self {
        let sandbox = Self::with_tenants(Tenants::new("kandji", Auth::ApiToken));
        for seed in seeds {
            sandbox.put_tenant(seed);
        }
        sandbox
    }

    /// Creates or resets a tenant (its faults, counters and wipes too); a new token revokes
    /// the old one.
    pub fn put_tenant(&self, seed: TenantSeed) {
        self.tenants().put(
            &seed.subdomain,
            Tenant::new(
                "",
                &seed.api_token,
                seed.devices,
                &seed.user_domain,
                u64::from(MAX_PAGE_SIZE),
                Duration::ZERO,
            ),
        );
    }
}

/// Mounts the vendor and control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/kandji/api/v1")
            .route("/devices", web::get().to(devices))
            .route("/devices/{device_id}/action/erase", web::post().to(erase)),
    )
    .service(control::fleet_routes::<KandjiSandbox>(control::routes::<
        KandjiSandbox,
    >(
        web::scope("/_control/kandji/{subdomain}").route("", web::put().to(control_put_tenant)),
    )));
}

/// Kandji's error answer: `{"detail": "..."}`.
fn detail(status: StatusCode, text: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "detail": text }))
}

fn refused(refusal: Refusal) -> HttpResponse {
    match refusal {
        Refusal::Unauthorized => detail(
            StatusCode::UNAUTHORIZED,
            "Incorrect authentication credentials.",
        ),
        Refusal::Misbehaved(misbehaviour) => {
            let text = match misbehaviour {
                Misbehaviour::RateLimited { .. } => "Request was throttled.",
                Misbehaviour::Failed { .. } => "A server error occurred.",
            };
            misbehaviour.response().json(json!({ "detail": text }))
        }
    }
}

/// What a device-list request asks for.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    limit: Option<String>,
    offset: Option<String>,
    ordering: Option<String>,
}

async fn devices(
    sandbox: web::Data<KandjiSandbox>,
    request: HttpRequest,
    query: Option<web::Query<ListQuery>>,
) -> HttpResponse {
    sandbox.tenants().stall(&request, None).await;
    let query = query.map(web::Query::into_inner).unwrap_or_default();
    let number = |value: &Option<String>, default: u64| match value {
        None => Some(default),
        Some(text) => text.trim().parse::<u64>().ok(),
    };
    let (Some(limit), Some(offset)) = (
        number(&query.limit, u64::from(MAX_PAGE_SIZE)),
        number(&query.offset, 0),
    ) else {
        return detail(
            StatusCode::BAD_REQUEST,
            "limit and offset are whole numbers.",
        );
    };
    // Kandji caps a page at 300 whatever the client asks.
    let limit = limit.min(u64::from(MAX_PAGE_SIZE));
    let ordering = query.ordering.unwrap_or_default();
    let (descending, field) = match ordering.strip_prefix('-') {
        Some(field) => (true, field.to_owned()),
        None => (false, ordering),
    };
    if !matches!(
        field.as_str(),
        "" | "device_id" | "serial_number" | "device_name"
    ) {
        return detail(
            StatusCode::BAD_REQUEST,
            &format!("Cannot order by {field:?}."),
        );
    }
    let answer = sandbox.tenants().admit(&request, |subdomain, tenant| {
        let mut numbers: Vec<u64> = (1..=tenant.devices).collect();
        match field.as_str() {
            "device_id" => numbers.sort_by_cached_key(|n| device_id(subdomain, *n)),
            "serial_number" => numbers.sort_by_cached_key(|n| serial(*n)),
            "device_name" => numbers
                .sort_by_cached_key(|n| (machine(*n, &PLATFORMS, &tenant.user_domain).name, *n)),
            _ => {}
        }
        if descending {
            numbers.reverse();
        }
        let page: Vec<Value> = numbers
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|n| {
                let mut device = generate(subdomain, &tenant.user_domain, n);
                if tenant.faults.breaks(&device_id(subdomain, n)) {
                    device["last_check_in"] = json!("not-a-date");
                }
                device
            })
            .collect();
        HttpResponse::Ok().json(page)
    });
    answer.unwrap_or_else(refused)
}

async fn erase(
    sandbox: web::Data<KandjiSandbox>,
    request: HttpRequest,
    id: web::Path<String>,
    body: Option<web::Json<Value>>,
) -> HttpResponse {
    sandbox.tenants().stall(&request, None).await;
    let pin = body.as_ref().and_then(|b| b.get("PIN")).cloned();
    let answer = sandbox.tenants().admit(&request, |subdomain, tenant| {
        let pin = match pin {
            None | Some(Value::Null) => None,
            Some(Value::String(pin))
                if pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(pin)
            }
            Some(_) => {
                return detail(StatusCode::BAD_REQUEST, "PIN must be six digits.");
            }
        };
        let salt = format!("kandji/{subdomain}");
        let Some(n) = fleet::uuid_number(&salt, &id).filter(|n| tenant.has(*n)) else {
            return detail(StatusCode::NOT_FOUND, "Not found.");
        };
        tenant.record_wipe(&device_id(subdomain, n), pin);
        HttpResponse::Ok().finish()
    });
    answer.unwrap_or_else(refused)
}

#[derive(Debug, Deserialize)]
struct PutTenant {
    api_token: String,
    #[serde(default)]
    devices: u64,
    user_domain: Option<String>,
}

async fn control_put_tenant(
    sandbox: web::Data<KandjiSandbox>,
    path: web::Path<String>,
    body: web::Json<PutTenant>,
) -> HttpResponse {
    let body = body.into_inner();
    sandbox.put_tenant(TenantSeed {
        subdomain: path.into_inner(),
        api_token: body.api_token,
        devices: body.devices,
        user_domain: body
            .user_domain
            .unwrap_or_else(|| TenantSeed::default().user_domain),
    });
    HttpResponse::NoContent().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_devices_parse_with_the_client() {
        let record = generate("acme", "acme.example.com", 17);
        assert_eq!(record, generate("acme", "acme.example.com", 17));
        let device = crate::kandji::parse_device(&record).unwrap();
        assert_eq!(device.external_id, device_id("acme", 17));
        assert_eq!(device.serial_number.as_deref(), Some("KDJ000000017"));
        assert!(device.user_email.is_some());
        let spare = generate("acme", "acme.example.com", 15);
        assert_eq!(spare["user"], json!(""));
        let spare = crate::kandji::parse_device(&spare).unwrap();
        assert_eq!((spare.user_email, spare.user_name), (None, None));
        let platforms: Vec<_> = (1..=6)
            .map(|n| generate("acme", "x.example.com", n)["platform"].clone())
            .collect();
        assert!(platforms.contains(&json!("iPad")) && platforms.contains(&json!("Mac")));
    }
}
