//! Workflows and integrations through GraphQL, black-box: approvals and completions as
//! mutations (and REST showing the same), roles refused with REST's codes, templates, syncs of
//! the BambooHR simulator started by a mutation and followed over `graphql-ws`, and the
//! statements a nested workflow list costs.

use std::collections::BTreeMap;
use std::time::Duration;

use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::graphql::{code, codes, gql, listener, ok};

/// A tenant where Ada Lovelace reports to Mo, who signs in as a manager, with a laptop in stock.
struct Team {
    app: TestApp,
    owner: Session,
    manager: Session,
    ada: String,
    laptop: Value,
}

async fn team() -> Team {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let manager = app.user_with_role(&owner, "manager").await;
    let t = &owner.access_token;
    let mo = app
        .post(
            "/api/v1/employees",
            t,
            json!({"name": "Mo Manager", "email": manager.email}),
        )
        .await
        .body;
    let ada = app
        .post(
            "/api/v1/employees",
            t,
            json!({"name": "Ada Lovelace", "email": "ada@example.com", "manager_id": id(&mo)}),
        )
        .await
        .body;
    let laptops = app
        .post("/api/v1/categories", t, json!({"name": "Laptop"}))
        .await
        .body;
    let laptop = app
        .create_asset(
            t,
            json!({"name": "MacBook Pro", "category_id": id(&laptops)}),
        )
        .await;
    Team {
        ada: id(&ada),
        app,
        owner,
        manager,
        laptop,
    }
}

const WORKFLOW: &str = "id kind status trigger version closedAt employeeId employee { name }
    steps { id kind status assignee assigneeUserId decidedBy note assetId asset { tag status holder { name } } }";

async fn start_onboarding(app: &TestApp, token: &str, employee: &str) -> Value {
    ok(
        app,
        token,
        &format!("mutation($e: UUID!) {{ startWorkflow(input: {{kind: ONBOARDING, employeeId: $e}}) {{ {WORKFLOW} }} }}"),
        json!({"e": employee}),
    )
    .await["startWorkflow"]
        .clone()
}

/// `mutation { <action>(workflowId, stepId, ...) }` on the workflow's step of `kind`: the
/// whole response.
async fn act(
    app: &TestApp,
    token: &str,
    wf: &Value,
    kind: &str,
    action: &str,
    args: &str,
) -> Value {
    let doc = format!(
        "mutation($w: UUID!, $s: UUID!) {{ {action}(workflowId: $w, stepId: $s{args}) {{ {WORKFLOW} }} }}"
    );
    gql(
        app,
        Some(token),
        &doc,
        json!({"w": wf["id"], "s": step(wf, kind)["id"]}),
    )
    .await
}

