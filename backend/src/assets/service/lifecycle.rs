//! An asset's life: creating it, editing it (fields and status), deleting it, checking it out
//! to an employee and back in, and reading its history.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    TOPIC, check_refs, check_version, find, generate_tag, live, record, search_text, snapshot,
    tag_taken, view, visible,
};
use crate::assets::entity::{asset, assignment};
use crate::assets::error::{AssetError, finish};
use crate::assets::model::*;
use crate::audit::published::diff;
use crate::audit::published::{self as audit, AuditFilter, Entry};
use crate::people::published::{self as people, EmployeeStatus};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, is_unique_violation};
use crate::platform::events;
use crate::platform::ids::{AssetId, AssetModelId, CategoryId, LocationId};
use crate::platform::pagination::Page;
use crate::platform::state::AppState;
use crate::platform::validation as v;

/// Creates an asset from a request: every field is parsed ([`NewAsset::parse`]) and every
/// reference checked, and one answer names all that is wrong.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create(state: &AppState, who: &Principal, req: CreateAsset) -> ApiResult<AssetView> {
    who.require(Action::AssetsWrite)?;
    let refs = req.refs();
    let parsed = NewAsset::parse(req);
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let mut errs = parsed.as_ref().err().cloned().unwrap_or_default();
    let model = check_refs(&txn, who.tenant_id, &mut errs, refs).await?;
    let new = match parsed {
        Ok(new) if errs.is_empty() => new,
        _ => return Err(AssetError::Invalid(errs).into()),
    };
    let tag = match new.tag {
        Some(t) => {
            if tag_taken(&txn, who.tenant_id, t.as_str(), None).await? {
                return Err(AssetError::DuplicateTag(t.as_str().to_owned()).into());
            }
            t.as_str().to_owned()
        }
        None => generate_tag(&txn, who.tenant_id).await?,
    };
    let now = crate::platform::clock::now();
    let row = asset::ActiveModel {
        id: Set(AssetId::new().uuid()),
        tenant_id: Set(who.tenant_id.uuid()),
        search_text: Set(search_text(
            &tag,
            &new.name,
            new.serial_number.as_deref(),
            model.as_ref(),
        )),
        tag: Set(tag.clone()),
        name: Set(new.name),
        serial_number: Set(new.serial_number),
        status: Set(new.status.as_str().into()),
        category_id: Set(refs
            .category_id
            .map(CategoryId::uuid)
            .or(model.as_ref().and_then(|m| m.category_id))),
        model_id: Set(refs.model_id.map(AssetModelId::uuid)),
        location_id: Set(refs.location_id.map(LocationId::uuid)),
        assigned_employee_id: Set(None),
        assigned_at: Set(None),
        due_at: Set(None),
        purchase_date: Set(new.purchase_date),
        cost_minor: Set(new.cost.as_ref().map(|c| c.minor)),
        cost_currency: Set(new.cost.map(|c| c.currency)),
        supplier: Set(new.supplier),
        order_number: Set(new.order_number),
        warranty_end: Set(new.warranty_end),
        custom_fields: Set(new.custom_fields),
        notes: Set(new.notes),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| duplicate_tag_or(e, &tag))?;
    let view = record(&txn, who, "asset.created", "asset_created", None, &row).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

/// A write the unique index on live tags refused is a duplicate tag; any other failure is what
/// it is.
fn duplicate_tag_or(e: sea_orm::DbErr, tag: &str) -> ApiError {
    if is_unique_violation(&e) {
        AssetError::DuplicateTag(tag.to_owned()).into()
    } else {
        e.into()
    }
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get(state: &AppState, who: &Principal, id: AssetId) -> ApiResult<AssetView> {
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
        (None, None) => {
            return Err(AssetError::field("tag", "required", "give `tag` or `serial`").into());
        }
    };
    let a = q
        .order_by_asc(asset::Column::Id)
        .one(&state.db)
        .await?
        .ok_or(AssetError::NotFound("asset"))?;
    let a = visible(&state.db, who, a).await?;
    view(&state.db, a).await
}

