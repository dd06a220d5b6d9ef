//! GraphQL resolvers of the workflows context: onboarding and offboarding workflows, their
//! steps and approvals, templates, and workflow events. Thin: each calls one service function
//! (the same as REST); the person and the assets a workflow concerns come through the people
//! and assets data loaders.
//!
//! The types here read the views' JSON form (see [`from_view`]), the same JSON the
//! `workflows:{tenant_id}` events carry, so a pushed workflow decodes exactly as a queried one.

use async_graphql::connection::Connection;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, Object, SimpleObject, Subscription,
};
use chrono::{DateTime, NaiveDate, Utc};
use futures::{Stream, StreamExt};
use serde::Deserialize;

use super::error::WorkflowError;
use super::model::{
    self, CancelReason, CancelWorkflow, Decision, FieldErrors, NewTemplate, NewWorkflow,
    SaveTemplate, StepAction, StepDecision, StepTemplate,
};
use super::service::{self, WorkflowFilter};
use crate::assets::published::{AssetLoader, AssetView};
use crate::graphql::{
    GqlResult, connection, decode_event, first_to_limit, from_view, loader, scope,
};
use crate::people::published::{EmployeeLoader, EmployeeView};
use crate::platform::auth::Action;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{AssetId, EmployeeId, StepId, UserId, WorkflowId};
use crate::platform::pagination::Page;

/// What a workflow is for.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "model::WorkflowKind")]
#[serde(rename_all = "snake_case")]
pub enum WorkflowKind {
    Onboarding,
    Offboarding,
}

/// Where a workflow stands.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowStatus {
    /// Steps remain.
    Open,
    /// Every step is done or skipped.
    Completed,
    /// An approval was rejected.
    Rejected,
    /// Cancelled by an admin, or because the person left.
    Cancelled,
}

impl WorkflowStatus {
    fn as_str(self) -> &'static str {
        match self {
            WorkflowStatus::Open => "open",
            WorkflowStatus::Completed => "completed",
            WorkflowStatus::Rejected => "rejected",
            WorkflowStatus::Cancelled => "cancelled",
        }
    }
}

/// What opened a workflow.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "WorkflowTrigger")]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A sync or webhook of the HR system.
    Hris,
    /// Someone started it by hand.
    Manual,
}

/// What a step does and how it completes (see the REST API's step kinds).
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "WorkflowStepKind", remote = "model::StepKind")]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A manager or admin approves or rejects; a rejection ends the workflow.
    Approval,
    /// Reserves an in-stock asset of the template's category; blocked when none is in stock.
    ReserveAsset,
    /// A task: the reserved asset is on its way.
    Ship,
    /// Completing it checks the reserved asset out to the person.
    CheckOut,
    /// A task: get back every asset the person holds.
    CollectAssets,
    /// Completing it checks in every asset the person still holds.
    CheckIn,
    /// Wipes the person's devices through the MDM; skipped when none is connected.
    WipeDevice,
    /// Opens a ticket in the IT service desk and completes when it is resolved; skipped when
    /// none is connected.
    OpenTicket,
    /// Anything else a person must do and tick off.
    Task,
}

/// Where a step stands.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "WorkflowStepStatus")]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not reached yet.
    Pending,
    /// Awaiting someone.
    Active,
    /// Awaiting something (see `detail`).
    Blocked,
    Done,
    Rejected,
    Skipped,
}

/// Who a step waits for.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "WorkflowAssignee", remote = "model::Assignee")]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// The person's manager when they have an account; else the admins.
    Manager,
    /// Any admin.
    Admin,
}

/// The person a workflow is about, as the view names them.
#[derive(Deserialize, Clone, Debug)]
pub struct Person {
    pub id: EmployeeId,
}

