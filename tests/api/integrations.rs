use assetronics_integrations::sandbox::{self, SandboxConfig, bamboohr::CompanySeed};
use assetronics_tests::*;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

async fn simulator() -> sandbox::Sandbox {
    sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed { subdomain: "acme".into(), api_key: "right-key".into(), employees: 25 }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator")
}

#[tokio::test]
async fn a_bamboohr_connection_is_stored_encrypted_and_tested_against_the_vendor() {
    let app = spawn_app().await;
    let sim = simulator().await;
    let s = app.signup("Acme").await;
    let created = app
        .post(
            "/api/v1/integrations",
            &s.access_token,
            json!({"provider": "bamboohr", "config": {"subdomain": "acme", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "right-key"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["credentials_set"], json!(["api_key"]));
    assert!(!created.body.to_string().contains("right-key"), "credentials are write-only");

    // At rest the key is not readable either.
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), "SELECT credentials FROM integrations"))
        .await
        .expect("query")
        .expect("row");
    let stored: String = row.try_get("", "credentials").expect("column");
    assert!(!stored.contains("right-key"));

    let tested = app.post(&format!("/api/v1/integrations/{}/test", id(&created.body)), &s.access_token, json!({})).await;
    assert_eq!(tested.body, json!({"ok": true, "detail": "connected"}));
    assert!(sim.bamboohr().requests("acme") >= 1, "the vendor was really called");

    let audit = app.get(&format!("/api/v1/audit-events?entity_id={}", id(&created.body)), &s.access_token).await;
    assert!(!audit.body.to_string().contains("right-key"), "credentials never reach the audit log");
}

#[tokio::test]
async fn bad_credentials_mark_the_integration_as_needing_attention() {
    let app = spawn_app().await;
    let sim = simulator().await;
    let s = app.signup("Acme").await;
    let created = app
        .post(
            "/api/v1/integrations",
            &s.access_token,
            json!({"provider": "bamboohr", "config": {"subdomain": "acme", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "wrong"}}),
        )
        .await;
    let tested = app.post(&format!("/api/v1/integrations/{}/test", id(&created.body)), &s.access_token, json!({})).await;
    assert_eq!(tested.body["ok"], false);
    let got = app.get(&format!("/api/v1/integrations/{}", id(&created.body)), &s.access_token).await;
    assert_eq!(got.body["status"], "needs_attention");
    assert_eq!(sim.bamboohr().requests("acme"), 1, "bad credentials are not retried");
}

#[tokio::test]
async fn integrations_validate_input_and_are_tenant_scoped_and_admin_only() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let bad = app.post("/api/v1/integrations", &s.access_token, json!({"provider": "bamboohr", "config": {"base_url": "ftp://x"}, "credentials": {}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["config.base_url", "config.subdomain", "credentials.api_key"]);
    let unknown = app.post("/api/v1/integrations", &s.access_token, json!({"provider": "myspace", "config": {}, "credentials": {}})).await;
    assert_eq!(unknown.error_fields(), ["provider"]);

    let created = app.post("/api/v1/integrations", &s.access_token, json!({"provider": "bamboohr", "config": {"subdomain": "acme"}, "credentials": {"api_key": "k"}})).await;
    let other = app.signup("Other").await;
    assert_eq!(app.get(&format!("/api/v1/integrations/{}", id(&created.body)), &other.access_token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post(&format!("/api/v1/integrations/{}/test", id(&created.body)), &other.access_token, json!({})).await.status, StatusCode::NOT_FOUND);
    let viewer = app.user_with_role(&s, "viewer").await;
    assert_eq!(app.get("/api/v1/integrations", &viewer.access_token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/integrations", &s.access_token).await.body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.delete(&format!("/api/v1/integrations/{}", id(&created.body)), &s.access_token).await.status, StatusCode::NO_CONTENT);
}
