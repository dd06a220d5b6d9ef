//! Sync runs: queued by "sync now" (or a schedule), performed by a job, visible through the API.

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sync_runs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub integration_id: Uuid,
        pub trigger: String,
        pub status: String,
        pub stats: Json,
        pub error: Option<String>,
        pub attempts: i32,
        pub created_at: DateTimeUtc,
        pub started_at: Option<DateTimeUtc>,
        pub finished_at: Option<DateTimeUtc>,
        pub next_attempt_at: Option<DateTimeUtc>,
        pub dead: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::ids::{IntegrationId, SyncRunId};

/// A sync run as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SyncRunView {
    pub id: SyncRunId,
    pub integration_id: IntegrationId,
    /// `manual`, `schedule` or `webhook`.
    pub trigger: String,
    /// `queued`, `running`, `succeeded`, `partial` or `failed`.
    pub status: String,
    /// `{created, updated, unchanged, failed}`.
    #[schema(value_type = Object)]
    pub stats: serde_json::Value,
    /// The last attempt's error; on a `queued` run with `next_attempt_at`, why it is retried.
    pub error: Option<String>,
    /// Attempts so far (a retried or resumed run has more than one).
    pub attempts: i32,
    /// When a run waiting to be retried runs again.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The run failed on its last allowed attempt and will not be retried.
    pub dead: bool,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<entity::Model> for SyncRunView {
    fn from(r: entity::Model) -> Self {
        Self {
            id: r.id.into(),
            integration_id: r.integration_id.into(),
            trigger: r.trigger,
            status: r.status,
            stats: r.stats,
            error: r.error,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            dead: r.dead,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SyncQueued {
    pub sync_run_id: SyncRunId,
}
