//! Slack's requests to the app, one Request URL each per integration (no user auth; every
//! request signed with the app's signing secret, `X-Slack-Signature` over
//! `v0:{X-Slack-Request-Timestamp}:{raw body}`, five minutes' tolerance):
//!
//! - `POST /webhooks/slack/{integration_id}/events`: the Events API. The `url_verification`
//!   handshake is answered with its challenge; an `event_callback` is stored once per
//!   `event_id` (Slack redelivers unanswered ones) and acknowledged.
//! - `POST /webhooks/slack/{integration_id}/commands`: a slash command whose text is an asset
//!   tag, serial number or name, answered at once (Slack waits three seconds) and only to the
//!   person who typed it.
//! - `POST /webhooks/slack/{integration_id}/interactivity`: a click on Approve / Reject of an
//!   approval request. Stored once per click, acknowledged at once, then decided by a job
//!   ([`perform_delivery`]) as the Assetronics user the clicker is, which replaces the message
//!   with the outcome through the click's `response_url`.
//!
//! A bad or stale signature is refused (401) before anything is stored; a disabled integration
//! is not found, as for HRIS webhooks.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::{EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use super::super::entity::integration;
use super::super::webhooks::{self, entity as delivery};
use crate::assets::published::AssetView;
use crate::platform::auth::Principal;
use crate::platform::clock;
use crate::platform::error::{ApiError, ApiResult, Code};
use crate::platform::ids::{IntegrationId, TenantId};
use crate::platform::jobs::{Job, JobOutcome, ProcessWebhook};
use crate::platform::state::AppState;
use crate::workflows::published::{Decision, StepAction};
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::slack::{
    self as vendor, BlockActions, EventEnvelope, Interaction, SlackClient, SlackError, SlashCommand,
};
use assetronics_integrations::webhooks::WebhookError;

/// How many assets a slash command lists when a name matches several.
const MAX_MATCHES: u64 = 5;

/// The note a decision taken in Slack leaves on the step.
const REJECTED_NOTE: &str = "Rejected in Slack";
const APPROVED_NOTE: &str = "Approved in Slack";

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::platform::http::resource;
    cfg.service(resource("/webhooks/slack/{integration_id}/events").route(web::post().to(events)))
        .service(
            resource("/webhooks/slack/{integration_id}/commands").route(web::post().to(commands)),
        )
        .service(
            resource("/webhooks/slack/{integration_id}/interactivity")
                .route(web::post().to(interactivity)),
        );
}

fn bad_signature(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(Code::InvalidSignature, detail.to_string())
}

fn malformed(e: WebhookError) -> ApiError {
    ApiError::new(Code::MalformedRequest, e.to_string())
}

/// The integration the URL names, once the request is shown to come from its Slack app: the
/// signature must verify with the integration's signing secret, over the raw body, within five
/// minutes.
async fn verified(
    state: &AppState,
    req: &HttpRequest,
    integration_id: IntegrationId,
    body: &[u8],
) -> ApiResult<integration::Model> {
    let row = integration::Entity::find_by_id(integration_id.uuid())
        .one(&state.db)
        .await?
        .filter(|r| r.provider == "slack" && r.status != "disabled")
        .ok_or(crate::integrations::error::IntegrationError::NotFound(
            "integration",
        ))?;
    let creds = super::super::providers::credentials(state, &row)?;
    let secret = creds
        .get("signing_secret")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad_signature("this integration has no signing secret configured"))?;
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let signature =
        header(vendor::SIGNATURE_HEADER).ok_or_else(|| bad_signature("missing signature"))?;
    let timestamp =
        header(vendor::TIMESTAMP_HEADER).ok_or_else(|| bad_signature("missing timestamp"))?;
    vendor::verify_request(secret, timestamp, body, signature, clock::now())
        .map_err(bad_signature)?;
    Ok(row)
}

