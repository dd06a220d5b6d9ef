//! Inbound HRIS webhooks: verified by the vendor's signature scheme, stored once per delivery
//! (a replay finds the stored one), acknowledged at once, and processed by a job that asks the
//! vendor for the people the delivery names and upserts them like a sync does.
//!
//! - BambooHR: `X-BambooHR-Signature` (hex HMAC-SHA256 over the body followed by the
//!   `X-BambooHR-Timestamp` value, keyed with the webhook's private key); timestamps outside a
//!   five-minute window are refused. Credentials field `webhook_private_key`.
//! - HiBob: `Bob-Signature` (base64 HMAC-SHA512 of the body with the webhook secret).
//!   Credentials field `webhook_secret`.
//! - Jamf Pro: HTTP Basic credentials set on the webhook (credentials fields
//!   `webhook_username`, `webhook_password`). Computer events carry the computer's inventory,
//!   which the job applies to the asset with that serial as a device sync would.
//!
//! Slack's requests (see `integrations::slack::requests`) are stored here too, and their job
//! hands them to the Slack context.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::entity::integration;
use super::error::IntegrationError;
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code, is_unique_violation};
use crate::platform::events;
use crate::platform::ids::{DeliveryId, IntegrationId, TenantId};
use crate::platform::jobs::{Job, JobOutcome, ProcessWebhook};
use crate::platform::state::AppState;
use assetronics_integrations::hris::{ChangeKind, HrisChange};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub integration_id: Uuid,
        pub provider: String,
        /// Unique per integration: a replayed delivery finds the stored one.
        pub dedupe_key: String,
        pub event_type: String,
        pub body: String,
        /// `received`, `processing`, `retrying`, `processed` or `dead`.
        pub status: String,
        pub attempts: i32,
        pub error: Option<String>,
        pub result: Json,
        pub received_at: DateTimeUtc,
        pub next_attempt_at: Option<DateTimeUtc>,
        pub processed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A stored delivery as the API shows it (the body is not repeated).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: DeliveryId,
    pub integration_id: IntegrationId,
    pub provider: String,
    pub event_type: String,
    /// `received`, `processing`, `retrying`, `processed` or `dead`.
    pub status: String,
    pub attempts: i32,
    pub error: Option<String>,
    /// What processing did: `{created, updated, unchanged, failed}`.
    #[schema(value_type = Object)]
    pub result: Value,
    pub received_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub processed_at: Option<DateTime<Utc>>,
}

impl From<entity::Model> for DeliveryView {
    fn from(d: entity::Model) -> Self {
        Self {
            id: d.id.into(),
            integration_id: d.integration_id.into(),
            provider: d.provider,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            error: d.error,
            result: d.result,
            received_at: d.received_at,
            next_attempt_at: d.next_attempt_at,
            processed_at: d.processed_at,
        }
    }
}

/// The answer to a vendor: the delivery's id, and whether it was new.
#[derive(Serialize, ToSchema)]
pub struct DeliveryAccepted {
    pub delivery_id: DeliveryId,
    /// `accepted` (stored, will be processed), `duplicate` (seen before; nothing changes) or
    /// `ignored` (a ping or an event about something other than people; nil id).
    pub status: String,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::platform::http::resource("/webhooks/{provider}/{integration_id}")
            .route(web::post().to(receive)),
    )
    .configure(super::slack::requests::routes);
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn bad_signature(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(Code::InvalidSignature, detail.to_string())
}

/// What a delivery announces: people who changed in the HR system, or a device's inventory.
enum Announced {
    People(Vec<HrisChange>),
    Device(Box<assetronics_integrations::jamf::WebhookEvent>),
}

impl Announced {
    /// Nothing to store: a ping, or an event about something we do not keep.
    fn is_empty(&self) -> bool {
        match self {
            Announced::People(c) => c.is_empty(),
            Announced::Device(e) => e.device.is_none(),
        }
    }
}

