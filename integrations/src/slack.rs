//! Slack client, and readers for what Slack sends us, following Slack's documented Web API and
//! app platform.
//!
//! - Base URL: `https://slack.com/api`; an integration's `base_url` replaces it (the simulator:
//!   `{sandbox}/slack/api`). A method is `POST`ed or `GET`ed at `{base}/{method}`.
//! - Auth: the workspace's bot token (`xoxb-...`) as `Authorization: Bearer`; never sent
//!   anywhere else (a `response_url` needs none).
//! - Calls: `auth.test` a bare `POST`; `chat.postMessage` a JSON `POST` (`application/json;
//!   charset=utf-8`); `users.info?user=` and `users.lookupByEmail?email=` `GET`s with query
//!   arguments. `users.info` shows `profile.email` only with the `users:read.email` scope, which
//!   `users.lookupByEmail` requires.
//! - Answers: `{"ok": true, ...}`, or `{"ok": false, "error": "invalid_auth"}` — with HTTP 200:
//!   most failures come that way, so every answer's `ok` is read ([`SlackError::Api`]). Rate
//!   limits are HTTP 429 with `Retry-After` in seconds, which [`crate::http`] honours; methods
//!   have per-minute tiers, and `chat.postMessage` allows about one message a second per channel
//!   (short bursts tolerated).
//! - Request signing ([`verify_request`]): Slack signs every request it sends us (slash commands,
//!   interactivity, Events API) with the app's signing secret: `X-Slack-Signature` is `v0=` and
//!   the hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}`; requests more than five
//!   minutes from our clock are refused as replays.
//! - Inbound payloads: a slash command is a form post ([`parse_slash_command`]); an interaction
//!   (a button click) a form post whose `payload` field is JSON ([`parse_interaction`]); an
//!   Events API delivery JSON ([`parse_event`]), the first of which is the `url_verification`
//!   handshake. Slack waits three seconds for the HTTP answer; anything slower is answered later
//!   through the request's `response_url` ([`SlackClient::respond`]), which takes up to five
//!   posts within 30 minutes.
//! - Messages: [`approval_request_blocks`] and [`asset_blocks`] build Block Kit layouts from
//!   plain strings; [`SlackMessage::text`] stays the notification and accessibility fallback.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, vendor_url};
use crate::webhooks::{self, HmacSha256, WebhookError};

/// Slack's Web API root.
pub const DEFAULT_BASE_URL: &str = "https://slack.com/api";
/// The host of the `response_url`s Slack hands out; with [`DEFAULT_BASE_URL`],
/// [`SlackClient::respond`] posts nowhere else.
pub const RESPONSE_URL_HOST: &str = "hooks.slack.com";
/// The header carrying a request's signature: `v0=` and hex HMAC-SHA256.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
/// The header carrying when Slack sent a request (Unix seconds); it is signed too.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";
/// Set on an Events API redelivery: how many times Slack retried (1 to 3).
pub const RETRY_NUM_HEADER: &str = "X-Slack-Retry-Num";
/// How far a request's timestamp may be from our clock, either way, before it is refused as a
/// replay: Slack's five minutes.
pub const REQUEST_TOLERANCE: TimeDelta = TimeDelta::minutes(5);
/// The `action_id` of the approve button of [`approval_request_blocks`].
pub const APPROVE_ACTION_ID: &str = "approve_step";
/// The `action_id` of the reject button of [`approval_request_blocks`].
pub const REJECT_ACTION_ID: &str = "reject_step";
/// The `block_id` of the buttons of [`approval_request_blocks`].
pub const APPROVAL_BLOCK_ID: &str = "approval_actions";

/// The Slack API errors that mean the token or the app's installation is wrong: a person must
/// reinstall the app or fix its scopes.
const ATTENTION_ERRORS: [&str; 7] = [
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "missing_scope",
    "not_allowed_token_type",
];
/// The Slack API errors a later try of the same call may get past.
const TRANSIENT_ERRORS: [&str; 6] = [
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
];

/// A Slack bot token (`xoxb-...`); its `Debug` never shows the value.
#[derive(Clone)]
pub struct BotToken(String);

impl BotToken {
    /// Wraps the token Slack issued when the app was installed in the workspace.
    pub fn new(token: impl Into<String>) -> Self {
        BotToken(token.into())
    }
}

impl std::fmt::Debug for BotToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BotToken(..)")
    }
}

/// What one Slack integration (the app installed in one workspace) needs to connect.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub bot_token: BotToken,
    /// Replaces [`DEFAULT_BASE_URL`], e.g. `http://127.0.0.1:7070/slack/api` for the simulator.
    /// The API root, ending in `/api`.
    pub base_url: Option<String>,
    pub policy: HttpPolicy,
}

/// Why a Slack call failed, classified by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackError {
    /// The HTTP call failed as a whole (rate limited past what may be waited, Slack down,
    /// unreadable answer); see [`VendorError`] for the classes.
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// Slack answered `{"ok": false, "error": ...}`: `invalid_auth`, `channel_not_found`,
    /// `missing_scope`, ...
    #[error("Slack refused the call: {error}")]
    Api { error: String },
}

impl SlackError {
    /// A bad, revoked or under-scoped token (or credentials the HTTP layer saw refused): a
    /// person must reinstall the app or grant the scope. Never retried.
    pub fn needs_attention(&self) -> bool {
        match self {
            SlackError::Vendor(e) => e.needs_attention(),
            SlackError::Api { error } => ATTENTION_ERRORS.contains(&error.as_str()),
        }
    }

