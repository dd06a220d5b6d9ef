//! Signed HRIS webhooks: the simulators post real signed deliveries to the running server;
//! verified ones are stored once and processed by a job, the rest change nothing.

use std::time::Duration;

use assetronics_integrations::sandbox::bamboohr::{
    self as bamboo, PayloadFormat, WebhookAction, WebhookEvent,
};
use assetronics_integrations::sandbox::{self, hibob};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const BAMBOO_KEY: &str = "bamboo-webhook-private-key";
const BOB_SECRET: &str = "bob-webhook-secret";

/// Ten people each in BambooHR and in HiBob.
async fn simulator() -> sandbox::Sandbox {
    vendors().bamboohr(10).hibob(10).start().await
}

/// Connects BambooHR, with `key` as its webhook private key.
async fn bamboohr(app: &TestApp, s: &Session, sim: &sandbox::Sandbox, key: Option<&str>) -> String {
    let mut body = bamboohr_connection(sim);
    if let Some(k) = key {
        body["credentials"]["webhook_private_key"] = json!(k);
    }
    app.connect(s, body).await
}

async fn employees_named(app: &TestApp, s: &Session, q: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/employees?q={q}"), &s.access_token)
        .await
        .body["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn post_delivery(
    app: &TestApp,
    path: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = app.client.post(app.url(path)).body(body);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let res = req.send().await.expect("post webhook");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_bamboohr_hire_arrives_by_signed_webhook_and_is_processed_once() {
    let app = spawn_app().await;
    let sim = simulator().await;
    let s = app.signup("Acme").await;
    let integration = bamboohr(&app, &s, &sim, Some(BAMBOO_KEY)).await;
    let path = format!("/webhooks/bamboohr/{integration}");
    assert!(
        sim.bamboohr()
            .set_webhook("acme", &app.url(&path), BAMBOO_KEY, PayloadFormat::Event)
    );
    let hired = sim
        .bamboohr()
        .hire(
            "acme",
            std::collections::BTreeMap::from([
                ("firstName".to_owned(), "Wanda".to_owned()),
                ("lastName".to_owned(), "Webhook".to_owned()),
                (
                    "workEmail".to_owned(),
                    "wanda.webhook@acme.example.com".to_owned(),
                ),
            ]),
        )
        .expect("hired");
    // BambooHR sends employee.created then employee.updated for a hire.
    let sent = sim
        .bamboohr()
        .wait_for_deliveries("acme", 2, Duration::from_secs(10))
        .await;
    assert_eq!(sent.len(), 2);
    for d in &sent {
        assert_eq!(d.status, Some(202), "{d:?}");
    }
    let stored = app.settled_deliveries(&s, &integration, 2).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(
        stored.iter().all(|d| d["status"] == "processed"),
        "{stored:?}"
    );
    let wanda = employees_named(&app, &s, "wanda").await;
    assert_eq!(wanda.len(), 1, "{wanda:?}");
    assert_eq!(wanda[0]["external_id"], hired["id"].as_str());
    // A hire starting today is onboarded.
    let wfs = app
        .get(
            &format!(
                "/api/v1/workflows?employee_id={}",
                wanda[0]["id"].as_str().expect("id")
            ),
            &s.access_token,
        )
        .await;
    assert_eq!(wfs.body["data"][0]["kind"], "onboarding", "{}", wfs.body);

    // Replaying a delivery stores nothing new and changes nothing.
    let replay = &sent[0];
    let (status, body) = post_delivery(
        &app,
        &path,
        &replay.headers,
        replay.body.clone().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "duplicate");
    assert_eq!(app.webhook_deliveries(&s, &integration).await.len(), 2);
    assert_eq!(employees_named(&app, &s, "wanda").await.len(), 1);
}

#[tokio::test]
async fn bad_tampered_and_stale_signatures_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let sim = simulator().await;
    let s = app.signup("Acme").await;
    let integration = bamboohr(&app, &s, &sim, Some(BAMBOO_KEY)).await;
    let path = format!("/webhooks/bamboohr/{integration}");
    let event = WebhookEvent {
        company_id: "1".into(),
        employee_id: "3".into(),
        action: WebhookAction::Updated,
        at: chrono::Utc::now(),
        changed_fields: vec!["jobTitle".into()],
        fields: Default::default(),
    };
    let now = chrono::Utc::now();

    let wrong_key = bamboo::signed_delivery("not-the-key", PayloadFormat::Event, &event, now);
    let (status, body) = post_delivery(&app, &path, &wrong_key.headers, wrong_key.body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "invalid_signature");

    let mut tampered = bamboo::signed_delivery(BAMBOO_KEY, PayloadFormat::Event, &event, now);
    let text = String::from_utf8(tampered.body.clone()).expect("utf8");
    tampered.body = text.replace("\"3\"", "\"4\"").into_bytes();
    let (status, _) = post_delivery(&app, &path, &tampered.headers, tampered.body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let stale = bamboo::signed_delivery(
        BAMBOO_KEY,
        PayloadFormat::Event,
        &event,
        now - chrono::Duration::minutes(10),
    );
    let (status, body) = post_delivery(&app, &path, &stale.headers, stale.body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let unsigned = bamboo::signed_delivery(BAMBOO_KEY, PayloadFormat::Event, &event, now);
    let (status, _) = post_delivery(&app, &path, &[], unsigned.body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert!(app.webhook_deliveries(&s, &integration).await.is_empty());

    // A valid one is accepted; an integration without a secret refuses everything.
    let valid = bamboo::signed_delivery(BAMBOO_KEY, PayloadFormat::Event, &event, now);
    let (status, body) = post_delivery(&app, &path, &valid.headers, valid.body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "accepted");
    let no_secret = bamboohr(&app, &s, &sim, None).await;
    let (status, _) = post_delivery(
        &app,
        &format!("/webhooks/bamboohr/{no_secret}"),
        &valid.headers,
        valid.body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Unknown integrations and providers are 404s, as problem+json.
    let (status, body) = post_delivery(
        &app,
        &format!("/webhooks/hibob/{integration}"),
        &valid.headers,
        valid.body,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn a_hibob_leaver_arrives_by_signed_webhook_and_is_offboarded() {
    let app = spawn_app().await;
    let sim = simulator().await;
    let s = app.signup("Acme").await;
    let seed = hibob::CompanySeed::default();
    let integration = app
        .connect(
            &s,
            merged(
                hibob_connection(&sim),
                json!({"credentials": {"webhook_secret": BOB_SECRET}}),
            ),
        )
        .await;
    let tested = app
        .post(
            &format!("/api/v1/integrations/{integration}/test"),
            &s.access_token,
            json!({}),
        )
        .await;
    assert_eq!(tested.body["ok"], true, "{}", tested.body);
    let first = app.run_sync(&s, &integration).await;
    assert_eq!(first.status, "succeeded", "{first:?}");
    assert!(first.stats.created >= 9, "{first:?}");

    let path = format!("/webhooks/hibob/{integration}");
    assert!(
        sim.hibob()
            .set_webhook(seed.company_id, &app.url(&path), BOB_SECRET)
    );
    let leaver = hibob::employee_id(2);
    sim.hibob()
        .terminate(seed.company_id, &leaver, None)
        .expect("terminated");
    let sent = sim
        .hibob()
        .wait_for_deliveries(seed.company_id, 1, Duration::from_secs(10))
        .await;
    assert_eq!(sent[0].status, Some(202), "{:?}", sent[0]);
    let stored = app.settled_deliveries(&s, &integration, 1).await;
    assert_eq!(stored[0]["status"], "processed", "{stored:?}");
    assert_eq!(stored[0]["result"]["updated"], 1, "{stored:?}");
    let wfs = app
        .get("/api/v1/workflows?kind=offboarding", &s.access_token)
        .await;
    assert_eq!(
        wfs.body["data"].as_array().map(Vec::len),
        Some(1),
        "{}",
        wfs.body
    );

    // The same delivery with one byte changed is refused.
    let mut forged = sent[0].body.clone().into_bytes();
    forged.push(b' ');
    let (status, _) = post_delivery(&app, &path, &sent[0].headers, forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = post_delivery(
        &app,
        &path,
        &sent[0].headers,
        sent[0].body.clone().into_bytes(),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
}
