//! The GraphQL API, black-box: queries and mutations over HTTP, subscriptions over
//! `graphql-transport-ws` with the real `graphql-ws` npm client.

use std::time::Duration;

use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Posts a document; the whole GraphQL response (`data`, `errors`).
pub(crate) async fn gql(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let res = app
        .call(
            reqwest::Method::POST,
            "/api/graphql",
            token,
            Some(json!({"query": query, "variables": variables})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "graphql: {}", res.body);
    res.body
}

/// The `data` of a response that must have no errors.
pub(crate) async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = gql(app, Some(token), query, variables).await;
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"].clone()
}

/// The `extensions.code` of every error.
pub(crate) fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
        .collect()
}

/// The one error's code, asserting there is exactly one.
pub(crate) fn code(body: &Value) -> String {
    let c = codes(body);
    assert_eq!(c.len(), 1, "expected one error: {body}");
    c[0].clone()
}

const ASSET_FIELDS: &str = "id tag name serialNumber status version cost { amount currency } customFields notes warrantyEnd
    category { id name depreciationMonths } model { id name manufacturer } location { id name city }
    assignedTo { id name email } holder { id name department { name } }";

#[tokio::test]
async fn assets_are_created_read_listed_changed_checked_out_and_in_and_deleted() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let cat = app
        .post(
            "/api/v1/categories",
            t,
            json!({"name": "Laptops", "depreciation_months": 36}),
        )
        .await
        .body;
    let model = app
        .post(
            "/api/v1/models",
            t,
            json!({"name": "MacBook Pro 14", "manufacturer": "Apple", "category_id": id(&cat)}),
        )
        .await
        .body;
    let loc = app
        .post(
            "/api/v1/locations",
            t,
            json!({"name": "Berlin Office", "city": "Berlin"}),
        )
        .await
        .body;

    let created = ok(
        &app,
        t,
        &format!("mutation($input: CreateAssetInput!) {{ createAsset(input: $input) {{ {ASSET_FIELDS} }} }}"),
        json!({"input": {
            "tag": "LAP-0001", "name": "Design laptop", "serialNumber": "C02XYZ", "modelId": id(&model), "locationId": id(&loc),
            "cost": {"amount": "2499.5", "currency": "eur"}, "warrantyEnd": "2029-01-15", "customFields": {"ram_gb": 32}, "notes": "design"
        }}),
    )
    .await["createAsset"]
        .clone();
    assert_eq!(created["tag"], "LAP-0001");
    assert_eq!(created["status"], "IN_STOCK");
    assert_eq!(
        created["cost"],
        json!({"amount": "2499.50", "currency": "EUR"})
    );
    assert_eq!(
        created["category"]["name"], "Laptops",
        "category comes from the model"
    );
    assert_eq!(created["category"]["depreciationMonths"], 36);
    assert_eq!(created["model"]["manufacturer"], "Apple");
    assert_eq!(created["location"]["city"], "Berlin");
    assert_eq!(created["customFields"]["ram_gb"], 32);
    assert_eq!(created["holder"], Value::Null);
    let asset_id = created["id"].as_str().unwrap_or_default().to_owned();

    // The same asset as REST shows it.
    let rest = app.get(&format!("/api/v1/assets/{asset_id}"), t).await.body;
    assert_eq!(rest["tag"], created["tag"]);
    assert_eq!(rest["version"], created["version"]);

    // By id, tag and serial, in one round trip.
    let found = ok(
        &app,
        t,
        "query($id: UUID!) { byId: asset(id: $id) { id } byTag: assetByTag(tag: \"LAP-0001\") { id } bySerial: assetBySerial(serialNumber: \"C02XYZ\") { id } }",
        json!({"id": asset_id}),
    )
    .await;
    for k in ["byId", "byTag", "bySerial"] {
        assert_eq!(found[k]["id"], asset_id.as_str(), "{k}");
    }

    // Lists filter and page like REST, with a cursor on every edge.
    for n in 2..=4 {
        app.create_asset(t, json!({"tag": format!("LAP-000{n}"), "name": format!("Laptop {n}"), "location_id": id(&loc)})).await;
    }
    app.create_asset(
        t,
        json!({"tag": "MON-0001", "name": "Monitor", "status": "in_repair"}),
    )
    .await;
    let page = ok(
        &app,
        t,
        "query($f: AssetFilterInput, $after: String) { assets(filter: $f, orderBy: {field: TAG}, first: 2, after: $after) {
            edges { cursor node { tag } } pageInfo { hasNextPage endCursor } } }",
        json!({"f": {"locationId": id(&loc), "status": ["IN_STOCK"]}}),
    )
    .await["assets"]
        .clone();
    let tags = |p: &Value| {
        p["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["tag"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(tags(&page), ["LAP-0001", "LAP-0002"]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["endCursor"], page["edges"][1]["cursor"]);
    let next = ok(
        &app,
        t,
        "query($f: AssetFilterInput, $after: String) { assets(filter: $f, orderBy: {field: TAG}, first: 2, after: $after) {
            edges { cursor node { tag } } pageInfo { hasNextPage endCursor } } }",
        json!({"f": {"locationId": id(&loc), "status": ["IN_STOCK"]}, "after": page["pageInfo"]["endCursor"]}),
    )
    .await["assets"]
        .clone();
    assert_eq!(tags(&next), ["LAP-0003", "LAP-0004"]);
    assert_eq!(next["pageInfo"]["hasNextPage"], false);
    // The cursor of an edge in the middle continues after that edge (REST accepts it too).
    let middle = page["edges"][0]["cursor"].as_str().unwrap_or_default();
    let rest_page = app
        .get(
            &format!(
                "/api/v1/assets?sort=tag&limit=1&location_id={}&cursor={middle}",
                id(&loc)
            ),
            t,
        )
        .await;
    assert_eq!(rest_page.body["data"][0]["tag"], "LAP-0002");
    let q = ok(
        &app,
        t,
        "{ assets(filter: {q: \"monit\"}) { nodes { tag status } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        q["assets"]["nodes"],
        json!([{"tag": "MON-0001", "status": "IN_REPAIR"}])
    );

    // Partial update: absent stays, null clears, the version guards.
    let updated = ok(
        &app,
        t,
        "mutation($id: UUID!) { updateAsset(id: $id, input: {name: \"Renamed\", notes: null, version: 1}) { name notes serialNumber version } }",
        json!({"id": asset_id}),
    )
    .await["updateAsset"]
        .clone();
    assert_eq!(
        updated,
        json!({"name": "Renamed", "notes": null, "serialNumber": "C02XYZ", "version": 2})
    );

    // Check-out and check-in, with the holder resolved in full.
    let dept = app
        .post("/api/v1/departments", t, json!({"name": "Design"}))
        .await
        .body;
    let emp = app
        .post(
            "/api/v1/employees",
            t,
            json!({"name": "Ada Lovelace", "email": "ada@example.com", "department_id": id(&dept)}),
        )
        .await
        .body;
    let out = ok(
        &app,
        t,
        "mutation($id: UUID!, $emp: UUID!) { checkOutAsset(id: $id, input: {employeeId: $emp, note: \"onboarding\"}) {
            status assignedTo { name } holder { name email department { name } assets { tag } } } }",
        json!({"id": asset_id, "emp": id(&emp)}),
    )
    .await["checkOutAsset"]
        .clone();
    assert_eq!(out["status"], "ASSIGNED");
    assert_eq!(out["assignedTo"]["name"], "Ada Lovelace");
    assert_eq!(out["holder"]["department"]["name"], "Design");
    assert_eq!(out["holder"]["assets"], json!([{"tag": "LAP-0001"}]));
    let back = ok(
        &app,
        t,
        "mutation($id: UUID!) { checkInAsset(id: $id, input: {condition: NEEDS_REPAIR}) { status holder { id } } }",
        json!({"id": asset_id}),
    )
    .await["checkInAsset"]
        .clone();
    assert_eq!(back, json!({"status": "IN_REPAIR", "holder": null}));

    // The history, newest first, paginated.
    let history = ok(
        &app,
        t,
        "query($id: UUID!) { asset(id: $id) { history(first: 10) { nodes { action } } } }",
        json!({"id": asset_id}),
    )
    .await;
    let actions: Vec<&str> = history["asset"]["history"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "asset.checked_in",
            "asset.checked_out",
            "asset.updated",
            "asset.created"
        ]
    );

    // Delete, after which the asset is gone for both APIs.
    let deleted = ok(
        &app,
        t,
        "mutation($id: UUID!) { deleteAsset(id: $id) }",
        json!({"id": asset_id}),
    )
    .await;
    assert_eq!(deleted["deleteAsset"], asset_id.as_str());
    let gone = gql(
        &app,
        Some(t),
        "query($id: UUID!) { asset(id: $id) { id } }",
        json!({"id": asset_id}),
    )
    .await;
    assert_eq!(code(&gone), "not_found");
    assert_eq!(gone["data"], Value::Null);
    assert_eq!(
        app.get(&format!("/api/v1/assets/{asset_id}"), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn employees_departments_and_locations_are_read_and_written() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let dept = app
        .post("/api/v1/departments", t, json!({"name": "Engineering"}))
        .await
        .body;
    let loc = app
        .post(
            "/api/v1/locations",
            t,
            json!({"name": "Lisbon", "country": "pt"}),
        )
        .await
        .body;
    let boss = ok(
        &app,
        t,
        "mutation { createEmployee(input: {name: \"Grace Hopper\", email: \"GRACE@example.com\", startDate: \"2026-01-05\"}) { id email startDate status } }",
        json!({}),
    )
    .await["createEmployee"]
        .clone();
    assert_eq!(boss["email"], "grace@example.com");
    assert_eq!(boss["startDate"], "2026-01-05");
    assert_eq!(boss["status"], "active");
    let emp = ok(
        &app,
        t,
        "mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id version department { name } location { name country } manager { name } } }",
        json!({"input": {"name": "Alan Turing", "email": "alan@example.com", "departmentId": id(&dept), "locationId": id(&loc), "managerId": boss["id"]}}),
    )
    .await["createEmployee"]
        .clone();
    assert_eq!(emp["department"]["name"], "Engineering");
    assert_eq!(emp["location"]["country"], "PT");
    assert_eq!(emp["manager"]["name"], "Grace Hopper");

    let changed = ok(
        &app,
        t,
        "mutation($id: UUID!) { updateEmployee(id: $id, input: {title: \"Researcher\", departmentId: null}) { title department { id } version } }",
        json!({"id": emp["id"]}),
    )
    .await["updateEmployee"]
        .clone();
    assert_eq!(
        changed,
        json!({"title": "Researcher", "department": null, "version": 2})
    );

    let laptop = app.create_asset(t, json!({"name": "Laptop"})).await;
    app.post(
        &format!("/api/v1/assets/{}/checkout", id(&laptop)),
        t,
        json!({"employee_id": emp["id"]}),
    )
    .await;
    let data = ok(
        &app,
        t,
        "query($id: UUID!) {
            employee(id: $id) { name title assets { name holder { name } } }
            employees(orderBy: {field: NAME, direction: DESC}, first: 1) { nodes { name } pageInfo { hasNextPage endCursor } }
            departments { name }
            locations { name city country }
        }",
        json!({"id": emp["id"]}),
    )
    .await;
    assert_eq!(
        data["employee"],
        json!({"name": "Alan Turing", "title": "Researcher", "assets": [{"name": "Laptop", "holder": {"name": "Alan Turing"}}]})
    );
    assert_eq!(
        data["employees"]["nodes"],
        json!([{"name": "Grace Hopper"}])
    );
    assert_eq!(data["employees"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(data["departments"], json!([{"name": "Engineering"}]));
    assert_eq!(
        data["locations"],
        json!([{"name": "Lisbon", "city": null, "country": "PT"}])
    );
    let rest = app
        .get(
            &format!(
                "/api/v1/employees?sort=-name&limit=1&cursor={}",
                data["employees"]["pageInfo"]["endCursor"]
                    .as_str()
                    .unwrap_or("")
            ),
            t,
        )
        .await;
    assert_eq!(
        rest.body["data"][0]["name"], "Alan Turing",
        "GraphQL cursors continue REST lists too"
    );

    let held = gql(
        &app,
        Some(t),
        "mutation($id: UUID!) { deleteEmployee(id: $id) }",
        json!({"id": emp["id"]}),
    )
    .await;
    assert_eq!(
        code(&held),
        "conflict",
        "an employee holding assets is not deleted"
    );
    let gone = ok(
        &app,
        t,
        "mutation($id: UUID!) { deleteEmployee(id: $id) }",
        json!({"id": boss["id"]}),
    )
    .await;
    assert_eq!(gone["deleteEmployee"], boss["id"]);
    let filtered = ok(
        &app,
        t,
        "{ employees(filter: {q: \"grace\"}) { nodes { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(filtered["employees"]["nodes"], json!([]));
}

#[tokio::test]
async fn the_audit_log_and_the_dashboard_are_read() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let cat = app
        .post("/api/v1/categories", t, json!({"name": "Phones"}))
        .await
        .body;
    let a = app.create_asset(t, json!({"name": "Phone", "category_id": id(&cat), "warranty_end": (chrono::Utc::now() + chrono::Duration::days(10)).format("%Y-%m-%d").to_string()})).await;
    app.create_asset(t, json!({"name": "Old phone", "status": "retired"}))
        .await;

    let data = ok(
        &app,
        t,
        "query($id: UUID!) {
            auditEvents(filter: {entityId: $id}) { nodes { action entityType actor { type name } } }
            all: auditEvents(first: 1) { edges { cursor } pageInfo { hasNextPage } }
            auditChain { ok checked firstBroken { seq } }
            dashboard { totalAssets inStock assigned warrantyExpiring30Days warrantyExpiring90Days warrantyExpired
                byStatus { status count } byCategory { category { name } count } }
        }",
        json!({"id": id(&a)}),
    )
    .await;
    assert_eq!(
        data["auditEvents"]["nodes"],
        json!([{"action": "asset.created", "entityType": "asset", "actor": {"type": "user", "name": "Olive Owner"}}])
    );
    assert_eq!(data["all"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(data["auditChain"]["ok"], true);
    let d = &data["dashboard"];
    assert_eq!(d["totalAssets"], 2);
    assert_eq!(d["inStock"], 1);
    assert_eq!(d["warrantyExpiring30Days"], 1);
    assert_eq!(d["byStatus"].as_array().map(Vec::len), Some(7));
    assert_eq!(d["byStatus"][0], json!({"status": "IN_STOCK", "count": 1}));
    assert_eq!(
        d["byCategory"],
        json!([{"category": {"name": "Phones"}, "count": 1}, {"category": null, "count": 1}])
    );
    // The same numbers as REST.
    let rest = app.get("/api/v1/dashboard", t).await.body;
    assert_eq!(rest["total_assets"], d["totalAssets"]);
    assert_eq!(
        rest["warranty_expiring_90_days"],
        d["warrantyExpiring90Days"]
    );
}

#[tokio::test]
async fn another_tenants_ids_are_invisible() {
    let app = spawn_app().await;
    let mine = app.signup("Mine").await;
    let theirs = app.signup("Theirs").await;
    let their_asset = app
        .create_asset(
            &theirs.access_token,
            json!({"name": "Their laptop", "tag": "T-1", "serial_number": "S-1"}),
        )
        .await;
    let their_emp = app
        .create_employee(&theirs.access_token, "Their Employee")
        .await;
    let my_asset = app
        .create_asset(&mine.access_token, json!({"name": "My laptop"}))
        .await;
    let t = &mine.access_token;

    for (query, vars) in [
        (
            "query($id: UUID!) { asset(id: $id) { id } }",
            json!({"id": id(&their_asset)}),
        ),
        ("{ assetByTag(tag: \"T-1\") { id } }", json!({})),
        ("{ assetBySerial(serialNumber: \"S-1\") { id } }", json!({})),
        (
            "query($id: UUID!) { employee(id: $id) { id } }",
            json!({"id": id(&their_emp)}),
        ),
        (
            "mutation($id: UUID!) { updateAsset(id: $id, input: {name: \"Mine now\"}) { id } }",
            json!({"id": id(&their_asset)}),
        ),
        (
            "mutation($id: UUID!) { deleteAsset(id: $id) }",
            json!({"id": id(&their_asset)}),
        ),
        (
            "mutation($id: UUID!) { deleteEmployee(id: $id) }",
            json!({"id": id(&their_emp)}),
        ),
    ] {
        let body = gql(&app, Some(t), query, vars).await;
        assert_eq!(code(&body), "not_found", "{query}: {body}");
    }
    // Checking my asset out to their employee: no such employee.
    let body = gql(
        &app,
        Some(t),
        "mutation($id: UUID!, $emp: UUID!) { checkOutAsset(id: $id, input: {employeeId: $emp}) { id } }",
        json!({"id": id(&my_asset), "emp": id(&their_emp)}),
    )
    .await;
    assert_eq!(code(&body), "validation_failed");
    assert_eq!(
        body["errors"][0]["extensions"]["errors"][0]["field"],
        "employeeId"
    );
    // Lists hold only my tenant's records.
    let data = ok(&app, t, "{ assets { nodes { name } } employees { nodes { name } } auditEvents { nodes { entityId } } }", json!({})).await;
    assert_eq!(data["assets"]["nodes"], json!([{"name": "My laptop"}]));
    assert_eq!(data["employees"]["nodes"], json!([]));
    assert!(!data.to_string().contains(&id(&their_asset)));
    // Their asset is untouched.
    assert_eq!(
        app.get(
            &format!("/api/v1/assets/{}", id(&their_asset)),
            &theirs.access_token
        )
        .await
        .body["name"],
        "Their laptop"
    );
}

#[tokio::test]
async fn roles_are_enforced_as_in_rest() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let manager = app.user_with_role(&owner, "manager").await;
    let member = app.user_with_role(&owner, "member").await;
    let viewer = app.user_with_role(&owner, "viewer").await;
    let me = app
        .post(
            "/api/v1/employees",
            &owner.access_token,
            json!({"name": "Mia Member", "email": member.email}),
        )
        .await
        .body;
    let mine = app
        .create_asset(&owner.access_token, json!({"name": "Mia's laptop"}))
        .await;
    app.create_asset(&owner.access_token, json!({"name": "Someone else's"}))
        .await;
    app.post(
        &format!("/api/v1/assets/{}/checkout", id(&mine)),
        &owner.access_token,
        json!({"employee_id": id(&me)}),
    )
    .await;

    let who = ok(
        &app,
        &viewer.access_token,
        "{ me { user { email role } tenant { id slug } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        who["me"],
        json!({"user": {"email": viewer.email, "role": "VIEWER"}, "tenant": {"id": owner.tenant_id, "slug": owner.tenant_slug}})
    );

    let create = "mutation { createAsset(input: {name: \"Laptop\"}) { id } }";
    for s in [&manager, &member, &viewer] {
        let body = gql(&app, Some(&s.access_token), create, json!({})).await;
        assert_eq!(code(&body), "forbidden", "{}: {body}", s.email);
        assert_eq!(body["errors"][0]["extensions"]["status"], 403);
    }
    // Managers check assets in; viewers do not.
    let checkin = "mutation($id: UUID!) { checkInAsset(id: $id) { status } }";
    assert_eq!(
        code(
            &gql(
                &app,
                Some(&viewer.access_token),
                checkin,
                json!({"id": id(&mine)})
            )
            .await
        ),
        "forbidden"
    );
    assert_eq!(
        ok(
            &app,
            &manager.access_token,
            checkin,
            json!({"id": id(&mine)})
        )
        .await["checkInAsset"]["status"],
        "IN_STOCK"
    );
    app.post(
        &format!("/api/v1/assets/{}/checkout", id(&mine)),
        &owner.access_token,
        json!({"employee_id": id(&me)}),
    )
    .await;
    // Audit is for admins and up.
    assert_eq!(
        code(
            &gql(
                &app,
                Some(&manager.access_token),
                "{ auditEvents { nodes { id } } }",
                json!({})
            )
            .await
        ),
        "forbidden"
    );
    // Members read only what they hold, and not people: the holder's full record is denied at
    // that field while the rest of the answer stands.
    let body = gql(
        &app,
        Some(&member.access_token),
        "{ assets { nodes { name assignedTo { name } holder { name } } } }",
        json!({}),
    )
    .await;
    let nodes = body["data"]["assets"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 1, "{body}");
    assert_eq!(nodes[0]["name"], "Mia's laptop");
    assert_eq!(nodes[0]["assignedTo"], json!({"name": "Mia Member"}));
    assert!(nodes[0].get("holder").is_none_or(Value::is_null), "{body}");
    assert_eq!(codes(&body), ["forbidden"]);
    assert_eq!(
        body["errors"][0]["path"],
        json!(["assets", "nodes", 0, "holder"])
    );
    assert_eq!(
        code(
            &gql(
                &app,
                Some(&member.access_token),
                "{ employees { nodes { id } } }",
                json!({})
            )
            .await
        ),
        "forbidden"
    );
    // Viewers read everything in the inventory.
    let all = ok(
        &app,
        &viewer.access_token,
        "{ assets { nodes { name holder { name } } } }",
        json!({}),
    )
    .await;
    assert_eq!(all["assets"]["nodes"].as_array().map(Vec::len), Some(2));
    // No token, or a bad one: nothing but the schema itself.
    assert_eq!(
        code(&gql(&app, None, "{ assets { nodes { id } } }", json!({})).await),
        "unauthenticated"
    );
    assert_eq!(
        code(
            &gql(
                &app,
                Some("not-a-token"),
                "{ assets { nodes { id } } }",
                json!({})
            )
            .await
        ),
        "token_invalid"
    );
    let schema = gql(&app, None, "{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(schema["data"]["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn errors_carry_the_rest_problem_codes_and_field_errors() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let body = gql(&app, Some(t), "mutation { createAsset(input: {name: \" \", cost: {amount: \"1.234\", currency: \"USD\"}, serialNumber: \"x\"}) { id } }", json!({})).await;
    assert_eq!(code(&body), "validation_failed");
    let ext = &body["errors"][0]["extensions"];
    assert_eq!(ext["status"], 422);
    let fields: Vec<&str> = ext["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "cost.amount"]);
    assert_eq!(ext["errors"][1]["code"], "too_precise");

    app.create_asset(t, json!({"tag": "DUP-1", "name": "One"}))
        .await;
    let dup = gql(
        &app,
        Some(t),
        "mutation { createAsset(input: {tag: \"DUP-1\", name: \"Two\"}) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(code(&dup), "duplicate_tag");
    assert_eq!(dup["errors"][0]["extensions"]["errors"][0]["field"], "tag");

    let a = app.create_asset(t, json!({"name": "Versioned"})).await;
    let stale = gql(
        &app,
        Some(t),
        "mutation($id: UUID!) { updateAsset(id: $id, input: {name: \"X\", version: 7}) { id } }",
        json!({"id": id(&a)}),
    )
    .await;
    assert_eq!(code(&stale), "version_conflict");
    let transition = gql(
        &app,
        Some(t),
        "mutation($id: UUID!) { updateAsset(id: $id, input: {status: ASSIGNED}) { id } }",
        json!({"id": id(&a)}),
    )
    .await;
    assert_eq!(code(&transition), "invalid_transition");
    let too_many = gql(
        &app,
        Some(t),
        "{ assets(first: 501) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(code(&too_many), "validation_failed");
    assert_eq!(
        too_many["errors"][0]["extensions"]["errors"][0]["field"],
        "first"
    );
    let bad_cursor = gql(
        &app,
        Some(t),
        "{ assets(after: \"zzz\") { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        bad_cursor["errors"][0]["extensions"]["errors"][0]["field"],
        "after"
    );
    // Documents that do not fit the schema.
    assert_eq!(
        code(&gql(&app, Some(t), "{ assets { nope } }", json!({})).await),
        "malformed_request"
    );
    assert_eq!(
        codes(&gql(&app, Some(t), "{ assets(", json!({})).await),
        ["malformed_request"]
    );
    assert_eq!(
        code(
            &gql(
                &app,
                Some(t),
                "query($id: UUID!) { asset(id: $id) { id } }",
                json!({"id": "not-a-uuid"})
            )
            .await
        ),
        "malformed_request"
    );
    // The endpoint speaks problem+json for what is not a GraphQL request at all.
    let wrong_method = app.get("/api/graphql", t).await;
    assert_eq!(wrong_method.problem_code(), "method_not_allowed");
    let not_json = app
        .client
        .post(app.url("/api/graphql"))
        .bearer_auth(t)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("sent");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_retried_mutation_with_an_idempotency_key_applies_once() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let body = json!({"query": "mutation { createAsset(input: {name: \"Scanner\"}) { id tag } }"});
    let headers = [("Idempotency-Key", "5f0c7f5e-9d1c-4c55-9b7e-2a1c3f0e7b11")];
    let first = app
        .call_with(
            reqwest::Method::POST,
            "/api/graphql",
            Some(&s.access_token),
            Some(body.clone()),
            &headers,
        )
        .await;
    let again = app
        .call_with(
            reqwest::Method::POST,
            "/api/graphql",
            Some(&s.access_token),
            Some(body),
            &headers,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(again.body, first.body);
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let listed = app.get("/api/v1/assets", &s.access_token).await;
    assert_eq!(
        listed.body["data"].as_array().map(Vec::len),
        Some(1),
        "created once"
    );
}

#[tokio::test]
async fn graphql_shares_the_rest_rate_limits() {
    let app = spawn_app_with(|s| {
        s.rate_limit_caller_rps = 2;
        s.rate_limit_tenant_rps = 100;
    })
    .await;
    let s = app.signup("Acme").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let body = json!({"query": "{ assets { nodes { id } } }"});
    let mut limited = None;
    for _ in 0..8 {
        let res = app
            .call(
                reqwest::Method::POST,
                "/api/graphql",
                Some(&s.access_token),
                Some(body.clone()),
            )
            .await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(res);
            break;
        }
    }
    let limited = limited.expect("some request is limited");
    assert_eq!(limited.problem_code(), "rate_limited");
    assert!(limited.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn depth_and_complexity_limits_reject_expensive_documents_before_running_them() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    app.create_asset(t, json!({"name": "Laptop"})).await;

    // asset -> holder -> assets -> holder ... nests without end; the limit stops it.
    let mut deep = String::from("id");
    for _ in 0..9 {
        deep = format!("holder {{ assets {{ {deep} }} }}");
    }
    let body = gql(
        &app,
        Some(t),
        &format!("{{ assets {{ nodes {{ {deep} }} }} }}"),
        json!({}),
    )
    .await;
    assert_eq!(code(&body), "query_too_complex");
    assert_eq!(body["data"], Value::Null);

    // Wide: every asset's history of every page.
    let wide = "{ assets(first: 500) { nodes { history(first: 500) { nodes { id action } } } } }";
    let body = gql(&app, Some(t), wide, json!({})).await;
    assert_eq!(code(&body), "query_too_complex");
    assert_eq!(body["errors"][0]["message"], "Query is too complex.");

    // Ordinary documents, and the introspection explorers send, pass.
    ok(
        &app,
        t,
        "{ assets(first: 500) { nodes { id tag name status holder { name } location { name } } } }",
        json!({}),
    )
    .await;
    let introspection = gql(&app, None, INTROSPECTION, json!({})).await;
    assert!(introspection.get("errors").is_none(), "{introspection}");
    assert!(
        introspection["data"]["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 20)
    );
    // The explorer.
    let page = app
        .client
        .get(app.url("/api/graphiql"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let start = app
        .client
        .get(app.url("/api/graphiql/assets/start.js"))
        .send()
        .await
        .expect("sent");
    assert_eq!(start.status(), StatusCode::OK);
    assert!(
        start
            .text()
            .await
            .unwrap_or_default()
            .contains("/api/graphql/ws"),
        "the explorer subscribes at /api/graphql/ws"
    );
}

#[tokio::test]
async fn the_explorer_loads_everything_from_this_server_under_a_strict_policy() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(app.url("/api/graphiql"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.unwrap_or_default();
    let sources: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.ends_with(".js") || s.ends_with(".css"))
        .collect();
    assert_eq!(sources.len(), 5, "four scripts and a style sheet: {html}");
    for src in sources {
        assert!(
            src.starts_with("/api/graphiql/assets/"),
            "{src} is not ours"
        );
        let res = app.client.get(app.url(src)).send().await.expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "{src}");
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            kind.starts_with("text/javascript") || kind.starts_with("text/css"),
            "{src}: {kind}"
        );
        assert!(!res.bytes().await.unwrap_or_default().is_empty(), "{src}");
    }
    let missing = app
        .client
        .get(app.url("/api/graphiql/assets/other.js"))
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// The query GraphiQL sends (graphql-js `getIntrospectionQuery()`).
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue }
  type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
  kind name ofType { kind name ofType { kind name } } } } } } } }";

#[tokio::test]
async fn a_hundred_assets_with_holder_and_location_cost_a_bounded_number_of_queries() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let dept = app
        .post("/api/v1/departments", t, json!({"name": "Ops"}))
        .await
        .body;
    let mut locations = vec![];
    for n in 0..5 {
        locations.push(id(&app
            .post("/api/v1/locations", t, json!({"name": format!("Site {n}")}))
            .await
            .body));
    }
    let mut employees = vec![];
    for n in 0..20 {
        let e = app.post("/api/v1/employees", t, json!({"name": format!("Employee {n}"), "email": format!("e{n}@example.com"), "department_id": id(&dept)})).await;
        employees.push(id(&e.body));
    }
    for n in 0..100 {
        let a = app.create_asset(t, json!({"name": format!("Asset {n}"), "location_id": locations[n % locations.len()]})).await;
        if n % 4 != 0 {
            let res = app
                .post(
                    &format!("/api/v1/assets/{}/checkout", id(&a)),
                    t,
                    json!({"employee_id": employees[n % employees.len()]}),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK);
        }
    }
    let query = "{ assets(first: 100) { nodes { tag location { name } holder { name department { name } assets { tag } } } } }";
    // Several runs; the fewest statements is the request's own (the outbox relay may poll meanwhile).
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = app.state.statements.get();
        let data = ok(&app, t, query, json!({})).await;
        let used = app.state.statements.get() - before;
        fewest = fewest.min(used);
        let nodes = data["assets"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(nodes.len(), 100);
        assert_eq!(
            nodes
                .iter()
                .filter(|n| n["holder"]["department"]["name"] == "Ops")
                .count(),
            75
        );
        assert!(nodes.iter().all(|n| {
            n["location"]["name"]
                .as_str()
                .is_some_and(|l| l.starts_with("Site"))
        }));
    }
    // Authentication, the page, its references, then one batch per nested kind: a handful,
    // where one query per row would be hundreds.
    assert!(
        (3..=20).contains(&fewest),
        "{fewest} statements for 100 assets with holder and location"
    );
}

/// `openapi/schema.graphql` is what the code generates; regenerate it with
/// `cargo run -p assetronics -- graphql-schema > openapi/schema.graphql` after changing the schema.
#[test]
fn the_checked_in_graphql_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/schema.graphql");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == assetronics::graphql::sdl(),
        "openapi/schema.graphql is stale: run `cargo run -p assetronics -- graphql-schema > openapi/schema.graphql`"
    );
}

