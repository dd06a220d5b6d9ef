//! Workflow types and rules: kinds, step kinds and states, templates and their defaults, the
//! views the API shows, and the parsed commands (a template to save, a decision on a step)
//! that requests become at the edge.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::platform::error::FieldError;
use crate::platform::ids::{AssetId, EmployeeId, IntegrationId, StepId, UserId, WorkflowId};
use crate::platform::validation::{self as v, Errors};

/// Every field's complaint about a request, collected at once.
pub type FieldErrors = Vec<FieldError>;

/// What a workflow is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowKind {
    Onboarding,
    Offboarding,
}

impl WorkflowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowKind::Onboarding => "onboarding",
            WorkflowKind::Offboarding => "offboarding",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "onboarding" => Some(WorkflowKind::Onboarding),
            "offboarding" => Some(WorkflowKind::Offboarding),
            _ => None,
        }
    }

    /// A kind a client sent in the `kind` field.
    pub fn parse_field(s: &str) -> Result<Self, FieldError> {
        Self::parse(s).ok_or_else(|| {
            FieldError::new(
                "kind",
                "invalid_choice",
                "must be onboarding or offboarding",
            )
        })
    }
}

/// What a step does and how it completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A manager or admin approves or rejects; a rejection ends the workflow.
    Approval,
    /// Automatic: reserves an in-stock asset of `params.category` for the person. Blocked when
    /// none is in stock, until one is named by hand.
    ReserveAsset,
    /// A task: the reserved asset is on its way (note the tracking number).
    Ship,
    /// Completing it checks the reserved asset out to the person.
    CheckOut,
    /// A task: get back every asset the person holds (listed in the step's detail).
    CollectAssets,
    /// Completing it checks in every asset the person still holds.
    CheckIn,
    /// Wipes/locks the person's devices through the MDM; skipped when no MDM is connected.
    WipeDevice,
    /// Opens a ticket in the tenant's IT service desk (Jira Service Management, ServiceNow,
    /// Freshservice) and completes when the ticket is resolved; skipped when none is connected.
    OpenTicket,
    /// Anything else a person must do and tick off.
    Task,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Approval => "approval",
            StepKind::ReserveAsset => "reserve_asset",
            StepKind::Ship => "ship",
            StepKind::CheckOut => "check_out",
            StepKind::CollectAssets => "collect_assets",
            StepKind::CheckIn => "check_in",
            StepKind::WipeDevice => "wipe_device",
            StepKind::OpenTicket => "open_ticket",
            StepKind::Task => "task",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// Who a step waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// The person's manager, when they have an Assetronics account; else the admins.
    Manager,
    /// Any admin.
    Admin,
}

impl Assignee {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignee::Manager => "manager",
            Assignee::Admin => "admin",
        }
    }
}

/// One step of a template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepTemplate {
    pub kind: StepKind,
    pub name: String,
    #[serde(default = "default_assignee")]
    pub assignee: Assignee,
    /// Days after the anchor date (start date for onboarding, last day for offboarding; the
    /// opening day when the person has none) the step is due; negative means before.
    #[serde(default)]
    pub due_in_days: i32,
    /// For `reserve_asset`: the category name to reserve from (e.g. `Laptop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

fn default_assignee() -> Assignee {
    Assignee::Admin
}

/// A tenant's template for one kind.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub kind: WorkflowKind,
    pub name: String,
    pub steps: Vec<StepTemplate>,
    /// 0 while the built-in default is in use.
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
pub struct SaveTemplate {
    pub name: String,
    pub steps: Vec<StepTemplate>,
}

/// A template that may be saved: a trimmed name and 1 to 30 steps in an order the engine can
/// run (a hand-over after the reservation it hands over).
#[derive(Clone, Debug, PartialEq)]
pub struct NewTemplate {
    pub name: String,
    pub steps: Vec<StepTemplate>,
}

