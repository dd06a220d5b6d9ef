//! A Slack simulator, faithful to what [`crate::slack`] relies on, and Slack's side of the
//! requests Slack sends an app (slash commands, button clicks, Events API deliveries).
//!
//! One simulator serves any number of workspaces; the bot token says which, so every
//! workspace's `base_url` is `{sandbox}/slack/api`. Web API methods, at `/slack/api/{method}`,
//! take their arguments as Slack does: a query string, a form body or a JSON body, `GET` or
//! `POST`:
//! - `auth.test` → `{"ok", "url", "team", "user", "team_id", "user_id", "bot_id"}`;
//! - `chat.postMessage` `{"channel", "text", "blocks"}` → `{"ok", "channel", "ts",
//!   "message"}`, recorded ([`SlackSandbox::messages`]). `channel` is a channel's id (or name)
//!   or a member's user id: the message goes to the member's DM with the app, whose `D...` id
//!   the answer names. Anything else: `channel_not_found`; neither text nor blocks: `no_text`.
//!   Each channel takes one message a second after a burst of [`WorkspaceSeed::post_burst`]:
//!   beyond that, HTTP 429 with `Retry-After: 1` and `{"ok": false, "error": "ratelimited"}`;
//! - `users.info?user=` → the member (`profile.email` included), or `user_not_found`;
//! - `users.lookupByEmail?email=` → the member with that address (any case), or
//!   `users_not_found`.
//!
//! Each needs the workspace's bot token as `Authorization: Bearer` (or a `token` form field):
//! none gets `not_authed`, another `invalid_auth`, with HTTP 200 as Slack answers. An unknown
//! method gets 404 `unknown_method`. Faults (429 with `Retry-After`, 5xx, slow answers) apply
//! to every method call of the workspace.
//!
//! Members are people `1..=N` of the simulated workforce ([`user_id`], [`user_email`]): with the
//! default `user_domain` the same addresses as the default BambooHR company `acme`, so that
//! Slack user `U00000007` is BambooHR employee 7. The bot user is a member too, without an
//! address.
//!
//! Response URLs, `POST /slack/response/{id}` with a JSON body: each request the simulator sends
//! (below) gets one; a post is recorded ([`SlackSandbox::responses`]) and answered `{"ok":
//! true}`. Like Slack's, each takes five posts (then `used_url`); an unknown one gets 404
//! `expired_url`, a body without `text`, `blocks` or `delete_original` 400 `no_text`.
//!
//! Slack's requests to an app ([`SlackSandbox::signed_slash_command`],
//! [`SlackSandbox::signed_interaction`], [`SlackSandbox::signed_event`],
//! [`SlackSandbox::signed_url_verification`]): the form or JSON body Slack documents, signed with
//! the workspace's signing secret (`X-Slack-Request-Timestamp` now), POSTed to the receiver;
//! they answer how the receiver answered ([`ReceiverAnswer`]). The `..._request` functions build
//! the same requests without sending them, to replay or tamper with ([`SlackSandbox::send`]).
//!
//! Control endpoints, under `/_control/slack/{team_id}` (faults and stats as every simulator
//! has them):
//! - `PUT` with [`WorkspaceSeed`] fields (those left out take the defaults): create or reset a
//!   workspace;
//! - `GET /messages`: the messages posted, oldest first;
//! - `GET /responses`: the posts to its response URLs, oldest first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::control::{self, Controlled};
pub use super::faults::Faults;
use super::faults::Misbehaviour;
pub use super::webhooks::SignedDelivery;
use super::workforce::{fingerprint, work_email, worker};
use crate::slack::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_request};

/// How long the simulator waits for a receiver to answer. Slack waits three seconds; the
/// simulator is patient with debug builds and reports the time taken instead
/// ([`ReceiverAnswer::took`]).
const RECEIVER_TIMEOUT: Duration = Duration::from_secs(10);
/// How many posts a response URL takes.
const RESPONSE_URL_USES: u32 = 5;
/// The app id the simulated requests name.
const APP_ID: &str = "A0ASSETRON";
/// The deprecated verification token Slack still puts in its payloads.
const VERIFICATION_TOKEN: &str = "sandbox-verification-token";

/// The Slack user id of person `n` of the simulated workforce.
pub fn user_id(n: u64) -> String {
    format!("U{n:08}")
}

/// The email address of person `n` at `user_domain`: the one a simulated HR system at that
/// domain gives them.
pub fn user_email(user_domain: &str, n: u64) -> String {
    work_email(&worker(n), n, user_domain)
}

/// The id of the DM between the app and `user_id`.
fn dm_id(user_id: &str) -> String {
    format!("D{}", user_id.get(1..).unwrap_or_default())
}

/// A channel of a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSeed {
    pub id: String,
    pub name: String,
}