/// Receives an Events API delivery.
#[utoipa::path(operation_id = "receive_slack_event", post, path = "/webhooks/slack/{integration_id}/events", tag = "webhooks",
    params(("integration_id" = uuid::Uuid, Path)),
    request_body(content = String, content_type = "application/json", description = "Slack's signed Events API body, verified byte for byte"),
    responses(
        (status = 200, description = "`url_verification` answered with `{\"challenge\"}`; an event stored once and acknowledged with an empty body"),
        (status = 400, description = "Signed, but not an Events API body", body = crate::platform::error::Problem),
        (status = 401, description = "Missing, wrong or stale signature; nothing is stored", body = crate::platform::error::Problem),
        (status = 404, description = "No such Slack integration, or it is disabled", body = crate::platform::error::Problem)))]
pub async fn events(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<IntegrationId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let row = verified(&state, &req, path.into_inner(), &body).await?;
    match vendor::parse_event(&body).map_err(malformed)? {
        EventEnvelope::UrlVerification { challenge } => {
            Ok(HttpResponse::Ok().json(json!({ "challenge": challenge })))
        }
        EventEnvelope::EventCallback {
            event_id, event, ..
        } => {
            let kind = event
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown");
            webhooks::store(
                &state,
                &row,
                format!("event:{event_id}"),
                format!("event:{kind}"),
                &body,
            )
            .await?;
            Ok(HttpResponse::Ok().finish())
        }
        EventEnvelope::Unknown { .. } => Ok(HttpResponse::Ok().finish()),
    }
}

/// Receives a slash command and answers it.
#[utoipa::path(operation_id = "receive_slack_command", post, path = "/webhooks/slack/{integration_id}/commands", tag = "webhooks",
    params(("integration_id" = uuid::Uuid, Path)),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Slack's signed slash-command form; its `text` is an asset tag, serial number or name"),
    responses(
        (status = 200, description = "The ephemeral answer Slack shows the person: `{response_type, text, blocks?}`", body = Object),
        (status = 400, description = "Signed, but not a slash command", body = crate::platform::error::Problem),
        (status = 401, description = "Missing, wrong or stale signature", body = crate::platform::error::Problem),
        (status = 404, description = "No such Slack integration, or it is disabled", body = crate::platform::error::Problem)))]
pub async fn commands(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<IntegrationId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    // Slack probes a command's URL (its certificate) with `ssl_check=1`; its SDKs answer 200
    // before anything else, and so do we: nothing is read or stored.
    if is_ssl_check(&body) {
        return Ok(HttpResponse::Ok().finish());
    }
    let row = verified(&state, &req, path.into_inner(), &body).await?;
    let command = vendor::parse_slash_command(&body).map_err(malformed)?;
    let answer = match answer_command(&state, &row, &command).await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::warn!(error = %e, tenant_id = %row.tenant_id, "slash command failed");
            ephemeral("Assetronics could not answer just now; try again in a moment.")
        }
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// Whether a form body is Slack's certificate probe (`ssl_check=1`).
fn is_ssl_check(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .any(|pair| pair == b"ssl_check=1")
}

/// An answer only the person who asked sees.
fn ephemeral(text: &str) -> Value {
    json!({ "response_type": "ephemeral", "text": text })
}

/// Slack waits three seconds for a command's answer: one quick try at Slack, no retries.
fn answer_policy() -> HttpPolicy {
    HttpPolicy {
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        max_retries: 0,
        ..HttpPolicy::default()
    }
}

/// Who a Slack member is in Assetronics: the tenant's active user with their Slack address.
async fn member(
    state: &AppState,
    client: &SlackClient,
    tenant_id: TenantId,
    slack_user: &str,
) -> Result<Option<Principal>, Failure> {
    let Some(email) = client
        .user_email(slack_user)
        .await
        .map_err(Failure::Slack)?
    else {
        return Ok(None);
    };
    crate::accounts::published::principal_by_email(&state.db, tenant_id, &email)
        .await
        .map_err(Failure::Api)
}

