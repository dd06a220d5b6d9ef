//! How every finance client pulls purchases and meets its vendor's failures: each test runs
//! against both finance simulators.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use assetronics_integrations::finance::{FinanceError, PurchasePull};
use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::jamf::{JamfClient, JamfConfig};
use assetronics_integrations::netsuite::{NetSuiteClient, NetSuiteConfig, TbaSecret};
use assetronics_integrations::oauth::{ClientCredentials, ClientSecret, RefreshToken};
use assetronics_integrations::quickbooks::{QuickBooksClient, QuickBooksConfig};
use assetronics_integrations::sandbox::{
    Sandbox, SandboxConfig, jamf, netsuite, quickbooks, spawn,
};
use serde_json::{Value, json};

use crate::support::{Finance, fast_policy};

/// A full pull from books of `devices` devices after `faults` were set: the simulator, the
/// outcome and how long the pull took.
async fn pull_with(
    vendor: Finance,
    devices: u64,
    faults: Value,
) -> (Sandbox, Result<PurchasePull, FinanceError>, Duration) {
    let sandbox = vendor.sandbox(devices).await;
    vendor.faults(&sandbox, faults).await;
    let started = Instant::now();
    let outcome = vendor
        .client(&sandbox, true, fast_policy())
        .fetch_purchases(None)
        .await;
    (sandbox, outcome, started.elapsed())
}

#[tokio::test]
async fn a_pull_pages_through_every_line_once() {
    for vendor in Finance::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 25, json!({})).await;
        let pull = outcome.unwrap();
        assert!(
            pull.malformed.is_empty(),
            "{vendor:?}: {:?}",
            pull.malformed
        );
        let ids: HashSet<_> = pull.lines.iter().map(|l| l.external_id.clone()).collect();
        assert_eq!(ids.len(), pull.lines.len(), "{vendor:?}: ids are unique");
        assert_eq!(
            pull.lines.len(),
            vendor.expected_lines(&sandbox, None),
            "{vendor:?}"
        );
        assert!(pull.lines.len() > 2 * crate::support::FINANCE_PAGE as usize);
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(&sandbox),
            "{vendor:?}"
        );
        let serials: HashSet<_> = pull
            .lines
            .iter()
            .filter_map(|l| l.serial_number.clone())
            .collect();
        assert_eq!(serials, (1..=25).map(jamf::serial).collect(), "{vendor:?}");
        let total: i64 = pull.lines.iter().map(|l| l.amount_cents).sum();
        let expected: i64 = vendor
            .documents(&sandbox)
            .iter()
            .map(|d| d.document.total_cents())
            .sum();
        assert_eq!(total, expected, "{vendor:?}: not a cent lost");
    }
}

#[tokio::test]
async fn empty_books_are_an_empty_pull() {
    for vendor in Finance::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 0, json!({})).await;
        assert_eq!(outcome.unwrap(), PurchasePull::default(), "{vendor:?}");
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(&sandbox),
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn since_keeps_the_lines_dated_on_or_after_it() {
    for vendor in Finance::ALL {
        let sandbox = vendor.sandbox(25).await;
        let since = vendor.documents(&sandbox)[17].document.date;
        let pull = vendor
            .client(&sandbox, true, fast_policy())
            .fetch_purchases(Some(since))
            .await
            .unwrap();
        assert!(pull.lines.iter().all(|l| l.date >= since), "{vendor:?}");
        assert_eq!(
            pull.lines.len(),
            vendor.expected_lines(&sandbox, Some(since)),
            "{vendor:?}"
        );
        assert!(pull.lines.len() < vendor.expected_lines(&sandbox, None));
    }
}

