//! Workflow types and rules: kinds, step kinds and states, templates and their defaults.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::platform::error::FieldError;

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

/// Checks a template's steps.
pub fn check_template(t: &SaveTemplate) -> Vec<FieldError> {
    let mut errs = vec![];
    if t.name.trim().is_empty() || t.name.len() > 120 {
        errs.push(FieldError::new("name", "required", "1 to 120 characters"));
    }
    if t.steps.is_empty() || t.steps.len() > 30 {
        errs.push(FieldError::new("steps", "invalid_length", "1 to 30 steps"));
    }
    for (i, s) in t.steps.iter().enumerate() {
        if s.name.trim().is_empty() || s.name.len() > 120 {
            errs.push(FieldError::new(
                format!("steps.{i}.name"),
                "required",
                "1 to 120 characters",
            ));
        }
        if !(-365..=365).contains(&s.due_in_days) {
            errs.push(FieldError::new(
                format!("steps.{i}.due_in_days"),
                "out_of_range",
                "between -365 and 365",
            ));
        }
        if s.kind == StepKind::ReserveAsset
            && s.category.as_deref().is_none_or(|c| c.trim().is_empty())
        {
            errs.push(FieldError::new(
                format!("steps.{i}.category"),
                "required",
                "the asset category to reserve from, e.g. Laptop",
            ));
        }
    }
    let has = |k: StepKind| t.steps.iter().position(|s| s.kind == k);
    if let (Some(reserve), Some(out)) = (has(StepKind::ReserveAsset), has(StepKind::CheckOut))
        && out < reserve
    {
        errs.push(FieldError::new(
            "steps",
            "invalid_order",
            "hand-over (check_out) must come after reserve_asset",
        ));
    }
    if has(StepKind::CheckOut).is_some() && has(StepKind::ReserveAsset).is_none() {
        errs.push(FieldError::new(
            "steps",
            "missing_step",
            "a check_out step needs a reserve_asset step before it",
        ));
    }
    errs
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
    pub id: Uuid,
    pub position: i32,
    pub kind: String,
    pub name: String,
    /// `pending` (not reached), `active` (awaiting someone), `blocked` (awaiting something, see
    /// `detail`), `done`, `rejected` or `skipped`.
    pub status: String,
    /// `manager` or `admin`.
    pub assignee_role: String,
    /// The user the step waits for, when it is one person.
    pub assignee_user_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    /// The asset the step reserved, hands over or concerns.
    pub asset_id: Option<Uuid>,
    pub detail: Option<String>,
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
    pub integration_id: Uuid,
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
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// A workflow with its steps.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WorkflowView {
    pub id: Uuid,
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
    pub employee_id: Uuid,
}

/// A decision or completion of a step.
#[derive(Deserialize, ToSchema, Default)]
pub struct StepAction {
    pub note: Option<String>,
    /// For `reserve_asset` done by hand (when none could be reserved automatically): the
    /// in-stock asset to reserve.
    pub asset_id: Option<Uuid>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CancelWorkflow {
    pub reason: Option<String>,
}

/// An approval waiting for the caller.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    pub workflow_id: Uuid,
    pub workflow_kind: String,
    pub employee: WorkflowEmployee,
    pub step: StepView,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_templates_are_valid() {
        for kind in [WorkflowKind::Onboarding, WorkflowKind::Offboarding] {
            let (name, steps) = default_template(kind);
            assert!(check_template(&SaveTemplate { name, steps }).is_empty());
        }
    }

    #[test]
    fn a_hand_over_needs_a_reservation_before_it() {
        let (name, mut steps) = default_template(WorkflowKind::Onboarding);
        steps.swap(1, 3);
        let errs = check_template(&SaveTemplate { name, steps });
        assert!(errs.iter().any(|e| e.code == "invalid_order"), "{errs:?}");
    }

    #[test]
    fn a_reservation_names_its_category() {
        let t = SaveTemplate {
            name: "x".into(),
            steps: vec![StepTemplate {
                kind: StepKind::ReserveAsset,
                name: "Reserve".into(),
                assignee: Assignee::Admin,
                due_in_days: 0,
                category: None,
            }],
        };
        assert_eq!(check_template(&t)[0].field, "steps.0.category");
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
