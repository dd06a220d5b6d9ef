//! Asset use-cases. Each write is one transaction: the row, its audit entry and its outbox
//! event, committed together.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition as Cond, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::{asset, asset_model, assignment, category};
use super::model::*;
use crate::accounts::entity::tenant;
use crate::app::AppState;
use crate::audit::model::diff;
use crate::audit::service::{self as audit, AuditFilter, Entry};
use crate::people::entity::{employee, location};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code, FieldError, is_unique_violation};
use crate::platform::events;
use crate::platform::pagination::{self, Cursor, Page};
use crate::platform::validation::{self as v, Errors};

const TOPIC: &str = "assets";

/// Filters of the asset list; all optional, combined with AND.
#[derive(Default, Debug)]
pub struct AssetFilter {
    pub status: Vec<AssetStatus>,
    pub category_id: Option<Uuid>,
    pub model_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub assigned_to: Option<Uuid>,
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
        integration_id: a.mdm_integration_id?,
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
    tenant_id: Uuid,
    rows: Vec<asset::Model>,
) -> ApiResult<Vec<AssetView>> {
    use category::Column as Cat;
    use employee::Column as Emp;
    use location::Column as Loc;
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
    let locs = db::tenant_rows_by_ids::<location::Entity, _>(
        conn,
        Loc::TenantId,
        Loc::Id,
        tenant_id,
        rows.iter().filter_map(|a| a.location_id),
        |m| m.id,
    )
    .await?;
    let emps = db::tenant_rows_by_ids::<employee::Entity, _>(
        conn,
        Emp::TenantId,
        Emp::Id,
        tenant_id,
        rows.iter().filter_map(|a| a.assigned_employee_id),
        |m| m.id,
    )
    .await?;
    let today = crate::platform::clock::now().date_naive();
    Ok(rows
        .into_iter()
        .map(|a| {
            let model = a.model_id.and_then(|id| models.get(&id));
            let months = depreciation_months(a.category_id.and_then(|id| cats.get(&id)));
            AssetView {
                id: a.id,
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
                    id: m.id,
                    name: m.name.clone(),
                    manufacturer: m.manufacturer.clone(),
                }),
                manufacturer: model.map(|m| m.manufacturer.clone()),
                location: a
                    .location_id
                    .and_then(|id| locs.get(&id))
                    .map(|l| NamedRef {
                        id: l.id,
                        name: l.name.clone(),
                    }),
                assigned_to: a
                    .assigned_employee_id
                    .and_then(|id| emps.get(&id))
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
    let tenant_id = a.tenant_id;
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
    Ok(employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::Email.eq(email.to_lowercase()))
        .filter(employee::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}

fn live(who: &Principal) -> Select<asset::Entity> {
    asset::Entity::find()
        .filter(asset::Column::TenantId.eq(who.tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
}

/// One live asset of the caller's tenant that the caller may see; 404 otherwise.
async fn find<C: ConnectionTrait>(conn: &C, who: &Principal, id: Uuid) -> ApiResult<asset::Model> {
    let a = live(who)
        .filter(asset::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("asset"))?;
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
            return Err(ApiError::not_found("asset"));
        }
    }
    Ok(a)
}

fn check_version(expected: Option<i32>, a: &asset::Model) -> ApiResult<()> {
    match expected {
        Some(v) if v != a.version => Err(ApiError::new(
            Code::VersionConflict,
            format!(
                "the asset is at version {}, not {v}; reload and try again",
                a.version
            ),
        )),
        _ => Ok(()),
    }
}

async fn check_refs<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    errs: &mut Errors,
    category_id: Option<Uuid>,
    model_id: Option<Uuid>,
    location_id: Option<Uuid>,
) -> ApiResult<Option<asset_model::Model>> {
    if let Some(id) = category_id
        && category::Entity::find_by_id(id)
            .filter(category::Column::TenantId.eq(tenant_id))
            .one(conn)
            .await?
            .is_none()
    {
        errs.add("category_id", "not_found", "no such category");
    }
    let mut model = None;
    if let Some(id) = model_id {
        model = asset_model::Entity::find_by_id(id)
            .filter(asset_model::Column::TenantId.eq(tenant_id))
            .one(conn)
            .await?;
        if model.is_none() {
            errs.add("model_id", "not_found", "no such model");
        }
    }
    if let Some(id) = location_id
        && location::Entity::find_by_id(id)
            .filter(location::Column::TenantId.eq(tenant_id))
            .one(conn)
            .await?
            .is_none()
    {
        errs.add("location_id", "not_found", "no such location");
    }
    Ok(model)
}

async fn tag_taken<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    tag: &str,
    except: Option<Uuid>,
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
    tenant_id: Uuid,
) -> ApiResult<String> {
    let t = tenant::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    let prefix = crate::accounts::service::asset_tag_prefix(&t);
    loop {
        let n = db::next_sequence(conn, tenant_id, "asset_tag").await?;
        let tag = AssetTag::generated(&prefix, n);
        if !tag_taken(conn, tenant_id, tag.as_str(), None).await? {
            return Ok(tag.as_str().to_owned());
        }
    }
}

fn duplicate_tag(tag: &str) -> ApiError {
    ApiError {
        code: Code::DuplicateTag,
        detail: Some(format!("another asset already has tag {tag}")),
        errors: vec![FieldError::new("tag", "taken", "is already in use")],
        retry_after_secs: None,
    }
}

fn date_field(errs: &mut Errors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| errs.take(v::date(field, s)))
}

