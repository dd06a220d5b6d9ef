//! REST endpoints of the assets context.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::*;
use super::service::{self, AssetFilter, Sort};
use crate::audit::published::AuditEventView;
use crate::platform::auth::{AssetsAssign, AssetsRead, AssetsWrite, Authorized, CatalogWrite};
use crate::platform::error::{ApiResult, Problem};
use crate::platform::http::{if_match_version, resource, with_etag};
use crate::platform::ids::{
    AssetId, AssetModelId, CategoryId, DiscrepancyId, EmployeeId, LocationId,
};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;
use crate::platform::validation;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/assets")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(resource("/assets/lookup").route(web::get().to(lookup)))
    .service(
        resource("/assets/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/assets/{id}/checkout").route(web::post().to(checkout)))
    .service(resource("/assets/{id}/checkin").route(web::post().to(checkin)))
    .service(resource("/assets/{id}/history").route(web::get().to(history)))
    .service(
        resource("/categories")
            .route(web::get().to(list_categories))
            .route(web::post().to(create_category)),
    )
    .service(resource("/categories/{id}").route(web::patch().to(update_category)))
    .service(
        resource("/models")
            .route(web::get().to(list_models))
            .route(web::post().to(create_model)),
    )
    .service(resource("/dashboard").route(web::get().to(dashboard)))
    .service(resource("/discrepancies").route(web::get().to(list_discrepancies)))
    .service(resource("/discrepancies/{id}/dismiss").route(web::post().to(dismiss_discrepancy)))
    .service(resource("/reports/depreciation.csv").route(web::get().to(depreciation_csv)));
}

#[derive(Deserialize, IntoParams)]
pub struct DiscrepancyQuery {
    /// `open`, `resolved` or `dismissed`; all when omitted.
    pub status: Option<String>,
}

/// Where an MDM and our records disagree (the MDM's user is not the asset's holder), newest
/// first, at most 500. Admins.
#[utoipa::path(operation_id = "list_discrepancies", get, path = "/api/v1/discrepancies", tag = "assets", params(DiscrepancyQuery),
    responses((status = 200, description = "OK", body = Vec<DiscrepancyView>), (status = 403, description = "Not allowed", body = Problem), (status = 422, description = "Unknown status", body = Problem)), security(("bearer" = [])))]
pub async fn list_discrepancies(
    state: web::Data<AppState>,
    who: Authorized<AssetsWrite>,
    q: web::Query<DiscrepancyQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(super::devices::list_discrepancies(&state, &who, q.status.as_deref()).await?))
}

/// Dismisses an open discrepancy.
#[utoipa::path(operation_id = "dismiss_discrepancy", post, path = "/api/v1/discrepancies/{id}/dismiss", tag = "assets",
    params(("id" = Uuid, Path, description = "The discrepancy")),
    responses((status = 200, description = "Dismissed", body = DiscrepancyView), (status = 404, description = "No such discrepancy", body = Problem), (status = 422, description = "Not open (`invalid_transition`)", body = Problem)), security(("bearer" = [])))]
pub async fn dismiss_discrepancy(
    state: web::Data<AppState>,
    who: Authorized<AssetsWrite>,
    id: web::Path<DiscrepancyId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(super::devices::dismiss_discrepancy(&state, &who, *id).await?))
}

/// The straight-line depreciation schedule of every asset with a cost and a purchase date, one
/// CSV row per asset and month (period, depreciation, accumulated depreciation, book value).
/// The period is the category's depreciation months, else 36. Admins.
#[utoipa::path(operation_id = "depreciation_csv", get, path = "/api/v1/reports/depreciation.csv", tag = "assets",
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 403, description = "Not allowed", body = Problem)), security(("bearer" = [])))]
pub async fn depreciation_csv(
    state: web::Data<AppState>,
    who: Authorized<AssetsWrite>,
) -> ApiResult<HttpResponse> {
    let csv = super::finance::depreciation_csv(&state, &who).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"depreciation.csv\"",
        ))
        .body(csv))
}

