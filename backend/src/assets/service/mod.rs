//! Asset use-cases, one file per purpose: [`lifecycle`] (create, edit, delete, check-out/in,
//! history), [`listing`] (lists, lookups by id, live changes), [`holdings`] (what people hold,
//! what can be reserved), [`dashboard`] and [`catalog`] (categories and models). Each write is
//! one transaction: the row, its audit entry and its outbox event, committed together. This
//! file holds what they share: rendering rows as views, finding what the caller may see, and
//! recording a change.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::{asset, asset_model, category};
use super::error::AssetError;
use super::model::*;
use crate::audit::published::diff;
use crate::audit::published::{self as audit, Entry};
use crate::people::published as people;
use crate::platform::auth::Principal;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, FieldError};
use crate::platform::events;
use crate::platform::ids::{AssetId, EmployeeId, LocationId, TenantId};

pub mod catalog;
pub mod dashboard;
pub mod holdings;
pub mod lifecycle;
pub mod listing;

pub use catalog::{
    categories_by_ids, create_category, create_model, list_categories, list_models, models_by_ids,
    update_category,
};
pub use dashboard::dashboard;
pub use holdings::{brief, held_by, held_by_many, reservable};
pub use lifecycle::{checkin, checkout, create, delete, get, history, lookup, update};
pub use listing::{
    AssetChange, AssetFilter, Sort, SortField, changes, cursor_for, get_many, list, may_see,
};

const TOPIC: &str = "assets";

pub(super) fn search_text(
    tag: &str,
    name: &str,
    serial: Option<&str>,
    model: Option<&asset_model::Model>,
) -> String {
    let mut s = format!("{tag} {name}");
    if let Some(x) = serial {
        s.push(' ');
        s.push_str(x);
    }
    if let Some(m) = model {
        s.push(' ');
        s.push_str(&m.manufacturer);
        s.push(' ');
        s.push_str(&m.name);
    }
    s.to_lowercase()
}

/// The fields an audit diff compares.
fn snapshot(a: &asset::Model) -> Value {
    json!({
        "tag": a.tag, "name": a.name, "serial_number": a.serial_number, "status": a.status,
        "category_id": a.category_id, "model_id": a.model_id, "location_id": a.location_id,
        "assigned_employee_id": a.assigned_employee_id, "due_at": a.due_at,
        "purchase_date": a.purchase_date, "cost": cost_of(a).map(|m| m.view()),
        "supplier": a.supplier, "order_number": a.order_number, "warranty_end": a.warranty_end,
        "custom_fields": a.custom_fields, "notes": a.notes,
    })
}

fn device_of(a: &asset::Model) -> Option<DeviceView> {
    Some(DeviceView {
        integration_id: a.mdm_integration_id?.into(),
        os_name: a.os_name.clone(),
        os_version: a.os_version.clone(),
        last_check_in_at: a.last_check_in_at,
        user_email: a.mdm_user_email.clone(),
        synced_at: a.mdm_synced_at,
    })
}

pub(super) fn depreciation_months(category: Option<&category::Model>) -> i32 {
    category
        .and_then(|c| c.depreciation_months)
        .filter(|m| *m > 0)
        .unwrap_or(DEFAULT_DEPRECIATION_MONTHS)
}

fn book_value_of(a: &asset::Model, months: i32, on: NaiveDate) -> Option<Money> {
    let cost = cost_of(a)?;
    Some(Money {
        minor: book_value(cost.minor, months, a.purchase_date?, on),
        currency: cost.currency,
    })
}

pub(super) fn cost_of(a: &asset::Model) -> Option<Money> {
    match (a.cost_minor, &a.cost_currency) {
        (Some(minor), Some(c)) => Some(Money {
            minor,
            currency: c.clone(),
        }),
        _ => None,
    }
}

/// Renders rows as API views, loading their references in one query per kind.
pub async fn views<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    rows: Vec<asset::Model>,
) -> ApiResult<Vec<AssetView>> {
    use category::Column as Cat;
    let cats = db::tenant_rows_by_ids::<category::Entity, _>(
        conn,
        Cat::TenantId,
        Cat::Id,
        tenant_id,
        rows.iter().filter_map(|a| a.category_id),
        |m| m.id,
    )
    .await?;
    let models = db::tenant_rows_by_ids::<asset_model::Entity, _>(
        conn,
        asset_model::Column::TenantId,
        asset_model::Column::Id,
        tenant_id,
        rows.iter().filter_map(|a| a.model_id),
        |m| m.id,
    )
    .await?;
    let location_ids: Vec<LocationId> = rows
        .iter()
        .filter_map(|a| a.location_id.map(LocationId::from))
        .collect();
    let locs = people::location_names(conn, tenant_id, location_ids).await?;
    let holder_ids: Vec<EmployeeId> = rows
        .iter()
        .filter_map(|a| a.assigned_employee_id.map(EmployeeId::from))
        .collect::<std::collections::HashSet<_>>()
        .into_iter()
        .collect();
    let emps = people::by_ids(conn, tenant_id, &holder_ids).await?;
    let today = crate::platform::clock::now().date_naive();
    Ok(rows
        .into_iter()
        .map(|a| {
            let model = a.model_id.and_then(|id| models.get(&id));
            let months = depreciation_months(a.category_id.and_then(|id| cats.get(&id)));
            AssetView {
                id: a.id.into(),
                tag: a.tag.clone(),
                name: a.name.clone(),
                serial_number: a.serial_number.clone(),
                status: AssetStatus::parse(&a.status).unwrap_or(AssetStatus::InStock),
                category: a
                    .category_id
                    .and_then(|id| cats.get(&id))
                    .map(|c| NamedRef {
                        id: c.id,
                        name: c.name.clone(),
                    }),
                model: model.map(|m| ModelRef {
                    id: m.id.into(),
                    name: m.name.clone(),
                    manufacturer: m.manufacturer.clone(),
                }),
                manufacturer: model.map(|m| m.manufacturer.clone()),
                location: a.location_id.and_then(|id| {
                    locs.get(&LocationId::from(id)).map(|name| NamedRef {
                        id,
                        name: name.clone(),
                    })
                }),
                assigned_to: a
                    .assigned_employee_id
                    .and_then(|id| emps.get(&EmployeeId::from(id)))
                    .map(|e| HolderRef {
                        id: e.id,
                        name: e.name.clone(),
                        email: e.email.clone(),
                    }),
                assigned_at: a.assigned_at,
                due_at: a.due_at,
                purchase_date: a.purchase_date,
                cost: cost_of(&a).map(|m| m.view()),
                supplier: a.supplier.clone(),
                order_number: a.order_number.clone(),
                warranty_end: a.warranty_end,
                custom_fields: a.custom_fields.clone(),
                notes: a.notes.clone(),
                device: device_of(&a),
                depreciation_months: months,
                book_value: book_value_of(&a, months, today).map(|m| m.view()),
                version: a.version,
                created_at: a.created_at,
                updated_at: a.updated_at,
            }
        })
        .collect())
}