    /// Whether trying the same call later can succeed: rate limits, outages, timeouts, an open
    /// circuit, and Slack's transient errors. After `fatal_error` part of the call may have
    /// happened: a retried message may show twice.
    pub fn is_retryable(&self) -> bool {
        match self {
            SlackError::Vendor(e) => e.is_retryable() || matches!(e, VendorError::CircuitOpen),
            SlackError::Api { error } => TRANSIENT_ERRORS.contains(&error.as_str()),
        }
    }

    /// How long Slack asked us to wait (`Retry-After`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SlackError::Vendor(e) => e.retry_after(),
            SlackError::Api { .. } => None,
        }
    }

    /// Slack's error code, for an [`SlackError::Api`].
    pub fn api_error(&self) -> Option<&str> {
        match self {
            SlackError::Api { error } => Some(error),
            SlackError::Vendor(_) => None,
        }
    }
}

/// Who the token is (`auth.test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackIdentity {
    /// The workspace's id (`T...`): what slash commands, interactions and events name as
    /// `team_id`, so the key from a Slack request to its integration.
    pub team_id: String,
    /// The workspace's name.
    pub team: String,
    /// The bot user's id (`U...`).
    pub user_id: String,
    /// The bot's id (`B...`); Slack leaves it out for user tokens.
    pub bot_id: Option<String>,
}

/// A message to post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackMessage {
    /// A channel id (`C...`, `G...`), a DM id (`D...`), or a user id (`U...`, `W...`): Slack
    /// posts to that user's DM with the app.
    pub channel: String,
    /// The message's text; with `blocks`, the fallback shown in notifications and read by
    /// screen readers.
    pub text: String,
    /// Block Kit blocks (a JSON array), e.g. from [`approval_request_blocks`].
    pub blocks: Option<Value>,
}

/// Where a message went: `channel` is the conversation id (a DM's `D...` when posted to a user)
/// and `ts` the message's id within it (what an interaction's `message.ts` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedMessage {
    pub channel: String,
    pub ts: String,
}

/// A client for one workspace's installation of the app.
#[derive(Debug, Clone)]
pub struct SlackClient {
    http: VendorHttp,
    /// `{base}/`, always with the trailing slash.
    base: Url,
    token: BotToken,
    /// Whether `response_url`s may be on any host: a replaced `base_url` (the simulator, a
    /// proxy) hands out its own.
    any_response_host: bool,
}