/// Checks a delivery's signature with the integration's webhook secret and reads the changes it
/// announces. A bad, stale or missing signature refuses the delivery before anything is stored.
fn verify(provider: &str, creds: &Value, req: &HttpRequest, body: &[u8]) -> ApiResult<Announced> {
    use assetronics_integrations::webhooks::WebhookError;
    let secret = |key: &str| {
        creds
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad_signature("this integration has no webhook secret configured"))
    };
    let refused = |e: WebhookError| match e {
        WebhookError::Malformed(why) => ApiError::new(Code::MalformedRequest, why),
        other => bad_signature(other),
    };
    match provider {
        "bamboohr" => {
            use assetronics_integrations::bamboohr;
            let key = secret("webhook_private_key")?;
            let signature = header(req, bamboohr::SIGNATURE_HEADER)
                .ok_or_else(|| bad_signature("missing signature"))?;
            let timestamp = header(req, bamboohr::TIMESTAMP_HEADER)
                .ok_or_else(|| bad_signature("missing timestamp"))?;
            bamboohr::verify_webhook(
                &key,
                signature,
                timestamp,
                body,
                clock::now(),
                bamboohr::WEBHOOK_TOLERANCE,
            )
            .map_err(refused)?;
            bamboohr::parse_webhook(body)
                .map(Announced::People)
                .map_err(refused)
        }
        "hibob" => {
            use assetronics_integrations::hibob;
            let key = secret("webhook_secret")?;
            let signature = header(req, hibob::SIGNATURE_HEADER)
                .ok_or_else(|| bad_signature("missing signature"))?;
            hibob::verify_webhook(&key, signature, body).map_err(refused)?;
            hibob::parse_webhook(body)
                .map(Announced::People)
                .map_err(refused)
        }
        "jamf" => {
            use assetronics_integrations::jamf;
            let user = secret("webhook_username")?;
            let password = secret("webhook_password")?;
            jamf::verify_webhook_auth(&user, &password, header(req, "authorization"))
                .map_err(|_| bad_signature("wrong or missing webhook credentials"))?;
            jamf::parse_webhook(body)
                .map(|e| Announced::Device(Box::new(e)))
                .map_err(refused)
        }
        _ => Err(ApiError::not_found("integration")),
    }
}

/// What a stored (already verified) delivery announces.
fn parse(provider: &str, body: &[u8]) -> Result<Announced, String> {
    let e = |e: assetronics_integrations::webhooks::WebhookError| e.to_string();
    match provider {
        "bamboohr" => assetronics_integrations::bamboohr::parse_webhook(body)
            .map(Announced::People)
            .map_err(e),
        "hibob" => assetronics_integrations::hibob::parse_webhook(body)
            .map(Announced::People)
            .map_err(e),
        "jamf" => assetronics_integrations::jamf::parse_webhook(body)
            .map(|d| Announced::Device(Box::new(d)))
            .map_err(e),
        p => Err(format!("no webhook handling for {p}")),
    }
}

/// Receives a vendor webhook for one integration.
#[utoipa::path(operation_id = "receive_webhook", post, path = "/webhooks/{provider}/{integration_id}", tag = "webhooks",
    params(("provider" = String, Path, description = "`bamboohr`, `hibob` or `jamf`"), ("integration_id" = uuid::Uuid, Path)),
    request_body(content = String, description = "The vendor's signed JSON, verified byte for byte"),
    responses(
        (status = 202, description = "Verified and stored; processed shortly by a job", body = DeliveryAccepted),
        (status = 200, description = "A replay of a stored delivery; nothing changes", body = DeliveryAccepted),
        (status = 401, description = "Missing, wrong or stale signature; nothing is stored", body = crate::platform::error::Problem),
        (status = 404, description = "No such integration for this provider", body = crate::platform::error::Problem)))]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, IntegrationId)>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let (provider, integration_id) = path.into_inner();
    // The URL's integration id is what routes a delivery to its tenant.
    let row = integration::Entity::find_by_id(integration_id.uuid())
        .one(&state.db)
        .await?
        .filter(|r| r.provider == provider && r.status != "disabled")
        .ok_or(IntegrationError::NotFound("integration"))?;
    let creds = super::providers::credentials(&state, &row)?;
    let announced = verify(&provider, &creds, &req, &body)?;
    if announced.is_empty() {
        // A ping, or an event about something other than people: acknowledged, not stored.
        return Ok(HttpResponse::Ok().json(DeliveryAccepted {
            delivery_id: DeliveryId::default(),
            status: "ignored".into(),
        }));
    }
    let (dedupe_key, event_type) = match &announced {
        Announced::People(changes) => {
            // The vendors redeliver an event with the same payload (BambooHR with a new signed
            // timestamp): the events' own keys identify the delivery.
            let mut keys: Vec<&str> = changes.iter().map(|c| c.delivery_key.as_str()).collect();
            keys.sort_unstable();
            let kind = changes
                .iter()
                .map(|c| match c.kind {
                    ChangeKind::Created => "created",
                    ChangeKind::Updated => "updated",
                    ChangeKind::Terminated => "terminated",
                    ChangeKind::Deleted => "deleted",
                })
                .next()
                .unwrap_or("empty");
            (keys.join("\n"), kind.to_owned())
        }
        Announced::Device(e) => (e.delivery_key.clone(), e.event.clone()),
    };
    let dedupe_key = hex::encode(Sha256::digest(dedupe_key.as_bytes()));
    Ok(
        match store(&state, &row, dedupe_key, event_type, &body).await? {
            Stored::New(id) => HttpResponse::Accepted().json(DeliveryAccepted {
                delivery_id: id,
                status: "accepted".into(),
            }),
            Stored::Duplicate(id) => HttpResponse::Ok().json(DeliveryAccepted {
                delivery_id: id,
                status: "duplicate".into(),
            }),
        },
    )
}

