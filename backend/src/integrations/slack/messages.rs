//! The Slack outbox: a message is a row of `slack_messages`, written by [`enqueue`] in the same
//! transaction as the change it tells about (so a rolled-back change sends nothing and a
//! committed one is never lost), queued once per dedupe key. The scheduler's sweep
//! ([`dispatch`]) hands due messages to jobs; a job ([`perform`]) posts one with
//! `chat.postMessage`, resolving an `email:` recipient to the member's DM at send time.
//!
//! A message is `queued`, `sending` (a job holds it), `sent` or `failed`. Rate limits and
//! Slack's transient errors are retried (after `Retry-After` when Slack says) until
//! `settings.jobs.max_attempts`; a bad token or a missing scope marks the integration as
//! needing attention and fails the message.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set, TryInsertResult,
};
use serde_json::Value;
use uuid::Uuid;

use super::super::entity::integration;
use super::super::runs::entity as sync_run;
use crate::assets::published::AssetView;
use crate::platform::clock;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{StepId, TenantId, UserId, WorkflowId};
use crate::platform::jobs::{Job, JobOutcome, SendSlackMessage};
use crate::platform::state::AppState;
use assetronics_integrations::slack::{self as vendor, SlackClient, SlackError, SlackMessage};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "slack_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub integration_id: Uuid,
        /// Unique per tenant: what the message is about (`approval:{step_id}`).
        pub dedupe_key: String,
        /// A channel id, or `email:{address}` for a DM to that person.
        pub recipient: String,
        pub text: String,
        pub blocks: Option<Json>,
        /// `queued`, `sending`, `sent` or `failed`.
        pub status: String,
        pub attempts: i32,
        pub error: Option<String>,
        /// When a `queued` message is due (a retry waits), or when a `sending` one's hold lapses.
        pub next_attempt_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// How a recipient that is a person is written: `email:` and their address.
const EMAIL_RECIPIENT: &str = "email:";

/// How long a job holds a message it is sending, and how long a dispatched message waits for its
/// job, before the sweep takes it as lost (the process stopped) and dispatches it again.
const HOLD: Duration = Duration::minutes(2);

/// The recipient that DMs the person with this address.
pub fn to_person(email: &str) -> String {
    format!("{EMAIL_RECIPIENT}{}", email.trim().to_lowercase())
}

/// Queues a message to `recipient` (a channel id, or [`to_person`]) through the tenant's active
/// Slack integration, inside the caller's transaction; `key` makes it once per tenant (a second
/// message under the same key is dropped). Does nothing when the tenant has no active Slack
/// integration. Answers whether a message was queued.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    key: &str,
    recipient: &str,
    text: &str,
    blocks: Option<Value>,
) -> ApiResult<bool> {
    match super::active_integration(conn, tenant_id).await? {
        Some(row) => queue(conn, &row, key, recipient, text, blocks).await,
        None => Ok(false),
    }
}

async fn queue<C: ConnectionTrait>(
    conn: &C,
    row: &integration::Model,
    key: &str,
    recipient: &str,
    text: &str,
    blocks: Option<Value>,
) -> ApiResult<bool> {
    let recipient = recipient.trim();
    if recipient.is_empty() || recipient == EMAIL_RECIPIENT {
        return Ok(false);
    }
    let now = clock::now();
    let inserted = entity::Entity::insert(entity::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(row.tenant_id),
        integration_id: Set(row.id),
        dedupe_key: Set(key.to_owned()),
        recipient: Set(recipient.to_owned()),
        text: Set(text.to_owned()),
        blocks: Set(blocks),
        status: Set("queued".into()),
        attempts: Set(0),
        error: Set(None),
        next_attempt_at: Set(Some(now)),
        created_at: Set(now),
        sent_at: Set(None),
    })
    // Inside someone else's transaction a unique violation would abort it on PostgreSQL.
    .on_conflict_do_nothing_on([entity::Column::TenantId, entity::Column::DedupeKey])
    .exec_without_returning(conn)
    .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

