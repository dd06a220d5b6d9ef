//! Slack end to end against the simulator: Slack's signed requests (events, slash commands,
//! button clicks) reach the running server and are refused when the signature is not right;
//! people look assets up and decide approvals from Slack as their Assetronics selves; what
//! concerns them reaches Slack through the outbox, once, rate limits or not.

use std::time::Duration;

use assetronics_integrations::sandbox;
use assetronics_integrations::sandbox::slack::{
    self as slack_sim, Faults, SignedDelivery, WorkspaceSeed,
};
use assetronics_integrations::slack::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_request};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TEAM: &str = "T0ACME0001";
const SIGNING_SECRET: &str = "sandbox-slack-signing-secret";
const IT_OPS: &str = "C0ITOPS001";

struct World {
    app: TestApp,
    sim: sandbox::Sandbox,
    admin: Session,
    /// The BambooHR integration (employee 1 manages 2..=11).
    hris: String,
    slack: String,
}

impl World {
    /// A Slack Request URL of the integration: `events`, `commands` or `interactivity`.
    fn receiver(&self, endpoint: &str) -> String {
        self.app
            .url(&format!("/webhooks/slack/{}/{endpoint}", self.slack))
    }

    /// Syncs the people from BambooHR.
    async fn sync(&self) {
        self.app.run_sync(&self.admin, &self.hris).await;
    }
}

/// A tenant with 12 people from the BambooHR simulator and Slack connected to the simulated
/// workspace, whose members 1..=10 are the first ten of those people.
async fn world(slack_config: Value) -> World {
    let app = spawn_app().await;
    let sim = bamboohr_simulator(12).await;
    let admin = app.signup("Acme").await;
    let hris = app.connect(&admin, bamboohr_connection(&sim)).await;
    app.run_sync(&admin, &hris).await;
    let slack = app
        .connect(&admin, slack_connection(&sim, slack_config))
        .await;
    World {
        app,
        sim,
        admin,
        hris,
        slack,
    }
}

/// Adds an Assetronics account for Slack member `n` (BambooHR employee `n`, same address).
async fn account_for_member(w: &World, n: u64, name: &str, role: &str) -> String {
    let email = slack_sim::user_email("acme.example.com", n);
    w.app.add_user(&w.admin, &email, name, role).await
}

fn hire(w: &World, first: &str) {
    hire_newcomer(&w.sim, first, 7);
}

/// The open onboarding of the newcomer called `first`.
async fn onboarding_of(w: &World, first: &str) -> Value {
    let email = format!("{}.newcomer@acme.example.com", first.to_lowercase());
    let all = w
        .app
        .get("/api/v1/workflows?kind=onboarding", &w.admin.access_token)
        .await;
    all.body["data"]
        .as_array()
        .and_then(|d| {
            d.iter()
                .find(|wf| wf["employee"]["email"] == email.as_str())
        })
        .cloned()
        .unwrap_or_else(|| panic!("no onboarding for {email}: {}", all.body))
}

async fn workflow(w: &World, id: &str) -> Value {
    w.app
        .get(&format!("/api/v1/workflows/{id}"), &w.admin.access_token)
        .await
        .body
}

async fn deliveries(w: &World) -> Vec<Value> {
    w.app.webhook_deliveries(&w.admin, &w.slack).await
}

/// The messages posted in the workspace whose blocks carry a button with `value`.
fn with_button(w: &World, value: &str) -> Vec<slack_sim::RecordedMessage> {
    w.sim
        .slack()
        .messages(TEAM)
        .into_iter()
        .filter(|m| {
            m.blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains(&format!("\"{value}\"")))
        })
        .collect()
}

/// The posts to the response URL `url`.
fn responses_to(w: &World, url: &str) -> Vec<Value> {
    w.sim
        .slack()
        .responses(TEAM)
        .into_iter()
        .filter(|r| r.url == url)
        .map(|r| r.body)
        .collect()
}

/// Sends `request` as it is, or with other headers.
async fn send(w: &World, endpoint: &str, request: SignedDelivery) -> Res {
    let mut req = w.app.client.post(w.receiver(endpoint)).body(request.body);
    for (k, v) in &request.headers {
        req = req.header(k, v);
    }
    let res = req.send().await.expect("sent");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.json().await.unwrap_or(Value::Null);
    Res {
        status,
        headers,
        body,
    }
}

