use assetronics_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let a = app
        .create_asset(&s.access_token, json!({"name": "x"}))
        .await;
    for _ in 0..3 {
        app.get(&format!("/api/v1/assets/{}", id(&a)), &s.access_token)
            .await;
    }
    app.get("/api/v1/assets/not-a-uuid", &s.access_token).await;
    let text = app.metrics().await;
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .map(str::to_owned)
    };
    let ok = line(
        r#"assetronics_http_requests_total{method="GET",route="/api/v1/assets/{id}",status="200"}"#,
    );
    assert_eq!(
        ok.as_deref().and_then(|l| l.rsplit(' ').next()),
        Some("3"),
        "{text}"
    );
    assert!(line(r#"assetronics_http_requests_total{method="GET",route="/api/v1/assets/{id}",status="404"}"#).is_some());
    assert!(!text.contains(&id(&a)), "raw ids never become labels");
    assert!(text.contains("assetronics_http_request_duration_seconds_bucket"));
    assert!(text.contains("assetronics_realtime_connections"));
    assert!(text.contains(r#"assetronics_db_pool_connections{state="idle"}"#));
    let published = line("assetronics_events_published_total").unwrap_or_default();
    assert_ne!(
        published, "assetronics_events_published_total 0",
        "the asset_created event was published"
    );
}

#[tokio::test]
async fn api_calls_are_rate_limited_per_caller_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.rate_limit_caller_rps = 2;
        s.rate_limit_tenant_rps = 100;
    })
    .await;
    let s = app.signup("Acme").await;
    let other = app.user_with_role(&s, "viewer").await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let mut statuses = vec![];
    for _ in 0..8 {
        statuses.push(app.get("/api/v1/assets", &s.access_token).await);
    }
    let limited = statuses
        .iter()
        .find(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .expect("some request is limited");
    assert_eq!(limited.problem_code(), "rate_limited");
    assert!(limited.headers.contains_key("retry-after"));
    // Another caller of the same tenant is not affected by this one's limit.
    assert_eq!(
        app.get("/api/v1/assets", &other.access_token).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://admin.example.com".into()]).await;
    let pre = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/v1/assets"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
    };
    let ok = pre("https://admin.example.com").await.expect("preflight");
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://admin.example.com")
    );
    let other = pre("https://evil.example.net").await.expect("preflight");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn responses_carry_security_headers_and_request_ids() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(
        res.headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_eq!(
        res.headers()
            .get("x-frame-options")
            .and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    assert!(res.headers().contains_key("x-request-id"));
}
