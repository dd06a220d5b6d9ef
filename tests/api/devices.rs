//! Device management end to end: people come from the BambooHR simulator, devices from the
//! Jamf Pro simulator (computer n belongs to employee n, except every tenth from 5 which is a
//! spare). A sync matches devices to assets by serial, creates assets for unknown serials when
//! the tenant wants that, raises and resolves assignee discrepancies; an offboarding's wipe step
//! asks the MDM to erase the leaver's computer.

use std::time::Duration;

use assetronics_integrations::sandbox::bamboohr::CompanySeed;
use assetronics_integrations::sandbox::jamf::{self as jamf_sim, InstanceSeed};
use assetronics_integrations::sandbox::{self, SandboxConfig};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    sim: sandbox::Sandbox,
    admin: Session,
    hris: uuid::Uuid,
    mdm: uuid::Uuid,
}

async fn world() -> World {
    let app = spawn_app().await;
    let sim = sandbox::spawn(SandboxConfig {
        bamboohr_companies: vec![CompanySeed {
            subdomain: "acme".into(),
            api_key: "right-key".into(),
            employees: 12,
        }],
        jamf_instances: vec![InstanceSeed {
            computers: 12,
            ..InstanceSeed::default()
        }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator");
    let admin = app.signup("Acme").await;
    let hris = app
        .post(
            "/api/v1/integrations",
            &admin.access_token,
            json!({"provider": "bamboohr", "config": {"subdomain": "acme", "base_url": sim.bamboohr_base_url()}, "credentials": {"api_key": "right-key"}}),
        )
        .await;
    assert_eq!(hris.status, StatusCode::CREATED, "{}", hris.body);
    let seed = InstanceSeed::default();
    let mdm = app
        .post(
            "/api/v1/integrations",
            &admin.access_token,
            json!({"provider": "jamf", "config": {"base_url": sim.jamf_base_url()}, "credentials": {"client_id": seed.client_id, "client_secret": seed.client_secret}}),
        )
        .await;
    assert_eq!(mdm.status, StatusCode::CREATED, "{}", mdm.body);
    let w = World {
        hris: id(&hris.body).parse().expect("uuid"),
        mdm: id(&mdm.body).parse().expect("uuid"),
        app,
        sim,
        admin,
    };
    let people = sync(&w, w.hris).await;
    assert_eq!(people.stats.created, 12);
    w
}

async fn sync(
    w: &World,
    integration: uuid::Uuid,
) -> assetronics::integrations::service::SyncOutcome {
    let who = assetronics::platform::auth::Principal::system(
        w.admin.tenant_id.parse().expect("tenant"),
        "sync",
    );
    assetronics::integrations::service::run_sync(&w.app.state, &who, integration)
        .await
        .expect("sync")
}

fn email_of(n: u64) -> String {
    assetronics_integrations::sandbox::bamboohr::generate("acme", n)["workEmail"].clone()
}

async fn employee_id(w: &World, n: u64) -> String {
    let email = email_of(n);
    let res = w
        .app
        .get(
            &format!("/api/v1/employees?q={}", email.replace('@', "%40")),
            &w.admin.access_token,
        )
        .await;
    res.body["data"]
        .as_array()
        .and_then(|d| d.iter().find(|e| e["email"] == email.as_str()))
        .map(id)
        .unwrap_or_else(|| panic!("no employee {email}: {}", res.body))
}

async fn asset_by_serial(w: &World, serial: &str) -> Value {
    let res = w
        .app
        .get(
            &format!("/api/v1/assets?q={}", serial.to_lowercase()),
            &w.admin.access_token,
        )
        .await;
    res.body["data"]
        .as_array()
        .and_then(|d| {
            d.iter()
                .find(|a| a["serial_number"].as_str() == Some(serial))
                .cloned()
        })
        .unwrap_or_else(|| panic!("no asset with serial {serial}: {}", res.body))
}

async fn checkout(w: &World, asset: &str, employee: &str) {
    let res = w
        .app
        .post(
            &format!("/api/v1/assets/{asset}/checkout"),
            &w.admin.access_token,
            json!({"employee_id": employee}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn open_discrepancies(w: &World) -> Vec<Value> {
    let res = w
        .app
        .get("/api/v1/discrepancies?status=open", &w.admin.access_token)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn devices_match_assets_by_serial_and_disagreements_become_discrepancies() {
    let w = world().await;
    // Two computers are already in the inventory (typed in lowercase): #1 is checked out to
    // employee 2 although Jamf says employee 1 uses it; #3 to employee 3, as Jamf says.
    let mut known = vec![];
    for (n, holder) in [(1, 2), (3, 3)] {
        let a = w
            .app
            .create_asset(
                &w.admin.access_token,
                json!({"name": format!("Laptop {n}"), "serial_number": jamf_sim::serial(n).to_lowercase()}),
            )
            .await;
        let emp = employee_id(&w, holder).await;
        checkout(&w, &id(&a), &emp).await;
        known.push(id(&a));
    }

    // The tenant first wants only known hardware: the ten others are left out.
    let res = w
        .app
        .patch(
            "/api/v1/tenant",
            &w.admin.access_token,
            json!({"mdm_creates_assets": false}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["mdm_creates_assets"], false);
    let first = sync(&w, w.mdm).await;
    assert_eq!(first.status, "succeeded", "{:?}", first.error);
    assert_eq!((first.stats.created, first.stats.updated), (0, 2));
    assert_eq!(first.details.as_ref().expect("details")["ignored"], 10);

    let one = w
        .app
        .get(
            &format!("/api/v1/assets/{}", known[0]),
            &w.admin.access_token,
        )
        .await
        .body;
    assert_eq!(one["device"]["os_name"], "macOS", "{one}");
    assert_eq!(one["device"]["user_email"], email_of(1).as_str());
    assert!(one["device"]["last_check_in_at"].is_string(), "{one}");
    assert_eq!(one["device"]["integration_id"], w.mdm.to_string().as_str());
    assert!(
        one["model"]["name"].is_string(),
        "the MDM's model is set: {one}"
    );
    let open = open_discrepancies(&w).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["asset_id"], known[0].as_str());
    assert_eq!(open[0]["kind"], "assignee_mismatch");
    assert_eq!(open[0]["facts"]["mdm_user_email"], email_of(1).as_str());
    assert_eq!(open[0]["facts"]["assigned_email"], email_of(2).as_str());
    let three = w
        .app
        .get(
            &format!("/api/v1/assets/{}", known[1]),
            &w.admin.access_token,
        )
        .await
        .body;
    assert_eq!(three["device"]["user_email"], email_of(3).as_str());

    // Now unknown serials become in-stock assets, named and modelled after the device.
    w.app
        .patch(
            "/api/v1/tenant",
            &w.admin.access_token,
            json!({"mdm_creates_assets": true}),
        )
        .await;
    let second = sync(&w, w.mdm).await;
    assert_eq!(
        (
            second.stats.created,
            second.stats.updated,
            second.stats.unchanged
        ),
        (10, 0, 2)
    );
    let seven = asset_by_serial(&w, &jamf_sim::serial(7)).await;
    assert_eq!(seven["status"], "in_stock");
    assert_eq!(seven["device"]["user_email"], email_of(7).as_str());
    assert!(
        seven["name"].as_str().is_some_and(|n| n.contains("'s ")),
        "{seven}"
    );
    // In stock while Jamf says employee 7 uses it: a discrepancy too. The spare (#5) has no
    // user and raises none.
    let open = open_discrepancies(&w).await;
    assert!(
        open.iter().any(|d| d["asset_id"] == seven["id"]),
        "{open:?}"
    );
    let spare = asset_by_serial(&w, &jamf_sim::serial(5)).await;
    assert!(
        !open.iter().any(|d| d["asset_id"] == spare["id"]),
        "{open:?}"
    );
    assert_eq!(open.len(), 10, "{open:?}");

    // Nothing changed at the MDM: nothing is written.
    let third = sync(&w, w.mdm).await;
    assert_eq!(
        (
            third.stats.created,
            third.stats.updated,
            third.stats.unchanged
        ),
        (0, 0, 12)
    );
    assert_eq!(
        third.details.as_ref().expect("details")["discrepancies_opened"],
        0
    );

    // The admin fixes #1's assignment; the next sync resolves its discrepancy.
    let res = w
        .app
        .post(
            &format!("/api/v1/assets/{}/checkin", known[0]),
            &w.admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let emp1 = employee_id(&w, 1).await;
    checkout(&w, &known[0], &emp1).await;
    let fourth = sync(&w, w.mdm).await;
    assert_eq!(
        fourth.details.as_ref().expect("details")["discrepancies_resolved"],
        1
    );
    let open = open_discrepancies(&w).await;
    assert!(
        !open.iter().any(|d| d["asset_id"] == known[0].as_str()),
        "{open:?}"
    );
    let resolved = w
        .app
        .get(
            "/api/v1/discrepancies?status=resolved",
            &w.admin.access_token,
        )
        .await;
    assert_eq!(resolved.body.as_array().map(Vec::len), Some(1));

    // An admin dismisses one; a member may not see them at all.
    let dismissed = w
        .app
        .post(
            &format!("/api/v1/discrepancies/{}/dismiss", id(&open[0])),
            &w.admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::OK, "{}", dismissed.body);
    assert_eq!(dismissed.body["status"], "dismissed");
    let again = w
        .app
        .post(
            &format!("/api/v1/discrepancies/{}/dismiss", id(&open[0])),
            &w.admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert_eq!(again.problem_code(), "invalid_transition");
    let member = w.app.user_with_role(&w.admin, "member").await;
    let res = w
        .app
        .get("/api/v1/discrepancies", &member.access_token)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = w
        .app
        .get("/api/v1/discrepancies?status=bogus", &w.admin.access_token)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_mdm_that_refuses_the_credentials_needs_attention() {
    let w = world().await;
    let res = w
        .app
        .patch(
            &format!("/api/v1/integrations/{}", w.mdm),
            &w.admin.access_token,
            json!({"credentials": {"client_secret": "wrong"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let test = w
        .app
        .post(
            &format!("/api/v1/integrations/{}/test", w.mdm),
            &w.admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(test.body["ok"], false, "{}", test.body);
    let out = sync(&w, w.mdm).await;
    assert_eq!(out.status, "failed");
    assert!(!out.retryable);
    let row = w
        .app
        .get(
            &format!("/api/v1/integrations/{}", w.mdm),
            &w.admin.access_token,
        )
        .await;
    assert_eq!(row.body["status"], "needs_attention", "{}", row.body);
}

async fn wait_for_workflow(w: &World, employee: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let res = w
            .app
            .get(
                &format!("/api/v1/workflows?employee_id={employee}"),
                &w.admin.access_token,
            )
            .await;
        if let Some(wf) = res.body["data"].as_array().and_then(|d| d.first())
            && done(wf)
        {
            return wf.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "workflow never got there: {}",
            res.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn step<'a>(wf: &'a Value, kind: &str) -> &'a Value {
    wf["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} step: {wf}"))
}

async fn complete(w: &World, wf: &Value, kind: &str) -> Value {
    let res = w
        .app
        .post(
            &format!(
                "/api/v1/workflows/{}/steps/{}/complete",
                id(wf),
                id(step(wf, kind))
            ),
            &w.admin.access_token,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body
}

#[tokio::test]
async fn offboarding_wipes_the_leavers_computer_through_the_mdm() {
    let w = world().await;
    let first = sync(&w, w.mdm).await;
    assert_eq!(first.stats.created, 12);
    // Employee 3 has their Jamf computer checked out.
    let laptop = asset_by_serial(&w, &jamf_sim::serial(3)).await;
    let leaver = employee_id(&w, 3).await;
    checkout(&w, &id(&laptop), &leaver).await;

    w.sim.bamboohr().terminate("acme", 3, None);
    sync(&w, w.hris).await;
    let wf = wait_for_workflow(&w, &leaver, |wf| wf["kind"] == "offboarding").await;
    let wf = complete(&w, &wf, "collect_assets").await;
    let wf = complete(&w, &wf, "check_in").await;
    let wipe = step(&wf, "wipe_device");
    assert_eq!(wipe["status"], "active", "an MDM is connected: {wf}");

    // A job asks Jamf to erase computer 3, then the workflow completes.
    let wf = wait_for_workflow(&w, &leaver, |wf| wf["status"] == "completed").await;
    let wipe = step(&wf, "wipe_device");
    assert_eq!(wipe["status"], "done", "{wf}");
    assert!(
        wipe["detail"]
            .as_str()
            .is_some_and(|d| d.contains(laptop["tag"].as_str().expect("tag"))),
        "{wipe}"
    );
    let wipes = w.sim.jamf().wipes("acme");
    assert_eq!(wipes.len(), 1, "{wipes:?}");
    assert_eq!(wipes[0].device_id, jamf_sim::computer_id(3));
}

#[tokio::test]
async fn a_wipe_the_mdm_refuses_blocks_the_step_for_a_person() {
    let w = world().await;
    sync(&w, w.mdm).await;
    let laptop = asset_by_serial(&w, &jamf_sim::serial(4)).await;
    let leaver = employee_id(&w, 4).await;
    checkout(&w, &id(&laptop), &leaver).await;
    // The Jamf API client's secret was rotated at Jamf but not here.
    w.sim.jamf().put_instance(InstanceSeed {
        client_secret: "rotated".into(),
        computers: 12,
        ..InstanceSeed::default()
    });
    w.sim.bamboohr().terminate("acme", 4, None);
    sync(&w, w.hris).await;
    let wf = wait_for_workflow(&w, &leaver, |wf| wf["kind"] == "offboarding").await;
    let wf = complete(&w, &wf, "collect_assets").await;
    complete(&w, &wf, "check_in").await;
    let wf = wait_for_workflow(&w, &leaver, |wf| {
        step(wf, "wipe_device")["status"] == "blocked"
    })
    .await;
    let wipe = step(&wf, "wipe_device");
    assert!(
        wipe["detail"]
            .as_str()
            .is_some_and(|d| d.contains("could not wipe")),
        "{wipe}"
    );
    assert!(w.sim.jamf().wipes("acme").is_empty());
    // The admin wipes it by other means and completes the step by hand.
    let wf = complete(&w, &wf, "wipe_device").await;
    assert_eq!(wf["status"], "completed", "{wf}");
}

#[tokio::test]
async fn intune_and_kandji_devices_sync_across_their_pages() {
    use assetronics_integrations::sandbox::{intune, kandji};
    let app = spawn_app().await;
    let sim = sandbox::spawn(SandboxConfig {
        intune_tenants: vec![intune::TenantSeed {
            devices: 230,
            page_size: 100,
            ..intune::TenantSeed::default()
        }],
        kandji_tenants: vec![kandji::TenantSeed {
            devices: 40,
            ..kandji::TenantSeed::default()
        }],
        ..SandboxConfig::default()
    })
    .await
    .expect("simulator");
    let admin = app.signup("Fleet").await;
    let it = intune::TenantSeed::default();
    let kd = kandji::TenantSeed::default();
    for (body, devices) in [
        (
            json!({"provider": "intune", "config": {"tenant_id": it.tenant_id, "base_url": sim.intune_base_url(), "login_base_url": sim.intune_base_url()}, "credentials": {"client_id": it.client_id, "client_secret": it.client_secret}}),
            230u64,
        ),
        (
            json!({"provider": "kandji", "config": {"base_url": sim.kandji_base_url()}, "credentials": {"api_token": kd.api_token}}),
            40,
        ),
    ] {
        let created = app
            .post("/api/v1/integrations", &admin.access_token, body)
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let integration: uuid::Uuid = id(&created.body).parse().expect("uuid");
        let who = assetronics::platform::auth::Principal::system(
            admin.tenant_id.parse().expect("tenant"),
            "sync",
        );
        let first = assetronics::integrations::service::run_sync(&app.state, &who, integration)
            .await
            .expect("sync");
        assert_eq!(first.status, "succeeded", "{:?}", first.error);
        let ignored = first.details.as_ref().expect("details")["ignored"]
            .as_u64()
            .expect("ignored");
        assert_eq!(first.stats.created + ignored, devices, "{:?}", first.stats);
        assert!(first.stats.created > devices / 2, "{:?}", first.stats);
        let again = assetronics::integrations::service::run_sync(&app.state, &who, integration)
            .await
            .expect("sync");
        assert_eq!(
            (
                again.stats.created,
                again.stats.updated,
                again.stats.unchanged
            ),
            (0, 0, first.stats.created)
        );
    }
}

#[tokio::test]
async fn jamf_webhooks_are_authenticated_stored_once_and_update_the_asset() {
    let w = world().await;
    let res = w
        .app
        .patch(
            &format!("/api/v1/integrations/{}", w.mdm),
            &w.admin.access_token,
            json!({"credentials": {"webhook_username": "jamf-hook", "webhook_password": "hook-secret"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let url = w.app.url(&format!("/webhooks/jamf/{}", w.mdm));
    let at = chrono::Utc::now();
    let body = jamf_sim::webhook_payload(
        "acme",
        "acme.example.com",
        8,
        "ComputerInventoryCompleted",
        3,
        at,
    );

    // Wrong or missing credentials: refused, nothing stored.
    for auth in [None, Some(("jamf-hook", "guess"))] {
        let (status, answer) = jamf_sim::send_webhook(&url, &body, auth).await;
        assert_eq!(status, 401, "{answer}");
        assert!(answer.contains("invalid_signature"), "{answer}");
    }
    let (status, answer) =
        jamf_sim::send_webhook(&url, &body, Some(("jamf-hook", "hook-secret"))).await;
    assert_eq!(status, 202, "{answer}");
    let first: Value = serde_json::from_str(&answer).expect("json");
    assert_eq!(first["status"], "accepted");
    // Jamf resends what it could not hand over: the same delivery, stored once.
    let (status, answer) =
        jamf_sim::send_webhook(&url, &body, Some(("jamf-hook", "hook-secret"))).await;
    assert_eq!(status, 200, "{answer}");
    let again: Value = serde_json::from_str(&answer).expect("json");
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["delivery_id"], first["delivery_id"]);
    // Events about other things are acknowledged and not stored.
    let mobile =
        jamf_sim::webhook_payload("acme", "acme.example.com", 2, "MobileDeviceCheckIn", 3, at);
    let (status, answer) =
        jamf_sim::send_webhook(&url, &mobile, Some(("jamf-hook", "hook-secret"))).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("ignored"), "{answer}");

    // A job applies the computer's inventory: a new in-stock asset with its device facts.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let asset = loop {
        let res = w
            .app
            .get(
                &format!("/api/v1/assets?q={}", jamf_sim::serial(8).to_lowercase()),
                &w.admin.access_token,
            )
            .await;
        if let Some(a) = res.body["data"].as_array().and_then(|d| d.first()) {
            break a.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the webhook was never applied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        asset["device"]["user_email"],
        email_of(8).as_str(),
        "{asset}"
    );
    assert_eq!(
        asset["device"]["last_check_in_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis()),
        Some(at.timestamp_millis()),
        "{asset}"
    );
    let deliveries = w
        .app
        .get(
            &format!("/api/v1/integrations/{}/webhook-deliveries", w.mdm),
            &w.admin.access_token,
        )
        .await;
    let list = deliveries.body["data"]
        .as_array()
        .or(deliveries.body.as_array())
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 1, "{}", deliveries.body);
    assert_eq!(list[0]["event_type"], "ComputerInventoryCompleted");
}

#[tokio::test]
async fn a_wipe_through_an_mdm_outage_is_retried_and_sent_once() {
    let w = world().await;
    sync(&w, w.mdm).await;
    let laptop = asset_by_serial(&w, &jamf_sim::serial(6)).await;
    let leaver = employee_id(&w, 6).await;
    checkout(&w, &id(&laptop), &leaver).await;
    w.sim.bamboohr().terminate("acme", 6, None);
    sync(&w, w.hris).await;
    let wf = wait_for_workflow(&w, &leaver, |wf| wf["kind"] == "offboarding").await;
    let wf = complete(&w, &wf, "collect_assets").await;
    // Jamf answers the next four requests with 503s: the client's own retry and the job's
    // first attempt fail, a later attempt goes through.
    w.sim.jamf().set_faults(
        "acme",
        jamf_sim::Faults {
            fail_next: 4,
            fail_status: Some(503),
            ..jamf_sim::Faults::default()
        },
    );
    complete(&w, &wf, "check_in").await;
    let wf = wait_for_workflow(&w, &leaver, |wf| wf["status"] == "completed").await;
    assert_eq!(step(&wf, "wipe_device")["status"], "done", "{wf}");
    let wipes = w.sim.jamf().wipes("acme");
    assert_eq!(wipes.len(), 1, "{wipes:?}");
    assert_eq!(wipes[0].device_id, jamf_sim::computer_id(6));
    // The job itself went round again (the outage outlasted the client's own retry).
    let metrics = w
        .app
        .client
        .get(w.app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics
            .lines()
            .any(|l| l.contains("run_step") && l.contains("retried") && !l.ends_with(" 0")),
        "{metrics}"
    );
}
