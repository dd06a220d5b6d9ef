//! The BambooHR client against the in-process BambooHR simulator.

use std::time::Duration;

use assetronics_integrations::bamboohr::{ApiKey, BambooHrClient, BambooHrConfig, ChangeAction};
use assetronics_integrations::hris::EmploymentStatus;
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::sandbox::bamboohr::CompanySeed;
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use crate::support::{control_api, fast_policy};

pub const SUBDOMAIN: &str = "acme";
pub const KEY: &str = "test-key";

pub async fn sandbox_with(employees: u64) -> Sandbox {
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

pub fn client(sandbox: &Sandbox, key: &str, policy: HttpPolicy) -> BambooHrClient {
    BambooHrClient::new(BambooHrConfig {
        subdomain: SUBDOMAIN.into(),
        api_key: ApiKey::new(key),
        base_url: Some(sandbox.bamboohr_base_url()),
        policy,
    })
    .unwrap()
}

/// Talks to the simulator's BambooHR control API as a developer would.
pub async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    control_api(
        sandbox,
        &format!("bamboohr/{SUBDOMAIN}{path}"),
        method,
        body,
    )
    .await
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
async fn sandbox_binary_prints_its_urls_and_serves_both_vendors() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetronics-sandbox"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--bamboohr-api-key",
            KEY,
            "--bamboohr-employees",
            "5",
            "--hibob-service-user-id",
            "SERVICE-BIN",
            "--hibob-token",
            "bin-token",
            "--hibob-employees",
            "7",
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

    let mut hibob_line = String::new();
    while !hibob_line.starts_with("HiBob base_url:") {
        hibob_line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
    let hibob_url = hibob_line.split(' ').nth(2).unwrap().to_owned();
    assert_eq!(hibob_url, format!("{url}/hibob"));
    let bob = assetronics_integrations::hibob::HibobClient::new(
        assetronics_integrations::hibob::HibobConfig {
            service_user_id: "SERVICE-BIN".into(),
            token: assetronics_integrations::hibob::ServiceUserToken::new("bin-token"),
            base_url: Some(hibob_url),
            policy: fast_policy(),
        },
    )
    .unwrap();
    assert_eq!(bob.fetch_all().await.unwrap().employees.len(), 7);
    child.kill().await.unwrap();
}
