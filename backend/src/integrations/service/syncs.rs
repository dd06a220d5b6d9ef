//! Sync runs: "sync now" and the schedule queue a run, a job performs it (people from an HR
//! system, devices from an MDM, purchases from a finance system) with retries and backoff, and
//! the API shows the runs.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Value, json};

use super::{SYNC_BATCH, SyncOutcome, TOPIC, find, notify, vendor_failed};
use crate::audit::published::{self as audit, Entry};
use crate::integrations::entity::integration;
use crate::integrations::error::IntegrationError;
use crate::integrations::model::AVAILABLE;
use crate::integrations::providers::{self, Kind};
use crate::integrations::runs::{SyncQueued, SyncRunView, entity as sync_run};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::ids::{IntegrationId, SyncRunId, TenantId};
use crate::platform::jobs::{JobOutcome, SyncIntegration};
use crate::platform::state::AppState;

/// Runs one sync of the integration, by what its provider is: people from an HR system,
/// devices from an MDM, purchases from a finance system.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn run_sync(
    state: &AppState,
    who: &Principal,
    id: IntegrationId,
) -> ApiResult<SyncOutcome> {
    let row = find(state, who, id).await?;
    match providers::kind_of(&row.provider) {
        Some(Kind::Mdm) => crate::integrations::devices::run_device_sync(state, who, &row).await,
        Some(Kind::Finance) => {
            crate::integrations::purchases::run_finance_sync(state, who, &row).await
        }
        _ => run_hris_sync(state, who, &row).await,
    }
}

/// Pulls every person from the integration's HR system and upserts them, batch by batch,
/// publishing `sync_started`, `sync_progress` and `sync_finished` / `sync_failed` on the
/// tenant's `integrations` topic; then links people to their managers. Running it again with no
/// vendor change writes nothing. Bad credentials mark the integration as needing attention.
async fn run_hris_sync(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
) -> ApiResult<SyncOutcome> {
    let hris = providers::hris(state, row)?;
    notify(
        state,
        who.tenant_id,
        "sync_started",
        json!({"integration_id": row.id}),
    )
    .await?;
    let pull = match hris.fetch_all().await {
        Ok(p) => p,
        Err(e) => return vendor_failed(state, who, row, e).await,
    };
    apply_pull(state, who, row, pull, true).await
}

/// Upserts what a pull returned, in batches, with progress events, then links managers.
pub(in crate::integrations) async fn apply_pull(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
    pull: assetronics_integrations::hris::EmployeePull,
    with_progress: bool,
) -> ApiResult<SyncOutcome> {
    let id = row.id;
    let mut stats = crate::people::published::UpsertStats {
        failed: pull.malformed.len() as u64,
        ..Default::default()
    };
    let total = pull.employees.len();
    for (i, batch) in pull.employees.chunks(SYNC_BATCH).enumerate() {
        let s =
            crate::people::published::upsert_from_hris(state, who, &row.provider, batch).await?;
        // A first import grows the table faster than PostgreSQL's autovacuum refreshes its
        // statistics; planned against an "empty" table, each batch's lookups scan it whole.
        // Refreshed whenever the batches written have doubled (1, 2, 4, 8, ...).
        if s.created > 0 && (i + 1).is_power_of_two() {
            crate::people::published::refresh_statistics(&state.db).await?;
        }
        stats.created += s.created;
        stats.updated += s.updated;
        stats.unchanged += s.unchanged;
        stats.failed += s.failed;
        if with_progress {
            let done = ((i + 1) * SYNC_BATCH).min(total);
            notify(
                state,
                who.tenant_id,
                "sync_progress",
                json!({"integration_id": id, "processed": done, "total": total, "stats": stats}),
            )
            .await?;
        }
    }
    let links: Vec<(String, String)> = pull
        .employees
        .iter()
        .filter_map(|e| Some((e.external_id.clone(), e.manager_external_id.clone()?)))
        .collect();
    crate::people::published::link_managers_from_hris(state, who, &row.provider, &links).await?;
    let status = if stats.failed > 0 {
        "partial"
    } else {
        "succeeded"
    };
    if with_progress {
        notify(
            state,
            who.tenant_id,
            "sync_finished",
            json!({"integration_id": id, "status": status, "stats": stats}),
        )
        .await?;
    }
    Ok(SyncOutcome {
        status: status.into(),
        stats,
        details: None,
        error: None,
        retryable: false,
        retry_after: None,
    })
}

