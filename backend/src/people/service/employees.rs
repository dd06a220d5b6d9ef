//! Employees by hand: create, read, change, remove, list and follow live, through REST and
//! GraphQL alike. Field checks happen in the commands (`NewEmployee`, `EmployeePatch`); here
//! only what needs the database: references, unique emails, versions, held assets.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};

use super::super::entity::{department, employee, location};
use super::super::error::{PeopleError, unique_or};
use super::super::model::*;
use super::{TOPIC, search_text, snapshot, view, views};
use crate::audit::published::diff;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::ids::{DepartmentId, EmployeeId, LocationId};
use crate::platform::pagination::{self, Cursor, Page};
use crate::platform::state::AppState;
use crate::platform::validation::Errors;

async fn find<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: EmployeeId,
) -> ApiResult<employee::Model> {
    Ok(employee::Entity::find_by_id(id.uuid())
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or(PeopleError::NotFound("employee"))?)
}

/// Records a field error for each reference that is not a record of the caller's tenant.
async fn check_refs<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    errs: &mut Errors,
    department_id: Option<DepartmentId>,
    location_id: Option<LocationId>,
    manager_id: Option<EmployeeId>,
) -> ApiResult<()> {
    if let Some(id) = department_id
        && department::Entity::find_by_id(id.uuid())
            .filter(department::Column::TenantId.eq(who.tenant_id))
            .one(conn)
            .await?
            .is_none()
    {
        errs.add("department_id", "not_found", "no such department");
    }
    if let Some(id) = location_id
        && location::Entity::find_by_id(id.uuid())
            .filter(location::Column::TenantId.eq(who.tenant_id))
            .one(conn)
            .await?
            .is_none()
    {
        errs.add("location_id", "not_found", "no such location");
    }
    if let Some(id) = manager_id
        && find(conn, who, id).await.is_err()
    {
        errs.add("manager_id", "not_found", "no such employee");
    }
    Ok(())
}