/// An approval step that has just become active, as the workflows context tells it (what
/// Slack needs to ask the approver; read from the step as it is being saved, with its assignee).
#[derive(Clone, Debug)]
pub struct ApprovalRequest<'a> {
    pub tenant_id: TenantId,
    pub workflow_id: WorkflowId,
    pub step_id: StepId,
    /// The step's name, e.g. `Manager approval`.
    pub step_name: &'a str,
    /// `onboarding` or `offboarding`.
    pub workflow_kind: &'a str,
    pub employee_name: &'a str,
    pub employee_email: &'a str,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    /// The user the step is assigned to, if any.
    pub assignee: Option<UserId>,
}

/// An approval step has just become active: asks the approver in a DM (the assigned user's
/// address), or without one the integration's `notify_channel`, with Approve / Reject buttons
/// whose value is `{workflow_id}:{step_id}`.
pub async fn approval_requested<C: ConnectionTrait>(
    conn: &C,
    req: &ApprovalRequest<'_>,
) -> ApiResult<()> {
    let tenant_id = req.tenant_id;
    let Some(row) = super::active_integration(conn, tenant_id).await? else {
        return Ok(());
    };
    let approver = match req.assignee {
        Some(id) => crate::accounts::published::active_user_email(conn, tenant_id, id).await?,
        None => None,
    };
    let Some(recipient) = approver
        .map(|email| to_person(&email))
        .or_else(|| super::notify_channel(&row))
    else {
        return Ok(());
    };
    let kind = match req.workflow_kind {
        "offboarding" => "Offboarding",
        _ => "Onboarding",
    };
    let date = match req.workflow_kind {
        "offboarding" => req.end_date.map(|d| format!(", leaving {d}")),
        _ => req.start_date.map(|d| format!(", starting {d}")),
    };
    let title = format!("Approval needed: {}", req.step_name);
    let detail = format!(
        "{kind} of {} ({}){}.",
        req.employee_name,
        req.employee_email,
        date.unwrap_or_default()
    );
    let value = super::decision_value(req.workflow_id, req.step_id);
    let blocks = vendor::approval_request_blocks(&title, &detail, &value, &value);
    let text = format!("{title}: {detail}");
    queue(
        conn,
        &row,
        &format!("approval:{}", req.step_id),
        &recipient,
        &text,
        Some(blocks),
    )
    .await?;
    Ok(())
}

/// An asset has just been checked out: tells the holder in a DM.
pub async fn asset_checked_out<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    asset: &AssetView,
    holder_email: &str,
) -> ApiResult<()> {
    let mut text = format!("You now have {} {}", asset.tag, asset.name);
    if let Some(due) = asset.due_at {
        text.push_str(&format!(", due back {}", due.date_naive()));
    }
    let blocks = super::asset_summary_blocks(asset);
    enqueue(
        conn,
        tenant_id,
        &format!("checkout:{}:{}", asset.id, asset.version),
        &to_person(holder_email),
        &text,
        Some(blocks),
    )
    .await?;
    Ok(())
}

/// A sync run has just been saved: when it failed for good, tells the integration's
/// `notify_channel` (when one is set). Any other run is left alone.
pub async fn sync_failed<C: ConnectionTrait>(conn: &C, run: &sync_run::Model) -> ApiResult<()> {
    if run.status != "failed" {
        return Ok(());
    }
    let Some(row) = super::active_integration(conn, run.tenant_id.into()).await? else {
        return Ok(());
    };
    let Some(channel) = super::notify_channel(&row) else {
        return Ok(());
    };
    let synced = integration::Entity::find_by_id(run.integration_id)
        .filter(integration::Column::TenantId.eq(run.tenant_id))
        .one(conn)
        .await?;
    let name = synced.map_or_else(|| "an integration".to_owned(), |i| i.name);
    let error = run.error.as_deref().unwrap_or("no reason given");
    let text = format!(
        "The {name} sync failed after {} attempt{}: {error}",
        run.attempts,
        if run.attempts == 1 { "" } else { "s" }
    );
    queue(
        conn,
        &row,
        &format!("sync_failed:{}", run.id),
        &channel,
        &text,
        None,
    )
    .await?;
    Ok(())
}