/// A workspace present when the simulator starts (or `PUT` through the control API).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkspaceSeed {
    /// The workspace's id, as control paths and Slack's requests name it.
    pub team_id: String,
    pub team_name: String,
    /// The workspace's subdomain (`acme` in `acme.slack.com`).
    pub domain: String,
    /// The bot token the workspace accepts.
    pub bot_token: String,
    /// The secret the workspace's requests to the app are signed with.
    pub signing_secret: String,
    pub bot_user_id: String,
    pub bot_id: String,
    /// People `1..=people` of the simulated workforce are members.
    pub people: u64,
    /// The domain of the members' email addresses.
    pub user_domain: String,
    /// The channels; the first is where simulated slash commands are typed.
    pub channels: Vec<ChannelSeed>,
    /// The slash command the app registered, with its slash.
    pub command: String,
    /// Messages a channel takes at once before the one-a-second limit applies (at least 1).
    pub post_burst: u32,
}

impl Default for WorkspaceSeed {
    fn default() -> Self {
        WorkspaceSeed {
            team_id: "T0ACME0001".into(),
            team_name: "Acme".into(),
            domain: "acme".into(),
            bot_token: "xoxb-sandbox-slack-token".into(),
            signing_secret: "sandbox-slack-signing-secret".into(),
            bot_user_id: "U0ASSETBOT".into(),
            bot_id: "B0ASSETBOT".into(),
            people: 10,
            user_domain: "acme.example.com".into(),
            channels: vec![
                ChannelSeed {
                    id: "C0GENERAL1".into(),
                    name: "general".into(),
                },
                ChannelSeed {
                    id: "C0ITOPS001".into(),
                    name: "it-ops".into(),
                },
            ],
            command: "/assetronics".into(),
            post_burst: 5,
        }
    }
}

/// A message the app posted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedMessage {
    pub team_id: String,
    /// The `channel` argument as given (a user id for a DM).
    pub channel: String,
    /// The conversation it went to (the DM's `D...` id for a user).
    pub channel_id: String,
    pub ts: String,
    pub text: Option<String>,
    pub blocks: Option<Value>,
}

/// A post to a response URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedResponse {
    pub team_id: String,
    pub url: String,
    /// The JSON posted.
    pub body: Value,
}

/// How a receiver answered a request the simulator sent as Slack.
#[derive(Debug, Clone)]
pub struct ReceiverAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    /// How long the receiver took; Slack gives up after three seconds.
    pub took: Duration,
    /// The request sent.
    pub request: SignedDelivery,
}

impl ReceiverAnswer {
    /// Whether the receiver answered 2xx.
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The answer's body read as JSON, when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The response URL the request carried (slash commands and clicks).
    pub fn response_url(&self) -> Option<String> {
        request_response_url(&self.request)
    }
}

/// Why the simulator could not send a request as Slack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulatedRequestError {
    #[error("no simulated Slack workspace {0:?}")]
    UnknownWorkspace(String),
    #[error("no member {user_id:?} in the simulated Slack workspace {team_id:?}")]
    UnknownUser { team_id: String, user_id: String },
    #[error("the receiver did not answer: {0}")]
    Unanswered(String),
}

/// One member.
#[derive(Debug, Clone)]
struct Member {
    id: String,
    name: String,
    real_name: String,
    email: Option<String>,
    is_bot: bool,
}

impl Member {
    fn to_json(&self, team_id: &str) -> Value {
        let mut profile = json!({
            "real_name": self.real_name,
            "display_name": self.name,
            "real_name_normalized": self.real_name,
            "display_name_normalized": self.name,
        });
        if let Some(email) = &self.email {
            profile["email"] = json!(email);
        }
        json!({
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": false,
            "real_name": self.real_name,
            "tz": "Europe/London",
            "is_admin": false,
            "is_bot": self.is_bot,
            "is_app_user": false,
            "profile": profile,
        })
    }
}

/// A channel's allowance for `chat.postMessage`: a token bucket of `post_burst`, refilled one a
/// second.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Takes one message from the allowance, or answers how long until there is one.
    fn take(&mut self, burst: u32, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(burst.max(1));
        let refill = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + refill).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(1.0 - self.tokens))
        }
    }
}

#[derive(Debug)]
struct Workspace {
    seed: WorkspaceSeed,
    members: Vec<Member>,
    faults: Faults,
    requests: u64,
    buckets: HashMap<String, Bucket>,
    messages: Vec<RecordedMessage>,
    responses: Vec<RecordedResponse>,
}

impl Workspace {
    fn new(seed: WorkspaceSeed) -> Self {
        let mut members: Vec<Member> = (1..=seed.people)
            .map(|n| {
                let person = worker(n);
                let email = user_email(&seed.user_domain, n);
                Member {
                    id: user_id(n),
                    name: email.split('@').next().unwrap_or_default().to_owned(),
                    real_name: format!("{} {}", person.first, person.last),
                    email: Some(email),
                    is_bot: false,
                }
            })
            .collect();
        members.push(Member {
            id: seed.bot_user_id.clone(),
            name: "assetronics".into(),
            real_name: "Assetronics".into(),
            email: None,
            is_bot: true,
        });
        Workspace {
            seed,
            members,
            faults: Faults::default(),
            requests: 0,
            buckets: HashMap::new(),
            messages: Vec::new(),
            responses: Vec::new(),
        }
    }

    fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The conversation a `channel` argument names: a channel (by id or name), a member's DM (by
    /// user id or DM id).
    fn conversation(&self, channel: &str) -> Option<String> {
        let channel = channel.trim();
        let name = channel.strip_prefix('#').unwrap_or(channel);
        if let Some(found) = self
            .seed
            .channels
            .iter()
            .find(|c| c.id == channel || c.name == name)
        {
            return Some(found.id.clone());
        }
        self.members
            .iter()
            .filter(|m| !m.is_bot)
            .find(|m| m.id == channel || dm_id(&m.id) == channel)
            .map(|m| dm_id(&m.id))
    }

    fn channel_name(&self, id: &str) -> String {
        self.seed
            .channels
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| "directmessage".into(), |c| c.name.clone())
    }
}

#[derive(Debug, Default)]
struct Registry {
    workspaces: HashMap<String, Workspace>,
    /// API requests no workspace's token matched.
    unattributed: u64,
    /// Response URL id → (workspace, posts so far).
    response_urls: HashMap<String, (String, u32)>,
    /// Sequence for message timestamps, response URLs, trigger and event ids.
    sequence: u64,
}

impl Registry {
    fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// The workspace whose bot token this is.
    fn by_token(&self, token: &str) -> Option<String> {
        self.workspaces
            .iter()
            .find(|(_, w)| !token.is_empty() && w.seed.bot_token == token)
            .map(|(team, _)| team.clone())
    }
}

/// The simulated Slack workspaces; cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct SlackSandbox {
    registry: Arc<Mutex<Registry>>,
    /// `{sandbox}/slack`, for the response URLs handed out.
    base_url: String,
}

