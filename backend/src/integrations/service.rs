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
use assetronics_integrations::bamboohr::{ApiKey, BambooHrClient, BambooHrConfig};
use assetronics_integrations::http::HttpPolicy;

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

fn aad(tenant_id: Uuid, id: Uuid) -> Vec<u8> {
    format!("integration:{tenant_id}:{id}").into_bytes()
}

fn view(state: &AppState, r: &integration::Model) -> IntegrationView {
    IntegrationView {
        id: r.id,
        provider: r.provider.clone(),
        name: r.name.clone(),
        config: r.config.clone(),
        credentials_set: credential_names(state, r),
        status: r.status.clone(),
        status_detail: r.status_detail.clone(),
        schedule: r.schedule.clone(),
        last_tested_at: r.last_tested_at,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

async fn find(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<integration::Model> {
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
        && s.split_whitespace().count() < 5
    {
        errs.add(
            "schedule",
            "invalid_format",
            "must be a cron expression, e.g. \"0 */6 * * *\"",
        );
    }
    errs.finish()?;
    let name = name?.unwrap_or_else(|| provider.clone());
    let id = Uuid::now_v7();
    let sealed = state
        .secrets
        .seal(&req.credentials, &aad(who.tenant_id, id))
        .map_err(ApiError::internal)?;
    let now = clock::now();
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

/// A client for the integration's vendor, built from its config and decrypted credentials.
fn bamboohr_client(state: &AppState, row: &integration::Model) -> ApiResult<BambooHrClient> {
    let creds = state
        .secrets
        .open(&row.credentials, &aad(row.tenant_id, row.id))
        .map_err(ApiError::internal)?;
    let key = creds
        .get("api_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    BambooHrClient::new(BambooHrConfig {
        subdomain: row
            .config
            .get("subdomain")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        api_key: ApiKey::new(key),
        base_url: row
            .config
            .get("base_url")
            .and_then(Value::as_str)
            .map(str::to_owned),
        policy: HttpPolicy {
            max_retries: 1,
            ..HttpPolicy::default()
        },
    })
    .map_err(|e| ApiError::internal(format!("cannot build the BambooHR client: {e}")))
}

/// Calls the vendor with the stored credentials. Bad credentials mark the integration as
/// needing attention; a working connection clears that.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn test(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<TestResult> {
    who.require(Action::IntegrationsManage)?;
    let row = find(state, who, id).await?;
    let outcome = match row.provider.as_str() {
        "bamboohr" => bamboohr_client(state, &row)?.test_connection().await,
        p => {
            return Err(ApiError::field(
                "provider",
                "not_available",
                format!("the {p} connector is not available yet"),
            ));
        }
    };
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

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncOutcome {
    /// `succeeded`, `partial` (some records failed) or `failed`.
    pub status: String,
    pub stats: crate::people::service::UpsertStats,
    pub error: Option<String>,
}

/// Records per write transaction during a sync.
const SYNC_BATCH: usize = 500;

/// Pulls every person from the integration's HR system and upserts them, batch by batch,
/// publishing `sync_started`, `sync_progress` and `sync_finished` / `sync_failed` on the
/// tenant's `integrations` topic. Running it again with no vendor change writes nothing.
/// Bad credentials mark the integration as needing attention.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn run_sync(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<SyncOutcome> {
    let row = find(state, who, id).await?;
    let notify = |event: &'static str, payload: Value| async move {
        let txn = db::begin_write(&state.db, who.tenant_id).await?;
        events::enqueue(&txn, who.tenant_id, TOPIC, event, payload).await?;
        txn.commit().await?;
        state.events.kick();
        Ok::<(), ApiError>(())
    };
    notify("sync_started", json!({"integration_id": id})).await?;
    let pull = match row.provider.as_str() {
        "bamboohr" => bamboohr_client(state, &row)?.fetch_all().await,
        p => {
            return Err(ApiError::field(
                "provider",
                "not_available",
                format!("the {p} connector is not available yet"),
            ));
        }
    };
    let pull = match pull {
        Ok(p) => p,
        Err(e) => {
            if e.needs_attention() {
                let mut am = row.clone().into_active_model();
                am.status = Set("needs_attention".into());
                am.status_detail = Set(Some(e.to_string()));
                am.update(&state.db).await?;
            }
            notify(
                "sync_failed",
                json!({"integration_id": id, "error": e.to_string()}),
            )
            .await?;
            return Ok(SyncOutcome {
                status: "failed".into(),
                stats: Default::default(),
                error: Some(e.to_string()),
            });
        }
    };
    let mut stats = crate::people::service::UpsertStats {
        failed: pull.malformed.len() as u64,
        ..Default::default()
    };
    let total = pull.employees.len();
    for (i, batch) in pull.employees.chunks(SYNC_BATCH).enumerate() {
        let s = crate::people::service::upsert_from_hris(state, who, &row.provider, batch).await?;
        stats.created += s.created;
        stats.updated += s.updated;
        stats.unchanged += s.unchanged;
        stats.failed += s.failed;
        let done = ((i + 1) * SYNC_BATCH).min(total);
        notify(
            "sync_progress",
            json!({"integration_id": id, "processed": done, "total": total, "stats": stats}),
        )
        .await?;
    }
    let status = if stats.failed > 0 {
        "partial"
    } else {
        "succeeded"
    };
    notify(
        "sync_finished",
        json!({"integration_id": id, "status": status, "stats": stats}),
    )
    .await?;
    Ok(SyncOutcome {
        status: status.into(),
        stats,
        error: None,
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
    let run_id = Uuid::now_v7();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let run = sync_run::ActiveModel {
        id: Set(run_id),
        tenant_id: Set(who.tenant_id),
        integration_id: Set(id),
        trigger: Set("manual".into()),
        status: Set("queued".into()),
        stats: Set(json!({"created": 0, "updated": 0, "unchanged": 0, "failed": 0})),
        error: Set(None),
        attempts: Set(0),
        created_at: Set(clock::now()),
        started_at: Set(None),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.sync_requested",
            entity_type: "integration",
            entity_id: Some(id),
            changes: json!({"sync_run_id": run_id}),
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
    // The run row is committed first: a job can never point at a run that does not exist.
    state
        .jobs
        .push_sync(crate::jobs::SyncIntegration {
            tenant_id: who.tenant_id,
            integration_id: id,
            sync_run_id: run_id,
        })
        .await
        .map_err(ApiError::internal)?;
    Ok(SyncQueued {
        sync_run_id: run_id,
    })
}

/// The job's work: runs the sync and records the outcome on the run. A run that already
/// finished is left alone, so a job delivered twice changes nothing the second time.
pub async fn perform_sync_run(
    state: &AppState,
    job: &crate::jobs::SyncIntegration,
) -> ApiResult<()> {
    let run = sync_run::Entity::find_by_id(job.sync_run_id)
        .filter(sync_run::Column::TenantId.eq(job.tenant_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("sync run"))?;
    if matches!(run.status.as_str(), "succeeded" | "partial" | "failed") {
        return Ok(());
    }
    let mut am = run.clone().into_active_model();
    am.status = Set("running".into());
    am.attempts = Set(run.attempts + 1);
    am.started_at = Set(Some(clock::now()));
    am.update(&state.db).await?;
    let who = Principal::system(job.tenant_id, "integration sync");
    let outcome = run_sync(state, &who, job.integration_id).await;
    let (status, stats, error) = match outcome {
        Ok(o) => (
            o.status,
            serde_json::to_value(o.stats).unwrap_or_default(),
            o.error,
        ),
        Err(e) => ("failed".to_owned(), run.stats.clone(), Some(e.to_string())),
    };
    let txn = db::begin_write(&state.db, job.tenant_id).await?;
    let mut am = sync_run::Entity::find_by_id(job.sync_run_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("sync run"))?
        .into_active_model();
    am.status = Set(status);
    am.stats = Set(stats);
    am.error = Set(error);
    am.finished_at = Set(Some(clock::now()));
    let done = am.update(&txn).await?;
    events::enqueue(
        &txn,
        job.tenant_id,
        TOPIC,
        "sync_run_updated",
        json!({"sync_run": SyncRunView::from(done)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
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