impl SlackClient {
    /// Builds the client without calling Slack: fails ([`VendorError::Other`]) only on an
    /// unusable base URL. [`SlackClient::auth_test`] checks the token.
    pub fn new(config: SlackConfig) -> Result<Self, SlackError> {
        let host = config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let base = vendor_url(host, "", "Slack API URL")?;
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("error"),
                rate_limit_reset_header: None,
            },
        )?;
        Ok(SlackClient {
            http,
            base,
            token: config.bot_token,
            any_response_host: config.base_url.is_some(),
        })
    }

    /// The API root this client talks to (`{base}/`).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    /// Calls `method`: a `GET` with `query` when `body` is `None` and `query` is not empty, a
    /// bare `POST` when both are empty, a JSON `POST` of `body` otherwise. Answers the body of
    /// an `ok` answer.
    async fn call(
        &self,
        method: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, SlackError> {
        let mut url = join(&self.base, method)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let json_body =
            body.map(serde_json::to_vec)
                .transpose()
                .map_err(|e| VendorError::Other {
                    message: format!("encoding the {method} arguments: {e}"),
                })?;
        let answer = self
            .http
            .send_json(|client| {
                let request = match (&json_body, query.is_empty()) {
                    (Some(bytes), _) => client
                        .post(url.clone())
                        .header(CONTENT_TYPE, "application/json; charset=utf-8")
                        .body(bytes.clone()),
                    (None, false) => client.get(url.clone()),
                    (None, true) => client.post(url.clone()),
                };
                request
                    .bearer_auth(&self.token.0)
                    .header(ACCEPT, "application/json")
            })
            .await?;
        ok_answer(answer)
    }

    /// Who the token is, and so whether it works: `auth.test`.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn auth_test(&self) -> Result<SlackIdentity, SlackError> {
        let answer = self.call("auth.test", &[], None).await?;
        let required = |key: &str| {
            text(&answer, key).ok_or_else(|| VendorError::InvalidResponse {
                message: format!("auth.test answer without {key}"),
            })
        };
        Ok(SlackIdentity {
            team_id: required("team_id")?,
            team: text(&answer, "team").unwrap_or_default(),
            user_id: required("user_id")?,
            bot_id: text(&answer, "bot_id"),
        })
    }

    /// Posts a message as the app's bot: `chat.postMessage`. The bot must be in the channel
    /// (`not_in_channel` otherwise); a user id posts to the user's DM with the app.
    #[tracing::instrument(skip(self, msg), fields(base = %self.base, channel = %msg.channel))]
    pub async fn post_message(&self, msg: &SlackMessage) -> Result<PostedMessage, SlackError> {
        let mut body = json!({ "channel": msg.channel.trim(), "text": msg.text });
        if let Some(blocks) = &msg.blocks {
            body["blocks"] = blocks.clone();
        }
        let answer = self.call("chat.postMessage", &[], Some(&body)).await?;
        match (text(&answer, "channel"), text(&answer, "ts")) {
            (Some(channel), Some(ts)) => Ok(PostedMessage { channel, ts }),
            _ => Err(VendorError::InvalidResponse {
                message: "chat.postMessage answer without channel and ts".into(),
            }
            .into()),
        }
    }

    /// A user's email address, lowercased: `users.info` → `user.profile.email`. `None` for an
    /// unknown user (`user_not_found`), a bot, or a token without the `users:read.email` scope
    /// (Slack then leaves the address out).
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn user_email(&self, user_id: &str) -> Result<Option<String>, SlackError> {
        let user_id = user_id.trim();
        if user_id.is_empty() {
            return Ok(None);
        }
        let answer = match self.call("users.info", &[("user", user_id)], None).await {
            Err(SlackError::Api { error }) if error == "user_not_found" => return Ok(None),
            answer => answer?,
        };
        let email = answer
            .pointer("/user/profile/email")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|email| email.contains('@'))
            .map(str::to_lowercase);
        Ok(email)
    }

    /// The id of the workspace member with this email address: `users.lookupByEmail`. `None`
    /// when nobody has it (`users_not_found`). Needs the `users:read.email` scope.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn user_id_by_email(&self, email: &str) -> Result<Option<String>, SlackError> {
        let email = email.trim();
        if !email.contains('@') {
            return Ok(None);
        }
        let query = [("email", email)];
        let answer = match self.call("users.lookupByEmail", &query, None).await {
            Err(SlackError::Api { error })
                if error == "users_not_found" || error == "user_not_found" =>
            {
                return Ok(None);
            }
            answer => answer?,
        };
        let id = answer.pointer("/user/id").and_then(Value::as_str);
        match id.map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => Ok(Some(id.to_owned())),
            None => Err(VendorError::InvalidResponse {
                message: "users.lookupByEmail answer without user.id".into(),
            }
            .into()),
        }
    }

    /// Answers a slash command or an interaction later than its three seconds: `POST`s `body`
    /// (`{"text", "blocks", "response_type": "ephemeral" | "in_channel", "replace_original"}`)
    /// as JSON to the request's `response_url`. No token goes with it. Slack takes five posts to
    /// a `response_url` within 30 minutes.
    ///
    /// With [`DEFAULT_BASE_URL`], only `https` URLs on [`RESPONSE_URL_HOST`] are posted to:
    /// anything else is refused ([`VendorError::Other`]) without a request.
    #[tracing::instrument(skip(self, response_url, body), fields(base = %self.base))]
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), SlackError> {
        let url = self.response_url(response_url)?;
        let bytes = serde_json::to_vec(body).map_err(|e| VendorError::Other {
            message: format!("encoding the response: {e}"),
        })?;
        let refusals = [
            StatusCode::BAD_REQUEST,
            StatusCode::NOT_FOUND,
            StatusCode::GONE,
        ];
        let response = self
            .http
            .send_accepting(
                |client| {
                    client
                        .post(url.clone())
                        .header(CONTENT_TYPE, "application/json; charset=utf-8")
                        .body(bytes.clone())
                },
                &refusals,
            )
            .await?;
        let status = response.status();
        let answer = response
            .bytes()
            .await
            .map_err(|e| VendorError::Unavailable {
                message: format!("reading the response: {e}"),
                retry_after: None,
            })?;
        let parsed: Option<Value> = serde_json::from_slice(&answer).ok();
        let error = parsed.as_ref().and_then(|answer| {
            (answer.get("ok") == Some(&Value::Bool(false)))
                .then(|| text(answer, "error").unwrap_or_else(|| "unknown_error".into()))
        });
        match error {
            Some(error) => Err(SlackError::Api { error }),
            None if status.is_success() => Ok(()),
            None => {
                let text = String::from_utf8_lossy(&answer);
                let text = text.trim();
                Err(SlackError::Api {
                    error: if text.is_empty() || text.len() > 100 {
                        status.to_string()
                    } else {
                        text.to_owned()
                    },
                })
            }
        }
    }

    fn response_url(&self, response_url: &str) -> Result<Url, SlackError> {
        let refused = || VendorError::Other {
            message: format!("{response_url:?} is not a Slack response URL"),
        };
        let url = Url::parse(response_url.trim()).map_err(|_| refused())?;
        let allowed = if self.any_response_host {
            matches!(url.scheme(), "https" | "http")
        } else {
            url.scheme() == "https" && url.host_str() == Some(RESPONSE_URL_HOST)
        };
        if allowed {
            Ok(url)
        } else {
            Err(refused().into())
        }
    }
}

/// The answer itself when `ok` is true; its `error` as [`SlackError::Api`] when false.
fn ok_answer(answer: Value) -> Result<Value, SlackError> {
    match answer.get("ok").and_then(Value::as_bool) {
        Some(true) => Ok(answer),
        Some(false) => Err(SlackError::Api {
            error: text(&answer, "error").unwrap_or_else(|| "unknown_error".into()),
        }),
        None => Err(VendorError::InvalidResponse {
            message: "an answer without ok".into(),
        }
        .into()),
    }
}