/// `request` with its signature headers replaced.
fn resigned(request: &SignedDelivery, timestamp: &str, signature: &str) -> SignedDelivery {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case(SIGNATURE_HEADER) && !k.eq_ignore_ascii_case(TIMESTAMP_HEADER)
        })
        .cloned()
        .collect();
    headers.push((TIMESTAMP_HEADER.into(), timestamp.into()));
    if !signature.is_empty() {
        headers.push((SIGNATURE_HEADER.into(), signature.into()));
    }
    SignedDelivery {
        headers,
        body: request.body.clone(),
    }
}

/// Member `user` types the slash command with `text`; the answer, which only they see.
async fn ask(w: &World, user: &str, text: &str) -> Value {
    let answer = w
        .sim
        .slack()
        .signed_slash_command(&w.receiver("commands"), TEAM, user, text)
        .await
        .expect("answered");
    assert_eq!(answer.status, 200, "{text}: {}", answer.body);
    assert!(
        answer.took < Duration::from_secs(3),
        "Slack waits three seconds: {:?}",
        answer.took
    );
    let body = answer.json().expect("json");
    assert_eq!(body["response_type"], "ephemeral", "{body}");
    body
}

/// Member `user` clicks the button `action` with `value`; what the response URL then receives.
async fn click(w: &World, user: &str, action: &str, value: &str) -> Value {
    let answer = w
        .sim
        .slack()
        .signed_interaction(&w.receiver("interactivity"), TEAM, user, action, value)
        .await
        .expect("answered");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let url = answer.response_url().expect("response url");
    until_found(
        "an answer to the click",
        || async { responses_to(w, &url) },
        |r| r.last().cloned(),
    )
    .await
}

