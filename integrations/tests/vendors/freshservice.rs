//! The Freshservice client against the in-process Freshservice simulator.

use assetronics_integrations::freshservice::{ApiKey, FreshserviceClient, FreshserviceConfig};
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::itsm::{ItsmError, NewTicket, TicketState};
use assetronics_integrations::sandbox::freshservice::AccountSeed;
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use serde_json::Value;

use crate::support::fast_policy;

pub const DOMAIN: &str = "hooli";
pub const KEY: &str = "test-freshservice-key";
pub const DEFAULT_REQUESTER: &str = "it@hooli.example.com";

pub async fn sandbox_with(tickets: u64, page_size: u64) -> Sandbox {
    spawn(SandboxConfig {
        freshservice_accounts: vec![AccountSeed {
            domain: DOMAIN.into(),
            api_key: KEY.into(),
            tickets,
            page_size,
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn config(sandbox: &Sandbox, key: &str, default_requester: Option<&str>) -> FreshserviceConfig {
    FreshserviceConfig {
        domain: DOMAIN.into(),
        base_url: Some(sandbox.freshservice_base_url()),
        api_key: ApiKey::new(key),
        default_requester_email: default_requester.map(str::to_owned),
        policy: fast_policy(),
    }
}

pub fn client(sandbox: &Sandbox, key: &str, policy: HttpPolicy) -> FreshserviceClient {
    FreshserviceClient::new(FreshserviceConfig {
        policy,
        ..config(sandbox, key, Some(DEFAULT_REQUESTER))
    })
    .unwrap()
}

#[tokio::test]
async fn a_ticket_is_opened_for_its_requester_with_an_html_description() {
    let sandbox = sandbox_with(20, 100).await;
    let created = client(&sandbox, KEY, fast_policy())
        .create_ticket(&NewTicket {
            summary: "Laptop for Ada Lovelace".into(),
            description: "MacBook <Pro> & charger\nby Monday".into(),
            requester_email: Some("ada@hooli.example.com".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.external_id, "21");
    assert_eq!(created.key, "#INC-21");
    assert_eq!(
        (created.state, created.vendor_status.as_str()),
        (TicketState::Open, "Open")
    );
    assert_eq!(
        created.url,
        Some(format!("{}/a/tickets/21", sandbox.freshservice_base_url()))
    );
    let stored = sandbox.freshservice().ticket(DOMAIN, "21").unwrap();
    assert_eq!(stored.requester.as_deref(), Some("ada@hooli.example.com"));
    assert_eq!(
        stored.description,
        "MacBook &lt;Pro&gt; &amp; charger<br>by Monday"
    );
    assert_eq!(stored.fields["priority"], 1);
    assert_eq!(stored.fields["source"], 2);
}

#[tokio::test]
async fn a_ticket_without_a_requester_goes_to_the_default_one_or_nowhere() {
    let sandbox = sandbox_with(0, 100).await;
    let ticket = NewTicket {
        summary: "Replace a broken monitor".into(),
        description: String::new(),
        requester_email: None,
    };
    let created = client(&sandbox, KEY, fast_policy())
        .create_ticket(&ticket)
        .await
        .unwrap();
    let stored = sandbox
        .freshservice()
        .ticket(DOMAIN, &created.external_id)
        .unwrap();
    assert_eq!(stored.requester.as_deref(), Some(DEFAULT_REQUESTER));
    assert_eq!(
        stored.description, "Replace a broken monitor",
        "a description is required"
    );

    let without_default = FreshserviceClient::new(config(&sandbox, KEY, None)).unwrap();
    let err = without_default.create_ticket(&ticket).await.unwrap_err();
    assert!(matches!(err, ItsmError::Rejected { .. }), "{err:?}");
    assert!(err.needs_attention());
    assert_eq!(
        sandbox.freshservice().requests(DOMAIN),
        1,
        "refused before any call"
    );
}

#[tokio::test]
async fn a_refused_ticket_says_why() {
    let sandbox = sandbox_with(0, 100).await;
    let err = client(&sandbox, KEY, fast_policy())
        .create_ticket(&NewTicket {
            summary: "Laptop".into(),
            description: "x".into(),
            requester_email: Some("ada at hooli".into()),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ItsmError::Rejected { message } if message.contains("email: It should be in the 'valid email address' format")),
        "{err:?}"
    );
    assert!(sandbox.freshservice().tickets(DOMAIN).is_empty());
}

#[tokio::test]
async fn the_read_stops_at_the_oldest_ticket_asked_for() {
    let sandbox = sandbox_with(40, 5).await;
    let freshservice = client(&sandbox, KEY, fast_policy());
    let newest = freshservice
        .tickets(&["40".into(), "37".into()])
        .await
        .unwrap();
    assert_eq!(newest.len(), 2);
    assert_eq!(
        sandbox.freshservice().requests(DOMAIN),
        1,
        "the first page has both"
    );

    let oldest = freshservice.tickets(&["1".into()]).await.unwrap();
    assert_eq!(oldest[0].key, "#INC-1");
    assert_eq!(sandbox.freshservice().requests(DOMAIN), 1 + 8, "every page");

    let gone = freshservice.tickets(&["999".into()]).await.unwrap();
    assert!(gone.is_empty());
    assert_eq!(
        sandbox.freshservice().requests(DOMAIN),
        1 + 8 + 1,
        "newer than any"
    );
}

#[tokio::test]
async fn the_simulator_lists_only_recent_tickets_by_default() {
    let sandbox = sandbox_with(3, 100).await;
    let http = reqwest::Client::new();
    let list = |query: &str| {
        let request = http
            .get(format!(
                "{}/api/v2/tickets?{query}",
                sandbox.freshservice_base_url()
            ))
            .basic_auth(KEY, Some("X"));
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (_, recent) = list("").await;
    assert!(
        recent["tickets"].as_array().unwrap().is_empty(),
        "seeded in 2025"
    );
    let (_, all) = list("updated_since=2000-01-01T00:00:00Z&order_type=asc").await;
    let ids: Vec<u64> = all["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    let (status, refused) = list("per_page=500&sort=id").await;
    assert_eq!(status, 400);
    assert_eq!(refused["description"], "Validation failed");
    assert_eq!(refused["errors"].as_array().unwrap().len(), 2);

    let unauthorized = http
        .get(format!(
            "{}/api/v2/tickets",
            sandbox.freshservice_base_url()
        ))
        .basic_auth("forged", Some("X"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let body: Value = unauthorized.json().await.unwrap();
    assert_eq!(body["code"], "invalid_credentials");
}
