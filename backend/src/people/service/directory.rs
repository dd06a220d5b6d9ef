//! The directory's departments and locations: list, create, rename or replace, remove, and
//! the batch lookups GraphQL's data loaders use.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::entity::{department, location};
use super::super::error::{PeopleError, unique_or};
use super::super::model::*;
use crate::audit::published::diff;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::ids::{DepartmentId, LocationId};
use crate::platform::state::AppState;

fn department_view(d: department::Model) -> DepartmentView {
    DepartmentView {
        id: d.id.into(),
        name: d.name,
        created_at: d.created_at,
    }
}

fn location_view(l: location::Model) -> LocationView {
    LocationView {
        id: l.id.into(),
        name: l.name,
        address: l.address,
        city: l.city,
        country: l.country,
        created_at: l.created_at,
    }
}

pub async fn list_departments(state: &AppState, who: &Principal) -> ApiResult<Vec<DepartmentView>> {
    who.require(Action::PeopleRead)?;
    Ok(department::Entity::find()
        .filter(department::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(department::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(department_view)
        .collect())
}

/// Creates (`id` = None) or renames a department.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn save_department(
    state: &AppState,
    who: &Principal,
    id: Option<DepartmentId>,
    fields: DepartmentFields,
) -> ApiResult<DepartmentView> {
    who.require(Action::CatalogWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let now = crate::platform::clock::now();
    let (before, am) = match id {
        None => (
            Value::Null,
            department::ActiveModel {
                id: Set(DepartmentId::new().uuid()),
                tenant_id: Set(who.tenant_id.uuid()),
                name: Set(fields.name),
                created_at: Set(now),
                updated_at: Set(now),
            },
        ),
        Some(id) => {
            let d = department::Entity::find_by_id(id.uuid())
                .filter(department::Column::TenantId.eq(who.tenant_id))
                .one(&txn)
                .await?
                .ok_or(PeopleError::NotFound("department"))?;
            let before = json!({"name": d.name});
            let mut am = d.into_active_model();
            am.name = Set(fields.name);
            am.updated_at = Set(now);
            (before, am)
        }
    };
    let saved = if id.is_some() {
        am.update(&txn).await
    } else {
        am.insert(&txn).await
    };
    let d = saved.map_err(unique_or(PeopleError::DuplicateName))?;
    let action = if id.is_some() {
        "department.updated"
    } else {
        "department.created"
    };
    audit::record(
        &txn,
        who,
        Entry {
            action,
            entity_type: "department",
            entity_id: Some(d.id),
            changes: diff(&before, &json!({"name": d.name})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(department_view(d))
}

/// The departments among `ids` in the caller's tenant.
pub async fn departments_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[DepartmentId],
) -> ApiResult<HashMap<DepartmentId, DepartmentView>> {
    who.require(Action::PeopleRead)?;
    let rows = db::tenant_rows_by_ids::<department::Entity, _>(
        &state.db,
        department::Column::TenantId,
        department::Column::Id,
        who.tenant_id,
        ids.iter().map(|id| id.uuid()),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, d)| (id.into(), department_view(d)))
        .collect())
}

/// The locations among `ids` in the caller's tenant.
pub async fn locations_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[LocationId],
) -> ApiResult<HashMap<LocationId, LocationView>> {
    who.require(Action::AssetsRead)?;
    let rows = db::tenant_rows_by_ids::<location::Entity, _>(
        &state.db,
        location::Column::TenantId,
        location::Column::Id,
        who.tenant_id,
        ids.iter().map(|id| id.uuid()),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, l)| (id.into(), location_view(l)))
        .collect())
}

pub async fn list_locations(state: &AppState, who: &Principal) -> ApiResult<Vec<LocationView>> {
    who.require(Action::AssetsRead)?;
    Ok(location::Entity::find()
        .filter(location::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(location::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(location_view)
        .collect())
}

/// Creates (`id` = None) or replaces a location's fields.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn save_location(
    state: &AppState,
    who: &Principal,
    id: Option<LocationId>,
    fields: LocationFields,
) -> ApiResult<LocationView> {
    who.require(Action::CatalogWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let now = crate::platform::clock::now();
    let snap = |l: &location::Model| json!({"name": l.name, "address": l.address, "city": l.city, "country": l.country});
    let (before, mut am) = match id {
        None => (
            Value::Null,
            location::ActiveModel {
                id: Set(LocationId::new().uuid()),
                tenant_id: Set(who.tenant_id.uuid()),
                created_at: Set(now),
                ..Default::default()
            },
        ),
        Some(id) => {
            let l = location::Entity::find_by_id(id.uuid())
                .filter(location::Column::TenantId.eq(who.tenant_id))
                .one(&txn)
                .await?
                .ok_or(PeopleError::NotFound("location"))?;
            (snap(&l), l.into_active_model())
        }
    };
    am.name = Set(fields.name);
    am.address = Set(fields.address);
    am.city = Set(fields.city);
    am.country = Set(fields.country);
    am.updated_at = Set(now);
    let saved = if id.is_some() {
        am.update(&txn).await
    } else {
        am.insert(&txn).await
    };
    let l = saved.map_err(unique_or(PeopleError::DuplicateName))?;
    let action = if id.is_some() {
        "location.updated"
    } else {
        "location.created"
    };
    audit::record(
        &txn,
        who,
        Entry {
            action,
            entity_type: "location",
            entity_id: Some(l.id),
            changes: diff(&before, &snap(&l)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(location_view(l))
}

/// Deletes a named catalog row (department, location) of the caller's tenant and audits it;
/// rows that referred to it keep existing, without it (the foreign keys set it to null).
async fn delete_named<E: EntityTrait>(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    kind: &'static str,
    tenant_col: E::Column,
    id_col: E::Column,
    name_of: fn(&E::Model) -> String,
) -> ApiResult<()> {
    who.require(Action::CatalogWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let row = E::find()
        .filter(tenant_col.eq(who.tenant_id))
        .filter(id_col.eq(id))
        .one(&txn)
        .await?
        .ok_or(PeopleError::NotFound(kind))?;
    E::delete_many()
        .filter(tenant_col.eq(who.tenant_id))
        .filter(id_col.eq(id))
        .exec(&txn)
        .await?;
    let action = format!("{kind}.deleted");
    audit::record(
        &txn,
        who,
        Entry {
            action: &action,
            entity_type: kind,
            entity_id: Some(id),
            changes: json!({"name": {"from": name_of(&row), "to": null}}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a department; its employees keep working, without a department.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete_department(
    state: &AppState,
    who: &Principal,
    id: DepartmentId,
) -> ApiResult<()> {
    use department::Column as C;
    delete_named::<department::Entity>(
        state,
        who,
        id.uuid(),
        "department",
        C::TenantId,
        C::Id,
        |d| d.name.clone(),
    )
    .await
}

/// Deletes a location; assets and employees there keep existing, without a location.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete_location(state: &AppState, who: &Principal, id: LocationId) -> ApiResult<()> {
    use location::Column as C;
    delete_named::<location::Entity>(state, who, id.uuid(), "location", C::TenantId, C::Id, |l| {
        l.name.clone()
    })
    .await
}