impl NewTemplate {
    /// Checks the name and every step, naming each field that is wrong.
    pub fn parse(t: SaveTemplate) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        if t.name.trim().is_empty() || t.name.len() > 120 {
            errs.add("name", "required", "1 to 120 characters");
        }
        if t.steps.is_empty() || t.steps.len() > 30 {
            errs.add("steps", "invalid_length", "1 to 30 steps");
        }
        for (i, s) in t.steps.iter().enumerate() {
            if s.name.trim().is_empty() || s.name.len() > 120 {
                errs.add(
                    &format!("steps.{i}.name"),
                    "required",
                    "1 to 120 characters",
                );
            }
            if !(-365..=365).contains(&s.due_in_days) {
                errs.add(
                    &format!("steps.{i}.due_in_days"),
                    "out_of_range",
                    "between -365 and 365",
                );
            }
            if s.kind == StepKind::ReserveAsset
                && s.category.as_deref().is_none_or(|c| c.trim().is_empty())
            {
                errs.add(
                    &format!("steps.{i}.category"),
                    "required",
                    "the asset category to reserve from, e.g. Laptop",
                );
            }
        }
        let has = |k: StepKind| t.steps.iter().position(|s| s.kind == k);
        if let (Some(reserve), Some(out)) = (has(StepKind::ReserveAsset), has(StepKind::CheckOut))
            && out < reserve
        {
            errs.add(
                "steps",
                "invalid_order",
                "hand-over (check_out) must come after reserve_asset",
            );
        }
        if has(StepKind::CheckOut).is_some() && has(StepKind::ReserveAsset).is_none() {
            errs.add(
                "steps",
                "missing_step",
                "a check_out step needs a reserve_asset step before it",
            );
        }
        if !errs.0.is_empty() {
            return Err(errs.0);
        }
        Ok(Self {
            name: t.name.trim().to_owned(),
            steps: t.steps,
        })
    }
}

/// The built-in templates a tenant starts with.
pub fn default_template(kind: WorkflowKind) -> (String, Vec<StepTemplate>) {
    let step = |kind, name: &str, assignee, due_in_days, category: Option<&str>| StepTemplate {
        kind,
        name: name.to_owned(),
        assignee,
        due_in_days,
        category: category.map(str::to_owned),
    };
    match kind {
        WorkflowKind::Onboarding => (
            "Onboarding".into(),
            vec![
                step(
                    StepKind::Approval,
                    "Manager approves the equipment",
                    Assignee::Manager,
                    -10,
                    None,
                ),
                step(
                    StepKind::ReserveAsset,
                    "Reserve a laptop",
                    Assignee::Admin,
                    -7,
                    Some("Laptop"),
                ),
                step(StepKind::Ship, "Ship the laptop", Assignee::Admin, -3, None),
                step(
                    StepKind::CheckOut,
                    "Hand over (check out)",
                    Assignee::Admin,
                    0,
                    None,
                ),
            ],
        ),
        WorkflowKind::Offboarding => (
            "Offboarding".into(),
            vec![
                step(
                    StepKind::CollectAssets,
                    "Collect every asset",
                    Assignee::Admin,
                    0,
                    None,
                ),
                step(
                    StepKind::CheckIn,
                    "Check the assets in",
                    Assignee::Admin,
                    1,
                    None,
                ),
                step(
                    StepKind::WipeDevice,
                    "Wipe devices",
                    Assignee::Admin,
                    1,
                    None,
                ),
            ],
        ),
    }
}

/// A step as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StepView {
    pub id: StepId,
    pub position: i32,
    pub kind: String,
    pub name: String,
    /// `pending` (not reached), `active` (awaiting someone), `blocked` (awaiting something, see
    /// `detail`), `done`, `rejected` or `skipped`.
    pub status: String,
    /// `manager` or `admin`.
    pub assignee_role: String,
    /// The user the step waits for, when it is one person.
    pub assignee_user_id: Option<UserId>,
    pub due_at: Option<DateTime<Utc>>,
    /// The asset the step reserved, hands over or concerns.
    pub asset_id: Option<AssetId>,
    pub detail: Option<String>,
    /// Who approved, rejected or completed it: a user's id, or an API token's when an
    /// integrator decided.
    pub decided_by: Option<Uuid>,
    pub note: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// For an `open_ticket` step, the ticket it opened.
    pub ticket: Option<StepTicket>,
}

/// The service desk ticket an `open_ticket` step opened.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject)]
pub struct StepTicket {
    /// The ITSM integration it was opened in.
    pub integration_id: IntegrationId,
    /// How people know it: `IT-12`, `INC0010001`, `#INC-42`.
    pub key: String,
    /// Where people open it, when the service desk gives a link.
    pub url: Option<String>,
    /// `open`, `in_progress`, `resolved`, `closed` or `cancelled`, as last read.
    pub state: String,
}

