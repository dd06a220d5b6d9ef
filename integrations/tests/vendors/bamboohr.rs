//! The BambooHR client against the in-process BambooHR simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use assetronics_integrations::bamboohr::{ApiKey, BambooHrClient, BambooHrConfig, ChangeAction};
use assetronics_integrations::hris::{EmploymentStatus, HrisError};
use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::sandbox::bamboohr::CompanySeed;
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

const SUBDOMAIN: &str = "acme";
const KEY: &str = "test-key";

fn fast_policy() -> HttpPolicy {
    HttpPolicy {
        timeout: Duration::from_secs(30),
        max_retries: 3,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
        requests_per_second: NonZeroU32::new(1000).unwrap(),
        breaker_failures: 3,
        breaker_open_for: Duration::from_secs(60),
        ..HttpPolicy::default()
    }
}

async fn sandbox_with(employees: u64) -> Sandbox {
    spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed {
            subdomain: SUBDOMAIN.into(),
            api_key: KEY.into(),
            employees,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sandbox: &Sandbox, key: &str, policy: HttpPolicy) -> BambooHrClient {
    BambooHrClient::new(BambooHrConfig {
        subdomain: SUBDOMAIN.into(),
        api_key: ApiKey::new(key),
        base_url: Some(sandbox.bamboohr_base_url()),
        policy,
    })
    .unwrap()
}

/// Talks to the simulator's control API as a developer would.
async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    let url = format!("{}/_control/bamboohr/{SUBDOMAIN}{path}", sandbox.url());
    let response = reqwest::Client::new()
        .request(method, url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "control {path}: {}",
        response.status()
    );
    let bytes = response.bytes().await.unwrap();
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    }
}

async fn faults(sandbox: &Sandbox, body: Value) {
    control(sandbox, reqwest::Method::POST, "/faults", body).await;
}

#[tokio::test]
async fn full_pull_maps_bamboohr_fields() {
    let sandbox = sandbox_with(50).await;
    let pull = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 50);
    assert!(pull.malformed.is_empty());

    let e17 = pull
        .employees
        .iter()
        .find(|e| e.external_id == "17")
        .unwrap();
    let raw = assetronics_integrations::sandbox::bamboohr::generate(SUBDOMAIN, 17);
    assert_eq!(e17.first_name, raw["firstName"]);
    assert_eq!(e17.last_name, raw["lastName"]);
    assert_eq!(
        e17.display_name,
        format!("{} {}", raw["firstName"], raw["lastName"])
    );
    assert_eq!(e17.work_email.as_deref(), Some(raw["workEmail"].as_str()));
    assert_eq!(e17.employee_number.as_deref(), Some("E00017"));
    assert_eq!(e17.job_title.as_deref(), Some(raw["jobTitle"].as_str()));
    assert_eq!(e17.department.as_deref(), Some(raw["department"].as_str()));
    assert_eq!(e17.location.as_deref(), Some(raw["location"].as_str()));
    assert_eq!(e17.manager_external_id.as_deref(), Some("2"));
    assert_eq!(e17.status, EmploymentStatus::Active);
    assert_eq!(
        e17.hire_date,
        NaiveDate::parse_from_str(&raw["hireDate"], "%Y-%m-%d").ok()
    );
    assert_eq!(e17.termination_date, None, "0000-00-00 means no date");

    let first = pull
        .employees
        .iter()
        .find(|e| e.external_id == "1")
        .unwrap();
    assert_eq!(first.manager_external_id, None);
    let former = pull
        .employees
        .iter()
        .find(|e| e.external_id == "20")
        .unwrap();
    assert_eq!(former.status, EmploymentStatus::Terminated);
    assert!(former.termination_date.is_some());
}

#[tokio::test]
async fn test_connection_succeeds_with_the_right_key() {
    let sandbox = sandbox_with(3).await;
    client(&sandbox, KEY, fast_policy())
        .test_connection()
        .await
        .unwrap();
}

