//! REST endpoints of the audit log.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::{AuditEventView, ChainVerification};
use super::service::{self, AuditFilter};
use crate::platform::auth::{AuditRead, Authorized};
use crate::platform::error::{ApiResult, Problem};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::platform::http::resource;
    cfg.service(resource("/audit-events").route(web::get().to(list)))
        .service(resource("/audit-events/verify").route(web::get().to(verify)));
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// e.g. `asset.checked_out`.
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The audit log, newest first.
#[utoipa::path(operation_id = "list_audit_events", get, path = "/api/v1/audit-events", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "OK", body = Page<AuditEventView>), (status = 403, description = "The role does not allow this", body = Problem)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    who: Authorized<AuditRead>,
    q: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let f = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        action: q.action,
        actor_id: q.actor_id,
        since: q.since,
        until: q.until,
    };
    Ok(HttpResponse::Ok()
        .json(service::list(&state.db, &who, f, q.limit, q.cursor.as_deref()).await?))
}

/// Walks the tenant's hash chain and reports the first broken link.
#[utoipa::path(operation_id = "verify_audit_chain", get, path = "/api/v1/audit-events/verify", tag = "audit",
    responses((status = 200, description = "OK", body = ChainVerification), (status = 403, description = "The role does not allow this", body = Problem)), security(("bearer" = [])))]
pub async fn verify(
    state: web::Data<AppState>,
    who: Authorized<AuditRead>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::verify(&state.db, &who).await?))
}
