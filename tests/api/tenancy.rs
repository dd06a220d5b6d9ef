use assetronics_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Everything one tenant owns is invisible to another: 404, never 403, and nothing changes.
#[tokio::test]
async fn another_tenants_ids_are_not_found_everywhere() {
    let app = spawn_app().await;
    let a = app.signup("Alpha").await;
    let b = app.signup("Beta").await;
    let ta = &a.access_token;
    let asset = app
        .create_asset(
            ta,
            json!({"name": "Alpha laptop", "serial_number": "ALPHA-1"}),
        )
        .await;
    let emp = app.create_employee(ta, "Alpha Person").await;
    let cat = app
        .post("/api/v1/categories", ta, json!({"name": "Laptops"}))
        .await
        .body;
    let loc = app
        .post("/api/v1/locations", ta, json!({"name": "Alpha HQ"}))
        .await
        .body;
    let dep = app
        .post("/api/v1/departments", ta, json!({"name": "Alpha Eng"}))
        .await
        .body;
    let tok = app
        .post("/api/v1/api-tokens", ta, json!({"name": "alpha"}))
        .await
        .body;
    let user = app.user_with_role(&a, "viewer").await;

    let tb = &b.access_token;
    let aid = id(&asset);
    let eid = id(&emp);
    let cases: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/api/v1/assets/{aid}"), None),
        (
            Method::PATCH,
            format!("/api/v1/assets/{aid}"),
            Some(json!({"name": "stolen"})),
        ),
        (Method::DELETE, format!("/api/v1/assets/{aid}"), None),
        (Method::GET, format!("/api/v1/assets/{aid}/history"), None),
        (
            Method::POST,
            format!("/api/v1/assets/{aid}/checkout"),
            Some(json!({"employee_id": eid})),
        ),
        (
            Method::POST,
            format!("/api/v1/assets/{aid}/checkin"),
            Some(json!({})),
        ),
        (
            Method::GET,
            "/api/v1/assets/lookup?serial=ALPHA-1".to_string(),
            None,
        ),
        (Method::GET, format!("/api/v1/employees/{eid}"), None),
        (
            Method::PATCH,
            format!("/api/v1/employees/{eid}"),
            Some(json!({"name": "stolen"})),
        ),
        (Method::DELETE, format!("/api/v1/employees/{eid}"), None),
        (
            Method::PATCH,
            format!("/api/v1/categories/{}", id(&cat)),
            Some(json!({"name": "stolen"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/locations/{}", id(&loc)),
            Some(json!({"name": "stolen"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/departments/{}", id(&dep)),
            Some(json!({"name": "stolen"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/departments/{}", id(&dep)),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/locations/{}", id(&loc)),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/api-tokens/{}", id(&tok)),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", user.user_id),
            Some(json!({"role": "admin"})),
        ),
    ];
    for (method, path, body) in cases {
        let res = app.call(method.clone(), &path, Some(tb), body).await;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            res.body
        );
        assert_eq!(res.problem_code(), "not_found");
    }
    // Their employee cannot receive our asset either.
    let ours = app.create_asset(tb, json!({"name": "Beta laptop"})).await;
    let res = app
        .post(
            &format!("/api/v1/assets/{}/checkout", id(&ours)),
            tb,
            json!({"employee_id": eid}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["employee_id"]);
    // Nor can their catalog be referenced.
    let res = app
        .post(
            "/api/v1/assets",
            tb,
            json!({"name": "x", "category_id": id(&cat), "location_id": id(&loc)}),
        )
        .await;
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["category_id", "location_id"]);

    // Lists show only one's own.
    let list = app.get("/api/v1/assets", tb).await;
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(1));
    let audit = app.get("/api/v1/audit-events", tb).await;
    assert!(
        audit.body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["entity_id"] != asset["id"])
    );
    // And alpha's data is untouched.
    let still = app.get(&format!("/api/v1/assets/{aid}"), ta).await;
    assert_eq!(still.body["name"], "Alpha laptop");
    assert_eq!(still.body["version"], 1);
}
