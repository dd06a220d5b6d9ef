//! Onboarding and offboarding end to end: people arrive and leave in the HR system (the
//! BambooHR simulator), a sync opens their workflows, managers and admins act through REST.

use assetronics_integrations::sandbox;
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    sim: sandbox::Sandbox,
    admin: Session,
    integration: String,
}

/// A tenant with 12 people from BambooHR (employee 1 manages 2..=11).
async fn world() -> World {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(12).await;
    let admin = app.signup("Acme").await;
    let integration = app.connect(&admin, bamboohr_connection(&sim)).await;
    let w = World {
        app,
        sim,
        admin,
        integration,
    };
    let first = sync(&w).await;
    assert_eq!(first.stats.created, 12);
    w
}

async fn sync(w: &World) -> assetronics::integrations::service::SyncOutcome {
    w.app.run_sync(&w.admin, &w.integration).await
}

async fn employee_by_email(w: &World, email: &str) -> Value {
    w.app.employee_by_email(&w.admin.access_token, email).await
}

/// Signs up a manager account for BambooHR employee 1 (the manager of 2..=11).
async fn manager_account(w: &World) -> Session {
    w.app
        .account(&w.admin, &bamboohr_email(1), "Manager One", "manager")
        .await
}

async fn laptop_in_stock(w: &World, tag_hint: &str) -> Value {
    let cat = w
        .app
        .post(
            "/api/v1/categories",
            &w.admin.access_token,
            json!({"name": "Laptop"}),
        )
        .await;
    let category_id = if cat.status == StatusCode::CREATED {
        id(&cat.body)
    } else {
        let all = w.app.get("/api/v1/categories", &w.admin.access_token).await;
        all.body["data"]
            .as_array()
            .and_then(|d| d.iter().find(|c| c["name"] == "Laptop"))
            .map(id)
            .expect("Laptop category")
    };
    w.app
        .create_asset(
            &w.admin.access_token,
            json!({"name": format!("MacBook Pro {tag_hint}"), "category_id": category_id, "serial_number": format!("SN-{tag_hint}")}),
        )
        .await
}

fn hire(w: &World, first: &str, days_ahead: i64) {
    hire_newcomer(&w.sim, first, days_ahead);
}

async fn workflows_of(w: &World, employee_id: &str) -> Vec<Value> {
    w.app.workflows_of(&w.admin.access_token, employee_id).await
}

async fn act(w: &World, token: &str, wf: &Value, kind: &str, action: &str, body: Value) -> Res {
    w.app.act_on_step(token, wf, kind, action, body).await
}

