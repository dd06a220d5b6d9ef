//! Integration use-cases, by what they do: [`connections`] (connect, change, list, remove a
//! provider), [`vendor`] (test a connection; what a vendor's failure means for the
//! integration) and [`syncs`] (sync runs: queued by hand or by schedule, performed by a job).
//! This file holds what they share: finding a connection, its view, its sealed credentials, and
//! the `integrations` topic.

mod connections;
mod syncs;
mod vendor;

pub use connections::{create, delete, get, list, update};
pub(super) use syncs::apply_pull;
pub use syncs::{
    abandon_run, enqueue_due_syncs, get_run, list_runs, perform_sync_run, run_sync, start_sync,
};
pub use vendor::{ActionFailure, test};
pub(super) use vendor::{action_failure, vendor_failed};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};

use super::entity::integration;
use super::error::IntegrationError;
use super::model::IntegrationView;
use super::providers::{self, Kind};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::events;
use crate::platform::ids::{IntegrationId, TenantId};
use crate::platform::state::AppState;

const TOPIC: &str = "integrations";

fn credential_names(state: &AppState, row: &integration::Model) -> Vec<String> {
    match state.secrets.open(&row.credentials, &row_aad(row)) {
        Ok(Value::Object(m)) => {
            let mut k: Vec<String> = m.keys().cloned().collect();
            k.sort();
            k
        }
        _ => vec![],
    }
}

/// What the credentials of integration `id` are sealed with: they open for that row only.
pub(super) fn aad(tenant_id: TenantId, id: IntegrationId) -> Vec<u8> {
    format!("integration:{tenant_id}:{id}").into_bytes()
}

/// [`aad`] of a stored row.
pub(super) fn row_aad(row: &integration::Model) -> Vec<u8> {
    aad(row.tenant_id.into(), row.id.into())
}

pub(super) fn view(state: &AppState, r: &integration::Model) -> IntegrationView {
    IntegrationView {
        id: r.id.into(),
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

/// The caller's tenant's integration `id`.
pub(super) async fn find(
    state: &AppState,
    who: &Principal,
    id: IntegrationId,
) -> ApiResult<integration::Model> {
    Ok(find_in(&state.db, who.tenant_id, id)
        .await?
        .ok_or(IntegrationError::NotFound("integration"))?)
}

/// The tenant's integration `id`, if it has it.
pub(super) async fn find_in<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: IntegrationId,
) -> ApiResult<Option<integration::Model>> {
    Ok(integration::Entity::find_by_id(id.uuid())
        .filter(integration::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?)
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncOutcome {
    /// `succeeded`, `partial` (some records failed) or `failed`.
    pub status: String,
    pub stats: crate::people::published::UpsertStats,
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
    tenant_id: TenantId,
    event: &str,
    payload: Value,
) -> ApiResult<()> {
    let txn = db::begin_write(&state.db, tenant_id).await?;
    events::enqueue(&txn, tenant_id, TOPIC, event, payload).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Marks the integration as needing a person (bad credentials, a missing scope), with why.
pub(super) async fn mark_needs_attention(
    state: &AppState,
    row: &integration::Model,
    detail: &str,
) -> ApiResult<()> {
    let tenant_id = TenantId::from(row.tenant_id);
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let mut am = row.clone().into_active_model();
    am.status = Set("needs_attention".into());
    am.status_detail = Set(Some(detail.to_owned()));
    am.updated_at = Set(clock::now());
    let after = am.update(&txn).await?;
    events::enqueue(
        &txn,
        tenant_id,
        TOPIC,
        "integration_updated",
        json!({"integration": view(state, &after)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// The tenant's active integrations of a kind, oldest first.
pub async fn active_of_kind<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    kind: Kind,
) -> ApiResult<Vec<integration::Model>> {
    Ok(integration::Entity::find()
        .filter(integration::Column::TenantId.eq(tenant_id))
        .filter(integration::Column::Status.eq("active"))
        .order_by_asc(integration::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|r| providers::kind_of(&r.provider) == Some(kind))
        .collect())
}

/// Whether the tenant has an active integration of a kind.
pub async fn has_active<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    kind: Kind,
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
