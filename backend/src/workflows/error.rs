//! The ways a workflow use-case fails, each mapped to its code in the one registry
//! ([`Code`]); an [`ApiError`] made from one carries the same code, status and detail the API
//! has always answered.

use super::model::{FieldErrors, StepKind, WorkflowKind};
use crate::platform::error::{ApiError, Code, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The record (`workflow`, `step`, `template`, `employee`, `asset`) is not the tenant's.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The step is not awaiting anyone (done meanwhile, or its workflow closed).
    #[error("the step is {step} in a workflow that is {workflow}")]
    StepNotActionable { step: String, workflow: String },
    /// Only an open workflow changes.
    #[error("the workflow is already {0}")]
    WrongState(String),
    /// Approvals are approved or rejected; every other step is completed.
    #[error(
        "a {} step is {}",
        .0.as_str(),
        if *.0 == StepKind::Approval { "approved or rejected" } else { "completed" }
    )]
    WrongDecision(StepKind),
    /// A hand-over without a reservation before it.
    #[error("no asset was reserved to hand over")]
    NothingReserved,
    /// The approval waits for another user, and the caller may not decide for them.
    #[error("this approval is assigned to someone else")]
    NotTheApprover,
    /// One workflow of a kind is open per person.
    #[error("{name} already has an open {} workflow", .kind.as_str())]
    AlreadyOpen { name: String, kind: WorkflowKind },
    /// Fields of the request are wrong (each named).
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
}

impl WorkflowError {
    /// One field is wrong.
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn code(&self) -> Code {
        match self {
            WorkflowError::NotFound(_) => Code::NotFound,
            WorkflowError::StepNotActionable { .. } => Code::StaleStep,
            WorkflowError::WrongState(_)
            | WorkflowError::WrongDecision(_)
            | WorkflowError::NothingReserved => Code::InvalidTransition,
            WorkflowError::NotTheApprover => Code::Forbidden,
            WorkflowError::AlreadyOpen { .. } => Code::Conflict,
            WorkflowError::Invalid(_) => Code::Validation,
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Invalid(errors) => ApiError::validation(errors),
            e => ApiError::new(e.code(), e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(e: WorkflowError) -> (u16, String, Option<String>) {
        let api = ApiError::from(e);
        (
            api.code.status().as_u16(),
            api.code.as_str().to_owned(),
            api.detail,
        )
    }

    #[test]
    fn each_failure_keeps_its_code_status_and_detail() {
        assert_eq!(
            wire(WorkflowError::NotFound("step")),
            (404, "not_found".into(), Some("step not found".into()))
        );
        assert_eq!(
            wire(WorkflowError::StepNotActionable {
                step: "done".into(),
                workflow: "open".into()
            }),
            (
                409,
                "step_not_active".into(),
                Some("the step is done in a workflow that is open".into())
            )
        );
        assert_eq!(
            wire(WorkflowError::WrongState("cancelled".into())),
            (
                422,
                "invalid_transition".into(),
                Some("the workflow is already cancelled".into())
            )
        );
        assert_eq!(
            wire(WorkflowError::WrongDecision(StepKind::Approval)).2,
            Some("a approval step is approved or rejected".into())
        );
        assert_eq!(
            wire(WorkflowError::WrongDecision(StepKind::Ship)).2,
            Some("a ship step is completed".into())
        );
        assert_eq!(
            wire(WorkflowError::NotTheApprover),
            (
                403,
                "forbidden".into(),
                Some("this approval is assigned to someone else".into())
            )
        );
        assert_eq!(
            wire(WorkflowError::AlreadyOpen {
                name: "Ada".into(),
                kind: WorkflowKind::Onboarding
            }),
            (
                409,
                "conflict".into(),
                Some("Ada already has an open onboarding workflow".into())
            )
        );
    }

    #[test]
    fn invalid_fields_are_a_validation_problem() {
        let api = ApiError::from(WorkflowError::field("asset_id", "required", "name it"));
        assert_eq!(api.code, Code::Validation);
        assert_eq!(
            api.detail.as_deref(),
            Some("one or more fields are invalid")
        );
        assert_eq!(api.errors.len(), 1);
        assert_eq!(api.errors[0].field, "asset_id");
    }
}