#[tokio::test]
async fn changed_since_reports_a_hire_a_termination_and_a_deletion() {
    let sandbox = sandbox_with(30).await;
    let bamboo = client(&sandbox, KEY, fast_policy());
    let since = Utc::now();

    let hired = control(
        &sandbox,
        reqwest::Method::POST,
        "/employees",
        json!({"firstName": "Grace", "lastName": "Hopper", "workEmail": "grace@acme.example.com", "jobTitle": "Admiral"}),
    )
    .await;
    let hired_id = hired["id"].as_str().unwrap().to_owned();
    assert_eq!(hired_id, "31");
    control(
        &sandbox,
        reqwest::Method::POST,
        "/employees/5/terminate",
        json!({"date": "2026-12-31"}),
    )
    .await;
    control(&sandbox, reqwest::Method::DELETE, "/employees/6", json!({})).await;

    let changes = bamboo.changed_since(since).await.unwrap();
    let mut actions: Vec<(String, ChangeAction)> = changes
        .changes
        .iter()
        .map(|c| (c.external_id.clone(), c.action))
        .collect();
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        actions,
        vec![
            ("31".to_owned(), ChangeAction::Inserted),
            ("5".to_owned(), ChangeAction::Updated),
            ("6".to_owned(), ChangeAction::Deleted),
        ]
    );
    assert!(changes.latest.unwrap() >= since - chrono::Duration::seconds(1));

    let requests_before = sandbox.bamboohr().requests(SUBDOMAIN);
    let incremental = bamboo.fetch_changed(since).await.unwrap();
    // One changed-list call plus one fetch per inserted/updated employee: no full pull.
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN) - requests_before, 3);
    assert_eq!(incremental.deleted_external_ids, vec!["6".to_owned()]);
    assert!(incremental.pull.malformed.is_empty());
    let grace = incremental
        .pull
        .employees
        .iter()
        .find(|e| e.external_id == "31")
        .unwrap();
    assert_eq!(grace.display_name, "Grace Hopper");
    assert_eq!(grace.job_title.as_deref(), Some("Admiral"));
    assert_eq!(grace.status, EmploymentStatus::Active);
    let leaver = incremental
        .pull
        .employees
        .iter()
        .find(|e| e.external_id == "5")
        .unwrap();
    assert_eq!(leaver.status, EmploymentStatus::Terminated);
    assert_eq!(
        leaver.termination_date,
        NaiveDate::from_ymd_opt(2026, 12, 31)
    );

    // Since long ago, everyone is there.
    let all = bamboo
        .changed_since(since - chrono::Duration::days(3650))
        .await
        .unwrap();
    assert_eq!(all.changes.len(), 31);
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let sandbox = sandbox_with(10).await;
    faults(
        &sandbox,
        json!({"rate_limit_next": 1, "retry_after_secs": 1}),
    )
    .await;
    let started = Instant::now();
    let pull = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(pull.employees.len(), 10);
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN), 2);
}

#[tokio::test]
async fn retry_after_longer_than_allowed_is_returned_not_slept() {
    let sandbox = sandbox_with(10).await;
    faults(
        &sandbox,
        json!({"rate_limit_next": 1, "retry_after_secs": 3600}),
    )
    .await;
    let started = Instant::now();
    let err = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN), 1);
}

#[tokio::test]
async fn server_error_is_retried_then_succeeds() {
    let sandbox = sandbox_with(10).await;
    faults(&sandbox, json!({"fail_next": 1})).await;
    let pull = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 10);
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN), 2);
}

#[tokio::test]
async fn bad_key_needs_attention_and_is_not_retried() {
    let sandbox = sandbox_with(10).await;
    let err = client(&sandbox, "wrong-key", fast_policy())
        .test_connection()
        .await
        .unwrap_err();
    assert!(err.needs_attention());
    assert!(!err.is_retryable());
    assert!(
        matches!(&err, HrisError::Vendor(VendorError::Unauthorized { message }) if message == "Invalid API key"),
        "{err:?}"
    );
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN), 1);
}

#[tokio::test]
async fn malformed_record_is_skipped_and_reported() {
    let sandbox = sandbox_with(30).await;
    faults(&sandbox, json!({"malformed_ids": ["17"]})).await;
    let pull = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 29);
    assert!(pull.employees.iter().all(|e| e.external_id != "17"));
    assert_eq!(pull.malformed.len(), 1);
    assert_eq!(pull.malformed[0].external_id.as_deref(), Some("17"));
    assert!(
        pull.malformed[0].reason.contains("hireDate"),
        "{}",
        pull.malformed[0].reason
    );
}

