use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::json;

fn in_days(n: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn the_dashboard_counts_assets_by_status_category_and_warranty() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;

    let empty = app.get("/api/v1/dashboard", t).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body["total_assets"], 0);
    assert_eq!(
        empty.body["by_status"].as_array().map(Vec::len),
        Some(7),
        "every status, zeros included"
    );
    assert_eq!(empty.body["by_category"], json!([]));

    let laptops = app
        .post("/api/v1/categories", t, json!({"name": "Laptops"}))
        .await
        .body;
    let phones = app
        .post("/api/v1/categories", t, json!({"name": "Phones"}))
        .await
        .body;
    let emp = app.create_employee(t, "Ada Lovelace").await;
    let soon = app
        .create_asset(
            t,
            json!({"name": "L1", "category_id": id(&laptops), "warranty_end": in_days(10)}),
        )
        .await;
    app.create_asset(
        t,
        json!({"name": "L2", "category_id": id(&laptops), "warranty_end": in_days(60)}),
    )
    .await;
    app.create_asset(
        t,
        json!({"name": "L3", "category_id": id(&laptops), "warranty_end": in_days(365)}),
    )
    .await;
    app.create_asset(
        t,
        json!({"name": "P1", "category_id": id(&phones), "warranty_end": in_days(-5)}),
    )
    .await;
    // Retired assets count by status but their warranties no longer matter.
    app.create_asset(
        t,
        json!({"name": "Old", "status": "retired", "warranty_end": in_days(5)}),
    )
    .await;
    let deleted = app
        .create_asset(t, json!({"name": "Gone", "category_id": id(&phones)}))
        .await;
    app.delete(&format!("/api/v1/assets/{}", id(&deleted)), t)
        .await;
    let res = app
        .post(
            &format!("/api/v1/assets/{}/checkout", id(&soon)),
            t,
            json!({"employee_id": id(&emp)}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);

    let d = app.get("/api/v1/dashboard", t).await.body;
    assert_eq!(d["total_assets"], 5, "deleted assets are not counted: {d}");
    assert_eq!(d["assigned"], 1);
    assert_eq!(d["in_stock"], 3);
    let status = |s: &str| {
        d["by_status"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["status"] == s)
            .map(|e| e["count"].clone())
    };
    assert_eq!(status("assigned"), Some(json!(1)));
    assert_eq!(status("retired"), Some(json!(1)));
    assert_eq!(status("lost"), Some(json!(0)));
    assert_eq!(d["warranty_expiring_30_days"], 1);
    assert_eq!(d["warranty_expiring_90_days"], 2);
    assert_eq!(d["warranty_expired"], 1);
    assert_eq!(
        d["by_category"],
        json!([
            {"category": {"id": id(&laptops), "name": "Laptops"}, "count": 3},
            {"category": {"id": id(&phones), "name": "Phones"}, "count": 1},
            {"category": null, "count": 1},
        ])
    );
    assert!(d["generated_at"].as_str().is_some());

    // Another tenant sees its own (empty) inventory; a member only what they hold.
    let other = app.signup("Other").await;
    assert_eq!(
        app.get("/api/v1/dashboard", &other.access_token).await.body["total_assets"],
        0
    );
    let member = app.user_with_role(&s, "member").await;
    assert_eq!(
        app.get("/api/v1/dashboard", &member.access_token)
            .await
            .body["total_assets"],
        0
    );
    let anonymous = app
        .call(reqwest::Method::GET, "/api/v1/dashboard", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.problem_code(), "unauthenticated");
}