fn custom_fields(errs: &mut Errors, v: Option<Value>) -> Value {
    match v {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(m))
            if serde_json::to_string(&m).map(|s| s.len()).unwrap_or(0) <= 16 * 1024 =>
        {
            Value::Object(m)
        }
        Some(Value::Object(_)) => {
            errs.add("custom_fields", "too_large", "must be at most 16 KiB");
            json!({})
        }
        Some(_) => {
            errs.add("custom_fields", "invalid_type", "must be an object");
            json!({})
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

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create(state: &AppState, who: &Principal, req: CreateAsset) -> ApiResult<AssetView> {
    who.require(Action::AssetsWrite)?;
    let mut errs = Errors::default();
    let tag = req
        .tag
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| errs.take(AssetTag::try_from(t)));
    let name = errs.take(v::required_text("name", &req.name, 200));
    let serial = errs
        .take(v::optional_text(
            "serial_number",
            req.serial_number.as_deref(),
            128,
        ))
        .flatten();
    let status = match req.status.as_deref() {
        None => Some(AssetStatus::InStock),
        Some(s) => errs.take(AssetStatus::from_field("status", s)),
    };
    if status == Some(AssetStatus::Assigned) {
        errs.add(
            "status",
            "invalid_transition",
            "assets become assigned only by check-out",
        );
    }
    let purchase_date = date_field(&mut errs, "purchase_date", req.purchase_date.as_deref());
    let warranty_end = date_field(&mut errs, "warranty_end", req.warranty_end.as_deref());
    let cost = req
        .cost
        .as_ref()
        .and_then(|c| errs.take(Money::try_from(c)));
    let supplier = errs
        .take(v::optional_text("supplier", req.supplier.as_deref(), 200))
        .flatten();
    let order_number = errs
        .take(v::optional_text(
            "order_number",
            req.order_number.as_deref(),
            100,
        ))
        .flatten();
    let notes = errs
        .take(v::optional_text("notes", req.notes.as_deref(), 10_000))
        .flatten();
    let custom = custom_fields(&mut errs, req.custom_fields);

    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let model = check_refs(
        &txn,
        who.tenant_id,
        &mut errs,
        req.category_id,
        req.model_id,
        req.location_id,
    )
    .await?;
    errs.finish()?;
    let (Some(name), Some(status)) = (name, status) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let tag = match tag {
        Some(t) => {
            if tag_taken(&txn, who.tenant_id, t.as_str(), None).await? {
                return Err(duplicate_tag(t.as_str()));
            }
            t.as_str().to_owned()
        }
        None => generate_tag(&txn, who.tenant_id).await?,
    };
    let now = crate::platform::clock::now();
    let row = asset::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        search_text: Set(search_text(&tag, &name, serial.as_deref(), model.as_ref())),
        tag: Set(tag.clone()),
        name: Set(name),
        serial_number: Set(serial),
        status: Set(status.as_str().into()),
        category_id: Set(req
            .category_id
            .or(model.as_ref().and_then(|m| m.category_id))),
        model_id: Set(req.model_id),
        location_id: Set(req.location_id),
        assigned_employee_id: Set(None),
        assigned_at: Set(None),
        due_at: Set(None),
        purchase_date: Set(purchase_date),
        cost_minor: Set(cost.as_ref().map(|c| c.minor)),
        cost_currency: Set(cost.map(|c| c.currency)),
        supplier: Set(supplier),
        order_number: Set(order_number),
        warranty_end: Set(warranty_end),
        custom_fields: Set(custom),
        notes: Set(notes),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_tag(&tag)
        } else {
            e.into()
        }
    })?;
    let view = record(&txn, who, "asset.created", "asset_created", None, &row).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<AssetView> {
    who.require(Action::AssetsRead)?;
    let a = find(&state.db, who, id).await?;
    view(&state.db, a).await
}

