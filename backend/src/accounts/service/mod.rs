//! Account use-cases, by what they do: [`sessions`] (login, refresh rotation with reuse
//! detection, logout, bearer authentication), [`tenant`] (signup and the tenant's settings),
//! [`users`] and [`api_tokens`]. This file holds what they share: password hashing, the
//! principal of a user, and tenant-scoped lookups.

mod api_tokens;
mod sessions;
mod tenant;
mod users;

pub use api_tokens::{create_api_token, list_api_tokens, revoke_api_token};
pub use sessions::{authenticate, login, logout, refresh};
pub use tenant::{
    asset_tag_prefix, asset_tag_prefix_for, mdm_creates_assets, mdm_creates_assets_for, signup,
    tenant_settings, update_tenant,
};
pub use users::{
    active_user_email, active_user_id_by_email, create_user, list_users, me, principal_by_email,
    update_user,
};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::entity::{tenant as tenant_row, user};
use crate::platform::auth::{Actor, Principal, RequestMeta, Role};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{TenantId, UserId};

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
        tenant_id: u.tenant_id.into(),
        actor: Actor::User {
            id: u.id.into(),
            name: u.name.clone(),
            email: u.email.clone(),
        },
        role,
        meta,
    }
}

/// A user's principal with the role their row says.
fn principal_of(u: &user::Model, meta: RequestMeta) -> Principal {
    user_principal(u, Role::parse(&u.role).unwrap_or(Role::Viewer), meta)
}

async fn find_tenant(db: &DatabaseConnection, id: TenantId) -> ApiResult<tenant_row::Model> {
    tenant_row::Entity::find_by_id(id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))
}

async fn find_user<C: sea_orm::ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: UserId,
) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id.uuid())
        .filter(user::Column::TenantId.eq(who.tenant_id))
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Turns a parse's field errors into the 422 every client knows.
fn invalid(errors: crate::accounts::model::FieldErrors) -> ApiError {
    ApiError::validation(errors)
}