/// What [`store`] did with a verified delivery.
pub(super) enum Stored {
    /// Stored now, and its job queued.
    New(DeliveryId),
    /// Stored before under the same dedupe key: nothing changes.
    Duplicate(DeliveryId),
}

/// Stores a verified delivery once per `dedupe_key` of the integration and queues the job that
/// processes it ([`perform_delivery`]).
pub(super) async fn store(
    state: &AppState,
    row: &integration::Model,
    dedupe_key: String,
    event_type: String,
    body: &[u8],
) -> ApiResult<Stored> {
    let id = DeliveryId::new();
    let now = clock::now();
    let txn = db::begin_write(&state.db, row.tenant_id.into()).await?;
    let inserted = entity::ActiveModel {
        id: Set(id.uuid()),
        tenant_id: Set(row.tenant_id),
        integration_id: Set(row.id),
        provider: Set(row.provider.clone()),
        dedupe_key: Set(dedupe_key.clone()),
        event_type: Set(event_type),
        body: Set(String::from_utf8_lossy(body).into_owned()),
        status: Set("received".into()),
        attempts: Set(0),
        error: Set(None),
        result: Set(json!({})),
        received_at: Set(now),
        // If the job below is never pushed (a crash right after commit), the sweeper re-queues
        // the delivery once this passes.
        next_attempt_at: Set(Some(now + chrono::Duration::seconds(60))),
        processed_at: Set(None),
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            let existing = entity::Entity::find()
                .filter(entity::Column::TenantId.eq(row.tenant_id))
                .filter(entity::Column::IntegrationId.eq(row.id))
                .filter(entity::Column::DedupeKey.eq(dedupe_key))
                .one(&state.db)
                .await?
                .ok_or_else(|| ApiError::internal("duplicate delivery vanished"))?;
            return Ok(Stored::Duplicate(existing.id.into()));
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    state
        .jobs
        .push(Job::ProcessWebhook(ProcessWebhook {
            tenant_id: row.tenant_id,
            delivery_id: id.uuid(),
        }))
        .await
        .map_err(ApiError::internal)?;
    Ok(Stored::New(id))
}

pub(super) async fn load(state: &AppState, job: &ProcessWebhook) -> ApiResult<entity::Model> {
    entity::Entity::find_by_id(job.delivery_id)
        .filter(entity::Column::TenantId.eq(job.tenant_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook delivery"))
}

pub(super) async fn save(
    state: &AppState,
    am: entity::ActiveModel,
    tenant_id: TenantId,
) -> ApiResult<()> {
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let saved = am.update(&txn).await?;
    if matches!(saved.status.as_str(), "processed" | "dead" | "retrying") {
        events::enqueue(
            &txn,
            tenant_id,
            "integrations",
            "webhook_processed",
            json!({"delivery": DeliveryView::from(saved)}),
        )
        .await?;
    }
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// The job's work: fetches the people the delivery names from the vendor and upserts them
/// (which opens onboarding/offboarding as a sync would). A processed delivery is never
/// processed again; a vendor outage is retried with backoff, then the delivery is dead.
pub async fn perform_delivery(state: &AppState, job: &ProcessWebhook) -> ApiResult<JobOutcome> {
    let d = match load(state, job).await {
        Ok(d) => d,
        Err(e) if e.is_not_found() => return Ok(JobOutcome::Succeeded),
        Err(e) => return Err(e),
    };
    if matches!(d.status.as_str(), "processed" | "dead") {
        return Ok(JobOutcome::Succeeded);
    }
    let attempt = d.attempts + 1;
    let mut am = d.clone().into_active_model();
    am.status = Set("processing".into());
    am.attempts = Set(attempt);
    am.next_attempt_at = Set(None);
    save(state, am, job.tenant_id.into()).await?;

    let who = Principal::system(job.tenant_id.into(), "hris webhook");
    let row = match super::service::find(state, &who, d.integration_id.into()).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => return Ok(JobOutcome::Succeeded),
        Err(e) => return Err(e),
    };
    if row.provider == "slack" {
        return super::slack::requests::perform_delivery(state, job, &row, &d, attempt).await;
    }
    let changes = match parse(&d.provider, d.body.as_bytes()) {
        Ok(Announced::People(c)) => c,
        Ok(Announced::Device(e)) => return apply_device(state, job, &who, &row, *e).await,
        Err(why) => {
            let mut am = load(state, job).await?.into_active_model();
            am.status = Set("dead".into());
            am.error = Set(Some(why));
            save(state, am, job.tenant_id.into()).await?;
            return Ok(JobOutcome::Dead);
        }
    };
    let mut ids: Vec<String> = changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Deleted)
        .map(|c| c.external_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let hris = super::providers::hris(state, &row)?;
    let pulled = hris.fetch_some(&ids).await;
    let settings = &state.settings.jobs;
    let mut am = load(state, job).await?.into_active_model();
    match pulled {
        Ok(pull) => {
            let outcome = super::service::apply_pull(state, &who, &row, pull, false).await?;
            am.status = Set("processed".into());
            am.error = Set(None);
            am.result = Set(serde_json::to_value(outcome.stats).unwrap_or_default());
            am.processed_at = Set(Some(clock::now()));
            save(state, am, job.tenant_id.into()).await?;
            Ok(JobOutcome::Succeeded)
        }
        Err(e) if e.is_retryable() && (attempt as u32) < settings.max_attempts => {
            let delay = crate::platform::jobs::backoff(
                attempt as u32,
                settings.retry_base,
                e.retry_after(),
            );
            state
                .jobs
                .push_after(Job::ProcessWebhook(job.clone()), delay)
                .await
                .map_err(ApiError::internal)?;
            am.status = Set("retrying".into());
            am.error = Set(Some(e.to_string()));
            am.next_attempt_at = Set(Some(
                clock::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
            ));
            save(state, am, job.tenant_id.into()).await?;
            Ok(JobOutcome::Retried)
        }
        Err(e) => {
            am.status = Set("dead".into());
            am.error = Set(Some(e.to_string()));
            save(state, am, job.tenant_id.into()).await?;
            Ok(JobOutcome::Dead)
        }
    }
}

/// A device webhook carries the facts themselves: they are applied as a device sync applies
/// them, without calling the vendor back.
async fn apply_device(
    state: &AppState,
    job: &ProcessWebhook,
    who: &Principal,
    row: &integration::Model,
    event: assetronics_integrations::jamf::WebhookEvent,
) -> ApiResult<JobOutcome> {
    let facts: Vec<_> = event
        .device
        .and_then(super::devices::facts)
        .into_iter()
        .collect();
    let create =
        crate::accounts::published::mdm_creates_assets_for(&state.db, who.tenant_id).await?;
    let stats =
        crate::assets::published::apply_device_facts(state, who, row.id.into(), create, &facts)
            .await?;
    let mut am = load(state, job).await?.into_active_model();
    am.status = Set("processed".into());
    am.error = Set(None);
    am.result = Set(serde_json::to_value(stats).unwrap_or_default());
    am.processed_at = Set(Some(clock::now()));
    save(state, am, job.tenant_id.into()).await?;
    Ok(JobOutcome::Succeeded)
}

/// Marks a delivery dead (its job panicked).
pub async fn abandon_delivery(
    state: &AppState,
    job: &ProcessWebhook,
    error: &str,
) -> ApiResult<()> {
    let mut am = load(state, job).await?.into_active_model();
    am.status = Set("dead".into());
    am.error = Set(Some(error.to_owned()));
    save(state, am, job.tenant_id.into()).await
}

/// Re-queues deliveries that were stored but whose job never ran (the process stopped between
/// the commit and the push), across tenants. Processing is idempotent, so a delivery queued
/// twice is processed once.
pub async fn requeue_stranded(state: &AppState) -> ApiResult<usize> {
    let now = clock::now();
    let stranded = entity::Entity::find()
        .filter(entity::Column::Status.eq("received"))
        .filter(entity::Column::NextAttemptAt.lte(now))
        .limit(500)
        .all(&state.db)
        .await?;
    let mut n = 0;
    for d in stranded {
        let claimed = entity::Entity::update_many()
            .col_expr(
                entity::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(Some(now + chrono::Duration::seconds(60))),
            )
            .filter(entity::Column::Id.eq(d.id))
            .filter(entity::Column::NextAttemptAt.eq(d.next_attempt_at))
            .exec(&state.db)
            .await?
            .rows_affected
            == 1;
        if claimed {
            state
                .jobs
                .push(Job::ProcessWebhook(ProcessWebhook {
                    tenant_id: d.tenant_id,
                    delivery_id: d.id,
                }))
                .await
                .map_err(ApiError::internal)?;
            n += 1;
        }
    }
    Ok(n)
}

/// An integration's deliveries, newest first, at most 100.
pub async fn list(
    state: &AppState,
    who: &Principal,
    integration_id: IntegrationId,
) -> ApiResult<Vec<DeliveryView>> {
    who.require(Action::IntegrationsRead)?;
    super::service::find(state, who, integration_id).await?;
    Ok(entity::Entity::find()
        .filter(entity::Column::TenantId.eq(who.tenant_id))
        .filter(entity::Column::IntegrationId.eq(integration_id))
        .order_by_desc(entity::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?
        .into_iter()
        .map(DeliveryView::from)
        .collect())
}