/// The `graphql-ws` client script subscribed as `token` (to `document`, or asset events),
/// printing the first result.
fn subscriber(app: &TestApp, token: &str, document: Option<&str>) -> node::Script {
    let mut args = vec![app.address.as_str(), token];
    args.extend(document);
    node::start("graphql-subscription.mjs", &args)
}

/// The `graphql-ws` client script subscribed as `token` to `document`, printing its first
/// `results` results.
pub(crate) fn listener(app: &TestApp, token: &str, document: &str, results: usize) -> node::Script {
    let results = results.to_string();
    node::start(
        "graphql-subscription.mjs",
        &[app.address.as_str(), token, document, &results],
    )
}

#[tokio::test]
async fn a_rest_write_reaches_a_graphql_ws_subscriber_of_that_tenant_only() {
    let app = spawn_app().await;
    let mine = app.signup("Mine").await;
    let theirs = app.signup("Theirs").await;
    let mut sub = subscriber(&app, &mine.access_token, None);
    sub.expect("connected").await;

    // The subscribe message follows the acknowledgement; write until an event arrives. Another
    // tenant's write goes first each time: if it leaked, it would be what arrives.
    let mut created = vec![];
    let mut event = None;
    for n in 0..20 {
        app.create_asset(&theirs.access_token, json!({"name": format!("Theirs {n}")}))
            .await;
        created.push(id(&app
            .create_asset(&mine.access_token, json!({"name": format!("Mine {n}")}))
            .await));
        if let Some(e) = sub.next_within(Duration::from_millis(500)).await {
            event = Some(e);
            break;
        }
    }
    let event = event.expect("an event within 10 s");
    let e = &event["payload"]["data"]["assetEvents"];
    assert_eq!(e["event"], "asset_created", "{event}");
    assert!(
        created.iter().any(|c| e["asset"]["id"] == c.as_str()),
        "{event}"
    );
    assert!(
        e["asset"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Mine")),
        "{event}"
    );
    assert_eq!(e["asset"]["status"], "IN_STOCK");
    let _ = sub.child.wait().await;
}

#[tokio::test]
async fn a_check_out_reaches_a_subscriber_with_nested_fields() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let emp = app.create_employee(t, "Ada Lovelace").await;
    let mut assets = vec![];
    for n in 0..20 {
        assets.push(id(&app
            .create_asset(t, json!({"name": format!("Laptop {n}")}))
            .await));
    }
    let doc = "subscription { assetEvents { event asset { id status holder { name } } } }";
    let mut sub = subscriber(&app, t, Some(doc));
    sub.expect("connected").await;
    let mut event = None;
    for a in &assets {
        let res = app
            .post(
                &format!("/api/v1/assets/{a}/checkout"),
                t,
                json!({"employee_id": id(&emp)}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        if let Some(e) = sub.next_within(Duration::from_millis(500)).await {
            event = Some(e);
            break;
        }
    }
    let event = event.expect("an event within 10 s");
    let e = &event["payload"]["data"]["assetEvents"];
    assert_eq!(e["event"], "asset_checked_out", "{event}");
    assert_eq!(e["asset"]["status"], "ASSIGNED");
    assert_eq!(
        e["asset"]["holder"]["name"], "Ada Lovelace",
        "nested fields resolve for pushed events: {event}"
    );
}

#[tokio::test]
async fn a_subscription_without_a_valid_token_is_refused() {
    let app = spawn_app().await;
    let mut sub = subscriber(&app, "not-a-token", None);
    let out = sub.expect("error").await;
    // graphql-transport-ws: a refused `connection_init` closes with 4403 Forbidden and the
    // problem's detail.
    assert_eq!(out["error"]["code"], 4403, "{out}");
    assert_eq!(
        out["error"]["reason"], "the access token is not valid",
        "{out}"
    );
    let status = sub.child.wait().await.expect("exits");
    assert!(!status.success());
}
