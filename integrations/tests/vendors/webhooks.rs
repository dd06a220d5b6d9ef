//! The simulators' webhooks, received over HTTP and checked with the clients' verifiers.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use assetronics_integrations::hris::ChangeKind;
use assetronics_integrations::sandbox::bamboohr::{
    PayloadFormat, WebhookAction, WebhookEvent, signed_delivery as bamboohr_delivery,
};
use assetronics_integrations::sandbox::hibob::{PersonChanges, employee_id};
use assetronics_integrations::webhooks::WebhookError;
use assetronics_integrations::{bamboohr, hibob};
use chrono::{TimeDelta, Utc};
use serde_json::json;

use crate::support::fast_policy;

/// One request as the receiver got it: headers (names lowercase) and the raw body.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Checks a BambooHR delivery as a receiver would, at `now`.
fn verify_bamboohr(got: &Received, now: chrono::DateTime<Utc>) -> Result<(), WebhookError> {
    bamboohr::verify_webhook(
        BAMBOO_KEY,
        got.header(bamboohr::SIGNATURE_HEADER),
        got.header(bamboohr::TIMESTAMP_HEADER),
        &got.body,
        now,
        bamboohr::WEBHOOK_TOLERANCE,
    )
}

type Inbox = Arc<Mutex<Vec<Received>>>;

/// A webhook receiver on a free port that keeps every request and answers 200.
async fn receiver() -> (String, Inbox) {
    async fn keep(inbox: web::Data<Inbox>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
        let headers = request
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        inbox.lock().unwrap().push(Received {
            headers,
            body: body.to_vec(),
        });
        HttpResponse::Ok().finish()
    }
    let inbox: Inbox = Arc::default();
    let data = web::Data::new(inbox.clone());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(keep))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, inbox)
}

const BOB_SECRET: &str = "bob-secret";
const BAMBOO_KEY: &str = "bamboo-private-key";

#[tokio::test]
async fn hibob_webhooks_verify_and_lead_to_the_changed_person() {
    use crate::hibob::{COMPANY, TOKEN, client, control, sandbox_with};
    let sandbox = sandbox_with(10).await;
    let (url, inbox) = receiver().await;
    assert!(sandbox.hibob().set_webhook(COMPANY, &url, BOB_SECRET));

    // A hire in Rust is delivered in the background.
    let hired = sandbox
        .hibob()
        .hire(
            COMPANY,
            PersonChanges {
                first_name: Some("Ada".into()),
                surname: Some("Lovelace".into()),
                ..PersonChanges::default()
            },
        )
        .unwrap();
    let deliveries = sandbox
        .hibob()
        .wait_for_deliveries(COMPANY, 1, Duration::from_secs(10))
        .await;
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].accepted(), "{:?}", deliveries[0]);

    let got = inbox.lock().unwrap()[0].clone();
    hibob::verify_webhook(BOB_SECRET, got.header(hibob::SIGNATURE_HEADER), &got.body).unwrap();
    assert_eq!(
        hibob::verify_webhook(
            "not-the-secret",
            got.header(hibob::SIGNATURE_HEADER),
            &got.body
        ),
        Err(WebhookError::BadSignature)
    );
    let changes = hibob::parse_webhook(&got.body).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::Created);
    assert_eq!(changes[0].external_id, hired.id);
    let occurred = changes[0].occurred_at.unwrap();
    assert!((Utc::now() - occurred).abs() < TimeDelta::minutes(1));

    let bob = client(&sandbox, TOKEN, fast_policy());
    let ada = bob
        .fetch_one(&changes[0].external_id)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(ada.display_name, "Ada Lovelace");

    // A termination through the control API answers once it was delivered.
    control(
        &sandbox,
        reqwest::Method::POST,
        &format!("/employees/{}/terminate", employee_id(4)),
        json!({}),
    )
    .await;
    assert_eq!(sandbox.hibob().deliveries(COMPANY).len(), 2);
    let got = inbox.lock().unwrap()[1].clone();
    hibob::verify_webhook(BOB_SECRET, got.header(hibob::SIGNATURE_HEADER), &got.body).unwrap();
    let changes = hibob::parse_webhook(&got.body).unwrap();
    assert_eq!(changes[0].kind, ChangeKind::Terminated);
    assert_eq!(changes[0].external_id, employee_id(4));
    let leaver = bob
        .fetch_one(&employee_id(4))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        leaver.status,
        assetronics_integrations::hris::EmploymentStatus::Terminated
    );
}