/// An onboarding or offboarding workflow with its steps, as `GET /api/v1/workflows/{id}`.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
#[graphql(complex)]
pub struct Workflow {
    pub id: WorkflowId,
    pub kind: WorkflowKind,
    pub status: WorkflowStatus,
    pub trigger: Trigger,
    #[graphql(skip)]
    pub employee: Person,
    /// The date its steps' due dates count from.
    pub due_date: Option<NaiveDate>,
    /// In order (a template has at most 30).
    #[graphql(complexity = "30 * child_complexity")]
    pub steps: Vec<WorkflowStep>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The employee record behind a workflow or approval; `null` once it was removed.
async fn employee(
    ctx: &Context<'_>,
    id: EmployeeId,
) -> async_graphql::Result<Option<EmployeeView>> {
    loader::<EmployeeLoader>(ctx)?.load_one(id).await.gql()
}

#[ComplexObject]
impl Workflow {
    async fn employee_id(&self) -> EmployeeId {
        self.employee.id
    }

    /// The person the workflow is about; `null` once their record was removed.
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EmployeeView>> {
        employee(ctx, self.employee.id).await
    }
}

/// One step of a workflow.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
#[graphql(complex)]
pub struct WorkflowStep {
    pub id: StepId,
    pub position: i32,
    pub kind: StepKind,
    pub name: String,
    pub status: StepStatus,
    #[graphql(name = "assignee")]
    pub assignee_role: Assignee,
    /// The user the step waits for, when it is one person.
    pub assignee_user_id: Option<UserId>,
    pub due_at: Option<DateTime<Utc>>,
    /// The asset the step reserved, hands over or concerns.
    pub asset_id: Option<AssetId>,
    pub detail: Option<String>,
    /// The user who approved, rejected or completed it.
    pub decided_by: Option<uuid::Uuid>,
    pub note: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// For an `open_ticket` step, the ticket it opened.
    pub ticket: Option<model::StepTicket>,
}

#[ComplexObject]
impl WorkflowStep {
    /// The asset the step reserved, hands over or concerns, as the caller may see it.
    async fn asset(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AssetView>> {
        let Some(id) = self.asset_id else {
            return Ok(None);
        };
        loader::<AssetLoader>(ctx)?.load_one(id).await.gql()
    }
}

/// An approval waiting for the caller.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
#[graphql(complex)]
pub struct Approval {
    pub workflow_id: WorkflowId,
    pub workflow_kind: WorkflowKind,
    #[graphql(skip)]
    pub employee: Person,
    pub step: WorkflowStep,
}

#[ComplexObject]
impl Approval {
    async fn employee_id(&self) -> EmployeeId {
        self.employee.id
    }

    /// The person the workflow is about; `null` once their record was removed.
    async fn employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EmployeeView>> {
        employee(ctx, self.employee.id).await
    }
}

/// A tenant's template for one kind of workflow (the built-in default until edited).
#[derive(SimpleObject, Deserialize, Clone, Debug)]
pub struct WorkflowTemplate {
    pub kind: WorkflowKind,
    pub name: String,
    pub steps: Vec<WorkflowTemplateStep>,
    /// 0 while the built-in default is in use.
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One step of a template.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
pub struct WorkflowTemplateStep {
    pub kind: StepKind,
    pub name: String,
    pub assignee: Assignee,
    /// Days after the anchor date (start date for onboarding, last day for offboarding) the
    /// step is due; negative means before.
    pub due_in_days: i32,
    /// For `RESERVE_ASSET`: the category name to reserve from.
    pub category: Option<String>,
}

fn bad_cursor() -> ApiError {
    ApiError::field(
        "after",
        "invalid",
        "the cursor is not one this list returned",
    )
}

/// A request's field errors as the validation problem REST answers.
fn parsed<T>(r: Result<T, FieldErrors>) -> async_graphql::Result<T> {
    r.map_err(|e| ApiError::from(WorkflowError::Invalid(e)))
        .gql()
}

fn page_of(page: Page<model::WorkflowView>) -> ApiResult<Page<Workflow>> {
    Ok(Page {
        data: page
            .data
            .into_iter()
            .map(from_view)
            .collect::<ApiResult<_>>()?,
        next_cursor: page.next_cursor,
    })
}

#[derive(Default)]
pub struct WorkflowsQuery;

#[Object]
impl WorkflowsQuery {
    /// Workflows, newest first, as `GET /api/v1/workflows`. Forward pagination: `first` (1 to
    /// 100, default 50) and `after`.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn workflows(
        &self,
        ctx: &Context<'_>,
        status: Option<WorkflowStatus>,
        kind: Option<WorkflowKind>,
        employee_id: Option<EmployeeId>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Workflow>> {
        let s = scope(ctx)?;
        let cursor = after
            .as_deref()
            .map(|a| a.trim().parse::<WorkflowId>().map_err(|_| bad_cursor()))
            .transpose()
            .gql()?;
        let filter = WorkflowFilter {
            status: status.map(|s| s.as_str().to_owned()),
            kind: kind.map(|k| model::WorkflowKind::from(k).as_str().to_owned()),
            employee_id,
            cursor,
            limit: first_to_limit(first),
        };
        let page = page_of(service::list(&s.state, &s.who, filter).await.gql()?).gql()?;
        Ok(connection(page, after.as_deref(), |w| w.id.to_string()))
    }

