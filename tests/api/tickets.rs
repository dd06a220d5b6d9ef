//! Workflow steps that open a ticket in the IT service desk and finish when it is resolved,
//! against the Jira Service Management, ServiceNow and Freshservice simulators.

use std::time::Duration;

use assetronics_integrations::itsm::TicketState;
use assetronics_integrations::sandbox::{self, DeskTicket};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One tenant with the BambooHR company connected and an offboarding template that opens a
/// ticket.
async fn tenant(app: &TestApp, sim: &sandbox::Sandbox, org: &str) -> (Session, String) {
    let admin = app.signup(org).await;
    let hris = app.connect(&admin, bamboohr_connection(sim)).await;
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
    (admin, hris)
}

/// The offboarding of the person with this email, once `done` holds for it.
async fn offboarding(
    app: &TestApp,
    admin: &Session,
    email: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    app.workflow_when(&admin.access_token, "kind=offboarding", |wf| {
        wf["employee"]["email"] == email && done(wf)
    })
    .await
}

fn ticket_step(wf: &Value) -> &Value {
    step(wf, "open_ticket")
}

#[tokio::test]
async fn an_offboarding_ticket_is_opened_in_each_service_desk_and_its_resolution_moves_on() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(6).await;
    type Desk = fn(&sandbox::Sandbox) -> Vec<DeskTicket>;
    type Resolve = fn(&sandbox::Sandbox, &str);
    let desks: [(&str, Value, Desk, Resolve); 3] = [
        (
            "Jira",
            jira_connection(&sim),
            |s| s.jira().tickets("acme"),
            |s, k| {
                s.jira().set_state("acme", k, TicketState::Resolved);
            },
        ),
        (
            "ServiceNow",
            servicenow_connection(&sim),
            |s| s.servicenow().tickets("acme"),
            |s, k| {
                s.servicenow().set_state("acme", k, TicketState::Resolved);
            },
        ),
        (
            "Freshservice",
            freshservice_connection(&sim),
            |s| s.freshservice().tickets("acme"),
            |s, k| {
                s.freshservice().set_state("acme", k, TicketState::Closed);
            },
        ),
    ];
    for (n, (vendor, body, tickets, resolve)) in desks.into_iter().enumerate() {
        let (admin, hris) = tenant(&app, &sim, &format!("Desk {vendor}")).await;
        app.run_sync(&admin, &hris).await;
        let test = app
            .post(
                &format!(
                    "/api/v1/integrations/{}/test",
                    app.connect(&admin, body).await
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
        app.run_sync(&admin, &hris).await;
        let email = bamboohr_email(leaver);
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
        holds_for(
            Duration::from_millis(800),
            &format!("{vendor}: one ticket"),
            || async { tickets(&sim).len() },
            |n| *n == before + 1,
        )
        .await;
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
    let sim = bamboohr_simulator(6).await;
    let (admin, hris) = tenant(&app, &sim, "No desk").await;
    app.run_sync(&admin, &hris).await;
    sim.bamboohr().terminate("acme", 2, None);
    app.run_sync(&admin, &hris).await;
    let wf = offboarding(&app, &admin, &bamboohr_email(2), |_| true).await;
    assert_eq!(ticket_step(&wf)["status"], "skipped", "{wf}");

    // A service desk whose token was revoked: the step waits for a person, who is told why.
    let desk = app
        .connect(
            &admin,
            merged(
                jira_connection(&sim),
                json!({"credentials": {"api_token": "revoked"}}),
            ),
        )
        .await;
    sim.bamboohr().terminate("acme", 3, None);
    app.run_sync(&admin, &hris).await;
    let wf = offboarding(&app, &admin, &bamboohr_email(3), |wf| {
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