/// The person a workflow is about.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WorkflowEmployee {
    pub id: EmployeeId,
    pub name: String,
    pub email: String,
}

/// A workflow with its steps.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WorkflowView {
    pub id: WorkflowId,
    pub kind: String,
    /// `open`, `completed`, `rejected` or `cancelled`.
    pub status: String,
    /// `hris` (opened by a sync or webhook) or `manual`.
    pub trigger: String,
    pub employee: WorkflowEmployee,
    pub due_date: Option<NaiveDate>,
    pub steps: Vec<StepView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
pub struct StartWorkflow {
    /// `onboarding` or `offboarding`.
    pub kind: String,
    pub employee_id: EmployeeId,
}

/// A workflow to open by hand: for whom, and which kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewWorkflow {
    pub kind: WorkflowKind,
    pub employee_id: EmployeeId,
}

impl NewWorkflow {
    pub fn parse(req: StartWorkflow) -> Result<Self, FieldErrors> {
        let kind = WorkflowKind::parse_field(&req.kind).map_err(|e| vec![e])?;
        Ok(Self {
            kind,
            employee_id: req.employee_id,
        })
    }
}

/// A decision or completion of a step.
#[derive(Deserialize, ToSchema, Default)]
pub struct StepAction {
    pub note: Option<String>,
    /// For `reserve_asset` done by hand (when none could be reserved automatically): the
    /// in-stock asset to reserve.
    pub asset_id: Option<AssetId>,
}

/// What a person does to a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Complete,
}

impl Decision {
    /// The step's status once this decision lands.
    pub fn outcome(self) -> &'static str {
        match self {
            Decision::Approve | Decision::Complete => "done",
            Decision::Reject => "rejected",
        }
    }

    /// The audit action it records.
    pub fn audit_action(self) -> &'static str {
        match self {
            Decision::Approve => "workflow.step_approved",
            Decision::Reject => "workflow.step_rejected",
            Decision::Complete => "workflow.step_completed",
        }
    }
}

/// A decision on a step as parsed from its request: the note checked, the asset (for a
/// reservation by hand) named or not. Whether the step takes this decision, and whether it
/// needs the asset, depends on the step and is the service's to say.
#[derive(Clone, Debug, PartialEq)]
pub struct StepDecision {
    pub decision: Decision,
    /// Trimmed, at most 2000 characters; blank is none.
    pub note: Option<String>,
    pub asset_id: Option<AssetId>,
}

