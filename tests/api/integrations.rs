use assetronics_tests::socket;
use assetronics_tests::*;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

#[tokio::test]
async fn a_bamboohr_connection_is_stored_encrypted_and_tested_against_the_vendor() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(25).await;
    let s = app.signup("Acme").await;
    let created = app
        .post(
            "/api/v1/integrations",
            &s.access_token,
            bamboohr_connection(&sim),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["credentials_set"], json!(["api_key"]));
    assert!(
        !created.body.to_string().contains("right-key"),
        "credentials are write-only"
    );

    // At rest the key is not readable either.
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT credentials FROM integrations",
        ))
        .await
        .expect("query")
        .expect("row");
    let stored: String = row.try_get("", "credentials").expect("column");
    assert!(!stored.contains("right-key"));

    let tested = app
        .post(
            &format!("/api/v1/integrations/{}/test", id(&created.body)),
            &s.access_token,
            json!({}),
        )
        .await;
    assert_eq!(tested.body, json!({"ok": true, "detail": "connected"}));
    assert!(
        sim.bamboohr().requests("acme") >= 1,
        "the vendor was really called"
    );

    let audit = app
        .get(
            &format!("/api/v1/audit-events?entity_id={}", id(&created.body)),
            &s.access_token,
        )
        .await;
    assert!(
        !audit.body.to_string().contains("right-key"),
        "credentials never reach the audit log"
    );
}

