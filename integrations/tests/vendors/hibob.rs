//! The HiBob client against the in-process HiBob simulator.

use std::time::{Duration, Instant};

use assetronics_integrations::hibob::{HibobClient, HibobConfig, ServiceUserToken};
use assetronics_integrations::hris::EmploymentStatus;
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::sandbox::hibob::{CompanySeed, employee_id, generate};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use crate::support::{control_api, fast_policy};

pub const COMPANY: u64 = 4242;
pub const USER: &str = "SERVICE-TEST";
pub const TOKEN: &str = "test-token";

pub async fn sandbox_with(employees: u64) -> Sandbox {
    spawn(SandboxConfig {
        hibob_companies: vec![CompanySeed {
            company_id: COMPANY,
            service_user_id: USER.into(),
            token: TOKEN.into(),
            employees,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(sandbox: &Sandbox, token: &str, policy: HttpPolicy) -> HibobClient {
    HibobClient::new(HibobConfig {
        service_user_id: USER.into(),
        token: ServiceUserToken::new(token),
        base_url: Some(sandbox.hibob_base_url()),
        policy,
    })
    .unwrap()
}

/// Talks to the simulator's HiBob control API as a developer would.
pub async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    control_api(sandbox, &format!("hibob/{COMPANY}{path}"), method, body).await
}

async fn faults(sandbox: &Sandbox, body: Value) {
    control(sandbox, reqwest::Method::POST, "/faults", body).await;
}

#[tokio::test]
async fn full_pull_maps_hibob_fields() {
    let sandbox = sandbox_with(50).await;
    let pull = client(&sandbox, TOKEN, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(pull.employees.len(), 50);
    assert!(pull.malformed.is_empty(), "{:?}", pull.malformed);

    let raw = generate(COMPANY, 17);
    let e17 = pull
        .employees
        .iter()
        .find(|e| e.external_id == employee_id(17))
        .unwrap();
    assert_eq!(e17.first_name, raw.first_name);
    assert_eq!(e17.last_name, raw.surname);
    assert_eq!(e17.display_name, raw.display_name);
    assert_eq!(e17.work_email.as_deref(), Some(raw.email.as_str()));
    assert_eq!(e17.employee_number.as_deref(), Some("17"));
    // Names, not the list-item ids Bob answers in machine-readable form.
    assert_eq!(e17.job_title, raw.title);
    assert_eq!(e17.department, raw.department);
    assert_eq!(e17.location, raw.site);
    assert_eq!(e17.manager_external_id, Some(employee_id(2)));
    assert_eq!(e17.status, EmploymentStatus::Active);
    assert_eq!(e17.hire_date, Some(raw.start_date));
    assert_eq!(e17.termination_date, None);

    let first = pull
        .employees
        .iter()
        .find(|e| e.external_id == employee_id(1))
        .unwrap();
    assert_eq!(first.manager_external_id, None);
}

#[tokio::test]
async fn inactive_and_terminated_people_come_through() {
    let sandbox = sandbox_with(100).await;
    let pull = client(&sandbox, TOKEN, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(
        pull.employees.len(),
        100,
        "leavers and future hires included"
    );
    let leaver = pull
        .employees
        .iter()
        .find(|e| e.external_id == employee_id(20))
        .unwrap();
    assert_eq!(leaver.status, EmploymentStatus::Terminated);
    assert_eq!(
        leaver.termination_date,
        generate(COMPANY, 20).termination_date
    );
    let future_hire = pull
        .employees
        .iter()
        .find(|e| e.external_id == employee_id(97))
        .unwrap();
    assert_eq!(future_hire.status, EmploymentStatus::Active);
    assert_eq!(future_hire.hire_date, NaiveDate::from_ymd_opt(2099, 1, 4));

    // What a search without showInactive would have missed: 5 leavers and 1 future hire.
    let active_only: Value = reqwest::Client::new()
        .post(format!("{}/v1/people/search", sandbox.hibob_base_url()))
        .basic_auth(USER, Some(TOKEN))
        .json(&json!({"fields": ["root.id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(active_only["employees"].as_array().unwrap().len(), 94);
}

#[tokio::test]
async fn rate_limit_reset_header_alone_sets_the_wait() {
    let sandbox = sandbox_with(10).await;
    faults(
        &sandbox,
        json!({"rate_limit_next": 1, "retry_after_secs": 2, "without_retry_after": true}),
    )
    .await;
    let started = Instant::now();
    let pull = client(&sandbox, TOKEN, fast_policy())
        .fetch_all()
        .await
        .unwrap();
    // The reset is a whole second: between one and two seconds away when the 429 is read.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(pull.employees.len(), 10);
    assert_eq!(sandbox.hibob().requests(COMPANY), 2);
}

#[tokio::test]
async fn people_are_read_by_id_in_batches() {
    let sandbox = sandbox_with(250).await;
    let bob = client(&sandbox, TOKEN, fast_policy());
    let mut ids: Vec<String> = (1..=250).map(employee_id).collect();
    ids.push(employee_id(17)); // asked twice, read once
    ids.push(employee_id(999)); // no such person
    ids.push("jane@example.com".into());
    let pull = bob.fetch_by_ids(&ids).await.unwrap();
    assert_eq!(pull.employees.len(), 250);
    assert_eq!(pull.malformed.len(), 1);
    assert_eq!(
        pull.malformed[0].external_id.as_deref(),
        Some("jane@example.com")
    );
    assert_eq!(
        sandbox.hibob().requests(COMPANY),
        3,
        "251 distinct numeric ids, 100 a request"
    );
    let leaver = pull
        .employees
        .iter()
        .find(|e| e.external_id == employee_id(40))
        .unwrap();
    assert_eq!(leaver.status, EmploymentStatus::Terminated);

    assert!(bob.fetch_one(&employee_id(999)).await.unwrap().is_none());
    let one = bob
        .fetch_one(&employee_id(3))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(one.external_id, employee_id(3));
}

#[tokio::test]
async fn hires_updates_and_terminations_show_in_the_next_read() {
    let sandbox = sandbox_with(20).await;
    let bob = client(&sandbox, TOKEN, fast_policy());
    let hired = control(
        &sandbox,
        reqwest::Method::POST,
        "/employees",
        json!({"firstName": "Grace", "surname": "Hopper", "email": "grace@navy.example.com",
               "title": "Rear Admiral", "department": "Navy", "reportsTo": employee_id(1)}),
    )
    .await;
    let id = hired["id"].as_str().unwrap().to_owned();
    assert_eq!(id, employee_id(21));
    let grace = bob.fetch_one(&id).await.unwrap().unwrap().unwrap();
    assert_eq!(grace.display_name, "Grace Hopper");
    assert_eq!(grace.job_title.as_deref(), Some("Rear Admiral"));
    assert_eq!(grace.department.as_deref(), Some("Navy"));
    assert_eq!(grace.manager_external_id, Some(employee_id(1)));
    assert_eq!(grace.hire_date, Some(Utc::now().date_naive()));
    assert_eq!(grace.status, EmploymentStatus::Active);

    control(
        &sandbox,
        reqwest::Method::PATCH,
        &format!("/employees/{id}"),
        json!({"site": "Arlington"}),
    )
    .await;
    for (n, date) in [(5, "2020-01-31"), (6, "2999-12-31")] {
        control(
            &sandbox,
            reqwest::Method::POST,
            &format!("/employees/{}/terminate", employee_id(n)),
            json!({ "date": date }),
        )
        .await;
    }
    control(
        &sandbox,
        reqwest::Method::DELETE,
        &format!("/employees/{}", employee_id(7)),
        json!({}),
    )
    .await;

    let pull = bob.fetch_all().await.unwrap();
    assert_eq!(
        pull.employees.len(),
        20,
        "20 generated + 1 hire - 1 deletion"
    );
    let find = |n: u64| {
        pull.employees
            .iter()
            .find(|e| e.external_id == employee_id(n))
    };
    assert_eq!(find(21).unwrap().location.as_deref(), Some("Arlington"));
    assert_eq!(find(5).unwrap().status, EmploymentStatus::Terminated);
    assert_eq!(
        find(5).unwrap().termination_date,
        NaiveDate::from_ymd_opt(2020, 1, 31)
    );
    let leaving_later = find(6).unwrap();
    assert_eq!(leaving_later.status, EmploymentStatus::Active);
    assert_eq!(
        leaving_later.termination_date,
        NaiveDate::from_ymd_opt(2999, 12, 31)
    );
    assert!(find(7).is_none());
}