#[tokio::test]
async fn circuit_breaker_opens_after_repeated_failures() {
    let sandbox = sandbox_with(10).await;
    faults(
        &sandbox,
        json!({"fail_next": 100, "fail_status": 503, "retry_after_secs": 0}),
    )
    .await;
    let bamboo = client(
        &sandbox,
        KEY,
        HttpPolicy {
            max_retries: 0,
            ..fast_policy()
        },
    );
    for _ in 0..3 {
        let err = bamboo.test_connection().await.unwrap_err();
        assert!(
            matches!(err, HrisError::Vendor(VendorError::Unavailable { .. })),
            "{err:?}"
        );
    }
    assert!(!bamboo.circuit_closed());
    let err = bamboo.test_connection().await.unwrap_err();
    assert!(
        matches!(err, HrisError::Vendor(VendorError::CircuitOpen)),
        "{err:?}"
    );
    assert_eq!(
        sandbox.bamboohr().requests(SUBDOMAIN),
        3,
        "an open circuit sends nothing"
    );
}

#[tokio::test]
async fn retries_count_towards_the_breaker() {
    let sandbox = sandbox_with(10).await;
    faults(&sandbox, json!({"fail_next": 100})).await;
    let bamboo = client(&sandbox, KEY, fast_policy());
    let err = bamboo.fetch_all().await.unwrap_err();
    // Three 500s open the circuit; the fourth attempt is refused without a request.
    assert!(
        matches!(err, HrisError::Vendor(VendorError::CircuitOpen)),
        "{err:?}"
    );
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN), 3);
}

#[tokio::test]
async fn fifty_thousand_employees_are_servable() {
    let sandbox = sandbox_with(50_000).await;
    let pull = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 50_000);
    assert!(pull.malformed.is_empty());
}

#[tokio::test]
async fn sandbox_binary_prints_its_url_and_serves_bamboohr() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetronics-sandbox"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--bamboohr-api-key",
            KEY,
            "--bamboohr-employees",
            "5",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let bamboo = BambooHrClient::new(BambooHrConfig {
        subdomain: SUBDOMAIN.into(),
        api_key: ApiKey::new(KEY),
        base_url: Some(format!("{url}/bamboohr")),
        policy: fast_policy(),
    })
    .unwrap();
    assert_eq!(bamboo.fetch_all().await.unwrap().employees.len(), 5);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn timeout_is_unavailable_and_retried() {
    let sandbox = sandbox_with(10).await;
    let impatient = HttpPolicy {
        timeout: Duration::from_millis(300),
        ..fast_policy()
    };

    faults(&sandbox, json!({"slow_next": 1, "slow_ms": 2000})).await;
    let pull = client(&sandbox, KEY, impatient.clone())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 10);

    faults(&sandbox, json!({"slow_next": 1, "slow_ms": 2000})).await;
    let no_retries = client(
        &sandbox,
        KEY,
        HttpPolicy {
            max_retries: 0,
            ..impatient
        },
    );
    let err = no_retries.test_connection().await.unwrap_err();
    assert!(
        matches!(err, HrisError::Vendor(VendorError::Unavailable { .. })),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.needs_attention());
}

#[tokio::test]
async fn forbidden_needs_attention_and_is_not_retried() {
    let sandbox = sandbox_with(10).await;
    faults(&sandbox, json!({"fail_next": 5, "fail_status": 403})).await;
    let err = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap_err();
    assert!(
        matches!(err, HrisError::Vendor(VendorError::Forbidden { .. })),
        "{err:?}"
    );
    assert!(err.needs_attention() && !err.is_retryable());
    assert_eq!(sandbox.bamboohr().requests(SUBDOMAIN), 1);
}

#[tokio::test]
async fn unavailable_with_retry_after_is_honored() {
    let sandbox = sandbox_with(10).await;
    faults(
        &sandbox,
        json!({"fail_next": 1, "fail_status": 503, "retry_after_secs": 1}),
    )
    .await;
    let started = Instant::now();
    let pull = client(&sandbox, KEY, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(pull.employees.len(), 10);
}