/// Hands every due queued message to a job, across tenants, and puts back messages whose job
/// was lost with a stopped process. Each is claimed with a conditional update, so among many
/// schedulers one dispatches it.
pub async fn dispatch(state: &AppState) -> ApiResult<usize> {
    let now = clock::now();
    // A job that stopped mid-send leaves its hold to lapse: the message is queued again. (It may
    // have been posted: Slack has no idempotency key, so a crash there can show it twice.)
    entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value("queued"))
        .filter(entity::Column::Status.eq("sending"))
        .filter(entity::Column::NextAttemptAt.lte(now))
        .exec(&state.db)
        .await?;
    let due = entity::Entity::find()
        .filter(entity::Column::Status.eq("queued"))
        .filter(entity::Column::NextAttemptAt.lte(now))
        .order_by_asc(entity::Column::NextAttemptAt)
        .limit(500)
        .all(&state.db)
        .await?;
    let mut n = 0;
    for m in due {
        let claimed = entity::Entity::update_many()
            .col_expr(entity::Column::NextAttemptAt, Expr::value(Some(now + HOLD)))
            .filter(entity::Column::Id.eq(m.id))
            .filter(entity::Column::Status.eq("queued"))
            .filter(entity::Column::NextAttemptAt.eq(m.next_attempt_at))
            .exec(&state.db)
            .await?
            .rows_affected
            == 1;
        if claimed {
            state
                .jobs
                .push(Job::SendSlackMessage(SendSlackMessage {
                    tenant_id: m.tenant_id,
                    message_id: m.id,
                }))
                .await
                .map_err(ApiError::internal)?;
            n += 1;
        }
    }
    Ok(n)
}

async fn load(state: &AppState, job: &SendSlackMessage) -> ApiResult<Option<entity::Model>> {
    Ok(entity::Entity::find_by_id(job.message_id)
        .filter(entity::Column::TenantId.eq(job.tenant_id))
        .one(&state.db)
        .await?)
}

