//! Workflow use-cases: opening workflows from templates, advancing them step by step, approvals
//! and completions through the REST API, templates per tenant.
//!
//! Steps run in order. The engine activates the first unfinished step; automatic steps
//! (reserve an asset, skip a wipe without an MDM, nothing to collect) finish themselves and the
//! engine moves on; the others wait for a person. A rejection ends the workflow.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::entity::{step, template, workflow};
use super::model::*;
use crate::app::AppState;
use crate::audit::service::{self as audit, Entry};
use crate::people::entity::employee;
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code};
use crate::platform::events;
use crate::platform::pagination::Page;
use crate::platform::validation as v;

const TOPIC: &str = "workflows";

/// A person who appears with a start date at most this many days ago (or ahead) is a new hire.
pub const HIRE_WINDOW_DAYS: i64 = 14;

/// The tenant's template for a kind: its own, or the built-in default.
async fn template_for<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
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

fn parse_kind(raw: &str) -> ApiResult<WorkflowKind> {
    WorkflowKind::parse(raw).ok_or_else(|| {
        ApiError::field(
            "kind",
            "invalid_choice",
            "must be onboarding or offboarding",
        )
    })
}

/// Replaces the tenant's template of a kind. Workflows already open keep their steps.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn save_template(
    state: &AppState,
    who: &Principal,
    kind: &str,
    req: SaveTemplate,
) -> ApiResult<TemplateView> {
    who.require(Action::WorkflowsManage)?;
    let kind = WorkflowKind::parse(kind).ok_or_else(|| ApiError::not_found("template"))?;
    let errs = check_template(&req);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
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
            am.name = Set(req.name.trim().to_owned());
            am.steps = Set(steps.clone());
            am.version = Set(version);
            am.updated_at = Set(now);
            am.update(&txn).await?;
        }
        None => {
            template::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(who.tenant_id),
                kind: Set(kind.as_str().into()),
                name: Set(req.name.trim().to_owned()),
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

/// Called inside the transaction that creates or changes an employee: a new active person
/// gets onboarding, a person who has just left gets offboarding (and any open onboarding of
/// theirs is cancelled).
pub async fn on_employee_changed<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    before: Option<&employee::Model>,
    after: &employee::Model,
) -> ApiResult<()> {
    let was = before.map(|b| b.status.as_str());
    match (was, after.status.as_str()) {
        // Only new hires: a first import of a whole company must not onboard everyone who
        // already works there. A hire is someone whose start date is recent or still ahead.
        (None, "active")
            if after.start_date.is_some_and(|d| {
                d >= clock::now().date_naive() - chrono::Duration::days(HIRE_WINDOW_DAYS)
            }) =>
        {
            open(conn, who, WorkflowKind::Onboarding, after, "hris").await?;
        }
        (Some(w), "terminated") if w != "terminated" => {
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
fn anchor(kind: WorkflowKind, e: &employee::Model) -> NaiveDate {
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
    e: &employee::Model,
    trigger: &str,
) -> ApiResult<Option<Uuid>> {
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
    let id = Uuid::now_v7();
    let anchor = anchor(kind, e);
    workflow::ActiveModel {
        id: Set(id),
        tenant_id: Set(who.tenant_id),
        kind: Set(kind.as_str().into()),
        employee_id: Set(e.id),
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
            id: Set(Uuid::now_v7()),
            tenant_id: Set(who.tenant_id),
            workflow_id: Set(id),
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
            entity_id: Some(id),
            changes: json!({"kind": kind.as_str(), "employee": {"id": e.id, "name": e.name}, "trigger": trigger, "template_version": tpl.version}),
        },
    )
    .await?;
    advance(conn, who, id).await?;
    let wf = load(conn, who.tenant_id, id).await?;
    let view = view(conn, wf).await?;
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

pub(super) async fn load<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    id: Uuid,
) -> ApiResult<workflow::Model> {
    workflow::Entity::find_by_id(id)
        .filter(workflow::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("workflow"))
}

pub(super) async fn steps_of<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    workflow_ids: &[Uuid],
) -> ApiResult<Vec<step::Model>> {
    if workflow_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(step::Entity::find()
        .filter(step::Column::TenantId.eq(tenant_id))
        .filter(step::Column::WorkflowId.is_in(workflow_ids.iter().copied()))
        .order_by_asc(step::Column::WorkflowId)
        .order_by_asc(step::Column::Position)
        .all(conn)
        .await?)
}

/// Assets reserved by open onboardings and not yet handed over: not available to reserve.
async fn spoken_for<C: ConnectionTrait>(conn: &C, tenant_id: Uuid) -> ApiResult<Vec<Uuid>> {
    let open: Vec<Uuid> = workflow::Entity::find()
        .select_only()
        .column(workflow::Column::Id)
        .filter(workflow::Column::TenantId.eq(tenant_id))
        .filter(workflow::Column::Status.eq("open"))
        .filter(workflow::Column::Kind.eq("onboarding"))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(steps_of(conn, tenant_id, &open)
        .await?
        .into_iter()
        .filter(|s| s.kind == StepKind::ReserveAsset.as_str() && s.status == "done")
        .filter_map(|s| s.asset_id)
        .collect())
}

fn held_summary(held: &[crate::assets::model::AssetView]) -> String {
    let tags: Vec<&str> = held.iter().map(|a| a.tag.as_str()).collect();
    format!("Holds {}: {}", tags.len(), tags.join(", "))
}

/// Moves a workflow forward: activates the first unfinished step, finishing automatic ones
/// and moving on, until a step waits for someone or something, or the workflow completes.
pub(super) async fn advance<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: Uuid,
) -> ApiResult<()> {
    let wf = load(conn, who.tenant_id, id).await?;
    if wf.status != "open" {
        return Ok(());
    }
    let emp = crate::people::service::by_ids(conn, who.tenant_id, &[wf.employee_id])
        .await?
        .remove(&wf.employee_id)
        .ok_or_else(|| ApiError::not_found("employee"))?;
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
                match crate::assets::service::reservable(conn, who.tenant_id, &category, &taken)
                    .await?
                {
                    Some((asset_id, tag)) => {
                        am.asset_id = Set(Some(asset_id));
                        reserved = Some(asset_id);
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
                if crate::integrations::service::has_active(
                    conn,
                    who.tenant_id,
                    crate::integrations::providers::Kind::Mdm,
                )
                .await?
                {
                    // A job asks the MDM (see `workflows::actions`).
                    am.detail = Set(Some("Waiting for the MDM".into()));
                    None
                } else {
                    Some(("skipped", "No MDM is connected".to_owned()))
                }
            }
            StepKind::OpenTicket => {
                if crate::integrations::service::has_active(
                    conn,
                    who.tenant_id,
                    crate::integrations::providers::Kind::Itsm,
                )
                .await?
                {
                    // A job opens the ticket and watches it (see `workflows::actions`).
                    am.detail = Set(Some("Opening a ticket".into()));
                    None
                } else {
                    Some(("skipped", "No IT service desk is connected".to_owned()))
                }
            }
            StepKind::CollectAssets | StepKind::CheckIn => {
                let held = crate::assets::service::held_by(conn, who.tenant_id, emp.id).await?;
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
                    && let Some(manager) =
                        crate::people::service::by_ids(conn, who.tenant_id, &[manager_id])
                            .await?
                            .remove(&manager_id)
                {
                    am.assignee_user_id = Set(crate::accounts::service::active_user_id_by_email(
                        conn,
                        who.tenant_id,
                        &manager.email,
                    )
                    .await?);
                }
                crate::integrations::slack::approval_requested(conn, &wf, &s, &emp, &am).await?;
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
                        entity_id: Some(id),
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

async fn close<C: ConnectionTrait>(
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

async fn cancel_open<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    employee_id: Uuid,
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
        let id = wf.id;
        close(conn, who, wf, "cancelled", Some(reason)).await?;
        publish(conn, who.tenant_id, id).await?;
    }
    Ok(())
}

pub(super) async fn publish<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    id: Uuid,
) -> ApiResult<WorkflowView> {
    let view = view(conn, load(conn, tenant_id, id).await?).await?;
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

fn step_view(s: step::Model) -> StepView {
    let ticket = serde_json::from_value(s.params["action"]["ticket"].clone()).ok();
    StepView {
        id: s.id,
        position: s.position,
        kind: s.kind,
        name: s.name,
        status: s.status,
        assignee_role: s.assignee_role,
        assignee_user_id: s.assignee_user_id,
        due_at: s.due_at,
        asset_id: s.asset_id,
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
    tenant_id: Uuid,
    rows: Vec<workflow::Model>,
) -> ApiResult<Vec<WorkflowView>> {
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id).collect();
    let emp_ids: Vec<Uuid> = rows.iter().map(|w| w.employee_id).collect();
    let people = crate::people::service::by_ids(conn, tenant_id, &emp_ids).await?;
    let mut steps: HashMap<Uuid, Vec<StepView>> = HashMap::new();
    for s in steps_of(conn, tenant_id, &ids).await? {
        steps.entry(s.workflow_id).or_default().push(step_view(s));
    }
    Ok(rows
        .into_iter()
        .map(|w| {
            let e = people.get(&w.employee_id);
            WorkflowView {
                id: w.id,
                kind: w.kind,
                status: w.status,
                trigger: w.trigger,
                employee: WorkflowEmployee {
                    id: w.employee_id,
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

async fn view<C: ConnectionTrait>(conn: &C, w: workflow::Model) -> ApiResult<WorkflowView> {
    let tenant_id = w.tenant_id;
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
    pub employee_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
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
        q = q.filter(workflow::Column::Kind.eq(parse_kind(k)?.as_str()));
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

pub async fn get(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsRead)?;
    view(&state.db, load(&state.db, who.tenant_id, id).await?).await
}

/// Opens a workflow by hand (e.g. for someone not in the HR system).
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn start(
    state: &AppState,
    who: &Principal,
    req: StartWorkflow,
) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsManage)?;
    let kind = parse_kind(&req.kind)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let emp = crate::people::service::by_ids(&txn, who.tenant_id, &[req.employee_id])
        .await?
        .remove(&req.employee_id)
        .filter(|e| e.deleted_at.is_none())
        .ok_or_else(|| ApiError::field("employee_id", "not_found", "no such employee"))?;
    let id = open(&txn, who, kind, &emp, "manual")
        .await?
        .ok_or_else(|| {
            ApiError::new(
                Code::Conflict,
                format!(
                    "{} already has an open {} workflow",
                    emp.name,
                    kind.as_str()
                ),
            )
        })?;
    let out = view(&txn, load(&txn, who.tenant_id, id).await?).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn cancel(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    req: CancelWorkflow,
) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsManage)?;
    let reason = v::optional_text("reason", req.reason.as_deref(), 2000)
        .map_err(|e| ApiError::validation(vec![e]))?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let wf = load(&txn, who.tenant_id, id).await?;
    if wf.status != "open" {
        return Err(ApiError::new(
            Code::InvalidTransition,
            format!("the workflow is already {}", wf.status),
        ));
    }
    close(&txn, who, wf, "cancelled", reason.as_deref()).await?;
    let out = publish(&txn, who.tenant_id, id).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(out)
}

/// What a person does to a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Complete,
}

/// Approves, rejects or completes the workflow's active step. Approvals are decided by the
/// assigned manager or any admin; other steps are completed by admins. Completing a hand-over
/// checks the reserved asset out to the person; completing a check-in checks in everything
/// they hold.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, workflow_id = %id))]
pub async fn act(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    step_id: Uuid,
    decision: Decision,
    req: StepAction,
) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsApprove)?;
    let note = v::optional_text("note", req.note.as_deref(), 2000)
        .map_err(|e| ApiError::validation(vec![e]))?;
    let wf = load(&state.db, who.tenant_id, id).await?;
    let s = step::Entity::find_by_id(step_id)
        .filter(step::Column::TenantId.eq(who.tenant_id))
        .filter(step::Column::WorkflowId.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("step"))?;
    let not_awaiting = || {
        ApiError::new(
            Code::StaleStep,
            format!(
                "the step is {} in a workflow that is {}",
                s.status, wf.status
            ),
        )
    };
    if wf.status != "open" || !matches!(s.status.as_str(), "active" | "blocked") {
        return Err(not_awaiting());
    }
    let kind = StepKind::parse(&s.kind).unwrap_or(StepKind::Task);
    let is_assignee = s.assignee_user_id.is_some() && s.assignee_user_id == who.actor.id();
    match (kind, decision) {
        (StepKind::Approval, Decision::Approve | Decision::Reject) => {
            if !is_assignee && !who.can(Action::WorkflowsManage) {
                return Err(ApiError::new(
                    Code::Forbidden,
                    "this approval is assigned to someone else",
                ));
            }
        }
        (StepKind::Approval, Decision::Complete) | (_, Decision::Approve | Decision::Reject) => {
            return Err(ApiError::new(
                Code::InvalidTransition,
                format!(
                    "a {} step is {}",
                    kind.as_str(),
                    if kind == StepKind::Approval {
                        "approved or rejected"
                    } else {
                        "completed"
                    }
                ),
            ));
        }
        (_, Decision::Complete) => who.require(Action::WorkflowsManage)?,
    }
    // Asset side effects go through the assets context (each its own transaction, audited and
    // published there). Each is a no-op when it already happened, so a retried completion
    // after a failure in between does not double-apply.
    let mut asset_id = s.asset_id;
    match (kind, decision) {
        (StepKind::ReserveAsset, Decision::Complete) => {
            let chosen = req.asset_id.ok_or_else(|| {
                ApiError::field("asset_id", "required", "name the in-stock asset to reserve")
            })?;
            let (_, status, _) = crate::assets::service::brief(&state.db, who.tenant_id, chosen)
                .await?
                .ok_or_else(|| ApiError::field("asset_id", "not_found", "no such asset"))?;
            let taken = spoken_for(&state.db, who.tenant_id).await?;
            if status != crate::assets::model::AssetStatus::InStock || taken.contains(&chosen) {
                return Err(ApiError::field(
                    "asset_id",
                    "unavailable",
                    "the asset is not in stock or is reserved for someone else",
                ));
            }
            asset_id = Some(chosen);
        }
        (StepKind::CheckOut, Decision::Complete) => {
            let a = asset_id.ok_or_else(|| {
                ApiError::new(
                    Code::InvalidTransition,
                    "no asset was reserved to hand over",
                )
            })?;
            let (_, status, holder) = crate::assets::service::brief(&state.db, who.tenant_id, a)
                .await?
                .ok_or_else(|| ApiError::not_found("asset"))?;
            let handed = status == crate::assets::model::AssetStatus::Assigned
                && holder == Some(wf.employee_id);
            if !handed {
                crate::assets::service::checkout(
                    state,
                    who,
                    a,
                    None,
                    crate::assets::model::CheckoutRequest {
                        employee_id: wf.employee_id,
                        due_at: None,
                        note: Some("Onboarding hand-over".into()),
                        version: None,
                    },
                )
                .await?;
            }
        }
        (StepKind::CheckIn, Decision::Complete) => {
            for a in
                crate::assets::service::held_by(&state.db, who.tenant_id, wf.employee_id).await?
            {
                crate::assets::service::checkin(
                    state,
                    who,
                    a.id,
                    None,
                    crate::assets::model::CheckinRequest {
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
    let s = step::Entity::find_by_id(step_id)
        .filter(step::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("step"))?;
    let wf = load(&txn, who.tenant_id, id).await?;
    if wf.status != "open" || !matches!(s.status.as_str(), "active" | "blocked") {
        return Err(not_awaiting());
    }
    let status = match decision {
        Decision::Approve | Decision::Complete => "done",
        Decision::Reject => "rejected",
    };
    let mut am = s.clone().into_active_model();
    am.status = Set(status.into());
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
            action: match decision {
                Decision::Approve => "workflow.step_approved",
                Decision::Reject => "workflow.step_rejected",
                Decision::Complete => "workflow.step_completed",
            },
            entity_type: "workflow",
            entity_id: Some(id),
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
    let emp_ids: Vec<Uuid> = wfs.values().map(|w| w.employee_id).collect();
    let people = crate::people::service::by_ids(&state.db, who.tenant_id, &emp_ids).await?;
    Ok(steps
        .into_iter()
        .filter_map(|s| {
            let w = wfs.get(&s.workflow_id)?;
            let e = people.get(&w.employee_id)?;
            Some(ApprovalView {
                workflow_id: w.id,
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
