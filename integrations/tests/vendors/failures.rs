//! How every HR client meets its vendor's failures: each test runs against both simulators.

use std::time::{Duration, Instant};

use assetronics_integrations::hris::{EmployeePull, HrisError};
use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::sandbox::Sandbox;
use serde_json::{Value, json};

use crate::support::{Vendor, fast_policy};

/// A full pull from a company of `employees` after `faults` were set: the simulator, the
/// outcome and how long the pull took.
async fn pull_with(
    vendor: Vendor,
    employees: u64,
    faults: Value,
) -> (Sandbox, Result<EmployeePull, HrisError>, Duration) {
    let sandbox = vendor.sandbox(employees).await;
    vendor.faults(&sandbox, faults).await;
    let started = Instant::now();
    let outcome = vendor
        .client(&sandbox, true, fast_policy())
        .fetch_all()
        .await;
    (sandbox, outcome, started.elapsed())
}

#[tokio::test]
async fn test_connection_succeeds_with_the_right_credentials() {
    for vendor in Vendor::ALL {
        let sandbox = vendor.sandbox(3).await;
        vendor
            .client(&sandbox, true, fast_policy())
            .test_connection()
            .await
            .unwrap();
        assert_eq!(vendor.requests(&sandbox), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn bad_credentials_need_attention_and_are_not_retried() {
    for vendor in Vendor::ALL {
        let sandbox = vendor.sandbox(10).await;
        let err = vendor
            .client(&sandbox, false, fast_policy())
            .test_connection()
            .await
            .unwrap_err();
        assert!(err.needs_attention() && !err.is_retryable(), "{vendor:?}");
        assert!(
            matches!(&err, HrisError::Vendor(VendorError::Unauthorized { message }) if message == vendor.rejection()),
            "{vendor:?}: {err:?}"
        );
        assert_eq!(vendor.requests(&sandbox), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn forbidden_needs_attention_and_is_not_retried() {
    for vendor in Vendor::ALL {
        let faults = json!({"fail_next": 5, "fail_status": 403});
        let (sandbox, outcome, _) = pull_with(vendor, 10, faults).await;
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, HrisError::Vendor(VendorError::Forbidden { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention() && !err.is_retryable());
        assert_eq!(vendor.requests(&sandbox), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    for vendor in Vendor::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 1});
        let (sandbox, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(outcome.unwrap().employees.len(), 10);
        assert_eq!(vendor.requests(&sandbox), 2, "{vendor:?}");
    }
}

#[tokio::test]
async fn retry_after_longer_than_allowed_is_returned_not_slept() {
    for vendor in Vendor::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 3600});
        let (sandbox, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(took < Duration::from_secs(5), "{vendor:?}");
        let err = outcome.unwrap_err();
        assert!(err.is_retryable());
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
    for vendor in Vendor::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 10, json!({"fail_next": 1})).await;
        assert_eq!(outcome.unwrap().employees.len(), 10);
        assert_eq!(vendor.requests(&sandbox), 2, "{vendor:?}");
    }
}

#[tokio::test]
async fn unavailable_with_retry_after_is_honored() {
    for vendor in Vendor::ALL {
        let faults = json!({"fail_next": 1, "fail_status": 503, "retry_after_secs": 1});
        let (_, outcome, took) = pull_with(vendor, 10, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(outcome.unwrap().employees.len(), 10);
    }
}

#[tokio::test]
async fn malformed_record_is_skipped_and_reported() {
    for vendor in Vendor::ALL {
        let broken = vendor.id(17);
        let faults = json!({ "malformed_ids": [broken] });
        let (_, outcome, _) = pull_with(vendor, 30, faults).await;
        let pull = outcome.unwrap();
        assert_eq!(pull.employees.len(), 29, "{vendor:?}");
        assert!(pull.employees.iter().all(|e| e.external_id != broken));
        assert_eq!(pull.malformed.len(), 1);
        assert_eq!(pull.malformed[0].external_id.as_ref(), Some(&broken));
        assert!(
            pull.malformed[0].reason.contains(vendor.broken_field()),
            "{vendor:?}: {}",
            pull.malformed[0].reason
        );
    }
}

#[tokio::test]
async fn circuit_breaker_opens_after_repeated_failures() {
    for vendor in Vendor::ALL {
        let sandbox = vendor.sandbox(10).await;
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
        let client = vendor.client(&sandbox, true, no_retries);
        for _ in 0..3 {
            let err = client.test_connection().await.unwrap_err();
            assert!(
                matches!(err, HrisError::Vendor(VendorError::Unavailable { .. })),
                "{vendor:?}: {err:?}"
            );
        }
        assert!(!client.circuit_closed());
        let err = client.test_connection().await.unwrap_err();
        assert!(
            matches!(err, HrisError::Vendor(VendorError::CircuitOpen)),
            "{vendor:?}: {err:?}"
        );
        assert_eq!(
            vendor.requests(&sandbox),
            3,
            "{vendor:?}: an open circuit sends nothing"
        );
    }
}

#[tokio::test]
async fn retries_count_towards_the_breaker() {
    for vendor in Vendor::ALL {
        let (sandbox, outcome, _) = pull_with(vendor, 10, json!({"fail_next": 100})).await;
        // Three 500s open the circuit; the fourth attempt is refused without a request.
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, HrisError::Vendor(VendorError::CircuitOpen)),
            "{vendor:?}: {err:?}"
        );
        assert_eq!(vendor.requests(&sandbox), 3, "{vendor:?}");
    }
}

#[tokio::test]
async fn timeout_is_unavailable_and_retried() {
    for vendor in Vendor::ALL {
        let sandbox = vendor.sandbox(10).await;
        let impatient = HttpPolicy {
            timeout: Duration::from_millis(300),
            ..fast_policy()
        };
        vendor
            .faults(&sandbox, json!({"slow_next": 1, "slow_ms": 2000}))
            .await;
        let pull = vendor
            .client(&sandbox, true, impatient.clone())
            .fetch_all()
            .await
            .unwrap();
        assert_eq!(pull.employees.len(), 10, "{vendor:?}");

        vendor
            .faults(&sandbox, json!({"slow_next": 1, "slow_ms": 2000}))
            .await;
        let no_retries = HttpPolicy {
            max_retries: 0,
            ..impatient
        };
        let err = vendor
            .client(&sandbox, true, no_retries)
            .test_connection()
            .await
            .unwrap_err();
        assert!(
            matches!(err, HrisError::Vendor(VendorError::Unavailable { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.is_retryable() && !err.needs_attention());
    }
}

/// A company of 50,000 in one pull: BambooHR's report and Bob's people search both answer
/// everyone at once.
async fn fifty_thousand_are_servable(vendor: Vendor) {
    let sandbox = vendor.sandbox(50_000).await;
    // Answers of 16 MB (BambooHR) and 80 MB (HiBob), built and read by unoptimized test builds
    // on a busy machine.
    let patient = HttpPolicy {
        timeout: Duration::from_secs(300),
        ..fast_policy()
    };
    let pull = vendor
        .client(&sandbox, true, patient)
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 50_000);
    assert!(pull.malformed.is_empty());
}

#[tokio::test]
async fn fifty_thousand_bamboohr_employees_are_servable() {
    fifty_thousand_are_servable(Vendor::BambooHr).await;
}

#[tokio::test]
async fn fifty_thousand_hibob_people_are_servable() {
    fifty_thousand_are_servable(Vendor::Hibob).await;
}
