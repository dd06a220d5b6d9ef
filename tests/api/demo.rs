use assetronics_tests::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_demo_tenant_can_be_signed_into_and_has_a_populated_inventory() {
    let app = spawn_app().await;
    let scale = assetronics::demo::Scale {
        employees: 24,
        assets: 40,
    };
    let login = assetronics::demo::seed_with(&app.state, scale)
        .await
        .expect("seed");
    // Seeding again changes nothing.
    assetronics::demo::seed_with(&app.state, scale)
        .await
        .expect("seed again");

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
