//! The durable job queue: the kinds of job (args structs of ids), where they are stored
//! (apalis on SQLite or PostgreSQL) and how one is queued. Contexts queue jobs here; the workers
//! that perform them live in `crate::jobs`, which calls the contexts' services.
//!
//! Retries: a job's service decides whether a failure is worth retrying, records the attempt
//! on its own row and asks for a re-run with [`JobQueue::push_after`] and a delay from
//! [`backoff`].

use std::time::Duration;

use apalis::prelude::*;
use rand::Rng;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::JobSettings;

/// The one queue every job kind shares.
pub const QUEUE: &str = "assetronics_jobs";
/// apalis re-fetches a job whose `perform` returned an error this many times, immediately.
/// Such errors are the infrastructure's (the database went away); vendor failures are retried
/// by the services with backoff instead.
const INFRA_ATTEMPTS: usize = 3;

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
