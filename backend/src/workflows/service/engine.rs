//! The engine that moves a workflow forward: it activates the first unfinished step, lets
//! automatic steps finish themselves (reserve an in-stock asset, nothing to collect, no MDM or
//! service desk to ask), and stops at the first step that waits for someone or something. A
//! workflow whose steps are all done or skipped completes.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{close, employee, load, steps_of};
use crate::accounts::published as accounts;
use crate::assets::published as assets;
use crate::audit::published::{self as audit, Entry};
use crate::integrations::published as integrations;
use crate::platform::auth::Principal;
use crate::platform::clock;
use crate::platform::error::ApiResult;
use crate::platform::ids::{AssetId, TenantId, UserId, WorkflowId};
use crate::workflows::entity::workflow;
use crate::workflows::error::WorkflowError;
use crate::workflows::model::{Assignee, StepKind};

/// Assets reserved by open onboardings and not yet handed over: not available to reserve.
pub(super) async fn spoken_for<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
) -> ApiResult<Vec<AssetId>> {
    let open: Vec<WorkflowId> = workflow::Entity::find()
        .select_only()
        .column(workflow::Column::Id)
        .filter(workflow::Column::TenantId.eq(tenant_id))
        .filter(workflow::Column::Status.eq("open"))
        .filter(workflow::Column::Kind.eq("onboarding"))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .map(WorkflowId::from)
        .collect();
    Ok(steps_of(conn, tenant_id, &open)
        .await?
        .into_iter()
        .filter(|s| s.kind == StepKind::ReserveAsset.as_str() && s.status == "done")
        .filter_map(|s| s.asset_id.map(AssetId::from))
        .collect())
}

fn held_summary(held: &[assets::AssetView]) -> String {
    let tags: Vec<&str> = held.iter().map(|a| a.tag.as_str()).collect();
    format!("Holds {}: {}", tags.len(), tags.join(", "))
}

/// Moves a workflow forward: activates the first unfinished step, finishing automatic ones
/// and moving on, until a step waits for someone or something, or the workflow completes.
pub(crate) async fn advance<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: WorkflowId,
) -> ApiResult<()> {
    let wf = load(conn, who.tenant_id, id).await?;
    if wf.status != "open" {
        return Ok(());
    }
    let emp = employee(conn, who.tenant_id, wf.employee_id.into())
        .await?
        .ok_or(WorkflowError::NotFound("employee"))?;
    let steps = steps_of(conn, who.tenant_id, &[id]).await?;
    let now = clock::now();
    let mut reserved: Option<Uuid> = steps
        .iter()
        .find(|s| s.kind == StepKind::ReserveAsset.as_str())
        .and_then(|s| s.asset_id);
    for s in steps {
        match s.status.as_str() {
            "done" | "skipped" => continue,
            "active" | "blocked" | "rejected" => return Ok(()),
            _ => {}
        }
        let kind = StepKind::parse(&s.kind).unwrap_or(StepKind::Task);
        let mut am = s.clone().into_active_model();
        am.started_at = Set(Some(now));
        let finished: Option<(&str, String)> = match kind {
            StepKind::ReserveAsset => {
                let category = s.params["category"].as_str().unwrap_or("Laptop").to_owned();
                let taken = spoken_for(conn, who.tenant_id).await?;
                match assets::reservable(conn, who.tenant_id, &category, taken).await? {
                    Some((asset_id, tag)) => {
                        am.asset_id = Set(Some(asset_id.uuid()));
                        reserved = Some(asset_id.uuid());
                        Some(("done", format!("Reserved {tag}")))
                    }
                    None => {
                        am.status = Set("blocked".into());
                        am.detail = Set(Some(format!(
                            "No {category} in stock: add one, then complete this step naming it"
                        )));
                        None
                    }
                }
            }
            StepKind::WipeDevice => {
                if integrations::has_active(conn, who.tenant_id, integrations::Kind::Mdm).await? {
                    // A job asks the MDM (see `workflows::actions`).
                    am.detail = Set(Some("Waiting for the MDM".into()));
                    None
                } else {
                    Some(("skipped", "No MDM is connected".to_owned()))
                }
            }
            StepKind::OpenTicket => {
                if integrations::has_active(conn, who.tenant_id, integrations::Kind::Itsm).await? {
                    // A job opens the ticket and watches it (see `workflows::actions`).
                    am.detail = Set(Some("Opening a ticket".into()));
                    None
                } else {
                    Some(("skipped", "No IT service desk is connected".to_owned()))
                }
            }
            StepKind::CollectAssets | StepKind::CheckIn => {
                let held = assets::held_by(conn, who.tenant_id, emp.id).await?;
                if held.is_empty() {
                    Some(("done", "Holds nothing".to_owned()))
                } else {
                    am.detail = Set(Some(held_summary(&held)));
                    // What the person held, for a later wipe step.
                    let mut params = s.params.clone();
                    if let Some(p) = params.as_object_mut() {
                        p.insert(
                            "asset_ids".into(),
                            json!(held.iter().map(|a| a.id).collect::<Vec<_>>()),
                        );
                    }
                    am.params = Set(params);
                    None
                }
            }
            StepKind::CheckOut => {
                am.asset_id = Set(reserved);
                None
            }
            StepKind::Approval => {
                if s.assignee_role == Assignee::Manager.as_str()
                    && let Some(manager_id) = emp.manager_id
                    && let Some(manager) = employee(conn, who.tenant_id, manager_id).await?
                {
                    let user =
                        accounts::active_user_id_by_email(conn, who.tenant_id, &manager.email)
                            .await?;
                    am.assignee_user_id = Set(user.map(UserId::uuid));
                }
                let assignee = am.assignee_user_id.try_as_ref().copied().flatten();
                let request = integrations::ApprovalRequest {
                    tenant_id: who.tenant_id,
                    workflow_id: id,
                    step_id: s.id.into(),
                    step_name: &s.name,
                    workflow_kind: &wf.kind,
                    employee_name: &emp.name,
                    employee_email: &emp.email,
                    start_date: emp.start_date,
                    end_date: emp.end_date,
                    assignee: assignee.map(UserId::from),
                };
                integrations::approval_requested(conn, &request).await?;
                None
            }
            StepKind::Ship | StepKind::Task => None,
        };
        match finished {
            Some((status, detail)) => {
                am.status = Set(status.into());
                am.detail = Set(Some(detail));
                am.completed_at = Set(Some(now));
                let done = am.update(conn).await?;
                audit::record(
                    conn,
                    who,
                    Entry {
                        action: "workflow.step_finished",
                        entity_type: "workflow",
                        entity_id: Some(id.uuid()),
                        changes: json!({"step": done.name, "kind": done.kind, "status": done.status, "detail": done.detail, "asset_id": done.asset_id}),
                    },
                )
                .await?;
            }
            None => {
                if s.status == "pending" && am.status.as_ref() == "pending" {
                    am.status = Set("active".into());
                }
                am.update(conn).await?;
                return Ok(());
            }
        }
    }
    close(conn, who, wf, "completed", None).await
}