#[tokio::test]
async fn hibob_webhooks_leave_in_the_order_of_the_changes() {
    use crate::hibob::{COMPANY, sandbox_with};
    let sandbox = sandbox_with(10).await;
    let (url, inbox) = receiver().await;
    sandbox.hibob().set_webhook(COMPANY, &url, BOB_SECRET);
    for n in 1..=5 {
        sandbox.hibob().update(
            COMPANY,
            &employee_id(n),
            PersonChanges {
                site: Some(format!("Floor {n}")),
                ..PersonChanges::default()
            },
        );
    }
    let deliveries = sandbox
        .hibob()
        .wait_for_deliveries(COMPANY, 5, Duration::from_secs(10))
        .await;
    assert!(deliveries.iter().all(|d| d.accepted()));
    let order: Vec<String> = inbox
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            hibob::parse_webhook(&r.body).unwrap()[0]
                .external_id
                .clone()
        })
        .collect();
    assert_eq!(order, (1..=5).map(employee_id).collect::<Vec<_>>());
    let keys: std::collections::HashSet<String> = inbox
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            hibob::parse_webhook(&r.body).unwrap()[0]
                .delivery_key
                .clone()
        })
        .collect();
    assert_eq!(keys.len(), 5, "one key per event");
}

#[tokio::test]
async fn bamboohr_event_webhooks_verify_within_the_window() {
    use crate::bamboohr::{SUBDOMAIN, control, sandbox_with};
    let sandbox = sandbox_with(10).await;
    let (url, inbox) = receiver().await;
    assert!(
        sandbox
            .bamboohr()
            .set_webhook(SUBDOMAIN, &url, BAMBOO_KEY, PayloadFormat::Event)
    );
    let hired = control(
        &sandbox,
        reqwest::Method::POST,
        "/employees",
        json!({"firstName": "Grace", "lastName": "Hopper"}),
    )
    .await;
    // BambooHR creates, then initializes: two events, both delivered before the answer.
    assert_eq!(sandbox.bamboohr().deliveries(SUBDOMAIN).len(), 2);
    let received = inbox.lock().unwrap().clone();
    let mut kinds = Vec::new();
    for got in &received {
        verify_bamboohr(got, Utc::now()).unwrap();
        let change = bamboohr::parse_webhook(&got.body).unwrap().remove(0);
        assert_eq!(change.external_id, hired["id"].as_str().unwrap());
        kinds.push(change.kind);
    }
    assert_eq!(kinds, vec![ChangeKind::Created, ChangeKind::Updated]);

    let replayed_later = verify_bamboohr(&received[0], Utc::now() + TimeDelta::minutes(10));
    assert!(
        matches!(replayed_later, Err(WebhookError::Stale { .. })),
        "{replayed_later:?}"
    );
}

#[tokio::test]
async fn bamboohr_field_based_webhooks_report_a_termination_as_an_update() {
    use crate::bamboohr::{SUBDOMAIN, sandbox_with};
    let sandbox = sandbox_with(10).await;
    let (url, inbox) = receiver().await;
    sandbox
        .bamboohr()
        .set_webhook(SUBDOMAIN, &url, BAMBOO_KEY, PayloadFormat::Field);
    sandbox.bamboohr().terminate(SUBDOMAIN, 3, None).unwrap();
    let deliveries = sandbox
        .bamboohr()
        .wait_for_deliveries(SUBDOMAIN, 1, Duration::from_secs(10))
        .await;
    assert_eq!(deliveries.len(), 1);
    let got = inbox.lock().unwrap()[0].clone();
    verify_bamboohr(&got, Utc::now()).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["employees"][0]["fields"]["status"], "Inactive");
    let changes = bamboohr::parse_webhook(&got.body).unwrap();
    assert_eq!(changes[0].external_id, "3");
    assert_eq!(changes[0].kind, ChangeKind::Updated);
}

