//! A tenant's workflow templates: its own per kind, or the built-in default, and replacing
//! one (workflows already open keep their steps).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;

use super::TOPIC;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::ids::TenantId;
use crate::platform::state::AppState;
use crate::workflows::entity::template;
use crate::workflows::model::{NewTemplate, TemplateView, WorkflowKind, default_template};

/// The tenant's template for a kind: its own, or the built-in default.
pub(super) async fn template_for<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    kind: WorkflowKind,
) -> ApiResult<TemplateView> {
    let row = template::Entity::find()
        .filter(template::Column::TenantId.eq(tenant_id))
        .filter(template::Column::Kind.eq(kind.as_str()))
        .one(conn)
        .await?;
    Ok(match row {
        Some(t) => TemplateView {
            kind,
            name: t.name,
            steps: serde_json::from_value(t.steps).map_err(ApiError::internal)?,
            version: t.version,
            updated_at: Some(t.updated_at),
        },
        None => {
            let (name, steps) = default_template(kind);
            TemplateView {
                kind,
                name,
                steps,
                version: 0,
                updated_at: None,
            }
        }
    })
}

pub async fn list_templates(state: &AppState, who: &Principal) -> ApiResult<Vec<TemplateView>> {
    who.require(Action::WorkflowsRead)?;
    let mut out = vec![];
    for kind in [WorkflowKind::Onboarding, WorkflowKind::Offboarding] {
        out.push(template_for(&state.db, who.tenant_id, kind).await?);
    }
    Ok(out)
}

/// Replaces the tenant's template of a kind. Workflows already open keep their steps.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, kind = kind.as_str()))]
pub async fn save_template(
    state: &AppState,
    who: &Principal,
    kind: WorkflowKind,
    req: NewTemplate,
) -> ApiResult<TemplateView> {
    who.require(Action::WorkflowsManage)?;
    let now = clock::now();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = template_for(&txn, who.tenant_id, kind).await?;
    let steps = serde_json::to_value(&req.steps).map_err(ApiError::internal)?;
    let existing = template::Entity::find()
        .filter(template::Column::TenantId.eq(who.tenant_id))
        .filter(template::Column::Kind.eq(kind.as_str()))
        .one(&txn)
        .await?;
    match existing {
        Some(t) => {
            let version = t.version + 1;
            let mut am = t.into_active_model();
            am.name = Set(req.name.clone());
            am.steps = Set(steps.clone());
            am.version = Set(version);
            am.updated_at = Set(now);
            am.update(&txn).await?;
        }
        None => {
            template::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                tenant_id: Set(who.tenant_id.uuid()),
                kind: Set(kind.as_str().into()),
                name: Set(req.name.clone()),
                steps: Set(steps.clone()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        who,
        Entry {
            action: "workflow_template.updated",
            entity_type: "workflow_template",
            entity_id: None,
            changes: json!({"kind": kind.as_str(), "steps": {"from": before.steps, "to": steps}}),
        },
    )
    .await?;
    let after = template_for(&txn, who.tenant_id, kind).await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "template_updated",
        json!({"template": after}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(after)
}
