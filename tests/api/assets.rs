use assetronics_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_asset_is_created_read_updated_looked_up_and_deleted() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let cat = app
        .post(
            "/api/v1/categories",
            t,
            json!({"name": "Laptops", "depreciation_months": 36}),
        )
        .await;
    assert_eq!(cat.status, StatusCode::CREATED);
    let model = app.post("/api/v1/models", t, json!({"name": "MacBook Pro 14", "manufacturer": "Apple", "category_id": id(&cat.body)})).await;
    let loc = app
        .post(
            "/api/v1/locations",
            t,
            json!({"name": "Berlin Office", "city": "Berlin", "country": "de"}),
        )
        .await;
    assert_eq!(loc.body["country"], "DE");
    let a = app
        .create_asset(
            t,
            json!({
                "tag": "LAP-0001", "name": "Design laptop", "serial_number": "C02XYZ", "model_id": id(&model.body),
                "location_id": id(&loc.body), "purchase_date": "2026-01-15", "cost": {"amount": "2499.5", "currency": "eur"},
                "supplier": "Apple Business", "order_number": "PO-1", "warranty_end": "2029-01-15",
                "custom_fields": {"ram_gb": 32}, "notes": "for the design team"
            }),
        )
        .await;
    assert_eq!(a["tag"], "LAP-0001");
    assert_eq!(a["status"], "in_stock");
    assert_eq!(a["cost"], json!({"amount": "2499.50", "currency": "EUR"}));
    assert_eq!(
        a["category"]["name"], "Laptops",
        "category comes from the model"
    );
    assert_eq!(a["model"]["manufacturer"], "Apple");
    assert_eq!(a["location"]["name"], "Berlin Office");
    assert_eq!(a["custom_fields"]["ram_gb"], 32);
    assert_eq!(a["version"], 1);

    let got = app.get(&format!("/api/v1/assets/{}", id(&a)), t).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(
        got.headers.get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    assert_eq!(got.body, a);

    let patched = app
        .call_with(
            Method::PATCH,
            &format!("/api/v1/assets/{}", id(&a)),
            Some(t),
            Some(json!({"name": "Renamed", "notes": null})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["name"], "Renamed");
    assert_eq!(patched.body["notes"], json!(null));
    assert_eq!(
        patched.body["serial_number"], "C02XYZ",
        "absent fields stay"
    );
    assert_eq!(patched.body["version"], 2);

    let by_tag = app.get("/api/v1/assets/lookup?tag=LAP-0001", t).await;
    assert_eq!(by_tag.body["id"], a["id"]);
    let by_serial = app.get("/api/v1/assets/lookup?serial=C02XYZ", t).await;
    assert_eq!(by_serial.body["id"], a["id"]);
    assert_eq!(
        app.get("/api/v1/assets/lookup?tag=NOPE", t).await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        app.delete(&format!("/api/v1/assets/{}", id(&a)), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&format!("/api/v1/assets/{}", id(&a)), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/assets/lookup?tag=LAP-0001", t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A deleted asset's tag is free again.
    app.create_asset(t, json!({"tag": "LAP-0001", "name": "Replacement"}))
        .await;
}

#[tokio::test]
async fn tags_are_generated_in_sequence_and_unique_per_tenant() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let a = app
        .create_asset(&s.access_token, json!({"name": "One"}))
        .await;
    let b = app
        .create_asset(&s.access_token, json!({"name": "Two"}))
        .await;
    assert_eq!(a["tag"], "AST-000001");
    assert_eq!(b["tag"], "AST-000002");
    let clash = app
        .post(
            "/api/v1/assets",
            &s.access_token,
            json!({"tag": "AST-000001", "name": "Clash"}),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.problem_code(), "duplicate_tag");
    // A tag typed by hand is skipped by the generator.
    app.create_asset(
        &s.access_token,
        json!({"tag": "AST-000003", "name": "Manual"}),
    )
    .await;
    let c = app
        .create_asset(&s.access_token, json!({"name": "Three"}))
        .await;
    assert_eq!(c["tag"], "AST-000004");
    // Another tenant may use the same tag.
    let other = app.signup("Other").await;
    app.create_asset(
        &other.access_token,
        json!({"tag": "AST-000001", "name": "Theirs"}),
    )
    .await;
    // The prefix is a tenant setting.
    let res = app
        .patch(
            "/api/v1/tenant",
            &s.access_token,
            json!({"asset_tag_prefix": "acme"}),
        )
        .await;
    assert_eq!(res.body["asset_tag_prefix"], "ACME");
    let d = app
        .create_asset(&s.access_token, json!({"name": "Four"}))
        .await;
    assert_eq!(d["tag"], "ACME-000005");
}

#[tokio::test]
async fn check_out_and_in_follow_the_lifecycle_and_leave_history() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let emp = app.create_employee(t, "Eve Employee").await;
    let a = app.create_asset(t, json!({"name": "Laptop"})).await;
    let path = |p: &str| format!("/api/v1/assets/{}{p}", id(&a));

    let out = app
        .post(
            &path("/checkout"),
            t,
            json!({"employee_id": id(&emp), "note": "first day"}),
        )
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(out.body["status"], "assigned");
    assert_eq!(out.body["assigned_to"]["id"], emp["id"]);

    // The holder shows on the employee.
    let held = app.get(&format!("/api/v1/employees/{}", id(&emp)), t).await;
    assert_eq!(held.body["assets"][0]["id"], a["id"]);

    // Checked out twice: refused.
    let again = app
        .post(&path("/checkout"), t, json!({"employee_id": id(&emp)}))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.problem_code(), "invalid_transition");
    // Cannot be edited into or out of `assigned`.
    let edit = app.patch(&path(""), t, json!({"status": "in_stock"})).await;
    assert_eq!(edit.problem_code(), "invalid_transition");
    // Cannot be deleted while out.
    assert_eq!(app.delete(&path(""), t).await.status, StatusCode::CONFLICT);

    let back = app
        .post(
            &path("/checkin"),
            t,
            json!({"condition": "needs_repair", "note": "cracked screen"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["status"], "in_repair");
    assert_eq!(back.body["assigned_to"], json!(null));
    // In repair: not checkable out, not checkable in.
    assert_eq!(
        app.post(&path("/checkout"), t, json!({"employee_id": id(&emp)}))
            .await
            .problem_code(),
        "invalid_transition"
    );
    assert_eq!(
        app.post(&path("/checkin"), t, json!({}))
            .await
            .problem_code(),
        "invalid_transition"
    );

    let repaired = app.patch(&path(""), t, json!({"status": "in_stock"})).await;
    assert_eq!(repaired.body["status"], "in_stock");
    let retired = app.patch(&path(""), t, json!({"status": "retired"})).await;
    assert_eq!(retired.body["status"], "retired");
    let no = app
        .post(&path("/checkout"), t, json!({"employee_id": id(&emp)}))
        .await;
    assert_eq!(no.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no.problem_code(), "invalid_transition");
    let disposed = app.patch(&path(""), t, json!({"status": "disposed"})).await;
    assert_eq!(disposed.body["status"], "disposed");
    assert_eq!(
        app.patch(&path(""), t, json!({"status": "in_stock"}))
            .await
            .problem_code(),
        "invalid_transition"
    );

    let history = app.get(&path("/history"), t).await;
    let actions: Vec<&str> = history.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "asset.updated",
            "asset.updated",
            "asset.updated",
            "asset.checked_in",
            "asset.checked_out",
            "asset.created"
        ]
    );
    let checkin = &history.body["data"][3];
    assert_eq!(
        checkin["changes"]["status"],
        json!({"from": "assigned", "to": "in_repair"})
    );
    assert_eq!(checkin["changes"]["condition"], "needs_repair");
    assert_eq!(checkin["actor"]["type"], "user");
}