fn statuses(wf: &Value) -> Vec<(String, String)> {
    wf["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["kind"].as_str().unwrap_or_default().to_lowercase(),
                s["status"].as_str().unwrap_or_default().to_lowercase(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_step_approved_through_graphql_moves_the_workflow_as_rest_shows_it() {
    let Team {
        app,
        owner,
        manager,
        ada,
        laptop,
    } = team().await;
    let wf = start_onboarding(&app, &owner.access_token, &ada).await;
    assert_eq!(wf["status"], "OPEN");
    assert_eq!(wf["trigger"], "MANUAL");
    assert_eq!(wf["employee"]["name"], "Ada Lovelace");
    let approval = step(&wf, "APPROVAL");
    assert_eq!(approval["status"], "ACTIVE");
    assert_eq!(approval["assignee"], "MANAGER");
    assert_eq!(approval["assigneeUserId"], manager.user_id.as_str());

    // The manager's inbox holds it.
    let inbox = ok(
        &app,
        &manager.access_token,
        "{ approvals { workflowId workflowKind employee { name manager { name } } step { id kind } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        inbox["approvals"],
        json!([{"workflowId": wf["id"], "workflowKind": "ONBOARDING",
            "employee": {"name": "Ada Lovelace", "manager": {"name": "Mo Manager"}},
            "step": {"id": approval["id"], "kind": "APPROVAL"}}])
    );

    // A member may neither read nor decide; another manager may not decide what is not theirs.
    let member = app.user_with_role(&owner, "member").await;
    for doc in [
        "{ workflows { nodes { id } } }",
        "{ approvals { workflowId } }",
    ] {
        let body = gql(&app, Some(&member.access_token), doc, json!({})).await;
        assert_eq!(code(&body), "forbidden", "{doc}: {body}");
    }
    let refused = act(
        &app,
        &member.access_token,
        &wf,
        "APPROVAL",
        "approveStep",
        "",
    )
    .await;
    assert_eq!(code(&refused), "forbidden");
    assert_eq!(refused["errors"][0]["extensions"]["status"], 403);
    let other = app.user_with_role(&owner, "manager").await;
    let refused = act(
        &app,
        &other.access_token,
        &wf,
        "APPROVAL",
        "approveStep",
        "",
    )
    .await;
    assert_eq!(code(&refused), "forbidden", "{refused}");

    // The assigned manager approves, once even when the request is retried.
    let doc = format!(
        "mutation($w: UUID!, $s: UUID!) {{ approveStep(workflowId: $w, stepId: $s, note: \"Standard kit\") {{ {WORKFLOW} }} }}"
    );
    let body = json!({"query": doc, "variables": {"w": wf["id"], "s": approval["id"]}});
    let key = [("Idempotency-Key", "0b6f3c1e-5a0d-4c0e-9a51-7d2e8f9b1c44")];
    let mut answers = vec![];
    for _ in 0..2 {
        answers.push(
            app.call_with(
                reqwest::Method::POST,
                "/api/graphql",
                Some(&manager.access_token),
                Some(body.clone()),
                &key,
            )
            .await,
        );
    }
    assert_eq!(answers[0].status, StatusCode::OK);
    assert!(
        answers[0].body.get("errors").is_none(),
        "{}",
        answers[0].body
    );
    assert_eq!(answers[1].body, answers[0].body);
    assert_eq!(
        answers[1]
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let wf = answers[0].body["data"]["approveStep"].clone();
    assert_eq!(step(&wf, "APPROVAL")["status"], "DONE");
    assert_eq!(step(&wf, "APPROVAL")["decidedBy"], manager.user_id.as_str());
    assert_eq!(step(&wf, "APPROVAL")["note"], "Standard kit");
    // The reservation ran by itself and took the laptop in stock.
    let reserve = step(&wf, "RESERVE_ASSET");
    assert_eq!(reserve["status"], "DONE");
    assert_eq!(reserve["assetId"], laptop["id"]);
    assert_eq!(
        reserve["asset"],
        json!({"tag": laptop["tag"], "status": "IN_STOCK", "holder": null})
    );
    assert_eq!(step(&wf, "SHIP")["status"], "ACTIVE");
    // Without the key, deciding again is refused as in REST.
    let again = act(
        &app,
        &manager.access_token,
        &wf,
        "APPROVAL",
        "approveStep",
        "",
    )
    .await;
    assert_eq!(code(&again), "step_not_active");

    // REST shows the same workflow.
    let rest = app
        .get(
            &format!(
                "/api/v1/workflows/{}",
                wf["id"].as_str().unwrap_or_default()
            ),
            &owner.access_token,
        )
        .await
        .body;
    assert_eq!(statuses(&rest), statuses(&wf));
    assert_eq!(rest["version"], wf["version"]);
    assert_eq!(rest["steps"][0]["decided_by"], manager.user_id.as_str());
    assert_eq!(rest["steps"][0]["note"], "Standard kit");
    assert_eq!(rest["steps"][1]["asset_id"], laptop["id"]);

    // Managers approve; admins complete tasks. The hand-over checks the laptop out.
    let refused = act(&app, &manager.access_token, &wf, "SHIP", "completeStep", "").await;
    assert_eq!(code(&refused), "forbidden");
    let shipped = act(
        &app,
        &owner.access_token,
        &wf,
        "SHIP",
        "completeStep",
        ", note: \"UPS 1Z999\"",
    )
    .await;
    let wf = shipped["data"]["completeStep"].clone();
    assert_eq!(step(&wf, "CHECK_OUT")["status"], "ACTIVE", "{shipped}");
    let handed = act(
        &app,
        &owner.access_token,
        &wf,
        "CHECK_OUT",
        "completeStep",
        "",
    )
    .await;
    let wf = handed["data"]["completeStep"].clone();
    assert_eq!(wf["status"], "COMPLETED", "{handed}");
    assert!(wf["closedAt"].is_string());
    assert_eq!(
        step(&wf, "CHECK_OUT")["asset"],
        json!({"tag": laptop["tag"], "status": "ASSIGNED", "holder": {"name": "Ada Lovelace"}})
    );
}

#[tokio::test]
async fn a_rejection_ends_the_workflow_and_an_open_one_can_be_cancelled() {
    let Team {
        app,
        owner,
        manager,
        ada,
        ..
    } = team().await;
    let t = &owner.access_token;
    let wf = start_onboarding(&app, t, &ada).await;

    // Only an active approval is decided, and only an approval is rejected.
    let early = act(
        &app,
        &manager.access_token,
        &wf,
        "RESERVE_ASSET",
        "rejectStep",
        "",
    )
    .await;
    assert_eq!(code(&early), "step_not_active");
    let rejected = act(
        &app,
        &manager.access_token,
        &wf,
        "APPROVAL",
        "rejectStep",
        ", note: \"No budget\"",
    )
    .await;
    let done = rejected["data"]["rejectStep"].clone();
    assert_eq!(done["status"], "REJECTED", "{rejected}");
    assert!(done["closedAt"].is_string());
    assert_eq!(
        statuses(&done),
        [
            ("approval", "rejected"),
            ("reserve_asset", "skipped"),
            ("ship", "skipped"),
            ("check_out", "skipped")
        ]
        .map(|(k, s)| (k.to_owned(), s.to_owned()))
    );
    assert_eq!(step(&done, "APPROVAL")["note"], "No budget");
    let rest = app
        .get(
            &format!(
                "/api/v1/workflows/{}",
                done["id"].as_str().unwrap_or_default()
            ),
            t,
        )
        .await
        .body;
    assert_eq!(rest["status"], "rejected");
    assert_eq!(statuses(&rest), statuses(&done));
    let late = act(
        &app,
        &manager.access_token,
        &done,
        "APPROVAL",
        "approveStep",
        "",
    )
    .await;
    assert_eq!(code(&late), "step_not_active");

    // A closed workflow leaves room for a new one, but only one is open at a time.
    let second = start_onboarding(&app, t, &ada).await;
    assert_eq!(second["status"], "OPEN");
    let doc =
        "mutation($e: UUID!) { startWorkflow(input: {kind: ONBOARDING, employeeId: $e}) { id } }";
    assert_eq!(
        code(&gql(&app, Some(t), doc, json!({"e": ada})).await),
        "conflict"
    );
    assert_eq!(
        code(&gql(&app, Some(&manager.access_token), doc, json!({"e": ada})).await),
        "forbidden"
    );
    let cancel = "mutation($id: UUID!) { cancelWorkflow(id: $id, reason: \"Hired elsewhere\") { status steps { status } } }";
    let cancelled = ok(&app, t, cancel, json!({"id": second["id"]})).await;
    assert_eq!(cancelled["cancelWorkflow"]["status"], "CANCELLED");
    assert_eq!(
        code(&gql(&app, Some(t), cancel, json!({"id": second["id"]})).await),
        "invalid_transition"
    );

    // The list filters as REST does.
    let lists = ok(
        &app,
        t,
        "query($e: UUID!) {
            rejected: workflows(status: REJECTED) { nodes { id } }
            cancelled: workflows(status: CANCELLED, employeeId: $e) { nodes { id } }
            all: workflows(kind: ONBOARDING, first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
            offboarding: workflows(kind: OFFBOARDING) { nodes { id } }
        }",
        json!({"e": ada}),
    )
    .await;
    assert_eq!(lists["rejected"]["nodes"], json!([{"id": done["id"]}]));
    assert_eq!(lists["cancelled"]["nodes"], json!([{"id": second["id"]}]));
    assert_eq!(lists["offboarding"]["nodes"], json!([]));
    // Newest first, a page at a time.
    assert_eq!(lists["all"]["edges"][0]["node"]["id"], second["id"]);
    assert_eq!(lists["all"]["pageInfo"]["hasNextPage"], true);
    let next = ok(
        &app,
        t,
        "query($after: String) { workflows(kind: ONBOARDING, first: 1, after: $after) { nodes { id } pageInfo { hasNextPage } } }",
        json!({"after": lists["all"]["pageInfo"]["endCursor"]}),
    )
    .await;
    assert_eq!(next["workflows"]["nodes"], json!([{"id": done["id"]}]));
    assert_eq!(next["workflows"]["pageInfo"]["hasNextPage"], false);
    let bad = gql(
        &app,
        Some(t),
        "{ workflows(after: \"not-a-cursor\") { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(code(&bad), "validation_failed");
    assert_eq!(
        bad["errors"][0]["extensions"]["errors"][0]["field"],
        "after"
    );
}

#[tokio::test]
async fn templates_are_listed_and_saved_with_a_field_error_per_step() {
    let Team {
        app, owner, ada, ..
    } = team().await;
    let t = &owner.access_token;
    let templates = ok(
        &app,
        t,
        "{ workflowTemplates { kind name version updatedAt steps { kind assignee dueInDays category } } }",
        json!({}),
    )
    .await["workflowTemplates"]
        .clone();
    assert_eq!(templates[0]["kind"], "ONBOARDING");
    assert_eq!(templates[0]["version"], 0, "the built-in default");
    assert_eq!(
        templates[0]["steps"][1],
        json!({"kind": "RESERVE_ASSET", "assignee": "ADMIN", "dueInDays": -7, "category": "Laptop"})
    );
    assert_eq!(templates[1]["kind"], "OFFBOARDING");

    let save = "mutation($input: SaveWorkflowTemplateInput!) { saveWorkflowTemplate(kind: ONBOARDING, input: $input) {
        kind name version steps { kind name assignee dueInDays category } } }";
    let invalid = gql(
        &app,
        Some(t),
        save,
        json!({"input": {"name": "Lean", "steps": [
            {"kind": "RESERVE_ASSET", "name": "Reserve"},
            {"kind": "TASK", "name": " ", "dueInDays": 400}
        ]}}),
    )
    .await;
    assert_eq!(code(&invalid), "validation_failed");
    let mut fields: Vec<String> = invalid["errors"][0]["extensions"]["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["steps.0.category", "steps.1.dueInDays", "steps.1.name"]
    );

    let lean = json!({"input": {"name": "Lean", "steps": [
        {"kind": "RESERVE_ASSET", "name": "Reserve a phone", "category": "Phone", "dueInDays": -2},
        {"kind": "TASK", "name": "Say hello", "assignee": "MANAGER"}
    ]}});
    let manager = app.user_with_role(&owner, "manager").await;
    assert_eq!(
        code(&gql(&app, Some(&manager.access_token), save, lean.clone()).await),
        "forbidden"
    );
    let saved = ok(&app, t, save, lean).await["saveWorkflowTemplate"].clone();
    assert_eq!(
        saved,
        json!({"kind": "ONBOARDING", "name": "Lean", "version": 1, "steps": [
            {"kind": "RESERVE_ASSET", "name": "Reserve a phone", "assignee": "ADMIN", "dueInDays": -2, "category": "Phone"},
            {"kind": "TASK", "name": "Say hello", "assignee": "MANAGER", "dueInDays": 0, "category": null}
        ]})
    );
    let rest = app.get("/api/v1/workflow-templates", t).await.body;
    assert_eq!(rest["data"][0]["name"], "Lean");
    assert_eq!(rest["data"][0]["steps"][1]["assignee"], "manager");
    // New workflows follow it; no phone is in stock, so the reservation waits.
    let wf = start_onboarding(&app, t, &ada).await;
    assert_eq!(
        statuses(&wf),
        [("reserve_asset", "blocked"), ("task", "pending")]
            .map(|(k, s)| (k.to_owned(), s.to_owned()))
    );
}

#[tokio::test]
async fn workflow_events_reach_a_subscriber_of_that_tenant_only_and_never_a_member() {
    let app = spawn_app().await;
    let mine = app.signup("Mine").await;
    let theirs = app.signup("Theirs").await;
    let doc = "subscription { workflowEvents { event workflow { id status employee { name } steps { id kind status } } } }";

    let member = app.user_with_role(&mine, "member").await;
    let mut refused = listener(&app, &member.access_token, doc, 1);
    let out = refused.expect("next").await;
    // The refusal is the subscription's one result, with the error as a query's would have it.
    assert_eq!(code(&out["payload"]), "forbidden", "{out}");

    let mut sub = listener(&app, &mine.access_token, doc, 10);
    sub.expect("connected").await;
    // The subscribe message follows the acknowledgement: open workflows until an event arrives.
    // Another tenant's goes first each time: if it leaked, it would be what arrives.
    let mut opened = vec![];
    let mut first = None;
    for n in 0..20 {
        let theirs_emp = app
            .create_employee(&theirs.access_token, &format!("Theirs {n}"))
            .await;
        start_onboarding(&app, &theirs.access_token, &id(&theirs_emp)).await;
        let mine_emp = app
            .create_employee(&mine.access_token, &format!("Mine {n}"))
            .await;
        opened.push(start_onboarding(&app, &mine.access_token, &id(&mine_emp)).await["id"].clone());
        if let Some(e) = sub.next_within(Duration::from_millis(500)).await {
            first = Some(e);
            break;
        }
    }
    let first = first.expect("an event within 10 s");
    assert_eq!(first["event"], "next", "{first}");
    let e = &first["payload"]["data"]["workflowEvents"];
    assert_eq!(e["event"], "workflow_opened", "{first}");
    assert!(opened.contains(&e["workflow"]["id"]), "{first}");
    assert!(
        e["workflow"]["employee"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Mine")),
        "nested fields resolve for pushed workflows: {first}"
    );
    assert_eq!(e["workflow"]["steps"][0]["kind"], "APPROVAL");
    assert_eq!(e["workflow"]["steps"][0]["status"], "ACTIVE");

    // Approving it through REST pushes the workflow as it is now.
    let wf = e["workflow"].clone();
    let approved = app
        .post(
            &format!(
                "/api/v1/workflows/{}/steps/{}/approve",
                id(&wf),
                id(&wf["steps"][0])
            ),
            &mine.access_token,
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let updated = loop {
        let next = sub.expect("next").await;
        let e = next["payload"]["data"]["workflowEvents"].clone();
        if e["event"] == "workflow_updated" {
            break e;
        }
        assert!(opened.contains(&e["workflow"]["id"]), "{next}");
    };
    assert_eq!(updated["workflow"]["id"], wf["id"]);
    assert_eq!(updated["workflow"]["steps"][0]["status"], "DONE");
}

const SYNC_EVENT: &str = "event integrationId processed total status error willRetry
    stats { created updated unchanged failed } syncRun { id status stats { created updated unchanged failed } }";

#[tokio::test]
async fn a_sync_started_by_mutation_streams_its_progress_and_finish_to_a_subscriber() {
    // One job at a time: runs never overlap, so a run's events come together.
    let app = spawn_app_with(|s| s.jobs.concurrency = 1).await;
    let sim = bamboohr_simulator(12).await;
    let owner = app.signup("Acme").await;
    let t = &owner.access_token;
    let mut connected = vec![];
    for (name, key) in [
        ("HR", "right-key"),
        ("HR copy", "right-key"),
        ("Stale", "wrong-key"),
    ] {
        let changes = json!({"name": name, "credentials": {"api_key": key}});
        connected.push(
            app.connect(&owner, merged(bamboohr_connection(&sim), changes))
                .await,
        );
    }
    let (hr, copy, stale) = (&connected[0], &connected[1], &connected[2]);
    let start = chrono::Utc::now().date_naive() + chrono::Duration::days(5);
    sim.bamboohr()
        .hire(
            "acme",
            BTreeMap::from([
                ("firstName".to_owned(), "Zed".to_owned()),
                ("lastName".to_owned(), "Newcomer".to_owned()),
                ("workEmail".to_owned(), "zed@acme.example.com".to_owned()),
                ("hireDate".to_owned(), start.format("%Y-%m-%d").to_string()),
            ]),
        )
        .expect("hired");

    // Integrations are for admins: members and managers read none and follow no syncs.
    let member = app.user_with_role(&owner, "member").await;
    let manager = app.user_with_role(&owner, "manager").await;
    for s in [&member, &manager] {
        let body = gql(
            &app,
            Some(&s.access_token),
            "{ integrations { id } }",
            json!({}),
        )
        .await;
        assert_eq!(code(&body), "forbidden", "{body}");
    }
    let mut refused = listener(
        &app,
        &member.access_token,
        "subscription { syncEvents { event } }",
        1,
    );
    let out = refused.expect("next").await;
    // The refusal is the subscription's one result, with the error as a query's would have it.
    assert_eq!(code(&out["payload"]), "forbidden", "{out}");

    // "Test connection" tells a working integration from one with a wrong key.
    let test = "mutation($id: UUID!) { testIntegration(id: $id) { ok detail } }";
    assert_eq!(
        ok(&app, t, test, json!({"id": hr})).await["testIntegration"],
        json!({"ok": true, "detail": "connected"})
    );
    assert_eq!(
        ok(&app, t, test, json!({"id": stale})).await["testIntegration"]["ok"],
        false
    );
    let stale_now = ok(
        &app,
        t,
        "query($id: UUID!) { integration(id: $id) { status statusDetail credentialsSet lastTestedAt } }",
        json!({"id": stale}),
    )
    .await["integration"]
        .clone();
    assert_eq!(stale_now["status"], "NEEDS_ATTENTION");
    assert!(stale_now["statusDetail"].is_string());
    assert_eq!(stale_now["credentialsSet"], json!(["api_key"]));

    let doc = format!("subscription {{ syncEvents(integrationId: \"{hr}\") {{ {SYNC_EVENT} }} }}");
    let mut sub = listener(&app, t, &doc, 1000);
    sub.expect("connected").await;
    let start_sync = "mutation($id: UUID!) { startSync(integrationId: $id) { syncRunId syncRun { status trigger } } }";
    // The subscribe message follows the acknowledgement: sync until an event arrives.
    let mut live = false;
    for _ in 0..20 {
        ok(&app, t, start_sync, json!({"id": hr})).await;
        if let Some(line) = sub.next_within(Duration::from_millis(500)).await {
            assert_eq!(line["event"], "next", "{line}");
            live = true;
            break;
        }
    }
    assert!(live, "no sync event within 10 s");

    // The other integration's run is queued first; only this one's events may arrive.
    ok(&app, t, start_sync, json!({"id": copy})).await;
    let queued = ok(&app, t, start_sync, json!({"id": hr})).await["startSync"].clone();
    assert_eq!(
        queued["syncRun"],
        json!({"status": "QUEUED", "trigger": "MANUAL"})
    );
    let run = queued["syncRunId"].clone();
    let mut events = vec![];
    loop {
        let next = sub.expect("next").await;
        let e = next["payload"]["data"]["syncEvents"].clone();
        assert_eq!(e["integrationId"], hr.as_str(), "{next}");
        let finished = e["event"] == "sync_run_updated"
            && e["syncRun"]["id"] == run
            && !matches!(e["syncRun"]["status"].as_str(), Some("QUEUED" | "RUNNING"));
        events.push(e);
        if finished {
            break;
        }
    }
    let of_run = |e: &Value| e["syncRun"]["id"] == run;
    let queued_at = events
        .iter()
        .position(|e| e["event"] == "sync_queued" && of_run(e))
        .expect("sync_queued of the run");
    let running_at = events
        .iter()
        .position(|e| {
            e["event"] == "sync_run_updated" && of_run(e) && e["syncRun"]["status"] == "RUNNING"
        })
        .expect("the run running");
    assert!(queued_at < running_at);
    let names: Vec<&str> = events[running_at + 1..]
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "sync_started",
            "sync_progress",
            "sync_finished",
            "sync_run_updated"
        ],
        "{events:?}"
    );
    let (progress, finished, last) = (
        &events[running_at + 2],
        &events[running_at + 3],
        &events[running_at + 4],
    );
    assert_eq!(progress["processed"], 13);
    assert_eq!(progress["total"], 13);
    assert_eq!(finished["status"], "SUCCEEDED");
    assert_eq!(last["syncRun"]["status"], "SUCCEEDED");
    assert_eq!(finished["stats"], last["syncRun"]["stats"]);
    assert_eq!(progress["stats"], finished["stats"]);
    let stats = &finished["stats"];
    let counted: u64 = ["created", "updated", "unchanged"]
        .iter()
        .filter_map(|k| stats[*k].as_u64())
        .sum();
    assert_eq!(counted, 13, "{stats}");

    // The run as queries and REST show it.
    let runs = ok(
        &app,
        t,
        "query($run: UUID!, $hr: UUID!, $copy: UUID!) {
            syncRun(id: $run) { id status attempts dead finishedAt stats { created updated unchanged failed } }
            integration(id: $hr) { name status syncRuns { id } }
            copyRuns: syncRuns(integrationId: $copy) { id integrationId }
        }",
        json!({"run": run, "hr": hr, "copy": copy}),
    )
    .await;
    let rest = app
        .get(
            &format!("/api/v1/sync-runs/{}", run.as_str().unwrap_or_default()),
            t,
        )
        .await
        .body;
    assert_eq!(runs["syncRun"]["status"], "SUCCEEDED");
    assert_eq!(rest["status"], "succeeded");
    assert_eq!(runs["syncRun"]["stats"], rest["stats"]);
    assert_eq!(runs["syncRun"]["attempts"], rest["attempts"]);
    assert_eq!(runs["syncRun"]["dead"], false);
    assert_eq!(
        runs["integration"]["syncRuns"][0]["id"], run,
        "newest first"
    );
    assert!(
        runs["copyRuns"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["integrationId"] == copy.as_str() && r["id"] != run)
    );

    // The hire the sync brought in is being onboarded.
    let onboarding = ok(
        &app,
        t,
        "{ workflows(kind: ONBOARDING) { nodes { trigger employee { email } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        onboarding["workflows"]["nodes"],
        json!([{"trigger": "HRIS", "employee": {"email": "zed@acme.example.com"}}])
    );
}

#[tokio::test]
async fn twenty_workflows_with_people_steps_and_assets_cost_a_bounded_number_of_queries() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let t = &s.access_token;
    let dept = app
        .post("/api/v1/departments", t, json!({"name": "Ops"}))
        .await
        .body;
    let laptops = app
        .post("/api/v1/categories", t, json!({"name": "Laptop"}))
        .await
        .body;
    for n in 0..20 {
        app.create_asset(
            t,
            json!({"name": format!("Laptop {n}"), "category_id": id(&laptops)}),
        )
        .await;
        let e = app
            .post(
                "/api/v1/employees",
                t,
                json!({"name": format!("Hire {n}"), "email": format!("hire{n}@example.com"), "department_id": id(&dept)}),
            )
            .await
            .body;
        let wf = app
            .post(
                "/api/v1/workflows",
                t,
                json!({"kind": "onboarding", "employee_id": id(&e)}),
            )
            .await
            .body;
        // Approving lets the reservation take a laptop.
        let approved = app
            .post(
                &format!(
                    "/api/v1/workflows/{}/steps/{}/approve",
                    id(&wf),
                    id(&wf["steps"][0])
                ),
                t,
                json!({}),
            )
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    }
    let query = "{ workflows(first: 20) { nodes { id employee { name department { name } }
        steps { kind status asset { tag category { name } } } } } }";
    // Several runs; the fewest statements is the request's own (the outbox relay may poll meanwhile).
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = app.state.statements.get();
        let data = ok(&app, t, query, json!({})).await;
        fewest = fewest.min(app.state.statements.get() - before);
        let nodes = data["workflows"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(nodes.len(), 20);
        assert!(
            nodes
                .iter()
                .all(|n| n["employee"]["department"]["name"] == "Ops"),
            "{data}"
        );
        let mut tags: Vec<&str> = nodes
            .iter()
            .map(|n| step(n, "RESERVE_ASSET"))
            .inspect(|r| assert_eq!(r["asset"]["category"]["name"], "Laptop"))
            .filter_map(|r| r["asset"]["tag"].as_str())
            .collect();
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), 20, "each reserved its own laptop");
    }
    // Authentication, the page with its people and steps, then one batch per nested kind: a
    // handful, where a query per workflow and per asset would be over fifty.
    assert!(
        (3..=15).contains(&fewest),
        "{fewest} statements for 20 workflows with people, steps and assets"
    );
}

