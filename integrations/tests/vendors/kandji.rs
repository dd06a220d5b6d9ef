//! The Kandji client against the in-process Kandji simulator.

use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::kandji::{ApiToken, KandjiClient, KandjiConfig};
use assetronics_integrations::mdm::MdmError;
use assetronics_integrations::sandbox::kandji::{TenantSeed, device_id, generate, serial};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use serde_json::{Value, json};

use crate::support::{Mdm, PAGE, control_api, device, fast_policy};

pub const SUBDOMAIN: &str = "hooli";
pub const TOKEN: &str = "test-kandji-token";
pub const USER_DOMAIN: &str = "hooli.example.com";

pub async fn sandbox_with(devices: u64) -> Sandbox {
    spawn(SandboxConfig {
        kandji_tenants: vec![TenantSeed {
            subdomain: SUBDOMAIN.into(),
            api_token: TOKEN.into(),
            devices,
            user_domain: USER_DOMAIN.into(),
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(sandbox: &Sandbox, token: &str, policy: HttpPolicy) -> KandjiClient {
    KandjiClient::new(KandjiConfig {
        base_url: sandbox.kandji_base_url(),
        api_token: ApiToken::new(token),
        page_size: Some(PAGE as u32),
        policy,
    })
    .unwrap()
}

#[tokio::test]
async fn devices_map_kandji_fields() {
    let sandbox = sandbox_with(30).await;
    let pull = client(&sandbox, TOKEN, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.devices.len(), 30);
    for n in [17, 18, 19, 20] {
        let raw = generate(SUBDOMAIN, USER_DOMAIN, n);
        let found = device(&pull, &device_id(SUBDOMAIN, n));
        assert_eq!(found.serial_number, Some(serial(n)));
        assert_eq!(found.name, raw["device_name"].as_str().unwrap());
        assert_eq!(found.model.as_deref(), raw["model"].as_str());
        assert_eq!(found.os_version.as_deref(), raw["os_version"].as_str());
        assert_eq!(found.user_email.as_deref(), raw["user"]["email"].as_str());
        assert_eq!(found.user_name.as_deref(), raw["user"]["name"].as_str());
        let expected_os = match raw["platform"].as_str().unwrap() {
            "Mac" => "macOS",
            "iPhone" => "iOS",
            "iPad" => "iPadOS",
            other => panic!("unexpected platform {other}"),
        };
        assert_eq!(found.os_name.as_deref(), Some(expected_os));
    }
    let spare = device(&pull, &device_id(SUBDOMAIN, 25));
    assert_eq!((&spare.user_email, &spare.user_name), (&None, &None));
}

#[tokio::test]
async fn a_revoked_token_needs_attention_because_nothing_can_renew_it() {
    let sandbox = sandbox_with(5).await;
    let kandji = client(&sandbox, TOKEN, fast_policy());
    kandji.test_connection().await.unwrap();
    Mdm::Kandji.expire_tokens(&sandbox).await;
    let err = kandji.fetch_all().await.unwrap_err();
    assert!(
        matches!(&err, MdmError::Vendor(VendorError::Unauthorized { message }) if message == "Incorrect authentication credentials."),
        "{err:?}"
    );
    assert!(err.needs_attention() & !err.is_retryable());

    // An admin makes a new token; a client with it works again.
    control_api(
        &sandbox,
        &format!("kandji/{SUBDOMAIN}"),
        reqwest::Method::PUT,
        json!({"api_token": "fresh-token", "devices": 5, "user_domain": USER_DOMAIN}),
    )
    .await;
    let pull = client(&sandbox, "fresh-token", fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.devices.len(), 5);
}

#[tokio::test]
async fn the_simulator_caps_pages_and_orders_as_asked() {
    let sandbox = sandbox_with(320).await;
    let http = reqwest::Client::new();
    let list = |query: &str| {
        let http = http.clone();
        let url = format!("{}/api/v1/devices?{query}", sandbox.kandji_base_url());
        async move {
            let answer: Value = http
                .get(url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer.as_array().unwrap().clone()
        }
    };
    assert_eq!(list("limit=1000").await.len(), 300, "300 at most");
    assert_eq!(list("limit=300&offset=300").await.len(), 20);
    let by_serial = list("limit=3&ordering=-serial_number").await;
    let serials: Vec<_> = by_serial
        .iter()
        .map(|d| d["serial_number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(serials, vec![serial(320), serial(319), serial(318)]);
    let by_id = list("limit=320&ordering=device_id").await;
    let ids: Vec<_> = by_id
        .iter()
        .map(|d| d["device_id"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids.len(), 300);
    assert_eq!(ids, sorted);
}

#[tokio::test]
async fn a_pin_that_is_not_six_digits_is_refused_by_kandji() {
    let sandbox = sandbox_with(3).await;
    let refused = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/devices/{}/action/erase",
            sandbox.kandji_base_url(),
            device_id(SUBDOMAIN, 1)
        ))
        .bearer_auth(TOKEN)
        .json(&json!({"PIN": "12ab56"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(sandbox.kandji().wipes(SUBDOMAIN).is_empty());
}

#[tokio::test]
async fn a_vendor_that_ignores_the_offset_is_not_paged_forever() {
    // Always the same full page, whatever the offset.
    let page: Vec<Value> = (1..=3)
        .map(|n| generate(SUBDOMAIN, USER_DOMAIN, n))
        .collect();
    let body = serde_json::to_string(&page).unwrap();
    let server = actix_web::HttpServer::new(move || {
        let body = body.clone();
        actix_web::App::new().default_service(actix_web::web::to(move || {
            let body = body.clone();
            async move {
                actix_web::HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    let kandji = KandjiClient::new(KandjiConfig {
        base_url: format!("http://{addr}"),
        api_token: ApiToken::new("any"),
        page_size: Some(3),
        policy: fast_policy(),
    })
    .unwrap();
    let pull = tokio::time::timeout(std::time::Duration::from_secs(10), kandji.fetch_all())
        .await
        .expect("the pull ends")
        .unwrap();
    assert_eq!(pull.devices.len(), 3);
    handle.stop(false).await;
}