#[derive(Deserialize, IntoParams)]
pub struct AssetListQuery {
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// One or more statuses, comma-separated.
    pub status: Option<String>,
    pub category_id: Option<CategoryId>,
    pub model_id: Option<AssetModelId>,
    pub location_id: Option<LocationId>,
    /// Employee id of the holder.
    pub assigned_to: Option<EmployeeId>,
    /// Only assets whose warranty ends before this date (YYYY-MM-DD).
    pub warranty_before: Option<String>,
    /// Free text over tag, serial, name, model and manufacturer.
    pub q: Option<String>,
    /// `created_at` (default), `tag`, `name`, `updated_at`, `warranty_end`; prefix `-` for descending.
    pub sort: Option<String>,
}

/// Lists assets.
#[utoipa::path(operation_id = "list_assets", get, path = "/api/v1/assets", tag = "assets", params(AssetListQuery),
    responses((status = 200, description = "OK", body = Page<AssetView>), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
    q: web::Query<AssetListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let mut errs = validation::Errors::default();
    let status = q
        .status
        .as_deref()
        .map(|s| {
            s.split(',')
                .filter(|p| !p.trim().is_empty())
                .filter_map(|p| errs.take(AssetStatus::from_field("status", p.trim())))
                .collect()
        })
        .unwrap_or_default();
    let warranty_before = q
        .warranty_before
        .as_deref()
        .and_then(|d| errs.take(validation::date("warranty_before", d)));
    errs.finish()?;
    let sort = Sort::parse(q.sort.as_deref())?;
    let f = AssetFilter {
        status,
        category_id: q.category_id,
        model_id: q.model_id,
        location_id: q.location_id,
        assigned_to: q.assigned_to,
        warranty_before,
        q: q.q,
    };
    Ok(HttpResponse::Ok()
        .json(service::list(&state, &who, f, sort, q.limit, q.cursor.as_deref()).await?))
}

/// Creates an asset; the tag is generated when omitted.
#[utoipa::path(operation_id = "create_asset", post, path = "/api/v1/assets", tag = "assets", request_body = CreateAsset,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, description = "Created", body = AssetView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Authorized<AssetsWrite>,
    body: web::Json<CreateAsset>,
) -> ApiResult<HttpResponse> {
    let a = service::create(&state, &who, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/assets/{}", a.id),
        ))
        .insert_header((actix_web::http::header::ETAG, format!("\"{}\"", a.version)))
        .json(a))
}

#[derive(Deserialize, IntoParams)]
pub struct LookupQuery {
    pub tag: Option<String>,
    pub serial: Option<String>,
}