async fn email_taken<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    email: &str,
    except: Option<EmployeeId>,
) -> ApiResult<bool> {
    let mut q = employee::Entity::find()
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::Email.eq(email))
        .filter(employee::Column::DeletedAt.is_null());
    if let Some(id) = except {
        q = q.filter(employee::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create(
    state: &AppState,
    who: &Principal,
    new: NewEmployee,
) -> ApiResult<EmployeeView> {
    who.require(Action::PeopleWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let mut errs = Errors::default();
    check_refs(
        &txn,
        who,
        &mut errs,
        new.department_id,
        new.location_id,
        new.manager_id,
    )
    .await?;
    errs.finish()?;
    if email_taken(&txn, who, &new.email, None).await? {
        return Err(PeopleError::DuplicateEmail.into());
    }
    let now = crate::platform::clock::now();
    let e = employee::ActiveModel {
        id: Set(EmployeeId::new().uuid()),
        tenant_id: Set(who.tenant_id.uuid()),
        search_text: Set(search_text(
            &new.name,
            &new.email,
            new.employee_number.as_deref(),
        )),
        name: Set(new.name),
        email: Set(new.email),
        employee_number: Set(new.employee_number),
        title: Set(new.title),
        department_id: Set(new.department_id.map(Into::into)),
        location_id: Set(new.location_id.map(Into::into)),
        manager_id: Set(new.manager_id.map(Into::into)),
        status: Set(new.status.as_str().to_owned()),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
        external_source: Set(None),
        external_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(unique_or(PeopleError::DuplicateEmail))?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "employee.created",
            entity_type: "employee",
            entity_id: Some(e.id),
            changes: diff(&Value::Null, &snapshot(&e)),
        },
    )
    .await?;
    let view = view(&txn, e).await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "employee_created",
        json!({"employee": view}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get(state: &AppState, who: &Principal, id: EmployeeId) -> ApiResult<EmployeeDetail> {
    who.require(Action::PeopleRead)?;
    let e = find(&state.db, who, id).await?;
    let assets = crate::assets::published::held_by(&state.db, who.tenant_id, id).await?;
    Ok(EmployeeDetail {
        employee: view(&state.db, e).await?,
        assets,
    })
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: EmployeeId,
    if_match: Option<i32>,
    patch: EmployeePatch,
) -> ApiResult<EmployeeView> {
    who.require(Action::PeopleWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    if let Some(v) = if_match.or(patch.version)
        && v != before.version
    {
        return Err(PeopleError::StaleVersion {
            current: before.version,
            sent: v,
        }
        .into());
    }
    let mut errs = Errors::default();
    check_refs(
        &txn,
        who,
        &mut errs,
        patch.department_id.flatten(),
        patch.location_id.flatten(),
        patch.manager_id.flatten(),
    )
    .await?;
    errs.finish()?;
    if let Some(e) = &patch.email
        && email_taken(&txn, who, e, Some(id)).await?
    {
        return Err(PeopleError::DuplicateEmail.into());
    }
    let mut am = before.clone().into_active_model();
    if let Some(n) = patch.name {
        am.name = Set(n);
    }
    if let Some(e) = patch.email {
        am.email = Set(e);
    }
    if let Some(n) = patch.employee_number {
        am.employee_number = Set(n);
    }
    if let Some(t) = patch.title {
        am.title = Set(t);
    }
    if let Some(d) = patch.department_id {
        am.department_id = Set(d.map(Into::into));
    }
    if let Some(l) = patch.location_id {
        am.location_id = Set(l.map(Into::into));
    }
    if let Some(m) = patch.manager_id {
        am.manager_id = Set(m.map(Into::into));
    }
    if let Some(s) = patch.status {
        am.status = Set(s.as_str().to_owned());
    }
    if let Some(d) = patch.start_date {
        am.start_date = Set(d);
    }
    if let Some(d) = patch.end_date {
        am.end_date = Set(d);
    }
    let candidate = employee::Model::try_from(am.clone()).map_err(ApiError::internal)?;
    if snapshot(&candidate) == snapshot(&before) {
        txn.commit().await?;
        return view(&state.db, before).await;
    }
    am.search_text = Set(search_text(
        &candidate.name,
        &candidate.email,
        candidate.employee_number.as_deref(),
    ));
    am.version = Set(before.version + 1);
    am.updated_at = Set(crate::platform::clock::now());
    let after = am
        .update(&txn)
        .await
        .map_err(unique_or(PeopleError::DuplicateEmail))?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "employee.updated",
            entity_type: "employee",
            entity_id: Some(id.uuid()),
            changes: diff(&snapshot(&before), &snapshot(&after)),
        },
    )
    .await?;
    // A person marked as having left by hand is offboarded like one the HR system reports.
    crate::workflows::published::on_employee_changed(
        &txn,
        who,
        Some(&before.clone().into()),
        &after.clone().into(),
    )
    .await?;
    let view = view(&txn, after).await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "employee_updated",
        json!({"employee": view}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(view)
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete(state: &AppState, who: &Principal, id: EmployeeId) -> ApiResult<()> {
    who.require(Action::PeopleWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    if !crate::assets::published::held_by(&txn, who.tenant_id, id)
        .await?
        .is_empty()
    {
        return Err(PeopleError::HoldsAssets.into());
    }
    let mut am = before.clone().into_active_model();
    am.deleted_at = Set(Some(crate::platform::clock::now()));
    am.version = Set(before.version + 1);
    let after = am.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "employee.deleted",
            entity_type: "employee",
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
        "employee_deleted",
        json!({"employee": view}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(())
}

/// Filters of the employee list.
#[derive(Default)]
pub struct EmployeeFilter {
    pub q: Option<String>,
    pub status: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
}

/// Lists employees by name (or creation order), keyset-paginated.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn list(
    state: &AppState,
    who: &Principal,
    f: EmployeeFilter,
    sort: Option<&str>,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<EmployeeView>> {
    who.require(Action::PeopleRead)?;
    let limit = pagination::limit(limit)?;
    let sort = sort.unwrap_or("name");
    let (by_name, desc) = match sort {
        "name" => (true, false),
        "-name" => (true, true),
        "created_at" => (false, false),
        "-created_at" => (false, true),
        _ => {
            return Err(ApiError::field(
                "sort",
                "invalid_choice",
                "must be name, -name, created_at or -created_at",
            ));
        }
    };
    let mut q = employee::Entity::find()
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null());
    if let Some(s) = f.status {
        q = q.filter(employee::Column::Status.eq(s));
    }
    if let Some(d) = f.department_id {
        q = q.filter(employee::Column::DepartmentId.eq(d));
    }
    if let Some(l) = f.location_id {
        q = q.filter(employee::Column::LocationId.eq(l));
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
            Expr::col(employee::Column::SearchText)
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    if let Some(c) = cursor {
        let c = Cursor::decode(c, sort)?;
        let id_after = if desc {
            employee::Column::Id.lt(c.id)
        } else {
            employee::Column::Id.gt(c.id)
        };
        q = if by_name {
            let name = c.v.unwrap_or_default();
            let beyond = if desc {
                employee::Column::Name.lt(name.clone())
            } else {
                employee::Column::Name.gt(name.clone())
            };
            q.filter(
                sea_orm::Condition::any().add(beyond).add(
                    sea_orm::Condition::all()
                        .add(employee::Column::Name.eq(name))
                        .add(id_after),
                ),
            )
        } else {
            q.filter(id_after)
        };
    }
    let order = if desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    if by_name {
        q = q.order_by(employee::Column::Name, order.clone());
    }
    let mut rows = q
        .order_by(employee::Column::Id, order)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let data = views(&state.db, who.tenant_id, rows).await?;
    let next_cursor = if more {
        data.last().map(|e| cursor_for(sort, e))
    } else {
        None
    };
    Ok(Page { data, next_cursor })
}

/// The cursor that continues the list sorted by `sort` after employee `e`.
pub fn cursor_for(sort: &str, e: &EmployeeView) -> String {
    let by_name = sort.trim_start_matches('-') == "name";
    Cursor {
        s: sort.to_owned(),
        v: by_name.then(|| e.name.clone()),
        id: e.id.uuid(),
    }
    .encode()
}

/// The live employees among `ids` in the caller's tenant.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get_many(
    state: &AppState,
    who: &Principal,
    ids: &[EmployeeId],
) -> ApiResult<HashMap<EmployeeId, EmployeeView>> {
    who.require(Action::PeopleRead)?;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = employee::Entity::find()
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .filter(employee::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .all(&state.db)
        .await?;
    Ok(views(&state.db, who.tenant_id, rows)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// One change of an employee, as pushed to subscribers.
#[derive(Clone, Debug)]
pub struct EmployeeChange {
    /// `employee_created`, `employee_updated`, `employee_deleted`.
    pub event: String,
    pub employee: EmployeeView,
}

/// Every employee change committed in the caller's tenant from now on.
pub fn changes(
    state: &AppState,
    who: &Principal,
) -> ApiResult<impl futures::Stream<Item = EmployeeChange> + Send + use<>> {
    use futures::StreamExt;
    who.require(Action::PeopleRead)?;
    Ok(state.events.stream(who.tenant_id, TOPIC).filter_map(|e| {
        let change = serde_json::from_value::<EmployeeView>(e.payload["employee"].clone())
            .ok()
            .map(|employee| EmployeeChange {
                event: e.event.clone(),
                employee,
            });
        futures::future::ready(change)
    }))
}
