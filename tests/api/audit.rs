use assetronics_tests::*;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

#[tokio::test]
async fn every_write_is_audited_with_who_where_and_what_changed() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let a = app
        .create_asset(
            &s.access_token,
            json!({"name": "Laptop", "serial_number": "S1"}),
        )
        .await;
    let res = app
        .call_with(
            Method::PATCH,
            &format!("/api/v1/assets/{}", id(&a)),
            Some(&s.access_token),
            Some(json!({"serial_number": "S2"})),
            &[("X-Request-Id", "req-abc-123")],
        )
        .await;
    assert_eq!(
        res.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("req-abc-123")
    );
    let log = app
        .get(
            &format!("/api/v1/audit-events?entity_id={}", id(&a)),
            &s.access_token,
        )
        .await;
    let latest = &log.body["data"][0];
    assert_eq!(latest["action"], "asset.updated");
    assert_eq!(
        latest["changes"],
        json!({"serial_number": {"from": "S1", "to": "S2"}})
    );
    assert_eq!(latest["actor"]["id"], s.user_id.as_str());
    assert_eq!(latest["request_id"], "req-abc-123");
    assert_eq!(latest["ip"], "127.0.0.1");
    let filtered = app
        .get("/api/v1/audit-events?action=asset.created", &s.access_token)
        .await;
    assert_eq!(filtered.body["data"].as_array().map(Vec::len), Some(1));
}

async fn tamper(app: &TestApp, sql_pg: &str) {
    let backend = app.db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        sql_pg.to_owned()
    } else {
        sql_pg.replace("::jsonb", "")
    };
    app.db
        .execute_raw(Statement::from_string(backend, sql))
        .await
        .expect("tamper");
}

#[tokio::test]
async fn the_chain_verifies_and_reports_the_first_altered_entry() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    for i in 0..5 {
        app.create_asset(&s.access_token, json!({"name": format!("Asset {i}")}))
            .await;
    }
    let ok = app
        .get("/api/v1/audit-events/verify", &s.access_token)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["ok"], true);
    let total = ok.body["checked"].as_u64().unwrap_or(0);
    assert!(total >= 7, "signup + 5 assets: {total}");

    // Someone edits history directly in the database.
    tamper(&app, r#"UPDATE audit_events SET changes = '{"name": {"from": null, "to": "Forged"}}'::jsonb WHERE seq = 4"#).await;
    let broken = app
        .get("/api/v1/audit-events/verify", &s.access_token)
        .await;
    assert_eq!(broken.body["ok"], false);
    assert_eq!(broken.body["first_broken"]["seq"], 4);
    assert_eq!(broken.body["first_broken"]["reason"], "hash_mismatch");
    assert_eq!(broken.body["checked"], 3);
}

#[tokio::test]
async fn a_deleted_entry_breaks_the_chain() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    for i in 0..3 {
        app.create_asset(&s.access_token, json!({"name": format!("Asset {i}")}))
            .await;
    }
    tamper(&app, "DELETE FROM audit_events WHERE seq = 3").await;
    let broken = app
        .get("/api/v1/audit-events/verify", &s.access_token)
        .await;
    assert_eq!(broken.body["ok"], false);
    assert_eq!(broken.body["first_broken"]["seq"], 4);
    assert_eq!(broken.body["first_broken"]["reason"], "sequence_gap");
}