#[tokio::test]
async fn an_unreachable_receiver_is_recorded_and_the_change_still_made() {
    use crate::bamboohr::{SUBDOMAIN, control, sandbox_with};
    let sandbox = sandbox_with(10).await;
    // A port nothing listens on: bound, then released.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    sandbox.bamboohr().set_webhook(
        SUBDOMAIN,
        &format!("http://{closed}/hooks"),
        BAMBOO_KEY,
        PayloadFormat::Field,
    );
    control(&sandbox, reqwest::Method::DELETE, "/employees/4", json!({})).await;
    let deliveries = sandbox.bamboohr().deliveries(SUBDOMAIN);
    assert_eq!(deliveries.len(), 1);
    assert!(!deliveries[0].accepted());
    assert!(deliveries[0].error.is_some(), "{:?}", deliveries[0]);
    let changes = bamboohr::parse_webhook(deliveries[0].body.as_bytes()).unwrap();
    assert_eq!(changes[0].kind, ChangeKind::Deleted);
}

#[test]
fn signed_deliveries_can_be_replayed_and_tampered_with() {
    let now = Utc::now();
    let event = WebhookEvent {
        company_id: "12345".into(),
        employee_id: "67890".into(),
        action: WebhookAction::Updated,
        at: now,
        changed_fields: vec!["firstName".into()],
        fields: [("firstName".to_owned(), "Bryony".to_owned())].into(),
    };
    let check = |delivery: &assetronics_integrations::sandbox::webhooks::SignedDelivery,
                 body: &[u8],
                 at| {
        bamboohr::verify_webhook(
            BAMBOO_KEY,
            delivery.header(bamboohr::SIGNATURE_HEADER).unwrap(),
            delivery.header(bamboohr::TIMESTAMP_HEADER).unwrap(),
            body,
            at,
            bamboohr::WEBHOOK_TOLERANCE,
        )
    };
    let fresh = bamboohr_delivery(BAMBOO_KEY, PayloadFormat::Event, &event, now);
    check(&fresh, &fresh.body, now).unwrap();
    let mut tampered = fresh.body.clone();
    tampered.push(b' ');
    assert_eq!(
        check(&fresh, &tampered, now),
        Err(WebhookError::BadSignature)
    );
    let old = bamboohr_delivery(
        BAMBOO_KEY,
        PayloadFormat::Field,
        &event,
        now - TimeDelta::minutes(30),
    );
    assert!(matches!(
        check(&old, &old.body, now),
        Err(WebhookError::Stale { .. })
    ));

    let bob = assetronics_integrations::sandbox::hibob::signed_delivery(
        BOB_SECRET,
        7,
        "employee.left",
        "3332883800000000042",
        now.naive_utc(),
    );
    let signature = bob.header(hibob::SIGNATURE_HEADER).unwrap();
    hibob::verify_webhook(BOB_SECRET, signature, &bob.body).unwrap();
    let forged = String::from_utf8(bob.body.clone())
        .unwrap()
        .replace("employee.left", "employee.created");
    assert_eq!(
        hibob::verify_webhook(BOB_SECRET, signature, forged.as_bytes()),
        Err(WebhookError::BadSignature)
    );
    let change = hibob::parse_webhook(&bob.body).unwrap().remove(0);
    assert_eq!(change.kind, ChangeKind::Terminated);
    assert_eq!(change.external_id, "3332883800000000042");
}
