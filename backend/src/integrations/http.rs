//! REST endpoints of the integrations context.

use actix_web::{HttpResponse, web};

use super::model::*;
use super::service;
use crate::platform::auth::{Authorized, IntegrationsManage, IntegrationsRead};
use crate::platform::error::{ApiResult, Problem};
use crate::platform::http::resource;
use crate::platform::ids::{IntegrationId, SyncRunId};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/integrations")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/integrations/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/integrations/{id}/test").route(web::post().to(test)))
    .service(resource("/integrations/{id}/sync").route(web::post().to(sync)))
    .service(
        resource("/integrations/{id}/webhook-deliveries").route(web::get().to(list_deliveries)),
    )
    .service(resource("/sync-runs").route(web::get().to(list_runs)))
    .service(resource("/sync-runs/{id}").route(web::get().to(get_run)));
}

/// Connects a provider; credentials are stored encrypted and never returned.
#[utoipa::path(operation_id = "create_integration", post, path = "/api/v1/integrations", tag = "integrations", request_body = CreateIntegration,
    responses((status = 201, description = "Created", body = IntegrationView), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsManage>,
    body: web::Json<CreateIntegration>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state, &who, body.into_inner()).await?))
}

/// The tenant's integrations.
#[utoipa::path(operation_id = "list_integrations", get, path = "/api/v1/integrations", tag = "integrations",
    responses((status = 200, description = "OK", body = Page<IntegrationView>)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list(&state, &who).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(operation_id = "get_integration", get, path = "/api/v1/integrations/{id}", tag = "integrations", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "OK", body = IntegrationView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsRead>,
    id: web::Path<IntegrationId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, &who, id.into_inner()).await?))
}

/// Changes name, config, credentials (merged; write-only), schedule or enabled state.
#[utoipa::path(operation_id = "update_integration", patch, path = "/api/v1/integrations/{id}", tag = "integrations", params(("id" = uuid::Uuid, Path)), request_body = UpdateIntegration,
    responses((status = 200, description = "OK", body = IntegrationView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem),
        (status = 409, description = "Stale version", body = Problem), (status = 422, description = "Validation failed", body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsManage>,
    req: actix_web::HttpRequest,
    id: web::Path<IntegrationId>,
    body: web::Json<UpdateIntegration>,
) -> ApiResult<HttpResponse> {
    let out = service::update(
        &state,
        &who,
        id.into_inner(),
        crate::platform::http::if_match_version(&req)?,
        body.into_inner(),
    )
    .await?;
    Ok(crate::platform::http::with_etag(out.version, &out))
}

#[utoipa::path(operation_id = "delete_integration", delete, path = "/api/v1/integrations/{id}", tag = "integrations", params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "No content"), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsManage>,
    id: web::Path<IntegrationId>,
) -> ApiResult<HttpResponse> {
    service::delete(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Calls the vendor with the stored credentials.
#[utoipa::path(operation_id = "test_integration", post, path = "/api/v1/integrations/{id}/test", tag = "integrations", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "OK", body = TestResult), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn test(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsManage>,
    id: web::Path<IntegrationId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::test(&state, &who, id.into_inner()).await?))
}

/// Queues a sync now; its run can be followed at `/api/v1/sync-runs/{id}` and live on
/// `integrations:{tenant_id}`.
#[utoipa::path(operation_id = "sync_integration", post, path = "/api/v1/integrations/{id}/sync", tag = "integrations", params(("id" = uuid::Uuid, Path)),
    responses((status = 202, description = "Accepted", body = super::runs::SyncQueued), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn sync(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsManage>,
    id: web::Path<IntegrationId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Accepted().json(service::start_sync(&state, &who, id.into_inner()).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct RunsQuery {
    pub integration_id: Option<IntegrationId>,
}

/// Recent sync runs, newest first.
#[utoipa::path(operation_id = "list_sync_runs", get, path = "/api/v1/sync-runs", tag = "integrations", params(RunsQuery),
    responses((status = 200, description = "OK", body = Page<super::runs::SyncRunView>)), security(("bearer" = [])))]
pub async fn list_runs(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsRead>,
    q: web::Query<RunsQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_runs(&state, &who, q.integration_id).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(operation_id = "get_sync_run", get, path = "/api/v1/sync-runs/{id}", tag = "integrations", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "OK", body = super::runs::SyncRunView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn get_run(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsRead>,
    id: web::Path<SyncRunId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get_run(&state, &who, id.into_inner()).await?))
}

/// The integration's inbound webhook deliveries, newest first, with how each was processed.
#[utoipa::path(operation_id = "list_webhook_deliveries", get, path = "/api/v1/integrations/{id}/webhook-deliveries", tag = "integrations", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "OK", body = Page<super::webhooks::DeliveryView>), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)),
    security(("bearer" = [])))]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    who: Authorized<IntegrationsRead>,
    id: web::Path<IntegrationId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: super::webhooks::list(&state, &who, id.into_inner()).await?,
        next_cursor: None,
    }))
}
