//! The scheduler loop: due integration syncs, automated workflow steps, stranded webhook
//! deliveries and Slack messages handed to jobs.
//!
//! Every worker process runs this loop; each due tick is claimed with a conditional update of
//! the integration's `next_sync_at`, so exactly one process enqueues it however many run.

use std::sync::Arc;

use crate::platform::state::AppState;

/// Enqueues due scheduled syncs every tick until `stop` turns true.
pub(super) async fn run(state: Arc<AppState>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let tick = state.settings.jobs.scheduler_tick;
    loop {
        match crate::integrations::published::enqueue_due_syncs(&state).await {
            Ok(n) if n > 0 => {
                state.metrics.scheduled_syncs.inc_by(n as u64);
                tracing::info!(count = n, "scheduled syncs queued");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
        match crate::workflows::published::dispatch(&state).await {
            Ok(n) if n > 0 => tracing::info!(count = n, "workflow steps handed to jobs"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "workflow step dispatch failed"),
        }
        match crate::integrations::published::requeue_stranded(&state).await {
            Ok(n) if n > 0 => tracing::warn!(count = n, "stranded webhook deliveries re-queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook sweep failed"),
        }
        match crate::integrations::published::slack_outbox::dispatch(&state).await {
            Ok(n) if n > 0 => tracing::debug!(count = n, "Slack messages handed to jobs"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "Slack message dispatch failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