#[tokio::test]
async fn a_hire_is_onboarded_through_approval_reservation_shipping_and_hand_over() {
    let w = world().await;
    // The initial import onboards nobody: they already work there.
    let all = w.app.get("/api/v1/workflows", &w.admin.access_token).await;
    assert_eq!(all.body["data"].as_array().map(Vec::len), Some(0));
    let manager = manager_account(&w).await;
    let laptop = laptop_in_stock(&w, "A1").await;

    let mut ws = w
        .app
        .channel(&w.admin, &format!("workflows:{}", w.admin.tenant_id))
        .await;

    hire(&w, "Ada", 10);
    let second = sync(&w).await;
    assert_eq!(second.stats.created, 1);
    let ada = employee_by_email(&w, "ada.newcomer@acme.example.com").await;
    let opened = socket::recv_event(&mut ws, "workflow_opened").await;
    assert_eq!(opened[4]["workflow"]["employee"]["id"], ada["id"]);

    let wfs = workflows_of(&w, ada["id"].as_str().expect("id")).await;
    assert_eq!(wfs.len(), 1);
    let wf = &wfs[0];
    assert_eq!(wf["kind"], "onboarding");
    assert_eq!(wf["status"], "open");
    assert_eq!(wf["trigger"], "hris");
    let approval = step(wf, "approval");
    assert_eq!(approval["status"], "active");
    assert_eq!(approval["assignee_user_id"], manager.user_id.as_str());
    assert_eq!(step(wf, "reserve_asset")["status"], "pending");

    // The manager's inbox holds it; a member may not decide it; a task step cannot be approved.
    let inbox = w.app.get("/api/v1/approvals", &manager.access_token).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert_eq!(inbox.body["data"][0]["workflow_id"], wf["id"]);
    let member = w.app.user_with_role(&w.admin, "member").await;
    assert_eq!(
        act(
            &w,
            &member.access_token,
            wf,
            "approval",
            "approve",
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let other_manager = w.app.user_with_role(&w.admin, "manager").await;
    let refused = act(
        &w,
        &other_manager.access_token,
        wf,
        "approval",
        "approve",
        json!({}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let approved = act(
        &w,
        &manager.access_token,
        wf,
        "approval",
        "approve",
        json!({"note": "Standard kit"}),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let wf = approved.body;
    assert_eq!(step(&wf, "approval")["status"], "done");
    assert_eq!(
        step(&wf, "approval")["decided_by"],
        manager.user_id.as_str()
    );
    // The reservation ran by itself and picked the in-stock laptop.
    assert_eq!(step(&wf, "reserve_asset")["status"], "done");
    assert_eq!(step(&wf, "reserve_asset")["asset_id"], laptop["id"]);
    assert_eq!(step(&wf, "ship")["status"], "active");
    let updated = socket::recv_event(&mut ws, "workflow_updated").await;
    assert_eq!(updated[4]["workflow"]["id"], wf["id"]);

    // Deciding the same approval again is refused and changes nothing.
    let again = act(
        &w,
        &manager.access_token,
        &wf,
        "approval",
        "approve",
        json!({}),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.problem_code(), "step_not_active");
    // Managers approve; only admins complete tasks.
    assert_eq!(
        act(
            &w,
            &manager.access_token,
            &wf,
            "ship",
            "complete",
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let shipped = act(
        &w,
        &w.admin.access_token,
        &wf,
        "ship",
        "complete",
        json!({"note": "UPS 1Z999"}),
    )
    .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    let wf = shipped.body;
    assert_eq!(step(&wf, "check_out")["status"], "active");
    assert_eq!(step(&wf, "check_out")["asset_id"], laptop["id"]);

    let handed = act(
        &w,
        &w.admin.access_token,
        &wf,
        "check_out",
        "complete",
        json!({}),
    )
    .await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
    assert_eq!(handed.body["status"], "completed");
    assert!(handed.body["closed_at"].is_string());
    let asset = w
        .app
        .get(
            &format!("/api/v1/assets/{}", laptop["id"].as_str().expect("id")),
            &w.admin.access_token,
        )
        .await;
    assert_eq!(asset.body["status"], "assigned");
    assert_eq!(asset.body["assigned_to"]["id"], ada["id"], "{}", asset.body);

    // Every decision is in the audit log.
    let audit = w
        .app
        .get(
            "/api/v1/audit-events?limit=100&entity_type=workflow",
            &w.admin.access_token,
        )
        .await;
    let actions: Vec<&str> = audit.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "workflow.opened",
        "workflow.step_approved",
        "workflow.step_finished",
        "workflow.step_completed",
        "workflow.completed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

#[tokio::test]
async fn a_rejected_approval_ends_the_onboarding_and_reserves_nothing() {
    let w = world().await;
    let manager = manager_account(&w).await;
    let laptop = laptop_in_stock(&w, "B1").await;
    hire(&w, "Bob", 5);
    sync(&w).await;
    let bob = employee_by_email(&w, "bob.newcomer@acme.example.com").await;
    let wf = workflows_of(&w, bob["id"].as_str().expect("id")).await[0].clone();
    let rejected = act(
        &w,
        &manager.access_token,
        &wf,
        "approval",
        "reject",
        json!({"note": "Contract not signed"}),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    let wf = rejected.body;
    assert_eq!(wf["status"], "rejected");
    assert_eq!(step(&wf, "approval")["status"], "rejected");
    assert_eq!(step(&wf, "approval")["note"], "Contract not signed");
    for kind in ["reserve_asset", "ship", "check_out"] {
        assert_eq!(step(&wf, kind)["status"], "skipped", "{kind}");
    }
    let asset = w
        .app
        .get(
            &format!("/api/v1/assets/{}", laptop["id"].as_str().expect("id")),
            &w.admin.access_token,
        )
        .await;
    assert_eq!(asset.body["status"], "in_stock");
    let inbox = w.app.get("/api/v1/approvals", &manager.access_token).await;
    assert_eq!(inbox.body["data"].as_array().map(Vec::len), Some(0));
    // A second sync does not reopen it.
    sync(&w).await;
    assert_eq!(
        workflows_of(&w, bob["id"].as_str().expect("id"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn with_nothing_in_stock_the_reservation_blocks_until_an_admin_names_an_asset() {
    let w = world().await;
    hire(&w, "Cy", 3);
    sync(&w).await;
    let cy = employee_by_email(&w, "cy.newcomer@acme.example.com").await;
    let wf = workflows_of(&w, cy["id"].as_str().expect("id")).await[0].clone();
    // No manager account: the approval falls to the admins.
    assert!(step(&wf, "approval")["assignee_user_id"].is_null());
    let wf = act(
        &w,
        &w.admin.access_token,
        &wf,
        "approval",
        "approve",
        json!({}),
    )
    .await
    .body;
    let reserve = step(&wf, "reserve_asset");
    assert_eq!(reserve["status"], "blocked", "{wf}");
    assert!(
        reserve["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Laptop"))
    );
    let missing = act(
        &w,
        &w.admin.access_token,
        &wf,
        "reserve_asset",
        "complete",
        json!({}),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.error_fields(), vec!["asset_id"]);
    let laptop = laptop_in_stock(&w, "C1").await;
    let done = act(
        &w,
        &w.admin.access_token,
        &wf,
        "reserve_asset",
        "complete",
        json!({"asset_id": laptop["id"]}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(step(&done.body, "reserve_asset")["asset_id"], laptop["id"]);
    assert_eq!(step(&done.body, "ship")["status"], "active");
}

#[tokio::test]
async fn a_termination_opens_offboarding_that_collects_and_checks_in_every_asset() {
    let w = world().await;
    let leaver = employee_by_email(&w, &bamboohr_email(3)).await;
    let leaver_id = leaver["id"].as_str().expect("id").to_owned();
    let mut held = vec![];
    for tag in ["D1", "D2"] {
        let a = laptop_in_stock(&w, tag).await;
        w.app
            .check_out(&w.admin.access_token, &id(&a), &leaver_id)
            .await;
        held.push(a["id"].as_str().expect("id").to_owned());
    }
    w.sim.bamboohr().terminate("acme", 3, None);
    let outcome = sync(&w).await;
    assert_eq!(outcome.stats.updated, 1);
    let wfs = workflows_of(&w, &leaver_id).await;
    assert_eq!(wfs.len(), 1, "{wfs:?}");
    let wf = &wfs[0];
    assert_eq!(wf["kind"], "offboarding");
    let collect = step(wf, "collect_assets");
    assert_eq!(collect["status"], "active");
    assert!(
        collect["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("Holds 2")),
        "{collect}"
    );
    let wf = act(
        &w,
        &w.admin.access_token,
        wf,
        "collect_assets",
        "complete",
        json!({}),
    )
    .await
    .body;
    assert_eq!(step(&wf, "check_in")["status"], "active");
    let done = act(
        &w,
        &w.admin.access_token,
        &wf,
        "check_in",
        "complete",
        json!({}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    // No MDM connected: the wipe is skipped, and the workflow is complete.
    assert_eq!(step(&done.body, "wipe_device")["status"], "skipped");
    assert_eq!(done.body["status"], "completed");
    for a in held {
        let asset = w
            .app
            .get(&format!("/api/v1/assets/{a}"), &w.admin.access_token)
            .await;
        assert_eq!(asset.body["status"], "in_stock", "{}", asset.body);
    }
    // Syncing again opens nothing new.
    sync(&w).await;
    assert_eq!(workflows_of(&w, &leaver_id).await.len(), 1);
}

#[tokio::test]
async fn templates_are_editable_per_tenant_and_validated() {
    let w = world().await;
    let listed = w
        .app
        .get("/api/v1/workflow-templates", &w.admin.access_token)
        .await;
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed.body["data"][0]["version"], 0);
    let bad = w
        .app
        .call(
            reqwest::Method::PUT,
            "/api/v1/workflow-templates/onboarding",
            Some(&w.admin.access_token),
            Some(json!({"name": "Lean", "steps": [{"kind": "check_out", "name": "Hand over"}, {"kind": "reserve_asset", "name": "Reserve"}]})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields = bad.error_fields();
    assert!(
        fields.contains(&"steps.1.category".to_owned()),
        "{fields:?}"
    );
    assert!(fields.contains(&"steps".to_owned()), "{fields:?}");
    let member = w.app.user_with_role(&w.admin, "manager").await;
    let forbidden = w
        .app
        .call(
            reqwest::Method::PUT,
            "/api/v1/workflow-templates/onboarding",
            Some(&member.access_token),
            Some(json!({"name": "Lean", "steps": [{"kind": "task", "name": "Say hello"}]})),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let saved = w
        .app
        .call(
            reqwest::Method::PUT,
            "/api/v1/workflow-templates/onboarding",
            Some(&w.admin.access_token),
            Some(json!({"name": "Lean", "steps": [{"kind": "task", "name": "Say hello", "due_in_days": 0}]})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["version"], 1);
    hire(&w, "Dee", 1);
    sync(&w).await;
    let dee = employee_by_email(&w, "dee.newcomer@acme.example.com").await;
    let wf = workflows_of(&w, dee["id"].as_str().expect("id")).await[0].clone();
    assert_eq!(wf["steps"].as_array().map(Vec::len), Some(1));
    assert_eq!(wf["steps"][0]["name"], "Say hello");
    let done = act(
        &w,
        &w.admin.access_token,
        &wf,
        "task",
        "complete",
        json!({}),
    )
    .await;
    assert_eq!(done.body["status"], "completed");
}

#[tokio::test]
async fn workflows_are_tenant_scoped_and_can_be_started_and_cancelled_by_hand() {
    let w = world().await;
    let person = w
        .app
        .create_employee(&w.admin.access_token, "Hand Made")
        .await;
    let started = w
        .app
        .post(
            "/api/v1/workflows",
            &w.admin.access_token,
            json!({"kind": "onboarding", "employee_id": person["id"]}),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    assert_eq!(started.body["trigger"], "manual");
    let twice = w
        .app
        .post(
            "/api/v1/workflows",
            &w.admin.access_token,
            json!({"kind": "onboarding", "employee_id": person["id"]}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let bad = w
        .app
        .post(
            "/api/v1/workflows",
            &w.admin.access_token,
            json!({"kind": "vacation", "employee_id": person["id"]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), vec!["kind"]);
    let wf_id = id(&started.body);
    let other = w.app.signup("Other").await;
    assert_eq!(
        w.app
            .get(&format!("/api/v1/workflows/{wf_id}"), &other.access_token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let cancelled = w
        .app
        .post(
            &format!("/api/v1/workflows/{wf_id}/cancel"),
            &w.admin.access_token,
            json!({"reason": "Hired elsewhere"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    let again = w
        .app
        .post(
            &format!("/api/v1/workflows/{wf_id}/cancel"),
            &w.admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}
