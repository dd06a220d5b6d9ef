//! REST endpoints of the accounts context.

use actix_web::{HttpRequest, HttpResponse, web};

use super::model::*;
use super::service;
use crate::platform::auth::{
    ApiTokensManage, Authenticated, Authorized, UsersManage, UsersRead, request_meta,
};
use crate::platform::error::{ApiResult, Problem};
use crate::platform::ids::{ApiTokenId, UserId};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::platform::http::resource;
    cfg.service(resource("/auth/signup").route(web::post().to(signup)))
        .service(resource("/auth/login").route(web::post().to(login)))
        .service(resource("/auth/refresh").route(web::post().to(refresh)))
        .service(resource("/auth/logout").route(web::post().to(logout)))
        .service(resource("/me").route(web::get().to(me)))
        .service(
            resource("/tenant")
                .route(web::get().to(get_tenant))
                .route(web::patch().to(update_tenant)),
        )
        .service(
            resource("/users")
                .route(web::get().to(list_users))
                .route(web::post().to(create_user)),
        )
        .service(resource("/users/{id}").route(web::patch().to(update_user)))
        .service(
            resource("/api-tokens")
                .route(web::get().to(list_tokens))
                .route(web::post().to(create_token)),
        )
        .service(resource("/api-tokens/{id}").route(web::delete().to(revoke_token)));
}

/// Creates an organization and its owner.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, description = "Created", body = Session), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)))]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SignupRequest>,
) -> ApiResult<HttpResponse> {
    let meta = request_meta(&req, state.settings.trust_proxy);
    Ok(HttpResponse::Created().json(service::signup(&state, body.into_inner(), meta).await?))
}

/// Signs in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "OK", body = Session), (status = 401, description = "Not signed in, or the token is invalid or expired", body = Problem), (status = 429, description = "Rate limited; see Retry-After", body = Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let meta = request_meta(&req, state.settings.trust_proxy);
    Ok(HttpResponse::Ok().json(service::login(&state, body.into_inner(), meta).await?))
}

/// Exchanges a refresh token for a new pair; the old one is spent.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, description = "OK", body = Session), (status = 401, description = "Not signed in, or the token is invalid or expired", body = Problem)))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::refresh(&state, body.into_inner()).await?))
}

/// Ends the session of the given refresh token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204, description = "No content"), (status = 401, description = "Not signed in, or the token is invalid or expired", body = Problem)), security(("bearer" = [])))]
pub async fn logout(
    state: web::Data<AppState>,
    who: Authenticated,
    body: Option<web::Json<LogoutRequest>>,
) -> ApiResult<HttpResponse> {
    service::logout(
        &state,
        &who.0,
        body.map(|b| b.into_inner()).unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user and their tenant.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, description = "OK", body = Me), (status = 401, description = "Not signed in, or the token is invalid or expired", body = Problem)),
    security(("bearer" = [])))]
pub async fn me(state: web::Data<AppState>, who: Authenticated) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::me(&state, &who.0).await?))
}

/// The tenant's settings.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant", responses((status = 200, description = "OK", body = TenantSettingsView)),
    security(("bearer" = [])))]
pub async fn get_tenant(state: web::Data<AppState>, who: Authenticated) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::tenant_settings(&state, &who.0).await?))
}

/// Changes the tenant's name or tag prefix (owners).
#[utoipa::path(patch, path = "/api/v1/tenant", tag = "tenant", request_body = UpdateTenantRequest,
    responses((status = 200, description = "OK", body = TenantSettingsView), (status = 403, description = "The role does not allow this", body = Problem)), security(("bearer" = [])))]
pub async fn update_tenant(
    state: web::Data<AppState>,
    who: Authenticated,
    body: web::Json<UpdateTenantRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::update_tenant(&state, &who.0, body.into_inner()).await?))
}

/// The tenant's users (admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, description = "OK", body = Page<UserView>)), security(("bearer" = [])))]
pub async fn list_users(
    state: web::Data<AppState>,
    who: Authorized<UsersRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_users(&state, &who).await?,
        next_cursor: None,
    }))
}

/// Adds a user with a role and initial password (owners).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, description = "Created", body = UserView), (status = 409, description = "Conflict (duplicate or stale version)", body = Problem), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create_user(
    state: web::Data<AppState>,
    who: Authorized<UsersManage>,
    body: web::Json<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create_user(&state, &who, body.into_inner()).await?))
}

/// Changes a user's name, role or status (owners).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUserRequest,
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "OK", body = UserView), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn update_user(
    state: web::Data<AppState>,
    who: Authorized<UsersManage>,
    id: web::Path<UserId>,
    body: web::Json<UpdateUserRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(service::update_user(&state, &who, id.into_inner(), body.into_inner()).await?))
}

/// API tokens of the tenant (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api-tokens", responses((status = 200, description = "OK", body = Page<ApiTokenView>)), security(("bearer" = [])))]
pub async fn list_tokens(
    state: web::Data<AppState>,
    who: Authorized<ApiTokensManage>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Page {
        data: service::list_api_tokens(&state, &who).await?,
        next_cursor: None,
    }))
}

/// Creates an API token; the response is the only time its secret is shown.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api-tokens", request_body = CreateApiTokenRequest,
    responses((status = 201, description = "Created", body = CreatedApiToken), (status = 422, description = "Validation failed; `errors` names each field", body = Problem)), security(("bearer" = [])))]
pub async fn create_token(
    state: web::Data<AppState>,
    who: Authorized<ApiTokensManage>,
    body: web::Json<CreateApiTokenRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(service::create_api_token(&state, &who, body.into_inner()).await?))
}

/// Revokes an API token.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "No content"), (status = 404, description = "Not found (also for another tenant's ids)", body = Problem)), security(("bearer" = [])))]
pub async fn revoke_token(
    state: web::Data<AppState>,
    who: Authorized<ApiTokensManage>,
    id: web::Path<ApiTokenId>,
) -> ApiResult<HttpResponse> {
    service::revoke_api_token(&state, &who, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
