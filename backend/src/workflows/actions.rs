//! Steps another system performs: a wipe step asks the MDM to erase the person's devices; a
//! ticket step opens a ticket in the IT service desk, then waits until it is resolved. The
//! engine leaves such a step `active`; the scheduler's sweep ([`dispatch`]) hands each one to a
//! job ([`perform`]) that calls the vendor and finishes the step, or retries with backoff, or
//! blocks it with the reason when a person must step in (they can then complete it by hand). A
//! ticket step is handed to a job again every `ticket_poll` to read the ticket's state.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};

use super::entity::{step, workflow};
use super::model::{StepKind, StepTicket};
use super::service::{advance, employee, find_step, load, publish, steps_of};
use crate::assets::published as assets;
use crate::audit::published::{self as audit, Entry};
use crate::integrations::published::{self as integrations, ActionFailure};
use crate::platform::auth::Principal;
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{AssetId, EmployeeId, StepId, TenantId, WorkflowId};
use crate::platform::jobs::{Job, JobOutcome, RunStep};
use crate::platform::state::AppState;
use crate::workflows::error::WorkflowError;
use assetronics_integrations::itsm::NewTicket;

/// The ids a step's job names, typed.
fn ids(job: &RunStep) -> (TenantId, WorkflowId, StepId) {
    (
        TenantId::from(job.tenant_id),
        WorkflowId::from(job.workflow_id),
        StepId::from(job.step_id),
    )
}

/// Step kinds a job performs.
const AUTOMATED: [&str; 2] = ["wipe_device", "open_ticket"];

/// A dispatched step whose job has not finished it after this long is dispatched again (its
/// job was lost with a crashed process before it was stored, or it is still retrying).
const REDISPATCH_AFTER: chrono::Duration = chrono::Duration::minutes(10);

/// The params as an object with an `action` object (indexing into them cannot panic).
fn object(mut v: Value) -> Value {
    if !v.is_object() {
        v = json!({});
    }
    if !v["action"].is_object() {
        v["action"] = json!({});
    }
    v
}

fn action_of(s: &step::Model) -> &Value {
    &s.params["action"]
}

/// Queues a job for every active automated step that has none (or whose job went missing).
/// Claimed with a conditional update, so among many schedulers one dispatches each step.
pub async fn dispatch(state: &AppState) -> ApiResult<usize> {
    let now = clock::now();
    let candidates = step::Entity::find()
        .filter(step::Column::Status.eq("active"))
        .filter(step::Column::Kind.is_in(AUTOMATED))
        .all(&state.db)
        .await?;
    let mut queued = 0;
    let poll =
        chrono::Duration::from_std(state.settings.jobs.ticket_poll).unwrap_or(REDISPATCH_AFTER);
    for s in candidates {
        // A step whose ticket is open is read again every `ticket_poll`.
        let again = if action_of(&s)["ticket"].is_object() {
            poll
        } else {
            REDISPATCH_AFTER
        };
        let due = match action_of(&s)["dispatched_at"].as_str() {
            None => true,
            Some(at) => chrono::DateTime::parse_from_rfc3339(at)
                .map(|at| at.to_utc() + again <= now)
                .unwrap_or(true),
        };
        if !due {
            continue;
        }
        let mut params = s.params.clone();
        if let Some(p) = params.as_object_mut() {
            let mut action = action_of(&s).clone();
            if !action.is_object() {
                action = json!({});
            }
            action["dispatched_at"] = json!(now.to_rfc3339());
            p.insert("action".into(), action);
        }
        let claimed = step::Entity::update_many()
            .col_expr(
                step::Column::Params,
                sea_orm::sea_query::Expr::value(params),
            )
            .filter(step::Column::Id.eq(s.id))
            .filter(step::Column::Params.eq(s.params.clone()))
            .exec(&state.db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            continue;
        }
        state
            .jobs
            .push(Job::RunStep(RunStep {
                tenant_id: s.tenant_id,
                workflow_id: s.workflow_id,
                step_id: s.id,
            }))
            .await
            .map_err(ApiError::internal)?;
        queued += 1;
    }
    Ok(queued)
}

/// The job's work: performs the step's action once. A step that is no longer active (done by
/// hand meanwhile, the workflow cancelled) is left alone.
pub async fn perform(state: &AppState, job: &RunStep) -> ApiResult<JobOutcome> {
    let (tenant_id, workflow_id, step_id) = ids(job);
    let Some(s) = find_step(&state.db, tenant_id, step_id).await? else {
        return Ok(JobOutcome::Succeeded);
    };
    let wf = match load(&state.db, tenant_id, workflow_id).await {
        Ok(w) => w,
        Err(e) if e.is_not_found() => return Ok(JobOutcome::Succeeded),
        Err(e) => return Err(e),
    };
    if s.status != "active" || wf.status != "open" {
        return Ok(JobOutcome::Succeeded);
    }
    match StepKind::parse(&s.kind) {
        Some(StepKind::WipeDevice) => wipe(state, job, &s, wf.employee_id.into()).await,
        Some(StepKind::OpenTicket) => ticket(state, job, &s, &wf).await,
        _ => Ok(JobOutcome::Succeeded),
    }
}