    /// One workflow; `not_found` also for another tenant's ids.
    async fn workflow(&self, ctx: &Context<'_>, id: WorkflowId) -> async_graphql::Result<Workflow> {
        let s = scope(ctx)?;
        from_view(service::get(&s.state, &s.who, id).await.gql()?).gql()
    }

    /// Approvals waiting for the caller: assigned to them, or (admins) every open approval.
    async fn approvals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Approval>> {
        let s = scope(ctx)?;
        from_view(service::approvals(&s.state, &s.who).await.gql()?).gql()
    }

    /// The tenant's onboarding and offboarding templates.
    async fn workflow_templates(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WorkflowTemplate>> {
        let s = scope(ctx)?;
        from_view(service::list_templates(&s.state, &s.who).await.gql()?).gql()
    }
}

#[derive(InputObject)]
pub struct StartWorkflowInput {
    pub kind: WorkflowKind,
    pub employee_id: EmployeeId,
}

#[derive(InputObject)]
pub struct WorkflowTemplateStepInput {
    pub kind: StepKind,
    pub name: String,
    #[graphql(default_with = "Assignee::Admin")]
    pub assignee: Assignee,
    /// Days after the anchor date the step is due (-365 to 365); negative means before.
    #[graphql(default)]
    pub due_in_days: i32,
    /// Required for `RESERVE_ASSET`: the asset category to reserve from, e.g. `Laptop`.
    pub category: Option<String>,
}

#[derive(InputObject)]
pub struct SaveWorkflowTemplateInput {
    /// 1 to 120 characters.
    pub name: String,
    /// 1 to 30 steps, in order; a `CHECK_OUT` needs a `RESERVE_ASSET` before it.
    pub steps: Vec<WorkflowTemplateStepInput>,
}

impl From<SaveWorkflowTemplateInput> for SaveTemplate {
    fn from(i: SaveWorkflowTemplateInput) -> Self {
        SaveTemplate {
            name: i.name,
            steps: i
                .steps
                .into_iter()
                .map(|s| StepTemplate {
                    kind: s.kind.into(),
                    name: s.name,
                    assignee: s.assignee.into(),
                    due_in_days: s.due_in_days,
                    category: s.category,
                })
                .collect(),
        }
    }
}

/// What `approveStep`, `rejectStep` and `completeStep` do, as REST's step actions.
async fn act(
    ctx: &Context<'_>,
    workflow_id: WorkflowId,
    step_id: StepId,
    decision: Decision,
    note: Option<String>,
    asset_id: Option<AssetId>,
) -> async_graphql::Result<Workflow> {
    let s = scope(ctx)?;
    s.who.require(Action::WorkflowsApprove).gql()?;
    let cmd = parsed(StepDecision::parse(decision, StepAction { note, asset_id }))?;
    let out = service::act(&s.state, &s.who, workflow_id, step_id, cmd)
        .await
        .gql()?;
    from_view(out).gql()
}

#[derive(Default)]
pub struct WorkflowsMutation;

#[Object]
impl WorkflowsMutation {
    /// Opens a workflow by hand from the tenant's template (`conflict` when one of this kind
    /// is already open for the person).
    async fn start_workflow(
        &self,
        ctx: &Context<'_>,
        input: StartWorkflowInput,
    ) -> async_graphql::Result<Workflow> {
        let s = scope(ctx)?;
        let req = NewWorkflow {
            kind: input.kind.into(),
            employee_id: input.employee_id,
        };
        from_view(service::start(&s.state, &s.who, req).await.gql()?).gql()
    }

