//! Sessions: login with a password, refresh-token rotation (a token presented twice revokes its
//! family), logout, and turning a bearer (access JWT or API token) into a principal.

use chrono::Duration as ChronoDuration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{DUMMY_HASH, password_matches, principal_of};
use crate::accounts::entity::{api_token, refresh_token, tenant, user};
use crate::accounts::model::*;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Actor, Principal, RequestMeta, Role};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code};
use crate::platform::ids::TenantId;
use crate::platform::state::AppState;
use crate::platform::tokens::{self, API_TOKEN_PREFIX, Claims, TokenError};
use crate::platform::validation as v;

/// Issues an access token and a new refresh token in `family`, inside `conn`'s transaction.
pub(super) async fn issue_session<C: sea_orm::ConnectionTrait>(
    state: &AppState,
    conn: &C,
    t: &tenant::Model,
    u: &user::Model,
    family: Uuid,
) -> ApiResult<Session> {
    let now = crate::platform::clock::now();
    let ttl = state.settings.access_token_ttl.as_secs();
    let claims = Claims {
        sub: u.id,
        tid: t.id,
        role: u.role.clone(),
        exp: now.timestamp() + ttl as i64,
        iat: now.timestamp(),
        jti: Uuid::now_v7(),
    };
    let access_token = state.keys.sign(&claims).map_err(ApiError::internal)?;
    let refresh = tokens::random_token(32);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(t.id),
        user_id: Set(u.id),
        family_id: Set(family),
        token_hash: Set(tokens::hash_token(&refresh)),
        expires_at: Set(
            now + ChronoDuration::seconds(state.settings.refresh_token_ttl.as_secs() as i64)
        ),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(Session {
        tenant: t.into(),
        user: u.into(),
        access_token,
        refresh_token: refresh,
        token_type: "Bearer",
        expires_in: ttl,
    })
}

/// Checks a password and opens a session.
#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, req: LoginRequest, meta: RequestMeta) -> ApiResult<Session> {
    let email = v::email("email", &req.email).map_err(|e| ApiError::validation(vec![e]))?;
    state.login_limiter.check(&email, meta.ip.as_deref())?;
    let mut candidates = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .filter(user::Column::Status.eq("active"))
        .all(&state.db)
        .await?;
    if let Some(slug) = req.tenant.as_deref().filter(|s| !s.trim().is_empty()) {
        let t = tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug.trim()))
            .one(&state.db)
            .await?;
        let tid = t.map(|t| t.id);
        candidates.retain(|u| Some(u.tenant_id) == tid);
    }
    if candidates.len() > 1 {
        return Err(ApiError::field(
            "tenant",
            "required",
            "this email belongs to several organizations: send the organization's slug as `tenant`",
        ));
    }
    let found = candidates.pop();
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.into());
    let ok = password_matches(req.password, hash).await?;
    let (Some(u), true) = (found, ok) else {
        return Err(ApiError::new(
            Code::InvalidCredentials,
            "email or password is wrong",
        ));
    };
    let t = tenant::Entity::find_by_id(u.tenant_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let who = principal_of(&u, meta);
    let txn = db::begin_write(&state.db, t.id.into()).await?;
    let mut am = u.clone().into_active_model();
    am.last_login_at = Set(Some(crate::platform::clock::now()));
    let u = am.update(&txn).await?;
    audit::record(
        &txn,
        &who,
        Entry {
            action: "user.logged_in",
            entity_type: "user",
            entity_id: Some(u.id),
            changes: json!({}),
        },
    )
    .await?;
    let session = issue_session(state, &txn, &t, &u, Uuid::now_v7()).await?;
    txn.commit().await?;
    Ok(session)
}

