//! The official clients and several processes against the real server.

use std::time::Duration;

use assetronics_tests::socket::{self, close_code, recv, recv_event, recv_within, send};
use assetronics_tests::*;
use serde_json::json;

async fn phoenix_js_sees_a_rest_write(transport: &str) {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let mut script = node::start(
        "phoenix-client.mjs",
        &[&app.address, &s.access_token, &s.tenant_id, transport],
    );
    let presence = script.expect("presence").await;
    let users = presence["users"].as_array().cloned().unwrap_or_default();
    assert_eq!(users.len(), 1, "one user, two connections: {presence}");
    assert_eq!(users[0]["id"], s.user_id.as_str());
    assert_eq!(users[0]["count"], 2);
    script.expect("joined").await;
    let created = app
        .create_asset(
            &s.access_token,
            json!({"name": format!("Seen over {transport}")}),
        )
        .await;
    let seen = script.expect("asset_created").await;
    assert_eq!(seen["payload"]["asset"], created);
}

#[tokio::test]
async fn the_phoenix_npm_client_joins_tracks_presence_and_receives_events_over_websocket() {
    phoenix_js_sees_a_rest_write("websocket").await;
}

#[tokio::test]
async fn the_phoenix_npm_client_works_over_long_poll() {
    phoenix_js_sees_a_rest_write("longpoll").await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_a_reconnect_code() {
    let app = spawn_app().await;
    let node = process::start(&app.database_url).await;
    let s = app.signup("Acme").await;
    let mut ws = socket::open(&node.address, &s.access_token).await;
    send(&mut ws, json!([null, "1", "phoenix", "heartbeat", {}])).await;
    assert_eq!(recv(&mut ws).await[4]["status"], "ok");
    process::sigterm(node.pid());
    assert_eq!(
        close_code(&mut ws).await,
        Some(1012),
        "1012 service restart, not 1000: clients reconnect"
    );
}

/// Two server processes on one PostgreSQL database: an event caused through one reaches a
/// socket connected to the other, once.
#[tokio::test]
async fn on_postgres_events_cross_nodes() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app().await;
    let a = process::start(&app.database_url).await;
    let b = process::start(&app.database_url).await;
    let s = app.signup("Acme").await;
    let topic = format!("assets:{}", s.tenant_id);
    let mut ws = socket::joined(&b.address, &s.access_token, &topic).await;
    let res = app
        .client
        .post(format!("{}/api/v1/assets", a.address))
        .bearer_auth(&s.access_token)
        .json(&json!({"name": "made on A"}))
        .send()
        .await
        .expect("create on A");
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.expect("json");
    let push = recv_event(&mut ws, "asset_created").await;
    assert_eq!(push[4]["asset"], created);
    assert_eq!(
        recv_within(&mut ws, Duration::from_millis(1500)).await,
        None,
        "delivered once"
    );

    // An event larger than a NOTIFY payload travels by reference and arrives whole.
    let big: serde_json::Map<String, serde_json::Value> = (0..300)
        .map(|i| (format!("field_{i:03}"), json!("x".repeat(30))))
        .collect();
    let res = app
        .client
        .post(format!("{}/api/v1/assets", a.address))
        .bearer_auth(&s.access_token)
        .json(&json!({"name": "big", "custom_fields": big}))
        .send()
        .await
        .expect("create big");
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.expect("json");
    assert!(created.to_string().len() > 8000);
    let push = recv_event(&mut ws, "asset_created").await;
    assert_eq!(push[4]["asset"], created);
}
