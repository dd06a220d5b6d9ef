//! The Intune client against the in-process Intune (Graph and identity platform) simulator.

use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::intune::{GRAPH_SCOPE, IntuneClient, IntuneConfig};
use assetronics_integrations::mdm::MdmError;
use assetronics_integrations::oauth::{ClientCredentials, ClientSecret};
use assetronics_integrations::sandbox::intune::{TenantSeed, device_id, generate, serial};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use serde_json::Value;

use crate::support::{PAGE, device, fast_policy};

pub const TENANT: &str = "6f1b2c3d-1111-4222-8333-444455556666";
pub const CLIENT_ID: &str = "test-intune-app";
pub const SECRET: &str = "test-intune-secret";
pub const USER_DOMAIN: &str = "initech.example.com";

pub async fn sandbox_with(devices: u64, token_lifetime_secs: u64) -> Sandbox {
    spawn(SandboxConfig {
        intune_tenants: vec![TenantSeed {
            tenant_id: TENANT.into(),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            devices,
            user_domain: USER_DOMAIN.into(),
            page_size: PAGE,
            token_lifetime_secs,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn config(sandbox: &Sandbox, tenant: &str, client_id: &str, secret: &str) -> IntuneConfig {
    IntuneConfig {
        tenant_id: tenant.into(),
        credentials: ClientCredentials {
            client_id: client_id.into(),
            client_secret: ClientSecret::new(secret),
        },
        base_url: Some(sandbox.intune_base_url()),
        login_base_url: Some(sandbox.intune_base_url()),
        policy: fast_policy(),
    }
}

pub fn client(sandbox: &Sandbox, secret: &str, policy: HttpPolicy) -> IntuneClient {
    IntuneClient::new(IntuneConfig {
        policy,
        ..config(sandbox, TENANT, CLIENT_ID, secret)
    })
    .unwrap()
}

#[tokio::test]
async fn managed_devices_map_graph_properties() {
    let sandbox = sandbox_with(30, 3599).await;
    let pull = client(&sandbox, SECRET, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.devices.len(), 30);
    for n in [17, 18, 19] {
        let raw = generate(TENANT, USER_DOMAIN, n);
        let found = device(&pull, &device_id(TENANT, n));
        assert_eq!(found.serial_number, Some(serial(n)));
        assert_eq!(found.name, raw["deviceName"].as_str().unwrap());
        assert_eq!(found.model.as_deref(), raw["model"].as_str());
        assert_eq!(found.os_name.as_deref(), raw["operatingSystem"].as_str());
        assert_eq!(found.os_version.as_deref(), raw["osVersion"].as_str());
        assert_eq!(found.user_email.as_deref(), raw["emailAddress"].as_str());
        assert_eq!(found.user_name.as_deref(), raw["userDisplayName"].as_str());
        assert!(found.last_check_in.is_some());
    }
    let spare = device(&pull, &device_id(TENANT, 25));
    assert_eq!((&spare.user_email, &spare.user_name), (&None, &None));
}

#[tokio::test]
async fn entra_refusals_need_attention_and_say_why() {
    let sandbox = sandbox_with(3, 3599).await;
    let cases = [
        (TENANT, "someone-else", SECRET, "AADSTS700016"),
        (TENANT, CLIENT_ID, "wrong", "AADSTS7000215"),
        (
            "no-such-tenant.onmicrosoft.com",
            CLIENT_ID,
            SECRET,
            "AADSTS90002",
        ),
    ];
    for (tenant, client_id, secret, code) in cases {
        let intune = IntuneClient::new(config(&sandbox, tenant, client_id, secret)).unwrap();
        let err = intune.test_connection().await.unwrap_err();
        assert!(err.needs_attention(), "{code}: {err:?}");
        assert!(
            matches!(&err, MdmError::Vendor(VendorError::Unauthorized { message }) if message.contains(code)),
            "{code}: {err:?}"
        );
    }
    assert_eq!(sandbox.intune().token_requests(TENANT), 2);
    assert_eq!(sandbox.intune().unattributed_requests(), 1);
}

#[tokio::test]
async fn the_simulator_pages_by_next_link_and_honours_select_and_top() {
    let sandbox = sandbox_with(25, 3599).await;
    let http = reqwest::Client::new();
    let base = sandbox.intune_base_url();
    let token: Value = http
        .post(format!("{base}/{TENANT}/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}&scope={}",
            GRAPH_SCOPE.replace(':', "%3A").replace('/', "%2F")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    let mut url =
        format!("{base}/v1.0/deviceManagement/managedDevices?$select=id,serialNumber&$top=20");
    let mut seen = Vec::new();
    loop {
        let page: Value = http
            .get(&url)
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for device in page["value"].as_array().unwrap() {
            assert_eq!(device.as_object().unwrap().len(), 2, "only the selected");
            seen.push(device["serialNumber"].as_str().unwrap().to_owned());
        }
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, (1..=25).map(serial).collect::<Vec<_>>());

    let unknown = http
        .get(format!(
            "{base}/v1.0/deviceManagement/managedDevices?$select=id,colour"
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BadRequest");
}

#[tokio::test]
async fn a_wipe_without_a_token_is_refused_and_wipes_nothing() {
    let sandbox = sandbox_with(5, 3599).await;
    let http = reqwest::Client::new();
    // Without a token Graph refuses, and nothing is wiped.
    let refused = http
        .post(format!(
            "{}/v1.0/deviceManagement/managedDevices/{}/wipe",
            sandbox.intune_base_url(),
            device_id(TENANT, 1)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(sandbox.intune().wipes(TENANT).is_empty());
}