/// Why a step of handling a Slack request did not complete.
#[derive(Debug)]
enum Failure {
    Slack(SlackError),
    Api(ApiError),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Slack(e) => write!(f, "{e}"),
            Failure::Api(e) => write!(f, "{e}"),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

const NO_ACCOUNT: &str = "You need an active Assetronics account with the email address of your \
                          Slack profile; ask an Assetronics admin to add you.";

async fn answer_command(
    state: &AppState,
    row: &integration::Model,
    command: &SlashCommand,
) -> Result<Value, Failure> {
    let client = super::super::providers::slack(state, row, answer_policy())?;
    let Some(who) = member(state, &client, row.tenant_id.into(), &command.user_id).await? else {
        return Ok(ephemeral(NO_ACCOUNT));
    };
    let query = command.text.trim();
    if query.is_empty() {
        return Ok(ephemeral(&format!(
            "Type `{} ` followed by an asset tag, a serial number or a name.",
            command.command
        )));
    }
    let found = find_assets(state, &who, query).await?;
    if found.is_empty() {
        return Ok(ephemeral(&format!("No asset matches “{query}”.")));
    }
    let mut blocks = vec![];
    if found.len() > 1 {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "plain_text", "text": format!("{} assets match “{query}”:", found.len())},
        }));
    }
    for (i, a) in found.iter().enumerate() {
        if i > 0 {
            blocks.push(json!({"type": "divider"}));
        }
        if let Value::Array(b) = super::asset_summary_blocks(a) {
            blocks.extend(b);
        }
    }
    let text = found
        .iter()
        .map(|a| {
            format!(
                "{} {} ({})",
                a.tag,
                a.name,
                a.status.as_str().replace('_', " ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(json!({ "response_type": "ephemeral", "text": text, "blocks": blocks }))
}

/// The assets a query names, as the person may see them: the one with that exact tag (as typed,
/// then upper-cased) or serial number, else up to [`MAX_MATCHES`] whose tag, name, serial or
/// model contains it.
async fn find_assets(state: &AppState, who: &Principal, query: &str) -> ApiResult<Vec<AssetView>> {
    use crate::assets::published as assets;
    let upper = query.to_uppercase();
    let mut exact = vec![(Some(query), None), (None, Some(query))];
    if upper != query {
        exact.insert(1, (Some(upper.as_str()), None));
    }
    for (tag, serial) in exact {
        match assets::lookup(state, who, tag, serial).await {
            Ok(a) => return Ok(vec![a]),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    let page = assets::list(
        state,
        who,
        assets::AssetFilter {
            q: Some(query.to_owned()),
            ..Default::default()
        },
        assets::Sort::parse(Some("name"))?,
        Some(MAX_MATCHES),
        None,
    )
    .await?;
    Ok(page.data)
}

/// Receives a click on a message's buttons.
#[utoipa::path(operation_id = "receive_slack_interaction", post, path = "/webhooks/slack/{integration_id}/interactivity", tag = "webhooks",
    params(("integration_id" = uuid::Uuid, Path)),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Slack's signed interaction form (`payload` JSON)"),
    responses(
        (status = 200, description = "Acknowledged with an empty body; an Approve / Reject click is stored once and decided by a job, whose outcome replaces the message"),
        (status = 400, description = "Signed, but not an interaction", body = crate::platform::error::Problem),
        (status = 401, description = "Missing, wrong or stale signature; nothing is stored", body = crate::platform::error::Problem),
        (status = 404, description = "No such Slack integration, or it is disabled", body = crate::platform::error::Problem)))]
pub async fn interactivity(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<IntegrationId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let row = verified(&state, &req, path.into_inner(), &body).await?;
    let Interaction::BlockActions(click) = vendor::parse_interaction(&body).map_err(malformed)?
    else {
        return Ok(HttpResponse::Ok().finish());
    };
    let Some((action_id, value)) = decision_action(&click) else {
        return Ok(HttpResponse::Ok().finish());
    };
    // Slack gives each click its own trigger id and action timestamp; a replayed request
    // carries the same ones.
    let payload = payload_json(&body);
    let at = |pointer: &str| {
        payload
            .as_ref()
            .and_then(|p| p.pointer(pointer))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let key = format!(
        "interaction:{}:{}:{action_id}:{value}:{}",
        at("/trigger_id"),
        click.user_id,
        at("/actions/0/action_ts")
    );
    // A replay (`Stored::Duplicate`) is acknowledged alike and changes nothing.
    webhooks::store(&state, &row, key, "interaction:block_actions".into(), &body).await?;
    Ok(HttpResponse::Ok().finish())
}

/// The first Approve / Reject button of a click, with its value.
fn decision_action(click: &BlockActions) -> Option<(&str, &str)> {
    click.actions.iter().find_map(|a| {
        let known =
            a.action_id == vendor::APPROVE_ACTION_ID || a.action_id == vendor::REJECT_ACTION_ID;
        known.then_some((a.action_id.as_str(), a.value.as_deref().unwrap_or_default()))
    })
}

/// An interaction form's `payload`, as JSON.
fn payload_json(body: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(body).ok()?;
    let fields = web::Query::<HashMap<String, String>>::from_query(text).ok()?;
    serde_json::from_str(fields.get("payload")?).ok()
}

/// The job's work for a stored Slack delivery: an event is recorded (nothing acts on events
/// yet); a click decides the approval as the Assetronics user the clicker is, and tells them
/// how it went through the click's response URL. A decision refused by the rules (not theirs to
/// take, already decided) is answered and not retried; Slack being unreachable is retried with
/// backoff like any delivery.
pub(in crate::integrations) async fn perform_delivery(
    state: &AppState,
    job: &ProcessWebhook,
    row: &integration::Model,
    d: &delivery::Model,
    attempt: i32,
) -> ApiResult<JobOutcome> {
    if let Some(kind) = d.event_type.strip_prefix("event:") {
        processed(state, job, json!({"event": kind, "handled": false})).await?;
        return Ok(JobOutcome::Succeeded);
    }
    let click = match vendor::parse_interaction(d.body.as_bytes()) {
        Ok(Interaction::BlockActions(click)) => click,
        Ok(Interaction::Other { kind, .. }) => {
            processed(state, job, json!({"interaction": kind, "handled": false})).await?;
            return Ok(JobOutcome::Succeeded);
        }
        Err(e) => return dead(state, job, e.to_string()).await,
    };
    let decided = decision_action(&click)
        .and_then(|(action, value)| Some((action, super::parse_decision_value(value)?)));
    let Some((action, (workflow_id, step_id))) = decided else {
        processed(state, job, json!({"outcome": "ignored"})).await?;
        return Ok(JobOutcome::Succeeded);
    };
    let client = super::super::providers::slack(state, row, super::super::providers::policy())?;
    let who = match member(state, &client, row.tenant_id.into(), &click.user_id).await {
        Ok(who) => who,
        Err(Failure::Api(e)) => return Err(e),
        Err(Failure::Slack(e)) => return slack_failed(state, job, row, attempt, e).await,
    };
    let Some(who) = who else {
        answer(&client, &click, refusal(NO_ACCOUNT)).await;
        processed(
            state,
            job,
            json!({"outcome": "refused", "reason": "no_account"}),
        )
        .await?;
        return Ok(JobOutcome::Succeeded);
    };
    let (decision, note, done) = if action == vendor::REJECT_ACTION_ID {
        (Decision::Reject, REJECTED_NOTE, "Rejected")
    } else {
        (Decision::Approve, APPROVED_NOTE, "Approved")
    };
    let acted = crate::workflows::published::act(
        state,
        &who,
        workflow_id,
        step_id,
        decision,
        StepAction {
            note: Some(note.into()),
            asset_id: None,
        },
    )
    .await;
    match acted {
        Ok(wf) => {
            let step = wf
                .steps
                .iter()
                .find(|s| s.id == step_id)
                .map_or("the step", |s| s.name.as_str());
            let text = format!(
                "{done} by {}: {step} for the {} of {}.",
                who.actor.name(),
                wf.kind,
                wf.employee.name
            );
            let outcome = json!({
                "replace_original": true,
                "text": text,
                "blocks": [{"type": "section", "text": {"type": "plain_text", "text": text}}],
            });
            answer(&client, &click, outcome).await;
            let result = json!({"outcome": done.to_lowercase(), "workflow_id": workflow_id, "step_id": step_id, "by": who.actor.id()});
            processed(state, job, result).await?;
            Ok(JobOutcome::Succeeded)
        }
        Err(e) if e.is_client_error() => {
            let why = e
                .detail
                .clone()
                .unwrap_or_else(|| e.code.title().to_owned());
            answer(&client, &click, refusal(&format!("Not done: {why}."))).await;
            let result =
                json!({"outcome": "refused", "code": e.code.as_str(), "by": who.actor.id()});
            processed(state, job, result).await?;
            Ok(JobOutcome::Succeeded)
        }
        Err(e) => Err(e),
    }
}

/// A message only the clicker sees, leaving the buttons for whoever may decide.
fn refusal(text: &str) -> Value {
    json!({ "response_type": "ephemeral", "replace_original": false, "text": text })
}

/// Posts to the click's response URL. The decision stands whatever happens to this post, so a
/// failure is logged, not retried.
async fn answer(client: &SlackClient, click: &BlockActions, body: Value) {
    let Some(url) = click.response_url.as_deref() else {
        return;
    };
    if let Err(e) = client.respond(url, &body).await {
        tracing::warn!(error = %e, "could not answer a Slack click");
    }
}

async fn processed(state: &AppState, job: &ProcessWebhook, result: Value) -> ApiResult<()> {
    let mut am = webhooks::load(state, job).await?.into_active_model();
    am.status = Set("processed".into());
    am.error = Set(None);
    am.result = Set(result);
    am.processed_at = Set(Some(clock::now()));
    webhooks::save(state, am, job.tenant_id.into()).await
}

async fn dead(state: &AppState, job: &ProcessWebhook, why: String) -> ApiResult<JobOutcome> {
    let mut am = webhooks::load(state, job).await?.into_active_model();
    am.status = Set("dead".into());
    am.error = Set(Some(why));
    webhooks::save(state, am, job.tenant_id.into()).await?;
    Ok(JobOutcome::Dead)
}

/// Slack could not say who clicked: retried while that may pass; a bad token marks the
/// integration as needing attention.
async fn slack_failed(
    state: &AppState,
    job: &ProcessWebhook,
    row: &integration::Model,
    attempt: i32,
    e: SlackError,
) -> ApiResult<JobOutcome> {
    let settings = &state.settings.jobs;
    if e.needs_attention() {
        super::super::service::mark_needs_attention(state, row, &e.to_string()).await?;
        return dead(state, job, e.to_string()).await;
    }
    if !e.is_retryable() || (attempt as u32) >= settings.max_attempts {
        return dead(state, job, e.to_string()).await;
    }
    let delay =
        crate::platform::jobs::backoff(attempt as u32, settings.retry_base, e.retry_after());
    state
        .jobs
        .push_after(Job::ProcessWebhook(job.clone()), delay)
        .await
        .map_err(ApiError::internal)?;
    let mut am = webhooks::load(state, job).await?.into_active_model();
    am.status = Set("retrying".into());
    am.error = Set(Some(e.to_string()));
    am.next_attempt_at = Set(Some(
        clock::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
    ));
    webhooks::save(state, am, job.tenant_id.into()).await?;
    Ok(JobOutcome::Retried)
}
