//! Device management end to end: people come from the BambooHR simulator, devices from the
//! Jamf Pro simulator (computer n belongs to employee n, except every tenth from 5 which is a
//! spare). A sync matches devices to assets by serial, creates assets for unknown serials when
//! the tenant wants that, raises and resolves assignee discrepancies; an offboarding's wipe step
//! asks the MDM to erase the leaver's computer.

use assetronics_integrations::sandbox;
use assetronics_integrations::sandbox::jamf::{self as jamf_sim, InstanceSeed};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    app: TestApp,
    sim: sandbox::Sandbox,
    admin: Session,
    hris: String,
    mdm: String,
}

/// A tenant with 12 people from BambooHR and the Jamf instance of 12 computers connected.
async fn world() -> World {
    let app = spawn_app().await;
    let sim = vendors().bamboohr(12).jamf(12).start().await;
    let admin = app.signup("Acme").await;
    let hris = app.connect(&admin, bamboohr_connection(&sim)).await;
    let mdm = app.connect(&admin, jamf_connection(&sim)).await;
    let people = app.run_sync(&admin, &hris).await;
    assert_eq!(people.stats.created, 12);
    World {
        app,
        sim,
        admin,
        hris,
        mdm,
    }
}

impl World {
    async fn sync(&self, integration: &str) -> assetronics::integrations::service::SyncOutcome {
        self.app.run_sync(&self.admin, integration).await
    }

    /// The id of BambooHR employee `n`.
    async fn employee_id(&self, n: u64) -> String {
        id(&self
            .app
            .employee_by_email(&self.admin.access_token, &bamboohr_email(n))
            .await)
    }

    async fn asset_by_serial(&self, serial: &str) -> Value {
        self.app
            .asset_by_serial(&self.admin.access_token, serial)
            .await
    }

    async fn checkout(&self, asset: &str, employee: &str) {
        self.app
            .check_out(&self.admin.access_token, asset, employee)
            .await;
    }

    /// The leaver's workflow once `done` holds for it.
    async fn workflow_when(&self, employee: &str, done: impl Fn(&Value) -> bool) -> Value {
        self.app
            .workflow_when(
                &self.admin.access_token,
                &format!("employee_id={employee}"),
                done,
            )
            .await
    }

    async fn complete(&self, wf: &Value, kind: &str) -> Value {
        self.app
            .complete_step(&self.admin.access_token, wf, kind)
            .await
    }
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
        let emp = w.employee_id(holder).await;
        w.checkout(&id(&a), &emp).await;
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
    let first = w.sync(&w.mdm).await;
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
    assert_eq!(one["device"]["user_email"], bamboohr_email(1).as_str());
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
    assert_eq!(
        open[0]["facts"]["mdm_user_email"],
        bamboohr_email(1).as_str()
    );
    assert_eq!(
        open[0]["facts"]["assigned_email"],
        bamboohr_email(2).as_str()
    );
    let three = w
        .app
        .get(
            &format!("/api/v1/assets/{}", known[1]),
            &w.admin.access_token,
        )
        .await
        .body;
    assert_eq!(three["device"]["user_email"], bamboohr_email(3).as_str());

    // Now unknown serials become in-stock assets, named and modelled after the device.
    w.app
        .patch(
            "/api/v1/tenant",
            &w.admin.access_token,
            json!({"mdm_creates_assets": true}),
        )
        .await;
    let second = w.sync(&w.mdm).await;
    assert_eq!(
        (
            second.stats.created,
            second.stats.updated,
            second.stats.unchanged
        ),
        (10, 0, 2)
    );
    let seven = w.asset_by_serial(&jamf_sim::serial(7)).await;
    assert_eq!(seven["status"], "in_stock");
    assert_eq!(seven["device"]["user_email"], bamboohr_email(7).as_str());
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
    let spare = w.asset_by_serial(&jamf_sim::serial(5)).await;
    assert!(
        !open.iter().any(|d| d["asset_id"] == spare["id"]),
        "{open:?}"
    );
    assert_eq!(open.len(), 10, "{open:?}");