impl SlackSandbox {
    /// The workspaces in `seeds`; `base_url` is where the simulator answers (`{sandbox}/slack`),
    /// for the response URLs it hands out.
    pub fn new(seeds: Vec<WorkspaceSeed>, base_url: impl Into<String>) -> Self {
        let sandbox = SlackSandbox {
            registry: Arc::default(),
            base_url: base_url.into().trim_end_matches('/').to_owned(),
        };
        for seed in seeds {
            sandbox.put_workspace(seed);
        }
        sandbox
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates or resets a workspace (its faults, counters, messages and responses too).
    pub fn put_workspace(&self, seed: WorkspaceSeed) {
        self.lock()
            .workspaces
            .insert(seed.team_id.clone(), Workspace::new(seed));
    }

    /// Web API requests the workspace received (with its token; control requests excluded).
    pub fn requests(&self, team_id: &str) -> u64 {
        self.lock()
            .workspaces
            .get(team_id)
            .map_or(0, |w| w.requests)
    }

    /// Web API requests whose token matched no workspace (none, or a wrong one).
    pub fn unattributed_requests(&self) -> u64 {
        self.lock().unattributed
    }

    /// Replaces the workspace's faults; false when there is no such workspace.
    pub fn set_faults(&self, team_id: &str, faults: Faults) -> bool {
        self.lock()
            .workspaces
            .get_mut(team_id)
            .map(|w| w.faults = faults)
            .is_some()
    }

    /// The messages posted in the workspace, oldest first.
    pub fn messages(&self, team_id: &str) -> Vec<RecordedMessage> {
        self.lock()
            .workspaces
            .get(team_id)
            .map(|w| w.messages.clone())
            .unwrap_or_default()
    }

    /// The posts to the workspace's response URLs, oldest first.
    pub fn responses(&self, team_id: &str) -> Vec<RecordedResponse> {
        self.lock()
            .workspaces
            .get(team_id)
            .map(|w| w.responses.clone())
            .unwrap_or_default()
    }

    /// A new response URL of the workspace.
    fn issue_response_url(&self, registry: &mut Registry, team_id: &str) -> String {
        let n = registry.next();
        let id = format!(
            "{team_id}-{n}-{:08x}",
            fingerprint(&format!("{team_id}#{n}"))
        );
        registry
            .response_urls
            .insert(id.clone(), (team_id.to_owned(), 0));
        format!("{}/response/{id}", self.base_url)
    }

    /// Runs `build` on the workspace and the member `user_id` of it, then signs the body it
    /// returns with the workspace's signing secret.
    fn signed(
        &self,
        team_id: &str,
        user_id: Option<&str>,
        build: impl FnOnce(&mut Registry, &Workspace, Option<&Member>) -> (Vec<u8>, &'static str),
    ) -> Result<SignedDelivery, SimulatedRequestError> {
        let mut registry = self.lock();
        let workspace = registry
            .workspaces
            .remove(team_id)
            .ok_or_else(|| SimulatedRequestError::UnknownWorkspace(team_id.to_owned()))?;
        let member = match user_id {
            Some(id) => match workspace.member(id) {
                Some(member) => Some(member.clone()),
                None => {
                    registry.workspaces.insert(team_id.to_owned(), workspace);
                    return Err(SimulatedRequestError::UnknownUser {
                        team_id: team_id.to_owned(),
                        user_id: id.to_owned(),
                    });
                }
            },
            None => None,
        };
        let (body, content_type) = build(&mut registry, &workspace, member.as_ref());
        let secret = workspace.seed.signing_secret.clone();
        registry.workspaces.insert(team_id.to_owned(), workspace);
        drop(registry);
        let timestamp = Utc::now().timestamp().to_string();
        let signature = sign_request(&secret, &timestamp, &body);
        Ok(SignedDelivery {
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                (TIMESTAMP_HEADER.into(), timestamp),
                (SIGNATURE_HEADER.into(), signature),
            ],
            body,
        })
    }

    /// The request Slack sends when member `user_id` types the workspace's slash command with
    /// `text` in its first channel: a signed form post carrying a response URL of this
    /// simulator.
    pub fn slash_command_request(
        &self,
        team_id: &str,
        user_id: &str,
        text: &str,
    ) -> Result<SignedDelivery, SimulatedRequestError> {
        self.signed(team_id, Some(user_id), |registry, workspace, member| {
            let user = member.map(|m| m.name.clone()).unwrap_or_default();
            let (channel_id, channel_name) = match workspace.seed.channels.first() {
                Some(channel) => (channel.id.clone(), channel.name.clone()),
                None => (dm_id(user_id), "directmessage".into()),
            };
            let response_url = self.issue_response_url(registry, team_id);
            let trigger_id = trigger_id(registry, team_id);
            let seed = &workspace.seed;
            let body = form_encode(&[
                ("token", VERIFICATION_TOKEN),
                ("team_id", &seed.team_id),
                ("team_domain", &seed.domain),
                ("channel_id", &channel_id),
                ("channel_name", &channel_name),
                ("user_id", user_id),
                ("user_name", &user),
                ("command", &seed.command),
                ("text", text),
                ("api_app_id", APP_ID),
                ("is_enterprise_install", "false"),
                ("response_url", &response_url),
                ("trigger_id", &trigger_id),
            ]);
            (body.into_bytes(), "application/x-www-form-urlencoded")
        })
    }

    /// The request Slack sends when member `user_id` clicks the button `action_id` with `value`:
    /// a signed form post whose `payload` is the `block_actions` JSON. The button is looked for
    /// in the messages the app posted to the workspace, newest first, and the click comes from
    /// the one carrying it (its channel, `ts` and `block_id`); without one, from a message in
    /// the member's DM with the app.
    pub fn interaction_request(
        &self,
        team_id: &str,
        user_id: &str,
        action_id: &str,
        value: &str,
    ) -> Result<SignedDelivery, SimulatedRequestError> {
        self.signed(team_id, Some(user_id), |registry, workspace, member| {
            let posted = workspace.messages.iter().rev().find_map(|message| {
                let block_id = button_block(message.blocks.as_ref()?, action_id, value)?;
                Some((message.clone(), block_id))
            });
            let (message, block_id) = match posted {
                Some(found) => found,
                None => {
                    let n = registry.next();
                    let message = RecordedMessage {
                        team_id: team_id.to_owned(),
                        channel: user_id.to_owned(),
                        channel_id: dm_id(user_id),
                        ts: message_ts(n),
                        text: None,
                        blocks: None,
                    };
                    (message, "actions".to_owned())
                }
            };
            let response_url = self.issue_response_url(registry, team_id);
            let trigger_id = trigger_id(registry, team_id);
            let seed = &workspace.seed;
            let user_name = member.map(|m| m.name.clone()).unwrap_or_default();
            let payload = json!({
                "type": "block_actions",
                "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": seed.team_id},
                "api_app_id": APP_ID,
                "token": VERIFICATION_TOKEN,
                "container": {
                    "type": "message",
                    "message_ts": message.ts,
                    "channel_id": message.channel_id,
                    "is_ephemeral": false,
                },
                "trigger_id": trigger_id,
                "team": {"id": seed.team_id, "domain": seed.domain},
                "enterprise": null,
                "is_enterprise_install": false,
                "channel": {"id": message.channel_id, "name": workspace.channel_name(&message.channel_id)},
                "message": {
                    "type": "message",
                    "user": seed.bot_user_id,
                    "bot_id": seed.bot_id,
                    "ts": message.ts,
                    "text": message.text.clone().unwrap_or_default(),
                    "blocks": message.blocks.clone().unwrap_or_else(|| json!([])),
                },
                "state": {"values": {}},
                "response_url": response_url,
                "actions": [{
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": message_ts(registry.next()),
                }],
            });
            let body = form_encode(&[("payload", &payload.to_string())]);
            (body.into_bytes(), "application/x-www-form-urlencoded")
        })
    }