/// A non-empty string field of a JSON object, trimmed.
fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The `X-Slack-Signature` Slack sends with `body` at `timestamp` (the
/// `X-Slack-Request-Timestamp` value): `v0=` and the lowercase hex HMAC-SHA256, keyed with the
/// app's signing secret, of `v0:{timestamp}:{body}`. Used by the simulator and tests.
pub fn sign_request(signing_secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = webhooks::sign::<HmacSha256>(
        signing_secret.as_bytes(),
        &[b"v0:", timestamp.as_bytes(), b":", body],
    )
    .map(hex::encode)
    .unwrap_or_default();
    format!("v0={mac}")
}

/// Checks that a request came from Slack and is fresh: `signature` (the `X-Slack-Signature`
/// header) must be `v0=` and the HMAC of the raw `body` and the `timestamp` header under
/// `signing_secret` (compared in constant time), and the timestamp (Unix seconds) must lie
/// within [`REQUEST_TOLERANCE`] of `now`, in the past or the future. An empty signing secret
/// verifies nothing.
///
/// Check the raw bytes as received, before decoding the form or the JSON.
pub fn verify_request(
    signing_secret: &str,
    timestamp: &str,
    body: &[u8],
    signature: &str,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    if signing_secret.is_empty() {
        return Err(WebhookError::BadSignature);
    }
    let mac = signature
        .trim()
        .strip_prefix("v0=")
        .and_then(|hex_mac| hex::decode(hex_mac).ok())
        .ok_or(WebhookError::BadSignature)?;
    webhooks::verify::<HmacSha256>(
        signing_secret.as_bytes(),
        &[b"v0:", timestamp.as_bytes(), b":", body],
        &mac,
    )?;
    let sent_at = timestamp
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or_else(|| WebhookError::BadTimestamp {
            timestamp: timestamp.to_owned(),
        })?;
    let skew = now - sent_at;
    if skew.abs() > REQUEST_TOLERANCE {
        return Err(WebhookError::Stale {
            skew_secs: skew.num_seconds(),
        });
    }
    Ok(())
}

/// A form body (`application/x-www-form-urlencoded`) as its fields; a repeated field keeps its
/// last value.
fn form_fields(body: &[u8]) -> Result<HashMap<String, String>, WebhookError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| WebhookError::Malformed("a form body that is not UTF-8".into()))?;
    // actix-web's query reader is serde_urlencoded: the same encoding as a form body.
    actix_web::web::Query::<HashMap<String, String>>::from_query(text)
        .map(actix_web::web::Query::into_inner)
        .map_err(|e| WebhookError::Malformed(format!("not a form body: {e}")))
}

/// A slash command, as Slack posts it (a form body) when someone types `/command text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashCommand {
    /// The command typed, with its slash: `/assetronics`.
    pub command: String,
    /// What followed the command, as typed (possibly empty).
    pub text: String,
    pub user_id: String,
    /// The user's handle; Slack calls it deprecated but still sends it.
    pub user_name: Option<String>,
    /// The workspace's id: which integration the command is for.
    pub team_id: String,
    /// The Enterprise Grid organization's id, for a command from one.
    pub enterprise_id: Option<String>,
    /// Where the command was typed.
    pub channel_id: String,
    /// Where to answer after the three seconds ([`SlackClient::respond`]).
    pub response_url: String,
    /// Lets the app open a modal for three seconds.
    pub trigger_id: String,
    pub api_app_id: Option<String>,
}

/// Reads a verified slash-command request body.
pub fn parse_slash_command(body: &[u8]) -> Result<SlashCommand, WebhookError> {
    let fields = form_fields(body)?;
    let optional = |key: &str| {
        fields
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let required = |key: &str| {
        optional(key)
            .ok_or_else(|| WebhookError::Malformed(format!("a slash command without {key}")))
    };
    Ok(SlashCommand {
        command: required("command")?,
        text: fields
            .get("text")
            .map(|t| t.trim())
            .unwrap_or_default()
            .to_owned(),
        user_id: required("user_id")?,
        user_name: optional("user_name"),
        team_id: required("team_id")?,
        enterprise_id: optional("enterprise_id"),
        channel_id: required("channel_id")?,
        response_url: required("response_url")?,
        trigger_id: required("trigger_id")?,
        api_app_id: optional("api_app_id"),
    })
}

/// What a user did with the app's interactive components, as Slack posts it: a form body whose
/// `payload` field is the JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Interaction {
    /// Buttons, menus and other block elements used in a message (or a modal).
    BlockActions(BlockActions),
    /// Any other kind (`view_submission`, `shortcut`, ...), its `type` and the whole payload.
    Other { kind: String, payload: Value },
}

/// A `block_actions` interaction: who acted, where, and on which elements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockActions {
    pub user_id: String,
    pub user_name: Option<String>,
    /// The workspace's id (`team.id`, or `user.team_id` where an org-wide install leaves
    /// `team` out).
    pub team_id: String,
    /// Where to answer (replace the message, say what happened); absent for elements in a
    /// modal.
    pub response_url: Option<String>,
    pub trigger_id: Option<String>,
    /// The conversation the message is in (`channel.id`, or the container's).
    pub channel_id: Option<String>,
    /// The message the elements are in (`message.ts`, or the container's `message_ts`): the
    /// [`PostedMessage::ts`] it was posted with.
    pub message_ts: Option<String>,
    pub actions: Vec<BlockAction>,
}

/// One element used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockAction {
    /// The element's `action_id`, e.g. [`APPROVE_ACTION_ID`].
    pub action_id: String,
    pub block_id: String,
    /// The button's `value`, or the chosen option's of a select menu.
    pub value: Option<String>,
    /// The element's type: `button`, `static_select`, ...
    pub kind: String,
}

