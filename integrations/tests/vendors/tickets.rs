//! How every ITSM client opens tickets, reads their states and meets its vendor's failures:
//! each test runs against every ITSM simulator.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::itsm::{ItsmError, NewTicket, TicketPull, TicketState};
use assetronics_integrations::sandbox::Sandbox;
use serde_json::{Value, json};

use crate::support::{Itsm, TICKET_PAGE, control_api, fast_policy, ticket};

fn hardware_request() -> NewTicket {
    NewTicket {
        summary: "Laptop for Ada Lovelace".into(),
        description: "New starter on 2026-12-01.\nMacBook Pro 14\", US keyboard.".into(),
        requester_email: None,
    }
}

/// The ids of seeded tickets `1..=n`.
fn seeded(vendor: Itsm, n: u64) -> Vec<String> {
    (1..=n).map(|i| vendor.seeded_id(i)).collect()
}

/// A read of seeded tickets `1..=read` from an account of `tickets` after `faults` were set:
/// the simulator, the outcome and how long the read took.
async fn read_with(
    vendor: Itsm,
    tickets: u64,
    read: u64,
    faults: Value,
) -> (Sandbox, Result<TicketPull, ItsmError>, Duration) {
    let sandbox = vendor.sandbox(tickets, TICKET_PAGE).await;
    vendor.faults(&sandbox, faults).await;
    let started = Instant::now();
    let outcome = vendor
        .client(&sandbox, true, fast_policy())
        .fetch_tickets(&seeded(vendor, read))
        .await;
    (sandbox, outcome, started.elapsed())
}

#[tokio::test]
async fn test_connection_succeeds_with_the_right_credentials() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(3, TICKET_PAGE).await;
        vendor
            .client(&sandbox, true, fast_policy())
            .test_connection()
            .await
            .unwrap();
        assert!(vendor.requests(&sandbox) >= 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn a_created_ticket_reads_back_open() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(3, TICKET_PAGE).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        let created = client.create_ticket(&hardware_request()).await.unwrap();
        assert_eq!(created.state, TicketState::Open, "{vendor:?}");
        assert!(!created.state.is_done());
        assert!(created.url.is_some(), "{vendor:?}: no link");
        assert!(!created.vendor_status.is_empty());
        let stored = vendor.stored(&sandbox, &created.external_id);
        assert_eq!(stored.summary, "Laptop for Ada Lovelace", "{vendor:?}");
        assert!(stored.description.contains("New starter"), "{vendor:?}");
        assert!(
            stored.key.eq_ignore_ascii_case(&created.key),
            "{vendor:?}: {} vs {}",
            stored.key,
            created.key
        );

        let read = client
            .tickets(std::slice::from_ref(&created.external_id))
            .await
            .unwrap();
        assert_eq!(read.len(), 1, "{vendor:?}");
        assert_eq!(read[0].external_id, created.external_id);
        assert_eq!(read[0].key, created.key);
        assert_eq!(read[0].state, TicketState::Open);
        assert_eq!(read[0].vendor_status, created.vendor_status, "{vendor:?}");
        assert!(read[0].url.is_some());
    }
}

#[tokio::test]
async fn a_read_pages_through_every_ticket_asked_for() {
    for vendor in Itsm::ALL {
        let (sandbox, outcome, _) = read_with(vendor, 12, 12, json!({})).await;
        let pull = outcome.unwrap();
        assert!(
            pull.malformed.is_empty(),
            "{vendor:?}: {:?}",
            pull.malformed
        );
        let ids: HashSet<_> = pull.tickets.iter().map(|t| t.external_id.clone()).collect();
        assert_eq!(ids, seeded(vendor, 12).into_iter().collect(), "{vendor:?}");
        assert_eq!(
            vendor.requests(&sandbox),
            12_u64.div_ceil(TICKET_PAGE),
            "{vendor:?}: three pages"
        );
        for n in [1, 4, 7] {
            let found = ticket(&pull.tickets, &vendor.seeded_id(n));
            assert_eq!(found.key, vendor.seeded_key(n), "{vendor:?}");
        }
        // The seeds: every fourth resolved, every seventh in progress.
        assert_eq!(
            ticket(&pull.tickets, &vendor.seeded_id(4)).state,
            TicketState::Resolved
        );
        assert_eq!(
            ticket(&pull.tickets, &vendor.seeded_id(7)).state,
            TicketState::InProgress
        );
        assert_eq!(
            ticket(&pull.tickets, &vendor.seeded_id(1)).state,
            TicketState::Open
        );
    }
}