    // Nothing changed at the MDM: nothing is written.
    let third = w.sync(&w.mdm).await;
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
    let emp1 = w.employee_id(1).await;
    w.checkout(&known[0], &emp1).await;
    let fourth = w.sync(&w.mdm).await;
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
    let out = w.sync(&w.mdm).await;
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

#[tokio::test]
async fn offboarding_wipes_the_leavers_computer_through_the_mdm() {
    let w = world().await;
    let first = w.sync(&w.mdm).await;
    assert_eq!(first.stats.created, 12);
    // Employee 3 has their Jamf computer checked out.
    let laptop = w.asset_by_serial(&jamf_sim::serial(3)).await;
    let leaver = w.employee_id(3).await;
    w.checkout(&id(&laptop), &leaver).await;

    w.sim.bamboohr().terminate("acme", 3, None);
    w.sync(&w.hris).await;
    let wf = w
        .workflow_when(&leaver, |wf| wf["kind"] == "offboarding")
        .await;
    let wf = w.complete(&wf, "collect_assets").await;
    let wf = w.complete(&wf, "check_in").await;
    let wipe = step(&wf, "wipe_device");
    assert_eq!(wipe["status"], "active", "an MDM is connected: {wf}");

    // A job asks Jamf to erase computer 3, then the workflow completes.
    let wf = w
        .workflow_when(&leaver, |wf| wf["status"] == "completed")
        .await;
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
    w.sync(&w.mdm).await;
    let laptop = w.asset_by_serial(&jamf_sim::serial(4)).await;
    let leaver = w.employee_id(4).await;
    w.checkout(&id(&laptop), &leaver).await;
    // The Jamf API client's secret was rotated at Jamf but not here.
    w.sim.jamf().put_instance(InstanceSeed {
        client_secret: "rotated".into(),
        computers: 12,
        ..InstanceSeed::default()
    });
    w.sim.bamboohr().terminate("acme", 4, None);
    w.sync(&w.hris).await;
    let wf = w
        .workflow_when(&leaver, |wf| wf["kind"] == "offboarding")
        .await;
    let wf = w.complete(&wf, "collect_assets").await;
    w.complete(&wf, "check_in").await;
    let wf = w
        .workflow_when(&leaver, |wf| step(wf, "wipe_device")["status"] == "blocked")
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
    let wf = w.complete(&wf, "wipe_device").await;
    assert_eq!(wf["status"], "completed", "{wf}");
}

#[tokio::test]
async fn intune_and_kandji_devices_sync_across_their_pages() {
    let app = spawn_app().await;
    let sim = vendors().intune(230, 100).kandji(40).start().await;
    let admin = app.signup("Fleet").await;
    for (body, devices) in [
        (intune_connection(&sim), 230u64),
        (kandji_connection(&sim), 40),
    ] {
        let integration = app.connect(&admin, body).await;
        let first = app.run_sync(&admin, &integration).await;
        assert_eq!(first.status, "succeeded", "{:?}", first.error);
        let ignored = first.details.as_ref().expect("details")["ignored"]
            .as_u64()
            .expect("ignored");
        assert_eq!(first.stats.created + ignored, devices, "{:?}", first.stats);
        assert!(first.stats.created > devices / 2, "{:?}", first.stats);
        let again = app.run_sync(&admin, &integration).await;
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
    let asset = until_found(
        "the webhook to be applied",
        || async {
            w.app
                .get(
                    &format!("/api/v1/assets?q={}", jamf_sim::serial(8).to_lowercase()),
                    &w.admin.access_token,
                )
                .await
                .body
        },
        |found| found["data"].as_array()?.first().cloned(),
    )
    .await;
    assert_eq!(
        asset["device"]["user_email"],
        bamboohr_email(8).as_str(),
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
    w.sync(&w.mdm).await;
    let laptop = w.asset_by_serial(&jamf_sim::serial(6)).await;
    let leaver = w.employee_id(6).await;
    w.checkout(&id(&laptop), &leaver).await;
    w.sim.bamboohr().terminate("acme", 6, None);
    w.sync(&w.hris).await;
    let wf = w
        .workflow_when(&leaver, |wf| wf["kind"] == "offboarding")
        .await;
    let wf = w.complete(&wf, "collect_assets").await;
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
    w.complete(&wf, "check_in").await;
    let wf = w
        .workflow_when(&leaver, |wf| wf["status"] == "completed")
        .await;
    assert_eq!(step(&wf, "wipe_device")["status"], "done", "{wf}");
    let wipes = w.sim.jamf().wipes("acme");
    assert_eq!(wipes.len(), 1, "{wipes:?}");
    assert_eq!(wipes[0].device_id, jamf_sim::computer_id(6));
    // The job itself went round again (the outage outlasted the client's own retry).
    let metrics = w.app.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.contains("run_step") && l.contains("retried") && !l.ends_with(" 0")),
        "{metrics}"
    );
}
