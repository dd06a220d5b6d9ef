//! Durable jobs on apalis: SQLite storage in the embedded default, PostgreSQL storage (one job
//! to exactly one worker across processes) in production. Jobs are thin: an args struct and one
//! `perform` that calls a context's service.

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::*;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;

/// The queue of integration syncs.
pub const SYNC_QUEUE: &str = "integration_sync";
/// Attempts before a sync job is dead (its run is then `failed` with the last error).
pub const SYNC_MAX_ATTEMPTS: usize = 5;

/// How often workers look for due jobs (jobs pushed by other processes, retries).
const POLL: Duration = Duration::from_millis(500);

/// Sync one integration, recording into its sync run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncIntegration {
    pub tenant_id: Uuid,
    pub integration_id: Uuid,
    pub sync_run_id: Uuid,
}

/// Where jobs are stored.
#[derive(Clone)]
pub enum JobQueue {
    Sqlite(apalis_sqlite::SqliteStorage<SyncIntegration>),
    Postgres(apalis_postgres::PostgresStorage<SyncIntegration>),
}

/// Why a job could not be queued or the queue not set up.
#[derive(Debug, thiserror::Error)]
#[error("job queue: {0}")]
pub struct QueueError(pub String);

impl JobQueue {
    /// Sets up apalis' tables beside ours (sharing the pool) and opens the sync queue.
    pub async fn open(db: &DatabaseConnection) -> Result<Self, QueueError> {
        let err = |e: &dyn std::fmt::Display| QueueError(e.to_string());
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                apalis_postgres::PostgresStorage::setup(pool)
                    .await
                    .map_err(|e| err(&e))?;
                let config = apalis_postgres::Config::default().queue(SYNC_QUEUE);
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
                let config = apalis_sqlite::Config::default().queue(SYNC_QUEUE);
                Ok(JobQueue::Sqlite(
                    apalis_sqlite::SqliteStorage::new(pool).with_config(config),
                ))
            }
        }
    }

    pub async fn push_sync(&self, job: SyncIntegration) -> Result<(), QueueError> {
        let task = TaskBuilder::new(job)
            .max_attempts(SYNC_MAX_ATTEMPTS)
            .build();
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

async fn perform_sync(job: SyncIntegration, state: Data<Arc<AppState>>) -> Result<(), BoxDynError> {
    crate::integrations::service::perform_sync_run(&state, &job)
        .await
        .map_err(|e| -> BoxDynError { e.to_string().into() })
}

/// Runs the workers until the process stops.
pub async fn run_workers(state: Arc<AppState>) {
    let name = format!("sync-{}", Uuid::now_v7().simple());
    let result = match state.jobs.clone() {
        JobQueue::Sqlite(s) => {
            WorkerBuilder::new(name.as_str())
                .backend(s.poll_with_interval(POLL))
                .data(state.clone())
                .build(perform_sync)
                .run()
                .await
        }
        JobQueue::Postgres(s) => {
            WorkerBuilder::new(name.as_str())
                .backend(s.poll_with_interval(POLL))
                .data(state.clone())
                .build(perform_sync)
                .run()
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "job worker stopped");
    }
}
