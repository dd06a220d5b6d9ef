//! API tokens of integrators: listing (never their secrets), creating (the only time the
//! secret is shown) and revoking.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::invalid;
use crate::accounts::entity::api_token;
use crate::accounts::model::*;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::ApiTokenId;
use crate::platform::state::AppState;
use crate::platform::tokens::{self, API_TOKEN_PREFIX};

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
    let NewApiToken {
        name,
        role,
        expires_at,
    } = NewApiToken::parse(req, who.role, crate::platform::clock::now()).map_err(invalid)?;
    let secret = format!("{API_TOKEN_PREFIX}{}", tokens::random_token(32));
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let t = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id.uuid()),
        name: Set(name),
        prefix: Set(secret.chars().take(12).collect()),
        token_hash: Set(tokens::hash_token(&secret)),
        role: Set(role.as_str().into()),
        created_by: Set(who.actor.id().unwrap_or_default()),
        created_at: Set(crate::platform::clock::now()),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
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
pub async fn revoke_api_token(state: &AppState, who: &Principal, id: ApiTokenId) -> ApiResult<()> {
    who.require(Action::ApiTokensManage)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let t = api_token::Entity::find_by_id(id.uuid())
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
                entity_id: Some(id.uuid()),
                changes: json!({}),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
