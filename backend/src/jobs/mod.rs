//! Durable jobs on apalis: SQLite storage in the embedded default, PostgreSQL storage (one job
//! to exactly one worker across processes) in production. Jobs are thin: an args struct and one
//! `perform` that calls a context's service.
//!
//! Retries: a job's service decides whether a failure is worth retrying (a vendor outage is, bad
//! credentials are not), records the attempt on its own row (a sync run, a webhook delivery) and
//! asks for a re-run with [`JobQueue::push_after`] and a delay from [`backoff`]. After the last
//! attempt the row is marked dead. apalis' own re-fetch of a failed task only covers errors of
//! the infrastructure (the database went away mid-job), a few times, immediately.
//!
//! A worker process that dies (kill -9, a lost machine) stops sending heartbeats; another worker
//! (or the restarted one) puts its running jobs back in the queue after two missed heartbeats.
//! On a graceful stop, in-flight jobs finish and fetched-but-unstarted ones return to the queue.

mod scheduler;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::*;
use uuid::Uuid;

use crate::platform::state::AppState;

pub use crate::platform::jobs::{Job, JobOutcome, JobQueue, QUEUE, backoff};

/// How often workers look for due jobs (jobs pushed by other processes, retries).
const POLL: Duration = Duration::from_millis(500);

/// Why a job's work did not return.
#[derive(Debug, PartialEq, Eq)]
enum Interrupted {
    Panicked,
    Cancelled,
}

/// Runs work on its own task, so that a panic in it fails that work only: the worker (and
/// every other job on it) carries on.
async fn isolated<F>(work: F) -> Result<F::Output, Interrupted>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(work).await.map_err(|e| {
        if e.is_panic() {
            Interrupted::Panicked
        } else {
            Interrupted::Cancelled
        }
    })
}

/// Runs one job's work isolated (see [`isolated`]) and records how it went.
async fn perform(job: Job, state: Data<Arc<AppState>>) -> Result<(), BoxDynError> {
    let state: Arc<AppState> = (*state).clone();
    let kind = job.kind();
    let metrics = state.metrics.clone();
    metrics.jobs_running.inc();
    let started = Instant::now();
    let work = {
        let state = state.clone();
        let job = job.clone();
        async move {
            match &job {
                Job::SyncIntegration(j) => {
                    crate::integrations::published::perform_sync_run(&state, j).await
                }
                Job::ProcessWebhook(j) => {
                    crate::integrations::published::perform_delivery(&state, j).await
                }
                Job::RunStep(j) => crate::workflows::published::perform(&state, j).await,
                Job::SendSlackMessage(j) => {
                    crate::integrations::published::slack_outbox::perform(&state, j).await
                }
            }
        }
    };
    let joined = isolated(work).await;
    metrics.jobs_running.dec();
    metrics
        .job_duration
        .with_label_values(&[kind])
        .observe(started.elapsed().as_secs_f64());
    let outcome = match joined {
        Ok(Ok(o)) => Ok(o),
        Ok(Err(e)) => Err(e.to_string()),
        Err(Interrupted::Panicked) => {
            tracing::error!(job = kind, ?job, "job panicked");
            metrics.jobs.with_label_values(&[kind, "panicked"]).inc();
            // The bug is ours, not the vendor's: retrying cannot help. Record it on the row.
            let message = "the job failed with an internal error".to_owned();
            let recorded = match &job {
                Job::SyncIntegration(j) => {
                    crate::integrations::published::abandon_run(&state, j, &message).await
                }
                Job::ProcessWebhook(j) => {
                    crate::integrations::published::abandon_delivery(&state, j, &message).await
                }
                Job::RunStep(j) => crate::workflows::published::abandon(&state, j, &message).await,
                Job::SendSlackMessage(j) => {
                    crate::integrations::published::slack_outbox::abandon(&state, j, &message).await
                }
            };
            if let Err(e) = recorded {
                tracing::error!(error = %e, "could not record a panicked job");
            }
            return Ok(());
        }
        Err(Interrupted::Cancelled) => Err("the job was cancelled".to_owned()),
    };
    match outcome {
        Ok(o) => {
            metrics.jobs.with_label_values(&[kind, o.as_str()]).inc();
            Ok(())
        }
        Err(e) => {
            metrics.jobs.with_label_values(&[kind, "failed"]).inc();
            tracing::warn!(job = kind, error = %e, "job failed; the queue will run it again");
            Err(e.into())
        }
    }
}

/// Runs the workers and the integration scheduler until `shutdown` completes; then in-flight
/// jobs finish (fetched-but-unstarted ones go back to the queue) and this returns.
pub async fn run_workers<F>(state: Arc<AppState>, shutdown: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let scheduler = tokio::spawn(scheduler::run(state.clone(), stop_rx));
    let signal = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
        Ok::<(), std::io::Error>(())
    };
    let name = format!("jobs-{}", Uuid::now_v7().simple());
    let concurrency = state.settings.jobs.concurrency;
    let result = match state.jobs.clone() {
        JobQueue::Sqlite(s) => {
            WorkerBuilder::new(name.as_str())
                .backend(s.poll_with_interval(POLL))
                .data(state.clone())
                .concurrency(concurrency)
                .build(perform)
                .run_until(signal)
                .await
        }
        JobQueue::Postgres(s) => {
            WorkerBuilder::new(name.as_str())
                .backend(s.poll_with_interval(POLL))
                .data(state.clone())
                .concurrency(concurrency)
                .build(perform)
                .run_until(signal)
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "job worker stopped");
    }
    let _ = scheduler.await;
    tracing::info!("job worker stopped");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_honours_retry_after() {
        let base = Duration::from_secs(2);
        for attempt in 1..=5 {
            let ceiling = base * (1 << (attempt - 1));
            for _ in 0..50 {
                let d = backoff(attempt, base, None);
                assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
            }
        }
        let capped = backoff(40, base, None);
        assert!(capped >= Duration::from_secs(1800) && capped <= Duration::from_secs(3600));
        assert!(backoff(60, base, None) <= Duration::from_secs(3600));
        assert!(backoff(1, base, Some(Duration::from_secs(90))) >= Duration::from_secs(90));
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_next_runs() {
        let panicking = isolated(async {
            if Uuid::now_v7().get_version_num() == 7 {
                panic!("a bug in one job");
            }
            1
        })
        .await;
        assert_eq!(panicking, Err(Interrupted::Panicked));
        let next = isolated(async { 2 }).await;
        assert_eq!(next, Ok(2));
    }

    #[test]
    fn jobs_are_stored_with_their_kind() {
        let job = Job::ProcessWebhook(crate::platform::jobs::ProcessWebhook {
            tenant_id: Uuid::nil(),
            delivery_id: Uuid::nil(),
        });
        let v = serde_json::to_value(&job).unwrap();
        assert_eq!(v["kind"], "process_webhook");
        assert_eq!(serde_json::from_value::<Job>(v).unwrap(), job);
    }
}
