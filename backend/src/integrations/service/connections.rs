//! Connections to vendors: connect a provider (credentials sealed, never shown), change it
//! (credentials merged field by field), list, show and remove. Each change is audited (never a
//! credential's value) and published on the tenant's `integrations` topic.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::{TOPIC, aad, find, view};
use crate::audit::published::{self as audit, Entry};
use crate::integrations::entity::integration;
use crate::integrations::error::IntegrationError;
use crate::integrations::model::*;
use crate::integrations::providers;
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::ids::IntegrationId;
use crate::platform::state::AppState;

/// Connects a provider: its config and credentials checked in full, credentials sealed.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create(
    state: &AppState,
    who: &Principal,
    req: CreateIntegration,
) -> ApiResult<IntegrationView> {
    who.require(Action::IntegrationsManage)?;
    let new = NewIntegration::parse(req).map_err(IntegrationError::from)?;
    let id = IntegrationId::new();
    let sealed = state
        .secrets
        .seal(&new.credentials, &aad(who.tenant_id, id))
        .map_err(ApiError::internal)?;
    let now = clock::now();
    let next_sync_at = new
        .schedule
        .as_deref()
        .and_then(|s| crate::platform::schedule::next_fire(s, now));
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let row = integration::ActiveModel {
        id: Set(id.uuid()),
        tenant_id: Set(who.tenant_id.uuid()),
        provider: Set(new.provider),
        name: Set(new.name),
        config: Set(new.config),
        credentials: Set(sealed),
        status: Set("active".into()),
        status_detail: Set(None),
        schedule: Set(new.schedule),
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
            entity_id: Some(id.uuid()),
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
    id: IntegrationId,
    if_match: Option<i32>,
    req: UpdateIntegration,
) -> ApiResult<IntegrationView> {
    who.require(Action::IntegrationsManage)?;
    let patch = IntegrationPatch::parse(req).map_err(IntegrationError::from)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = super::find_in(&txn, who.tenant_id, id)
        .await?
        .ok_or(IntegrationError::NotFound("integration"))?;
    if let Some(given) = if_match.or(patch.version)
        && given != before.version
    {
        return Err(IntegrationError::StaleVersion {
            current: before.version,
            given,
        }
        .into());
    }
    let stored = providers::credentials(state, &before)?;
    let applied = patch
        .apply(&before.provider, &before.config, stored)
        .map_err(IntegrationError::from)?;
    let now = clock::now();
    let mut am = before.clone().into_active_model();
    if let Some(n) = patch.name {
        am.name = Set(n);
    }
    am.config = Set(applied.config);
    if !applied.changed_credentials.is_empty() {
        am.credentials = Set(state
            .secrets
            .seal(&applied.credentials, &aad(who.tenant_id, id))
            .map_err(ApiError::internal)?);
    }
    if let Some(s) = patch.schedule {
        am.next_sync_at = Set(s
            .as_deref()
            .and_then(|s| crate::platform::schedule::next_fire(s, now)));
        am.schedule = Set(s);
    }
    if let Some(st) = patch.status {
        am.status_detail = Set(None);
        am.status = Set(st.as_str().into());
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
            entity_id: Some(id.uuid()),
            changes: json!({
                "name": {"from": before.name, "to": after.name},
                "config": {"from": before.config, "to": after.config},
                "schedule": {"from": before.schedule, "to": after.schedule},
                "status": {"from": before.status, "to": after.status},
                "credentials_changed": applied.changed_credentials,
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

/// The tenant's integrations, oldest first.
pub async fn list(state: &AppState, who: &Principal) -> ApiResult<Vec<IntegrationView>> {
    who.require(Action::IntegrationsRead)?;
    let rows = integration::Entity::find()
        .filter(integration::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(integration::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(|r| view(state, r)).collect())
}

pub async fn get(
    state: &AppState,
    who: &Principal,
    id: IntegrationId,
) -> ApiResult<IntegrationView> {
    who.require(Action::IntegrationsRead)?;
    Ok(view(state, &find(state, who, id).await?))
}

/// Removes the connection (its runs and deliveries go with it).
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete(state: &AppState, who: &Principal, id: IntegrationId) -> ApiResult<()> {
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
            entity_id: Some(id.uuid()),
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
