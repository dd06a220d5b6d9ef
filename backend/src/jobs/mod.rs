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

mod schedule;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::*;
use rand::Rng;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::config::JobSettings;

pub use schedule::{next_fire, parse_schedule};

/// The one queue every job kind shares.
pub const QUEUE: &str = "assetronics_jobs";
/// apalis re-fetches a job whose `perform` returned an error this many times, immediately.
/// Such errors are the infrastructure's (the database went away); vendor failures are retried
/// by the services with backoff instead.
const INFRA_ATTEMPTS: usize = 3;

/// How often workers look for due jobs (jobs pushed by other processes, retries).
const POLL: Duration = Duration::from_millis(500);

/// Sync one integration, recording into its sync run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncIntegration {
    pub tenant_id: Uuid,
    pub integration_id: Uuid,
    pub sync_run_id: Uuid,
}

/// Process one stored inbound webhook delivery.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProcessWebhook {
    pub tenant_id: Uuid,
    pub delivery_id: Uuid,
}

/// Perform one workflow step that another system carries out (a device wipe).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RunStep {
    pub tenant_id: Uuid,
    pub workflow_id: Uuid,
    pub step_id: Uuid,
}

/// Post one message of the Slack outbox.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SendSlackMessage {
    pub tenant_id: Uuid,
    pub message_id: Uuid,
}

/// Every kind of job, as stored in the queue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    SyncIntegration(SyncIntegration),
    ProcessWebhook(ProcessWebhook),
    RunStep(RunStep),
    SendSlackMessage(SendSlackMessage),
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Job::SyncIntegration(_) => "sync_integration",
            Job::ProcessWebhook(_) => "process_webhook",
            Job::RunStep(_) => "run_step",
            Job::SendSlackMessage(_) => "send_slack_message",
        }
    }
}

/// Where jobs are stored.
#[derive(Clone)]
pub enum JobQueue {
    Sqlite(apalis_sqlite::SqliteStorage<Job>),
    Postgres(apalis_postgres::PostgresStorage<Job>),
}

/// Why a job could not be queued or the queue not set up.
#[derive(Debug, thiserror::Error)]
#[error("job queue: {0}")]
pub struct QueueError(pub String);

impl JobQueue {
    /// Sets up apalis' tables beside ours (sharing the pool) and opens the queue.
    pub async fn open(db: &DatabaseConnection, settings: &JobSettings) -> Result<Self, QueueError> {
        let err = |e: &dyn std::fmt::Display| QueueError(e.to_string());
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                apalis_postgres::PostgresStorage::setup(pool)
                    .await
                    .map_err(|e| err(&e))?;
                let config = apalis_postgres::Config::default()
                    .queue(QUEUE)
                    .heartbeat_interval(settings.heartbeat);
                Ok(JobQueue::Postgres(
                    apalis_postgres::PostgresStorage::new(pool).with_config(config),
                ))
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                // apalis' own `setup` also changes connection pragmas (synchronous = OFF) that
                // would weaken durability of our data on the shared pool; run its migrations only.
                apalis_sqlite::SqliteStorage::<()>::migrations()
                    .run(pool)
                    .await
                    .map_err(|e| err(&e))?;
                let config = apalis_sqlite::Config::default()
                    .queue(QUEUE)
                    .heartbeat_interval(settings.heartbeat);
                Ok(JobQueue::Sqlite(
                    apalis_sqlite::SqliteStorage::new(pool).with_config(config),
                ))
            }
        }
    }

    /// Queues a job to run as soon as a worker is free.
    pub async fn push(&self, job: Job) -> Result<(), QueueError> {
        self.push_task(TaskBuilder::new(job)).await
    }

    /// Queues a job to run after `delay` (a retry), never sooner: apalis keeps run times in
    /// whole seconds, so the time is rounded up (its own `run_after` rounds down, which can run
    /// a retry up to a second before a vendor's `Retry-After` has passed).
    pub async fn push_after(&self, job: Job, delay: Duration) -> Result<(), QueueError> {
        let at = std::time::SystemTime::now() + delay;
        let since_epoch = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let secs = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
        self.push_task(TaskBuilder::new(job).run_at_timestamp(secs))
            .await
    }

    async fn push_task(&self, builder: TaskBuilder<Job>) -> Result<(), QueueError> {
        let task = builder.max_attempts(INFRA_ATTEMPTS).build();
        match self.clone() {
            JobQueue::Sqlite(mut s) => s
                .push_task(task)
                .await
                .map_err(|e| QueueError(e.to_string())),
            JobQueue::Postgres(mut s) => s
                .push_task(task)
                .await
                .map_err(|e| QueueError(e.to_string())),
        }
    }
}