#[tokio::test]
async fn bad_credentials_mark_the_integration_as_needing_attention() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(25).await;
    let s = app.signup("Acme").await;
    let integration = app
        .connect(
            &s,
            merged(
                bamboohr_connection(&sim),
                json!({"credentials": {"api_key": "wrong"}}),
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
    assert_eq!(tested.body["ok"], false);
    let got = app
        .get(
            &format!("/api/v1/integrations/{integration}"),
            &s.access_token,
        )
        .await;
    assert_eq!(got.body["status"], "needs_attention");
    assert_eq!(
        sim.bamboohr().requests("acme"),
        1,
        "bad credentials are not retried"
    );
}

#[tokio::test]
async fn integrations_validate_input_and_are_tenant_scoped_and_admin_only() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let bad = app
        .post(
            "/api/v1/integrations",
            &s.access_token,
            json!({"provider": "bamboohr", "config": {"base_url": "ftp://x"}, "credentials": {}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["config.base_url", "config.subdomain", "credentials.api_key"]
    );
    let unknown = app
        .post(
            "/api/v1/integrations",
            &s.access_token,
            json!({"provider": "myspace", "config": {}, "credentials": {}}),
        )
        .await;
    assert_eq!(unknown.error_fields(), ["provider"]);

    let created = app.post("/api/v1/integrations", &s.access_token, json!({"provider": "bamboohr", "config": {"subdomain": "acme"}, "credentials": {"api_key": "k"}})).await;
    let other = app.signup("Other").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/integrations/{}", id(&created.body)),
            &other.access_token
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/integrations/{}/test", id(&created.body)),
            &other.access_token,
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let viewer = app.user_with_role(&s, "viewer").await;
    assert_eq!(
        app.get("/api/v1/integrations", &viewer.access_token)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/integrations", &s.access_token).await.body["data"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        app.delete(
            &format!("/api/v1/integrations/{}", id(&created.body)),
            &s.access_token
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
}

async fn employee_audit_count(app: &TestApp, s: &Session) -> usize {
    let mut n = 0;
    for action in ["employee.created", "employee.updated"] {
        let res = app
            .get(
                &format!("/api/v1/audit-events?limit=500&action={action}"),
                &s.access_token,
            )
            .await;
        n += res.body["data"].as_array().map(Vec::len).unwrap_or(0);
    }
    n
}

#[tokio::test]
async fn an_hris_sync_upserts_people_and_a_second_run_writes_nothing() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(25).await;
    let s = app.signup("Acme").await;
    let integration = app.connect(&s, bamboohr_connection(&sim)).await;
    let mut ws = app
        .channel(&s, &format!("integrations:{}", s.tenant_id))
        .await;

    let first = app.run_sync(&s, &integration).await;
    assert_eq!(first.status, "succeeded");
    assert_eq!(
        (first.stats.created, first.stats.updated, first.stats.failed),
        (25, 0, 0)
    );
    assert_eq!(
        socket::recv_event(&mut ws, "sync_started").await[4]["integration_id"],
        integration.as_str()
    );
    let progress = socket::recv_event(&mut ws, "sync_progress").await;
    assert_eq!(progress[4]["processed"], 25);
    let finished = socket::recv_event(&mut ws, "sync_finished").await;
    assert_eq!(finished[4]["stats"]["created"], 25);

    let people = app
        .get("/api/v1/employees?limit=500", &s.access_token)
        .await;
    let rows = people.body["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 25);
    assert!(
        rows.iter()
            .all(|e| e["external_source"] == "bamboohr" && e["external_id"].is_string())
    );
    assert!(
        rows.iter().any(|e| e["department"]["name"].is_string()),
        "departments come from the HR system"
    );
    let writes = employee_audit_count(&app, &s).await;

    let second = app.run_sync(&s, &integration).await;
    assert_eq!(
        (
            second.stats.created,
            second.stats.updated,
            second.stats.unchanged
        ),
        (0, 0, 25)
    );
    assert_eq!(
        employee_audit_count(&app, &s).await,
        writes,
        "no vendor change, no write"
    );

    // A termination in the HR system marks the person, it does not delete them.
    let terminated_before = app
        .get(
            "/api/v1/employees?limit=500&status=terminated",
            &s.access_token,
        )
        .await
        .body["data"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    sim.bamboohr()
        .terminate("acme", 3, chrono::NaiveDate::from_ymd_opt(2026, 11, 20));
    let third = app.run_sync(&s, &integration).await;
    assert_eq!((third.stats.updated, third.stats.unchanged), (1, 24));
    let leaver = app
        .get(
            "/api/v1/employees?limit=500&status=terminated",
            &s.access_token,
        )
        .await;
    let leavers = leaver.body["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(leavers.len(), terminated_before + 1);
    let three = leavers
        .iter()
        .find(|e| e["external_id"] == "3")
        .expect("employee 3 is terminated");
    assert_eq!(three["end_date"], "2026-11-20");
    assert_eq!(
        app.get("/api/v1/employees?limit=500", &s.access_token)
            .await
            .body["data"]
            .as_array()
            .map(Vec::len),
        Some(25),
        "nobody deleted"
    );
}

#[tokio::test]
async fn a_malformed_record_fails_alone_and_bad_credentials_fail_the_sync() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(25).await;
    let s = app.signup("Acme").await;
    let integration = app.connect(&s, bamboohr_connection(&sim)).await;
    sim.bamboohr().set_faults(
        "acme",
        assetronics_integrations::sandbox::bamboohr::Faults {
            malformed_ids: vec!["5".into()],
            ..Default::default()
        },
    );
    let out = app.run_sync(&s, &integration).await;
    assert_eq!(out.status, "partial");
    assert_eq!((out.stats.created, out.stats.failed), (24, 1));

    let bad = app
        .connect(
            &s,
            merged(
                bamboohr_connection(&sim),
                json!({"name": "wrong key", "credentials": {"api_key": "nope"}}),
            ),
        )
        .await;
    let out = app.run_sync(&s, &bad).await;
    assert_eq!(out.status, "failed");
    let got = app
        .get(&format!("/api/v1/integrations/{bad}"), &s.access_token)
        .await;
    assert_eq!(got.body["status"], "needs_attention");
}

/// "Sync now" through REST: a queued run that a worker performs; followed until it finishes.
#[tokio::test]
async fn sync_now_queues_a_run_that_a_worker_completes() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(25).await;
    let s = app.signup("Acme").await;
    let integration = app.connect(&s, bamboohr_connection(&sim)).await;
    let run_id = app.sync_now(&s, &integration).await;
    let run = app.finished_run(&s, &run_id, PATIENCE).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["stats"]["created"], 25);
    assert_eq!(run["attempts"], 1);
    assert!(run["started_at"].is_string() && run["finished_at"].is_string());
    let listed = app
        .get(
            &format!("/api/v1/sync-runs?integration_id={integration}"),
            &s.access_token,
        )
        .await;
    assert_eq!(listed.body["data"][0]["id"], run_id.as_str());
    let other = app.signup("Other").await;
    assert_eq!(
        app.get(&format!("/api/v1/sync-runs/{run_id}"), &other.access_token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/integrations/{integration}/sync"),
            &other.access_token,
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_integration_is_changed_with_merged_credentials_schedule_and_disabling() {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(25).await;
    let s = app.signup("Acme").await;
    let integration = app
        .connect(
            &s,
            merged(
                bamboohr_connection(&sim),
                json!({"credentials": {"api_key": "wrong-key"}}),
            ),
        )
        .await;
    let path = format!("/api/v1/integrations/{integration}");
    let tested = app
        .post(&format!("{path}/test"), &s.access_token, json!({}))
        .await;
    assert_eq!(tested.body["ok"], false);
    // Rotate one secret and add another; the rest stays.
    let changed = app
        .patch(
            &path,
            &s.access_token,
            json!({"credentials": {"api_key": "right-key", "webhook_private_key": "whk"}, "schedule": "0 */6 * * *", "status": "active", "version": 1}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        changed.body["credentials_set"],
        json!(["api_key", "webhook_private_key"])
    );
    assert_eq!(changed.body["schedule"], "0 */6 * * *");
    assert!(changed.body["next_sync_at"].is_string());
    assert!(!changed.body.to_string().contains("right-key"));
    let tested = app
        .post(&format!("{path}/test"), &s.access_token, json!({}))
        .await;
    assert_eq!(tested.body["ok"], true, "{}", tested.body);
    // Stale versions, bad schedules and unknown states change nothing.
    let stale = app
        .patch(&path, &s.access_token, json!({"name": "X", "version": 1}))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let bad = app
        .patch(
            &path,
            &s.access_token,
            json!({"schedule": "whenever", "status": "paused"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["schedule", "status"]);
    let removed = app
        .patch(
            &path,
            &s.access_token,
            json!({"credentials": {"api_key": null}}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(removed.error_fields(), vec!["credentials.api_key"]);
    // Disabled: no manual sync, no webhooks.
    let disabled = app
        .patch(
            &path,
            &s.access_token,
            json!({"status": "disabled", "schedule": null}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert!(disabled.body["schedule"].is_null());
    assert!(disabled.body["next_sync_at"].is_null());
    let refused = app
        .post(&format!("{path}/sync"), &s.access_token, json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.problem_code(), "invalid_transition");
    let audit = app
        .get(
            "/api/v1/audit-events?action=integration.updated",
            &s.access_token,
        )
        .await;
    assert_eq!(audit.body["data"].as_array().map(Vec::len), Some(2));
    assert!(!audit.body.to_string().contains("right-key"));
}
