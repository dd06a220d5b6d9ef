//! Account use-cases: signup, login, refresh rotation with reuse detection, logout, users,
//! API tokens and tenant settings; and `authenticate`, which turns a bearer into a Principal.

use std::num::NonZeroU32;
use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::Duration as ChronoDuration;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::entity::{api_token, refresh_token, tenant, user};
use super::model::*;
use super::tokens::{self, API_TOKEN_PREFIX, Claims, TokenError};
use crate::app::AppState;
use crate::audit::service::{self as audit, Entry};
use crate::platform::auth::{Action, Actor, Principal, RequestMeta, Role};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code, is_unique_violation};
use crate::platform::validation::{self as v, Errors};

/// Login attempts allowed per account and per client address.
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let ip_n = NonZeroU32::new(per_minute.max(1).saturating_mul(3)).unwrap_or(NonZeroU32::MIN);
        Self {
            per_account: RateLimiter::keyed(Quota::per_minute(n)),
            per_ip: RateLimiter::keyed(Quota::per_minute(ip_n)),
        }
    }

    fn check(&self, email: &str, ip: Option<&str>) -> ApiResult<()> {
        let now = DefaultClock::default().now();
        let wait = |nu: governor::NotUntil<_>| {
            ApiError::rate_limited(nu.wait_time_from(now).as_secs() + 1)
        };
        self.per_account
            .check_key(&email.to_owned())
            .map_err(wait)?;
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip.to_owned()).map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets idle keys so the maps stay small.
    pub fn shrink(&self) {
        self.per_account.retain_recent();
        self.per_ip.retain_recent();
    }
}

async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

async fn password_matches(password: String, hash: String) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// A hash to verify against when the account does not exist, so both paths cost the same.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W2ws0Iu0Ua0cS+m0vBv2Ifa+JtsoYxD5HRczwlP8wdg";

fn user_principal(u: &user::Model, role: Role, meta: RequestMeta) -> Principal {
    Principal {
        tenant_id: u.tenant_id,
        actor: Actor::User {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
        },
        role,
        meta,
    }
}

/// Issues an access token and a new refresh token in `family`, inside `conn`'s transaction.
async fn issue_session<C: sea_orm::ConnectionTrait>(
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

/// Creates a tenant and its owner, and signs the owner in.
#[tracing::instrument(skip_all)]
pub async fn signup(state: &AppState, req: SignupRequest, meta: RequestMeta) -> ApiResult<Session> {
    let mut errs = Errors::default();
    let org = errs.take(v::required_text(
        "organization_name",
        &req.organization_name,
        120,
    ));
    let name = errs.take(v::required_text("name", &req.name, 120));
    let email = errs.take(v::email("email", &req.email));
    let password = errs.take(v::password("password", &req.password));
    errs.finish()?;
    let (Some(org), Some(name), Some(email), Some(password)) = (org, name, email, password) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let password_hash = hash_password(password).await?;
    let now = crate::platform::clock::now();
    let base = slugify(&org);
    let mut slug = base.clone();
    let txn = db::begin_untenanted_write(&state.db).await?;
    while tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(&slug))
        .one(&txn)
        .await?
        .is_some()
    {
        slug = format!(
            "{base}-{}",
            &tokens::hash_token(&Uuid::new_v4().to_string())[..6]
        );
    }
    let t = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug),
        name: Set(org),
        settings: Set(json!({"asset_tag_prefix": "AST"})),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    db::lock_tenant(&txn, t.id).await?;
    let u = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(t.id),
        email: Set(email),
        name: Set(name),
        role: Set(Role::Owner.as_str().into()),
        password_hash: Set(password_hash),
        status: Set("active".into()),
        last_login_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let who = user_principal(&u, Role::Owner, meta);
    audit::record(
        &txn,
        &who,
        Entry {
            action: "tenant.created",
            entity_type: "tenant",
            entity_id: Some(t.id),
            changes: json!({"name": {"from": null, "to": t.name}, "slug": {"from": null, "to": t.slug}}),
        },
    )
    .await?;
    audit::record(
        &txn,
        &who,
        Entry {
            action: "user.created",
            entity_type: "user",
            entity_id: Some(u.id),
            changes: json!({"email": {"from": null, "to": u.email}, "role": {"from": null, "to": "owner"}}),
        },
    )
    .await?;
    let session = issue_session(state, &txn, &t, &u, Uuid::now_v7()).await?;
    txn.commit().await?;
    Ok(session)
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
    let role = Role::parse(&u.role).unwrap_or(Role::Viewer);
    let who = user_principal(&u, role, meta);
    let txn = db::begin_write(&state.db, t.id).await?;
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
    let txn = db::begin_write(&state.db, rt.tenant_id).await?;
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
        revoke_family(&txn, rt.tenant_id, rt.family_id).await?;
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

