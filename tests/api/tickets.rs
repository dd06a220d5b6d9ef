//! Workflow steps that open a ticket in the IT service desk and finish when it is resolved,
//! against the Jira Service Management, ServiceNow and Freshservice simulators.

use std::time::Duration;

use assetronics_integrations::itsm::TicketState;
use assetronics_integrations::sandbox::bamboohr::CompanySeed;
use assetronics_integrations::sandbox::{self, DeskTicket, SandboxConfig};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One tenant with 6 people from BambooHR and an offboarding template that opens a ticket.
async fn tenant(app: &TestApp, sim: &sandbox::Sandbox, org: &str) -> (Session, uuid::Uuid) {
    let admin = app.signup(org).await;
    let hris = app
        .post(
            "/api/v1/integrations",
            &admin.access_token,
            json!({"provider": "bamboohr", "config": {"subdomain": "acme", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "right-key"}}),
        )
        .await;
    assert_eq!(hris.status, StatusCode::CREATED, "{}", hris.body);
    let saved = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/workflow-templates/offboarding",
            Some(&admin.access_token),
            Some(json!({"name": "Offboarding", "steps": [
                {"kind": "open_ticket", "name": "Revoke accounts"},
                {"kind": "task", "name": "Say goodbye"}
            ]})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    (admin, id(&hris.body).parse().expect("uuid"))
}

async fn sync(app: &TestApp, admin: &Session, integration: uuid::Uuid) {
    let who = assetronics::platform::auth::Principal::system(
        admin.tenant_id.parse().expect("tenant"),
        "sync",
    );
    assetronics::integrations::service::run_sync(&app.state, &who, integration)
        .await
        .expect("sync");
}

async fn connect(app: &TestApp, admin: &Session, body: Value) -> String {
    let res = app
        .post("/api/v1/integrations", &admin.access_token, body)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    id(&res.body)
}

/// The offboarding of the person with this email, once `done` holds for it.
async fn offboarding(
    app: &TestApp,
    admin: &Session,
    email: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let res = app
            .get("/api/v1/workflows?kind=offboarding", &admin.access_token)
            .await;
        if let Some(wf) = res.body["data"]
            .as_array()
            .and_then(|d| d.iter().find(|w| w["employee"]["email"] == email))
            && done(wf)
        {
            return wf.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the offboarding never got there: {}",
            res.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ticket_step(wf: &Value) -> &Value {
    wf["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == "open_ticket"))
        .unwrap_or_else(|| panic!("no ticket step: {wf}"))
}

fn email_of(n: u64) -> String {
    sandbox::bamboohr::generate("acme", n)["workEmail"].clone()
}

#[tokio::test]
async fn an_offboarding_ticket_is_opened_in_each_service_desk_and_its_resolution_moves_on() {
    let app = spawn_app().await;
    let sim = sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed {
            subdomain: "acme".into(),
            api_key: "right-key".into(),
            employees: 6,
        }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator");
    type Desk = fn(&sandbox::Sandbox) -> Vec<DeskTicket>;
    type Resolve = fn(&sandbox::Sandbox, &str);
    let desks: [(&str, Value, Desk, Resolve); 3] = [
        (
            "Jira",
            json!({"provider": "jira_service_management", "config": {"site": "acme", "base_url": sim.jira_base_url(), "service_desk_id": "1", "request_type_id": "10"}, "credentials": {"email": "sandbox@acme.example.com", "api_token": "sandbox-jira-token"}}),
            |s| s.jira().tickets("acme"),
            |s, k| {
                s.jira().set_state("acme", k, TicketState::Resolved);
            },
        ),
        (
            "ServiceNow",
            json!({"provider": "servicenow", "config": {"instance": "acme", "base_url": sim.servicenow_base_url()}, "credentials": {"username": "sandbox.integration", "password": "sandbox-servicenow-password"}}),
            |s| s.servicenow().tickets("acme"),
            |s, k| {
                s.servicenow().set_state("acme", k, TicketState::Resolved);
            },
        ),
        (
            "Freshservice",
            json!({"provider": "freshservice", "config": {"domain": "acme", "base_url": sim.freshservice_base_url()}, "credentials": {"api_key": "sandbox-freshservice-key"}}),
            |s| s.freshservice().tickets("acme"),
            |s, k| {
                s.freshservice().set_state("acme", k, TicketState::Closed);
            },
        ),
    ];
    for (n, (vendor, body, tickets, resolve)) in desks.into_iter().enumerate() {
        let (admin, hris) = tenant(&app, &sim, &format!("Desk {vendor}")).await;
        sync(&app, &admin, hris).await;
        let test = app
            .post(
                &format!(
                    "/api/v1/integrations/{}/test",
                    connect(&app, &admin, body).await
                ),
                &admin.access_token,
                json!({}),
            )
            .await;
        assert_eq!(test.body["ok"], true, "{vendor}: {}", test.body);
        let before = tickets(&sim).len();
        // Employee n+1 leaves.
        let leaver = (n + 1) as u64;
        sim.bamboohr().terminate("acme", leaver, None);
        sync(&app, &admin, hris).await;
        let email = email_of(leaver);
        let wf = offboarding(&app, &admin, &email, |wf| {
            ticket_step(wf)["ticket"].is_object()
        })
        .await;
        let step = ticket_step(&wf);
        assert_eq!(step["status"], "active", "{vendor}: {wf}");
        let all = tickets(&sim);
        assert_eq!(all.len(), before + 1, "{vendor}: one ticket opened");
        let opened = all.last().expect("ticket");
        assert_eq!(
            step["ticket"]["key"],
            opened.key.as_str(),
            "{vendor}: {step}"
        );
        assert_eq!(step["ticket"]["state"], "open");
        assert!(
            opened.summary.contains("Revoke accounts"),
            "{vendor}: {opened:?}"
        );
        // Nothing moves while the ticket is open: a few polls later it is still the one ticket.
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(
            tickets(&sim).len(),
            before + 1,
            "{vendor}: polling opens nothing"
        );
        resolve(&sim, &opened.key);
        let wf = offboarding(&app, &admin, &email, |wf| {
            ticket_step(wf)["status"] == "done"
        })
        .await;
        assert!(
            ticket_step(&wf)["detail"]
                .as_str()
                .is_some_and(|d| d.contains(&opened.key)),
            "{vendor}: {wf}"
        );
        // The workflow moved on to the next step.
        let next = &wf["steps"][1];
        assert_eq!(next["status"], "active", "{vendor}: {wf}");
    }
}

#[tokio::test]
async fn without_a_service_desk_the_ticket_step_is_skipped_and_bad_credentials_block_it() {
    let app = spawn_app().await;
    let sim = sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed {
            subdomain: "acme".into(),
            api_key: "right-key".into(),
            employees: 6,
        }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator");
    let (admin, hris) = tenant(&app, &sim, "No desk").await;
    sync(&app, &admin, hris).await;
    sim.bamboohr().terminate("acme", 2, None);
    sync(&app, &admin, hris).await;
    let wf = offboarding(&app, &admin, &email_of(2), |_| true).await;
    assert_eq!(ticket_step(&wf)["status"], "skipped", "{wf}");

    // A service desk whose token was revoked: the step waits for a person, who is told why.
    let desk = connect(
        &app,
        &admin,
        json!({"provider": "jira_service_management", "config": {"site": "acme", "base_url": sim.jira_base_url(), "service_desk_id": "1", "request_type_id": "10"}, "credentials": {"email": "sandbox@acme.example.com", "api_token": "revoked"}}),
    )
    .await;
    sim.bamboohr().terminate("acme", 3, None);
    sync(&app, &admin, hris).await;
    let wf = offboarding(&app, &admin, &email_of(3), |wf| {
        ticket_step(wf)["status"] == "blocked"
    })
    .await;
    assert!(
        ticket_step(&wf)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("could not open a ticket")),
        "{wf}"
    );
    let row = app
        .get(&format!("/api/v1/integrations/{desk}"), &admin.access_token)
        .await;
    assert_eq!(row.body["status"], "needs_attention", "{}", row.body);
}