#[tokio::test]
async fn requests_without_a_valid_fresh_signature_are_refused_and_nothing_is_stored() {
    let w = world(json!({})).await;
    account_for_member(&w, 1, "Manager One", "manager").await;
    let slack = w.sim.slack();
    let requests = [
        (
            "events",
            slack
                .event_request(
                    TEAM,
                    &json!({"type": "app_home_opened", "user": "U00000001"}),
                )
                .expect("event"),
        ),
        (
            "commands",
            slack
                .slash_command_request(TEAM, "U00000001", "SN-1")
                .expect("command"),
        ),
        (
            "interactivity",
            slack
                .interaction_request(TEAM, "U00000001", "approve_step", "a:b")
                .expect("click"),
        ),
    ];
    for (endpoint, good) in &requests {
        let timestamp = good.header(TIMESTAMP_HEADER).expect("timestamp").to_owned();
        let mut tampered = good.clone();
        tampered.body.extend_from_slice(b"&text=wipe");
        let stale_at = (chrono::Utc::now() - chrono::Duration::minutes(6))
            .timestamp()
            .to_string();
        let stale = resigned(
            good,
            &stale_at,
            &sign_request(SIGNING_SECRET, &stale_at, &good.body),
        );
        let future_at = (chrono::Utc::now() + chrono::Duration::minutes(6))
            .timestamp()
            .to_string();
        let future = resigned(
            good,
            &future_at,
            &sign_request(SIGNING_SECRET, &future_at, &good.body),
        );
        let other_secret = resigned(
            good,
            &timestamp,
            &sign_request("another-secret", &timestamp, &good.body),
        );
        let unsigned = resigned(good, &timestamp, "");
        for (why, bad) in [
            ("tampered", tampered),
            ("stale", stale),
            ("from the future", future),
            ("another secret", other_secret),
            ("unsigned", unsigned),
        ] {
            let res = send(&w, endpoint, bad).await;
            assert_eq!(
                res.status,
                StatusCode::UNAUTHORIZED,
                "{endpoint} {why}: {}",
                res.body
            );
            assert_eq!(res.problem_code(), "invalid_signature", "{endpoint} {why}");
        }
    }
    assert!(deliveries(&w).await.is_empty(), "nothing is stored");
    assert!(slack.responses(TEAM).is_empty(), "nothing is answered");

    // The same requests, untouched, are accepted; the event and the click are stored once each.
    for (endpoint, good) in &requests {
        let res = send(&w, endpoint, good.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{endpoint}: {}", res.body);
    }
    let stored = until(
        "the deliveries are processed",
        || deliveries(&w),
        |d| d.len() == 2 && d.iter().all(|d| d["status"] == "processed"),
    )
    .await;
    let mut kinds: Vec<&str> = stored
        .iter()
        .filter_map(|d| d["event_type"].as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["event:app_home_opened", "interaction:block_actions"]
    );

    // A disabled integration takes nothing, however well signed.
    let disabled = w
        .app
        .patch(
            &format!("/api/v1/integrations/{}", w.slack),
            &w.admin.access_token,
            json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    let answer = slack
        .signed_url_verification(&w.receiver("events"), TEAM)
        .await
        .expect("answered");
    assert_eq!(answer.status, 404, "{}", answer.body);
}

#[tokio::test]
async fn url_verification_is_answered_with_the_challenge_and_events_are_stored_once() {
    let w = world(json!({})).await;
    let slack = w.sim.slack();
    let answer = slack
        .signed_url_verification(&w.receiver("events"), TEAM)
        .await
        .expect("answered");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let sent: Value = serde_json::from_slice(&answer.request.body).expect("json");
    let challenge = sent["challenge"].as_str().expect("challenge");
    assert!(!challenge.is_empty());
    assert_eq!(answer.json().expect("json")["challenge"], challenge);
    assert!(
        deliveries(&w).await.is_empty(),
        "the handshake is not stored"
    );

    let event = slack
        .signed_event(
            &w.receiver("events"),
            TEAM,
            &json!({"type": "app_home_opened", "user": "U00000003", "channel": "D00000003"}),
        )
        .await
        .expect("answered");
    assert_eq!(event.status, 200, "{}", event.body);
    // Slack redelivers an event it thinks went unanswered, with the same event_id.
    let again = slack
        .send(&w.receiver("events"), event.request.clone())
        .await
        .expect("answered");
    assert_eq!(again.status, 200, "{}", again.body);
    let stored = until(
        "the event is processed",
        || deliveries(&w),
        |d| d.len() == 1 && d[0]["status"] == "processed",
    )
    .await;
    assert_eq!(stored[0]["provider"], "slack");
    assert_eq!(stored[0]["event_type"], "event:app_home_opened");
}

#[tokio::test]
async fn a_slash_command_looks_assets_up_for_the_person_who_typed_it() {
    let w = world(json!({})).await;
    account_for_member(&w, 2, "Ivy Admin", "admin").await;
    let t = &w.admin.access_token;
    let laptop = w
        .app
        .create_asset(
            t,
            json!({"name": "MacBook Pro 14", "serial_number": "C02XG0FDH7JY"}),
        )
        .await;
    w.app
        .create_asset(
            t,
            json!({"name": "MacBook Air 13", "serial_number": "FVFXC2"}),
        )
        .await;
    w.app
        .create_asset(t, json!({"name": "Dell U2723QE monitor"}))
        .await;
    let tag = laptop["tag"].as_str().expect("tag");
    for query in [
        tag.to_owned(),
        tag.to_lowercase(),
        "C02XG0FDH7JY".to_owned(),
    ] {
        let found = ask(&w, "U00000002", &query).await;
        let blocks = found["blocks"].to_string();
        assert!(blocks.contains(tag), "{query}: {found}");
        assert!(blocks.contains("MacBook Pro 14"), "{query}: {found}");
        assert!(blocks.contains("C02XG0FDH7JY"), "{query}: {found}");
        assert!(
            !blocks.contains("MacBook Air"),
            "{query}: one asset: {found}"
        );
    }
    let by_name = ask(&w, "U00000002", "macbook").await;
    let text = by_name["text"].as_str().expect("text");
    assert!(
        text.contains("MacBook Pro 14") && text.contains("MacBook Air 13"),
        "{by_name}"
    );
    assert!(!text.contains("Dell"), "{by_name}");

    let none = ask(&w, "U00000002", "ThinkPad").await;
    assert_eq!(none["text"], "No asset matches “ThinkPad”.");
    assert!(none.get("blocks").is_none());

    // Member 3 is in the workspace but has no Assetronics account.
    let stranger = ask(&w, "U00000003", tag).await;
    let text = stranger["text"].as_str().expect("text");
    assert!(text.contains("Assetronics account"), "{stranger}");
    assert!(!stranger.to_string().contains("MacBook"), "{stranger}");
}

#[tokio::test]
async fn an_approval_is_asked_in_slack_and_approved_from_the_message_once() {
    let w = world(json!({"notify_channel": IT_OPS})).await;
    let manager_id = account_for_member(&w, 1, "Manager One", "manager").await;
    hire(&w, "Ada");
    w.sync().await;
    let wf = onboarding_of(&w, "Ada").await;
    let approval = step(&wf, "approval");
    assert_eq!(approval["status"], "active");
    assert_eq!(approval["assignee_user_id"], manager_id.as_str());
    let value = format!(
        "{}:{}",
        wf["id"].as_str().expect("id"),
        approval["id"].as_str().expect("id")
    );

    // The approver gets a DM with the buttons, once.
    let asked = until(
        "the approval request reaches Slack",
        || async { with_button(&w, &value) },
        |m| !m.is_empty(),
    )
    .await;
    assert_eq!(asked.len(), 1);
    let dm = &asked[0];
    assert_eq!(dm.channel_id, "D00000001", "a DM to the manager: {dm:?}");
    let text = dm.text.as_deref().unwrap_or_default();
    assert!(text.contains("Ada Newcomer"), "{text}");
    let blocks = dm.blocks.as_ref().expect("blocks").to_string();
    assert!(blocks.contains("approve_step") && blocks.contains("reject_step"));

    // The manager clicks Approve.
    let click = w
        .sim
        .slack()
        .signed_interaction(
            &w.receiver("interactivity"),
            TEAM,
            "U00000001",
            "approve_step",
            &value,
        )
        .await
        .expect("answered");
    assert_eq!(click.status, 200, "{}", click.body);
    assert!(click.took < Duration::from_secs(3), "{:?}", click.took);
    let response_url = click.response_url().expect("response url");
    let outcome = until_found(
        "the outcome replaces the message",
        || async { responses_to(&w, &response_url) },
        |r| r.last().cloned(),
    )
    .await;
    assert_eq!(outcome["replace_original"], true, "{outcome}");
    let said = outcome["text"].as_str().expect("text");
    assert!(said.starts_with("Approved by Manager One"), "{said}");

    let wf = workflow(&w, wf["id"].as_str().expect("id")).await;
    let approval = step(&wf, "approval");
    assert_eq!(approval["status"], "done");
    assert_eq!(approval["decided_by"], manager_id.as_str());
    assert_eq!(approval["note"], "Approved in Slack");
    assert_eq!(
        step(&wf, "reserve_asset")["status"],
        "blocked",
        "nothing in stock"
    );

    // Slack retrying the same click changes nothing.
    let replay = w
        .sim
        .slack()
        .send(&w.receiver("interactivity"), click.request.clone())
        .await
        .expect("answered");
    assert_eq!(replay.status, 200, "{}", replay.body);
    let stored = until(
        "the click is processed",
        || deliveries(&w),
        |d| d.iter().all(|d| d["status"] == "processed"),
    )
    .await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    holds_for(
        Duration::from_millis(800),
        "one answer to the click",
        || async { responses_to(&w, &response_url).len() },
        |n| *n <= 1,
    )
    .await;
    assert_eq!(responses_to(&w, &response_url).len(), 1);
    assert_eq!(workflow(&w, wf["id"].as_str().expect("id")).await, wf);
    assert_eq!(with_button(&w, &value).len(), 1, "asked once");
}

#[tokio::test]
async fn a_click_from_someone_who_may_not_decide_is_refused_in_the_response() {
    let w = world(json!({})).await;
    account_for_member(&w, 1, "Manager One", "manager").await;
    account_for_member(&w, 3, "Mel Member", "member").await;
    hire(&w, "Bob");
    w.sync().await;
    let wf = onboarding_of(&w, "Bob").await;
    let wf_id = wf["id"].as_str().expect("id").to_owned();
    let value = format!(
        "{wf_id}:{}",
        step(&wf, "approval")["id"].as_str().expect("id")
    );
    until(
        "the approval request reaches Slack",
        || async { with_button(&w, &value) },
        |m| !m.is_empty(),
    )
    .await;

    // Member 2 has no Assetronics account; member 3 is an Assetronics member, who may not
    // decide approvals.
    let stranger = click(&w, "U00000002", "approve_step", &value).await;
    assert_eq!(stranger["replace_original"], false, "{stranger}");
    assert!(
        stranger["text"]
            .as_str()
            .is_some_and(|t| t.contains("Assetronics account")),
        "{stranger}"
    );
    let member = click(&w, "U00000003", "approve_step", &value).await;
    assert_eq!(member["replace_original"], false, "{member}");
    assert!(
        member["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Not done:") && t.contains("role")),
        "{member}"
    );
    let wf = workflow(&w, &wf_id).await;
    assert_eq!(step(&wf, "approval")["status"], "active");
    assert_eq!(wf["status"], "open");

    // The manager may: Reject ends the onboarding.
    let rejected = click(&w, "U00000001", "reject_step", &value).await;
    assert_eq!(rejected["replace_original"], true, "{rejected}");
    assert!(
        rejected["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Rejected by Manager One")),
        "{rejected}"
    );
    let wf = workflow(&w, &wf_id).await;
    assert_eq!(wf["status"], "rejected");
    assert_eq!(step(&wf, "approval")["status"], "rejected");
    assert_eq!(step(&wf, "approval")["note"], "Rejected in Slack");

    // A later click on the old message is told the step is decided.
    let late = click(&w, "U00000001", "approve_step", &value).await;
    assert!(
        late["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Not done:")),
        "{late}"
    );
    assert_eq!(workflow(&w, &wf_id).await["status"], "rejected");
}

