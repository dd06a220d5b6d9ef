//! How every MDM client pulls devices, meets its vendor's failures and wipes: each test runs
//! against every MDM simulator.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::mdm::{DevicePull, MdmError, UnlockPin, WipeOptions};
use assetronics_integrations::sandbox::Sandbox;
use serde_json::{Value, json};

use crate::support::{Mdm, fast_policy};

/// A full pull of `devices` after `faults` were set: the simulator, the outcome and how long
/// the pull took.
async fn pull_with(
    vendor: Mdm,
    devices: u64,
    faults: Value,
) -> (Sandbox, Result<DevicePull, MdmError>, Duration) {
    let sandbox = vendor.sandbox(devices).await;
    vendor.faults(&sandbox, faults).await;
    let started = Instant::now();
    let outcome = vendor
        .client(&sandbox, true, fast_policy())
        .fetch_all()
        .await;
    (sandbox, outcome, started.elapsed())
}

#[tokio::test]
async fn a_pull_pages_through_every_device() {
    for vendor in Mdm::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 25, json!({})).await;
        let pull = outcome.unwrap();
        assert!(
            pull.malformed.is_empty(),
            "{vendor:?}: {:?}",
            pull.malformed
        );
        let ids: HashSet<_> = pull.devices.iter().map(|d| d.external_id.clone()).collect();
        let expected: HashSet<_> = (1..=25).map(|n| vendor.id(n)).collect();
        assert_eq!(ids, expected, "{vendor:?}");
        let serials: HashSet<_> = pull
            .devices
            .iter()
            .filter_map(|d| d.serial_number.clone())
            .collect();
        assert_eq!(
            serials,
            (1..=25).map(|n| vendor.serial(n)).collect(),
            "{vendor:?}"
        );
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(25),
            "{vendor:?}: three pages"
        );
    }
}

#[tokio::test]
async fn an_empty_fleet_is_an_empty_pull() {
    for vendor in Mdm::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 0, json!({})).await;
        assert_eq!(outcome.unwrap(), DevicePull::default(), "{vendor:?}");
        assert_eq!(vendor.requests(&sandbox), vendor.pull_requests(0));
    }
}