    /// Cancels an open workflow; its remaining steps are skipped.
    async fn cancel_workflow(
        &self,
        ctx: &Context<'_>,
        id: WorkflowId,
        reason: Option<String>,
    ) -> async_graphql::Result<Workflow> {
        let s = scope(ctx)?;
        s.who.require(Action::WorkflowsManage).gql()?;
        let reason = parsed(CancelReason::parse(CancelWorkflow { reason }))?;
        from_view(service::cancel(&s.state, &s.who, id, reason).await.gql()?).gql()
    }

    /// Approves an approval step (its assigned manager, or an admin); the workflow moves on.
    async fn approve_step(
        &self,
        ctx: &Context<'_>,
        workflow_id: WorkflowId,
        step_id: StepId,
        note: Option<String>,
    ) -> async_graphql::Result<Workflow> {
        act(ctx, workflow_id, step_id, Decision::Approve, note, None).await
    }

    /// Rejects an approval step; the workflow ends as `REJECTED`.
    async fn reject_step(
        &self,
        ctx: &Context<'_>,
        workflow_id: WorkflowId,
        step_id: StepId,
        note: Option<String>,
    ) -> async_graphql::Result<Workflow> {
        act(ctx, workflow_id, step_id, Decision::Reject, note, None).await
    }

    /// Completes a task step (admins): a hand-over checks the reserved asset out, a check-in
    /// checks in everything the person holds, a blocked reservation takes `assetId`.
    async fn complete_step(
        &self,
        ctx: &Context<'_>,
        workflow_id: WorkflowId,
        step_id: StepId,
        note: Option<String>,
        asset_id: Option<AssetId>,
    ) -> async_graphql::Result<Workflow> {
        act(
            ctx,
            workflow_id,
            step_id,
            Decision::Complete,
            note,
            asset_id,
        )
        .await
    }

    /// Replaces the tenant's template of a kind; workflows already open keep their steps.
    async fn save_workflow_template(
        &self,
        ctx: &Context<'_>,
        kind: WorkflowKind,
        input: SaveWorkflowTemplateInput,
    ) -> async_graphql::Result<WorkflowTemplate> {
        let s = scope(ctx)?;
        s.who.require(Action::WorkflowsManage).gql()?;
        let template = parsed(NewTemplate::parse(input.into()))?;
        let saved = service::save_template(&s.state, &s.who, kind.into(), template)
            .await
            .gql()?;
        from_view(saved).gql()
    }
}

/// A workflow opened or changed, as the realtime channel `workflows:{tenant_id}` pushes it.
#[derive(SimpleObject)]
pub struct WorkflowEvent {
    /// `workflow_opened` or `workflow_updated`.
    pub event: String,
    /// The workflow after the change.
    pub workflow: Workflow,
}

#[derive(Deserialize)]
struct WorkflowPayload {
    workflow: Workflow,
}

#[derive(Default)]
pub struct WorkflowsSubscription;

#[Subscription]
impl WorkflowsSubscription {
    /// Workflows opened or changed in the caller's tenant from now on.
    async fn workflow_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = WorkflowEvent> + use<>> {
        let s = scope(ctx)?;
        let events = service::changes(&s.state, &s.who).gql()?;
        Ok(events.filter_map(|e| {
            let event = match e.event.as_str() {
                "workflow_opened" | "workflow_updated" => {
                    decode_event::<WorkflowPayload>(&e).map(|p| WorkflowEvent {
                        event: e.event.clone(),
                        workflow: p.workflow,
                    })
                }
                _ => None,
            };
            futures::future::ready(event)
        }))
    }
}
