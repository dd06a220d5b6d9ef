//! The tenant's users: who the caller is, listing, adding and changing users (keeping one
//! active owner), and finding a user by email or id for other contexts.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{find_tenant, find_user, hash_password, invalid, principal_of};
use crate::accounts::entity::{refresh_token, user};
use crate::accounts::model::*;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Actor, Principal, RequestMeta, Role};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code, is_unique_violation};
use crate::platform::ids::{TenantId, UserId};
use crate::platform::state::AppState;

/// The caller and their tenant. API tokens have no user: they get a synthetic one.
pub async fn me(state: &AppState, who: &Principal) -> ApiResult<Me> {
    let t = find_tenant(&state.db, who.tenant_id).await?;
    let user = match &who.actor {
        Actor::User { id, .. } => UserView::from(&find_user(&state.db, who, *id).await?),
        other => UserView {
            id: other.id().unwrap_or_default().into(),
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
    let NewUser {
        email,
        name,
        role,
        password,
    } = NewUser::parse(req).map_err(invalid)?;
    let hash = hash_password(password).await?;
    let now = crate::platform::clock::now();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let u = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id.uuid()),
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
    id: UserId,
    req: UpdateUserRequest,
) -> ApiResult<UserView> {
    who.require(Action::UsersManage)?;
    let UserPatch { name, role, status } = UserPatch::parse(req).map_err(invalid)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find_user(&txn, who, id).await?;
    let demoting_owner = before.role == "owner"
        && (role.is_some_and(|r| r != Role::Owner) || status == Some(UserStatus::Disabled));
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
    if let Some(s) = status {
        am.status = Set(s.as_str().into());
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
            entity_id: Some(id.uuid()),
            changes: crate::audit::published::diff(&view(&before), &view(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((&after).into())
}

/// The active user of the tenant with this email, if any (e.g. to route an approval to an
/// employee's manager when the manager has an account).
pub async fn active_user_id_by_email<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    email: &str,
) -> ApiResult<Option<UserId>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email.to_lowercase()))
        .filter(user::Column::Status.eq("active"))
        .one(conn)
        .await?
        .map(|u| u.id.into()))
}

/// The principal of the tenant's active user with this email, with the user's own role: how a
/// person known to another system (a Slack member, by their address there) acts in Assetronics.
/// `None` when no active user of the tenant has the address.
pub async fn principal_by_email<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    email: &str,
) -> ApiResult<Option<Principal>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .filter(user::Column::Status.eq("active"))
        .one(conn)
        .await?
        .map(|u| principal_of(&u, RequestMeta::default())))
}

/// The email address of the tenant's active user `id`, if any.
pub async fn active_user_email<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: UserId,
) -> ApiResult<Option<String>> {
    Ok(user::Entity::find_by_id(id.uuid())
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Status.eq("active"))
        .one(conn)
        .await?
        .map(|u| u.email))
}