#[tokio::test]
async fn test_connection_succeeds_with_the_right_credentials() {
    for vendor in Mdm::ALL {
        let sandbox = vendor.sandbox(3).await;
        vendor
            .client(&sandbox, true, fast_policy())
            .test_connection()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn bad_credentials_need_attention_and_are_not_retried() {
    for vendor in Mdm::ALL {
        let sandbox = vendor.sandbox(10).await;
        let client = vendor.client(&sandbox, false, fast_policy());
        let err = client.test_connection().await.unwrap_err();
        assert!(
            matches!(err, MdmError::Vendor(VendorError::Unauthorized { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention() && !err.is_retryable(), "{vendor:?}");
        let err = client.fetch_all().await.unwrap_err();
        assert!(err.needs_attention(), "{vendor:?}: {err:?}");
        assert_eq!(
            vendor.requests(&sandbox) + vendor.unattributed(&sandbox),
            2,
            "{vendor:?}: one request per call"
        );
    }
}

#[tokio::test]
async fn forbidden_needs_attention_and_is_not_retried() {
    for vendor in Mdm::ALL {
        let faults = json!({"fail_next": 5, "fail_status": 403});
        let (sandbox, outcome, _) = pull_with(vendor, 10, faults).await;
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, MdmError::Vendor(VendorError::Forbidden { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention() && !err.is_retryable());
        assert_eq!(vendor.requests(&sandbox), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_goes_through() {
    for vendor in Mdm::OAUTH {
        let sandbox = vendor.sandbox(25).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        client.fetch_all().await.unwrap();
        vendor.expire_tokens(&sandbox).await;
        let pull = client.fetch_all().await.unwrap();
        assert_eq!(pull.devices.len(), 25, "{vendor:?}");
        assert_eq!(vendor.token_requests(&sandbox), 2, "{vendor:?}");
        // The refused page is asked for again with the new token.
        assert_eq!(
            vendor.requests(&sandbox),
            2 * vendor.pull_requests(25) + 1,
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn a_refused_renewal_needs_attention_and_ends_the_call() {
    for vendor in Mdm::OAUTH {
        let sandbox = vendor.sandbox(5).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        client.test_connection().await.unwrap();
        // The token is refused, and so is the request for a new one (a client disabled
        // meanwhile): one renewal, no loop.
        vendor
            .faults(&sandbox, json!({"fail_next": 3, "fail_status": 401}))
            .await;
        let err = client.test_connection().await.unwrap_err();
        assert!(
            matches!(err, MdmError::Vendor(VendorError::Unauthorized { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention());
        assert_eq!(
            vendor.token_requests(&sandbox),
            2,
            "{vendor:?}: renewed once"
        );
        assert_eq!(vendor.requests(&sandbox), 2 + 2, "{vendor:?}");
    }
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    for vendor in Mdm::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 1});
        let (sandbox, outcome, took) = pull_with(vendor, 25, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(outcome.unwrap().devices.len(), 25, "{vendor:?}");
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(25) + 1,
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn retry_after_longer_than_allowed_is_returned_not_slept() {
    for vendor in Mdm::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 3600});
        let (_, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(took < Duration::from_secs(5), "{vendor:?}");
        let err = outcome.unwrap_err();
        assert!(err.is_retryable() && !err.needs_attention(), "{vendor:?}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    }
}

#[tokio::test]
async fn server_error_is_retried_then_succeeds() {
    for vendor in Mdm::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 25, json!({"fail_next": 1})).await;
        assert_eq!(outcome.unwrap().devices.len(), 25, "{vendor:?}");
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(25) + 1,
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn unavailable_with_retry_after_is_honored() {
    for vendor in Mdm::ALL {
        let faults = json!({"fail_next": 1, "fail_status": 503, "retry_after_secs": 1});
        let (_, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(outcome.unwrap().devices.len(), 10, "{vendor:?}");
    }
}

#[tokio::test]
async fn an_outage_that_outlasts_the_retries_is_retryable() {
    for vendor in Mdm::ALL {
        let sandbox = vendor.sandbox(10).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        client.test_connection().await.unwrap();
        vendor
            .faults(&sandbox, json!({"fail_next": 100, "fail_status": 502}))
            .await;
        let err = client.fetch_all().await.unwrap_err();
        assert!(
            err.is_retryable() && !err.needs_attention(),
            "{vendor:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_malformed_device_is_counted_and_the_rest_come_through() {
    for vendor in Mdm::ALL {
        let broken = vendor.id(7);
        let faults = json!({ "malformed_ids": [broken] });
        let (_, outcome, _) = pull_with(vendor, 25, faults).await;
        let pull = outcome.unwrap();
        assert_eq!(pull.devices.len(), 24, "{vendor:?}");
        assert!(pull.devices.iter().all(|d| d.external_id != broken));
        assert_eq!(pull.malformed.len(), 1, "{vendor:?}");
        assert_eq!(pull.malformed[0].external_id.as_ref(), Some(&broken));
        assert!(
            pull.malformed[0].reason.contains(vendor.broken_field()),
            "{vendor:?}: {}",
            pull.malformed[0].reason
        );
    }
}

#[tokio::test]
async fn a_wipe_is_recorded_with_its_pin() {
    for vendor in Mdm::ALL {
        let sandbox = vendor.sandbox(10).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        let options = WipeOptions {
            pin: Some(UnlockPin::try_from("123456").unwrap()),
        };
        let receipt = client.wipe(&vendor.id(3), &options).await.unwrap();
        assert_eq!(receipt.device_external_id, vendor.id(3), "{vendor:?}");
        client
            .wipe(&vendor.id(4), &WipeOptions::default())
            .await
            .unwrap();
        let wipes = vendor.wipes(&sandbox).await;
        assert_eq!(wipes.len(), 2, "{vendor:?}");
        assert_eq!(wipes[0]["device_id"], json!(vendor.id(3)), "{vendor:?}");
        assert_eq!(wipes[0]["pin"], "123456", "{vendor:?}");
        assert_eq!(wipes[1]["device_id"], json!(vendor.id(4)));
        assert!(wipes[1]["pin"].is_null(), "{vendor:?}");
    }
}

#[tokio::test]
async fn wiping_an_unknown_device_says_so_and_wipes_nothing() {
    for vendor in Mdm::ALL {
        let sandbox = vendor.sandbox(10).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        for missing in [vendor.id(11), "../../other".to_owned()] {
            let err = client
                .wipe(&missing, &WipeOptions::default())
                .await
                .unwrap_err();
            assert!(
                matches!(&err, MdmError::DeviceNotFound { external_id } if *external_id == missing),
                "{vendor:?}: {err:?}"
            );
            assert!(!err.is_retryable() && !err.needs_attention());
        }
        assert!(vendor.wipes(&sandbox).await.is_empty(), "{vendor:?}");
    }
}

#[tokio::test]
async fn a_wipe_during_an_outage_is_retried_not_lost() {
    for vendor in Mdm::ALL {
        let sandbox = vendor.sandbox(10).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        client.test_connection().await.unwrap();
        vendor.faults(&sandbox, json!({"fail_next": 1})).await;
        client
            .wipe(&vendor.id(5), &WipeOptions::default())
            .await
            .unwrap();
        assert_eq!(
            vendor.wipes(&sandbox).await.len(),
            1,
            "{vendor:?}: exactly once"
        );

        vendor
            .faults(
                &sandbox,
                json!({"fail_next": 100, "fail_status": 503, "retry_after_secs": 0}),
            )
            .await;
        let no_retries = HttpPolicy {
            max_retries: 0,
            ..fast_policy()
        };
        let err = vendor
            .client(&sandbox, true, no_retries)
            .wipe(&vendor.id(6), &WipeOptions::default())
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{vendor:?}: {err:?}");
    }
}

#[tokio::test]
async fn the_sandbox_binary_serves_the_mdm_simulators() {
    use assetronics_integrations::oauth::{ClientCredentials, ClientSecret};
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetronics-sandbox"))
        .args(["--bind", "127.0.0.1:0"])
        .args([
            "--jamf-client-id",
            "bin-jamf",
            "--jamf-client-secret",
            "bin-jamf-secret",
        ])
        .args(["--jamf-computers", "4"])
        .args([
            "--intune-tenant-id",
            "bin.onmicrosoft.com",
            "--intune-devices",
            "5",
        ])
        .args([
            "--kandji-api-token",
            "bin-kandji-token",
            "--kandji-devices",
            "6",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    // The printed base URL of each simulator, by the line's first word.
    let mut urls = std::collections::HashMap::new();
    while urls.len() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let vendor = line.split(' ').next().unwrap().to_owned();
        if let Some(url) = line.split(' ').find(|word| word.starts_with("http://"))
            && ["Jamf", "Intune", "Kandji"].contains(&vendor.as_str())
        {
            urls.insert(vendor, url.to_owned());
        }
    }
    let credentials = |id: &str, secret: &str| ClientCredentials {
        client_id: id.into(),
        client_secret: ClientSecret::new(secret),
    };
    let jamf = assetronics_integrations::jamf::JamfClient::new(
        assetronics_integrations::jamf::JamfConfig {
            base_url: urls["Jamf"].clone(),
            credentials: credentials("bin-jamf", "bin-jamf-secret"),
            page_size: None,
            policy: fast_policy(),
        },
    )
    .unwrap();
    assert_eq!(jamf.fetch_all().await.unwrap().devices.len(), 4);
    let intune = assetronics_integrations::intune::IntuneClient::new(
        assetronics_integrations::intune::IntuneConfig {
            tenant_id: "bin.onmicrosoft.com".into(),
            credentials: credentials("sandbox-intune-client", "sandbox-intune-secret"),
            base_url: Some(urls["Intune"].clone()),
            login_base_url: Some(urls["Intune"].clone()),
            policy: fast_policy(),
        },
    )
    .unwrap();
    assert_eq!(intune.fetch_all().await.unwrap().devices.len(), 5);
    let kandji = assetronics_integrations::kandji::KandjiClient::new(
        assetronics_integrations::kandji::KandjiConfig {
            base_url: urls["Kandji"].clone(),
            api_token: assetronics_integrations::kandji::ApiToken::new("bin-kandji-token"),
            page_size: None,
            policy: fast_policy(),
        },
    )
    .unwrap();
    assert_eq!(kandji.fetch_all().await.unwrap().devices.len(), 6);
    child.kill().await.unwrap();
}
