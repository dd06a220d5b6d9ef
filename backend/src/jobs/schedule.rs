//! Integration schedules: cron expressions kept on each integration, turned into queued syncs.
//!
//! Every worker process runs this loop; each due tick is claimed with a conditional update of
//! the integration's `next_sync_at`, so exactly one process enqueues it however many run.

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::app::AppState;

/// Parses a cron expression: the usual five fields (`minute hour day month weekday`, e.g.
/// `0 */6 * * *`) or six/seven with seconds first (and a year last).
pub fn parse_schedule(expr: &str) -> Result<cron::Schedule, String> {
    let fields = expr.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {}", expr.trim()),
        6 | 7 => expr.trim().to_owned(),
        _ => {
            return Err(
                "must be a cron expression of five fields, e.g. \"0 */6 * * *\"".to_owned(),
            );
        }
    };
    cron::Schedule::from_str(&full).map_err(|e| format!("is not a valid cron expression: {e}"))
}

/// When a schedule next fires strictly after `after`; `None` for an invalid expression or one
/// that never fires again.
pub fn next_fire(expr: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    parse_schedule(expr).ok()?.after(&after).next()
}

/// Enqueues due scheduled syncs every tick until `stop` turns true.
pub(super) async fn run(state: Arc<AppState>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let tick = state.settings.jobs.scheduler_tick;
    loop {
        match crate::integrations::service::enqueue_due_syncs(&state).await {
            Ok(n) if n > 0 => {
                state.metrics.scheduled_syncs.inc_by(n as u64);
                tracing::info!(count = n, "scheduled syncs queued");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
        match crate::workflows::actions::dispatch(&state).await {
            Ok(n) if n > 0 => tracing::info!(count = n, "workflow steps handed to jobs"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "workflow step dispatch failed"),
        }
        match crate::integrations::webhooks::requeue_stranded(&state).await {
            Ok(n) if n > 0 => tracing::warn!(count = n, "stranded webhook deliveries re-queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook sweep failed"),
        }
        match crate::integrations::slack::messages::dispatch(&state).await {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_field_expressions_fire_on_the_minute() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 7, 30).unwrap();
        assert_eq!(
            next_fire("0 */6 * * *", at),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap())
        );
        assert_eq!(
            next_fire("*/5 * * * *", at),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 10, 10, 0).unwrap())
        );
    }

    #[test]
    fn six_field_expressions_have_seconds() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 7, 30).unwrap();
        assert_eq!(
            next_fire("*/10 * * * * *", at),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 10, 7, 40).unwrap())
        );
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert!(parse_schedule("every day").is_err());
        assert!(parse_schedule("61 * * * *").is_err());
        assert!(parse_schedule("").is_err());
    }
}
