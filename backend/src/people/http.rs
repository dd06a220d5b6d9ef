//! REST endpoints of the people context.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::PeopleError;
use super::model::*;
use super::service::{self, EmployeeFilter};
use crate::platform::auth::{AssetsRead, Authorized, CatalogWrite, PeopleRead, PeopleWrite};
use crate::platform::error::{ApiResult, Problem};
use crate::platform::http::{if_match_version, resource, with_etag};
use crate::platform::ids::{DepartmentId, EmployeeId, LocationId};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/employees")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/employees/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        resource("/departments")
            .route(web::get().to(list_departments))
            .route(web::post().to(create_department)),
    )
    .service(
        resource("/departments/{id}")
            .route(web::patch().to(update_department))
            .route(web::delete().to(delete_department)),
    )
    .service(
        resource("/locations")
            .route(web::get().to(list_locations))
            .route(web::post().to(create_location)),
    )
    .service(
        resource("/locations/{id}")
            .route(web::patch().to(update_location))
            .route(web::delete().to(delete_location)),
    );
}

#[derive(Deserialize, IntoParams)]
pub struct EmployeeListQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Free text over name, email and employee number.
    pub q: Option<String>,
    /// `active` or `terminated`.
    pub status: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
    /// `name` (default), `-name`, `created_at`, `-created_at`.
    pub sort: Option<String>,
}

/// Lists employees.
#[utoipa::path(operation_id = "list_employees", get, path = "/api/v1/employees", tag = "employees", params(EmployeeListQuery),
    responses((status = 200, description = "OK", body = Page<EmployeeView>), (status = 403, description = "The role does not allow this", body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    who: Authorized<PeopleRead>,
    q: web::Query<EmployeeListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let f = EmployeeFilter {
        q: q.q,
        status: q.status,
        department_id: q.department_id,
        location_id: q.location_id,
    };
    Ok(HttpResponse::Ok().json(
        service::list(
            &state,
            &who,
            f,
            q.sort.as_deref(),
            q.limit,
            q.cursor.as_deref(),
        )
        .await?,
    ))
}

/// Adds an employee.
#[utoipa::path(operation_id = "create_employee", post, path = "/api/v1/employees", tag = "employees", request_body = CreateEmployee,
    responses((status = 201, description = "Created", body = EmployeeView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Authorized<PeopleWrite>,
    body: web::Json<CreateEmployee>,
) -> ApiResult<HttpResponse> {
    let new = NewEmployee::parse(body.into_inner()).map_err(PeopleError::Invalid)?;
    Ok(HttpResponse::Created().json(service::create(&state, &who, new).await?))
}

/// An employee with the assets they hold.
#[utoipa::path(operation_id = "get_employee", get, path = "/api/v1/employees/{id}", tag = "employees", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = EmployeeDetail), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    who: Authorized<PeopleRead>,
    id: web::Path<EmployeeId>,
) -> ApiResult<HttpResponse> {
    let d = service::get(&state, &who, id.into_inner()).await?;
    Ok(with_etag(d.employee.version, &d))
}

/// Changes an employee.
#[utoipa::path(operation_id = "update_employee", patch, path = "/api/v1/employees/{id}", tag = "employees", request_body = UpdateEmployee,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "OK", body = EmployeeView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Authorized<PeopleWrite>,
    req: HttpRequest,
    id: web::Path<EmployeeId>,
    body: web::Json<UpdateEmployee>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let if_match = if_match_version(&req)?;
    let patch = EmployeePatch::parse(id, body.into_inner()).map_err(PeopleError::Invalid)?;
    let e = service::update(&state, &who, id, if_match, patch).await?;
    Ok(with_etag(e.version, &e))
}

/// Removes an employee who holds nothing.
#[utoipa::path(operation_id = "delete_employee", delete, path = "/api/v1/employees/{id}", tag = "employees", params(("id" = Uuid, Path)),
    responses((status = 204, description = "No content"), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    who: Authorized<PeopleWrite>,
    id: web::Path<EmployeeId>,
) -> ApiResult<HttpResponse> {
    service::delete(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "employees", responses((status = 200, description = "OK", body = Page<DepartmentView>)), security(("bearer" = [])))]
pub async fn list_departments(
    state: web::Data<AppState>,
    who: Authorized<PeopleRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_departments(&state, &who).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "employees", request_body = DepartmentInput,
    responses((status = 201, description = "Created", body = DepartmentView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create_department(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    body: web::Json<DepartmentInput>,
) -> ApiResult<HttpResponse> {
    let fields = DepartmentFields::parse(body.into_inner()).map_err(PeopleError::Invalid)?;
    Ok(HttpResponse::Created().json(service::save_department(&state, &who, None, fields).await?))
}

#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "employees", request_body = DepartmentInput, params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = DepartmentView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn update_department(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    id: web::Path<DepartmentId>,
    body: web::Json<DepartmentInput>,
) -> ApiResult<HttpResponse> {
    let fields = DepartmentFields::parse(body.into_inner()).map_err(PeopleError::Invalid)?;
    Ok(HttpResponse::Ok()
        .json(service::save_department(&state, &who, Some(id.into_inner()), fields).await?))
}

#[utoipa::path(get, path = "/api/v1/locations", tag = "locations", responses((status = 200, description = "OK", body = Page<LocationView>)), security(("bearer" = [])))]
pub async fn list_locations(
    state: web::Data<AppState>,
    who: Authorized<AssetsRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_locations(&state, &who).await?,
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/locations", tag = "locations", request_body = LocationInput,
    responses((status = 201, description = "Created", body = LocationView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create_location(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    body: web::Json<LocationInput>,
) -> ApiResult<HttpResponse> {
    let fields = LocationFields::parse(body.into_inner()).map_err(PeopleError::Invalid)?;
    Ok(HttpResponse::Created().json(service::save_location(&state, &who, None, fields).await?))
}

#[utoipa::path(patch, path = "/api/v1/locations/{id}", tag = "locations", request_body = LocationInput, params(("id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = LocationView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn update_location(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    id: web::Path<LocationId>,
    body: web::Json<LocationInput>,
) -> ApiResult<HttpResponse> {
    let fields = LocationFields::parse(body.into_inner()).map_err(PeopleError::Invalid)?;
    Ok(HttpResponse::Ok()
        .json(service::save_location(&state, &who, Some(id.into_inner()), fields).await?))
}

#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "employees", params(("id" = Uuid, Path)),
    responses((status = 204, description = "No content"), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn delete_department(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    id: web::Path<DepartmentId>,
) -> ApiResult<HttpResponse> {
    service::delete_department(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/v1/locations/{id}", tag = "locations", params(("id" = Uuid, Path)),
    responses((status = 204, description = "No content"), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn delete_location(
    state: web::Data<AppState>,
    who: Authorized<CatalogWrite>,
    id: web::Path<LocationId>,
) -> ApiResult<HttpResponse> {
    service::delete_location(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
