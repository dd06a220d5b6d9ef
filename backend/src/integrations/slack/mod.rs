//! Slack, as a tenant's chat: people look assets up with a slash command and decide approvals
//! with the buttons of a message ([`requests`], Slack's signed requests to us), and Assetronics
//! tells them what concerns them through an outbox of messages ([`messages`]).
//!
//! A Slack member acts as the Assetronics user with the member's email address (Slack's
//! `users.info`), with that user's role: someone without an active account of the tenant can do
//! nothing through Slack. The integration's `config.notify_channel` (a channel id, optional)
//! receives what has no person to go to: approvals nobody is assigned and failed syncs.

pub mod messages;
pub mod requests;

use super::entity::integration;
use crate::assets::published::AssetView;
use crate::platform::error::ApiResult;
use crate::platform::ids::{StepId, TenantId, WorkflowId};
use assetronics_integrations::slack::{self as vendor, AssetSummary};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

pub use messages::{
    ApprovalRequest, approval_requested, asset_checked_out, enqueue, sync_failed, to_person,
};

/// The tenant's active Slack integration (the first connected, when there are several).
pub(crate) async fn active_integration<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
) -> ApiResult<Option<integration::Model>> {
    Ok(integration::Entity::find()
        .filter(integration::Column::TenantId.eq(tenant_id))
        .filter(integration::Column::Provider.eq("slack"))
        .filter(integration::Column::Status.eq("active"))
        .order_by_asc(integration::Column::Id)
        .one(conn)
        .await?)
}

/// The channel for notices without a person to go to, when the integration names one.
fn notify_channel(row: &integration::Model) -> Option<String> {
    row.config
        .get("notify_channel")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}

/// What an approval button carries: the workflow and its step.
fn decision_value(workflow_id: WorkflowId, step_id: StepId) -> String {
    format!("{workflow_id}:{step_id}")
}

/// The workflow and step an approval button's value names.
fn parse_decision_value(value: &str) -> Option<(WorkflowId, StepId)> {
    let (workflow, step) = value.trim().split_once(':')?;
    Some((workflow.parse().ok()?, step.parse().ok()?))
}

/// An asset as Slack blocks: name, tag, serial number, status and holder.
fn asset_summary_blocks(a: &AssetView) -> Value {
    let status = a.status.as_str().replace('_', " ");
    vendor::asset_blocks(&AssetSummary {
        name: &a.name,
        asset_tag: &a.tag,
        serial_number: a.serial_number.as_deref(),
        status: &status,
        assignee: a.assigned_to.as_ref().map(|h| h.name.as_str()),
        url: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decision_values_round_trip() {
        let (w, s) = (WorkflowId::new(), StepId::new());
        assert_eq!(parse_decision_value(&decision_value(w, s)), Some((w, s)));
        assert_eq!(parse_decision_value("step:42"), None);
        assert_eq!(parse_decision_value(""), None);
        assert_eq!(parse_decision_value(&format!("{w}")), None);
    }
}
