//! The catalog: asset categories (with their depreciation period) and manufacturers' models,
//! and looking them up by id for loaders and the dashboard.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::check_refs;
use crate::assets::entity::{asset_model, category};
use crate::assets::error::AssetError;
use crate::assets::model::*;
use crate::audit::published::diff;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, is_unique_violation};
use crate::platform::ids::{AssetModelId, CategoryId};
use crate::platform::state::AppState;

/// A write the unique index on names refused is a duplicate name; any other failure is what it
/// is.
fn duplicate_name_or(e: sea_orm::DbErr) -> ApiError {
    if is_unique_violation(&e) {
        AssetError::DuplicateName.into()
    } else {
        e.into()
    }
}

fn category_view(c: category::Model) -> CategoryView {
    CategoryView {
        id: c.id.into(),
        name: c.name,
        depreciation_months: c.depreciation_months,
        created_at: c.created_at,
    }
}

fn model_view(m: asset_model::Model) -> ModelView {
    ModelView {
        id: m.id.into(),
        name: m.name,
        manufacturer: m.manufacturer,
        model_number: m.model_number,
        category_id: m.category_id.map(CategoryId::from),
        created_at: m.created_at,
    }
}

/// The categories among `ids` that exist in the caller's tenant.
pub async fn categories_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[CategoryId],
) -> ApiResult<HashMap<CategoryId, CategoryView>> {
    who.require(Action::AssetsRead)?;
    let rows = db::tenant_rows_by_ids::<category::Entity, _>(
        &state.db,
        category::Column::TenantId,
        category::Column::Id,
        who.tenant_id,
        ids.iter().map(|id| id.uuid()),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, c)| (id.into(), category_view(c)))
        .collect())
}

/// The models among `ids` that exist in the caller's tenant.
pub async fn models_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[AssetModelId],
) -> ApiResult<HashMap<AssetModelId, ModelView>> {
    who.require(Action::AssetsRead)?;
    let rows = db::tenant_rows_by_ids::<asset_model::Entity, _>(
        &state.db,
        asset_model::Column::TenantId,
        asset_model::Column::Id,
        who.tenant_id,
        ids.iter().map(|id| id.uuid()),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, m)| (id.into(), model_view(m)))
        .collect())
}

pub async fn list_categories(
    db: &DatabaseConnection,
    who: &Principal,
) -> ApiResult<Vec<CategoryView>> {
    who.require(Action::AssetsRead)?;
    let rows = category::Entity::find()
        .filter(category::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(category::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(category_view).collect())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create_category(
    state: &AppState,
    who: &Principal,
    req: CategoryInput,
) -> ApiResult<CategoryView> {
    who.require(Action::CatalogWrite)?;
    let fields = CategoryFields::parse(req).map_err(AssetError::Invalid)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let now = crate::platform::clock::now();
    let c = category::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id.uuid()),
        name: Set(fields.name),
        depreciation_months: Set(fields.depreciation_months),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(duplicate_name_or)?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "category.created",
            entity_type: "category",
            entity_id: Some(c.id),
            changes: json!({"name": {"from": null, "to": c.name}}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(category_view(c))
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update_category(
    state: &AppState,
    who: &Principal,
    id: CategoryId,
    req: CategoryInput,
) -> ApiResult<CategoryView> {
    who.require(Action::CatalogWrite)?;
    let fields = CategoryFields::parse(req).map_err(AssetError::Invalid)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = category::Entity::find_by_id(id.uuid())
        .filter(category::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AssetError::NotFound("category"))?;
    let mut am = before.clone().into_active_model();
    am.name = Set(fields.name);
    am.depreciation_months = Set(fields.depreciation_months);
    am.updated_at = Set(crate::platform::clock::now());
    let after = am.update(&txn).await.map_err(duplicate_name_or)?;
    let snap =
        |c: &category::Model| json!({"name": c.name, "depreciation_months": c.depreciation_months});
    audit::record(
        &txn,
        who,
        Entry {
            action: "category.updated",
            entity_type: "category",
            entity_id: Some(id.uuid()),
            changes: diff(&snap(&before), &snap(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(category_view(after))
}

pub async fn list_models(db: &DatabaseConnection, who: &Principal) -> ApiResult<Vec<ModelView>> {
    who.require(Action::AssetsRead)?;
    let rows = asset_model::Entity::find()
        .filter(asset_model::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(asset_model::Column::Manufacturer)
        .order_by_asc(asset_model::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(model_view).collect())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create_model(
    state: &AppState,
    who: &Principal,
    req: ModelInput,
) -> ApiResult<ModelView> {
    who.require(Action::CatalogWrite)?;
    let category_id = req.category_id;
    let parsed = NewModel::parse(req);
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let mut errs = parsed.as_ref().err().cloned().unwrap_or_default();
    let refs = AssetRefs {
        category_id,
        ..AssetRefs::default()
    };
    check_refs(&txn, who.tenant_id, &mut errs, refs).await?;
    let new = match parsed {
        Ok(new) if errs.is_empty() => new,
        _ => return Err(AssetError::Invalid(errs).into()),
    };
    let now = crate::platform::clock::now();
    let m = asset_model::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id.uuid()),
        category_id: Set(new.category_id.map(CategoryId::uuid)),
        manufacturer: Set(new.manufacturer),
        name: Set(new.name),
        model_number: Set(new.model_number),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(duplicate_name_or)?;
    audit::record(&txn, who, Entry {
        action: "model.created",
        entity_type: "model",
        entity_id: Some(m.id),
        changes: json!({"name": {"from": null, "to": m.name}, "manufacturer": {"from": null, "to": m.manufacturer}}),
    })
    .await?;
    txn.commit().await?;
    Ok(model_view(m))
}
