//! `Idempotency-Key` on POST: the same key with the same body returns the first response and
//! changes nothing again; the same key with another body is a 422; a retry while the first
//! request still runs is a 409. Keys are scoped to the caller and kept for 24 hours.
//!
//! Auth endpoints are exempt: their responses hold fresh secrets, which are never stored.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set,
};
use sha2::{Digest, Sha256};

use super::auth::principal_of;
use super::error::{ApiError, Code, is_unique_violation};
use crate::platform::state::AppState;

/// Keys older than this are forgotten.
pub const RETENTION_HOURS: i64 = 24;
/// A claim older than this with no response is taken to be from a crashed process.
const STALE_CLAIM_SECS: i64 = 300;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub principal: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub method: String,
        pub path: String,
        pub request_hash: String,
        pub response_status: Option<i32>,
        pub response_body: Option<String>,
        pub response_content_type: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity as idem;

fn fail(req: ServiceRequest, e: ApiError) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    Ok(req.into_response(e.error_response()))
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or("").trim().to_owned());
    let exempt = req.method() != Method::POST || req.path().starts_with("/api/v1/auth/");
    let Some(key) = key.filter(|_| !exempt) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return fail(
            req,
            ApiError::field(
                "Idempotency-Key",
                "invalid_format",
                "must be 1 to 255 visible characters, e.g. a UUID",
            ),
        );
    }
    let Ok(principal) = principal_of(req.request()).await else {
        // Unauthenticated: the handler answers 401 and nothing is stored.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return fail(req, ApiError::internal("application state missing"));
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(b) => b,
        Err(_) => {
            return fail(
                req,
                ApiError::new(Code::PayloadTooLarge, "the body is too large"),
            );
        }
    };
    req.set_payload(Payload::from(body.clone()));
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update([0]);
    h.update(&path);
    h.update([0]);
    h.update(&body);
    let request_hash = hex::encode(h.finalize());
    let scope = principal.idempotency_scope();

    match claim(
        &state.db,
        principal.tenant_id.uuid(),
        &scope,
        &key,
        req.method().as_str(),
        &path,
        &request_hash,
    )
    .await
    {
        Ok(Claim::Fresh) => {}
        Ok(Claim::Existing(row)) => {
            if row.request_hash != request_hash {
                return fail(
                    req,
                    ApiError::new(
                        Code::IdempotencyKeyReused,
                        "this Idempotency-Key was used with a different request",
                    ),
                );
            }
            let Some(status) = row.response_status else {
                return fail(
                    req,
                    ApiError::new(
                        Code::IdempotencyInProgress,
                        "the first request with this key is still running",
                    ),
                );
            };
            let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
            let mut res = HttpResponse::build(status);
            res.insert_header(("Idempotent-Replayed", "true"));
            if let Some(ct) = row.response_content_type.clone() {
                res.content_type(ct);
            }
            return Ok(req.into_response(res.body(row.response_body.clone().unwrap_or_default())));
        }
        Err(e) => return fail(req, e.into()),
    }

    let res = next.call(req).await?;
    let status = res.status();
    let (http_req, res) = res.into_parts();
    let content_type = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (head, body) = res.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(b) => b,
        Err(_) => {
            forget(&state.db, principal.tenant_id.uuid(), &scope, &key).await;
            return Ok(ServiceResponse::new(
                http_req,
                ApiError::bare(Code::Internal).error_response(),
            ));
        }
    };
    if status.is_server_error() {
        // Nothing was committed that a retry would repeat; let the client try again.
        forget(&state.db, principal.tenant_id.uuid(), &scope, &key).await;
    } else {
        let stored = idem::Entity::update_many()
            .col_expr(
                idem::Column::ResponseStatus,
                sea_orm::sea_query::Expr::value(status.as_u16() as i32),
            )
            .col_expr(
                idem::Column::ResponseBody,
                sea_orm::sea_query::Expr::value(String::from_utf8_lossy(&bytes).into_owned()),
            )
            .col_expr(
                idem::Column::ResponseContentType,
                sea_orm::sea_query::Expr::value(content_type),
            )
            .filter(idem::Column::TenantId.eq(principal.tenant_id))
            .filter(idem::Column::Principal.eq(&scope))
            .filter(idem::Column::Key.eq(&key))
            .exec(&state.db)
            .await;
        if let Err(e) = stored {
            tracing::error!(error = %e, "could not store idempotent response");
        }
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

enum Claim {
    Fresh,
    Existing(Box<idem::Model>),
}

async fn claim(
    db: &DatabaseConnection,
    tenant_id: uuid::Uuid,
    scope: &str,
    key: &str,
    method: &str,
    path: &str,
    request_hash: &str,
) -> Result<Claim, DbErr> {
    let row = idem::ActiveModel {
        tenant_id: Set(tenant_id),
        principal: Set(scope.to_owned()),
        key: Set(key.to_owned()),
        method: Set(method.to_owned()),
        path: Set(path.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        response_status: Set(None),
        response_body: Set(None),
        response_content_type: Set(None),
        created_at: Set(crate::platform::clock::now()),
    };
    match row.insert(db).await {
        Ok(_) => Ok(Claim::Fresh),
        Err(e) if is_unique_violation(&e) => {
            let existing = idem::Entity::find_by_id((tenant_id, scope.to_owned(), key.to_owned()))
                .one(db)
                .await?;
            match existing {
                Some(r)
                    if r.response_status.is_none()
                        && crate::platform::clock::now() - r.created_at
                            > Duration::seconds(STALE_CLAIM_SECS) =>
                {
                    // The process that claimed it died before answering: take the claim over.
                    let taken = idem::Entity::update_many()
                        .col_expr(
                            idem::Column::CreatedAt,
                            sea_orm::sea_query::Expr::value(crate::platform::clock::now()),
                        )
                        .filter(idem::Column::TenantId.eq(tenant_id))
                        .filter(idem::Column::Principal.eq(scope))
                        .filter(idem::Column::Key.eq(key))
                        .filter(idem::Column::CreatedAt.eq(r.created_at))
                        .exec(db)
                        .await?;
                    Ok(if taken.rows_affected == 1 {
                        Claim::Fresh
                    } else {
                        Claim::Existing(Box::new(r))
                    })
                }
                Some(r) => Ok(Claim::Existing(Box::new(r))),
                None => Err(DbErr::Custom(
                    "idempotency key vanished while claimed".into(),
                )),
            }
        }
        Err(e) => Err(e),
    }
}

async fn forget(db: &DatabaseConnection, tenant_id: uuid::Uuid, scope: &str, key: &str) {
    let r = idem::Entity::delete_many()
        .filter(idem::Column::TenantId.eq(tenant_id))
        .filter(idem::Column::Principal.eq(scope))
        .filter(idem::Column::Key.eq(key))
        .exec(db)
        .await;
    if let Err(e) = r {
        tracing::error!(error = %e, "could not release idempotency key");
    }
}

/// Deletes keys past their retention; run periodically.
pub async fn purge_expired<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let cutoff = crate::platform::clock::now() - Duration::hours(RETENTION_HOURS);
    Ok(idem::Entity::delete_many()
        .filter(idem::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