/// How many unfinished jobs the queue holds, by apalis state (`Pending`, `Queued`, `Running`,
/// `Failed`), across every process sharing the database.
pub async fn queue_counts(db: &DatabaseConnection) -> Result<Vec<(String, i64)>, sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT status, COUNT(*) AS n FROM apalis.jobs WHERE job_type = $1 AND status <> 'Done' GROUP BY status"
        }
        _ => {
            "SELECT status, COUNT(*) AS n FROM Jobs WHERE job_type = ? AND status <> 'Done' GROUP BY status"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [QUEUE.into()]))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "status")?,
                r.try_get::<i64>("", "n")?,
            ))
        })
        .collect()
}

/// The delay before attempt `attempt + 1`, after `attempt` failed ones: `base · 2^(attempt-1)`
/// capped at an hour, with full jitter over its upper half so that many failing jobs do not
/// retry in lock-step; never less than what the vendor asked for (`Retry-After`).
pub fn backoff(attempt: u32, base: Duration, retry_after: Option<Duration>) -> Duration {
    let exp = attempt.saturating_sub(1).min(20);
    let ceiling = base
        .saturating_mul(1u32 << exp)
        .min(Duration::from_secs(3600));
    let half = ceiling / 2;
    let jitter = if half.is_zero() {
        Duration::ZERO
    } else {
        Duration::from_millis(rand::rng().random_range(0..=half.as_millis() as u64))
    };
    (half + jitter).max(retry_after.unwrap_or_default())
}

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
                    crate::integrations::service::perform_sync_run(&state, j).await
                }
                Job::ProcessWebhook(j) => {
                    crate::integrations::webhooks::perform_delivery(&state, j).await
                }
                Job::RunStep(j) => crate::workflows::actions::perform(&state, j).await,
                Job::SendSlackMessage(j) => {
                    crate::integrations::slack::messages::perform(&state, j).await
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
                    crate::integrations::service::abandon_run(&state, j, &message).await
                }
                Job::ProcessWebhook(j) => {
                    crate::integrations::webhooks::abandon_delivery(&state, j, &message).await
                }
                Job::RunStep(j) => crate::workflows::actions::abandon(&state, j, &message).await,
                Job::SendSlackMessage(j) => {
                    crate::integrations::slack::messages::abandon(&state, j, &message).await
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

/// How one run of a job ended, as the job's service reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// Done (including "nothing to do, it was done before").
    Succeeded,
    /// Failed for a reason that may pass; a later run is queued.
    Retried,
    /// Failed for good (last attempt, or a failure retrying cannot fix).
    Dead,
}

impl JobOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Succeeded => "succeeded",
            JobOutcome::Retried => "retried",
            JobOutcome::Dead => "dead",
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
    let scheduler = tokio::spawn(schedule::run(state.clone(), stop_rx));
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
        let job = Job::ProcessWebhook(ProcessWebhook {
            tenant_id: Uuid::nil(),
            delivery_id: Uuid::nil(),
        });
        let v = serde_json::to_value(&job).unwrap();
        assert_eq!(v["kind"], "process_webhook");
        assert_eq!(serde_json::from_value::<Job>(v).unwrap(), job);
    }
}
