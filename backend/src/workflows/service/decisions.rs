//! Decisions on a workflow's active step: approving or rejecting an approval, completing any
//! other step, with the asset side effects a completion carries (a hand-over checks the
//! reserved asset out, a check-in checks in everything the person holds).

use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::json;

use super::engine::spoken_for;
use super::{advance, close, find_step, load, publish};
use crate::assets::published::{self as assets, AssetStatus};
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::ids::{AssetId, EmployeeId, StepId, WorkflowId};
use crate::platform::state::AppState;
use crate::workflows::entity::{step, workflow};
use crate::workflows::error::WorkflowError;
use crate::workflows::model::{Decision, StepDecision, StepKind, WorkflowView};

/// A step awaits a decision while it is active or blocked in an open workflow.
fn awaiting(wf: &workflow::Model, s: &step::Model) -> Result<(), WorkflowError> {
    if wf.status != "open" || !matches!(s.status.as_str(), "active" | "blocked") {
        return Err(WorkflowError::StepNotActionable {
            step: s.status.clone(),
            workflow: wf.status.clone(),
        });
    }
    Ok(())
}

/// Approves, rejects or completes the workflow's active step. Approvals are decided by the
/// assigned manager or any admin; other steps are completed by admins. Completing a hand-over
/// checks the reserved asset out to the person; completing a check-in checks in everything
/// they hold.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, workflow_id = %id))]
pub async fn act(
    state: &AppState,
    who: &Principal,
    id: WorkflowId,
    step_id: StepId,
    cmd: StepDecision,
) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsApprove)?;
    let StepDecision {
        decision,
        note,
        asset_id: chosen,
    } = cmd;
    let wf = load(&state.db, who.tenant_id, id).await?;
    let s = find_step(&state.db, who.tenant_id, step_id)
        .await?
        .filter(|s| s.workflow_id == id)
        .ok_or(WorkflowError::NotFound("step"))?;
    awaiting(&wf, &s)?;
    // A decision that lost a race is refused with the statuses it was made against.
    let stale = WorkflowError::StepNotActionable {
        step: s.status.clone(),
        workflow: wf.status.clone(),
    };
    let kind = StepKind::parse(&s.kind).unwrap_or(StepKind::Task);
    let is_assignee = s.assignee_user_id.is_some() && s.assignee_user_id == who.actor.id();
    match (kind, decision) {
        (StepKind::Approval, Decision::Approve | Decision::Reject) => {
            if !is_assignee && !who.can(Action::WorkflowsManage) {
                return Err(WorkflowError::NotTheApprover.into());
            }
        }
        (StepKind::Approval, Decision::Complete) | (_, Decision::Approve | Decision::Reject) => {
            return Err(WorkflowError::WrongDecision(kind).into());
        }
        (_, Decision::Complete) => who.require(Action::WorkflowsManage)?,
    }
    // Asset side effects go through the assets context (each its own transaction, audited and
    // published there). Each is a no-op when it already happened, so a retried completion
    // after a failure in between does not double-apply.
    let mut asset_id = s.asset_id;
    let employee_id = EmployeeId::from(wf.employee_id);
    match (kind, decision) {
        (StepKind::ReserveAsset, Decision::Complete) => {
            let chosen = chosen.ok_or_else(|| {
                WorkflowError::field("asset_id", "required", "name the in-stock asset to reserve")
            })?;
            let (_, status, _) = assets::brief(&state.db, who.tenant_id, chosen)
                .await?
                .ok_or_else(|| WorkflowError::field("asset_id", "not_found", "no such asset"))?;
            let taken = spoken_for(&state.db, who.tenant_id).await?;
            if status != AssetStatus::InStock || taken.contains(&chosen) {
                return Err(WorkflowError::field(
                    "asset_id",
                    "unavailable",
                    "the asset is not in stock or is reserved for someone else",
                )
                .into());
            }
            asset_id = Some(chosen.uuid());
        }
        (StepKind::CheckOut, Decision::Complete) => {
            let a = asset_id
                .map(AssetId::from)
                .ok_or(WorkflowError::NothingReserved)?;
            let (_, status, holder) = assets::brief(&state.db, who.tenant_id, a)
                .await?
                .ok_or(WorkflowError::NotFound("asset"))?;
            let handed = status == AssetStatus::Assigned && holder == Some(employee_id);
            if !handed {
                assets::checkout(
                    state,
                    who,
                    a,
                    None,
                    assets::CheckoutRequest {
                        employee_id,
                        due_at: None,
                        note: Some("Onboarding hand-over".into()),
                        version: None,
                    },
                )
                .await?;
            }
        }
        (StepKind::CheckIn, Decision::Complete) => {
            for a in assets::held_by(&state.db, who.tenant_id, employee_id).await? {
                assets::checkin(
                    state,
                    who,
                    a.id,
                    None,
                    assets::CheckinRequest {
                        condition: None,
                        note: Some("Offboarding check-in".into()),
                        version: None,
                    },
                )
                .await?;
            }
        }
        _ => {}
    }
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    // Re-read under the tenant's write lock: another decision may have landed meanwhile.
    let s = find_step(&txn, who.tenant_id, step_id)
        .await?
        .ok_or(WorkflowError::NotFound("step"))?;
    let wf = load(&txn, who.tenant_id, id).await?;
    if awaiting(&wf, &s).is_err() {
        return Err(stale.into());
    }
    let mut am = s.clone().into_active_model();
    am.status = Set(decision.outcome().into());
    am.decided_by = Set(who.actor.id());
    am.note = Set(note.clone());
    am.asset_id = Set(asset_id);
    am.completed_at = Set(Some(clock::now()));
    if kind == StepKind::ReserveAsset {
        am.detail = Set(Some("Reserved by hand".into()));
    }
    am.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: decision.audit_action(),
            entity_type: "workflow",
            entity_id: Some(id.uuid()),
            changes: json!({"step": s.name, "kind": s.kind, "note": note, "asset_id": asset_id}),
        },
    )
    .await?;
    if decision == Decision::Reject {
        close(&txn, who, wf, "rejected", note.as_deref()).await?;
    } else {
        let mut w = wf.clone().into_active_model();
        w.version = Set(wf.version + 1);
        w.updated_at = Set(clock::now());
        w.update(&txn).await?;
        advance(&txn, who, id).await?;
    }
    let out = publish(&txn, who.tenant_id, id).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}