/// Reads a verified interactivity request body.
pub fn parse_interaction(body: &[u8]) -> Result<Interaction, WebhookError> {
    let fields = form_fields(body)?;
    let payload = fields
        .get("payload")
        .ok_or_else(|| WebhookError::Malformed("an interaction without payload".into()))?;
    let payload: Value = serde_json::from_str(payload)
        .map_err(|e| WebhookError::Malformed(format!("an interaction payload not JSON: {e}")))?;
    let kind = text(&payload, "type")
        .ok_or_else(|| WebhookError::Malformed("an interaction payload without type".into()))?;
    if kind != "block_actions" {
        return Ok(Interaction::Other { kind, payload });
    }
    let at = |pointer: &str| {
        payload
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let malformed = |what: &str| WebhookError::Malformed(format!("block_actions without {what}"));
    let actions = payload
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("actions"))?
        .iter()
        .map(|action| {
            let field = |pointer: &str| {
                action
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            Ok(BlockAction {
                action_id: field("/action_id").ok_or_else(|| malformed("actions[].action_id"))?,
                block_id: field("/block_id").unwrap_or_default(),
                value: field("/value").or_else(|| field("/selected_option/value")),
                kind: field("/type").unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, WebhookError>>()?;
    Ok(Interaction::BlockActions(BlockActions {
        user_id: at("/user/id").ok_or_else(|| malformed("user.id"))?,
        user_name: at("/user/username").or_else(|| at("/user/name")),
        team_id: at("/team/id")
            .or_else(|| at("/user/team_id"))
            .ok_or_else(|| malformed("team.id"))?,
        response_url: at("/response_url"),
        trigger_id: at("/trigger_id"),
        channel_id: at("/channel/id").or_else(|| at("/container/channel_id")),
        message_ts: at("/message/ts").or_else(|| at("/container/message_ts")),
        actions,
    }))
}

/// An Events API delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum EventEnvelope {
    /// The handshake when the Request URL is set: answer 200 with the `challenge` (as plain
    /// text, or as `{"challenge": ...}`).
    UrlVerification { challenge: String },
    /// An event. Slack redelivers one that was not answered 2xx within three seconds (up to
    /// three times, with [`RETRY_NUM_HEADER`]); `event_id` stays the same, so it keys
    /// deduplication.
    EventCallback {
        event_id: String,
        team_id: String,
        /// The event itself: `{"type": "app_home_opened", "user": ..., ...}`.
        event: Value,
    },
    /// Any other envelope (`app_rate_limited`, ...): its `type`.
    Unknown { kind: String },
}

/// Reads a verified Events API request body.
pub fn parse_event(body: &[u8]) -> Result<EventEnvelope, WebhookError> {
    let payload: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::Malformed(format!("an Events API body not JSON: {e}")))?;
    let kind = text(&payload, "type")
        .ok_or_else(|| WebhookError::Malformed("an Events API body without type".into()))?;
    let required = |key: &str| {
        text(&payload, key).ok_or_else(|| WebhookError::Malformed(format!("{kind} without {key}")))
    };
    match kind.as_str() {
        "url_verification" => Ok(EventEnvelope::UrlVerification {
            challenge: required("challenge")?,
        }),
        "event_callback" => {
            let event = payload
                .get("event")
                .filter(|e| e.is_object())
                .cloned()
                .ok_or_else(|| WebhookError::Malformed("event_callback without event".into()))?;
            Ok(EventEnvelope::EventCallback {
                event_id: required("event_id")?,
                team_id: required("team_id")?,
                event,
            })
        }
        _ => Ok(EventEnvelope::Unknown { kind }),
    }
}

/// The most characters Slack shows in a `header` block.
const HEADER_MAX_CHARS: usize = 150;
/// The most characters of a `section` block's text.
const SECTION_MAX_CHARS: usize = 3000;
/// The most characters of one `section` field.
const FIELD_MAX_CHARS: usize = 2000;

/// `text` cut to `max` characters, an ellipsis marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// `text` escaped for `mrkdwn`: `&`, `<` and `>` as Slack asks, so that no value becomes a
/// link or a mention (`<!channel>`).
fn escape_mrkdwn(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn plain_text(text: &str, max: usize) -> Value {
    json!({ "type": "plain_text", "text": cut(text.trim(), max), "emoji": true })
}

fn button(label: &str, action_id: &str, value: &str, style: &str) -> Value {
    json!({
        "type": "button",
        "action_id": action_id,
        "text": plain_text(label, 75),
        "value": value,
        "style": style,
    })
}

/// Blocks asking someone to approve or reject a step: a header (`title`), a section (`detail`),
/// and the buttons "Approve" ([`APPROVE_ACTION_ID`], primary) and "Reject"
/// ([`REJECT_ACTION_ID`], danger) carrying `approve_value` and `reject_value`: what the click's
/// [`BlockAction::value`] gives back, e.g. the step's reference. The texts are shown as typed
/// (plain text), cut to Slack's limits; values are sent as they are (Slack takes 2,000
/// characters).
pub fn approval_request_blocks(
    title: &str,
    detail: &str,
    approve_value: &str,
    reject_value: &str,
) -> Value {
    let mut blocks = Vec::new();
    if !title.trim().is_empty() {
        blocks.push(json!({ "type": "header", "text": plain_text(title, HEADER_MAX_CHARS) }));
    }
    if !detail.trim().is_empty() {
        blocks.push(json!({ "type": "section", "text": plain_text(detail, SECTION_MAX_CHARS) }));
    }
    blocks.push(json!({
        "type": "actions",
        "block_id": APPROVAL_BLOCK_ID,
        "elements": [
            button("Approve", APPROVE_ACTION_ID, approve_value, "primary"),
            button("Reject", REJECT_ACTION_ID, reject_value, "danger"),
        ],
    }));
    Value::Array(blocks)
}

/// What [`asset_blocks`] shows of one asset; the backend supplies the texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AssetSummary<'a> {
    pub name: &'a str,
    pub asset_tag: &'a str,
    pub serial_number: Option<&'a str>,
    pub status: &'a str,
    /// Who holds it; `None` when nobody does.
    pub assignee: Option<&'a str>,
    /// A link to the asset in Assetronics, shown as a button.
    pub url: Option<&'a str>,
}

/// Blocks describing one asset, e.g. for a slash command's answer: a header with its name, a
/// section with its tag, serial number, status and assignee ("—" where there is none), and an
/// "Open" link button when `url` is given. Values are escaped, so none turns into a link or a
/// mention.
pub fn asset_blocks(asset: &AssetSummary<'_>) -> Value {
    let field = |label: &str, value: Option<&str>| {
        let value = value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or("—");
        let value = cut(value, FIELD_MAX_CHARS - label.len() - 8);
        json!({ "type": "mrkdwn", "text": format!("*{label}*\n{}", escape_mrkdwn(&value)) })
    };
    let name = if asset.name.trim().is_empty() {
        asset.asset_tag
    } else {
        asset.name
    };
    let mut blocks = vec![
        json!({ "type": "header", "text": plain_text(name, HEADER_MAX_CHARS) }),
        json!({
            "type": "section",
            "fields": [
                field("Asset tag", Some(asset.asset_tag)),
                field("Serial number", asset.serial_number),
                field("Status", Some(asset.status)),
                field("Assigned to", asset.assignee),
            ],
        }),
    ];
    if let Some(url) = asset.url.map(str::trim).filter(|u| !u.is_empty()) {
        blocks.push(json!({
            "type": "actions",
            "elements": [{
                "type": "button",
                "action_id": "open_asset",
                "text": plain_text("Open in Assetronics", 75),
                "url": url,
            }],
        }));
    }
    Value::Array(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slack's worked example from "Verifying requests from Slack".
    const DOC_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const DOC_TIMESTAMP: &str = "1531420618";
    const DOC_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const DOC_SIGNATURE: &str =
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn doc_time() -> DateTime<Utc> {
        DateTime::from_timestamp(1_531_420_618, 0).unwrap()
    }

    #[test]
    fn signs_slacks_documented_example() {
        assert_eq!(
            sign_request(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY.as_bytes()),
            DOC_SIGNATURE
        );
        verify_request(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_BODY.as_bytes(),
            DOC_SIGNATURE,
            doc_time(),
        )
        .unwrap();
    }

    #[test]
    fn refuses_altered_requests() {
        let check = |secret: &str, timestamp: &str, body: &str, signature: &str| {
            verify_request(secret, timestamp, body.as_bytes(), signature, doc_time())
        };
        let tampered = DOC_BODY.replace("text=&", "text=wipe&");
        assert_eq!(
            check(DOC_SECRET, DOC_TIMESTAMP, &tampered, DOC_SIGNATURE),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            check("another-secret", DOC_TIMESTAMP, DOC_BODY, DOC_SIGNATURE),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            check(DOC_SECRET, "1531420619", DOC_BODY, DOC_SIGNATURE),
            Err(WebhookError::BadSignature),
            "the timestamp is signed"
        );
        let bare = DOC_SIGNATURE.trim_start_matches("v0=");
        assert_eq!(
            check(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY, bare),
            Err(WebhookError::BadSignature),
            "the v0= prefix is required"
        );
        let v1 = DOC_SIGNATURE.replace("v0=", "v1=");
        assert_eq!(
            check(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY, &v1),
            Err(WebhookError::BadSignature)
        );
        for broken in ["", "v0=", "v0=not-hex", &DOC_SIGNATURE[..40]] {
            assert_eq!(
                check(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY, broken),
                Err(WebhookError::BadSignature),
                "{broken:?}"
            );
        }
        let unsigned = sign_request("", DOC_TIMESTAMP, DOC_BODY.as_bytes());
        assert_eq!(
            check("", DOC_TIMESTAMP, DOC_BODY, &unsigned),
            Err(WebhookError::BadSignature),
            "an empty secret verifies nothing"
        );
        check(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_BODY,
            &DOC_SIGNATURE.to_uppercase().replace("V0=", "v0="),
        )
        .unwrap();
    }

    #[test]
    fn refuses_stale_and_future_timestamps() {
        let at = |now: DateTime<Utc>| {
            verify_request(
                DOC_SECRET,
                DOC_TIMESTAMP,
                DOC_BODY.as_bytes(),
                DOC_SIGNATURE,
                now,
            )
        };
        at(doc_time() + TimeDelta::seconds(300)).unwrap();
        at(doc_time() - TimeDelta::seconds(300)).unwrap();
        assert_eq!(
            at(doc_time() + TimeDelta::seconds(301)),
            Err(WebhookError::Stale { skew_secs: 301 })
        );
        assert_eq!(
            at(doc_time() - TimeDelta::minutes(6)),
            Err(WebhookError::Stale { skew_secs: -360 })
        );
        let body = b"payload";
        let signature = sign_request(DOC_SECRET, "yesterday", body);
        assert!(matches!(
            verify_request(DOC_SECRET, "yesterday", body, &signature, doc_time()),
            Err(WebhookError::BadTimestamp { .. })
        ));
    }

    #[test]
    fn reads_the_documented_slash_command() {
        let command = parse_slash_command(DOC_BODY.as_bytes()).unwrap();
        assert_eq!(command.command, "/webhook-collect");
        assert_eq!(command.text, "");
        assert_eq!(command.user_id, "U2CERLKJA");
        assert_eq!(command.user_name.as_deref(), Some("roadrunner"));
        assert_eq!(command.team_id, "T1DC2JH3J");
        assert_eq!(command.channel_id, "G8PSS9T3V");
        assert_eq!(
            command.response_url,
            "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
        );
        assert_eq!(
            command.trigger_id,
            "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        );
        assert_eq!(command.enterprise_id, None);

        let typed = DOC_BODY.replace("text=&", "text=asset+ASSET-0042+%26+more&");
        let typed = parse_slash_command(typed.as_bytes()).unwrap();
        assert_eq!(typed.text, "asset ASSET-0042 & more");

        let anonymous = DOC_BODY.replace("user_id=U2CERLKJA&", "");
        assert!(matches!(
            parse_slash_command(anonymous.as_bytes()),
            Err(WebhookError::Malformed(m)) if m.contains("user_id")
        ));
        assert!(matches!(
            parse_slash_command(b"\xff\xfe"),
            Err(WebhookError::Malformed(_))
        ));
    }

    /// A `block_actions` payload shaped as Slack documents it.
    fn block_actions() -> Value {
        json!({
            "type": "block_actions",
            "team": {"id": "T9TK3CUKW", "domain": "example"},
            "user": {"id": "UA8RXUSPL", "username": "jtorrance", "team_id": "T9TK3CUKW"},
            "api_app_id": "AABA1ABCD",
            "token": "9s8d9as89d8as9d8as989",
            "container": {"type": "message", "message_ts": "1548261231.000200",
                          "channel_id": "CBR2V3XEX", "is_ephemeral": false},
            "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
            "channel": {"id": "CBR2V3XEX", "name": "review-updates"},
            "message": {"type": "message", "text": "Approve?", "ts": "1548261231.000200"},
            "response_url": "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
            "actions": [{
                "action_id": "approve_step", "block_id": "approval_actions",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": "step:42", "style": "primary", "type": "button",
                "action_ts": "1548426417.840180"
            }]
        })
    }

    fn form(payload: &Value) -> Vec<u8> {
        let mut url = Url::parse("http://form.invalid/").unwrap();
        url.query_pairs_mut()
            .append_pair("payload", &payload.to_string());
        url.query().unwrap().as_bytes().to_vec()
    }

    #[test]
    fn reads_a_button_click() {
        let Interaction::BlockActions(click) = parse_interaction(&form(&block_actions())).unwrap()
        else {
            panic!("not block_actions");
        };
        assert_eq!(click.user_id, "UA8RXUSPL");
        assert_eq!(click.user_name.as_deref(), Some("jtorrance"));
        assert_eq!(click.team_id, "T9TK3CUKW");
        assert_eq!(click.channel_id.as_deref(), Some("CBR2V3XEX"));
        assert_eq!(click.message_ts.as_deref(), Some("1548261231.000200"));
        assert!(
            click
                .response_url
                .unwrap()
                .starts_with("https://hooks.slack.com/")
        );
        assert_eq!(
            click.actions,
            vec![BlockAction {
                action_id: APPROVE_ACTION_ID.into(),
                block_id: APPROVAL_BLOCK_ID.into(),
                value: Some("step:42".into()),
                kind: "button".into(),
            }]
        );

        // An org-wide install may leave team out; the container says where the message is.
        let mut payload = block_actions();
        payload["team"] = Value::Null;
        payload.as_object_mut().unwrap().remove("channel");
        payload.as_object_mut().unwrap().remove("message");
        payload["actions"][0] = json!({"action_id": "pick", "block_id": "b", "type": "static_select",
                                       "selected_option": {"value": "laptop"}});
        let Interaction::BlockActions(pick) = parse_interaction(&form(&payload)).unwrap() else {
            panic!("not block_actions");
        };
        assert_eq!(pick.team_id, "T9TK3CUKW");
        assert_eq!(pick.channel_id.as_deref(), Some("CBR2V3XEX"));
        assert_eq!(pick.message_ts.as_deref(), Some("1548261231.000200"));
        assert_eq!(pick.actions[0].value.as_deref(), Some("laptop"));
    }

    #[test]
    fn other_interactions_and_broken_ones() {
        let submission = json!({"type": "view_submission", "user": {"id": "U1"}, "view": {}});
        assert!(matches!(
            parse_interaction(&form(&submission)).unwrap(),
            Interaction::Other { kind, .. } if kind == "view_submission"
        ));
        assert!(matches!(
            parse_interaction(b"token=x"),
            Err(WebhookError::Malformed(m)) if m.contains("payload")
        ));
        assert!(matches!(
            parse_interaction(b"payload=%7Bnot-json"),
            Err(WebhookError::Malformed(_))
        ));
        let mut anonymous = block_actions();
        anonymous["user"] = json!({});
        assert!(matches!(
            parse_interaction(&form(&anonymous)),
            Err(WebhookError::Malformed(m)) if m.contains("user.id")
        ));
    }

    #[test]
    fn reads_events_api_envelopes() {
        let handshake = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
        assert_eq!(
            parse_event(handshake).unwrap(),
            EventEnvelope::UrlVerification {
                challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into()
            }
        );
        let callback = json!({
            "token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456",
            "event": {"type": "app_home_opened", "user": "U123ABC456", "channel": "D123ABC456"},
            "type": "event_callback", "event_id": "Ev123ABC456", "event_time": 1_515_449_522
        });
        assert_eq!(
            parse_event(callback.to_string().as_bytes()).unwrap(),
            EventEnvelope::EventCallback {
                event_id: "Ev123ABC456".into(),
                team_id: "T123ABC456".into(),
                event: callback["event"].clone(),
            }
        );
        assert_eq!(
            parse_event(br#"{"type":"app_rate_limited","team_id":"T1"}"#).unwrap(),
            EventEnvelope::Unknown {
                kind: "app_rate_limited".into()
            }
        );
        for broken in [
            &b"not json"[..],
            br#"{"challenge":"x"}"#,
            br#"{"type":"url_verification"}"#,
            br#"{"type":"event_callback","event_id":"Ev1","team_id":"T1"}"#,
        ] {
            assert!(
                matches!(parse_event(broken), Err(WebhookError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
    }

    #[test]
    fn approval_blocks_carry_the_step_in_the_buttons() {
        let blocks = approval_request_blocks(
            "Laptop request",
            "Ada Lovelace asks for a MacBook Pro <!channel>",
            "approve:step-7",
            "reject:step-7",
        );
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[0]["text"]["text"], "Laptop request");
        assert_eq!(blocks[1]["text"]["type"], "plain_text", "shown as typed");
        let buttons = &blocks[2]["elements"];
        assert_eq!(blocks[2]["block_id"], APPROVAL_BLOCK_ID);
        assert_eq!(buttons[0]["action_id"], APPROVE_ACTION_ID);
        assert_eq!(buttons[0]["style"], "primary");
        assert_eq!(buttons[0]["value"], "approve:step-7");
        assert_eq!(buttons[1]["action_id"], REJECT_ACTION_ID);
        assert_eq!(buttons[1]["style"], "danger");
        assert_eq!(buttons[1]["value"], "reject:step-7");

        let long = "x".repeat(400);
        let blocks = approval_request_blocks(&long, "", "a", "r");
        assert_eq!(blocks.as_array().unwrap().len(), 2, "no empty section");
        let title = blocks[0]["text"]["text"].as_str().unwrap();
        assert_eq!(title.chars().count(), HEADER_MAX_CHARS);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn asset_blocks_escape_values_and_mark_missing_ones() {
        let blocks = asset_blocks(&AssetSummary {
            name: "MacBook Pro 14",
            asset_tag: "ASSET-0042",
            serial_number: Some("C02XG0FDH7JY"),
            status: "assigned",
            assignee: Some("Ada <!here> & co"),
            url: Some("https://app.example.com/assets/42"),
        });
        assert_eq!(blocks[0]["text"]["text"], "MacBook Pro 14");
        let fields = blocks[1]["fields"].as_array().unwrap();
        assert_eq!(fields[0]["text"], "*Asset tag*\nASSET-0042");
        assert_eq!(fields[1]["text"], "*Serial number*\nC02XG0FDH7JY");
        assert_eq!(
            fields[3]["text"],
            "*Assigned to*\nAda &lt;!here&gt; &amp; co"
        );
        assert_eq!(
            blocks[2]["elements"][0]["url"],
            "https://app.example.com/assets/42"
        );

        let spare = asset_blocks(&AssetSummary {
            name: "",
            asset_tag: "ASSET-7",
            status: "in stock",
            ..AssetSummary::default()
        });
        assert_eq!(spare[0]["text"]["text"], "ASSET-7");
        assert_eq!(spare[1]["fields"][3]["text"], "*Assigned to*\n—");
        assert_eq!(spare.as_array().unwrap().len(), 2);
    }

    #[test]
    fn errors_say_what_to_do() {
        let api = |error: &str| SlackError::Api {
            error: error.into(),
        };
        for error in [
            "invalid_auth",
            "token_revoked",
            "missing_scope",
            "account_inactive",
        ] {
            assert!(
                api(error).needs_attention() && !api(error).is_retryable(),
                "{error}"
            );
        }
        for error in ["ratelimited", "internal_error", "fatal_error"] {
            assert!(
                api(error).is_retryable() && !api(error).needs_attention(),
                "{error}"
            );
        }
        let lost = api("channel_not_found");
        assert!(!lost.is_retryable() && !lost.needs_attention());
        assert_eq!(lost.api_error(), Some("channel_not_found"));
        let limited = SlackError::from(VendorError::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
        });
        assert!(limited.is_retryable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(1)));
        assert!(SlackError::from(VendorError::CircuitOpen).is_retryable());
    }

    #[test]
    fn base_url_and_response_urls() {
        let client = |base_url: Option<&str>| {
            SlackClient::new(SlackConfig {
                bot_token: BotToken::new("xoxb-1"),
                base_url: base_url.map(str::to_owned),
                policy: HttpPolicy::default(),
            })
            .unwrap()
        };
        let slack = client(None);
        assert_eq!(slack.base_url().as_str(), "https://slack.com/api/");
        assert!(format!("{slack:?}").contains("BotToken(..)"));
        assert!(!format!("{slack:?}").contains("xoxb-1"));
        slack
            .response_url("https://hooks.slack.com/commands/T1/2/abc")
            .unwrap();
        for elsewhere in [
            "http://hooks.slack.com/commands/T1/2/abc",
            "https://evil.example.com/commands",
            "https://hooks.slack.com.evil.example.com/x",
            "not a url",
        ] {
            assert!(slack.response_url(elsewhere).is_err(), "{elsewhere}");
        }
        let sandbox = client(Some("http://127.0.0.1:9/slack/api/"));
        assert_eq!(sandbox.base_url().as_str(), "http://127.0.0.1:9/slack/api/");
        sandbox
            .response_url("http://127.0.0.1:9/slack/response/1")
            .unwrap();
        assert!(sandbox.response_url("ftp://127.0.0.1/x").is_err());
    }
}