async fn revoke_family<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
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
            tenant_id: t.tenant_id,
            actor: Actor::ApiToken {
                id: t.id,
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
    let role = Role::parse(&u.role).unwrap_or(Role::Viewer);
    Ok(user_principal(&u, role, RequestMeta::default()))
}

async fn find_tenant(db: &DatabaseConnection, id: Uuid) -> ApiResult<tenant::Model> {
    tenant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))
}

async fn find_user<C: sea_orm::ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: Uuid,
) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(who.tenant_id))
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))
}

/// The caller and their tenant. API tokens have no user: they get a synthetic one.
pub async fn me(state: &AppState, who: &Principal) -> ApiResult<Me> {
    let t = find_tenant(&state.db, who.tenant_id).await?;
    let user = match &who.actor {
        Actor::User { id, .. } => UserView::from(&find_user(&state.db, who, *id).await?),
        other => UserView {
            id: other.id().unwrap_or_default(),
            email: String::new(),
            name: other.name().to_owned(),
            role: who.role,
            status: "active".into(),
            last_login_at: None,
            created_at: t.created_at,
        },
    };
    Ok(Me {
        user,
        tenant: (&t).into(),
    })
}

pub async fn list_users(state: &AppState, who: &Principal) -> ApiResult<Vec<UserView>> {
    who.require(Action::UsersRead)?;
    let rows = user::Entity::find()
        .filter(user::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(user::Column::Email)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(UserView::from).collect())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create_user(
    state: &AppState,
    who: &Principal,
    req: CreateUserRequest,
) -> ApiResult<UserView> {
    who.require(Action::UsersManage)?;
    let mut errs = Errors::default();
    let email = errs.take(v::email("email", &req.email));
    let name = errs.take(v::required_text("name", &req.name, 120));
    let role = errs.take(Role::from_field("role", &req.role));
    let password = errs.take(v::password("password", &req.password));
    errs.finish()?;
    let (Some(email), Some(name), Some(role), Some(password)) = (email, name, role, password)
    else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let hash = hash_password(password).await?;
    let now = crate::platform::clock::now();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let u = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        email: Set(email),
        name: Set(name),
        role: Set(role.as_str().into()),
        password_hash: Set(hash),
        status: Set("active".into()),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::new(
                Code::DuplicateEmail,
                "a user with this email already exists",
            )
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "user.created",
            entity_type: "user",
            entity_id: Some(u.id),
            changes: json!({"email": {"from": null, "to": u.email}, "role": {"from": null, "to": u.role}, "name": {"from": null, "to": u.name}}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((&u).into())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update_user(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    req: UpdateUserRequest,
) -> ApiResult<UserView> {
    who.require(Action::UsersManage)?;
    let mut errs = Errors::default();
    let name = req
        .name
        .as_deref()
        .and_then(|n| errs.take(v::required_text("name", n, 120)));
    let role = req
        .role
        .as_deref()
        .and_then(|r| errs.take(Role::from_field("role", r)));
    if let Some(s) = req.status.as_deref()
        && s != "active"
        && s != "disabled"
    {
        errs.add("status", "invalid_choice", "must be active or disabled");
    }
    errs.finish()?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find_user(&txn, who, id).await?;
    let demoting_owner = before.role == "owner"
        && (role.is_some_and(|r| r != Role::Owner) || req.status.as_deref() == Some("disabled"));
    if demoting_owner {
        let owners = user::Entity::find()
            .filter(user::Column::TenantId.eq(who.tenant_id))
            .filter(user::Column::Role.eq("owner"))
            .filter(user::Column::Status.eq("active"))
            .all(&txn)
            .await?
            .len();
        if owners <= 1 {
            return Err(ApiError::new(
                Code::Conflict,
                "a tenant must keep at least one active owner",
            ));
        }
    }
    let mut am = before.clone().into_active_model();
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(r) = role {
        am.role = Set(r.as_str().into());
    }
    if let Some(s) = req.status {
        am.status = Set(s);
    }
    am.updated_at = Set(crate::platform::clock::now());
    let after = am.update(&txn).await?;
    if after.status == "disabled" {
        refresh_token::Entity::update_many()
            .col_expr(
                refresh_token::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(crate::platform::clock::now()),
            )
            .filter(refresh_token::Column::TenantId.eq(who.tenant_id))
            .filter(refresh_token::Column::UserId.eq(after.id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    let view = |u: &user::Model| json!({"name": u.name, "role": u.role, "status": u.status});
    audit::record(
        &txn,
        who,
        Entry {
            action: "user.updated",
            entity_type: "user",
            entity_id: Some(id),
            changes: crate::audit::model::diff(&view(&before), &view(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((&after).into())
}

pub async fn list_api_tokens(state: &AppState, who: &Principal) -> ApiResult<Vec<ApiTokenView>> {
    who.require(Action::ApiTokensManage)?;
    let rows = api_token::Entity::find()
        .filter(api_token::Column::TenantId.eq(who.tenant_id))
        .order_by_desc(api_token::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(ApiTokenView::from).collect())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create_api_token(
    state: &AppState,
    who: &Principal,
    req: CreateApiTokenRequest,
) -> ApiResult<CreatedApiToken> {
    who.require(Action::ApiTokensManage)?;
    let mut errs = Errors::default();
    let name = errs.take(v::required_text("name", &req.name, 120));
    let role = match req.role.as_deref() {
        None => Some(Role::Viewer),
        Some(r) => errs.take(Role::from_field("role", r)),
    };
    if role.is_some_and(|r| r > who.role) {
        errs.add(
            "role",
            "above_own_role",
            "a token cannot have a higher role than its creator",
        );
    }
    if req
        .expires_at
        .is_some_and(|e| e <= crate::platform::clock::now())
    {
        errs.add("expires_at", "in_the_past", "must be in the future");
    }
    errs.finish()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let secret = format!("{API_TOKEN_PREFIX}{}", tokens::random_token(32));
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let t = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        name: Set(name),
        prefix: Set(secret.chars().take(12).collect()),
        token_hash: Set(tokens::hash_token(&secret)),
        role: Set(role.as_str().into()),
        created_by: Set(who.actor.id().unwrap_or_default()),
        created_at: Set(crate::platform::clock::now()),
        last_used_at: Set(None),
        expires_at: Set(req.expires_at),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "api_token.created",
            entity_type: "api_token",
            entity_id: Some(t.id),
            changes: json!({"name": {"from": null, "to": t.name}, "role": {"from": null, "to": t.role}}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedApiToken {
        info: t.into(),
        token: secret,
    })
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn revoke_api_token(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<()> {
    who.require(Action::ApiTokensManage)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let t = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("API token"))?;
    if t.revoked_at.is_none() {
        let mut am = t.into_active_model();
        am.revoked_at = Set(Some(crate::platform::clock::now()));
        am.update(&txn).await?;
        audit::record(
            &txn,
            who,
            Entry {
                action: "api_token.revoked",
                entity_type: "api_token",
                entity_id: Some(id),
                changes: json!({}),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The tenant's prefix for generated asset tags.
pub fn asset_tag_prefix(t: &tenant::Model) -> String {
    t.settings
        .get("asset_tag_prefix")
        .and_then(|v| v.as_str())
        .unwrap_or("AST")
        .to_owned()
}

/// Whether an MDM sync creates in-stock assets for devices it does not know (default yes).
pub fn mdm_creates_assets(t: &tenant::Model) -> bool {
    t.settings
        .get("mdm_creates_assets")
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// The tenant's setting for devices with unknown serial numbers (see [`mdm_creates_assets`]).
pub async fn mdm_creates_assets_for<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
) -> ApiResult<bool> {
    Ok(tenant::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .map(|t| mdm_creates_assets(&t))
        .unwrap_or(true))
}

fn settings_view(t: &tenant::Model) -> TenantSettingsView {
    TenantSettingsView {
        id: t.id,
        slug: t.slug.clone(),
        name: t.name.clone(),
        asset_tag_prefix: asset_tag_prefix(t),
        mdm_creates_assets: mdm_creates_assets(t),
        created_at: t.created_at,
    }
}

pub async fn tenant_settings(state: &AppState, who: &Principal) -> ApiResult<TenantSettingsView> {
    let t = find_tenant(&state.db, who.tenant_id).await?;
    Ok(settings_view(&t))
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update_tenant(
    state: &AppState,
    who: &Principal,
    req: UpdateTenantRequest,
) -> ApiResult<TenantSettingsView> {
    who.require(Action::TenantManage)?;
    let mut errs = Errors::default();
    let name = req
        .name
        .as_deref()
        .and_then(|n| errs.take(v::required_text("name", n, 120)));
    let prefix = req
        .asset_tag_prefix
        .as_deref()
        .map(str::trim)
        .map(str::to_uppercase);
    if let Some(p) = &prefix
        && (p.is_empty() || p.len() > 10 || !p.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        errs.add(
            "asset_tag_prefix",
            "invalid_format",
            "must be 1 to 10 letters or digits",
        );
    }
    errs.finish()?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = tenant::Entity::find_by_id(who.tenant_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let mut settings = before.settings.clone();
    if let (Some(p), Some(obj)) = (&prefix, settings.as_object_mut()) {
        obj.insert("asset_tag_prefix".into(), json!(p));
    }
    if let (Some(b), Some(obj)) = (req.mdm_creates_assets, settings.as_object_mut()) {
        obj.insert("mdm_creates_assets".into(), json!(b));
    }
    let mut am = before.clone().into_active_model();
    if let Some(n) = name {
        am.name = Set(n);
    }
    am.settings = Set(settings);
    am.updated_at = Set(crate::platform::clock::now());
    let after = am.update(&txn).await?;
    let view = |t: &tenant::Model| json!({"name": t.name, "asset_tag_prefix": asset_tag_prefix(t), "mdm_creates_assets": mdm_creates_assets(t)});
    audit::record(
        &txn,
        who,
        Entry {
            action: "tenant.updated",
            entity_type: "tenant",
            entity_id: Some(after.id),
            changes: crate::audit::model::diff(&view(&before), &view(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(settings_view(&after))
}

/// Shared handle type for the limiter in application state.
pub type SharedLoginLimiter = Arc<LoginLimiter>;

/// The active user of the tenant with this email, if any (e.g. to route an approval to an
/// employee's manager when the manager has an account).
pub async fn active_user_id_by_email<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    email: &str,
) -> ApiResult<Option<Uuid>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email.to_lowercase()))
        .filter(user::Column::Status.eq("active"))
        .one(conn)
        .await?
        .map(|u| u.id))
}

/// The principal of the tenant's active user with this email, with the user's own role: how a
/// person known to another system (a Slack member, by their address there) acts in Assetronics.
/// `None` when no active user of the tenant has the address.
pub async fn principal_by_email<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    email: &str,
) -> ApiResult<Option<Principal>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .filter(user::Column::Status.eq("active"))
        .one(conn)
        .await?
        .map(|u| {
            let role = Role::parse(&u.role).unwrap_or(Role::Viewer);
            user_principal(&u, role, RequestMeta::default())
        }))
}

/// The email address of the tenant's active user `id`, if any.
pub async fn active_user_email<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    id: Uuid,
) -> ApiResult<Option<String>> {
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Status.eq("active"))
        .one(conn)
        .await?
        .map(|u| u.email))
}
