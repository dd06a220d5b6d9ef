//! The Slack client against the in-process Slack simulator, and the simulator's signed requests
//! (slash commands, clicks, events) against a receiver that checks them with the client's
//! verifier.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use assetronics_integrations::http::{HttpPolicy, VendorError};
use assetronics_integrations::sandbox::slack::{ChannelSeed, WorkspaceSeed, user_email, user_id};
use assetronics_integrations::sandbox::{Sandbox, SandboxConfig, spawn};
use assetronics_integrations::slack::{
    APPROVE_ACTION_ID, BotToken, EventEnvelope, Interaction, REJECT_ACTION_ID, SIGNATURE_HEADER,
    SlackClient, SlackConfig, SlackError, SlackMessage, TIMESTAMP_HEADER, approval_request_blocks,
    parse_event, parse_interaction, parse_slash_command, verify_request,
};
use assetronics_integrations::webhooks::WebhookError;
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::support::{control_api, fast_policy};

pub const TEAM: &str = "T0TEST0001";
pub const TOKEN: &str = "xoxb-test-token";
pub const SECRET: &str = "test-signing-secret";
pub const DOMAIN: &str = "hooli.example.com";
const GENERAL: &str = "C0GENERAL1";
const IT: &str = "C0ITOPS001";

fn seed(post_burst: u32) -> WorkspaceSeed {
    WorkspaceSeed {
        team_id: TEAM.into(),
        team_name: "Hooli".into(),
        domain: "hooli".into(),
        bot_token: TOKEN.into(),
        signing_secret: SECRET.into(),
        people: 5,
        user_domain: DOMAIN.into(),
        channels: vec![
            ChannelSeed {
                id: GENERAL.into(),
                name: "general".into(),
            },
            ChannelSeed {
                id: IT.into(),
                name: "it-ops".into(),
            },
        ],
        post_burst,
        ..WorkspaceSeed::default()
    }
}