#[tokio::test]
async fn a_ticket_resolved_at_the_vendor_reads_as_done() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(0, TICKET_PAGE).await;
        let client = vendor.client(&sandbox, true, fast_policy());
        let created = client.create_ticket(&hardware_request()).await.unwrap();
        let ids = vec![created.external_id.clone()];
        for state in [
            TicketState::InProgress,
            TicketState::Resolved,
            TicketState::Closed,
            TicketState::Cancelled,
        ] {
            vendor.set_state(&sandbox, &created.key, state);
            let read = client.tickets(&ids).await.unwrap();
            assert_eq!(read.len(), 1, "{vendor:?}");
            assert_eq!(read[0].state, vendor.read_back(state), "{vendor:?}");
            assert_eq!(read[0].state.is_done(), state.is_done(), "{vendor:?}");
        }
    }
}

#[tokio::test]
async fn the_control_api_resolves_a_ticket() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(5, TICKET_PAGE).await;
        let key = vendor.seeded_key(2);
        let key_in_path = key.replace('#', "%23");
        let moved = control_api(
            &sandbox,
            &format!("{}/tickets/{key_in_path}/state", vendor.control_path()),
            reqwest::Method::POST,
            json!({"state": "resolved"}),
        )
        .await;
        assert_eq!(moved["state"], "resolved", "{vendor:?}");
        let listed = control_api(
            &sandbox,
            &format!("{}/tickets", vendor.control_path()),
            reqwest::Method::GET,
            Value::Null,
        )
        .await;
        assert_eq!(listed.as_array().unwrap().len(), 5);
        let read = vendor
            .client(&sandbox, true, fast_policy())
            .tickets(&[vendor.seeded_id(2)])
            .await
            .unwrap();
        assert_eq!(read[0].state, TicketState::Resolved, "{vendor:?}");
        assert!(read[0].state.is_done());
    }
}

#[tokio::test]
async fn tickets_the_vendor_does_not_have_are_absent() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(6, TICKET_PAGE).await;
        vendor.delete(&sandbox, &vendor.seeded_id(2));
        let client = vendor.client(&sandbox, true, fast_policy());
        let mut ids = seeded(vendor, 3);
        ids.push("not a ticket id".into());
        ids.push(String::new());
        let read = client.tickets(&ids).await.unwrap();
        let found: HashSet<_> = read.iter().map(|t| t.external_id.clone()).collect();
        let expected: HashSet<_> = [vendor.seeded_id(1), vendor.seeded_id(3)].into();
        assert_eq!(found, expected, "{vendor:?}");

        let before = vendor.requests(&sandbox);
        assert!(client.tickets(&[]).await.unwrap().is_empty());
        assert!(client.tickets(&["  ".into()]).await.unwrap().is_empty());
        assert_eq!(
            vendor.requests(&sandbox),
            before,
            "{vendor:?}: nothing to ask"
        );
    }
}

#[tokio::test]
async fn bad_credentials_need_attention_and_are_not_retried() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(3, TICKET_PAGE).await;
        let client = vendor.client(&sandbox, false, fast_policy());
        let err = client.test_connection().await.unwrap_err();
        assert!(
            matches!(err, ItsmError::Vendor(VendorError::Unauthorized { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention() && !err.is_retryable(), "{vendor:?}");
        let err = client.tickets(&seeded(vendor, 2)).await.unwrap_err();
        assert!(err.needs_attention(), "{vendor:?}: {err:?}");
        let err = client.create_ticket(&hardware_request()).await.unwrap_err();
        assert!(err.needs_attention(), "{vendor:?}: {err:?}");
        assert_eq!(
            vendor.requests(&sandbox) + vendor.unattributed(&sandbox),
            3,
            "{vendor:?}: one request per call"
        );
        assert_eq!(
            vendor.stored(&sandbox, &vendor.seeded_id(3)).key,
            vendor.seeded_key(3)
        );
    }
}

#[tokio::test]
async fn forbidden_needs_attention_and_is_not_retried() {
    for vendor in Itsm::ALL {
        let faults = json!({"fail_next": 5, "fail_status": 403});
        let (sandbox, outcome, _) = read_with(vendor, 3, 3, faults).await;
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, ItsmError::Vendor(VendorError::Forbidden { .. })),
            "{vendor:?}: {err:?}"
        );
        assert!(err.needs_attention() && !err.is_retryable());
        assert_eq!(vendor.requests(&sandbox), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    for vendor in Itsm::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 1});
        let (sandbox, outcome, took) = read_with(vendor, 3, 3, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(outcome.unwrap().tickets.len(), 3, "{vendor:?}");
        assert_eq!(vendor.requests(&sandbox), 2, "{vendor:?}");
    }
}

