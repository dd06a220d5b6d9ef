//! The tenant: signup (a new organization, its owner, their first session) and the tenant's
//! settings (name, asset tag prefix, what an MDM sync does with unknown devices).

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{find_tenant, hash_password, invalid, user_principal};
use crate::accounts::entity::{tenant, user};
use crate::accounts::model::*;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal, RequestMeta, Role};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::TenantId;
use crate::platform::state::AppState;
use crate::platform::tokens;

/// Creates a tenant and its owner, and signs the owner in.
#[tracing::instrument(skip_all)]
pub async fn signup(state: &AppState, req: SignupRequest, meta: RequestMeta) -> ApiResult<Session> {
    let NewSignup {
        organization_name: org,
        name,
        email,
        password,
    } = NewSignup::parse(req).map_err(invalid)?;
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
    db::lock_tenant(&txn, t.id.into()).await?;
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
    let session = super::sessions::issue_session(state, &txn, &t, &u, Uuid::now_v7()).await?;
    txn.commit().await?;
    Ok(session)
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
    tenant_id: TenantId,
) -> ApiResult<bool> {
    Ok(tenant::Entity::find_by_id(tenant_id.uuid())
        .one(conn)
        .await?
        .map(|t| mdm_creates_assets(&t))
        .unwrap_or(true))
}

/// The prefix of the tenant's generated asset tags (see [`asset_tag_prefix`]); `AST` for a
/// tenant that does not exist.
pub async fn asset_tag_prefix_for<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
) -> ApiResult<String> {
    Ok(tenant::Entity::find_by_id(tenant_id.uuid())
        .one(conn)
        .await?
        .map(|t| asset_tag_prefix(&t))
        .unwrap_or_else(|| "AST".to_owned()))
}

fn settings_view(t: &tenant::Model) -> TenantSettingsView {
    TenantSettingsView {
        id: t.id.into(),
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
    let patch = TenantPatch::parse(req).map_err(invalid)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = tenant::Entity::find_by_id(who.tenant_id.uuid())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let mut settings = before.settings.clone();
    if let (Some(p), Some(obj)) = (&patch.asset_tag_prefix, settings.as_object_mut()) {
        obj.insert("asset_tag_prefix".into(), json!(p));
    }
    if let (Some(b), Some(obj)) = (patch.mdm_creates_assets, settings.as_object_mut()) {
        obj.insert("mdm_creates_assets".into(), json!(b));
    }
    let mut am = before.clone().into_active_model();
    if let Some(n) = patch.name {
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
            changes: crate::audit::published::diff(&view(&before), &view(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(settings_view(&after))
}