#[tokio::test]
async fn a_check_out_tells_the_holder_in_slack() {
    let w = world(json!({})).await;
    let t = &w.admin.access_token;
    // BambooHR employee 4 is Slack member 4.
    let email = slack_sim::user_email("acme.example.com", 4);
    let people = w
        .app
        .get(
            &format!("/api/v1/employees?q={}", email.replace('@', "%40")),
            t,
        )
        .await;
    let holder = people.body["data"][0].clone();
    assert_eq!(holder["email"], email.as_str(), "{}", people.body);
    let laptop = w
        .app
        .create_asset(
            t,
            json!({"name": "MacBook Pro 16", "serial_number": "SN-CO-1"}),
        )
        .await;
    let res = w
        .app
        .post(
            &format!("/api/v1/assets/{}/checkout", id(&laptop)),
            t,
            json!({"employee_id": holder["id"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let expected = format!(
        "You now have {} MacBook Pro 16",
        laptop["tag"].as_str().expect("tag")
    );
    let sent = until_found(
        "the DM reaches Slack",
        || async { w.sim.slack().messages(TEAM) },
        |m| {
            m.iter()
                .find(|m| m.text.as_deref() == Some(expected.as_str()))
                .cloned()
        },
    )
    .await;
    assert_eq!(sent.channel_id, "D00000004");
}

#[tokio::test]
async fn a_rate_limited_notice_is_retried_and_posted_once() {
    let w = world(json!({"notify_channel": IT_OPS})).await;
    // A sync that fails for good (BambooHR refuses the key) is told to the notify channel; Slack
    // answers the first post with 429.
    let broken = w
        .app
        .patch(
            &format!("/api/v1/integrations/{}", w.hris),
            &w.admin.access_token,
            json!({"credentials": {"api_key": "wrong-key"}}),
        )
        .await;
    assert_eq!(broken.status, StatusCode::OK, "{}", broken.body);
    assert!(w.sim.slack().set_faults(
        TEAM,
        Faults {
            rate_limit_next: 1,
            retry_after_secs: Some(1),
            ..Faults::default()
        }
    ));
    let run_id = w.app.sync_now(&w.admin, &w.hris).await;
    let notice = until_found(
        "the notice reaches #it-ops",
        || async { w.sim.slack().messages(TEAM) },
        |m| m.iter().find(|m| m.channel_id == IT_OPS).cloned(),
    )
    .await;
    let text = notice.text.as_deref().unwrap_or_default();
    assert!(
        text.contains("bamboohr") && text.contains("sync failed"),
        "{text}"
    );
    let run = w.app.sync_run(&w.admin, &run_id).await;
    assert_eq!(run["status"], "failed", "{run}");
    // Refused once, then posted; nothing more.
    assert_eq!(w.sim.slack().requests(TEAM), 2);
    holds_for(
        Duration::from_millis(1500),
        "no more requests to Slack",
        || async { w.sim.slack().requests(TEAM) },
        |n| *n <= 2,
    )
    .await;
    let posted: Vec<_> = w
        .sim
        .slack()
        .messages(TEAM)
        .into_iter()
        .filter(|m| m.channel_id == IT_OPS)
        .collect();
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(w.sim.slack().requests(TEAM), 2);
    // The second attempt was the outbox job's own retry.
    let outbox = outbox(&w).await;
    assert_eq!(outbox, [("sent".to_owned(), 2)], "{outbox:?}");
}

/// Every outbox row's status and attempts (under the API: the outbox has no endpoint).
async fn outbox(w: &World) -> Vec<(String, i32)> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = w.app.db.get_database_backend();
    w.app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT status, attempts FROM slack_messages ORDER BY created_at",
        ))
        .await
        .expect("query")
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "status").expect("status"),
                r.try_get::<i32>("", "attempts").expect("attempts"),
            )
        })
        .collect()
}