/// Finds an asset by exact tag or serial number.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn lookup(
    state: &AppState,
    who: &Principal,
    tag: Option<&str>,
    serial: Option<&str>,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsRead)?;
    let q = match (
        tag.map(str::trim).filter(|s| !s.is_empty()),
        serial.map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (Some(t), _) => live(who).filter(asset::Column::Tag.eq(t)),
        (None, Some(s)) => live(who).filter(asset::Column::SerialNumber.eq(s)),
        (None, None) => return Err(ApiError::field("tag", "required", "give `tag` or `serial`")),
    };
    let a = q
        .order_by_asc(asset::Column::Id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("asset"))?;
    let a = visible(&state.db, who, a).await?;
    view(&state.db, a).await
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
    req: UpdateAsset,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsWrite)?;
    let mut errs = Errors::default();
    let tag = req
        .tag
        .as_deref()
        .and_then(|t| errs.take(AssetTag::try_from(t)));
    let name = req
        .name
        .as_deref()
        .and_then(|n| errs.take(v::required_text("name", n, 200)));
    let serial = req.serial_number.map(|s| {
        errs.take(v::optional_text("serial_number", s.as_deref(), 128))
            .flatten()
    });
    let status = req
        .status
        .as_deref()
        .and_then(|s| errs.take(AssetStatus::from_field("status", s)));
    let purchase_date = req
        .purchase_date
        .map(|d| date_field(&mut errs, "purchase_date", d.as_deref()));
    let warranty_end = req
        .warranty_end
        .map(|d| date_field(&mut errs, "warranty_end", d.as_deref()));
    let cost = req
        .cost
        .map(|c| c.as_ref().and_then(|c| errs.take(Money::try_from(c))));
    let supplier = req.supplier.map(|s| {
        errs.take(v::optional_text("supplier", s.as_deref(), 200))
            .flatten()
    });
    let order_number = req.order_number.map(|s| {
        errs.take(v::optional_text("order_number", s.as_deref(), 100))
            .flatten()
    });
    let notes = req.notes.map(|s| {
        errs.take(v::optional_text("notes", s.as_deref(), 10_000))
            .flatten()
    });
    let custom = req.custom_fields.map(|c| custom_fields(&mut errs, Some(c)));

    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match.or(req.version), &before)?;
    let model = check_refs(
        &txn,
        who.tenant_id,
        &mut errs,
        req.category_id.flatten(),
        req.model_id.flatten().or(if req.model_id.is_none() {
            before.model_id
        } else {
            None
        }),
        req.location_id.flatten(),
    )
    .await?;
    let current = AssetStatus::parse(&before.status).unwrap_or(AssetStatus::InStock);
    if let Some(to) = status
        && !current.can_become(to)
    {
        return Err(ApiError::new(
            Code::InvalidTransition,
            format!(
                "an asset cannot go from {} to {}{}",
                current.as_str(),
                to.as_str(),
                transition_hint(current, to)
            ),
        ));
    }
    errs.finish()?;
    if let Some(t) = &tag
        && tag_taken(&txn, who.tenant_id, t.as_str(), Some(id)).await?
    {
        return Err(duplicate_tag(t.as_str()));
    }
    let mut am = before.clone().into_active_model();
    if let Some(t) = &tag {
        am.tag = Set(t.as_str().to_owned());
    }
    let name_after = name.clone();
    if let Some(n) = name {
        am.name = Set(n);
    }
    let serial_after = serial.clone();
    if let Some(s) = serial {
        am.serial_number = Set(s);
    }
    if let Some(s) = status {
        am.status = Set(s.as_str().into());
        if current == AssetStatus::Assigned && s == AssetStatus::Lost {
            close_assignment(&txn, who, &before, Some("lost"), None).await?;
            am.assigned_employee_id = Set(None);
            am.assigned_at = Set(None);
            am.due_at = Set(None);
        }
    }
    if let Some(c) = req.category_id {
        am.category_id = Set(c);
    }
    if let Some(m) = req.model_id {
        am.model_id = Set(m);
    }
    if let Some(l) = req.location_id {
        am.location_id = Set(l);
    }
    if let Some(d) = purchase_date {
        am.purchase_date = Set(d);
    }
    if let Some(d) = warranty_end {
        am.warranty_end = Set(d);
    }
    if let Some(c) = cost {
        am.cost_minor = Set(c.as_ref().map(|c| c.minor));
        am.cost_currency = Set(c.map(|c| c.currency));
    }
    if let Some(s) = supplier {
        am.supplier = Set(s);
    }
    if let Some(s) = order_number {
        am.order_number = Set(s);
    }
    if let Some(s) = notes {
        am.notes = Set(s);
    }
    if let Some(c) = custom {
        am.custom_fields = Set(c);
    }
    let tag_now = tag
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|| before.tag.clone());
    let name_now = name_after.unwrap_or_else(|| before.name.clone());
    let serial_now = serial_after.unwrap_or_else(|| before.serial_number.clone());
    am.search_text = Set(search_text(
        &tag_now,
        &name_now,
        serial_now.as_deref(),
        model.as_ref(),
    ));
    // Nothing really changed: answer with the asset as it is, and write nothing.
    let candidate = am.clone();
    if !candidate.is_changed() || snapshot_of_active(&candidate) == snapshot(&before) {
        txn.commit().await?;
        return view(&state.db, before).await;
    }
    am.version = Set(before.version + 1);
    am.updated_at = Set(crate::platform::clock::now());
    let after = am.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_tag(&tag_now)
        } else {
            e.into()
        }
    })?;
    let view = record(
        &txn,
        who,
        "asset.updated",
        "asset_updated",
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

fn snapshot_of_active(am: &asset::ActiveModel) -> Value {
    match asset::Model::try_from(am.clone()) {
        Ok(m) => snapshot(&m),
        Err(_) => Value::Null,
    }
}

fn transition_hint(from: AssetStatus, to: AssetStatus) -> &'static str {
    match (from, to) {
        (_, AssetStatus::Assigned) => "; use check-out",
        (AssetStatus::Assigned, _) => "; check the asset in first",
        _ => "",
    }
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
) -> ApiResult<()> {
    who.require(Action::AssetsWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match, &before)?;
    if before.assigned_employee_id.is_some() {
        return Err(ApiError::new(
            Code::Conflict,
            "the asset is checked out; check it in before deleting it",
        ));
    }
    let mut am = before.clone().into_active_model();
    am.deleted_at = Set(Some(crate::platform::clock::now()));
    am.version = Set(before.version + 1);
    am.updated_at = Set(crate::platform::clock::now());
    let after = am.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "asset.deleted",
            entity_type: "asset",
            entity_id: Some(id),
            changes: json!({"deleted": {"from": false, "to": true}}),
        },
    )
    .await?;
    let view = view(&txn, after).await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "asset_deleted",
        json!({ "asset": view }),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn checkout(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
    req: CheckoutRequest,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsAssign)?;
    let note = v::optional_text("note", req.note.as_deref(), 2000)
        .map_err(|e| ApiError::validation(vec![e]))?;
    if req
        .due_at
        .is_some_and(|d| d <= crate::platform::clock::now())
    {
        return Err(ApiError::field(
            "due_at",
            "in_the_past",
            "must be in the future",
        ));
    }
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match.or(req.version), &before)?;
    let status = AssetStatus::parse(&before.status).unwrap_or(AssetStatus::InStock);
    if status != AssetStatus::InStock {
        return Err(ApiError::new(
            Code::InvalidTransition,
            format!(
                "only in-stock assets can be checked out; this one is {}",
                status.as_str()
            ),
        ));
    }
    let emp = employee::Entity::find_by_id(req.employee_id)
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::field("employee_id", "not_found", "no such employee"))?;
    if emp.status == "terminated" {
        return Err(ApiError::field(
            "employee_id",
            "terminated",
            "the employee has left; assets cannot be checked out to them",
        ));
    }
    let now = crate::platform::clock::now();
    assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        asset_id: Set(id),
        employee_id: Set(emp.id),
        checked_out_at: Set(now),
        checked_out_by: Set(who.actor.id()),
        due_at: Set(req.due_at),
        checkout_note: Set(note.clone()),
        checked_in_at: Set(None),
        checked_in_by: Set(None),
        checkin_condition: Set(None),
        checkin_note: Set(None),
    }
    .insert(&txn)
    .await?;
    let mut am = before.clone().into_active_model();
    am.status = Set(AssetStatus::Assigned.as_str().into());
    am.assigned_employee_id = Set(Some(emp.id));
    am.assigned_at = Set(Some(now));
    am.due_at = Set(req.due_at);
    am.version = Set(before.version + 1);
    am.updated_at = Set(now);
    let after = am.update(&txn).await?;
    let mut changes = diff(&snapshot(&before), &snapshot(&after));
    if let (Some(obj), Some(n)) = (changes.as_object_mut(), note) {
        obj.insert("note".into(), json!(n));
    }
    if let Some(obj) = changes.as_object_mut() {
        obj.insert("employee".into(), json!({"id": emp.id, "name": emp.name}));
    }
    audit::record(
        &txn,
        who,
        Entry {
            action: "asset.checked_out",
            entity_type: "asset",
            entity_id: Some(id),
            changes,
        },
    )
    .await?;
    let view = view(&txn, after).await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "asset_checked_out",
        json!({ "asset": view }),
    )
    .await?;
    crate::integrations::slack::asset_checked_out(&txn, who.tenant_id, &view, &emp.email).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

