//! The Jamf Pro client against the in-process Jamf Pro simulator.

use std::time::Duration;

use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::jamf::{JamfClient, JamfConfig};
use assetronics_integrations::oauth::{ClientCredentials, ClientSecret};
use assetronics_integrations::sandbox::jamf::{InstanceSeed, computer_id, generate, serial};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use chrono::DateTime;
use serde_json::Value;

use crate::support::{PAGE, device, fast_policy};

pub const INSTANCE: &str = "globex";
pub const CLIENT_ID: &str = "test-jamf-client";
pub const SECRET: &str = "test-jamf-secret";
pub const USER_DOMAIN: &str = "globex.example.com";

pub async fn sandbox_with(computers: u64, token_lifetime_secs: u64) -> Sandbox {
    spawn(SandboxConfig {
        jamf_instances: vec![InstanceSeed {
            instance: INSTANCE.into(),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            computers,
            user_domain: USER_DOMAIN.into(),
            token_lifetime_secs,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(sandbox: &Sandbox, secret: &str, policy: HttpPolicy) -> JamfClient {
    JamfClient::new(JamfConfig {
        base_url: sandbox.jamf_base_url(),
        credentials: ClientCredentials {
            client_id: CLIENT_ID.into(),
            client_secret: ClientSecret::new(secret),
        },
        page_size: Some(PAGE as u32),
        policy,
    })
    .unwrap()
}

#[tokio::test]
async fn inventory_maps_jamf_sections() {
    let sandbox = sandbox_with(30, 1800).await;
    let pull = client(&sandbox, SECRET, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.devices.len(), 30);
    let raw = generate(INSTANCE, USER_DOMAIN, 17);
    let d17 = device(&pull, &computer_id(17));
    assert_eq!(d17.serial_number, Some(serial(17)));
    assert_eq!(d17.name, raw["general"]["name"].as_str().unwrap());
    assert_eq!(d17.model.as_deref(), raw["hardware"]["model"].as_str());
    assert_eq!(d17.os_name.as_deref(), Some("macOS"));
    assert_eq!(
        d17.os_version.as_deref(),
        raw["operatingSystem"]["version"].as_str()
    );
    assert_eq!(
        d17.last_check_in,
        Some(
            DateTime::parse_from_rfc3339(raw["general"]["lastContactTime"].as_str().unwrap())
                .unwrap()
                .to_utc()
        )
    );
    assert_eq!(
        d17.user_email.as_deref(),
        raw["userAndLocation"]["email"].as_str()
    );
    assert_eq!(
        d17.user_name.as_deref(),
        raw["userAndLocation"]["realname"].as_str()
    );
    let spare = device(&pull, &computer_id(15));
    assert_eq!((&spare.user_email, &spare.user_name), (&None, &None));
}

#[tokio::test]
async fn device_users_are_the_hr_simulators_people() {
    // The default Jamf instance and the default BambooHR company share a domain.
    let sandbox = spawn(SandboxConfig::default()).await.unwrap();
    let seed = InstanceSeed::default();
    let jamf = JamfClient::new(JamfConfig {
        base_url: sandbox.jamf_base_url(),
        credentials: ClientCredentials {
            client_id: seed.client_id,
            client_secret: ClientSecret::new(seed.client_secret),
        },
        page_size: None,
        policy: fast_policy(),
    })
    .unwrap();
    let pull = jamf.fetch_all().await.unwrap();
    assert_eq!(pull.devices.len(), 200);
    let people = assetronics_integrations::sandbox::bamboohr::generate("acme", 20);
    let found = device(&pull, "20");
    assert_eq!(
        found.user_email.as_deref(),
        Some(people["workEmail"].as_str())
    );
}

#[tokio::test]
async fn one_token_serves_many_calls_even_concurrent_ones() {
    let sandbox = sandbox_with(5, 1800).await;
    let jamf = client(&sandbox, SECRET, fast_policy());
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let jamf = jamf.clone();
            tokio::spawn(async move { jamf.test_connection().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    jamf.fetch_all().await.unwrap();
    assert_eq!(sandbox.jamf().token_requests(INSTANCE), 1);
    assert_eq!(sandbox.jamf().requests(INSTANCE), 1 + 4 + 1);
}

#[tokio::test]
async fn the_simulator_serves_only_the_sections_asked_for() {
    let sandbox = sandbox_with(3, 1800).await;
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/api/oauth/token", sandbox.jamf_base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 1800);
    let page: Value = http
        .get(format!(
            "{}/api/v1/computers-inventory?page-size=2&sort=id:desc",
            sandbox.jamf_base_url()
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalCount"], 3);
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["id"], "3");
    assert!(results[0]["general"]["name"].is_string());
    assert!(
        results[0]["hardware"].is_null(),
        "HARDWARE was not asked for"
    );

    let unauthorized = http
        .get(format!(
            "{}/api/v1/computers-inventory",
            sandbox.jamf_base_url()
        ))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let body: Value = unauthorized.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "INVALID_TOKEN");
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_runs_out() {
    let sandbox = sandbox_with(5, 1).await;
    let jamf = client(&sandbox, SECRET, fast_policy());
    jamf.test_connection().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    jamf.test_connection().await.unwrap();
    assert_eq!(sandbox.jamf().token_requests(INSTANCE), 2);
    assert_eq!(
        sandbox.jamf().requests(INSTANCE),
        4,
        "renewed ahead of time: no call was refused"
    );
}
