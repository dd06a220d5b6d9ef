//! The money side of assets: straight-line depreciation schedules as CSV for the books, and
//! purchase lines from a finance system becoming or enriching assets.

use std::collections::HashMap;
use std::fmt::Write as _;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entity::{asset, category};
use super::model::*;
use super::service::{cost_of, depreciation_months};
use crate::app::AppState;
use crate::platform::auth::{Action, Principal};
use crate::platform::error::ApiResult;

/// One CSV field: quoted when it holds a separator, a quote or a line break; a leading `=`,
/// `+`, `-` or `@` in text is defused so a spreadsheet does not run it as a formula.
fn field(out: &mut String, v: &str, text: bool) {
    let defused;
    let v = if text && v.starts_with(['=', '+', '-', '@']) {
        defused = format!("'{v}");
        defused.as_str()
    } else {
        v
    };
    if v.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

fn amount(minor: i64, currency: &str) -> String {
    Money {
        minor,
        currency: currency.to_owned(),
    }
    .view()
    .amount
}

/// The straight-line depreciation schedule of every live asset with a cost and a purchase
/// date, as CSV: one row per asset and month, oldest purchase first.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn depreciation_csv(state: &AppState, who: &Principal) -> ApiResult<String> {
    who.require(Action::AssetsWrite)?;
    let rows = asset::Entity::find()
        .filter(asset::Column::TenantId.eq(who.tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .filter(asset::Column::CostMinor.is_not_null())
        .filter(asset::Column::PurchaseDate.is_not_null())
        .order_by_asc(asset::Column::PurchaseDate)
        .order_by_asc(asset::Column::Tag)
        .all(&state.db)
        .await?;
    let cats: HashMap<Uuid, category::Model> = category::Entity::find()
        .filter(category::Column::TenantId.eq(who.tenant_id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut out = String::from(
        "asset_tag,asset_name,serial_number,category,purchase_date,cost,currency,months,period,period_end,depreciation,accumulated_depreciation,book_value\r\n",
    );
    for a in rows {
        let (Some(cost), Some(purchased)) = (cost_of(&a), a.purchase_date) else {
            continue;
        };
        let cat = a.category_id.and_then(|id| cats.get(&id));
        let months = depreciation_months(cat);
        for p in depreciation_schedule(cost.minor, months, purchased) {
            field(&mut out, &a.tag, true);
            out.push(',');
            field(&mut out, &a.name, true);
            out.push(',');
            field(&mut out, a.serial_number.as_deref().unwrap_or(""), true);
            out.push(',');
            field(&mut out, cat.map(|c| c.name.as_str()).unwrap_or(""), true);
            let _ = write!(
                out,
                ",{purchased},{},{},{months},{},{},{},{},{}\r\n",
                amount(cost.minor, &cost.currency),
                cost.currency,
                p.period,
                p.ends_on,
                amount(p.depreciation_minor, &cost.currency),
                amount(p.accumulated_minor, &cost.currency),
                amount(p.book_value_minor, &cost.currency),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut s = String::new();
        field(&mut s, "MacBook, 14\"", true);
        s.push('|');
        field(&mut s, "=HYPERLINK(1)", true);
        s.push('|');
        field(&mut s, "plain", true);
        assert_eq!(s, "\"MacBook, 14\"\"\"|'=HYPERLINK(1)|plain");
    }
}
