//! Integration use-cases.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::integration;
use super::model::*;
use crate::app::AppState;
use crate::audit::service::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::validation::{self as v, Errors};

const TOPIC: &str = "integrations";

fn credential_names(state: &AppState, row: &integration::Model) -> Vec<String> {
    let aad = aad(row.tenant_id, row.id);
    match state.secrets.open(&row.credentials, &aad) {
        Ok(Value::Object(m)) => {
            let mut k: Vec<String> = m.keys().cloned().collect();
            k.sort();
            k
        }
        _ => vec![],
    }
}

pub(super) fn aad(tenant_id: Uuid, id: Uuid) -> Vec<u8> {
    format!("integration:{tenant_id}:{id}").into_bytes()
}

pub(super) fn view(state: &AppState, r: &integration::Model) -> IntegrationView {
    IntegrationView {
        id: r.id,
        provider: r.provider.clone(),
        name: r.name.clone(),
        config: r.config.clone(),
        credentials_set: credential_names(state, r),
        status: r.status.clone(),
        status_detail: r.status_detail.clone(),
        schedule: r.schedule.clone(),
        next_sync_at: r.next_sync_at,
        last_tested_at: r.last_tested_at,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub(super) async fn find(
    state: &AppState,
    who: &Principal,
    id: Uuid,
) -> ApiResult<integration::Model> {
    integration::Entity::find_by_id(id)
        .filter(integration::Column::TenantId.eq(who.tenant_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("integration"))
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create(
    state: &AppState,
    who: &Principal,
    req: CreateIntegration,
) -> ApiResult<IntegrationView> {
    who.require(Action::IntegrationsManage)?;
    let mut errs = Errors::default();
    let provider = req.provider.trim().to_owned();
    for e in check_provider(&provider, &req.config, &req.credentials) {
        errs.push(e);
    }
    if !req.config.is_object() {
        errs.add("config", "invalid_type", "must be an object");
    }
    if !req.credentials.is_object() {
        errs.add("credentials", "invalid_type", "must be an object");
    }
    let name = req
        .name
        .as_deref()
        .map(|n| v::required_text("name", n, 120))
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]));
    let schedule = req
        .schedule
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if let Some(s) = &schedule
        && let Err(why) = crate::jobs::parse_schedule(s)
    {
        errs.add("schedule", "invalid_format", why);
    }
    errs.finish()?;
    let name = name?.unwrap_or_else(|| provider.clone());
    let id = Uuid::now_v7();
    let sealed = state
        .secrets
        .seal(&req.credentials, &aad(who.tenant_id, id))
        .map_err(ApiError::internal)?;
    let now = clock::now();
    let next_sync_at = schedule
        .as_deref()
        .and_then(|s| crate::jobs::next_fire(s, now));
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let row = integration::ActiveModel {
        id: Set(id),
        tenant_id: Set(who.tenant_id),
        provider: Set(provider),
        name: Set(name),
        config: Set(req.config),
        credentials: Set(sealed),
        status: Set("active".into()),
        status_detail: Set(None),
        schedule: Set(schedule),
        last_tested_at: Set(None),
        next_sync_at: Set(next_sync_at),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.created",
            entity_type: "integration",
            entity_id: Some(id),
            // Credentials never enter the audit log; only that they were set.
            changes: json!({"provider": {"from": null, "to": row.provider}, "name": {"from": null, "to": row.name}, "config": {"from": null, "to": row.config}, "credentials": {"from": null, "to": "(set)"}}),
        },
    )
    .await?;
    let out = view(state, &row);
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "integration_created",
        json!({"integration": out}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}

/// Changes an integration: name, config, credentials (merged field by field), schedule,
/// enabled/disabled. Audited (credential values never), published as `integration_updated`.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
    req: UpdateIntegration,
) -> ApiResult<IntegrationView> {
    who.require(Action::IntegrationsManage)?;
    let mut errs = Errors::default();
    let name = req
        .name
        .as_deref()
        .and_then(|n| errs.take(v::required_text("name", n, 120)));
    let schedule = req
        .schedule
        .clone()
        .map(|s| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
    if let Some(Some(s)) = &schedule
        && let Err(why) = crate::jobs::parse_schedule(s)
    {
        errs.add("schedule", "invalid_format", why);
    }
    if let Some(st) = req.status.as_deref()
        && !matches!(st, "active" | "disabled")
    {
        errs.add("status", "invalid_choice", "must be active or disabled");
    }
    if let Some(c) = &req.config
        && !c.is_object()
    {
        errs.add("config", "invalid_type", "must be an object");
    }
    if let Some(c) = &req.credentials
        && !c.is_object()
    {
        errs.add("credentials", "invalid_type", "must be an object");
    }
    errs.finish()?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = integration::Entity::find_by_id(id)
        .filter(integration::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("integration"))?;
    if let Some(v) = if_match.or(req.version)
        && v != before.version
    {
        return Err(ApiError::new(
            crate::platform::error::Code::VersionConflict,
            format!("the integration is at version {}, not {v}", before.version),
        ));
    }
    let mut creds = super::providers::credentials(state, &before)?;
    let mut changed_creds: Vec<String> = vec![];
    if let (Some(Value::Object(patch)), Value::Object(stored)) = (&req.credentials, &mut creds) {
        for (k, v) in patch {
            changed_creds.push(k.clone());
            if v.is_null() {
                stored.remove(k);
            } else {
                stored.insert(k.clone(), v.clone());
            }
        }
    }
    let config = req.config.clone().unwrap_or_else(|| before.config.clone());
    let problems = check_provider(&before.provider, &config, &creds);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let now = clock::now();
    let mut am = before.clone().into_active_model();
    if let Some(n) = name {
        am.name = Set(n);
    }
    am.config = Set(config);
    if !changed_creds.is_empty() {
        am.credentials = Set(state
            .secrets
            .seal(&creds, &aad(who.tenant_id, id))
            .map_err(ApiError::internal)?);
    }
    if let Some(s) = schedule {
        am.next_sync_at = Set(s.as_deref().and_then(|s| crate::jobs::next_fire(s, now)));
        am.schedule = Set(s);
    }
    if let Some(st) = req.status {
        am.status_detail = Set(None);
        am.status = Set(st);
    }
    am.version = Set(before.version + 1);
    am.updated_at = Set(now);
    let after = am.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.updated",
            entity_type: "integration",
            entity_id: Some(id),
            changes: json!({
                "name": {"from": before.name, "to": after.name},
                "config": {"from": before.config, "to": after.config},
                "schedule": {"from": before.schedule, "to": after.schedule},
                "status": {"from": before.status, "to": after.status},
                "credentials_changed": changed_creds,
            }),
        },
    )
    .await?;
    let out = view(state, &after);
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "integration_updated",
        json!({"integration": out}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}