async fn close_assignment<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    a: &asset::Model,
    condition: Option<&str>,
    note: Option<String>,
) -> ApiResult<()> {
    assignment::Entity::update_many()
        .col_expr(
            assignment::Column::CheckedInAt,
            Expr::value(crate::platform::clock::now()),
        )
        .col_expr(assignment::Column::CheckedInBy, Expr::value(who.actor.id()))
        .col_expr(
            assignment::Column::CheckinCondition,
            Expr::value(condition.map(str::to_owned)),
        )
        .col_expr(assignment::Column::CheckinNote, Expr::value(note))
        .filter(assignment::Column::TenantId.eq(who.tenant_id))
        .filter(assignment::Column::AssetId.eq(a.id))
        .filter(assignment::Column::CheckedInAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn checkin(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
    req: CheckinRequest,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsAssign)?;
    let mut errs = Errors::default();
    let condition = match req.condition.as_deref() {
        None => Some(Condition::Good),
        Some("good") => Some(Condition::Good),
        Some("damaged") => Some(Condition::Damaged),
        Some("needs_repair") => Some(Condition::NeedsRepair),
        Some(_) => {
            errs.add(
                "condition",
                "invalid_choice",
                "must be one of good, damaged, needs_repair",
            );
            None
        }
    };
    let note = errs
        .take(v::optional_text("note", req.note.as_deref(), 2000))
        .flatten();
    errs.finish()?;
    let condition = condition.unwrap_or(Condition::Good);
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match.or(req.version), &before)?;
    if before.status != AssetStatus::Assigned.as_str() {
        return Err(ApiError::new(
            Code::InvalidTransition,
            format!(
                "only checked-out assets can be checked in; this one is {}",
                before.status
            ),
        ));
    }
    close_assignment(&txn, who, &before, Some(condition.as_str()), note.clone()).await?;
    let now = crate::platform::clock::now();
    let mut am = before.clone().into_active_model();
    am.status = Set(condition.status_after_checkin().as_str().into());
    am.assigned_employee_id = Set(None);
    am.assigned_at = Set(None);
    am.due_at = Set(None);
    am.version = Set(before.version + 1);
    am.updated_at = Set(now);
    let after = am.update(&txn).await?;
    let mut changes = diff(&snapshot(&before), &snapshot(&after));
    if let Some(obj) = changes.as_object_mut() {
        obj.insert("condition".into(), json!(condition.as_str()));
        if let Some(n) = note {
            obj.insert("note".into(), json!(n));
        }
    }
    audit::record(
        &txn,
        who,
        Entry {
            action: "asset.checked_in",
            entity_type: "asset",
            entity_id: Some(id),
            changes,
        },
    )
    .await?;
    let view = view(&txn, after).await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "asset_checked_in",
        json!({ "asset": view }),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

/// The asset's audit trail, newest first.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn history(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<crate::audit::model::AuditEventView>> {
    who.require(Action::AssetsRead)?;
    find(&state.db, who, id).await?;
    audit::list_unchecked(
        &state.db,
        who.tenant_id,
        AuditFilter {
            entity_id: Some(id),
            ..Default::default()
        },
        limit,
        cursor,
    )
    .await
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
        id: a.id,
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

/// What each of `employee_ids` holds now, for callers who may read assets (members: only what
/// they hold themselves). Every id is in the map, with an empty list when it holds nothing.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn held_by_many(
    state: &AppState,
    who: &Principal,
    employee_ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<AssetView>>> {
    who.require(Action::AssetsRead)?;
    let mut ids: Vec<Uuid> = employee_ids.to_vec();
    if let Some(email) = who.holds_only() {
        let mine = member_employee_ids(&state.db, who, email).await?;
        ids.retain(|id| mine.contains(id));
    }
    let mut out: HashMap<Uuid, Vec<AssetView>> =
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
            .filter_map(|(id, _)| *id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut by_category: Vec<CategoryCount> = by_category_rows
        .into_iter()
        .map(|(id, count)| CategoryCount {
            category: id.map(|id| NamedRef {
                id,
                name: names.get(&id).map(|c| c.name.clone()).unwrap_or_default(),
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

/// What an employee holds now.
pub async fn held_by<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    employee_id: Uuid,
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

// ---- catalog: categories and models ----

fn category_view(c: category::Model) -> CategoryView {
    CategoryView {
        id: c.id,
        name: c.name,
        depreciation_months: c.depreciation_months,
        created_at: c.created_at,
    }
}

fn model_view(m: asset_model::Model) -> ModelView {
    ModelView {
        id: m.id,
        name: m.name,
        manufacturer: m.manufacturer,
        model_number: m.model_number,
        category_id: m.category_id,
        created_at: m.created_at,
    }
}

fn duplicate_name() -> ApiError {
    ApiError {
        code: Code::DuplicateName,
        detail: Some("another record already has this name".into()),
        errors: vec![FieldError::new("name", "taken", "is already in use")],
        retry_after_secs: None,
    }
}

/// The categories among `ids` that exist in the caller's tenant.
pub async fn categories_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, CategoryView>> {
    who.require(Action::AssetsRead)?;
    let rows = db::tenant_rows_by_ids::<category::Entity, _>(
        &state.db,
        category::Column::TenantId,
        category::Column::Id,
        who.tenant_id,
        ids.iter().copied(),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, c)| (id, category_view(c)))
        .collect())
}

/// The models among `ids` that exist in the caller's tenant.
pub async fn models_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, ModelView>> {
    who.require(Action::AssetsRead)?;
    let rows = db::tenant_rows_by_ids::<asset_model::Entity, _>(
        &state.db,
        asset_model::Column::TenantId,
        asset_model::Column::Id,
        who.tenant_id,
        ids.iter().copied(),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, m)| (id, model_view(m)))
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

fn check_category(req: &CategoryInput) -> ApiResult<String> {
    let mut errs = Errors::default();
    let name = errs.take(v::required_text("name", &req.name, 120));
    if req
        .depreciation_months
        .is_some_and(|m| !(1..=600).contains(&m))
    {
        errs.add(
            "depreciation_months",
            "out_of_range",
            "must be between 1 and 600",
        );
    }
    errs.finish()?;
    name.ok_or_else(|| ApiError::internal("validated fields missing"))
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create_category(
    state: &AppState,
    who: &Principal,
    req: CategoryInput,
) -> ApiResult<CategoryView> {
    who.require(Action::CatalogWrite)?;
    let name = check_category(&req)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let now = crate::platform::clock::now();
    let c = category::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        name: Set(name),
        depreciation_months: Set(req.depreciation_months),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_name()
        } else {
            e.into()
        }
    })?;
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
    id: Uuid,
    req: CategoryInput,
) -> ApiResult<CategoryView> {
    who.require(Action::CatalogWrite)?;
    let name = check_category(&req)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = category::Entity::find_by_id(id)
        .filter(category::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("category"))?;
    let mut am = before.clone().into_active_model();
    am.name = Set(name);
    am.depreciation_months = Set(req.depreciation_months);
    am.updated_at = Set(crate::platform::clock::now());
    let after = am.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_name()
        } else {
            e.into()
        }
    })?;
    let snap =
        |c: &category::Model| json!({"name": c.name, "depreciation_months": c.depreciation_months});
    audit::record(
        &txn,
        who,
        Entry {
            action: "category.updated",
            entity_type: "category",
            entity_id: Some(id),
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
    let mut errs = Errors::default();
    let name = errs.take(v::required_text("name", &req.name, 120));
    let manufacturer = errs.take(v::required_text("manufacturer", &req.manufacturer, 120));
    let number = errs
        .take(v::optional_text(
            "model_number",
            req.model_number.as_deref(),
            120,
        ))
        .flatten();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    check_refs(&txn, who.tenant_id, &mut errs, req.category_id, None, None).await?;
    errs.finish()?;
    let (Some(name), Some(manufacturer)) = (name, manufacturer) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let now = crate::platform::clock::now();
    let m = asset_model::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        category_id: Set(req.category_id),
        manufacturer: Set(manufacturer),
        name: Set(name),
        model_number: Set(number),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_name()
        } else {
            e.into()
        }
    })?;
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

