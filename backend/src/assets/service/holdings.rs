//! What people hold and what can be handed out: the assets an employee holds (for people and
//! workflows), an in-stock asset to reserve, and an asset's brief (tag, status, holder).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{live, member_employee_ids, views};
use crate::assets::entity::{asset, category};
use crate::assets::model::*;
use crate::platform::auth::{Action, Principal};
use crate::platform::error::ApiResult;
use crate::platform::ids::{AssetId, EmployeeId, TenantId};
use crate::platform::state::AppState;

/// What each of `employee_ids` holds now, for callers who may read assets (members: only what
/// they hold themselves). Every id is in the map, with an empty list when it holds nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn held_by_many(
    state: &AppState,
    who: &Principal,
    employee_ids: &[EmployeeId],
) -> ApiResult<HashMap<EmployeeId, Vec<AssetView>>> {
    who.require(Action::AssetsRead)?;
    let mut ids: Vec<Uuid> = employee_ids.iter().map(|id| id.uuid()).collect();
    if let Some(email) = who.holds_only() {
        let mine = member_employee_ids(&state.db, who, email).await?;
        ids.retain(|id| mine.contains(id));
    }
    let mut out: HashMap<EmployeeId, Vec<AssetView>> =
        employee_ids.iter().map(|id| (*id, Vec::new())).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = live(who)
        .filter(asset::Column::AssignedEmployeeId.is_in(ids))
        .order_by_asc(asset::Column::Id)
        .all(&state.db)
        .await?;
    for a in views(&state.db, who.tenant_id, rows).await? {
        if let Some(holder) = &a.assigned_to {
            out.entry(holder.id).or_default().push(a);
        }
    }
    Ok(out)
}

/// What an employee holds now.
pub async fn held_by<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    employee_id: EmployeeId,
) -> ApiResult<Vec<AssetView>> {
    let rows = asset::Entity::find()
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .filter(asset::Column::AssignedEmployeeId.eq(employee_id))
        .order_by_asc(asset::Column::Id)
        .all(conn)
        .await?;
    views(conn, tenant_id, rows).await
}

/// An in-stock asset of the named category that is not among `exclude` (assets already spoken
/// for), oldest first: what an onboarding reserves.
pub async fn reservable<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    category_name: &str,
    exclude: impl IntoIterator<Item = AssetId>,
) -> ApiResult<Option<(AssetId, String)>> {
    let wanted = category_name.trim().to_lowercase();
    let Some(cat) = category::Entity::find()
        .filter(category::Column::TenantId.eq(tenant_id))
        .all(conn)
        .await?
        .into_iter()
        .find(|c| c.name.to_lowercase() == wanted)
    else {
        return Ok(None);
    };
    let mut q = asset::Entity::find()
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .filter(asset::Column::CategoryId.eq(cat.id))
        .filter(asset::Column::Status.eq(AssetStatus::InStock.as_str()));
    let exclude: Vec<Uuid> = exclude.into_iter().map(AssetId::uuid).collect();
    if !exclude.is_empty() {
        q = q.filter(asset::Column::Id.is_not_in(exclude));
    }
    Ok(q.order_by_asc(asset::Column::Id)
        .one(conn)
        .await?
        .map(|a| (a.id.into(), a.tag)))
}

/// An asset's id, tag, status and holder, if it exists in the tenant.
pub async fn brief<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    id: AssetId,
) -> ApiResult<Option<(String, AssetStatus, Option<EmployeeId>)>> {
    Ok(asset::Entity::find_by_id(id.uuid())
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .map(|a| {
            (
                a.tag,
                AssetStatus::parse(&a.status).unwrap_or(AssetStatus::InStock),
                a.assigned_employee_id.map(EmployeeId::from),
            )
        }))
}