#[tokio::test]
async fn without_a_slack_integration_nothing_is_queued_and_a_burst_is_paced_by_slack() {
    let w = world(json!({})).await;
    // A workspace that takes one message a second per channel.
    w.sim.slack().put_workspace(WorkspaceSeed {
        post_burst: 1,
        ..WorkspaceSeed::default()
    });
    let t = &w.admin.access_token;
    let email = slack_sim::user_email("acme.example.com", 5);
    let holder = id(&w.app.employee_by_email(t, &email).await);
    let mut tags = vec![];
    for n in 0..2 {
        let a = w
            .app
            .create_asset(t, json!({"name": format!("Monitor {n}")}))
            .await;
        w.app.check_out(t, &id(&a), &holder).await;
        tags.push(a["tag"].as_str().expect("tag").to_owned());
    }
    let sent = until(
        "every DM reaches Slack",
        || async {
            w.sim
                .slack()
                .messages(TEAM)
                .into_iter()
                .filter(|m| m.channel_id == "D00000005")
                .collect::<Vec<_>>()
        },
        |m| m.len() >= 2,
    )
    .await;
    for tag in &tags {
        let n = sent
            .iter()
            .filter(|m| m.text.as_deref().is_some_and(|t| t.contains(tag.as_str())))
            .count();
        assert_eq!(n, 1, "{tag} once: {sent:?}");
    }
    // Slack took one at once and asked the other to wait a second.
    let mut attempts: Vec<i32> = outbox(&w).await.into_iter().map(|(_, n)| n).collect();
    attempts.sort_unstable();
    assert_eq!(attempts, [1, 2]);

    // Disconnected, Slack hears nothing: the outbox takes nothing.
    let gone = w
        .app
        .delete(&format!("/api/v1/integrations/{}", w.slack), t)
        .await;
    assert!(gone.status.is_success(), "{}", gone.body);
    let a = w.app.create_asset(t, json!({"name": "Dock"})).await;
    w.app.check_out(t, &id(&a), &holder).await;
    assert!(
        outbox(&w).await.is_empty(),
        "the integration's messages went with it"
    );
    holds_for(
        Duration::from_millis(600),
        "Slack hears nothing of the Dock",
        || async { w.sim.slack().messages(TEAM) },
        |m| {
            !m.iter()
                .any(|m| m.text.as_deref().is_some_and(|t| t.contains("Dock")))
        },
    )
    .await;
    let messages = w.sim.slack().messages(TEAM);
    assert!(
        !messages
            .iter()
            .any(|m| m.text.as_deref().is_some_and(|t| t.contains("Dock"))),
        "{messages:?}"
    );
}

#[tokio::test]
async fn a_certificate_probe_of_the_command_url_is_answered_and_nothing_is_stored() {
    let w = world(json!({})).await;
    // Slack's `ssl_check` probe carries no signature; its SDKs answer it 200 before anything else.
    let probe = w
        .app
        .client
        .post(w.receiver("commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("ssl_check=1&token=legacy-verification-token")
        .send()
        .await
        .expect("sent");
    assert_eq!(probe.status(), StatusCode::OK);
    assert!(probe.text().await.unwrap_or_default().is_empty());
    assert!(deliveries(&w).await.is_empty(), "nothing is stored");
    // Any other unsigned command is still refused.
    let unsigned = w
        .app
        .client
        .post(w.receiver("commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("command=%2Fasset&text=SN-1&ssl_check=0")
        .send()
        .await
        .expect("sent");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
}