#[tokio::test]
async fn another_tenants_workflows_integrations_and_runs_are_invisible() {
    let app = spawn_app().await;
    let mine = app.signup("Mine").await;
    let theirs = app.signup("Theirs").await;
    let emp = app
        .create_employee(&theirs.access_token, "Their hire")
        .await;
    let wf = start_onboarding(&app, &theirs.access_token, &id(&emp)).await;
    let integration = app
        .post(
            "/api/v1/integrations",
            &theirs.access_token,
            json!({"provider": "bamboohr", "config": {"subdomain": "theirs"}, "credentials": {"api_key": "k"}}),
        )
        .await
        .body;
    let t = &mine.access_token;
    for (doc, vars) in [
        (
            "query($id: UUID!) { workflow(id: $id) { id } }",
            json!({"id": wf["id"]}),
        ),
        (
            "mutation($w: UUID!, $s: UUID!) { approveStep(workflowId: $w, stepId: $s) { id } }",
            json!({"w": wf["id"], "s": wf["steps"][0]["id"]}),
        ),
        (
            "mutation($id: UUID!) { cancelWorkflow(id: $id) { id } }",
            json!({"id": wf["id"]}),
        ),
        (
            "query($id: UUID!) { integration(id: $id) { id } }",
            json!({"id": integration["id"]}),
        ),
        (
            "mutation($id: UUID!) { startSync(integrationId: $id) { syncRunId } }",
            json!({"id": integration["id"]}),
        ),
        (
            "mutation($id: UUID!) { testIntegration(id: $id) { ok } }",
            json!({"id": integration["id"]}),
        ),
    ] {
        let body = gql(&app, Some(t), doc, vars).await;
        assert_eq!(codes(&body), ["not_found"], "{doc}: {body}");
    }
    let data = ok(
        &app,
        t,
        "{ workflows { nodes { id } } approvals { workflowId } integrations { id } syncRuns { id } }",
        json!({}),
    )
    .await;
    assert_eq!(
        data,
        json!({"workflows": {"nodes": []}, "approvals": [], "integrations": [], "syncRuns": []})
    );
}