/// Finds an asset by exact tag or serial number (e.g. from a scanned label).
#[utoipa::path(get, path = "/api/v1/assets/lookup", tag = "assets", params(LookupQuery),
    responses((status = 200, description = "OK", body = AssetView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn lookup(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
    q: web::Query<LookupQuery>,
) -> ApiResult<HttpResponse> {
    let a = service::lookup(&state, &who, q.tag.as_deref(), q.serial.as_deref()).await?;
    Ok(with_etag(a.version, &a))
}

/// One asset.
#[utoipa::path(operation_id = "get_asset", get, path = "/api/v1/assets/{id}", tag = "assets", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = AssetView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
    id: web::Path<AssetId>,
) -> ApiResult<HttpResponse> {
    let a = service::get(&state, &who, id.into_inner()).await?;
    Ok(with_etag(a.version, &a))
}

/// Changes an asset's fields or status; `If-Match` (or `version`) guards against lost updates.
#[utoipa::path(operation_id = "update_asset", patch, path = "/api/v1/assets/{id}", tag = "assets", request_body = UpdateAsset,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The version last seen")),
    responses((status = 200, description = "OK", body = AssetView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Authorized<AssetsWrite>,
    req: HttpRequest,
    id: web::Path<AssetId>,
    body: web::Json<UpdateAsset>,
) -> ApiResult<HttpResponse> {
    let a = service::update(
        &state,
        &who,
        id.into_inner(),
        if_match_version(&req)?,
        body.into_inner(),
    )
    .await?;
    Ok(with_etag(a.version, &a))
}

/// Deletes an asset (kept for history; its tag becomes free).
#[utoipa::path(operation_id = "delete_asset", delete, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "No content"), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    who: Authorized<AssetsWrite>,
    req: HttpRequest,
    id: web::Path<AssetId>,
) -> ApiResult<HttpResponse> {
    service::delete(&state, &who, id.into_inner(), if_match_version(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Checks an in-stock asset out to an employee.
#[utoipa::path(post, path = "/api/v1/assets/{id}/checkout", tag = "assets", request_body = CheckoutRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "OK", body = AssetView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)),
    security(("bearer" = [])))]
pub async fn checkout(
    state: web::Data<AppState>,
    who: Authorized<AssetsAssign>,
    req: HttpRequest,
    id: web::Path<AssetId>,
    body: web::Json<CheckoutRequest>,
) -> ApiResult<HttpResponse> {
    let a = service::checkout(
        &state,
        &who,
        id.into_inner(),
        if_match_version(&req)?,
        body.into_inner(),
    )
    .await?;
    Ok(with_etag(a.version, &a))
}

/// Checks an asset back in; `needs_repair` sends it to repair.
#[utoipa::path(post, path = "/api/v1/assets/{id}/checkin", tag = "assets", request_body = CheckinRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "OK", body = AssetView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)),
    security(("bearer" = [])))]
pub async fn checkin(
    state: web::Data<AppState>,
    who: Authorized<AssetsAssign>,
    req: HttpRequest,
    id: web::Path<AssetId>,
    body: Option<web::Json<CheckinRequest>>,
) -> ApiResult<HttpResponse> {
    let body = body.map(|b| b.into_inner()).unwrap_or_default();
    let a = service::checkin(&state, &who, id.into_inner(), if_match_version(&req)?, body).await?;
    Ok(with_etag(a.version, &a))
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Everything that happened to an asset, newest first.
#[utoipa::path(get, path = "/api/v1/assets/{id}/history", tag = "assets", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, description = "OK", body = Page<AuditEventView>), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn history(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
    id: web::Path<AssetId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::history(&state, &who, id.into_inner(), q.limit, q.cursor.as_deref()).await?))
}

/// Asset categories.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog", responses((status = 200, description = "OK", body = Page<CategoryView>)), security(("bearer" = [])))]
pub async fn list_categories(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_categories(&state.db, &who).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/categories", tag = "catalog", request_body = CategoryInput,
    responses((status = 201, description = "Created", body = CategoryView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create_category(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    body: web::Json<CategoryInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(service::create_category(&state, &who, body.into_inner()).await?))
}

#[utoipa::path(patch, path = "/api/v1/categories/{id}", tag = "catalog", request_body = CategoryInput, params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = CategoryView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn update_category(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    id: web::Path<CategoryId>,
    body: web::Json<CategoryInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::update_category(&state, &who, id.into_inner(), body.into_inner()).await?))
}

/// Asset models (manufacturer + model name).
#[utoipa::path(get, path = "/api/v1/models", tag = "catalog", responses((status = 200, description = "OK", body = Page<ModelView>)), security(("bearer" = [])))]
pub async fn list_models(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_models(&state.db, &who).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/models", tag = "catalog", request_body = ModelInput,
    responses((status = 201, description = "Created", body = ModelView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create_model(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    body: web::Json<ModelInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create_model(&state, &who, body.into_inner()).await?))
}

/// The dashboard's numbers: assets by status and category, assigned versus in stock, and
/// warranties ending within 30 and 90 days, over the assets the caller may see.
#[utoipa::path(operation_id = "get_dashboard", get, path = "/api/v1/dashboard", tag = "dashboard",
    responses((status = 200, description = "OK", body = DashboardView), (status = 401, description = "Not authenticated", body = Problem)), security(("bearer" = [])))]
pub async fn dashboard(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::dashboard(&state, &who).await?))
}