impl StepDecision {
    pub fn parse(decision: Decision, req: StepAction) -> Result<Self, FieldErrors> {
        let note = v::optional_text("note", req.note.as_deref(), 2000).map_err(|e| vec![e])?;
        Ok(Self {
            decision,
            note,
            asset_id: req.asset_id,
        })
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CancelWorkflow {
    pub reason: Option<String>,
}

/// Why a workflow is cancelled: trimmed, at most 2000 characters; blank is none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CancelReason(pub Option<String>);

impl CancelReason {
    pub fn parse(req: CancelWorkflow) -> Result<Self, FieldErrors> {
        v::optional_text("reason", req.reason.as_deref(), 2000)
            .map(Self)
            .map_err(|e| vec![e])
    }
}

/// An approval waiting for the caller.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    pub workflow_id: WorkflowId,
    pub workflow_kind: String,
    pub employee: WorkflowEmployee,
    pub step: StepView,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(name: &str, steps: Vec<StepTemplate>) -> SaveTemplate {
        SaveTemplate {
            name: name.into(),
            steps,
        }
    }

    fn errors(r: Result<NewTemplate, FieldErrors>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn default_templates_are_valid() {
        for kind in [WorkflowKind::Onboarding, WorkflowKind::Offboarding] {
            let (name, steps) = default_template(kind);
            let parsed = NewTemplate::parse(template(&name, steps.clone()));
            assert_eq!(parsed, Ok(NewTemplate { name, steps }));
        }
    }

    #[test]
    fn a_template_name_is_trimmed() {
        let (_, steps) = default_template(WorkflowKind::Offboarding);
        let parsed = NewTemplate::parse(template("  Leavers  ", steps));
        assert_eq!(parsed.map(|t| t.name), Ok("Leavers".to_owned()));
    }

    #[test]
    fn a_hand_over_needs_a_reservation_before_it() {
        let (name, mut steps) = default_template(WorkflowKind::Onboarding);
        steps.swap(1, 3);
        let errs = errors(NewTemplate::parse(template(&name, steps)));
        assert!(errs.iter().any(|(_, c)| c == "invalid_order"), "{errs:?}");
    }

    #[test]
    fn a_hand_over_without_any_reservation_is_refused() {
        let (name, mut steps) = default_template(WorkflowKind::Onboarding);
        steps.retain(|s| s.kind != StepKind::ReserveAsset);
        let errs = errors(NewTemplate::parse(template(&name, steps)));
        assert_eq!(errs, vec![("steps".to_owned(), "missing_step".to_owned())]);
    }

    #[test]
    fn a_reservation_names_its_category() {
        let t = template(
            "x",
            vec![StepTemplate {
                kind: StepKind::ReserveAsset,
                name: "Reserve".into(),
                assignee: Assignee::Admin,
                due_in_days: 0,
                category: None,
            }],
        );
        assert_eq!(
            errors(NewTemplate::parse(t)),
            vec![("steps.0.category".to_owned(), "required".to_owned())]
        );
    }

    #[test]
    fn every_field_error_is_reported_at_once() {
        let step = |name: &str, due_in_days| StepTemplate {
            kind: StepKind::Task,
            name: name.into(),
            assignee: Assignee::Admin,
            due_in_days,
            category: None,
        };
        let errs = errors(NewTemplate::parse(template(
            " ",
            vec![step("", 0), step("ok", 400)],
        )));
        assert_eq!(
            errs,
            vec![
                ("name".to_owned(), "required".to_owned()),
                ("steps.0.name".to_owned(), "required".to_owned()),
                ("steps.1.due_in_days".to_owned(), "out_of_range".to_owned()),
            ]
        );
        assert_eq!(
            errors(NewTemplate::parse(template("x", vec![]))),
            vec![("steps".to_owned(), "invalid_length".to_owned())]
        );
    }

    #[test]
    fn a_workflow_kind_is_one_of_two() {
        let req = |kind: &str| StartWorkflow {
            kind: kind.into(),
            employee_id: EmployeeId::default(),
        };
        assert_eq!(
            NewWorkflow::parse(req("offboarding")).map(|w| w.kind),
            Ok(WorkflowKind::Offboarding)
        );
        let errs = NewWorkflow::parse(req("hiring")).err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            (errs[0].field.as_str(), errs[0].code.as_str()),
            ("kind", "invalid_choice")
        );
    }

    #[test]
    fn a_decision_note_is_trimmed_and_bounded() {
        let req = |note: &str| StepAction {
            note: Some(note.into()),
            asset_id: None,
        };
        assert_eq!(
            StepDecision::parse(Decision::Approve, req("  ok ")).map(|d| d.note),
            Ok(Some("ok".to_owned()))
        );
        assert_eq!(
            StepDecision::parse(Decision::Approve, req("   ")).map(|d| d.note),
            Ok(None)
        );
        let errs = StepDecision::parse(Decision::Reject, req(&"x".repeat(2001)))
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            (errs[0].field.as_str(), errs[0].code.as_str()),
            ("note", "too_long")
        );
    }

    #[test]
    fn a_cancel_reason_is_bounded() {
        let req = |reason: &str| CancelWorkflow {
            reason: Some(reason.into()),
        };
        assert_eq!(
            CancelReason::parse(req(" left ")),
            Ok(CancelReason(Some("left".into())))
        );
        assert!(CancelReason::parse(req(&"x".repeat(2001))).is_err());
    }

    #[test]
    fn decisions_end_steps_as_done_or_rejected() {
        assert_eq!(Decision::Approve.outcome(), "done");
        assert_eq!(Decision::Complete.outcome(), "done");
        assert_eq!(Decision::Reject.outcome(), "rejected");
    }

    #[test]
    fn step_kinds_round_trip() {
        for k in [
            StepKind::Approval,
            StepKind::ReserveAsset,
            StepKind::Ship,
            StepKind::CheckOut,
            StepKind::CollectAssets,
            StepKind::CheckIn,
            StepKind::WipeDevice,
            StepKind::OpenTicket,
            StepKind::Task,
        ] {
            assert_eq!(StepKind::parse(k.as_str()), Some(k));
        }
    }
}