#[tokio::test]
async fn test_connection_succeeds_with_the_right_credentials() {
    for vendor in Finance::ALL {
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
    for vendor in Finance::ALL {
        let sandbox = vendor.sandbox(10).await;
        let client = vendor.client(&sandbox, false, fast_policy());
        let err = client.test_connection().await.unwrap_err();
        assert!(
            matches!(err, FinanceError::Vendor(VendorError::Unauthorized { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention() && !err.is_retryable(), "{vendor:?}");
        let err = client.fetch_purchases(None).await.unwrap_err();
        assert!(err.needs_attention(), "{vendor:?}: {err:?}");
        assert_eq!(
            vendor.requests(&sandbox),
            2,
            "{vendor:?}: one request per call"
        );
    }
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    for vendor in Finance::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 1});
        let (sandbox, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(
            outcome.unwrap().lines.len(),
            vendor.expected_lines(&sandbox, None),
            "{vendor:?}"
        );
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(&sandbox) + 1,
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn retry_after_longer_than_allowed_is_returned_not_slept() {
    for vendor in Finance::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 3600});
        let (sandbox, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(took < Duration::from_secs(5), "{vendor:?}");
        let err = outcome.unwrap_err();
        assert!(err.is_retryable() && !err.needs_attention(), "{vendor:?}");
        assert_eq!(
            err.retry_after(),
            Some(Duration::from_secs(3600)),
            "{vendor:?}"
        );
        assert_eq!(vendor.requests(&sandbox), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn server_error_is_retried_then_succeeds() {
    for vendor in Finance::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 10, json!({"fail_next": 1})).await;
        assert_eq!(
            outcome.unwrap().lines.len(),
            vendor.expected_lines(&sandbox, None),
            "{vendor:?}"
        );
        assert_eq!(
            vendor.requests(&sandbox),
            vendor.pull_requests(&sandbox) + 1,
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn an_outage_opens_the_circuit() {
    for vendor in Finance::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 10, json!({"fail_next": 100})).await;
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, FinanceError::Vendor(VendorError::CircuitOpen)),
            "{vendor:?}: {err:?}"
        );
        assert!(err.is_retryable(), "{vendor:?}");
        assert_eq!(vendor.requests(&sandbox), 3, "{vendor:?}");
    }
}

#[tokio::test]
async fn a_malformed_document_is_reported_not_fatal() {
    for vendor in Finance::ALL {
        let sandbox = vendor.sandbox(10).await;
        let broken = vendor.documents(&sandbox)[0].clone();
        vendor
            .faults(&sandbox, json!({ "malformed_ids": [broken.id] }))
            .await;
        let pull = vendor
            .client(&sandbox, true, fast_policy())
            .fetch_purchases(None)
            .await
            .unwrap();
        assert_eq!(
            pull.lines.len(),
            vendor.expected_lines(&sandbox, None) - broken.document.lines.len(),
            "{vendor:?}"
        );
        assert_eq!(
            pull.malformed.len(),
            vendor.malformed_for(&broken),
            "{vendor:?}"
        );
        let prefix = vendor.broken_prefix(&broken);
        for malformed in &pull.malformed {
            assert!(
                malformed
                    .external_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with(&prefix)),
                "{vendor:?}: {malformed}"
            );
            assert!(
                malformed.reason.contains(vendor.broken_field()),
                "{vendor:?}: {malformed}"
            );
        }
        assert!(
            pull.lines
                .iter()
                .all(|l| !l.external_id.starts_with(&prefix))
        );
    }
}

#[tokio::test]
async fn a_timeout_is_retried() {
    for vendor in Finance::ALL {
        let sandbox = vendor.sandbox(5).await;
        vendor
            .faults(&sandbox, json!({"slow_next": 1, "slow_ms": 2000}))
            .await;
        let impatient = HttpPolicy {
            timeout: Duration::from_millis(300),
            ..fast_policy()
        };
        let pull = vendor
            .client(&sandbox, true, impatient)
            .fetch_purchases(None)
            .await
            .unwrap();
        assert_eq!(
            pull.lines.len(),
            vendor.expected_lines(&sandbox, None),
            "{vendor:?}"
        );
    }
}

/// The default simulator's books and its Jamf Pro instance name the same hardware: every
/// serial number on a purchase line is a Jamf computer's.
#[tokio::test]
async fn purchases_name_the_serials_the_mdm_reports() {
    let sandbox = spawn(SandboxConfig::default()).await.unwrap();
    let jamf_seed = jamf::InstanceSeed::default();
    let computers = JamfClient::new(JamfConfig {
        base_url: sandbox.jamf_base_url(),
        credentials: ClientCredentials {
            client_id: jamf_seed.client_id,
            client_secret: ClientSecret::new(jamf_seed.client_secret),
        },
        page_size: None,
        policy: fast_policy(),
    })
    .unwrap()
    .fetch_all()
    .await
    .unwrap();
    let managed: HashSet<_> = computers
        .devices
        .iter()
        .filter_map(|d| d.serial_number.clone())
        .collect();
    assert_eq!(managed.len(), 200);

    let books = quickbooks::CompanySeed::default();
    let quickbooks = QuickBooksClient::new(QuickBooksConfig {
        realm_id: books.realm_id,
        client_id: books.client_id,
        client_secret: ClientSecret::new(books.client_secret),
        refresh_token: RefreshToken::new(books.refresh_token),
        base_url: Some(sandbox.quickbooks_base_url()),
        token_url: Some(sandbox.quickbooks_token_url()),
        policy: fast_policy(),
    })
    .unwrap();
    let ledger = netsuite::AccountSeed::default();
    let netsuite = NetSuiteClient::new(NetSuiteConfig {
        account_id: ledger.account_id,
        base_url: Some(sandbox.netsuite_base_url()),
        consumer_key: ledger.consumer_key,
        consumer_secret: TbaSecret::new(ledger.consumer_secret),
        token_id: ledger.token_id,
        token_secret: TbaSecret::new(ledger.token_secret),
        policy: fast_policy(),
    })
    .unwrap();
    for pull in [
        quickbooks.fetch_purchases(None).await.unwrap(),
        netsuite.fetch_purchases(None).await.unwrap(),
    ] {
        let bought: HashSet<_> = pull
            .lines
            .iter()
            .filter_map(|l| l.serial_number.clone())
            .collect();
        assert_eq!(bought, managed);
    }
}
