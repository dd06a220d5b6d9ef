use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_error_path_answers_problem_json() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;

    let unknown = app.get("/api/v1/does-not-exist", t).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.problem_code(), "not_found");

    let wrong_method = app
        .call(reqwest::Method::PUT, "/api/v1/assets", Some(t), None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.problem_code(), "method_not_allowed");

    let not_uuid = app.get("/api/v1/assets/not-a-uuid", t).await;
    assert_eq!(not_uuid.status, StatusCode::NOT_FOUND);
    assert_eq!(not_uuid.problem_code(), "not_found");

    let malformed = app
        .client
        .post(app.url("/api/v1/assets"))
        .bearer_auth(t)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("sent");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert!(
        malformed.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/problem+json")
    );

    let wrong_type = app
        .client
        .post(app.url("/api/v1/assets"))
        .bearer_auth(t)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = json!({"name": "x", "notes": "a".repeat(2 * 1024 * 1024)});
    let too_big = app.post("/api/v1/assets", t, huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big.problem_code(), "payload_too_large");

    let wrong_shape = app.post("/api/v1/assets", t, json!({"name": 42})).await;
    assert_eq!(wrong_shape.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_shape.problem_code(), "validation_failed");

    let bad_query = app.get("/api/v1/assets?limit=abc", t).await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    let bad_limit = app.get("/api/v1/assets?limit=501", t).await;
    assert_eq!(bad_limit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_limit.error_fields(), ["limit"]);
    let bad_sort = app.get("/api/v1/assets?sort=price", t).await;
    assert_eq!(bad_sort.error_fields(), ["sort"]);
    let bad_cursor = app.get("/api/v1/assets?cursor=zzz", t).await;
    assert_eq!(bad_cursor.error_fields(), ["cursor"]);
    let bad_if_match = app
        .call_with(
            reqwest::Method::PATCH,
            "/api/v1/assets/01938f7e-0000-7000-8000-000000000000",
            Some(t),
            Some(json!({})),
            &[("If-Match", "abc")],
        )
        .await;
    assert_eq!(bad_if_match.status.as_u16() / 100, 4);

    // Nothing of the above created anything.
    assert_eq!(
        app.get("/api/v1/assets", t).await.body["data"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[tokio::test]
async fn health_readiness_and_the_openapi_document() {
    let app = spawn_app().await;
    let h = app.call(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(h.status, StatusCode::OK);
    let r = app.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ready");
    let doc = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["paths"]["/api/v1/assets/{id}/checkout"]["post"].is_object());
    let docs = app
        .client
        .get(app.url("/api/docs/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap_or_default();
    assert!(html.contains("swagger"), "docs UI served");
}

/// `openapi/openapi.json` is what the code generates; regenerate it with
/// `cargo run -p assetronics -- openapi > openapi/openapi.json` after changing the API.
#[test]
fn the_checked_in_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = assetronics::openapi::document();
    assert!(
        checked_in == generated,
        "openapi/openapi.json is stale: run `cargo run -p assetronics -- openapi > openapi/openapi.json`"
    );
}