pub async fn sandbox_with(post_burst: u32) -> Sandbox {
    spawn(SandboxConfig {
        slack_workspaces: vec![seed(post_burst)],
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(sandbox: &Sandbox, token: &str, policy: HttpPolicy) -> SlackClient {
    SlackClient::new(SlackConfig {
        bot_token: BotToken::new(token),
        base_url: Some(sandbox.slack_base_url()),
        policy,
    })
    .unwrap()
}

fn message(channel: &str, text: &str) -> SlackMessage {
    SlackMessage {
        channel: channel.into(),
        text: text.into(),
        blocks: None,
    }
}

#[tokio::test]
async fn auth_test_names_the_workspace_and_the_bot() {
    let sandbox = sandbox_with(5).await;
    let identity = client(&sandbox, TOKEN, fast_policy())
        .auth_test()
        .await
        .unwrap();
    assert_eq!(identity.team_id, TEAM);
    assert_eq!(identity.team, "Hooli");
    assert_eq!(identity.user_id, WorkspaceSeed::default().bot_user_id);
    assert_eq!(identity.bot_id, Some(WorkspaceSeed::default().bot_id));
    assert_eq!(sandbox.slack().requests(TEAM), 1);
}

#[tokio::test]
async fn posted_messages_are_recorded() {
    let sandbox = sandbox_with(5).await;
    let slack = client(&sandbox, TOKEN, fast_policy());
    let blocks = approval_request_blocks(
        "Laptop request",
        "Ada asks for a MacBook Pro",
        "approve:7",
        "reject:7",
    );
    let posted = slack
        .post_message(&SlackMessage {
            channel: IT.into(),
            text: "Laptop request from Ada".into(),
            blocks: Some(blocks.clone()),
        })
        .await
        .unwrap();
    assert_eq!(posted.channel, IT);

    // A user id posts to the user's DM; a channel name is accepted too.
    let dm = slack
        .post_message(&message(&user_id(2), "Your laptop is ready"))
        .await
        .unwrap();
    assert!(dm.channel.starts_with('D'), "{dm:?}");
    slack
        .post_message(&message("#general", "hello"))
        .await
        .unwrap();

    let messages = sandbox.slack().messages(TEAM);
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0].channel_id, IT);
    assert_eq!(messages[0].ts, posted.ts);
    assert_eq!(messages[0].text.as_deref(), Some("Laptop request from Ada"));
    assert_eq!(messages[0].blocks.as_ref(), Some(&blocks));
    assert_eq!(messages[1].channel, user_id(2));
    assert_eq!(messages[1].channel_id, dm.channel);
    assert_eq!(messages[2].channel_id, GENERAL);
    assert_ne!(messages[0].ts, messages[2].ts);

    // The control API shows the same.
    let path = format!("slack/{TEAM}/messages");
    let listed = control_api(&sandbox, &path, reqwest::Method::GET, Value::Null).await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert_eq!(listed[0]["ts"], posted.ts.as_str());
}

#[tokio::test]
async fn slack_api_errors_come_with_http_200_and_are_classified() {
    let sandbox = sandbox_with(5).await;
    let slack = client(&sandbox, TOKEN, fast_policy());
    let err = slack
        .post_message(&message("C0NOWHERE1", "lost"))
        .await
        .unwrap_err();
    assert_eq!(err.api_error(), Some("channel_not_found"));
    assert!(!err.needs_attention() && !err.is_retryable());
    let err = slack.post_message(&message(IT, " ")).await.unwrap_err();
    assert_eq!(err.api_error(), Some("no_text"));
    assert_eq!(sandbox.slack().requests(TEAM), 2, "neither is retried");
    assert!(sandbox.slack().messages(TEAM).is_empty());
}

#[tokio::test]
async fn an_invalid_token_needs_attention_and_is_not_retried() {
    let sandbox = sandbox_with(5).await;
    let err = client(&sandbox, "xoxb-revoked", fast_policy())
        .post_message(&message(IT, "hello"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SlackError::Api {
            error: "invalid_auth".into()
        }
    );
    assert!(err.needs_attention() && !err.is_retryable());
    assert_eq!(sandbox.slack().unattributed_requests(), 1);
    let err = client(&sandbox, "", fast_policy())
        .auth_test()
        .await
        .unwrap_err();
    assert_eq!(err.api_error(), Some("not_authed"));
    assert!(err.needs_attention());
    assert_eq!(sandbox.slack().unattributed_requests(), 2);
    assert!(sandbox.slack().messages(TEAM).is_empty());
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_retry_after_says() {
    let sandbox = sandbox_with(5).await;
    let path = format!("slack/{TEAM}/faults");
    let faults = json!({"rate_limit_next": 1, "retry_after_secs": 1});
    control_api(&sandbox, &path, reqwest::Method::POST, faults).await;
    let started = Instant::now();
    client(&sandbox, TOKEN, fast_policy())
        .post_message(&message(IT, "hello"))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(sandbox.slack().requests(TEAM), 2);
    assert_eq!(sandbox.slack().messages(TEAM).len(), 1);
}

#[tokio::test]
async fn a_channel_takes_about_one_message_a_second() {
    let sandbox = sandbox_with(2).await;
    let slack = client(&sandbox, TOKEN, fast_policy());
    let started = Instant::now();
    for n in 0..2 {
        slack
            .post_message(&message(IT, &format!("burst {n}")))
            .await
            .unwrap();
    }
    // Another channel has its own allowance.
    slack
        .post_message(&message(GENERAL, "elsewhere"))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    // The third message to the channel is refused with Retry-After: 1, waited for, retried.
    slack.post_message(&message(IT, "burst 2")).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(sandbox.slack().requests(TEAM), 5);
    assert_eq!(sandbox.slack().messages(TEAM).len(), 4);

    // Without retries the 429 comes back, with Slack's wait.
    let impatient = client(
        &sandbox,
        TOKEN,
        HttpPolicy {
            max_retries: 0,
            ..fast_policy()
        },
    );
    let err = impatient
        .post_message(&message(IT, "too soon"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SlackError::Vendor(VendorError::RateLimited { .. })),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn a_long_retry_after_is_returned_not_slept() {
    let sandbox = sandbox_with(5).await;
    let path = format!("slack/{TEAM}/faults");
    let faults = json!({"rate_limit_next": 1, "retry_after_secs": 3600});
    control_api(&sandbox, &path, reqwest::Method::POST, faults).await;
    let started = Instant::now();
    let err = client(&sandbox, TOKEN, fast_policy())
        .post_message(&message(IT, "hello"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.is_retryable() && !err.needs_attention());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(sandbox.slack().requests(TEAM), 1);
}

#[tokio::test]
async fn a_server_error_is_retried_then_succeeds() {
    let sandbox = sandbox_with(5).await;
    let path = format!("slack/{TEAM}/faults");
    control_api(
        &sandbox,
        &path,
        reqwest::Method::POST,
        json!({"fail_next": 1}),
    )
    .await;
    let posted = client(&sandbox, TOKEN, fast_policy())
        .post_message(&message(IT, "hello"))
        .await
        .unwrap();
    assert_eq!(sandbox.slack().requests(TEAM), 2);
    assert_eq!(sandbox.slack().messages(TEAM)[0].ts, posted.ts);

    // An outage that outlasts the retries comes back retryable.
    control_api(
        &sandbox,
        &path,
        reqwest::Method::POST,
        json!({"fail_next": 10}),
    )
    .await;
    let patient = HttpPolicy {
        breaker_failures: 10,
        ..fast_policy()
    };
    let err = client(&sandbox, TOKEN, patient)
        .auth_test()
        .await
        .unwrap_err();
    assert!(
        matches!(err, SlackError::Vendor(VendorError::Unavailable { ref message, .. }) if message == "internal_error"),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.needs_attention());
}

#[tokio::test]
async fn users_are_found_by_id_and_by_email() {
    let sandbox = sandbox_with(5).await;
    let slack = client(&sandbox, TOKEN, fast_policy());
    let email = user_email(DOMAIN, 3);
    assert_eq!(
        slack.user_email(&user_id(3)).await.unwrap(),
        Some(email.clone())
    );
    assert_eq!(
        slack.user_id_by_email(&email.to_uppercase()).await.unwrap(),
        Some(user_id(3))
    );
    assert_eq!(
        slack
            .user_id_by_email("nobody@hooli.example.com")
            .await
            .unwrap(),
        None
    );
    assert_eq!(slack.user_email("U404").await.unwrap(), None);
    let bot = WorkspaceSeed::default().bot_user_id;
    assert_eq!(
        slack.user_email(&bot).await.unwrap(),
        None,
        "a bot has none"
    );
    assert_eq!(
        slack.user_id_by_email("not an address").await.unwrap(),
        None
    );
    assert_eq!(
        sandbox.slack().requests(TEAM),
        5,
        "no call for a non-address"
    );
}

/// One request as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    body: Vec<u8>,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

/// Answers a request the way the backend will: checks the signature (401 when wrong), reads the
/// body by its path, answers a slash command with an ephemeral message, echoes a
/// `url_verification` challenge, acknowledges the rest.
async fn receive(inbox: web::Data<Inbox>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    if verify_request(
        SECRET,
        header(TIMESTAMP_HEADER),
        &body,
        header(SIGNATURE_HEADER),
        Utc::now(),
    )
    .is_err()
    {
        return HttpResponse::Unauthorized().finish();
    }
    inbox.lock().unwrap().push(Received {
        path: request.path().to_owned(),
        body: body.to_vec(),
    });
    match request.path() {
        "/slack/commands" => {
            let command = parse_slash_command(&body).unwrap();
            HttpResponse::Ok().json(json!({
                "response_type": "ephemeral",
                "text": format!("Looking up {}…", command.text),
            }))
        }
        "/slack/events" => match parse_event(&body).unwrap() {
            EventEnvelope::UrlVerification { challenge } => HttpResponse::Ok()
                .content_type("text/plain")
                .body(challenge),
            _ => HttpResponse::Ok().finish(),
        },
        _ => HttpResponse::Ok().finish(),
    }
}

/// A receiver on a free port; answers its base URL.
async fn receiver() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let data = web::Data::new(inbox.clone());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, inbox)
}

#[tokio::test]
async fn slash_commands_are_signed_and_answered_later_through_the_response_url() {
    let sandbox = sandbox_with(5).await;
    let (url, inbox) = receiver().await;
    let commands = format!("{url}/slack/commands");
    let answer = sandbox
        .slack()
        .signed_slash_command(&commands, TEAM, &user_id(4), "ASSET-0042")
        .await
        .unwrap();
    assert!(answer.accepted(), "{answer:?}");
    assert_eq!(answer.json().unwrap()["text"], "Looking up ASSET-0042…");
    let got = inbox.lock().unwrap()[0].clone();
    assert_eq!(got.path, "/slack/commands");
    assert_eq!(
        answer.request.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let command = parse_slash_command(&got.body).unwrap();
    assert_eq!(command.user_id, user_id(4));
    assert_eq!(command.team_id, TEAM);
    assert_eq!(command.channel_id, GENERAL);
    assert_eq!(command.command, "/assetronics");
    assert_eq!(Some(command.response_url.clone()), answer.response_url());

    // The full answer comes later, through the response URL.
    let slack = client(&sandbox, TOKEN, fast_policy());
    let body = json!({"response_type": "ephemeral", "text": "ASSET-0042: MacBook Pro, assigned"});
    slack.respond(&command.response_url, &body).await.unwrap();
    let responses = sandbox.slack().responses(TEAM);
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].url, command.response_url);
    assert_eq!(responses[0].body, body);
    let path = format!("slack/{TEAM}/responses");
    let listed = control_api(&sandbox, &path, reqwest::Method::GET, Value::Null).await;
    assert_eq!(listed[0]["body"], body);

    // Five posts a response URL, as Slack allows.
    for _ in 0..4 {
        slack.respond(&command.response_url, &body).await.unwrap();
    }
    let err = slack
        .respond(&command.response_url, &body)
        .await
        .unwrap_err();
    assert_eq!(err.api_error(), Some("used_url"));
    let unknown = format!("{}/slack/response/T0TEST0001-999-0", sandbox.url());
    let err = slack.respond(&unknown, &body).await.unwrap_err();
    assert_eq!(err.api_error(), Some("expired_url"));
    assert!(!err.is_retryable());
    assert_eq!(sandbox.slack().responses(TEAM).len(), 5);
    assert_eq!(sandbox.slack().requests(TEAM), 0, "no Web API call");
}

#[tokio::test]
async fn tampered_stale_and_foreign_requests_are_refused() {
    let sandbox = sandbox_with(5).await;
    let (url, inbox) = receiver().await;
    let commands = format!("{url}/slack/commands");
    let request = sandbox
        .slack()
        .slash_command_request(TEAM, &user_id(1), "list")
        .unwrap();
    let timestamp = request.header(TIMESTAMP_HEADER).unwrap().to_owned();
    let signature = request.header(SIGNATURE_HEADER).unwrap().to_owned();
    verify_request(SECRET, &timestamp, &request.body, &signature, Utc::now()).unwrap();
    assert_eq!(
        verify_request(
            SECRET,
            &timestamp,
            &request.body,
            &signature,
            Utc::now() + TimeDelta::minutes(10)
        ),
        Err(WebhookError::Stale { skew_secs: 600 }),
        "a replay ten minutes later"
    );

    let mut tampered = request.clone();
    let body = String::from_utf8(tampered.body).unwrap();
    tampered.body = body.replace("text=list", "text=wipe+all").into_bytes();
    assert_eq!(
        verify_request(SECRET, &timestamp, &tampered.body, &signature, Utc::now()),
        Err(WebhookError::BadSignature)
    );
    let answer = sandbox.slack().send(&commands, tampered).await.unwrap();
    assert_eq!(answer.status, 401);

    // A workspace with another signing secret is not ours.
    sandbox.slack().put_workspace(WorkspaceSeed {
        team_id: "T0OTHER001".into(),
        bot_token: "xoxb-other".into(),
        signing_secret: "someone-elses-secret".into(),
        ..WorkspaceSeed::default()
    });
    let foreign = sandbox
        .slack()
        .signed_slash_command(&commands, "T0OTHER001", &user_id(1), "list")
        .await
        .unwrap();
    assert_eq!(foreign.status, 401);

    // The untouched request still passes.
    let answer = sandbox.slack().send(&commands, request).await.unwrap();
    assert!(answer.accepted());
    assert_eq!(inbox.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_click_on_a_posted_approval_names_the_message_and_the_step() {
    let sandbox = sandbox_with(5).await;
    let (url, inbox) = receiver().await;
    let slack = client(&sandbox, TOKEN, fast_policy());
    let approver = user_id(2);
    let posted = slack
        .post_message(&SlackMessage {
            channel: approver.clone(),
            text: "Approve Ada's laptop?".into(),
            blocks: Some(approval_request_blocks(
                "Laptop request",
                "Ada asks for a MacBook Pro",
                "approve:step-9",
                "reject:step-9",
            )),
        })
        .await
        .unwrap();

    let interactions = format!("{url}/slack/interactions");
    let answer = sandbox
        .slack()
        .signed_interaction(
            &interactions,
            TEAM,
            &approver,
            REJECT_ACTION_ID,
            "reject:step-9",
        )
        .await
        .unwrap();
    assert!(answer.accepted(), "{answer:?}");
    let got = inbox.lock().unwrap()[0].clone();
    let Interaction::BlockActions(click) = parse_interaction(&got.body).unwrap() else {
        panic!("not block_actions");
    };
    assert_eq!(click.user_id, approver);
    assert_eq!(click.team_id, TEAM);
    assert_eq!(click.channel_id.as_deref(), Some(posted.channel.as_str()));
    assert_eq!(click.message_ts.as_deref(), Some(posted.ts.as_str()));
    assert_eq!(click.actions.len(), 1);
    assert_eq!(click.actions[0].action_id, REJECT_ACTION_ID);
    assert_eq!(click.actions[0].value.as_deref(), Some("reject:step-9"));
    assert_eq!(click.actions[0].block_id, "approval_actions");

    // The app replaces the message with the outcome.
    let response_url = click.response_url.unwrap();
    let outcome = json!({"replace_original": true, "text": "Rejected by you"});
    slack.respond(&response_url, &outcome).await.unwrap();
    assert_eq!(sandbox.slack().responses(TEAM)[0].body, outcome);

    // A click on a button of no posted message still reaches the receiver, from the DM.
    sandbox
        .slack()
        .signed_interaction(
            &interactions,
            TEAM,
            &approver,
            APPROVE_ACTION_ID,
            "approve:x",
        )
        .await
        .unwrap();
    let got = inbox.lock().unwrap()[1].clone();
    let Interaction::BlockActions(click) = parse_interaction(&got.body).unwrap() else {
        panic!("not block_actions");
    };
    assert_eq!(click.channel_id.as_deref(), Some(posted.channel.as_str()));
    assert_ne!(click.message_ts.as_deref(), Some(posted.ts.as_str()));
    assert!(matches!(
        sandbox
            .slack()
            .signed_interaction(&interactions, TEAM, "U404", APPROVE_ACTION_ID, "x")
            .await,
        Err(assetronics_integrations::sandbox::slack::SimulatedRequestError::UnknownUser { .. })
    ));
}

#[tokio::test]
async fn events_api_handshake_and_events_are_signed_json() {
    let sandbox = sandbox_with(5).await;
    let (url, inbox) = receiver().await;
    let events = format!("{url}/slack/events");
    let answer = sandbox
        .slack()
        .signed_url_verification(&events, TEAM)
        .await
        .unwrap();
    assert!(answer.accepted());
    assert_eq!(
        answer.request.header("Content-Type"),
        Some("application/json")
    );
    let EventEnvelope::UrlVerification { challenge } = parse_event(&answer.request.body).unwrap()
    else {
        panic!("not url_verification");
    };
    assert_eq!(answer.body, challenge, "the receiver echoed the challenge");

    let event = json!({"type": "app_home_opened", "user": user_id(1), "channel": "D00000001", "tab": "home"});
    let first = sandbox
        .slack()
        .signed_event(&events, TEAM, &event)
        .await
        .unwrap();
    let second = sandbox
        .slack()
        .signed_event(&events, TEAM, &event)
        .await
        .unwrap();
    assert!(first.accepted() && second.accepted());
    let read = |n: usize| parse_event(&inbox.lock().unwrap()[n].body).unwrap();
    let (
        EventEnvelope::EventCallback {
            event_id: a,
            team_id,
            event: got,
        },
        EventEnvelope::EventCallback { event_id: b, .. },
    ) = (read(1), read(2))
    else {
        panic!("not event_callback");
    };
    assert_eq!(team_id, TEAM);
    assert_eq!(got, event);
    assert_ne!(a, b, "each event has its own id");
}
