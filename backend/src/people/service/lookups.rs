//! Lookups other contexts make of people and places (re-exported by `people::published`):
//! employee records by id or email, and locations by id. No permission checks: callers are
//! use-cases that have already authorized their caller, or jobs acting for a tenant.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::super::entity::{employee, location};
use super::super::model::Employee;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::ids::{EmployeeId, LocationId, TenantId};

/// The tenant's employees among `ids`, by id; removed ones included (a workflow or an asset's
/// history may still name them).
pub async fn by_ids<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    ids: &[EmployeeId],
) -> ApiResult<HashMap<EmployeeId, Employee>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(employee::Entity::find()
        .filter(employee::Column::TenantId.eq(tenant_id))
        .filter(employee::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id.into(), e.into()))
        .collect())
}

/// The tenant's live employees whose email (lowercased) is among `emails`, by email.
pub async fn by_emails<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    emails: &[String],
) -> ApiResult<HashMap<String, Employee>> {
    if emails.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(employee::Entity::find()
        .filter(employee::Column::TenantId.eq(tenant_id))
        .filter(employee::Column::Email.is_in(emails.iter().cloned()))
        .filter(employee::Column::DeletedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.email.to_lowercase(), e.into()))
        .collect())
}

/// The tenant's live (not removed) employee `id`, if there is one.
pub async fn live_by_id<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: EmployeeId,
) -> ApiResult<Option<Employee>> {
    Ok(employee::Entity::find_by_id(id.uuid())
        .filter(employee::Column::TenantId.eq(tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .map(Into::into))
}

/// The ids of the tenant's live employee records with this email (any case): how a signed-in
/// member is matched to the person who holds assets.
pub async fn ids_by_email<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    email: &str,
) -> ApiResult<Vec<EmployeeId>> {
    Ok(employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .filter(employee::Column::TenantId.eq(tenant_id))
        .filter(employee::Column::Email.eq(email.to_lowercase()))
        .filter(employee::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// True when `id` is one of the tenant's locations.
pub async fn location_exists<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: LocationId,
) -> ApiResult<bool> {
    Ok(location::Entity::find_by_id(id.uuid())
        .filter(location::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .is_some())
}

/// The names of the tenant's locations among `ids`, by id (one query).
pub async fn location_names<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    ids: impl IntoIterator<Item = LocationId>,
) -> ApiResult<HashMap<LocationId, String>> {
    Ok(db::tenant_rows_by_ids::<location::Entity, _>(
        conn,
        location::Column::TenantId,
        location::Column::Id,
        tenant_id,
        ids.into_iter().map(LocationId::uuid),
        |m| m.id,
    )
    .await?
    .into_iter()
    .map(|(id, l)| (id.into(), l.name))
    .collect())
}