    /// The Events API delivery of `event` (`{"type": "app_home_opened", ...}`) in the
    /// workspace: a signed JSON `event_callback` with a new `event_id`.
    pub fn event_request(
        &self,
        team_id: &str,
        event: &Value,
    ) -> Result<SignedDelivery, SimulatedRequestError> {
        self.signed(team_id, None, |registry, workspace, _| {
            let n = registry.next();
            let seed = &workspace.seed;
            let envelope = json!({
                "token": VERIFICATION_TOKEN,
                "team_id": seed.team_id,
                "api_app_id": APP_ID,
                "event": event,
                "type": "event_callback",
                "event_id": format!("Ev{n:010}"),
                "event_time": Utc::now().timestamp(),
                "authorizations": [{
                    "enterprise_id": null,
                    "team_id": seed.team_id,
                    "user_id": seed.bot_user_id,
                    "is_bot": true,
                    "is_enterprise_install": false,
                }],
                "is_ext_shared_channel": false,
            });
            (envelope.to_string().into_bytes(), "application/json")
        })
    }

    /// The `url_verification` handshake Slack sends when the app's Request URL is set: a signed
    /// JSON body with a new `challenge`, which the receiver must echo.
    pub fn url_verification_request(
        &self,
        team_id: &str,
    ) -> Result<SignedDelivery, SimulatedRequestError> {
        self.signed(team_id, None, |registry, _, _| {
            let n = registry.next();
            let challenge = format!(
                "{:08x}{:08x}{n}",
                fingerprint(team_id),
                fingerprint(&format!("challenge#{n}"))
            );
            let body = json!({
                "token": VERIFICATION_TOKEN,
                "challenge": challenge,
                "type": "url_verification",
            });
            (body.to_string().into_bytes(), "application/json")
        })
    }

    /// Sends [`SlackSandbox::slash_command_request`] to `receiver_url`.
    pub async fn signed_slash_command(
        &self,
        receiver_url: &str,
        team_id: &str,
        user_id: &str,
        text: &str,
    ) -> Result<ReceiverAnswer, SimulatedRequestError> {
        let request = self.slash_command_request(team_id, user_id, text)?;
        self.send(receiver_url, request).await
    }

    /// Sends [`SlackSandbox::interaction_request`] to `receiver_url`.
    pub async fn signed_interaction(
        &self,
        receiver_url: &str,
        team_id: &str,
        user_id: &str,
        action_id: &str,
        value: &str,
    ) -> Result<ReceiverAnswer, SimulatedRequestError> {
        let request = self.interaction_request(team_id, user_id, action_id, value)?;
        self.send(receiver_url, request).await
    }

    /// Sends [`SlackSandbox::event_request`] to `receiver_url`.
    pub async fn signed_event(
        &self,
        receiver_url: &str,
        team_id: &str,
        event: &Value,
    ) -> Result<ReceiverAnswer, SimulatedRequestError> {
        let request = self.event_request(team_id, event)?;
        self.send(receiver_url, request).await
    }

    /// Sends [`SlackSandbox::url_verification_request`] to `receiver_url`.
    pub async fn signed_url_verification(
        &self,
        receiver_url: &str,
        team_id: &str,
    ) -> Result<ReceiverAnswer, SimulatedRequestError> {
        let request = self.url_verification_request(team_id)?;
        self.send(receiver_url, request).await
    }

    /// POSTs `request` (as built, or altered) to `receiver_url` and answers how the receiver
    /// answered.
    pub async fn send(
        &self,
        receiver_url: &str,
        request: SignedDelivery,
    ) -> Result<ReceiverAnswer, SimulatedRequestError> {
        let unanswered = |e: reqwest::Error| SimulatedRequestError::Unanswered(e.to_string());
        let client = reqwest::Client::builder()
            .timeout(RECEIVER_TIMEOUT)
            .user_agent("Slackbot 1.0 (sandbox)")
            .build()
            .map_err(unanswered)?;
        let mut builder = client.post(receiver_url).body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let started = Instant::now();
        let response = builder.send().await.map_err(unanswered)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.map_err(unanswered)?;
        Ok(ReceiverAnswer {
            status,
            content_type,
            body,
            took: started.elapsed(),
            request,
        })
    }

    /// Takes one "slow" fault of the workspace the request's token names, and answers how long
    /// to stall.
    fn take_delay(&self, token: Option<&str>) -> Option<Duration> {
        let mut registry = self.lock();
        let team = registry.by_token(token?)?;
        registry.workspaces.get_mut(&team)?.faults.take_delay()
    }
}

/// A trigger id as Slack's look: `{n}.{team fingerprint}.{hex}`.
fn trigger_id(registry: &mut Registry, team_id: &str) -> String {
    let n = registry.next();
    format!(
        "{n}.{}.{:08x}",
        fingerprint(team_id),
        fingerprint(&format!("trigger#{n}"))
    )
}

