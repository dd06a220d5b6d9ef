//! Reading the inventory: the filtered, sorted, keyset-paginated list, many assets by id (for
//! loaders), and the live stream of changes a caller may see.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition as Cond, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{TOPIC, live, member_employee_ids, views};
use crate::assets::entity::asset;
use crate::assets::model::*;
use crate::platform::auth::{Action, Principal};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{AssetId, AssetModelId, CategoryId, EmployeeId, LocationId};
use crate::platform::pagination::{self, Cursor, Page};
use crate::platform::state::AppState;

/// Filters of the asset list; all optional, combined with AND.
#[derive(Default, Debug)]
pub struct AssetFilter {
    pub status: Vec<AssetStatus>,
    pub category_id: Option<CategoryId>,
    pub model_id: Option<AssetModelId>,
    pub location_id: Option<LocationId>,
    pub assigned_to: Option<EmployeeId>,
    pub warranty_before: Option<NaiveDate>,
    pub q: Option<String>,
}

/// The sort orders the list supports; each is backed by an index ending in `id`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SortField {
    CreatedAt,
    Tag,
    Name,
    UpdatedAt,
    WarrantyEnd,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sort {
    pub field: SortField,
    pub desc: bool,
}

impl Sort {
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let raw = raw.unwrap_or("created_at");
        let (desc, name) = match raw.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, raw),
        };
        let field = match name {
            "created_at" => SortField::CreatedAt,
            "tag" => SortField::Tag,
            "name" => SortField::Name,
            "updated_at" => SortField::UpdatedAt,
            "warranty_end" => SortField::WarrantyEnd,
            _ => {
                return Err(ApiError::field(
                    "sort",
                    "invalid_choice",
                    "must be one of created_at, tag, name, updated_at, warranty_end (prefix - for descending)",
                ));
            }
        };
        Ok(Self { field, desc })
    }
    fn key(&self) -> String {
        let n = match self.field {
            SortField::CreatedAt => "created_at",
            SortField::Tag => "tag",
            SortField::Name => "name",
            SortField::UpdatedAt => "updated_at",
            SortField::WarrantyEnd => "warranty_end",
        };
        if self.desc {
            format!("-{n}")
        } else {
            n.to_owned()
        }
    }
}

