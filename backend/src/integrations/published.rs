//! What other contexts, the jobs and the demo may use of integrations: whether a kind of vendor
//! is connected, actions at vendors for workflow steps (wipe devices, open and read tickets),
//! Slack notices written in the caller's transaction, syncs (start one; the job's work and the
//! scheduler's sweeps), webhook and Slack-outbox jobs, and the connection use-cases the demo
//! tenant is built with. Everything else in this context is its own.

pub use super::devices::{WipeReport, wipe_assets};
pub use super::model::{CreateIntegration, IntegrationView, UpdateIntegration};
pub use super::providers::Kind;
pub use super::service::{
    ActionFailure, SyncOutcome, abandon_run, create, enqueue_due_syncs, has_active, list,
    perform_sync_run, start_sync, update,
};
pub use super::slack::{ApprovalRequest, approval_requested, asset_checked_out};
pub use super::tickets::{open_ticket, ticket};
pub use super::webhooks::{abandon_delivery, perform_delivery, requeue_stranded};

/// The Slack outbox's jobs: the scheduler's sweep hands due messages to jobs, a job posts one.
pub mod slack_outbox {
    pub use crate::integrations::slack::messages::{abandon, dispatch, perform};
}