#[tokio::test]
async fn terminated_employees_cannot_receive_assets() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let emp = app.create_employee(&s.access_token, "Leaving Larry").await;
    let res = app
        .patch(
            &format!("/api/v1/employees/{}", id(&emp)),
            &s.access_token,
            json!({"status": "terminated", "end_date": "2026-11-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let a = app
        .create_asset(&s.access_token, json!({"name": "Laptop"}))
        .await;
    let out = app
        .post(
            &format!("/api/v1/assets/{}/checkout", id(&a)),
            &s.access_token,
            json!({"employee_id": id(&emp)}),
        )
        .await;
    assert_eq!(out.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(out.error_fields(), ["employee_id"]);
}

#[tokio::test]
async fn validation_errors_name_every_bad_field_and_change_nothing() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let res = app
        .post(
            "/api/v1/assets",
            &s.access_token,
            json!({
                "tag": "has spaces", "name": "", "status": "assigned", "purchase_date": "15/01/2026",
                "cost": {"amount": "12.345", "currency": "USD"}, "category_id": "01938f7e-0000-7000-8000-000000000000",
                "custom_fields": [1, 2]
            }),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.problem_code(), "validation_failed");
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "category_id",
            "cost.amount",
            "custom_fields",
            "name",
            "purchase_date",
            "status",
            "tag"
        ]
    );
    let list = app.get("/api/v1/assets", &s.access_token).await;
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(0));
    let audit = app
        .get("/api/v1/audit-events?entity_type=asset", &s.access_token)
        .await;
    assert_eq!(audit.body["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_stale_version_is_a_conflict() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let a = app
        .create_asset(&s.access_token, json!({"name": "Laptop"}))
        .await;
    let path = format!("/api/v1/assets/{}", id(&a));
    let first = app
        .patch(&path, &s.access_token, json!({"name": "A", "version": 1}))
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let stale = app
        .patch(&path, &s.access_token, json!({"name": "B", "version": 1}))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.problem_code(), "version_conflict");
    let stale_header = app
        .call_with(
            Method::PATCH,
            &path,
            Some(&s.access_token),
            Some(json!({"name": "B"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(stale_header.problem_code(), "version_conflict");
    assert_eq!(app.get(&path, &s.access_token).await.body["name"], "A");
    // An edit that changes nothing writes nothing.
    let same = app
        .patch(&path, &s.access_token, json!({"name": "A"}))
        .await;
    assert_eq!(same.body["version"], 2);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let key = [("Idempotency-Key", "6f1d7c56-2b7e-4c43-9df5-9a1f1f0c0b01")];
    let body = json!({"name": "Scanner"});
    let first = app
        .call_with(
            Method::POST,
            "/api/v1/assets",
            Some(&s.access_token),
            Some(body.clone()),
            &key,
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let second = app
        .call_with(
            Method::POST,
            "/api/v1/assets",
            Some(&s.access_token),
            Some(body),
            &key,
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body, first.body);
    assert_eq!(
        second
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let list = app.get("/api/v1/assets", &s.access_token).await;
    assert_eq!(
        list.body["data"].as_array().map(Vec::len),
        Some(1),
        "created once"
    );

    let other_body = app
        .call_with(
            Method::POST,
            "/api/v1/assets",
            Some(&s.access_token),
            Some(json!({"name": "Other"})),
            &key,
        )
        .await;
    assert_eq!(other_body.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other_body.problem_code(), "idempotency_key_reused");

    // A check-out retried by a flaky mobile client applies once.
    let emp = app.create_employee(&s.access_token, "Eve").await;
    let k2 = [("Idempotency-Key", "checkout-retry-1")];
    let path = format!("/api/v1/assets/{}/checkout", id(&first.body));
    let c1 = app
        .call_with(
            Method::POST,
            &path,
            Some(&s.access_token),
            Some(json!({"employee_id": id(&emp)})),
            &k2,
        )
        .await;
    let c2 = app
        .call_with(
            Method::POST,
            &path,
            Some(&s.access_token),
            Some(json!({"employee_id": id(&emp)})),
            &k2,
        )
        .await;
    assert_eq!(c1.status, StatusCode::OK);
    assert_eq!(
        c2.status,
        StatusCode::OK,
        "replayed, not a second check-out: {}",
        c2.body
    );
    assert_eq!(c2.body, c1.body);

    // Keys are per caller: another user's same key is a fresh request.
    let admin = app.user_with_role(&s, "admin").await;
    let theirs = app
        .call_with(
            Method::POST,
            "/api/v1/assets",
            Some(&admin.access_token),
            Some(json!({"name": "Scanner"})),
            &key,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.body["id"], first.body["id"]);
}

#[tokio::test]
async fn employees_have_crud_and_unique_emails() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let dep = app
        .post("/api/v1/departments", t, json!({"name": "Engineering"}))
        .await;
    assert_eq!(dep.status, StatusCode::CREATED);
    let e = app.post("/api/v1/employees", t, json!({"name": "Ada Lovelace", "email": "Ada@Example.com", "department_id": id(&dep.body), "start_date": "2026-02-01"})).await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.body);
    assert_eq!(e.body["email"], "ada@example.com");
    assert_eq!(e.body["department"]["name"], "Engineering");
    let dup = app
        .post(
            "/api/v1/employees",
            t,
            json!({"name": "Ada Again", "email": "ada@example.com"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.problem_code(), "duplicate_email");
    let list = app.get("/api/v1/employees?q=lovelace", t).await;
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(1));
    let upd = app
        .patch(
            &format!("/api/v1/employees/{}", id(&e.body)),
            t,
            json!({"title": "Analyst", "department_id": null}),
        )
        .await;
    assert_eq!(upd.body["title"], "Analyst");
    assert_eq!(upd.body["department"], json!(null));
    assert_eq!(
        app.delete(&format!("/api/v1/employees/{}", id(&e.body)), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&format!("/api/v1/employees/{}", id(&e.body)), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn deleting_a_location_leaves_its_assets_without_one() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let loc = app
        .post("/api/v1/locations", t, json!({"name": "Old office"}))
        .await
        .body;
    let a = app
        .create_asset(t, json!({"name": "Monitor", "location_id": id(&loc)}))
        .await;
    assert_eq!(a["location"]["name"], "Old office");
    assert_eq!(
        app.delete(&format!("/api/v1/locations/{}", id(&loc)), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let after = app.get(&format!("/api/v1/assets/{}", id(&a)), t).await;
    assert_eq!(after.body["location"], json!(null));
    let dup = app
        .post("/api/v1/locations", t, json!({"name": "Old office"}))
        .await;
    assert_eq!(dup.status, StatusCode::CREATED, "the name is free again");
    let again = app
        .post("/api/v1/locations", t, json!({"name": "Old office"}))
        .await;
    assert_eq!(again.problem_code(), "duplicate_name");
}
