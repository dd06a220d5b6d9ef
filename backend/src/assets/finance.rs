//! The money side of assets: straight-line depreciation schedules as CSV for the books, and
//! purchase lines from a finance system becoming or enriching assets.

use std::collections::HashMap;
use std::fmt::Write as _;

use assetronics_integrations::finance::PurchaseLine;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::entity::{asset, category};
use super::model::*;
use super::service::{cost_of, depreciation_months, generate_tag, record, search_text};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::ids::IntegrationId;
use crate::platform::state::AppState;

/// What applying a batch of purchase lines did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PurchaseStats {
    /// Assets created for serial numbers the inventory did not have.
    pub created: u64,
    /// Assets whose purchase facts were filled in or changed.
    pub updated: u64,
    pub unchanged: u64,
    /// Lines naming no serial number (accessories by the box, software, services) or refunds.
    pub ignored: u64,
}

impl PurchaseStats {
    pub fn add(&mut self, o: PurchaseStats) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.ignored += o.ignored;
    }
}

fn asset_name(l: &PurchaseLine, serial: &str) -> String {
    let name = l
        .item
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| l.description.trim());
    // The description often ends with the serial ("MacBook Pro 14, SN: JMF000000017").
    let name = name
        .split([',', ';'])
        .next()
        .unwrap_or(name)
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    if name.is_empty() {
        format!("Purchased device {serial}")
    } else {
        name
    }
}

/// Applies one batch of purchase lines in one transaction. A line naming a serial number
/// enriches the asset with that serial: it gets the fields it lacks (cost, supplier, order
/// number, purchase date) and is tied to the line; what people typed is never overwritten. A serial the inventory lacks becomes an in-stock asset. The first
/// line naming a serial wins (a purchase order and the bill that repeats it enrich once). Only
/// real changes are written, audited and published.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, lines = lines.len()))]
pub async fn apply_purchase_lines(
    state: &AppState,
    who: &Principal,
    integration_id: IntegrationId,
    lines: &[PurchaseLine],
) -> ApiResult<PurchaseStats> {
    let mut stats = PurchaseStats::default();
    let usable: Vec<(&PurchaseLine, String)> = lines
        .iter()
        .filter_map(|l| {
            let serial = l.serial_number.as_deref()?.trim().to_uppercase();
            (!serial.is_empty() && l.unit_cost_cents >= 0 && l.amount_cents >= 0)
                .then_some((l, serial))
        })
        .collect();
    stats.ignored = (lines.len() - usable.len()) as u64;
    if usable.is_empty() {
        return Ok(stats);
    }
    let tenant_id = who.tenant_id;
    let txn = db::begin_write(&state.db, tenant_id).await?;
    let mut by_serial =
        super::devices::live_by_serial(&txn, tenant_id, usable.iter().map(|(_, s)| s.as_str()))
            .await?;
    let now = clock::now();
    for (l, serial) in usable {
        let supplier = l.supplier.clone().filter(|s| !s.trim().is_empty());
        let order = l.document_number.clone().filter(|s| !s.trim().is_empty());
        match by_serial.get(&serial).cloned() {
            Some(before) => {
                let ours = before.finance_line_id.as_deref() == Some(l.external_id.as_str());
                if before.finance_line_id.is_some() && !ours {
                    stats.unchanged += 1;
                    continue;
                }
                let mut am = before.clone().into_active_model();
                let mut changed = false;
                macro_rules! put {
                    ($col:ident, $val:expr) => {
                        if before.$col.is_none() {
                            let v = $val;
                            if before.$col != v {
                                am.$col = Set(v);
                                changed = true;
                            }
                        }
                    };
                }
                if before.cost_minor.is_none() {
                    if before.cost_minor != Some(l.unit_cost_cents) {
                        am.cost_minor = Set(Some(l.unit_cost_cents));
                        changed = true;
                    }
                    if before.cost_currency.as_deref() != Some(l.currency.as_str()) {
                        am.cost_currency = Set(Some(l.currency.clone()));
                        changed = true;
                    }
                }
                put!(supplier, supplier.clone());
                put!(order_number, order.clone());
                put!(purchase_date, Some(l.date));
                if !ours {
                    am.finance_integration_id = Set(Some(integration_id.uuid()));
                    am.finance_line_id = Set(Some(l.external_id.clone()));
                    changed = true;
                }
                if changed {
                    am.updated_at = Set(now);
                    am.version = Set(before.version + 1);
                    let after = am.update(&txn).await?;
                    record(
                        &txn,
                        who,
                        "asset.purchase_synced",
                        "asset_updated",
                        Some(&before),
                        &after,
                    )
                    .await?;
                    by_serial.insert(serial, after);
                    stats.updated += 1;
                } else {
                    stats.unchanged += 1;
                }
            }
            None => {
                let tag = generate_tag(&txn, tenant_id).await?;
                let name = asset_name(l, &serial);
                let row = asset::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant_id.uuid()),
                    search_text: Set(search_text(&tag, &name, Some(&serial), None)),
                    tag: Set(tag),
                    name: Set(name),
                    serial_number: Set(Some(serial.clone())),
                    status: Set(AssetStatus::InStock.as_str().into()),
                    purchase_date: Set(Some(l.date)),
                    cost_minor: Set(Some(l.unit_cost_cents)),
                    cost_currency: Set(Some(l.currency.clone())),
                    supplier: Set(supplier),
                    order_number: Set(order),
                    custom_fields: Set(json!({})),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    finance_integration_id: Set(Some(integration_id.uuid())),
                    finance_line_id: Set(Some(l.external_id.clone())),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                record(&txn, who, "asset.created", "asset_created", None, &row).await?;
                by_serial.insert(serial, row);
                stats.created += 1;
            }
        }
    }
    txn.commit().await?;
    state.events.kick();
    Ok(stats)
}

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