async fn view<C: ConnectionTrait>(conn: &C, a: asset::Model) -> ApiResult<AssetView> {
    let tenant_id = TenantId::from(a.tenant_id);
    views(conn, tenant_id, vec![a])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("asset view missing"))
}

/// Ids of the employee records a member holds assets as (matched by email).
async fn member_employee_ids<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    email: &str,
) -> ApiResult<Vec<Uuid>> {
    Ok(people::ids_by_email(conn, who.tenant_id, email)
        .await?
        .into_iter()
        .map(EmployeeId::uuid)
        .collect())
}

fn live(who: &Principal) -> Select<asset::Entity> {
    asset::Entity::find()
        .filter(asset::Column::TenantId.eq(who.tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
}

/// One live asset of the caller's tenant that the caller may see; 404 otherwise.
async fn find<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: AssetId,
) -> ApiResult<asset::Model> {
    let a = live(who)
        .filter(asset::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AssetError::NotFound("asset"))?;
    visible(conn, who, a).await
}

async fn visible<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    a: asset::Model,
) -> ApiResult<asset::Model> {
    if let Some(email) = who.holds_only() {
        let mine = member_employee_ids(conn, who, email).await?;
        if !a.assigned_employee_id.is_some_and(|e| mine.contains(&e)) {
            return Err(AssetError::NotFound("asset").into());
        }
    }
    Ok(a)
}

/// The client's version (`If-Match` or `version`), if it sent one, is the asset's.
fn check_version(expected: Option<i32>, a: &asset::Model) -> Result<(), AssetError> {
    match expected {
        Some(sent) if sent != a.version => Err(AssetError::StaleVersion {
            current: a.version,
            sent,
        }),
        _ => Ok(()),
    }
}

/// Adds a `not_found` error for each referenced record the tenant lacks; answers the model,
/// when one is referenced and found.
async fn check_refs<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    errs: &mut FieldErrors,
    refs: AssetRefs,
) -> ApiResult<Option<asset_model::Model>> {
    let AssetRefs {
        category_id,
        model_id,
        location_id,
    } = refs;
    if let Some(id) = category_id
        && category::Entity::find_by_id(id.uuid())
            .filter(category::Column::TenantId.eq(tenant_id))
            .one(conn)
            .await?
            .is_none()
    {
        errs.push(FieldError::new(
            "category_id",
            "not_found",
            "no such category",
        ));
    }
    let mut model = None;
    if let Some(id) = model_id {
        model = asset_model::Entity::find_by_id(id.uuid())
            .filter(asset_model::Column::TenantId.eq(tenant_id))
            .one(conn)
            .await?;
        if model.is_none() {
            errs.push(FieldError::new("model_id", "not_found", "no such model"));
        }
    }
    if let Some(id) = location_id
        && !people::location_exists(conn, tenant_id, id).await?
    {
        errs.push(FieldError::new(
            "location_id",
            "not_found",
            "no such location",
        ));
    }
    Ok(model)
}

async fn tag_taken<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    tag: &str,
    except: Option<AssetId>,
) -> ApiResult<bool> {
    let mut q = asset::Entity::find()
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::Tag.eq(tag))
        .filter(asset::Column::DeletedAt.is_null());
    if let Some(id) = except {
        q = q.filter(asset::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

pub(super) async fn generate_tag<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
) -> ApiResult<String> {
    let prefix = crate::accounts::published::asset_tag_prefix_for(conn, tenant_id).await?;
    loop {
        let n = db::next_sequence(conn, tenant_id, "asset_tag").await?;
        let tag = AssetTag::generated(&prefix, n);
        if !tag_taken(conn, tenant_id, tag.as_str(), None).await? {
            return Ok(tag.as_str().to_owned());
        }
    }
}

/// Writes the audit entry and the outbox event of an asset change, in `txn`.
pub(super) async fn record<C: ConnectionTrait>(
    txn: &C,
    who: &Principal,
    action: &str,
    event: &str,
    before: Option<&asset::Model>,
    after: &asset::Model,
) -> ApiResult<AssetView> {
    let changes = diff(
        &before.map(snapshot).unwrap_or(Value::Null),
        &snapshot(after),
    );
    audit::record(
        txn,
        who,
        Entry {
            action,
            entity_type: "asset",
            entity_id: Some(after.id),
            changes,
        },
    )
    .await?;
    let view = view(txn, after.clone()).await?;
    events::enqueue(txn, who.tenant_id, TOPIC, event, json!({ "asset": view })).await?;
    Ok(view)
}
