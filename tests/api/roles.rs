use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn each_role_can_do_what_the_table_says_and_nothing_more() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let admin = app.user_with_role(&owner, "admin").await;
    let manager = app.user_with_role(&owner, "manager").await;
    let member = app.user_with_role(&owner, "member").await;
    let viewer = app.user_with_role(&owner, "viewer").await;
    let emp = app
        .create_employee(&owner.access_token, "Eve Employee")
        .await;

    // Creating assets: owners and admins.
    for (s, expected) in [
        (&owner, 201),
        (&admin, 201),
        (&manager, 403),
        (&member, 403),
        (&viewer, 403),
    ] {
        let res = app
            .post("/api/v1/assets", &s.access_token, json!({"name": "Laptop"}))
            .await;
        assert_eq!(
            res.status.as_u16(),
            expected,
            "create asset as {}: {}",
            s.email,
            res.body
        );
        if expected == 403 {
            assert_eq!(res.problem_code(), "forbidden");
        }
    }
    // Checking out: managers too.
    for (s, expected) in [
        (&manager, 200),
        (&member, 403),
        (&viewer, 403),
        (&admin, 200),
    ] {
        let a = app
            .create_asset(&owner.access_token, json!({"name": "Phone"}))
            .await;
        let res = app
            .post(
                &format!("/api/v1/assets/{}/checkout", id(&a)),
                &s.access_token,
                json!({"employee_id": id(&emp)}),
            )
            .await;
        assert_eq!(
            res.status.as_u16(),
            expected,
            "checkout as {}: {}",
            s.email,
            res.body
        );
    }
    // Managing users: owners only.
    for (s, expected) in [(&admin, 403), (&manager, 403), (&viewer, 403)] {
        let res = app
            .post("/api/v1/users", &s.access_token, json!({"email": "x@example.com", "name": "X", "role": "viewer", "password": PASSWORD}))
            .await;
        assert_eq!(res.status.as_u16(), expected, "create user as {}", s.email);
    }
    // Tenant settings: owners only.
    assert_eq!(
        app.patch(
            "/api/v1/tenant",
            &admin.access_token,
            json!({"name": "Renamed"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch(
            "/api/v1/tenant",
            &owner.access_token,
            json!({"name": "Renamed"})
        )
        .await
        .status,
        StatusCode::OK
    );
    // Audit: admins and up.
    assert_eq!(
        app.get("/api/v1/audit-events", &admin.access_token)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/audit-events", &manager.access_token)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Employees: everyone but members reads; admins write.
    assert_eq!(
        app.get("/api/v1/employees", &viewer.access_token)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/employees", &member.access_token)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/employees",
            &viewer.access_token,
            json!({"name": "V", "email": "v@example.com"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/employees",
            &admin.access_token,
            json!({"name": "V", "email": "v@example.com"})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    // Viewers read everything in the inventory, write nothing.
    let listed = app.get("/api/v1/assets", &viewer.access_token).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn members_see_only_what_they_hold() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let member = app.user_with_role(&owner, "member").await;
    // The member's employee record has the member's email.
    let me = app
        .post(
            "/api/v1/employees",
            &owner.access_token,
            json!({"name": "Mia Member", "email": member.email}),
        )
        .await;
    let mine = app
        .create_asset(&owner.access_token, json!({"name": "Mia's laptop"}))
        .await;
    let theirs = app
        .create_asset(&owner.access_token, json!({"name": "Someone else's"}))
        .await;
    let res = app
        .post(
            &format!("/api/v1/assets/{}/checkout", id(&mine)),
            &owner.access_token,
            json!({"employee_id": id(&me.body)}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);

    let list = app.get("/api/v1/assets", &member.access_token).await;
    let names: Vec<&str> = list.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["Mia's laptop"]);
    assert_eq!(
        app.get(
            &format!("/api/v1/assets/{}", id(&mine)),
            &member.access_token
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/assets/{}", id(&theirs)),
            &member.access_token
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}