/// "Sync now": records a queued run and hands it to the job queue; a worker performs it.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn start_sync(
    state: &AppState,
    who: &Principal,
    id: IntegrationId,
) -> ApiResult<SyncQueued> {
    who.require(Action::IntegrationsManage)?;
    let row = find(state, who, id).await?;
    if !AVAILABLE.contains(&row.provider.as_str()) {
        return Err(IntegrationError::NotAvailable("this connector cannot sync yet".into()).into());
    }
    if row.status == "disabled" {
        return Err(IntegrationError::Disabled.into());
    }
    let run_id = queue_run(state, who, &row, "manual").await?;
    Ok(SyncQueued {
        sync_run_id: run_id,
    })
}

/// Records a queued run (audited, published) and pushes its job. The run row is committed
/// first: a job can never point at a run that does not exist.
async fn queue_run(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
    trigger: &str,
) -> ApiResult<SyncRunId> {
    let run_id = SyncRunId::new();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let run = sync_run::ActiveModel {
        id: Set(run_id.uuid()),
        tenant_id: Set(who.tenant_id.uuid()),
        integration_id: Set(row.id),
        trigger: Set(trigger.into()),
        status: Set("queued".into()),
        stats: Set(json!({"created": 0, "updated": 0, "unchanged": 0, "failed": 0})),
        error: Set(None),
        attempts: Set(0),
        created_at: Set(clock::now()),
        started_at: Set(None),
        finished_at: Set(None),
        next_attempt_at: Set(None),
        dead: Set(false),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.sync_requested",
            entity_type: "integration",
            entity_id: Some(row.id),
            changes: json!({"sync_run_id": run_id, "trigger": trigger}),
        },
    )
    .await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "sync_queued",
        json!({"sync_run": SyncRunView::from(run)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    state
        .jobs
        .push(crate::platform::jobs::Job::SyncIntegration(
            SyncIntegration {
                tenant_id: who.tenant_id.uuid(),
                integration_id: row.id,
                sync_run_id: run_id.uuid(),
            },
        ))
        .await
        .map_err(ApiError::internal)?;
    Ok(run_id)
}

/// Queues a sync for every integration whose schedule is due, across tenants. Each due tick is
/// claimed by moving `next_sync_at` forward with a conditional update, so among many
/// schedulers exactly one queues it; an integration that still has a run queued or running
/// skips the tick rather than piling runs up.
pub async fn enqueue_due_syncs(state: &AppState) -> ApiResult<usize> {
    let now = clock::now();
    let due = integration::Entity::find()
        .filter(integration::Column::Schedule.is_not_null())
        .filter(integration::Column::Status.eq("active"))
        .filter(integration::Column::NextSyncAt.lte(now))
        .limit(500)
        .all(&state.db)
        .await?;
    let mut queued = 0;
    for row in due {
        let Some(expr) = row.schedule.as_deref() else {
            continue;
        };
        let next = crate::platform::schedule::next_fire(expr, now);
        let claimed = integration::Entity::update_many()
            .col_expr(
                integration::Column::NextSyncAt,
                sea_orm::sea_query::Expr::value(next),
            )
            .filter(integration::Column::Id.eq(row.id))
            .filter(integration::Column::NextSyncAt.eq(row.next_sync_at))
            .exec(&state.db)
            .await?
            .rows_affected
            == 1;
        if !claimed || !AVAILABLE.contains(&row.provider.as_str()) {
            continue;
        }
        let busy = sync_run::Entity::find()
            .filter(sync_run::Column::TenantId.eq(row.tenant_id))
            .filter(sync_run::Column::IntegrationId.eq(row.id))
            .filter(sync_run::Column::Status.is_in(["queued", "running"]))
            .one(&state.db)
            .await?
            .is_some();
        if busy {
            continue;
        }
        let who = Principal::system(row.tenant_id.into(), "integration schedule");
        queue_run(state, &who, &row, "schedule").await?;
        queued += 1;
    }
    Ok(queued)
}

async fn load_run(state: &AppState, job: &SyncIntegration) -> ApiResult<sync_run::Model> {
    sync_run::Entity::find_by_id(job.sync_run_id)
        .filter(sync_run::Column::TenantId.eq(job.tenant_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| IntegrationError::NotFound("sync run").into())
}

/// Writes a run's new state and publishes `sync_run_updated`; a run that failed for good is
/// told to Slack in the same transaction.
async fn save_run(
    state: &AppState,
    am: sync_run::ActiveModel,
    tenant_id: TenantId,
) -> ApiResult<()> {
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let saved = am.update(&txn).await?;
    crate::integrations::slack::sync_failed(&txn, &saved).await?;
    events::enqueue(
        &txn,
        tenant_id,
        TOPIC,
        "sync_run_updated",
        json!({"sync_run": SyncRunView::from(saved)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// The job's work: runs the sync and records the outcome on the run. A run that already
/// finished is left alone, so a job delivered twice changes nothing the second time. A failure
/// that may pass is retried with backoff until the attempts run out; then the run is `failed`
/// and `dead`.
pub async fn perform_sync_run(state: &AppState, job: &SyncIntegration) -> ApiResult<JobOutcome> {
    let tenant_id = TenantId::from(job.tenant_id);
    let run = match load_run(state, job).await {
        Ok(r) => r,
        // The integration (and its runs) was deleted meanwhile: nothing to do.
        Err(e) if e.is_not_found() => return Ok(JobOutcome::Succeeded),
        Err(e) => return Err(e),
    };
    if matches!(run.status.as_str(), "succeeded" | "partial" | "failed") {
        return Ok(JobOutcome::Succeeded);
    }
    let attempt = run.attempts + 1;
    let mut am = run.clone().into_active_model();
    am.status = Set("running".into());
    am.attempts = Set(attempt);
    am.next_attempt_at = Set(None);
    if run.started_at.is_none() {
        am.started_at = Set(Some(clock::now()));
    }
    save_run(state, am, tenant_id).await?;
    let who = Principal::system(tenant_id, "integration sync");
    let outcome = match run_sync(state, &who, job.integration_id.into()).await {
        Ok(o) => o,
        Err(e) if e.is_not_found() => {
            return Ok(JobOutcome::Succeeded);
        }
        Err(e) if e.is_client_error() => SyncOutcome {
            status: "failed".into(),
            stats: Default::default(),
            details: None,
            error: Some(e.to_string()),
            retryable: false,
            retry_after: None,
        },
        Err(e) => return Err(e),
    };
    let settings = &state.settings.jobs;
    let mut am = load_run(state, job).await?.into_active_model();
    am.error = Set(outcome.error.clone());
    if outcome.status == "failed" && outcome.retryable && (attempt as u32) < settings.max_attempts {
        let delay = crate::platform::jobs::backoff(
            attempt as u32,
            settings.retry_base,
            outcome.retry_after,
        );
        // The retry is queued before the run says so: a crash in between leaves a run marked
        // `running` that its retry picks up, never a `queued` run with no job behind it.
        state
            .jobs
            .push_after(
                crate::platform::jobs::Job::SyncIntegration(job.clone()),
                delay,
            )
            .await
            .map_err(ApiError::internal)?;
        am.status = Set("queued".into());
        am.next_attempt_at = Set(Some(
            clock::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
        ));
        save_run(state, am, tenant_id).await?;
        state.metrics.syncs.with_label_values(&["retried"]).inc();
        return Ok(JobOutcome::Retried);
    }
    let failed = outcome.status == "failed";
    state
        .metrics
        .syncs
        .with_label_values(&[outcome.status.as_str()])
        .inc();
    am.status = Set(outcome.status);
    let mut stats = serde_json::to_value(outcome.stats).unwrap_or_default();
    if let (Some(Value::Object(extra)), Some(all)) = (outcome.details, stats.as_object_mut()) {
        all.extend(extra);
    }
    am.stats = Set(stats);
    am.dead = Set(failed && outcome.retryable);
    am.finished_at = Set(Some(clock::now()));
    save_run(state, am, tenant_id).await?;
    Ok(if failed {
        JobOutcome::Dead
    } else {
        JobOutcome::Succeeded
    })
}

/// Marks a run failed for good (its job panicked).
pub async fn abandon_run(state: &AppState, job: &SyncIntegration, error: &str) -> ApiResult<()> {
    let mut am = load_run(state, job).await?.into_active_model();
    am.status = Set("failed".into());
    am.error = Set(Some(error.to_owned()));
    am.dead = Set(true);
    am.finished_at = Set(Some(clock::now()));
    save_run(state, am, job.tenant_id.into()).await
}

pub async fn get_run(state: &AppState, who: &Principal, id: SyncRunId) -> ApiResult<SyncRunView> {
    who.require(Action::IntegrationsRead)?;
    sync_run::Entity::find_by_id(id.uuid())
        .filter(sync_run::Column::TenantId.eq(who.tenant_id))
        .one(&state.db)
        .await?
        .map(SyncRunView::from)
        .ok_or_else(|| IntegrationError::NotFound("sync run").into())
}

/// Runs of the tenant (optionally of one integration), newest first, at most 100.
pub async fn list_runs(
    state: &AppState,
    who: &Principal,
    integration_id: Option<IntegrationId>,
) -> ApiResult<Vec<SyncRunView>> {
    who.require(Action::IntegrationsRead)?;
    let mut q = sync_run::Entity::find().filter(sync_run::Column::TenantId.eq(who.tenant_id));
    if let Some(i) = integration_id {
        q = q.filter(sync_run::Column::IntegrationId.eq(i));
    }
    Ok(q.order_by_desc(sync_run::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?
        .into_iter()
        .map(SyncRunView::from)
        .collect())
}