/// A message timestamp: Unix seconds and a six-digit sequence, unique within the simulator.
fn message_ts(n: u64) -> String {
    format!("{}.{:06}", Utc::now().timestamp(), n % 1_000_000)
}

/// The `block_id` of the block holding a button `action_id` with `value`, when `blocks` have one.
fn button_block(blocks: &Value, action_id: &str, value: &str) -> Option<String> {
    blocks.as_array()?.iter().find_map(|block| {
        let elements = block.get("elements")?.as_array()?;
        elements
            .iter()
            .any(|e| {
                e.get("action_id").and_then(Value::as_str) == Some(action_id)
                    && e.get("value").and_then(Value::as_str) == Some(value)
            })
            .then(|| {
                block
                    .get("block_id")
                    .and_then(Value::as_str)
                    .unwrap_or("actions")
                    .to_owned()
            })
    })
}

/// The response URL a request built here carries, if any.
fn request_response_url(request: &SignedDelivery) -> Option<String> {
    let fields = form_pairs(&request.body)?;
    if let Some(url) = fields.get("response_url") {
        return Some(url.clone());
    }
    let payload: Value = serde_json::from_str(fields.get("payload")?).ok()?;
    payload
        .get("response_url")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `application/x-www-form-urlencoded` as browsers and Slack write it: letters, digits and
/// `*-._` as they are, spaces as `+`, every other byte `%XX`.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn encode(text: &str, out: &mut String) {
        for byte in text.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                    out.push(char::from(byte));
                }
                b' ' => out.push('+'),
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(key, &mut out);
        out.push('=');
        encode(value, &mut out);
    }
    out
}

/// A form body's fields; `None` when it is not one.
fn form_pairs(body: &[u8]) -> Option<HashMap<String, String>> {
    let text = std::str::from_utf8(body).ok()?;
    web::Query::<HashMap<String, String>>::from_query(text)
        .ok()
        .map(web::Query::into_inner)
}

/// Mounts the Web API, the response URLs and the control endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/slack")
            .route("/api/{method}", web::get().to(api))
            .route("/api/{method}", web::post().to(api))
            .route("/response/{id}", web::post().to(response_url)),
    )
    .service(control::routes::<SlackSandbox>(
        web::scope("/_control/slack/{team_id}")
            .route("", web::put().to(control_put_workspace))
            .route("/messages", web::get().to(control_messages))
            .route("/responses", web::get().to(control_responses)),
    ));
}

/// Slack's answer: HTTP 200 (unless `status` says otherwise) and a JSON body.
fn answer(status: StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status).json(body)
}

fn api_error(error: &str) -> HttpResponse {
    answer(StatusCode::OK, json!({"ok": false, "error": error}))
}

/// A method's arguments: the query string's, then the body's (a JSON object or a form).
fn arguments(request: &HttpRequest, body: &[u8]) -> Result<Map<String, Value>, &'static str> {
    let mut args = Map::new();
    if let Some(query) = form_pairs(request.query_string().as_bytes()) {
        args.extend(query.into_iter().map(|(k, v)| (k, Value::String(v))));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(args);
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => args.extend(fields),
            _ => return Err("invalid_json"),
        }
    } else {
        let fields = form_pairs(body).ok_or("invalid_form_data")?;
        args.extend(fields.into_iter().map(|(k, v)| (k, Value::String(v))));
    }
    Ok(args)
}

/// The token a request presents: `Authorization: Bearer`, or a `token` argument.
fn presented_token(request: &HttpRequest, args: &Map<String, Value>) -> Option<String> {
    super::mdm::bearer(request).or_else(|| {
        args.get("token")
            .and_then(Value::as_str)
            .map(|t| t.trim().to_owned())
    })
}

