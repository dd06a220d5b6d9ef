//! Workflows as the API shows them: one, a keyset-paged list, the approvals waiting for the
//! caller, and the stream of workflow events.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{TOPIC, load, steps_of};
use crate::people::published as people;
use crate::platform::auth::{Action, Principal};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::ids::{EmployeeId, TenantId, WorkflowId};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;
use crate::workflows::entity::{step, workflow};
use crate::workflows::model::{
    ApprovalView, StepKind, StepView, WorkflowEmployee, WorkflowKind, WorkflowView,
};

pub(super) fn step_view(s: step::Model) -> StepView {
    let ticket = serde_json::from_value(s.params["action"]["ticket"].clone()).ok();
    StepView {
        id: s.id.into(),
        position: s.position,
        kind: s.kind,
        name: s.name,
        status: s.status,
        assignee_role: s.assignee_role,
        assignee_user_id: s.assignee_user_id.map(Into::into),
        due_at: s.due_at,
        asset_id: s.asset_id.map(Into::into),
        detail: s.detail,
        decided_by: s.decided_by,
        note: s.note,
        started_at: s.started_at,
        completed_at: s.completed_at,
        ticket,
    }
}

async fn views<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    rows: Vec<workflow::Model>,
) -> ApiResult<Vec<WorkflowView>> {
    let ids: Vec<WorkflowId> = rows.iter().map(|w| w.id.into()).collect();
    let emp_ids: Vec<EmployeeId> = rows.iter().map(|w| w.employee_id.into()).collect();
    let people = people::by_ids(conn, tenant_id, &emp_ids).await?;
    let mut steps: HashMap<Uuid, Vec<StepView>> = HashMap::new();
    for s in steps_of(conn, tenant_id, &ids).await? {
        steps.entry(s.workflow_id).or_default().push(step_view(s));
    }
    Ok(rows
        .into_iter()
        .map(|w| {
            let employee_id = EmployeeId::from(w.employee_id);
            let e = people.get(&employee_id);
            WorkflowView {
                id: w.id.into(),
                kind: w.kind,
                status: w.status,
                trigger: w.trigger,
                employee: WorkflowEmployee {
                    id: employee_id,
                    name: e.map(|e| e.name.clone()).unwrap_or_default(),
                    email: e.map(|e| e.email.clone()).unwrap_or_default(),
                },
                due_date: w.due_date,
                steps: steps.remove(&w.id).unwrap_or_default(),
                version: w.version,
                created_at: w.created_at,
                updated_at: w.updated_at,
                closed_at: w.closed_at,
            }
        })
        .collect())
}

pub(super) async fn view<C: ConnectionTrait>(
    conn: &C,
    w: workflow::Model,
) -> ApiResult<WorkflowView> {
    let tenant_id = w.tenant_id.into();
    views(conn, tenant_id, vec![w])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a workflow vanished while rendering"))
}

/// Filters of the workflow list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct WorkflowFilter {
    /// `open`, `completed`, `rejected` or `cancelled`.
    pub status: Option<String>,
    /// `onboarding` or `offboarding`.
    pub kind: Option<String>,
    pub employee_id: Option<EmployeeId>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<WorkflowId>,
    /// 1 to 100, default 50.
    pub limit: Option<u64>,
}

/// Workflows, newest first, keyset-paged.
pub async fn list(
    state: &AppState,
    who: &Principal,
    f: WorkflowFilter,
) -> ApiResult<Page<WorkflowView>> {
    who.require(Action::WorkflowsRead)?;
    let limit = f.limit.unwrap_or(50).clamp(1, 100);
    let mut q = workflow::Entity::find().filter(workflow::Column::TenantId.eq(who.tenant_id));
    if let Some(s) = &f.status {
        q = q.filter(workflow::Column::Status.eq(s.as_str()));
    }
    if let Some(k) = &f.kind {
        let kind = WorkflowKind::parse_field(k).map_err(|e| ApiError::validation(vec![e]))?;
        q = q.filter(workflow::Column::Kind.eq(kind.as_str()));
    }
    if let Some(e) = f.employee_id {
        q = q.filter(workflow::Column::EmployeeId.eq(e));
    }
    if let Some(c) = f.cursor {
        q = q.filter(workflow::Column::Id.lt(c));
    }
    let mut rows = q
        .order_by_desc(workflow::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|w| w.id.to_string())
    } else {
        None
    };
    Ok(Page {
        data: views(&state.db, who.tenant_id, rows).await?,
        next_cursor,
    })
}

pub async fn get(state: &AppState, who: &Principal, id: WorkflowId) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsRead)?;
    view(&state.db, load(&state.db, who.tenant_id, id).await?).await
}

/// Approvals waiting for the caller: assigned to them, or (for admins) any open approval.
pub async fn approvals(state: &AppState, who: &Principal) -> ApiResult<Vec<ApprovalView>> {
    who.require(Action::WorkflowsApprove)?;
    let mut q = step::Entity::find()
        .filter(step::Column::TenantId.eq(who.tenant_id))
        .filter(step::Column::Status.eq("active"))
        .filter(step::Column::Kind.eq(StepKind::Approval.as_str()));
    if !who.can(Action::WorkflowsManage) {
        let Some(me) = who.actor.id() else {
            return Ok(vec![]);
        };
        q = q.filter(step::Column::AssigneeUserId.eq(me));
    }
    let steps = q
        .order_by_asc(step::Column::DueAt)
        .limit(200)
        .all(&state.db)
        .await?;
    let wf_ids: Vec<Uuid> = steps.iter().map(|s| s.workflow_id).collect();
    let wfs: HashMap<Uuid, workflow::Model> = workflow::Entity::find()
        .filter(workflow::Column::TenantId.eq(who.tenant_id))
        .filter(workflow::Column::Id.is_in(wf_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let emp_ids: Vec<EmployeeId> = wfs.values().map(|w| w.employee_id.into()).collect();
    let people = people::by_ids(&state.db, who.tenant_id, &emp_ids).await?;
    Ok(steps
        .into_iter()
        .filter_map(|s| {
            let w = wfs.get(&s.workflow_id)?;
            let e = people.get(&EmployeeId::from(w.employee_id))?;
            Some(ApprovalView {
                workflow_id: w.id.into(),
                workflow_kind: w.kind.clone(),
                employee: WorkflowEmployee {
                    id: e.id,
                    name: e.name.clone(),
                    email: e.email.clone(),
                },
                step: step_view(s),
            })
        })
        .collect())
}

/// Every event on the tenant's `workflows` topic from now on (`workflow_opened`,
/// `workflow_updated`, `template_updated`), for callers who may read workflows.
pub fn changes(
    state: &AppState,
    who: &Principal,
) -> ApiResult<impl futures::Stream<Item = std::sync::Arc<events::Event>> + Send + use<>> {
    who.require(Action::WorkflowsRead)?;
    Ok(state.events.stream(who.tenant_id, TOPIC))
}