/// Rotates a refresh token. A token presented a second time revokes its whole family: it was
/// stolen, or the client is broken, and either way every session descending from it ends.
#[tracing::instrument(skip_all)]
pub async fn refresh(state: &AppState, req: RefreshRequest) -> ApiResult<Session> {
    let hash = tokens::hash_token(req.refresh_token.trim());
    let rt = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::new(Code::TokenInvalid, "unknown refresh token"))?;
    let now = crate::platform::clock::now();
    let txn = db::begin_write(&state.db, rt.tenant_id.into()).await?;
    let spent = refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(refresh_token::Column::Id.eq(rt.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected == 0 {
        revoke_family(&txn, rt.tenant_id.into(), rt.family_id).await?;
        txn.commit().await?;
        tracing::warn!(tenant_id = %rt.tenant_id, user_id = %rt.user_id, "refresh token reused; family revoked");
        return Err(ApiError::new(
            Code::RefreshTokenReused,
            "this refresh token was already used; sign in again",
        ));
    }
    if rt.expires_at < now {
        return Err(ApiError::new(
            Code::TokenExpired,
            "the refresh token has expired; sign in again",
        ));
    }
    let u = user::Entity::find_by_id(rt.user_id)
        .filter(user::Column::TenantId.eq(rt.tenant_id))
        .filter(user::Column::Status.eq("active"))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::new(Code::TokenInvalid, "the account is disabled"))?;
    let t = tenant::Entity::find_by_id(rt.tenant_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let session = issue_session(state, &txn, &t, &u, rt.family_id).await?;
    txn.commit().await?;
    Ok(session)
}

/// Revokes every live refresh token of a family.
pub(super) async fn revoke_family<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    family: Uuid,
) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(crate::platform::clock::now()),
        )
        .filter(refresh_token::Column::TenantId.eq(tenant_id))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends the session the refresh token belongs to (its whole family).
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn logout(state: &AppState, who: &Principal, req: LogoutRequest) -> ApiResult<()> {
    let Some(token) = req.refresh_token else {
        return Ok(());
    };
    let rt = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::hash_token(token.trim())))
        .filter(refresh_token::Column::TenantId.eq(who.tenant_id))
        .one(&state.db)
        .await?;
    if let Some(rt) = rt.filter(|rt| Some(rt.user_id) == who.actor.id()) {
        let txn = db::begin_write(&state.db, who.tenant_id).await?;
        revoke_family(&txn, who.tenant_id, rt.family_id).await?;
        audit::record(
            &txn,
            who,
            Entry {
                action: "user.logged_out",
                entity_type: "user",
                entity_id: who.actor.id(),
                changes: json!({}),
            },
        )
        .await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Turns a bearer (access JWT or API token) into a principal, checking the account is live.
pub async fn authenticate(state: &AppState, bearer: &str) -> ApiResult<Principal> {
    if let Some(rest) = bearer.strip_prefix(API_TOKEN_PREFIX) {
        if rest.is_empty() {
            return Err(ApiError::new(Code::TokenInvalid, "malformed API token"));
        }
        let t = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(tokens::hash_token(bearer)))
            .one(&state.db)
            .await?
            .filter(|t| t.revoked_at.is_none())
            .ok_or_else(|| ApiError::new(Code::TokenInvalid, "unknown or revoked API token"))?;
        let now = crate::platform::clock::now();
        if t.expires_at.is_some_and(|e| e < now) {
            return Err(ApiError::new(
                Code::TokenExpired,
                "the API token has expired",
            ));
        }
        if t.last_used_at
            .is_none_or(|l| now - l > ChronoDuration::seconds(60))
        {
            let mut am = t.clone().into_active_model();
            am.last_used_at = Set(Some(now));
            // Bookkeeping only: a failure here must not fail the request.
            if let Err(e) = am.update(&state.db).await {
                tracing::warn!(error = %e, "could not record API token use");
            }
        }
        return Ok(Principal {
            tenant_id: t.tenant_id.into(),
            actor: Actor::ApiToken {
                id: t.id.into(),
                name: t.name.clone(),
            },
            role: Role::parse(&t.role).unwrap_or(Role::Viewer),
            meta: RequestMeta::default(),
        });
    }
    let claims = state.keys.verify(bearer).map_err(|e| match e {
        TokenError::Expired => ApiError::new(
            Code::TokenExpired,
            "the access token has expired; refresh it",
        ),
        TokenError::Invalid => ApiError::new(Code::TokenInvalid, "the access token is not valid"),
    })?;
    let u = user::Entity::find_by_id(claims.sub)
        .filter(user::Column::TenantId.eq(claims.tid))
        .one(&state.db)
        .await?
        .filter(|u| u.status == "active")
        .ok_or_else(|| {
            ApiError::new(
                Code::TokenInvalid,
                "the account no longer exists or is disabled",
            )
        })?;
    Ok(principal_of(&u, RequestMeta::default()))
}