pub async fn list(state: &AppState, who: &Principal) -> ApiResult<Vec<IntegrationView>> {
    who.require(Action::IntegrationsRead)?;
    let rows = integration::Entity::find()
        .filter(integration::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(integration::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(|r| view(state, r)).collect())
}

pub async fn get(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<IntegrationView> {
    who.require(Action::IntegrationsRead)?;
    Ok(view(state, &find(state, who, id).await?))
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<()> {
    who.require(Action::IntegrationsManage)?;
    let row = find(state, who, id).await?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    integration::Entity::delete_by_id(row.id).exec(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.deleted",
            entity_type: "integration",
            entity_id: Some(id),
            changes: json!({}),
        },
    )
    .await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "integration_deleted",
        json!({"integration": {"id": id}}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Calls the vendor with the stored credentials. Bad credentials mark the integration as
/// needing attention; a working connection clears that.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn test(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<TestResult> {
    who.require(Action::IntegrationsManage)?;
    let row = find(state, who, id).await?;
    let outcome = test_vendor(state, &row).await?;
    let (ok, detail, status) = match &outcome {
        Ok(()) => (true, "connected".to_owned(), "active"),
        Err(e) if e.needs_attention() => (false, e.to_string(), "needs_attention"),
        Err(e) => (false, e.to_string(), row.status.as_str()),
    };
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = row.status.clone();
    let mut am = row.clone().into_active_model();
    am.status = Set(status.to_owned());
    am.status_detail = Set((!ok).then(|| detail.clone()));
    am.last_tested_at = Set(Some(clock::now()));
    am.updated_at = Set(clock::now());
    let after = am.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.tested",
            entity_type: "integration",
            entity_id: Some(id),
            changes: json!({"ok": ok, "status": {"from": before, "to": after.status}}),
        },
    )
    .await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "integration_updated",
        json!({"integration": view(state, &after)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(TestResult { ok, detail })
}

/// Calls the vendor of any provider kind with the stored credentials.
async fn test_vendor(
    state: &AppState,
    row: &integration::Model,
) -> ApiResult<Result<(), Box<dyn VendorFailure + Send + Sync>>> {
    use super::providers::{self, Kind};
    fn boxed<E: VendorFailure + Send + Sync + 'static>(
        r: Result<(), E>,
    ) -> Result<(), Box<dyn VendorFailure + Send + Sync>> {
        r.map_err(|e| Box::new(e) as Box<dyn VendorFailure + Send + Sync>)
    }
    Ok(match providers::kind_of(&row.provider) {
        Some(Kind::Mdm) => boxed(providers::mdm(state, row)?.test_connection().await),
        Some(Kind::Itsm) => boxed(providers::itsm(state, row)?.test_connection().await),
        Some(Kind::Finance) => boxed(super::purchases::test_connection(state, row).await?),
        Some(Kind::Chat) => boxed(
            providers::slack(state, row, providers::policy())?
                .auth_test()
                .await
                .map(|_| ()),
        ),
        _ => boxed(providers::hris(state, row)?.test_connection().await),
    })
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncOutcome {
    /// `succeeded`, `partial` (some records failed) or `failed`.
    pub status: String,
    pub stats: crate::people::service::UpsertStats,
    /// Counts particular to the kind of sync (e.g. discrepancies an MDM sync opened), merged
    /// into the run's `stats`.
    #[serde(skip)]
    pub details: Option<Value>,
    pub error: Option<String>,
    /// A failed sync that may pass later (a vendor outage, a rate limit).
    #[serde(skip)]
    pub retryable: bool,
    /// How long the vendor asked us to wait.
    #[serde(skip)]
    pub retry_after: Option<std::time::Duration>,
}

/// Records per write transaction during a sync.
pub(super) const SYNC_BATCH: usize = 500;

/// Publishes one event on the tenant's `integrations` topic, in its own transaction.
pub(super) async fn notify(
    state: &AppState,
    tenant_id: Uuid,
    event: &str,
    payload: Value,
) -> ApiResult<()> {
    let txn = db::begin_write(&state.db, tenant_id).await?;
    events::enqueue(&txn, tenant_id, TOPIC, event, payload).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Runs one sync of the integration, by what its provider is: people from an HR system,
/// devices from an MDM, purchases from a finance system.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn run_sync(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<SyncOutcome> {
    let row = find(state, who, id).await?;
    match super::providers::kind_of(&row.provider) {
        Some(super::providers::Kind::Mdm) => {
            super::devices::run_device_sync(state, who, &row).await
        }
        Some(super::providers::Kind::Finance) => {
            super::purchases::run_finance_sync(state, who, &row).await
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
    let hris = super::providers::hris(state, row)?;
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

/// What every vendor client's error tells a sync.
pub(super) trait VendorFailure: std::fmt::Display {
    fn needs_attention(&self) -> bool;
    fn is_retryable(&self) -> bool;
    fn retry_after(&self) -> Option<std::time::Duration>;
}

macro_rules! vendor_failure {
    ($($t:ty),*) => {$(
        impl VendorFailure for $t {
            fn needs_attention(&self) -> bool {
                <$t>::needs_attention(self)
            }
            fn is_retryable(&self) -> bool {
                <$t>::is_retryable(self)
            }
            fn retry_after(&self) -> Option<std::time::Duration> {
                <$t>::retry_after(self)
            }
        }
    )*};
}
vendor_failure!(
    assetronics_integrations::hris::HrisError,
    assetronics_integrations::mdm::MdmError,
    assetronics_integrations::itsm::ItsmError,
    assetronics_integrations::finance::FinanceError,
    assetronics_integrations::slack::SlackError
);

/// Records a failed vendor call: bad credentials mark the integration as needing attention.
pub(super) async fn vendor_failed(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
    e: impl VendorFailure,
) -> ApiResult<SyncOutcome> {
    if e.needs_attention() {
        mark_needs_attention(state, row, &e.to_string()).await?;
    }
    notify(
        state,
        who.tenant_id,
        "sync_failed",
        json!({"integration_id": row.id, "error": e.to_string(), "will_retry": e.is_retryable()}),
    )
    .await?;
    Ok(SyncOutcome {
        status: "failed".into(),
        stats: Default::default(),
        details: None,
        error: Some(e.to_string()),
        retryable: e.is_retryable(),
        retry_after: e.retry_after(),
    })
}

/// Why an action at a vendor (a wipe, a ticket) did not happen.
#[derive(Debug)]
pub enum ActionFailure {
    /// The vendor refused our credentials or the request: someone must look (the integration
    /// is marked as needing attention when it is the credentials).
    NeedsAttention(String),
    /// An outage or a rate limit: try again later.
    Retry {
        detail: String,
        after: Option<std::time::Duration>,
    },
}

/// Classifies a vendor error of an action at `row`'s vendor; bad credentials mark the
/// integration as needing attention.
pub(super) async fn action_failure(
    state: &AppState,
    row: &integration::Model,
    what: &str,
    e: impl VendorFailure,
) -> ApiResult<ActionFailure> {
    let detail = format!("{} {what}: {e}", row.name);
    if e.is_retryable() {
        return Ok(ActionFailure::Retry {
            detail,
            after: e.retry_after(),
        });
    }
    if e.needs_attention() {
        mark_needs_attention(state, row, &e.to_string()).await?;
    }
    Ok(ActionFailure::NeedsAttention(detail))
}

pub(super) async fn mark_needs_attention(
    state: &AppState,
    row: &integration::Model,
    detail: &str,
) -> ApiResult<()> {
    let txn = db::begin_write(&state.db, row.tenant_id).await?;
    let mut am = row.clone().into_active_model();
    am.status = Set("needs_attention".into());
    am.status_detail = Set(Some(detail.to_owned()));
    am.updated_at = Set(clock::now());
    let after = am.update(&txn).await?;
    events::enqueue(
        &txn,
        row.tenant_id,
        TOPIC,
        "integration_updated",
        json!({"integration": view(state, &after)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Upserts what a pull returned, in batches, with progress events, then links managers.
pub(super) async fn apply_pull(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
    pull: assetronics_integrations::hris::EmployeePull,
    with_progress: bool,
) -> ApiResult<SyncOutcome> {
    let id = row.id;
    let mut stats = crate::people::service::UpsertStats {
        failed: pull.malformed.len() as u64,
        ..Default::default()
    };
    let total = pull.employees.len();
    for (i, batch) in pull.employees.chunks(SYNC_BATCH).enumerate() {
        let s = crate::people::service::upsert_from_hris(state, who, &row.provider, batch).await?;
        // A first import grows the table faster than PostgreSQL's autovacuum refreshes its
        // statistics; planned against an "empty" table, each batch's lookups scan it whole.
        // Refreshed whenever the batches written have doubled (1, 2, 4, 8, ...).
        if s.created > 0 && (i + 1).is_power_of_two() {
            crate::people::service::refresh_statistics(&state.db).await?;
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
    crate::people::service::link_managers_from_hris(state, who, &row.provider, &links).await?;
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

use super::runs::{SyncQueued, SyncRunView, entity as sync_run};

/// "Sync now": records a queued run and hands it to the job queue; a worker performs it.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn start_sync(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<SyncQueued> {
    who.require(Action::IntegrationsManage)?;
    let row = find(state, who, id).await?;
    if !AVAILABLE.contains(&row.provider.as_str()) {
        return Err(ApiError::field(
            "provider",
            "not_available",
            "this connector cannot sync yet",
        ));
    }
    if row.status == "disabled" {
        return Err(ApiError::new(
            crate::platform::error::Code::InvalidTransition,
            "the integration is disabled; enable it first",
        ));
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
) -> ApiResult<Uuid> {
    let run_id = Uuid::now_v7();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let run = sync_run::ActiveModel {
        id: Set(run_id),
        tenant_id: Set(who.tenant_id),
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
        .push(crate::jobs::Job::SyncIntegration(
            crate::jobs::SyncIntegration {
                tenant_id: who.tenant_id,
                integration_id: row.id,
                sync_run_id: run_id,
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
        let next = crate::jobs::next_fire(expr, now);
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
        let who = Principal::system(row.tenant_id, "integration schedule");
        queue_run(state, &who, &row, "schedule").await?;
        queued += 1;
    }
    Ok(queued)
}

async fn load_run(
    state: &AppState,
    job: &crate::jobs::SyncIntegration,
) -> ApiResult<sync_run::Model> {
    sync_run::Entity::find_by_id(job.sync_run_id)
        .filter(sync_run::Column::TenantId.eq(job.tenant_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("sync run"))
}

/// Writes a run's new state and publishes `sync_run_updated`; a run that failed for good is
/// told to Slack in the same transaction.
async fn save_run(state: &AppState, am: sync_run::ActiveModel, tenant_id: Uuid) -> ApiResult<()> {
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let saved = am.update(&txn).await?;
    super::slack::sync_failed(&txn, &saved).await?;
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
pub async fn perform_sync_run(
    state: &AppState,
    job: &crate::jobs::SyncIntegration,
) -> ApiResult<crate::jobs::JobOutcome> {
    use crate::jobs::JobOutcome;
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
    save_run(state, am, job.tenant_id).await?;
    let who = Principal::system(job.tenant_id, "integration sync");
    let outcome = match run_sync(state, &who, job.integration_id).await {
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
        let delay = crate::jobs::backoff(attempt as u32, settings.retry_base, outcome.retry_after);
        // The retry is queued before the run says so: a crash in between leaves a run marked
        // `running` that its retry picks up, never a `queued` run with no job behind it.
        state
            .jobs
            .push_after(crate::jobs::Job::SyncIntegration(job.clone()), delay)
            .await
            .map_err(ApiError::internal)?;
        am.status = Set("queued".into());
        am.next_attempt_at = Set(Some(
            clock::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
        ));
        save_run(state, am, job.tenant_id).await?;
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
    save_run(state, am, job.tenant_id).await?;
    Ok(if failed {
        JobOutcome::Dead
    } else {
        JobOutcome::Succeeded
    })
}

/// Marks a run failed for good (its job panicked).
pub async fn abandon_run(
    state: &AppState,
    job: &crate::jobs::SyncIntegration,
    error: &str,
) -> ApiResult<()> {
    let mut am = load_run(state, job).await?.into_active_model();
    am.status = Set("failed".into());
    am.error = Set(Some(error.to_owned()));
    am.dead = Set(true);
    am.finished_at = Set(Some(clock::now()));
    save_run(state, am, job.tenant_id).await
}

pub async fn get_run(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<SyncRunView> {
    who.require(Action::IntegrationsRead)?;
    sync_run::Entity::find_by_id(id)
        .filter(sync_run::Column::TenantId.eq(who.tenant_id))
        .one(&state.db)
        .await?
        .map(SyncRunView::from)
        .ok_or_else(|| ApiError::not_found("sync run"))
}

/// Runs of the tenant (optionally of one integration), newest first, at most 100.
pub async fn list_runs(
    state: &AppState,
    who: &Principal,
    integration_id: Option<Uuid>,
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

/// The tenant's active integrations of a kind, oldest first.
pub async fn active_of_kind<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    kind: super::providers::Kind,
) -> ApiResult<Vec<integration::Model>> {
    Ok(integration::Entity::find()
        .filter(integration::Column::TenantId.eq(tenant_id))
        .filter(integration::Column::Status.eq("active"))
        .order_by_asc(integration::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|r| super::providers::kind_of(&r.provider) == Some(kind))
        .collect())
}

/// Whether the tenant has an active integration of a kind.
pub async fn has_active<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    kind: super::providers::Kind,
) -> ApiResult<bool> {
    Ok(!active_of_kind(conn, tenant_id, kind).await?.is_empty())
}

/// Every event on the tenant's `integrations` topic from now on (sync runs queued, started,
/// progressing, finished or failed; integrations changed; webhooks processed), for callers who
/// may read integrations.
pub fn changes(
    state: &AppState,
    who: &Principal,
) -> ApiResult<impl futures::Stream<Item = std::sync::Arc<events::Event>> + Send + use<>> {
    who.require(Action::IntegrationsRead)?;
    Ok(state.events.stream(who.tenant_id, TOPIC))
}