/// An in-stock asset of the named category that is not among `exclude` (assets already spoken
/// for), oldest first: what an onboarding reserves.
pub async fn reservable<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    category_name: &str,
    exclude: &[Uuid],
) -> ApiResult<Option<(Uuid, String)>> {
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
    if !exclude.is_empty() {
        q = q.filter(asset::Column::Id.is_not_in(exclude.iter().copied()));
    }
    Ok(q.order_by_asc(asset::Column::Id)
        .one(conn)
        .await?
        .map(|a| (a.id, a.tag)))
}

/// An asset's id, tag, status and holder, if it exists in the tenant.
pub async fn brief<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    id: Uuid,
) -> ApiResult<Option<(String, AssetStatus, Option<Uuid>)>> {
    Ok(asset::Entity::find_by_id(id)
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .map(|a| {
            (
                a.tag,
                AssetStatus::parse(&a.status).unwrap_or(AssetStatus::InStock),
                a.assigned_employee_id,
            )
        }))
}

/// The live assets among `ids` that the caller may see (a member: only what they hold), for
/// resolving many references at once.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get_many(
    state: &AppState,
    who: &Principal,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, AssetView>> {
    who.require(Action::AssetsRead)?;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = live(who).filter(asset::Column::Id.is_in(ids.iter().copied()));
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
