use assetronics_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn signup_creates_a_tenant_and_its_owner() {
    let app = spawn_app().await;
    let s = app.signup("Acme Robotics").await;
    assert_eq!(s.tenant_slug, "acme-robotics");
    let me = app.get("/api/v1/me", &s.access_token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["role"], "owner");
    assert_eq!(me.body["tenant"]["id"], s.tenant_id.as_str());
    // A second organization of the same name gets its own slug.
    let other = app.signup("Acme Robotics").await;
    assert_ne!(other.tenant_slug, s.tenant_slug);
}

#[tokio::test]
async fn signup_rejects_bad_input_field_by_field() {
    let app = spawn_app().await;
    let res = app
        .call(Method::POST, "/api/v1/auth/signup", None, Some(json!({"organization_name": " ", "name": "Ann", "email": "nope", "password": "short"})))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.problem_code(), "validation_failed");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["email", "organization_name", "password"]);
}

#[tokio::test]
async fn login_checks_the_password() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let ok = app.login(&s.email, PASSWORD, None).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["token_type"], "Bearer");
    assert!(ok.body["expires_in"].as_u64().unwrap_or(0) > 0);
    let bad = app.login(&s.email, "wrong password!!", None).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.problem_code(), "invalid_credentials");
    let nobody = app.login("nobody@example.com", PASSWORD, None).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(nobody.problem_code(), "invalid_credentials");
}

#[tokio::test]
async fn an_email_in_two_organizations_needs_the_tenant_slug() {
    let app = spawn_app().await;
    let a = app.signup("Alpha").await;
    let b = app.signup("Beta").await;
    // Add a's owner email as a user of b.
    let res = app
        .post(
            "/api/v1/users",
            &b.access_token,
            json!({"email": a.email, "name": "Dual", "role": "viewer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let ambiguous = app.login(&a.email, PASSWORD, None).await;
    assert_eq!(ambiguous.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ambiguous.error_fields(), ["tenant"]);
    let in_b = app.login(&a.email, PASSWORD, Some(&b.tenant_slug)).await;
    assert_eq!(in_b.status, StatusCode::OK);
    assert_eq!(in_b.body["tenant"]["id"], b.tenant_id.as_str());
    assert_eq!(in_b.body["user"]["role"], "viewer");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let first = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let rotated = first.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(rotated, s.refresh_token);
    let new_access = first.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        app.get("/api/v1/me", &new_access).await.status,
        StatusCode::OK
    );

    // The spent token presented again: refused, and the whole family dies with it.
    let reuse = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.problem_code(), "refresh_token_reused");
    let after = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": rotated})),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.problem_code(), "refresh_token_reused");

    let unknown = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": "made-up"})),
        )
        .await;
    assert_eq!(unknown.problem_code(), "token_invalid");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let out = app
        .call(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&s.access_token),
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let refresh = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": s.refresh_token})),
        )
        .await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let app = spawn_app_with(|s| s.login_attempts_per_minute = 3).await;
    let s = app.signup("Acme").await;
    for _ in 0..3 {
        assert_eq!(
            app.login(&s.email, "wrong password!!", None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login(&s.email, PASSWORD, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.problem_code(), "rate_limited");
    let retry: u64 = limited
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(retry >= 1, "Retry-After missing");
    // Another account from the same address still gets through (until the per-address limit).
    let other = app.signup("Other").await;
    assert_eq!(
        app.login(&other.email, PASSWORD, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_and_missing_tokens_are_rejected() {
    let app = spawn_app().await;
    let none = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.problem_code(), "unauthenticated");
    let garbage = app.get("/api/v1/me", "not.a.jwt").await;
    assert_eq!(garbage.problem_code(), "token_invalid");
    let bad_api = app.get("/api/v1/me", "ast_doesnotexist").await;
    assert_eq!(bad_api.problem_code(), "token_invalid");
}

#[tokio::test]
async fn expired_access_tokens_say_so() {
    let app = spawn_app_with(|s| s.access_token_ttl = std::time::Duration::from_secs(0)).await;
    let s = app.signup("Acme").await;
    tokio::time::sleep(std::time::Duration::from_secs(7)).await; // past the 5 s leeway
    let res = app.get("/api/v1/me", &s.access_token).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.problem_code(), "token_expired");
}

#[tokio::test]
async fn api_tokens_are_shown_once_work_as_bearer_and_can_be_revoked() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let created = app
        .post(
            "/api/v1/api-tokens",
            &s.access_token,
            json!({"name": "CI importer", "role": "admin"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(secret.starts_with("ast_"));
    let listed = app.get("/api/v1/api-tokens", &s.access_token).await;
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(1));
    assert!(
        listed.body["data"][0].get("token").is_none(),
        "the secret is never listed"
    );

    // The token acts with its own role.
    let asset = app
        .post(
            "/api/v1/assets",
            &secret,
            json!({"name": "Token-made laptop"}),
        )
        .await;
    assert_eq!(asset.status, StatusCode::CREATED, "{}", asset.body);
    let audit = app
        .get(
            &format!("/api/v1/audit-events?entity_id={}", id(&asset.body)),
            &s.access_token,
        )
        .await;
    assert_eq!(audit.body["data"][0]["actor"]["type"], "api_token");
    assert_eq!(audit.body["data"][0]["actor"]["name"], "CI importer");

    let revoked = app
        .delete(
            &format!("/api/v1/api-tokens/{}", id(&created.body)),
            &s.access_token,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/assets", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_cannot_outrank_its_creator() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let admin = app.user_with_role(&owner, "admin").await;
    let res = app
        .post(
            "/api/v1/api-tokens",
            &admin.access_token,
            json!({"name": "too strong", "role": "owner"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["role"]);
}

#[tokio::test]
async fn a_disabled_user_is_locked_out_at_once() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let admin = app.user_with_role(&owner, "admin").await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", admin.user_id),
            &owner.access_token,
            json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        app.get("/api/v1/assets", &admin.access_token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let refresh = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": admin.refresh_token})),
        )
        .await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    // The last owner cannot be demoted.
    let demote = app
        .patch(
            &format!("/api/v1/users/{}", owner.user_id),
            &owner.access_token,
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
}
