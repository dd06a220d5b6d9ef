//! GraphQL resolvers of the integrations context: connections to vendors, their sync runs and
//! webhook deliveries, "sync now" and "test connection", and sync events. Thin: each calls one
//! service function (the same as REST).
//!
//! The types here read the views' JSON form (see [`from_view`]), the same JSON the
//! `integrations:{tenant_id}` events carry, so a pushed sync run decodes exactly as a queried
//! one.

use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::Value;

use super::{service, webhooks};
use crate::graphql::{GqlResult, decode_event, from_view, scope};
use crate::platform::ids::{DeliveryId, IntegrationId, SyncRunId};

/// Whether an integration works.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStatus {
    Active,
    /// It failed in a way a person must fix (e.g. bad credentials); see `statusDetail`.
    NeedsAttention,
    Disabled,
}

/// A connection to a vendor, as `GET /api/v1/integrations/{id}`. Credentials are write-only:
/// only which of them are set is shown.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
#[graphql(complex)]
pub struct Integration {
    pub id: IntegrationId,
    /// e.g. `bamboohr`.
    pub provider: String,
    pub name: String,
    /// The provider's non-secret settings (e.g. `subdomain`, `base_url`).
    pub config: Value,
    /// Which credential fields are set (their values are never shown).
    pub credentials_set: Vec<String>,
    pub status: IntegrationStatus,
    pub status_detail: Option<String>,
    /// Cron expression of scheduled syncs, if any.
    pub schedule: Option<String>,
    /// When the schedule next queues a sync.
    pub next_sync_at: Option<DateTime<Utc>>,
    pub last_tested_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[ComplexObject]
impl Integration {
    /// Its sync runs, newest first, at most 100. One query per integration: a tenant has a
    /// handful of integrations.
    #[graphql(complexity = "100 * child_complexity")]
    async fn sync_runs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SyncRun>> {
        let s = scope(ctx)?;
        let runs = service::list_runs(&s.state, &s.who, Some(self.id))
            .await
            .gql()?;
        from_view(runs).gql()
    }

    /// Its inbound webhook deliveries, newest first, at most 100.
    #[graphql(complexity = "100 * child_complexity")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookDelivery>> {
        let s = scope(ctx)?;
        from_view(webhooks::list(&s.state, &s.who, self.id).await.gql()?).gql()
    }
}

/// Where a sync run stands.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SyncRunStatus {
    /// Waiting for a worker (or, with `nextAttemptAt`, for its retry).
    Queued,
    Running,
    Succeeded,
    /// Done, but some records failed.
    Partial,
    Failed,
}

/// What queued a sync run.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SyncTrigger {
    /// "Sync now".
    Manual,
    /// The integration's schedule.
    Schedule,
    /// A webhook from the vendor.
    Webhook,
}

/// What a sync (or a webhook's processing) did to the people records.
#[derive(SimpleObject, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    #[serde(default)]
    pub created: u64,
    #[serde(default)]
    pub updated: u64,
    #[serde(default)]
    pub unchanged: u64,
    #[serde(default)]
    pub failed: u64,
}

/// One sync of an integration, as `GET /api/v1/sync-runs/{id}`.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
pub struct SyncRun {
    pub id: SyncRunId,
    pub integration_id: IntegrationId,
    pub trigger: SyncTrigger,
    pub status: SyncRunStatus,
    pub stats: SyncStats,
    /// The last attempt's error; on a `QUEUED` run with `nextAttemptAt`, why it is retried.
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

/// Where a stored webhook delivery stands.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    Received,
    Processing,
    Retrying,
    Processed,
    Dead,
}

/// A verified inbound webhook, stored and processed by a job (the body is not repeated).
#[derive(SimpleObject, Deserialize, Clone, Debug)]
pub struct WebhookDelivery {
    pub id: DeliveryId,
    pub integration_id: IntegrationId,
    pub provider: String,
    pub event_type: String,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub error: Option<String>,
    /// What processing did: `{created, updated, unchanged, failed}`; `{}` until processed.
    pub result: Value,
    pub received_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// The answer to "test connection".
#[derive(SimpleObject, Deserialize, Clone, Debug)]
#[graphql(name = "IntegrationTestResult")]
pub struct TestResult {
    pub ok: bool,
    /// `connected`, or what went wrong.
    pub detail: String,
}

/// A sync queued by `startSync`; a worker performs it.
#[derive(SimpleObject, Deserialize, Clone, Debug)]
#[graphql(complex)]
pub struct SyncQueued {
    pub sync_run_id: SyncRunId,
}

#[ComplexObject]
impl SyncQueued {
    /// The run as it is now.
    async fn sync_run(&self, ctx: &Context<'_>) -> async_graphql::Result<SyncRun> {
        let s = scope(ctx)?;
        from_view(
            service::get_run(&s.state, &s.who, self.sync_run_id)
                .await
                .gql()?,
        )
        .gql()
    }
}

#[derive(Default)]
pub struct IntegrationsQuery;

#[Object]
impl IntegrationsQuery {
    /// The tenant's integrations.
    async fn integrations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Integration>> {
        let s = scope(ctx)?;
        from_view(service::list(&s.state, &s.who).await.gql()?).gql()
    }

