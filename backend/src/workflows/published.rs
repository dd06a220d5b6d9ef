//! What other contexts may use of workflows: opening and ending workflows when a person is
//! hired or leaves (people), listing workflows (the demo), deciding a step (Slack's Approve /
//! Reject buttons), and the automated-step job's work (the jobs worker and scheduler).
//! Everything else in this context is its own.

pub use super::actions::{abandon, dispatch, perform};
pub use super::model::{Decision, StepAction, WorkflowView};
pub use super::service::{WorkflowFilter, list, on_employee_changed};

use super::error::WorkflowError;
use super::model::StepDecision;
use crate::platform::auth::{Action, Principal};
use crate::platform::error::ApiResult;
use crate::platform::ids::{StepId, WorkflowId};
use crate::platform::state::AppState;

/// Approves, rejects or completes a workflow's active step as `who`, from a raw request (its
/// note checked here), exactly as the REST and GraphQL step actions do.
pub async fn act(
    state: &AppState,
    who: &Principal,
    workflow_id: WorkflowId,
    step_id: StepId,
    decision: Decision,
    req: StepAction,
) -> ApiResult<WorkflowView> {
    who.require(Action::WorkflowsApprove)?;
    let cmd = StepDecision::parse(decision, req).map_err(WorkflowError::Invalid)?;
    super::service::act(state, who, workflow_id, step_id, cmd).await
}
