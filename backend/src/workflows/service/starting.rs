//! Opening and ending workflows: a new hire from the HR system gets onboarding, a person who
//! left gets offboarding (and their open onboarding is cancelled); admins open one by hand or
//! cancel an open one.

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::templates::template_for;
use super::{TOPIC, advance, close, employee, load, publish};
use crate::audit::published::{self as audit, Entry};
use crate::people::published::{Employee, EmployeeStatus};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::events;
use crate::platform::ids::{EmployeeId, StepId, WorkflowId};
use crate::platform::state::AppState;
use crate::workflows::entity::{step, workflow};
use crate::workflows::error::WorkflowError;
use crate::workflows::model::{CancelReason, NewWorkflow, WorkflowKind, WorkflowView};

/// A person who appears with a start date at most this many days ago (or ahead) is a new hire.
pub const HIRE_WINDOW_DAYS: i64 = 14;

/// Called inside the transaction that creates or changes an employee: a new active person
/// gets onboarding, a person who has just left gets offboarding (and any open onboarding of
/// theirs is cancelled).
pub async fn on_employee_changed<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    before: Option<&Employee>,
    after: &Employee,
) -> ApiResult<()> {
    match (before.map(|b| b.status), after.status) {
        // Only new hires: a first import of a whole company must not onboard everyone who
        // already works there. A hire is someone whose start date is recent or still ahead.
        (None, EmployeeStatus::Active)
            if after.start_date.is_some_and(|d| {
                d >= clock::now().date_naive() - chrono::Duration::days(HIRE_WINDOW_DAYS)
            }) =>
        {
            open(conn, who, WorkflowKind::Onboarding, after, "hris").await?;
        }
        (Some(w), EmployeeStatus::Terminated) if w != EmployeeStatus::Terminated => {
            cancel_open(
                conn,
                who,
                after.id,
                WorkflowKind::Onboarding,
                "the person left",
            )
            .await?;
            open(conn, who, WorkflowKind::Offboarding, after, "hris").await?;
        }
        _ => {}
    }
    Ok(())
}

/// The date a workflow's due dates count from.
fn anchor(kind: WorkflowKind, e: &Employee) -> NaiveDate {
    let own = match kind {
        WorkflowKind::Onboarding => e.start_date,
        WorkflowKind::Offboarding => e.end_date,
    };
    own.unwrap_or_else(|| clock::now().date_naive())
}

/// Opens a workflow of `kind` for the person from the tenant's template, unless one is open
/// already. Returns the new workflow's id.
pub async fn open<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    kind: WorkflowKind,
    e: &Employee,
    trigger: &str,
) -> ApiResult<Option<WorkflowId>> {
    let already = workflow::Entity::find()
        .filter(workflow::Column::TenantId.eq(who.tenant_id))
        .filter(workflow::Column::EmployeeId.eq(e.id))
        .filter(workflow::Column::Kind.eq(kind.as_str()))
        .filter(workflow::Column::Status.eq("open"))
        .one(conn)
        .await?;
    if already.is_some() {
        return Ok(None);
    }
    let tpl = template_for(conn, who.tenant_id, kind).await?;
    let now = clock::now();
    let id = WorkflowId::new();
    let anchor = anchor(kind, e);
    workflow::ActiveModel {
        id: Set(id.uuid()),
        tenant_id: Set(who.tenant_id.uuid()),
        kind: Set(kind.as_str().into()),
        employee_id: Set(e.id.uuid()),
        status: Set("open".into()),
        trigger: Set(trigger.into()),
        due_date: Set(Some(anchor)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
    }
    .insert(conn)
    .await?;
    for (i, s) in tpl.steps.iter().enumerate() {
        let due = anchor + chrono::Duration::days(s.due_in_days as i64);
        step::ActiveModel {
            id: Set(StepId::new().uuid()),
            tenant_id: Set(who.tenant_id.uuid()),
            workflow_id: Set(id.uuid()),
            position: Set(i as i32),
            kind: Set(s.kind.as_str().into()),
            name: Set(s.name.clone()),
            status: Set("pending".into()),
            assignee_role: Set(s.assignee.as_str().into()),
            assignee_user_id: Set(None),
            due_at: Set(due.and_hms_opt(17, 0, 0).map(|d| Utc.from_utc_datetime(&d))),
            params: Set(json!({"category": s.category})),
            asset_id: Set(None),
            detail: Set(None),
            decided_by: Set(None),
            note: Set(None),
            started_at: Set(None),
            completed_at: Set(None),
        }
        .insert(conn)
        .await?;
    }
    audit::record(
        conn,
        who,
        Entry {
            action: "workflow.opened",
            entity_type: "workflow",
            entity_id: Some(id.uuid()),
            changes: json!({"kind": kind.as_str(), "employee": {"id": e.id, "name": e.name}, "trigger": trigger, "template_version": tpl.version}),
        },
    )
    .await?;
    advance(conn, who, id).await?;
    let view = super::listing::view(conn, load(conn, who.tenant_id, id).await?).await?;
    events::enqueue(
        conn,
        who.tenant_id,
        TOPIC,
        "workflow_opened",
        json!({"workflow": view}),
    )
    .await?;
    Ok(Some(id))
}

/// Opens a workflow by hand (e.g. for someone not in the HR system).
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn start(state: &AppState, who: &Principal, req: NewWorkflow) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsManage)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let emp = employee(&txn, who.tenant_id, req.employee_id)
        .await?
        .filter(|e| e.deleted_at.is_none())
        .ok_or_else(|| WorkflowError::field("employee_id", "not_found", "no such employee"))?;
    let id = open(&txn, who, req.kind, &emp, "manual")
        .await?
        .ok_or_else(|| WorkflowError::AlreadyOpen {
            name: emp.name.clone(),
            kind: req.kind,
        })?;
    let out = super::listing::view(&txn, load(&txn, who.tenant_id, id).await?).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}

/// Cancels an open workflow; its remaining steps are skipped.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, workflow_id = %id))]
pub async fn cancel(
    state: &AppState,
    who: &Principal,
    id: WorkflowId,
    reason: CancelReason,
) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsManage)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let wf = load(&txn, who.tenant_id, id).await?;
    if wf.status != "open" {
        return Err(WorkflowError::WrongState(wf.status).into());
    }
    close(&txn, who, wf, "cancelled", reason.0.as_deref()).await?;
    let out = publish(&txn, who.tenant_id, id).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}

/// Cancels the person's open workflows of a kind, published.
async fn cancel_open<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    employee_id: EmployeeId,
    kind: WorkflowKind,
    reason: &str,
) -> ApiResult<()> {
    let open = workflow::Entity::find()
        .filter(workflow::Column::TenantId.eq(who.tenant_id))
        .filter(workflow::Column::EmployeeId.eq(employee_id))
        .filter(workflow::Column::Kind.eq(kind.as_str()))
        .filter(workflow::Column::Status.eq("open"))
        .all(conn)
        .await?;
    for wf in open {
        let id = WorkflowId::from(wf.id);
        close(conn, who, wf, "cancelled", Some(reason)).await?;
        publish(conn, who.tenant_id, id).await?;
    }
    Ok(())
}
