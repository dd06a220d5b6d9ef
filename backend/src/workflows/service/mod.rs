//! Workflow use-cases, by what they do: `templates` (a tenant's templates), `starting`
//! (opening workflows from HR changes or by hand, cancelling them), `engine` (moving a
//! workflow forward step by step), `decisions` (approving, rejecting, completing a step) and
//! `listing` (workflows, approvals and their events as the API shows them).
//!
//! Steps run in order. The engine activates the first unfinished step; automatic steps
//! (reserve an asset, skip a wipe without an MDM, nothing to collect) finish themselves and the
//! engine moves on; the others wait for a person. A rejection ends the workflow.
//!
//! This module keeps what those use-cases share: loading a workflow and its steps, closing one,
//! and publishing it after a change.

mod decisions;
mod engine;
mod listing;
mod starting;
mod templates;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

pub use decisions::act;
pub(super) use engine::advance;
pub use listing::{WorkflowFilter, approvals, changes, get, list};
pub use starting::{HIRE_WINDOW_DAYS, cancel, on_employee_changed, open, start};
pub use templates::{list_templates, save_template};

use super::entity::{step, workflow};
use super::error::WorkflowError;
use super::model::WorkflowView;
use crate::audit::published::{self as audit, Entry};
use crate::people::published::{self as people, Employee};
use crate::platform::auth::Principal;
use crate::platform::clock;
use crate::platform::error::ApiResult;
use crate::platform::events;
use crate::platform::ids::{EmployeeId, StepId, TenantId, WorkflowId};

/// The realtime topic prefix of workflow events (`workflows:{tenant_id}`).
const TOPIC: &str = "workflows";

pub(super) async fn load<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: WorkflowId,
) -> ApiResult<workflow::Model> {
    Ok(workflow::Entity::find_by_id(id.uuid())
        .filter(workflow::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(WorkflowError::NotFound("workflow"))?)
}

/// The step of one of the tenant's workflows, when there is one.
pub(super) async fn find_step<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: StepId,
) -> ApiResult<Option<step::Model>> {
    Ok(step::Entity::find_by_id(id.uuid())
        .filter(step::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?)
}

/// The steps of the workflows, in order within each.
pub(super) async fn steps_of<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    workflow_ids: &[WorkflowId],
) -> ApiResult<Vec<step::Model>> {
    if workflow_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(step::Entity::find()
        .filter(step::Column::TenantId.eq(tenant_id))
        .filter(step::Column::WorkflowId.is_in(workflow_ids.iter().map(|id| id.uuid())))
        .order_by_asc(step::Column::WorkflowId)
        .order_by_asc(step::Column::Position)
        .all(conn)
        .await?)
}

/// The person a workflow is about, as the people context tells it.
pub(super) async fn employee<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: EmployeeId,
) -> ApiResult<Option<Employee>> {
    Ok(people::by_ids(conn, tenant_id, &[id]).await?.remove(&id))
}

/// Ends the workflow as `status` (`completed`, `rejected` or `cancelled`); the steps left of a
/// workflow that did not complete are skipped. Audited.
pub(super) async fn close<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    wf: workflow::Model,
    status: &str,
    reason: Option<&str>,
) -> ApiResult<()> {
    let id = wf.id;
    let version = wf.version;
    let mut am = wf.into_active_model();
    am.status = Set(status.into());
    am.closed_at = Set(Some(clock::now()));
    am.updated_at = Set(clock::now());
    am.version = Set(version + 1);
    am.update(conn).await?;
    if status != "completed" {
        step::Entity::update_many()
            .col_expr(
                step::Column::Status,
                sea_orm::sea_query::Expr::value("skipped"),
            )
            .filter(step::Column::TenantId.eq(who.tenant_id))
            .filter(step::Column::WorkflowId.eq(id))
            .filter(step::Column::Status.is_in(["pending", "active", "blocked"]))
            .exec(conn)
            .await?;
    }
    audit::record(
        conn,
        who,
        Entry {
            action: match status {
                "completed" => "workflow.completed",
                "rejected" => "workflow.rejected",
                _ => "workflow.cancelled",
            },
            entity_type: "workflow",
            entity_id: Some(id),
            changes: json!({"status": status, "reason": reason}),
        },
    )
    .await?;
    Ok(())
}

/// The workflow as it is now, queued as a `workflow_updated` event in the caller's transaction.
pub(super) async fn publish<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: WorkflowId,
) -> ApiResult<WorkflowView> {
    let view = listing::view(conn, load(conn, tenant_id, id).await?).await?;
    events::enqueue(
        conn,
        tenant_id,
        TOPIC,
        "workflow_updated",
        json!({"workflow": view}),
    )
    .await?;
    Ok(view)
}