/// The job's work: posts the message once. A message that is not `queued` (sent, failed, or
/// being sent by another job) is left alone; taking it to `sending` is a conditional update,
/// so of two jobs for the same message one posts it.
pub async fn perform(state: &AppState, job: &SendSlackMessage) -> ApiResult<JobOutcome> {
    let Some(m) = load(state, job).await? else {
        return Ok(JobOutcome::Succeeded);
    };
    if m.status != "queued" {
        return Ok(JobOutcome::Succeeded);
    }
    let attempt = m.attempts + 1;
    let taken = entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value("sending"))
        .col_expr(entity::Column::Attempts, Expr::value(attempt))
        .col_expr(
            entity::Column::NextAttemptAt,
            Expr::value(Some(clock::now() + HOLD)),
        )
        .filter(entity::Column::Id.eq(m.id))
        .filter(entity::Column::Status.eq("queued"))
        .filter(entity::Column::Attempts.eq(m.attempts))
        .exec(&state.db)
        .await?
        .rows_affected
        == 1;
    if !taken {
        return Ok(JobOutcome::Succeeded);
    }
    let row = integration::Entity::find_by_id(m.integration_id)
        .filter(integration::Column::TenantId.eq(m.tenant_id))
        .one(&state.db)
        .await?;
    let row = match row {
        Some(row) if row.status == "active" => row,
        Some(row) => {
            let why = format!("the Slack integration is {}", row.status.replace('_', " "));
            finish(state, &m, attempt, "failed", Some(why)).await?;
            return Ok(JobOutcome::Dead);
        }
        None => return Ok(JobOutcome::Succeeded),
    };
    let client = super::super::providers::slack(state, &row, send_policy())?;
    match post(&client, &m).await {
        Ok(()) => {
            finish(state, &m, attempt, "sent", None).await?;
            Ok(JobOutcome::Succeeded)
        }
        Err(Failure::Undeliverable(why)) => {
            finish(state, &m, attempt, "failed", Some(why)).await?;
            Ok(JobOutcome::Dead)
        }
        Err(Failure::Slack(e)) if e.needs_attention() => {
            super::super::service::mark_needs_attention(state, &row, &e.to_string()).await?;
            finish(state, &m, attempt, "failed", Some(e.to_string())).await?;
            Ok(JobOutcome::Dead)
        }
        Err(Failure::Slack(e))
            if e.is_retryable() && (attempt as u32) < state.settings.jobs.max_attempts =>
        {
            let settings = &state.settings.jobs;
            let delay = crate::platform::jobs::backoff(
                attempt as u32,
                settings.retry_base,
                e.retry_after(),
            );
            // Due for the sweep only after the retry's own job had its chance.
            let due = clock::now() + Duration::from_std(delay).unwrap_or_default() + HOLD;
            let mut am = m.clone().into_active_model();
            am.status = Set("queued".into());
            am.attempts = Set(attempt);
            am.error = Set(Some(e.to_string()));
            am.next_attempt_at = Set(Some(due));
            am.update(&state.db).await?;
            state
                .jobs
                .push_after(Job::SendSlackMessage(job.clone()), delay)
                .await
                .map_err(ApiError::internal)?;
            Ok(JobOutcome::Retried)
        }
        Err(Failure::Slack(e)) => {
            finish(state, &m, attempt, "failed", Some(e.to_string())).await?;
            Ok(JobOutcome::Dead)
        }
    }
}

/// Why a message did not go.
enum Failure {
    /// Nothing to retry: the person is not in the workspace.
    Undeliverable(String),
    Slack(SlackError),
}

/// Resolves the recipient and posts the message.
async fn post(client: &SlackClient, m: &entity::Model) -> Result<(), Failure> {
    let channel = match m.recipient.strip_prefix(EMAIL_RECIPIENT) {
        Some(email) => client
            .user_id_by_email(email)
            .await
            .map_err(Failure::Slack)?
            .ok_or_else(|| {
                Failure::Undeliverable(format!(
                    "no member of the Slack workspace has the address {email}"
                ))
            })?,
        None => m.recipient.clone(),
    };
    client
        .post_message(&SlackMessage {
            channel,
            text: m.text.clone(),
            blocks: m.blocks.clone(),
        })
        .await
        .map(|_| ())
        .map_err(Failure::Slack)
}

/// The outbox retries: each call is tried once, so that a rate limit comes back to the job,
/// which waits what Slack asked without holding a worker.
fn send_policy() -> assetronics_integrations::http::HttpPolicy {
    assetronics_integrations::http::HttpPolicy {
        max_retries: 0,
        ..Default::default()
    }
}

/// Ends a message `sent` or `failed` after `attempts` tries.
async fn finish(
    state: &AppState,
    m: &entity::Model,
    attempts: i32,
    status: &str,
    error: Option<String>,
) -> ApiResult<()> {
    let mut am = m.clone().into_active_model();
    am.status = Set(status.into());
    am.attempts = Set(attempts);
    if status == "sent" {
        am.sent_at = Set(Some(clock::now()));
    }
    am.error = Set(error);
    am.next_attempt_at = Set(None);
    am.update(&state.db).await?;
    Ok(())
}

/// Fails the message for good (its job panicked).
pub async fn abandon(state: &AppState, job: &SendSlackMessage, error: &str) -> ApiResult<()> {
    if let Some(m) = load(state, job).await?
        && m.status != "sent"
    {
        let mut am = m.into_active_model();
        am.status = Set("failed".into());
        am.error = Set(Some(error.to_owned()));
        am.next_attempt_at = Set(None);
        am.update(&state.db).await?;
    }
    Ok(())
}
