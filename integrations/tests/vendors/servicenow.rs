//! The ServiceNow client against the in-process ServiceNow (Table API) simulator.

use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::itsm::{ItsmError, NewTicket, TicketState};
use assetronics_integrations::sandbox::servicenow::{InstanceSeed, sys_id, user_sys_id};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use assetronics_integrations::servicenow::{Password, ServiceNowClient, ServiceNowConfig};
use serde_json::Value;

use crate::support::fast_policy;

pub const INSTANCE: &str = "globex";
pub const USER: &str = "assetronics.integration";
pub const PASSWORD: &str = "test-servicenow-password";
pub const USER_DOMAIN: &str = "globex.example.com";

pub async fn sandbox_with(tickets: u64, page_size: u64) -> Sandbox {
    spawn(SandboxConfig {
        servicenow_instances: vec![InstanceSeed {
            instance: INSTANCE.into(),
            username: USER.into(),
            password: PASSWORD.into(),
            tickets,
            page_size,
            user_domain: USER_DOMAIN.into(),
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn config(sandbox: &Sandbox, password: &str, table: Option<&str>) -> ServiceNowConfig {
    ServiceNowConfig {
        instance: INSTANCE.into(),
        base_url: Some(sandbox.servicenow_base_url()),
        username: USER.into(),
        password: Password::new(password),
        table: table.map(str::to_owned),
        policy: fast_policy(),
    }
}

pub fn client(sandbox: &Sandbox, password: &str, policy: HttpPolicy) -> ServiceNowClient {
    ServiceNowClient::new(ServiceNowConfig {
        policy,
        ..config(sandbox, password, None)
    })
    .unwrap()
}

#[tokio::test]
async fn an_incident_is_raised_for_its_caller() {
    let sandbox = sandbox_with(3, 100).await;
    let servicenow = client(&sandbox, PASSWORD, fast_policy());
    let created = servicenow
        .create_ticket(&NewTicket {
            summary: "Laptop for Ada Lovelace".into(),
            description: "New starter.".into(),
            requester_email: Some("ada.lovelace@globex.example.com".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.external_id, sys_id(INSTANCE, "incident", 4));
    assert_eq!(created.key, "INC0010004");
    assert_eq!(created.vendor_status, "New");
    assert_eq!(
        created.url,
        Some(format!(
            "{}/nav_to.do?uri=incident.do%3Fsys_id%3D{}",
            sandbox.servicenow_base_url(),
            created.external_id
        ))
    );
    let stored = sandbox.servicenow().ticket(INSTANCE, "INC0010004").unwrap();
    assert_eq!(
        stored.requester,
        Some(user_sys_id(INSTANCE, "ada.lovelace@globex.example.com")),
        "the caller is the user"
    );
    assert_eq!(stored.description, "New starter.");
    assert_eq!(
        sandbox.servicenow().requests(INSTANCE),
        2,
        "user, then incident"
    );
}

#[tokio::test]
async fn a_requester_servicenow_does_not_know_is_named_in_the_description() {
    let sandbox = sandbox_with(0, 100).await;
    let created = client(&sandbox, PASSWORD, fast_policy())
        .create_ticket(&NewTicket {
            summary: "Laptop for a contractor".into(),
            description: "Three months.".into(),
            requester_email: Some("c.babbage@contractor.example.net".into()),
        })
        .await
        .unwrap();
    let stored = sandbox.servicenow().ticket(INSTANCE, &created.key).unwrap();
    assert_eq!(stored.requester, None);
    assert_eq!(
        stored.description,
        "Three months.\n\nRequested for: c.babbage@contractor.example.net"
    );
}

#[tokio::test]
async fn another_table_has_the_task_states() {
    let sandbox = sandbox_with(0, 100).await;
    let tasks = ServiceNowClient::new(config(&sandbox, PASSWORD, Some("sc_task"))).unwrap();
    tasks.test_connection().await.unwrap();
    let created = tasks
        .create_ticket(&NewTicket {
            summary: "Image a laptop".into(),
            description: String::new(),
            requester_email: Some("ada.lovelace@globex.example.com".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.key, "SCTASK0010001");
    assert_eq!(
        (created.state, created.vendor_status.as_str()),
        (TicketState::Open, "Open")
    );
    let stored = sandbox
        .servicenow()
        .ticket(INSTANCE, "SCTASK0010001")
        .unwrap();
    assert_eq!(
        stored.description,
        "Requested for: ada.lovelace@globex.example.com"
    );
    for (state, expected, name) in [
        (
            TicketState::InProgress,
            TicketState::InProgress,
            "Work in Progress",
        ),
        (
            TicketState::Resolved,
            TicketState::Closed,
            "Closed Complete",
        ),
        (
            TicketState::Cancelled,
            TicketState::Cancelled,
            "Closed Incomplete",
        ),
    ] {
        sandbox
            .servicenow()
            .set_state(INSTANCE, "SCTASK0010001", state)
            .unwrap();
        let read = tasks
            .tickets(std::slice::from_ref(&created.external_id))
            .await
            .unwrap();
        assert_eq!(
            (read[0].state, read[0].vendor_status.as_str()),
            (expected, name)
        );
    }
}

#[tokio::test]
async fn a_table_servicenow_does_not_have_needs_attention() {
    let sandbox = sandbox_with(0, 100).await;
    let wrong = ServiceNowClient::new(config(&sandbox, PASSWORD, Some("u_no_such_table"))).unwrap();
    let err = wrong.test_connection().await.unwrap_err();
    assert!(
        matches!(&err, ItsmError::Rejected { message } if message.contains("Invalid table u_no_such_table")),
        "{err:?}"
    );
    assert!(err.needs_attention() && !err.is_retryable());
    let err = wrong
        .create_ticket(&NewTicket {
            summary: "x".into(),
            ..NewTicket::default()
        })
        .await
        .unwrap_err();
    assert!(err.needs_attention(), "{err:?}");
}

#[tokio::test]
async fn the_simulator_pages_with_link_and_total_count() {
    let sandbox = sandbox_with(7, 3).await;
    let url = format!(
        "{}/api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_fields=number,state&sysparm_limit=50&sysparm_display_value=all",
        sandbox.servicenow_base_url()
    );
    let response = reqwest::Client::new()
        .get(&url)
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["X-Total-Count"], "7");
    let link = response.headers()["Link"].to_str().unwrap().to_owned();
    assert!(
        link.contains("rel=\"next\"") && link.contains("sysparm_offset=3"),
        "{link}"
    );
    let page: Value = response.json().await.unwrap();
    let records = page["result"].as_array().unwrap();
    assert_eq!(records.len(), 3, "capped at the page size");
    assert_eq!(records[0]["number"]["value"], "INC0010001");
    assert_eq!(records[0]["state"]["display_value"], "New");
    assert!(
        records[0].get("sys_id").is_none(),
        "only the fields asked for"
    );

    let unauthorized = reqwest::Client::new()
        .get(&url)
        .basic_auth(USER, Some("forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let body: Value = unauthorized.json().await.unwrap();
    assert_eq!(body["error"]["message"], "User Not Authenticated");
    assert_eq!(body["status"], "failure");
}