/// Lists assets with keyset pagination over the chosen sort.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn list(
    state: &AppState,
    who: &Principal,
    f: AssetFilter,
    sort: Sort,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<AssetView>> {
    who.require(Action::AssetsRead)?;
    let limit = pagination::limit(limit)?;
    let mut q = live(who);
    if let Some(email) = who.holds_only() {
        let mine = member_employee_ids(&state.db, who, email).await?;
        q = q.filter(asset::Column::AssignedEmployeeId.is_in(mine));
    }
    if !f.status.is_empty() {
        q = q.filter(asset::Column::Status.is_in(f.status.iter().map(|s| s.as_str())));
    }
    if let Some(id) = f.category_id {
        q = q.filter(asset::Column::CategoryId.eq(id));
    }
    if let Some(id) = f.model_id {
        q = q.filter(asset::Column::ModelId.eq(id));
    }
    if let Some(id) = f.location_id {
        q = q.filter(asset::Column::LocationId.eq(id));
    }
    if let Some(id) = f.assigned_to {
        q = q.filter(asset::Column::AssignedEmployeeId.eq(id));
    }
    if let Some(d) = f.warranty_before {
        q = q.filter(asset::Column::WarrantyEnd.lt(d));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!(
            "%{}%",
            text.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q = q.filter(
            Expr::col(asset::Column::SearchText)
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    let key = sort.key();
    let col = match sort.field {
        SortField::CreatedAt => None,
        SortField::Tag => Some(asset::Column::Tag),
        SortField::Name => Some(asset::Column::Name),
        SortField::UpdatedAt => Some(asset::Column::UpdatedAt),
        SortField::WarrantyEnd => Some(asset::Column::WarrantyEnd),
    };
    if let Some(c) = cursor {
        let c = Cursor::decode(c, &key)?;
        q = match col {
            None => q.filter(if sort.desc {
                asset::Column::Id.lt(c.id)
            } else {
                asset::Column::Id.gt(c.id)
            }),
            Some(col) => {
                let value = cursor_value(sort.field, c.v.as_deref())?;
                q.filter(keyset(col, value, c.id, sort.desc))
            }
        };
    }
    let order = if sort.desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    if let Some(col) = col {
        // NULLs first ascending and last descending, on both databases, as `keyset` assumes.
        let nulls = if sort.desc {
            sea_orm::sea_query::NullOrdering::Last
        } else {
            sea_orm::sea_query::NullOrdering::First
        };
        q = q.order_by_with_nulls(col, order.clone(), nulls);
    }
    let mut rows = q
        .order_by(asset::Column::Id, order)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let data = views(&state.db, who.tenant_id, rows).await?;
    let next_cursor = if more {
        data.last().map(|a| cursor_for(sort, a))
    } else {
        None
    };
    Ok(Page { data, next_cursor })
}

/// The cursor that continues a list sorted by `sort` after asset `a`: what `next_cursor` is for
/// a page's last asset, and what GraphQL gives every edge.
pub fn cursor_for(sort: Sort, a: &AssetView) -> String {
    let v = match sort.field {
        SortField::CreatedAt => None,
        SortField::Tag => Some(a.tag.clone()),
        SortField::Name => Some(a.name.clone()),
        SortField::UpdatedAt => Some(a.updated_at.to_rfc3339()),
        SortField::WarrantyEnd => a.warranty_end.map(|d| d.to_string()),
    };
    Cursor {
        s: sort.key(),
        v,
        id: a.id.uuid(),
    }
    .encode()
}

fn cursor_value(field: SortField, raw: Option<&str>) -> ApiResult<sea_orm::Value> {
    let bad = || {
        ApiError::field(
            "cursor",
            "invalid",
            "the cursor is not one this list returned",
        )
    };
    Ok(match field {
        SortField::UpdatedAt => {
            let s = raw.ok_or_else(bad)?;
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| bad())?
                .with_timezone(&Utc)
                .into()
        }
        SortField::WarrantyEnd => match raw {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| bad())?
                .into(),
            None => sea_orm::Value::ChronoDate(None),
        },
        _ => raw.ok_or_else(bad)?.to_owned().into(),
    })
}

/// Rows strictly after `(value, id)` in the sort order. NULLs sort first ascending (SQLite and
/// PostgreSQL disagree by default, so NULLs are handled explicitly).
fn keyset(col: asset::Column, value: sea_orm::Value, id: Uuid, desc: bool) -> Cond {
    let id_after = if desc {
        asset::Column::Id.lt(id)
    } else {
        asset::Column::Id.gt(id)
    };
    if value_is_null(&value) {
        return if desc {
            Cond::all().add(col.is_null()).add(id_after)
        } else {
            Cond::any()
                .add(col.is_not_null())
                .add(Cond::all().add(col.is_null()).add(id_after))
        };
    }
    let beyond = if desc {
        Expr::col(col).lt(value.clone())
    } else {
        Expr::col(col).gt(value.clone())
    };
    let mut c = Cond::any()
        .add(beyond)
        .add(Cond::all().add(Expr::col(col).eq(value)).add(id_after));
    if desc {
        c = c.add(col.is_null());
    }
    c
}

fn value_is_null(v: &sea_orm::Value) -> bool {
    matches!(
        v,
        sea_orm::Value::ChronoDate(None) | sea_orm::Value::String(None)
    )
}

/// The live assets among `ids` that the caller may see (a member: only what they hold), for
/// resolving many references at once.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get_many(
    state: &AppState,
    who: &Principal,
    ids: &[AssetId],
) -> ApiResult<HashMap<AssetId, AssetView>> {
    who.require(Action::AssetsRead)?;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = live(who).filter(asset::Column::Id.is_in(ids.iter().map(|id| id.uuid())));
    if let Some(email) = who.holds_only() {
        let mine = member_employee_ids(&state.db, who, email).await?;
        q = q.filter(asset::Column::AssignedEmployeeId.is_in(mine));
    }
    let rows = q.all(&state.db).await?;
    Ok(views(&state.db, who.tenant_id, rows)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Whether the caller may see an asset as shown (for pushed events, where no query runs): a
/// member sees only what they hold, everyone else who reads assets sees all of the tenant's.
pub fn may_see(who: &Principal, a: &AssetView) -> bool {
    if !who.can(Action::AssetsRead) {
        return false;
    }
    match who.holds_only() {
        None => true,
        Some(email) => a
            .assigned_to
            .as_ref()
            .is_some_and(|h| !email.is_empty() && h.email.eq_ignore_ascii_case(email)),
    }
}

/// One change of an asset, as pushed to subscribers.
#[derive(Clone, Debug)]
pub struct AssetChange {
    /// `asset_created`, `asset_updated`, `asset_deleted`, `asset_checked_out`, `asset_checked_in`.
    pub event: String,
    pub asset: AssetView,
}

/// Every asset change committed in the caller's tenant from now on that the caller may see.
pub fn changes(
    state: &AppState,
    who: &Principal,
) -> ApiResult<impl futures::Stream<Item = AssetChange> + Send + use<>> {
    use futures::StreamExt;
    who.require(Action::AssetsRead)?;
    let who = who.clone();
    Ok(state
        .events
        .stream(who.tenant_id, TOPIC)
        .filter_map(move |e| {
            let change = serde_json::from_value::<AssetView>(e.payload["asset"].clone())
                .ok()
                .filter(|a| may_see(&who, a))
                .map(|asset| AssetChange {
                    event: e.event.clone(),
                    asset,
                });
            futures::future::ready(change)
        }))
}