#[tokio::test]
async fn a_rate_limited_create_opens_one_ticket() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(0, TICKET_PAGE).await;
        vendor
            .faults(
                &sandbox,
                json!({"rate_limit_next": 1, "retry_after_secs": 1}),
            )
            .await;
        let started = Instant::now();
        let created = vendor
            .client(&sandbox, true, fast_policy())
            .create_ticket(&hardware_request())
            .await
            .unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "{vendor:?}");
        assert_eq!(created.state, TicketState::Open);
        let all = match vendor {
            Itsm::Jira => sandbox.jira().tickets(vendor.account()),
            Itsm::ServiceNow => sandbox.servicenow().tickets(vendor.account()),
            Itsm::Freshservice => sandbox.freshservice().tickets(vendor.account()),
        };
        assert_eq!(all.len(), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn retry_after_longer_than_allowed_is_returned_not_slept() {
    for vendor in Itsm::ALL {
        let faults = json!({"rate_limit_next": 1, "retry_after_secs": 3600});
        let (sandbox, outcome, took) = read_with(vendor, 3, 3, faults).await;
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
    for vendor in Itsm::ALL {
        let (sandbox, outcome, _) = read_with(vendor, 3, 3, json!({"fail_next": 1})).await;
        assert_eq!(outcome.unwrap().tickets.len(), 3, "{vendor:?}");
        assert_eq!(vendor.requests(&sandbox), 2, "{vendor:?}");
    }
}

#[tokio::test]
async fn unavailable_with_retry_after_is_honored() {
    for vendor in Itsm::ALL {
        let faults = json!({"fail_next": 1, "fail_status": 503, "retry_after_secs": 1});
        let (_, outcome, took) = read_with(vendor, 3, 3, faults).await;
        assert!(
            took >= Duration::from_secs(1),
            "{vendor:?} waited only {took:?}"
        );
        assert_eq!(outcome.unwrap().tickets.len(), 3);
    }
}

#[tokio::test]
async fn repeated_outages_open_the_circuit() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(3, TICKET_PAGE).await;
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
            let err = client.tickets(&seeded(vendor, 1)).await.unwrap_err();
            assert!(err.is_retryable(), "{vendor:?}: {err:?}");
        }
        assert!(!client.circuit_closed(), "{vendor:?}");
        let err = client.tickets(&seeded(vendor, 1)).await.unwrap_err();
        assert!(
            matches!(err, ItsmError::Vendor(VendorError::CircuitOpen)),
            "{vendor:?}: {err:?}"
        );
        assert_eq!(vendor.requests(&sandbox), 3, "{vendor:?}");
    }
}

#[tokio::test]
async fn a_malformed_ticket_is_reported_and_the_rest_come_through() {
    for vendor in Itsm::ALL {
        let broken = vendor.seeded_id(3);
        let faults = json!({ "malformed_ids": [broken] });
        let (sandbox, outcome, _) = read_with(vendor, 8, 8, faults).await;
        let pull = outcome.unwrap();
        assert_eq!(pull.tickets.len(), 7, "{vendor:?}");
        assert!(pull.tickets.iter().all(|t| t.external_id != broken));
        assert_eq!(pull.malformed.len(), 1, "{vendor:?}");
        assert_eq!(pull.malformed[0].external_id.as_ref(), Some(&broken));
        assert!(
            pull.malformed[0].reason.contains(vendor.broken_field()),
            "{vendor:?}: {}",
            pull.malformed[0].reason
        );

        // What a polling job calls: the broken ticket is left out, not fatal.
        let read = vendor
            .client(&sandbox, true, fast_policy())
            .tickets(&seeded(vendor, 8))
            .await
            .unwrap();
        assert_eq!(read.len(), 7, "{vendor:?}");
    }
}

#[tokio::test]
async fn timeout_is_unavailable_and_retried() {
    for vendor in Itsm::ALL {
        let sandbox = vendor.sandbox(3, TICKET_PAGE).await;
        let impatient = HttpPolicy {
            timeout: Duration::from_millis(300),
            ..fast_policy()
        };
        vendor
            .faults(&sandbox, json!({"slow_next": 1, "slow_ms": 2000}))
            .await;
        let read = vendor
            .client(&sandbox, true, impatient)
            .tickets(&seeded(vendor, 3))
            .await
            .unwrap();
        assert_eq!(read.len(), 3, "{vendor:?}");
    }
}
