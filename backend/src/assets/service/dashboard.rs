//! The dashboard's numbers: counts by status and category, warranties running out.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::catalog::categories_by_ids;
use super::{live, member_employee_ids};
use crate::assets::entity::asset;
use crate::assets::model::*;
use crate::platform::auth::{Action, Principal};
use crate::platform::error::ApiResult;
use crate::platform::ids::CategoryId;
use crate::platform::state::AppState;

/// The dashboard's numbers over the assets the caller may see.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn dashboard(state: &AppState, who: &Principal) -> ApiResult<DashboardView> {
    who.require(Action::AssetsRead)?;
    let generated_at = crate::platform::clock::now();
    let today = generated_at.date_naive();
    let mut base = live(who);
    if let Some(email) = who.holds_only() {
        let mine = member_employee_ids(&state.db, who, email).await?;
        base = base.filter(asset::Column::AssignedEmployeeId.is_in(mine));
    }
    let count = || Expr::col(asset::Column::Id).count();
    let by_status_rows: Vec<(String, i64)> = base
        .clone()
        .select_only()
        .column(asset::Column::Status)
        .column_as(count(), "n")
        .group_by(asset::Column::Status)
        .into_tuple()
        .all(&state.db)
        .await?;
    let status_count = |s: AssetStatus| {
        by_status_rows
            .iter()
            .filter(|(k, _)| k == s.as_str())
            .map(|(_, n)| *n)
            .sum::<i64>()
    };
    let by_status: Vec<StatusCount> = AssetStatus::ALL
        .into_iter()
        .map(|s| StatusCount {
            status: s,
            count: status_count(s),
        })
        .collect();
    let in_service = [
        AssetStatus::InStock,
        AssetStatus::Assigned,
        AssetStatus::InTransit,
        AssetStatus::InRepair,
    ]
    .map(AssetStatus::as_str);
    let warranties = |from: Option<NaiveDate>, until: NaiveDate| {
        let mut q = base
            .clone()
            .filter(asset::Column::Status.is_in(in_service))
            .filter(asset::Column::WarrantyEnd.lt(until));
        if let Some(from) = from {
            q = q.filter(asset::Column::WarrantyEnd.gte(from));
        }
        q.select_only()
            .column_as(count(), "n")
            .into_tuple::<i64>()
            .one(&state.db)
    };
    let warranty_expired = warranties(None, today).await?.unwrap_or(0);
    let warranty_expiring_30_days = warranties(Some(today), today + chrono::Days::new(30))
        .await?
        .unwrap_or(0);
    let warranty_expiring_90_days = warranties(Some(today), today + chrono::Days::new(90))
        .await?
        .unwrap_or(0);
    let by_category_rows: Vec<(Option<Uuid>, i64)> = base
        .select_only()
        .column(asset::Column::CategoryId)
        .column_as(count(), "n")
        .group_by(asset::Column::CategoryId)
        .into_tuple()
        .all(&state.db)
        .await?;
    let names = categories_by_ids(
        state,
        who,
        &by_category_rows
            .iter()
            .filter_map(|(id, _)| id.map(CategoryId::from))
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut by_category: Vec<CategoryCount> = by_category_rows
        .into_iter()
        .map(|(id, count)| CategoryCount {
            category: id.map(|id| NamedRef {
                id,
                name: names
                    .get(&CategoryId::from(id))
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
            }),
            count,
        })
        .collect();
    // Largest first; among equals by name, with the uncategorized last.
    by_category.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| match (&a.category, &b.category) {
                (Some(x), Some(y)) => x.name.cmp(&y.name),
                (x, y) => x.is_none().cmp(&y.is_none()),
            })
    });
    Ok(DashboardView {
        total_assets: by_status.iter().map(|s| s.count).sum(),
        assigned: status_count(AssetStatus::Assigned),
        in_stock: status_count(AssetStatus::InStock),
        by_status,
        warranty_expiring_30_days,
        warranty_expiring_90_days,
        warranty_expired,
        by_category,
        generated_at,
    })
}