    /// One integration; `not_found` also for another tenant's ids.
    async fn integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationId,
    ) -> async_graphql::Result<Integration> {
        let s = scope(ctx)?;
        from_view(service::get(&s.state, &s.who, id).await.gql()?).gql()
    }

    /// Sync runs of the tenant (or of one integration), newest first, at most 100.
    #[graphql(complexity = "100 * child_complexity")]
    async fn sync_runs(
        &self,
        ctx: &Context<'_>,
        integration_id: Option<IntegrationId>,
    ) -> async_graphql::Result<Vec<SyncRun>> {
        let s = scope(ctx)?;
        let runs = service::list_runs(&s.state, &s.who, integration_id)
            .await
            .gql()?;
        from_view(runs).gql()
    }

    /// One sync run; `not_found` also for another tenant's ids.
    async fn sync_run(&self, ctx: &Context<'_>, id: SyncRunId) -> async_graphql::Result<SyncRun> {
        let s = scope(ctx)?;
        from_view(service::get_run(&s.state, &s.who, id).await.gql()?).gql()
    }
}

#[derive(Default)]
pub struct IntegrationsMutation;

#[Object]
impl IntegrationsMutation {
    /// "Sync now": queues a run of the integration; follow it with `syncRun` or `syncEvents`.
    async fn start_sync(
        &self,
        ctx: &Context<'_>,
        integration_id: IntegrationId,
    ) -> async_graphql::Result<SyncQueued> {
        let s = scope(ctx)?;
        from_view(
            service::start_sync(&s.state, &s.who, integration_id)
                .await
                .gql()?,
        )
        .gql()
    }

    /// Calls the vendor with the stored credentials. Bad credentials mark the integration as
    /// `NEEDS_ATTENTION`; a working connection clears that.
    async fn test_integration(
        &self,
        ctx: &Context<'_>,
        id: IntegrationId,
    ) -> async_graphql::Result<TestResult> {
        let s = scope(ctx)?;
        from_view(service::test(&s.state, &s.who, id).await.gql()?).gql()
    }
}

/// A step of a sync, as the realtime channel `integrations:{tenant_id}` pushes it. Which
/// fields are set depends on `event`.
#[derive(SimpleObject, Clone, Debug)]
pub struct SyncEvent {
    /// `sync_queued`, `sync_started`, `sync_progress`, `sync_finished`, `sync_failed` or
    /// `sync_run_updated`.
    pub event: String,
    pub integration_id: IntegrationId,
    /// The run, on `sync_queued` and `sync_run_updated`.
    pub sync_run: Option<SyncRun>,
    /// Records upserted so far, on `sync_progress`.
    pub processed: Option<u64>,
    /// Records the vendor returned, on `sync_progress`.
    pub total: Option<u64>,
    /// Counts so far (`sync_progress`) or in all (`sync_finished`).
    pub stats: Option<SyncStats>,
    /// `SUCCEEDED` or `PARTIAL`, on `sync_finished`.
    pub status: Option<SyncRunStatus>,
    /// What went wrong, on `sync_failed`.
    pub error: Option<String>,
    /// Whether the failed run will be retried, on `sync_failed`.
    pub will_retry: Option<bool>,
}

/// Every field any sync event's payload may carry.
#[derive(Deserialize)]
struct SyncPayload {
    sync_run: Option<SyncRun>,
    integration_id: Option<IntegrationId>,
    processed: Option<u64>,
    total: Option<u64>,
    stats: Option<SyncStats>,
    status: Option<SyncRunStatus>,
    error: Option<String>,
    will_retry: Option<bool>,
}

const SYNC_EVENTS: [&str; 6] = [
    "sync_queued",
    "sync_started",
    "sync_progress",
    "sync_finished",
    "sync_failed",
    "sync_run_updated",
];

fn sync_event(e: &crate::platform::events::Event) -> Option<SyncEvent> {
    if !SYNC_EVENTS.contains(&e.event.as_str()) {
        return None;
    }
    let p = decode_event::<SyncPayload>(e)?;
    let integration_id = p
        .integration_id
        .or(p.sync_run.as_ref().map(|r| r.integration_id))?;
    Some(SyncEvent {
        event: e.event.clone(),
        integration_id,
        sync_run: p.sync_run,
        processed: p.processed,
        total: p.total,
        stats: p.stats,
        status: p.status,
        error: p.error,
        will_retry: p.will_retry,
    })
}

#[derive(Default)]
pub struct IntegrationsSubscription;

#[Subscription]
impl IntegrationsSubscription {
    /// Sync runs of the caller's tenant (or of one integration) queued, started, progressing,
    /// finished or failed, from now on.
    async fn sync_events(
        &self,
        ctx: &Context<'_>,
        integration_id: Option<IntegrationId>,
    ) -> async_graphql::Result<impl Stream<Item = SyncEvent> + use<>> {
        let s = scope(ctx)?;
        let events = service::changes(&s.state, &s.who).gql()?;
        Ok(events.filter_map(move |e| {
            let event =
                sync_event(&e).filter(|ev| integration_id.is_none_or(|id| ev.integration_id == id));
            futures::future::ready(event)
        }))
    }
}
