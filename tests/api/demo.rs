use assetronics_tests::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_demo_tenant_can_be_signed_into_and_has_a_populated_inventory() {
    let app = spawn_app().await;
    let login = app.seed_demo(24, 40).await;
    // Seeding again changes nothing.
    app.seed_demo(24, 40).await;

    let res = app.login(&login.email, &login.password, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let token = res.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(res.body["tenant"]["name"], "Acme Robotics");
    let assets = app.get("/api/v1/assets?limit=500", &token).await;
    let data = assets.body["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(data.len(), 40);
    assert!(
        data.iter().any(|a| a["status"] == "assigned"),
        "some assets are checked out"
    );
    assert!(
        data.iter()
            .all(|a| a["tag"].as_str().is_some_and(|t| t.starts_with("ACME-")))
    );
    let employees = app.get("/api/v1/employees?limit=500", &token).await;
    assert_eq!(employees.body["data"].as_array().map(Vec::len), Some(24));
    let verify = app.get("/api/v1/audit-events/verify", &token).await;
    assert_eq!(verify.body["ok"], true);
}

/// The demo's HR system: the simulator in-process, synced, with two hires awaiting approval;
/// connecting again on a restart opens nothing twice.
#[tokio::test]
async fn the_demo_tenant_syncs_from_its_hr_simulator_with_hires_awaiting_approval() {
    let app = spawn_app().await;
    let login = app.seed_demo(10, 10).await;
    app.connect_demo_simulator().await;
    let res = app.login(&login.email, &login.password, None).await;
    let token = res.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    until(
        "the first sync to succeed with two hires awaiting approval",
        || async {
            let runs = app.get("/api/v1/sync-runs", &token).await.body;
            let approvals = app.get("/api/v1/approvals", &token).await.body;
            serde_json::json!({"sync_runs": runs, "approvals": approvals})
        },
        |seen| {
            seen["sync_runs"]["data"][0]["status"] == "succeeded"
                && seen["approvals"]["data"].as_array().map(Vec::len) == Some(2)
        },
    )
    .await;
    let employees = app.get("/api/v1/employees?limit=500", &token).await;
    // 10 made by hand, 60 from the HR system and the two new hires.
    assert_eq!(employees.body["data"].as_array().map(Vec::len), Some(72));
    // A restart reconnects to a fresh simulator: nobody is hired twice.
    app.connect_demo_simulator().await;
    let integrations = app.get("/api/v1/integrations", &token).await;
    assert_eq!(integrations.body["data"].as_array().map(Vec::len), Some(1));
    let workflows = app.get("/api/v1/workflows", &token).await;
    assert_eq!(workflows.body["data"].as_array().map(Vec::len), Some(2));
}
