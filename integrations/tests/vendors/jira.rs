//! The Jira Service Management client against the in-process Jira simulator.

use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::itsm::{ItsmError, NewTicket, TicketState};
use assetronics_integrations::jira::{
    ApiToken, JiraServiceManagementClient, JiraServiceManagementConfig,
};
use assetronics_integrations::sandbox::jira::{SiteSeed, issue_id};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use serde_json::{Value, json};

use crate::support::fast_policy;

pub const SITE: &str = "initech";
pub const EMAIL: &str = "it-bot@initech.example.com";
pub const TOKEN: &str = "test-jira-token";
pub const DESK: &str = "7";
pub const REQUEST_TYPE: &str = "31";
pub const PROJECT: &str = "HW";

pub async fn sandbox_with(tickets: u64, page_size: u64) -> Sandbox {
    spawn(SandboxConfig {
        jira_sites: vec![SiteSeed {
            site: SITE.into(),
            email: EMAIL.into(),
            api_token: TOKEN.into(),
            service_desk_id: DESK.into(),
            project_key: PROJECT.into(),
            request_type_id: REQUEST_TYPE.into(),
            tickets,
            page_size,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn config(sandbox: &Sandbox, token: &str, policy: HttpPolicy) -> JiraServiceManagementConfig {
    JiraServiceManagementConfig {
        site: SITE.into(),
        base_url: Some(sandbox.jira_base_url()),
        email: EMAIL.into(),
        api_token: ApiToken::new(token),
        service_desk_id: DESK.into(),
        request_type_id: REQUEST_TYPE.into(),
        policy,
    }
}

pub fn client(sandbox: &Sandbox, token: &str, policy: HttpPolicy) -> JiraServiceManagementClient {
    JiraServiceManagementClient::new(config(sandbox, token, policy)).unwrap()
}

#[tokio::test]
async fn a_request_is_raised_on_behalf_of_the_requester() {
    let sandbox = sandbox_with(0, 50).await;
    let jira = client(&sandbox, TOKEN, fast_policy());
    let created = jira
        .create_ticket(&NewTicket {
            summary: "Return laptop of Grace Hopper".into(),
            description: "Leaver on 2026-11-30.".into(),
            requester_email: Some("Grace.Hopper@initech.example.com".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.external_id, issue_id(1));
    assert_eq!(created.key, "HW-1");
    assert_eq!(created.vendor_status, "Waiting for support");
    assert_eq!(
        created.url,
        Some(format!(
            "{}/servicedesk/customer/portal/{DESK}/HW-1",
            sandbox.jira_base_url()
        ))
    );
    let stored = sandbox.jira().ticket(SITE, "HW-1").unwrap();
    assert_eq!(
        stored.requester.as_deref(),
        Some("grace.hopper@initech.example.com")
    );
    assert_eq!(stored.description, "Leaver on 2026-11-30.");

    // A searched ticket links to the agent view.
    let read = jira.tickets(&[created.external_id]).await.unwrap();
    assert_eq!(
        read[0].url,
        Some(format!("{}/browse/HW-1", sandbox.jira_base_url()))
    );
}

#[tokio::test]
async fn keys_are_read_as_well_as_ids() {
    let sandbox = sandbox_with(4, 50).await;
    sandbox
        .jira()
        .set_state(SITE, "HW-2", TicketState::Closed)
        .unwrap();
    let read = client(&sandbox, TOKEN, fast_policy())
        .tickets(&["HW-2".into(), issue_id(3)])
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    let two = read.iter().find(|t| t.key == "HW-2").unwrap();
    assert_eq!(two.external_id, issue_id(2));
    assert_eq!(
        (two.state, two.vendor_status.as_str()),
        (TicketState::Closed, "Closed")
    );
}

#[tokio::test]
async fn a_ticket_jira_no_longer_has_sends_the_read_ticket_by_ticket() {
    let sandbox = sandbox_with(4, 50).await;
    sandbox.jira().delete_ticket(SITE, "HW-2");
    sandbox
        .jira()
        .set_state(SITE, "HW-3", TicketState::Resolved)
        .unwrap();
    let ids: Vec<String> = (1..=3).map(issue_id).collect();
    let read = client(&sandbox, TOKEN, fast_policy())
        .tickets(&ids)
        .await
        .unwrap();
    let keys: Vec<&str> = read.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, ["HW-1", "HW-3"]);
    assert_eq!(read[1].state, TicketState::Resolved);
    // The refused search, then each ticket by itself (the deleted one a 404).
    assert_eq!(sandbox.jira().requests(SITE), 1 + 3);
    assert!(
        read[0]
            .url
            .as_deref()
            .unwrap()
            .contains("/servicedesk/customer/portal/")
    );
}

#[tokio::test]
async fn a_service_desk_or_request_type_jira_does_not_have_needs_attention() {
    let sandbox = sandbox_with(0, 50).await;
    let jira = client(&sandbox, TOKEN, fast_policy());
    jira.test_connection().await.unwrap();
    assert_eq!(sandbox.jira().requests(SITE), 2, "desk and request type");

    for (desk, request_type, named) in [
        ("8", REQUEST_TYPE, "service desk 8"),
        (DESK, "99", "request type 99"),
    ] {
        let wrong = JiraServiceManagementClient::new(JiraServiceManagementConfig {
            service_desk_id: desk.into(),
            request_type_id: request_type.into(),
            ..config(&sandbox, TOKEN, fast_policy())
        })
        .unwrap();
        let err = wrong.test_connection().await.unwrap_err();
        assert!(
            matches!(&err, ItsmError::Rejected { message } if message.contains(named)),
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
    assert!(sandbox.jira().tickets(SITE).is_empty());
}

#[tokio::test]
async fn a_refused_request_says_why() {
    let sandbox = sandbox_with(0, 50).await;
    let err = client(&sandbox, TOKEN, fast_policy())
        .create_ticket(&NewTicket {
            summary: "   ".into(),
            description: "no summary".into(),
            requester_email: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ItsmError::Rejected { message } if message.contains("Summary is required")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_simulator_searches_as_jira_does() {
    let sandbox = sandbox_with(7, 3).await;
    let http = reqwest::Client::new();
    let search = |body: Value| {
        let request = http
            .post(format!("{}/rest/api/3/search/jql", sandbox.jira_base_url()))
            .basic_auth(EMAIL, Some(TOKEN))
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, page) = search(
        json!({"jql": "key in (HW-1, HW-2, HW-3, HW-4)", "fields": ["status"], "maxResults": 50}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        page["issues"].as_array().unwrap().len(),
        3,
        "capped at the page size"
    );
    assert_eq!(page["isLast"], false);
    assert_eq!(
        page["issues"][0]["fields"]["status"]["statusCategory"]["key"],
        "new"
    );
    let token = page["nextPageToken"].as_str().unwrap().to_owned();
    let (_, last) = search(json!({"jql": "key in (HW-1, HW-2, HW-3, HW-4)", "fields": ["status"], "nextPageToken": token})).await;
    assert_eq!(last["issues"].as_array().unwrap().len(), 1);
    assert_eq!(last["isLast"], true);
    assert!(last.get("nextPageToken").is_none());

    let (_, bare) = search(json!({"jql": "issue in (HW-1)"})).await;
    assert!(
        bare["issues"][0]["fields"].get("status").is_none(),
        "fields not asked for"
    );
    let (status, refused) = search(json!({"jql": "issue in (HW-1, HW-99)"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["errorMessages"][0],
        "An issue with key 'HW-99' does not exist for field 'issue'."
    );

    let unauthorized = http
        .post(format!("{}/rest/api/3/search/jql", sandbox.jira_base_url()))
        .basic_auth(EMAIL, Some("forged"))
        .json(&json!({"jql": "issue in (HW-1)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
}