async fn api(
    sandbox: web::Data<SlackSandbox>,
    request: HttpRequest,
    method: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let args = match arguments(&request, &body) {
        Ok(args) => args,
        Err(error) => return api_error(error),
    };
    let token = presented_token(&request, &args);
    if let Some(delay) = sandbox.take_delay(token.as_deref()) {
        tokio::time::sleep(delay).await;
    }
    let mut registry = sandbox.lock();
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        registry.unattributed += 1;
        return api_error("not_authed");
    };
    let Some(team_id) = registry.by_token(&token) else {
        registry.unattributed += 1;
        return api_error("invalid_auth");
    };
    let sequence = registry.next();
    let Some(workspace) = registry.workspaces.get_mut(&team_id) else {
        return api_error("invalid_auth");
    };
    workspace.requests += 1;
    if let Some(misbehaviour) = workspace.faults.take_misbehaviour() {
        let error = match misbehaviour {
            Misbehaviour::RateLimited { .. } => "ratelimited",
            Misbehaviour::Failed { .. } => "internal_error",
        };
        return misbehaviour
            .response()
            .json(json!({"ok": false, "error": error}));
    }
    let arg = |key: &str| {
        args.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match method.as_str() {
        "auth.test" => answer(
            StatusCode::OK,
            json!({
                "ok": true,
                "url": format!("https://{}.slack.com/", workspace.seed.domain),
                "team": workspace.seed.team_name,
                "user": "assetronics",
                "team_id": workspace.seed.team_id,
                "user_id": workspace.seed.bot_user_id,
                "bot_id": workspace.seed.bot_id,
                "is_enterprise_install": false,
            }),
        ),
        "users.info" => {
            let Some(user) = arg("user") else {
                return api_error("user_not_found");
            };
            match workspace.member(user) {
                Some(member) => answer(
                    StatusCode::OK,
                    json!({"ok": true, "user": member.to_json(&team_id)}),
                ),
                None => api_error("user_not_found"),
            }
        }
        "users.lookupByEmail" => {
            let Some(email) = arg("email") else {
                return api_error("invalid_arguments");
            };
            let found = workspace.members.iter().find(|m| {
                m.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            });
            match found {
                Some(member) => answer(
                    StatusCode::OK,
                    json!({"ok": true, "user": member.to_json(&team_id)}),
                ),
                None => api_error("users_not_found"),
            }
        }
        "chat.postMessage" => post_message(workspace, &args, sequence),
        _ => answer(
            StatusCode::NOT_FOUND,
            json!({"ok": false, "error": "unknown_method", "req_method": method.as_str()}),
        ),
    }
}

fn post_message(
    workspace: &mut Workspace,
    args: &Map<String, Value>,
    sequence: u64,
) -> HttpResponse {
    let Some(channel) = args
        .get("channel")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return api_error("channel_not_found");
    };
    let Some(channel_id) = workspace.conversation(channel) else {
        return api_error("channel_not_found");
    };
    let text = args
        .get("text")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned);
    // A form post carries blocks as a JSON string.
    let blocks = match args.get("blocks") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(blocks @ Value::Array(_)) => Some(blocks),
            _ => return api_error("invalid_blocks"),
        },
        Some(blocks @ Value::Array(_)) => Some(blocks.clone()),
        Some(_) => return api_error("invalid_blocks"),
    };
    if text.is_none()
        && blocks
            .as_ref()
            .is_none_or(|b| b.as_array().is_none_or(Vec::is_empty))
    {
        return api_error("no_text");
    }
    if text.as_ref().is_some_and(|t| t.chars().count() > 40_000) {
        return api_error("msg_too_long");
    }
    let burst = workspace.seed.post_burst;
    let bucket = workspace
        .buckets
        .entry(channel_id.clone())
        .or_insert_with(|| Bucket {
            tokens: f64::from(burst.max(1)),
            at: Instant::now(),
        });
    if let Err(wait) = bucket.take(burst, Instant::now()) {
        let secs = wait.as_secs_f64().ceil().max(1.0);
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", format!("{secs:.0}")))
            .json(json!({"ok": false, "error": "ratelimited"}));
    }
    let ts = message_ts(sequence);
    let message = RecordedMessage {
        team_id: workspace.seed.team_id.clone(),
        channel: channel.to_owned(),
        channel_id: channel_id.clone(),
        ts: ts.clone(),
        text: text.clone(),
        blocks: blocks.clone(),
    };
    workspace.messages.push(message);
    answer(
        StatusCode::OK,
        json!({
            "ok": true,
            "channel": channel_id,
            "ts": ts,
            "message": {
                "type": "message",
                "subtype": "bot_message",
                "text": text.unwrap_or_default(),
                "ts": ts,
                "user": workspace.seed.bot_user_id,
                "bot_id": workspace.seed.bot_id,
                "blocks": blocks.unwrap_or_else(|| json!([])),
            },
        }),
    )
}

async fn response_url(
    sandbox: web::Data<SlackSandbox>,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let refuse =
        |status: StatusCode, error: &str| answer(status, json!({"ok": false, "error": error}));
    let mut registry = sandbox.lock();
    let Some((team_id, uses)) = registry.response_urls.get_mut(id.as_str()) else {
        return refuse(StatusCode::NOT_FOUND, "expired_url");
    };
    if *uses >= RESPONSE_URL_USES {
        return refuse(StatusCode::NOT_FOUND, "used_url");
    }
    let team_id = team_id.clone();
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body @ Value::Object(_)) => body,
        _ => return refuse(StatusCode::BAD_REQUEST, "invalid_payload"),
    };
    if ["text", "blocks", "delete_original"]
        .iter()
        .all(|key| body.get(key).is_none_or(Value::is_null))
    {
        return refuse(StatusCode::BAD_REQUEST, "no_text");
    }
    if let Some((_, uses)) = registry.response_urls.get_mut(id.as_str()) {
        *uses += 1;
    }
    let url = format!("{}/response/{}", sandbox.base_url, id.as_str());
    let Some(workspace) = registry.workspaces.get_mut(&team_id) else {
        return refuse(StatusCode::NOT_FOUND, "expired_url");
    };
    workspace
        .responses
        .push(RecordedResponse { team_id, url, body });
    answer(StatusCode::OK, json!({"ok": true}))
}