/// Changes an asset's fields or status. Fields are parsed ([`AssetPatch::parse`]); the asset's
/// existence, the version, the references and the status change are checked against the
/// database, and the field errors answered together with the references'.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: AssetId,
    if_match: Option<i32>,
    req: UpdateAsset,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsWrite)?;
    let (patch, mut errs) = AssetPatch::parse(req);

    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match.or(patch.version), &before)?;
    let refs = AssetRefs {
        category_id: patch.category_id.flatten(),
        // The current model too, for the search text.
        model_id: match patch.model_id {
            None => before.model_id.map(AssetModelId::from),
            Some(m) => m,
        },
        location_id: patch.location_id.flatten(),
    };
    let model = check_refs(&txn, who.tenant_id, &mut errs, refs).await?;
    let current = AssetStatus::parse(&before.status).unwrap_or(AssetStatus::InStock);
    if let Some(to) = patch.status
        && !current.can_become(to)
    {
        return Err(AssetError::InvalidTransition { from: current, to }.into());
    }
    finish(errs)?;
    if let Some(t) = &patch.tag
        && tag_taken(&txn, who.tenant_id, t.as_str(), Some(id)).await?
    {
        return Err(AssetError::DuplicateTag(t.as_str().to_owned()).into());
    }
    let mut am = before.clone().into_active_model();
    if let Some(t) = &patch.tag {
        am.tag = Set(t.as_str().to_owned());
    }
    if let Some(n) = &patch.name {
        am.name = Set(n.clone());
    }
    if let Some(s) = &patch.serial_number {
        am.serial_number = Set(s.clone());
    }
    if let Some(s) = patch.status {
        am.status = Set(s.as_str().into());
        if current == AssetStatus::Assigned && s == AssetStatus::Lost {
            close_assignment(&txn, who, &before, Some("lost"), None).await?;
            am.assigned_employee_id = Set(None);
            am.assigned_at = Set(None);
            am.due_at = Set(None);
        }
    }
    if let Some(c) = patch.category_id {
        am.category_id = Set(c.map(CategoryId::uuid));
    }
    if let Some(m) = patch.model_id {
        am.model_id = Set(m.map(AssetModelId::uuid));
    }
    if let Some(l) = patch.location_id {
        am.location_id = Set(l.map(LocationId::uuid));
    }
    if let Some(d) = patch.purchase_date {
        am.purchase_date = Set(d);
    }
    if let Some(d) = patch.warranty_end {
        am.warranty_end = Set(d);
    }
    if let Some(c) = patch.cost {
        am.cost_minor = Set(c.as_ref().map(|c| c.minor));
        am.cost_currency = Set(c.map(|c| c.currency));
    }
    if let Some(s) = patch.supplier {
        am.supplier = Set(s);
    }
    if let Some(s) = patch.order_number {
        am.order_number = Set(s);
    }
    if let Some(s) = patch.notes {
        am.notes = Set(s);
    }
    if let Some(c) = patch.custom_fields {
        am.custom_fields = Set(c);
    }
    let tag_now = patch
        .tag
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|| before.tag.clone());
    let name_now = patch.name.unwrap_or_else(|| before.name.clone());
    let serial_now = patch
        .serial_number
        .unwrap_or_else(|| before.serial_number.clone());
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
    let after = am
        .update(&txn)
        .await
        .map_err(|e| duplicate_tag_or(e, &tag_now))?;
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

/// Deletes an asset (kept for history; its tag becomes free). A checked-out asset is checked
/// in first.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete(
    state: &AppState,
    who: &Principal,
    id: AssetId,
    if_match: Option<i32>,
) -> ApiResult<()> {
    who.require(Action::AssetsWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match, &before)?;
    if before.assigned_employee_id.is_some() {
        return Err(AssetError::CheckedOut.into());
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
            entity_id: Some(id.uuid()),
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

/// Checks an in-stock asset out to a current employee.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn checkout(
    state: &AppState,
    who: &Principal,
    id: AssetId,
    if_match: Option<i32>,
    req: CheckoutRequest,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsAssign)?;
    let note = v::optional_text("note", req.note.as_deref(), 2000)
        .map_err(|e| AssetError::Invalid(vec![e]))?;
    if req
        .due_at
        .is_some_and(|d| d <= crate::platform::clock::now())
    {
        return Err(AssetError::field("due_at", "in_the_past", "must be in the future").into());
    }
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match.or(req.version), &before)?;
    let status = AssetStatus::parse(&before.status).unwrap_or(AssetStatus::InStock);
    if status != AssetStatus::InStock {
        return Err(AssetError::NotInStock(status).into());
    }
    let emp = people::live_by_id(&txn, who.tenant_id, req.employee_id)
        .await?
        .ok_or_else(|| AssetError::field("employee_id", "not_found", "no such employee"))?;
    if emp.status == EmployeeStatus::Terminated {
        return Err(AssetError::field(
            "employee_id",
            "terminated",
            "the employee has left; assets cannot be checked out to them",
        )
        .into());
    }
    let now = crate::platform::clock::now();
    assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id.uuid()),
        asset_id: Set(id.uuid()),
        employee_id: Set(emp.id.uuid()),
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
    am.assigned_employee_id = Set(Some(emp.id.uuid()));
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
            entity_id: Some(id.uuid()),
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
    crate::integrations::published::asset_checked_out(&txn, who.tenant_id, &view, &emp.email)
        .await?;
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

/// Checks a checked-out asset back in; the condition decides where it goes next.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn checkin(
    state: &AppState,
    who: &Principal,
    id: AssetId,
    if_match: Option<i32>,
    req: CheckinRequest,
) -> ApiResult<AssetView> {
    who.require(Action::AssetsAssign)?;
    let Checkin {
        condition,
        note,
        version,
    } = Checkin::parse(req).map_err(AssetError::Invalid)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    check_version(if_match.or(version), &before)?;
    if before.status != AssetStatus::Assigned.as_str() {
        return Err(AssetError::NotCheckedOut(before.status).into());
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
            entity_id: Some(id.uuid()),
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
    id: AssetId,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<crate::audit::published::AuditEventView>> {
    who.require(Action::AssetsRead)?;
    find(&state.db, who, id).await?;
    audit::list_unchecked(
        &state.db,
        who.tenant_id,
        AuditFilter {
            entity_id: Some(id.uuid()),
            ..Default::default()
        },
        limit,
        cursor,
    )
    .await
}