async fn wipe(
    state: &AppState,
    job: &RunStep,
    s: &step::Model,
    employee_id: EmployeeId,
) -> ApiResult<JobOutcome> {
    let (tenant_id, workflow_id, _) = ids(job);
    // What the person held when the offboarding collected it, and whatever the MDM says is
    // theirs.
    let mut targets: Vec<AssetId> = steps_of(&state.db, tenant_id, &[workflow_id])
        .await?
        .iter()
        .flat_map(|st| {
            st.params["asset_ids"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().and_then(|s| s.parse().ok()))
        .collect();
    if let Some(emp) = employee(&state.db, tenant_id, employee_id).await? {
        targets.extend(assets::ids_by_mdm_user(&state.db, tenant_id, &emp.email).await?);
    }
    targets.sort();
    targets.dedup();
    let report = integrations::wipe_assets(state, tenant_id, &targets).await?;
    match report {
        Ok(r) => {
            let mut detail = if r.wiped.is_empty() {
                "No device to wipe".to_owned()
            } else {
                format!("Wipe sent for {}", r.wiped.join(", "))
            };
            if !r.unmanaged.is_empty() {
                detail.push_str(&format!(
                    "; not managed by an MDM: {}",
                    r.unmanaged.join(", ")
                ));
            }
            finish(state, job, "done", &detail, json!({"wiped": r.wiped})).await?;
            Ok(JobOutcome::Succeeded)
        }
        Err(f) => retry_or_block(state, job, s, f).await,
    }
}

/// Opens the step's ticket (once), then reads its state each time it is handed a job; a
/// resolved (or closed, or cancelled) ticket finishes the step.
async fn ticket(
    state: &AppState,
    job: &RunStep,
    s: &step::Model,
    wf: &workflow::Model,
) -> ApiResult<JobOutcome> {
    let (tenant_id, _, _) = ids(job);
    let known: Option<StepTicket> =
        serde_json::from_value(s.params["action"]["ticket"].clone()).ok();
    let Some(known) = known else {
        let emp = employee(&state.db, tenant_id, wf.employee_id.into())
            .await?
            .ok_or(WorkflowError::NotFound("employee"))?;
        let what = if wf.kind == "offboarding" {
            "offboarding"
        } else {
            "onboarding"
        };
        let new = NewTicket {
            summary: format!("{}: {} ({what})", s.name, emp.name),
            description: format!(
                "{} for {} <{}>, opened by the {what} workflow in Assetronics. Resolve this \
                 ticket when done; the workflow then moves on.",
                s.name, emp.name, emp.email
            ),
            requester_email: Some(emp.email.clone()),
        };
        return match integrations::open_ticket(state, tenant_id, &new).await? {
            None => {
                finish(
                    state,
                    job,
                    "skipped",
                    "No IT service desk is connected",
                    json!({}),
                )
                .await?;
                Ok(JobOutcome::Succeeded)
            }
            Some(Ok((integration_id, t))) => {
                let ticket = StepTicket {
                    integration_id,
                    key: t.key.clone(),
                    url: t.url.clone(),
                    state: state_name(&t),
                };
                if t.state.is_done() {
                    finish(
                        state,
                        job,
                        "done",
                        &format!("Ticket {} resolved", t.key),
                        json!({}),
                    )
                    .await?;
                } else {
                    let mut action = json!({"ticket": ticket, "ticket_id": t.external_id});
                    action["dispatched_at"] = json!(clock::now().to_rfc3339());
                    update(state, job, action, &format!("Ticket {} open", t.key)).await?;
                }
                Ok(JobOutcome::Succeeded)
            }
            Some(Err(f)) => retry_or_block(state, job, s, f).await,
        };
    };
    let id = s.params["action"]["ticket_id"].as_str().unwrap_or_default();
    match integrations::ticket(state, tenant_id, known.integration_id, id).await? {
        Ok(Some(t)) if t.state.is_done() => {
            let detail = format!("Ticket {} {}", t.key, state_name(&t).replace('_', " "));
            finish(
                state,
                job,
                "done",
                &detail,
                json!({"state": state_name(&t)}),
            )
            .await?;
        }
        Ok(Some(t)) => {
            let now = state_name(&t);
            if now != known.state {
                let mut action = s.params["action"].clone();
                action["ticket"]["state"] = json!(now);
                let detail = format!("Ticket {} {}", t.key, now.replace('_', " "));
                update(state, job, action, &detail).await?;
            }
        }
        Ok(None) => {
            let detail = format!(
                "Ticket {} is gone from the service desk; complete this step by hand",
                known.key
            );
            finish(state, job, "blocked", &detail, json!({})).await?;
        }
        // A failed read is tried again at the next poll.
        Err(ActionFailure::Retry { detail, .. }) => {
            tracing::warn!(step_id = %job.step_id, %detail, "ticket read failed; next poll retries");
        }
        Err(ActionFailure::NeedsAttention(detail)) => {
            finish(state, job, "blocked", &detail, json!({})).await?;
            return Ok(JobOutcome::Dead);
        }
    }
    Ok(JobOutcome::Succeeded)
}

fn state_name(t: &assetronics_integrations::itsm::Ticket) -> String {
    serde_json::to_value(t.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "open".into())
}

/// A failed call that may pass is retried with backoff (the attempts counted on the step) until
/// the attempts run out; then, or for a failure a person must fix, the step is blocked.
async fn retry_or_block(
    state: &AppState,
    job: &RunStep,
    s: &step::Model,
    failure: ActionFailure,
) -> ApiResult<JobOutcome> {
    match failure {
        ActionFailure::Retry { detail, after } => {
            let attempts = s.params["action"]["attempts"].as_u64().unwrap_or(0) as u32 + 1;
            let settings = &state.settings.jobs;
            if attempts >= settings.max_attempts {
                finish(
                    state,
                    job,
                    "blocked",
                    &detail,
                    json!({"attempts": attempts}),
                )
                .await?;
                return Ok(JobOutcome::Dead);
            }
            let delay = crate::platform::jobs::backoff(attempts, settings.retry_base, after);
            state
                .jobs
                .push_after(Job::RunStep(job.clone()), delay)
                .await
                .map_err(ApiError::internal)?;
            let mut action = s.params["action"].clone();
            if !action.is_object() {
                action = json!({});
            }
            action["attempts"] = json!(attempts);
            update(state, job, action, &format!("Retrying: {detail}")).await?;
            Ok(JobOutcome::Retried)
        }
        ActionFailure::NeedsAttention(detail) => {
            finish(state, job, "blocked", &detail, json!({})).await?;
            Ok(JobOutcome::Dead)
        }
    }
}

/// Replaces the step's `action` record and detail (the step stays active), published: what
/// the step is waiting for, or why it is retrying.
async fn update(state: &AppState, job: &RunStep, action: Value, detail: &str) -> ApiResult<()> {
    let (tenant_id, workflow_id, step_id) = ids(job);
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let Some(s) = find_step(&txn, tenant_id, step_id).await? else {
        return Ok(());
    };
    if s.status != "active" {
        return Ok(());
    }
    let mut params = object(s.params.clone());
    params["action"] = action;
    let mut am = s.into_active_model();
    am.params = Set(params);
    am.detail = Set(Some(detail.to_owned()));
    am.update(&txn).await?;
    publish(&txn, tenant_id, workflow_id).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Ends the step `done` (and moves the workflow on) or `blocked` (a person completes it by
/// hand once they have dealt with the cause), audited and published.
async fn finish(
    state: &AppState,
    job: &RunStep,
    status: &str,
    detail: &str,
    result: Value,
) -> ApiResult<()> {
    let (tenant_id, workflow_id, step_id) = ids(job);
    let who = Principal::system(tenant_id, "workflow automation");
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let Some(s) = find_step(&txn, tenant_id, step_id).await? else {
        return Ok(());
    };
    if s.status != "active" {
        return Ok(());
    }
    let mut params = object(s.params.clone());
    params["action"]["result"] = result;
    let name = s.name.clone();
    let kind = s.kind.clone();
    let mut am = s.into_active_model();
    am.status = Set(status.into());
    am.detail = Set(Some(detail.to_owned()));
    am.params = Set(params);
    let finished = matches!(status, "done" | "skipped");
    if finished {
        am.completed_at = Set(Some(clock::now()));
    }
    am.update(&txn).await?;
    audit::record(
        &txn,
        &who,
        Entry {
            action: if finished {
                "workflow.step_finished"
            } else {
                "workflow.step_blocked"
            },
            entity_type: "workflow",
            entity_id: Some(workflow_id.uuid()),
            changes: json!({"step": name, "kind": kind, "status": status, "detail": detail}),
        },
    )
    .await?;
    let wf = load(&txn, tenant_id, workflow_id).await?;
    let version = wf.version;
    let mut w = wf.into_active_model();
    w.version = Set(version + 1);
    w.updated_at = Set(clock::now());
    w.update(&txn).await?;
    if finished {
        advance(&txn, &who, workflow_id).await?;
    }
    publish(&txn, tenant_id, workflow_id).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Blocks the step for good (its job panicked), so a person sees it and completes it by hand.
pub async fn abandon(state: &AppState, job: &RunStep, error: &str) -> ApiResult<()> {
    finish(state, job, "blocked", error, json!({})).await
}