async fn control_put_workspace(
    sandbox: web::Data<SlackSandbox>,
    path: web::Path<String>,
    body: web::Json<WorkspaceSeed>,
) -> HttpResponse {
    sandbox.put_workspace(WorkspaceSeed {
        team_id: path.into_inner(),
        ..body.into_inner()
    });
    HttpResponse::NoContent().finish()
}

async fn control_messages(
    sandbox: web::Data<SlackSandbox>,
    path: web::Path<String>,
) -> HttpResponse {
    if sandbox.lock().workspaces.contains_key(path.as_str()) {
        HttpResponse::Ok().json(sandbox.messages(&path))
    } else {
        control::not_found()
    }
}

async fn control_responses(
    sandbox: web::Data<SlackSandbox>,
    path: web::Path<String>,
) -> HttpResponse {
    if sandbox.lock().workspaces.contains_key(path.as_str()) {
        HttpResponse::Ok().json(sandbox.responses(&path))
    } else {
        control::not_found()
    }
}

impl Controlled for SlackSandbox {
    type Company = String;

    fn with_faults<T>(&self, team_id: &String, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.lock()
            .workspaces
            .get_mut(team_id)
            .map(|w| edit(&mut w.faults))
    }

    fn request_count(&self, team_id: &String) -> Option<u64> {
        self.lock().workspaces.get(team_id).map(|w| w.requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::{Interaction, parse_interaction, parse_slash_command, verify_request};

    fn sandbox() -> SlackSandbox {
        SlackSandbox::new(vec![WorkspaceSeed::default()], "http://127.0.0.1:9/slack")
    }

    #[test]
    fn members_are_the_hr_people() {
        assert_eq!(user_id(7), "U00000007");
        let email = user_email("acme.example.com", 7);
        let bamboo = super::super::bamboohr::generate("acme", 7);
        assert_eq!(email, bamboo["workEmail"]);
    }

    #[test]
    fn form_encoding_reads_back() {
        let body = form_encode(&[("text", "asset ASSET-1 & ünïcode/+="), ("empty", "")]);
        assert_eq!(
            body,
            "text=asset+ASSET-1+%26+%C3%BCn%C3%AFcode%2F%2B%3D&empty="
        );
        let fields = form_pairs(body.as_bytes()).unwrap();
        assert_eq!(fields["text"], "asset ASSET-1 & ünïcode/+=");
        assert_eq!(fields["empty"], "");
    }

    #[test]
    fn built_requests_are_signed_and_readable() {
        let sandbox = sandbox();
        let seed = WorkspaceSeed::default();
        let user = user_id(3);
        let request = sandbox
            .slash_command_request(&seed.team_id, &user, "find ASSET-0042")
            .unwrap();
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        verify_request(
            &seed.signing_secret,
            request.header(TIMESTAMP_HEADER).unwrap(),
            &request.body,
            request.header(SIGNATURE_HEADER).unwrap(),
            Utc::now(),
        )
        .unwrap();
        let command = parse_slash_command(&request.body).unwrap();
        assert_eq!(command.command, "/assetronics");
        assert_eq!(command.text, "find ASSET-0042");
        assert_eq!(command.user_id, user);
        assert_eq!(command.team_id, seed.team_id);
        assert!(
            command
                .response_url
                .starts_with("http://127.0.0.1:9/slack/response/")
        );

        let click = sandbox
            .interaction_request(&seed.team_id, &user, "approve_step", "step:1")
            .unwrap();
        let Interaction::BlockActions(click) = parse_interaction(&click.body).unwrap() else {
            panic!("not block_actions");
        };
        assert_eq!(click.channel_id, Some(dm_id(&user)));
        assert_eq!(click.actions[0].value.as_deref(), Some("step:1"));

        assert!(matches!(
            sandbox.slash_command_request(&seed.team_id, "U404", "x"),
            Err(SimulatedRequestError::UnknownUser { .. })
        ));
        assert!(matches!(
            sandbox.event_request("T404", &json!({})),
            Err(SimulatedRequestError::UnknownWorkspace(_))
        ));
    }

    #[test]
    fn a_channel_takes_a_burst_then_one_a_second() {
        let start = Instant::now();
        let mut bucket = Bucket {
            tokens: 3.0,
            at: start,
        };
        for _ in 0..3 {
            bucket.take(3, start).unwrap();
        }
        let wait = bucket.take(3, start).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900));
        bucket.take(3, start + Duration::from_secs(1)).unwrap();
        assert!(bucket.take(3, start + Duration::from_secs(1)).is_err());
        // A long pause refills up to the burst, no further.
        let later = start + Duration::from_secs(60);
        for _ in 0..3 {
            bucket.take(3, later).unwrap();
        }
        assert!(bucket.take(3, later).is_err());
    }
}
