//! People use-cases: employees, departments, locations.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::{department, employee, location};
use super::model::*;
use crate::app::AppState;
use crate::assets::model::NamedRef;
use crate::audit::model::diff;
use crate::audit::service::{self as audit, Entry};
use crate::platform::auth::{Action, Principal};
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult, Code, FieldError, is_unique_violation};
use crate::platform::events;
use crate::platform::pagination::{self, Cursor, Page};
use crate::platform::validation::{self as v, Errors};

const TOPIC: &str = "employees";

fn status_ok(s: &str) -> Result<String, FieldError> {
    match s {
        "active" | "terminated" => Ok(s.to_owned()),
        _ => Err(FieldError::new(
            "status",
            "invalid_choice",
            "must be active or terminated",
        )),
    }
}

fn snapshot(e: &employee::Model) -> Value {
    json!({
        "name": e.name, "email": e.email, "employee_number": e.employee_number, "title": e.title,
        "department_id": e.department_id, "location_id": e.location_id, "manager_id": e.manager_id,
        "status": e.status, "start_date": e.start_date, "end_date": e.end_date,
    })
}

fn search_text(name: &str, email: &str, number: Option<&str>) -> String {
    format!("{name} {email} {}", number.unwrap_or_default()).to_lowercase()
}

/// Renders employees with their department and location names (one query per kind).
pub async fn views<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    rows: Vec<employee::Model>,
) -> ApiResult<Vec<EmployeeView>> {
    let deps: HashMap<Uuid, String> = db::tenant_rows_by_ids::<department::Entity, _>(
        conn,
        department::Column::TenantId,
        department::Column::Id,
        tenant_id,
        rows.iter().filter_map(|e| e.department_id),
        |m| m.id,
    )
    .await?
    .into_iter()
    .map(|(id, d)| (id, d.name))
    .collect();
    let locs: HashMap<Uuid, String> = db::tenant_rows_by_ids::<location::Entity, _>(
        conn,
        location::Column::TenantId,
        location::Column::Id,
        tenant_id,
        rows.iter().filter_map(|e| e.location_id),
        |m| m.id,
    )
    .await?
    .into_iter()
    .map(|(id, l)| (id, l.name))
    .collect();
    let named = |id: Option<Uuid>, m: &HashMap<Uuid, String>| {
        id.and_then(|id| {
            m.get(&id).map(|n| NamedRef {
                id,
                name: n.clone(),
            })
        })
    };
    Ok(rows
        .into_iter()
        .map(|e| EmployeeView {
            department: named(e.department_id, &deps),
            location: named(e.location_id, &locs),
            id: e.id,
            name: e.name,
            email: e.email,
            employee_number: e.employee_number,
            title: e.title,
            manager_id: e.manager_id,
            status: e.status,
            start_date: e.start_date,
            end_date: e.end_date,
            external_source: e.external_source,
            external_id: e.external_id,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        })
        .collect())
}

async fn view<C: ConnectionTrait>(conn: &C, e: employee::Model) -> ApiResult<EmployeeView> {
    let t = e.tenant_id;
    views(conn, t, vec![e])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("employee view missing"))
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    id: Uuid,
) -> ApiResult<employee::Model> {
    employee::Entity::find_by_id(id)
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("employee"))
}

async fn check_refs<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    errs: &mut Errors,
    department_id: Option<Uuid>,
    location_id: Option<Uuid>,
    manager_id: Option<Uuid>,
) -> ApiResult<()> {
    if let Some(id) = department_id
        && department::Entity::find_by_id(id)
            .filter(department::Column::TenantId.eq(who.tenant_id))
            .one(conn)
            .await?
            .is_none()
    {
        errs.add("department_id", "not_found", "no such department");
    }
    if let Some(id) = location_id
        && location::Entity::find_by_id(id)
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

fn duplicate_email() -> ApiError {
    ApiError {
        code: Code::DuplicateEmail,
        detail: Some("another employee already has this email".into()),
        errors: vec![FieldError::new("email", "taken", "is already in use")],
        retry_after_secs: None,
    }
}

async fn email_taken<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    email: &str,
    except: Option<Uuid>,
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

fn date_opt(errs: &mut Errors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| errs.take(v::date(field, s)))
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn create(
    state: &AppState,
    who: &Principal,
    req: CreateEmployee,
) -> ApiResult<EmployeeView> {
    who.require(Action::PeopleWrite)?;
    let mut errs = Errors::default();
    let name = errs.take(v::required_text("name", &req.name, 200));
    let email = errs.take(v::email("email", &req.email));
    let number = errs
        .take(v::optional_text(
            "employee_number",
            req.employee_number.as_deref(),
            64,
        ))
        .flatten();
    let title = errs
        .take(v::optional_text("title", req.title.as_deref(), 200))
        .flatten();
    let status = errs.take(status_ok(req.status.as_deref().unwrap_or("active")));
    let start = date_opt(&mut errs, "start_date", req.start_date.as_deref());
    let end = date_opt(&mut errs, "end_date", req.end_date.as_deref());
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    check_refs(
        &txn,
        who,
        &mut errs,
        req.department_id,
        req.location_id,
        req.manager_id,
    )
    .await?;
    errs.finish()?;
    let (Some(name), Some(email), Some(status)) = (name, email, status) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    if email_taken(&txn, who, &email, None).await? {
        return Err(duplicate_email());
    }
    let now = crate::platform::clock::now();
    let e = employee::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        search_text: Set(search_text(&name, &email, number.as_deref())),
        name: Set(name),
        email: Set(email),
        employee_number: Set(number),
        title: Set(title),
        department_id: Set(req.department_id),
        location_id: Set(req.location_id),
        manager_id: Set(req.manager_id),
        status: Set(status),
        start_date: Set(start),
        end_date: Set(end),
        external_source: Set(None),
        external_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_email()
        } else {
            e.into()
        }
    })?;
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
pub async fn get(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<EmployeeDetail> {
    who.require(Action::PeopleRead)?;
    let e = find(&state.db, who, id).await?;
    let assets = crate::assets::service::held_by(&state.db, who.tenant_id, id).await?;
    Ok(EmployeeDetail {
        employee: view(&state.db, e).await?,
        assets,
    })
}

#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    if_match: Option<i32>,
    req: UpdateEmployee,
) -> ApiResult<EmployeeView> {
    who.require(Action::PeopleWrite)?;
    let mut errs = Errors::default();
    let name = req
        .name
        .as_deref()
        .and_then(|n| errs.take(v::required_text("name", n, 200)));
    let email = req
        .email
        .as_deref()
        .and_then(|e| errs.take(v::email("email", e)));
    let number = req.employee_number.map(|n| {
        errs.take(v::optional_text("employee_number", n.as_deref(), 64))
            .flatten()
    });
    let title = req.title.map(|n| {
        errs.take(v::optional_text("title", n.as_deref(), 200))
            .flatten()
    });
    let status = req.status.as_deref().and_then(|s| errs.take(status_ok(s)));
    let start = req
        .start_date
        .map(|d| date_opt(&mut errs, "start_date", d.as_deref()));
    let end = req
        .end_date
        .map(|d| date_opt(&mut errs, "end_date", d.as_deref()));
    if req.manager_id == Some(Some(id)) {
        errs.add(
            "manager_id",
            "self_reference",
            "an employee cannot manage themselves",
        );
    }
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    if let Some(v) = if_match.or(req.version)
        && v != before.version
    {
        return Err(ApiError::new(
            Code::VersionConflict,
            format!("the employee is at version {}, not {v}", before.version),
        ));
    }
    check_refs(
        &txn,
        who,
        &mut errs,
        req.department_id.flatten(),
        req.location_id.flatten(),
        req.manager_id.flatten(),
    )
    .await?;
    errs.finish()?;
    if let Some(e) = &email
        && email_taken(&txn, who, e, Some(id)).await?
    {
        return Err(duplicate_email());
    }
    let mut am = before.clone().into_active_model();
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(e) = email {
        am.email = Set(e);
    }
    if let Some(n) = number {
        am.employee_number = Set(n);
    }
    if let Some(t) = title {
        am.title = Set(t);
    }
    if let Some(d) = req.department_id {
        am.department_id = Set(d);
    }
    if let Some(l) = req.location_id {
        am.location_id = Set(l);
    }
    if let Some(m) = req.manager_id {
        am.manager_id = Set(m);
    }
    if let Some(s) = status {
        am.status = Set(s);
    }
    if let Some(d) = start {
        am.start_date = Set(d);
    }
    if let Some(d) = end {
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
    let after = am.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_email()
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "employee.updated",
            entity_type: "employee",
            entity_id: Some(id),
            changes: diff(&snapshot(&before), &snapshot(&after)),
        },
    )
    .await?;
    // A person marked as having left by hand is offboarded like one the HR system reports.
    crate::workflows::service::on_employee_changed(&txn, who, Some(&before), &after).await?;
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
pub async fn delete(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<()> {
    who.require(Action::PeopleWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = find(&txn, who, id).await?;
    if !crate::assets::service::held_by(&txn, who.tenant_id, id)
        .await?
        .is_empty()
    {
        return Err(ApiError::new(
            Code::Conflict,
            "the employee still holds assets; check them in first",
        ));
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
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
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
        id: e.id,
    }
    .encode()
}

/// The live employees among `ids` in the caller's tenant.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn get_many(
    state: &AppState,
    who: &Principal,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, EmployeeView>> {
    who.require(Action::PeopleRead)?;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = employee::Entity::find()
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .filter(employee::Column::Id.is_in(ids.iter().copied()))
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

// ---- departments and locations ----

fn duplicate_name() -> ApiError {
    ApiError {
        code: Code::DuplicateName,
        detail: Some("another record already has this name".into()),
        errors: vec![FieldError::new("name", "taken", "is already in use")],
        retry_after_secs: None,
    }
}

fn department_view(d: department::Model) -> DepartmentView {
    DepartmentView {
        id: d.id,
        name: d.name,
        created_at: d.created_at,
    }
}

fn location_view(l: location::Model) -> LocationView {
    LocationView {
        id: l.id,
        name: l.name,
        address: l.address,
        city: l.city,
        country: l.country,
        created_at: l.created_at,
    }
}

pub async fn list_departments(state: &AppState, who: &Principal) -> ApiResult<Vec<DepartmentView>> {
    who.require(Action::PeopleRead)?;
    Ok(department::Entity::find()
        .filter(department::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(department::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(department_view)
        .collect())
}

/// Creates (`id` = None) or renames a department.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn save_department(
    state: &AppState,
    who: &Principal,
    id: Option<Uuid>,
    req: DepartmentInput,
) -> ApiResult<DepartmentView> {
    who.require(Action::CatalogWrite)?;
    let name =
        v::required_text("name", &req.name, 120).map_err(|e| ApiError::validation(vec![e]))?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let now = crate::platform::clock::now();
    let (before, am) = match id {
        None => (
            Value::Null,
            department::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(who.tenant_id),
                name: Set(name),
                created_at: Set(now),
                updated_at: Set(now),
            },
        ),
        Some(id) => {
            let d = department::Entity::find_by_id(id)
                .filter(department::Column::TenantId.eq(who.tenant_id))
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("department"))?;
            let before = json!({"name": d.name});
            let mut am = d.into_active_model();
            am.name = Set(name);
            am.updated_at = Set(now);
            (before, am)
        }
    };
    let saved = if id.is_some() {
        am.update(&txn).await
    } else {
        am.insert(&txn).await
    };
    let d = saved.map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_name()
        } else {
            e.into()
        }
    })?;
    let action = if id.is_some() {
        "department.updated"
    } else {
        "department.created"
    };
    audit::record(
        &txn,
        who,
        Entry {
            action,
            entity_type: "department",
            entity_id: Some(d.id),
            changes: diff(&before, &json!({"name": d.name})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(department_view(d))
}

/// The departments among `ids` in the caller's tenant.
pub async fn departments_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, DepartmentView>> {
    who.require(Action::PeopleRead)?;
    let rows = db::tenant_rows_by_ids::<department::Entity, _>(
        &state.db,
        department::Column::TenantId,
        department::Column::Id,
        who.tenant_id,
        ids.iter().copied(),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, d)| (id, department_view(d)))
        .collect())
}

/// The locations among `ids` in the caller's tenant.
pub async fn locations_by_ids(
    state: &AppState,
    who: &Principal,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, LocationView>> {
    who.require(Action::AssetsRead)?;
    let rows = db::tenant_rows_by_ids::<location::Entity, _>(
        &state.db,
        location::Column::TenantId,
        location::Column::Id,
        who.tenant_id,
        ids.iter().copied(),
        |m| m.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, l)| (id, location_view(l)))
        .collect())
}

pub async fn list_locations(state: &AppState, who: &Principal) -> ApiResult<Vec<LocationView>> {
    who.require(Action::AssetsRead)?;
    Ok(location::Entity::find()
        .filter(location::Column::TenantId.eq(who.tenant_id))
        .order_by_asc(location::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(location_view)
        .collect())
}

/// Creates (`id` = None) or replaces a location's fields.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn save_location(
    state: &AppState,
    who: &Principal,
    id: Option<Uuid>,
    req: LocationInput,
) -> ApiResult<LocationView> {
    who.require(Action::CatalogWrite)?;
    let mut errs = Errors::default();
    let name = errs.take(v::required_text("name", &req.name, 120));
    let address = errs
        .take(v::optional_text("address", req.address.as_deref(), 300))
        .flatten();
    let city = errs
        .take(v::optional_text("city", req.city.as_deref(), 120))
        .flatten();
    let country = req
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_uppercase);
    if country
        .as_deref()
        .is_some_and(|c| c.len() != 2 || !c.chars().all(|x| x.is_ascii_uppercase()))
    {
        errs.add(
            "country",
            "invalid_format",
            "must be an ISO 3166-1 alpha-2 code like DE",
        );
    }
    errs.finish()?;
    let Some(name) = name else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let now = crate::platform::clock::now();
    let snap = |l: &location::Model| json!({"name": l.name, "address": l.address, "city": l.city, "country": l.country});
    let (before, mut am) = match id {
        None => (
            Value::Null,
            location::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(who.tenant_id),
                created_at: Set(now),
                ..Default::default()
            },
        ),
        Some(id) => {
            let l = location::Entity::find_by_id(id)
                .filter(location::Column::TenantId.eq(who.tenant_id))
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("location"))?;
            (snap(&l), l.into_active_model())
        }
    };
    am.name = Set(name);
    am.address = Set(address);
    am.city = Set(city);
    am.country = Set(country);
    am.updated_at = Set(now);
    let saved = if id.is_some() {
        am.update(&txn).await
    } else {
        am.insert(&txn).await
    };
    let l = saved.map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_name()
        } else {
            e.into()
        }
    })?;
    let action = if id.is_some() {
        "location.updated"
    } else {
        "location.created"
    };
    audit::record(
        &txn,
        who,
        Entry {
            action,
            entity_type: "location",
            entity_id: Some(l.id),
            changes: diff(&before, &snap(&l)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(location_view(l))
}

/// Deletes a named catalog row (department, location) of the caller's tenant and audits it;
/// rows that referred to it keep existing, without it (the foreign keys set it to null).
async fn delete_named<E: EntityTrait>(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    kind: &'static str,
    tenant_col: E::Column,
    id_col: E::Column,
    name_of: fn(&E::Model) -> String,
) -> ApiResult<()> {
    who.require(Action::CatalogWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let row = E::find()
        .filter(tenant_col.eq(who.tenant_id))
        .filter(id_col.eq(id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found(kind))?;
    E::delete_many()
        .filter(tenant_col.eq(who.tenant_id))
        .filter(id_col.eq(id))
        .exec(&txn)
        .await?;
    let action = format!("{kind}.deleted");
    audit::record(
        &txn,
        who,
        Entry {
            action: &action,
            entity_type: kind,
            entity_id: Some(id),
            changes: json!({"name": {"from": name_of(&row), "to": null}}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a department; its employees keep working, without a department.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete_department(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<()> {
    use department::Column as C;
    delete_named::<department::Entity>(state, who, id, "department", C::TenantId, C::Id, |d| {
        d.name.clone()
    })
    .await
}

/// Deletes a location; assets and employees there keep existing, without a location.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn delete_location(state: &AppState, who: &Principal, id: Uuid) -> ApiResult<()> {
    use location::Column as C;
    delete_named::<location::Entity>(state, who, id, "location", C::TenantId, C::Id, |l| {
        l.name.clone()
    })
    .await
}

// ---- HR-system sync ----

/// What one upsert batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct UpsertStats {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
}

async fn ensure_named<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    departments: &mut HashMap<String, Uuid>,
    locations: &mut HashMap<String, Uuid>,
    department: Option<&str>,
    location: Option<&str>,
) -> ApiResult<(Option<Uuid>, Option<Uuid>)> {
    let now = crate::platform::clock::now();
    let mut dep = None;
    if let Some(name) = department.map(str::trim).filter(|n| !n.is_empty()) {
        dep = Some(match departments.get(name) {
            Some(id) => *id,
            None => {
                let d = department::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(who.tenant_id),
                    name: Set(name.to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(conn)
                .await?;
                departments.insert(name.to_owned(), d.id);
                d.id
            }
        });
    }
    let mut loc = None;
    if let Some(name) = location.map(str::trim).filter(|n| !n.is_empty()) {
        loc = Some(match locations.get(name) {
            Some(id) => *id,
            None => {
                let l = location::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(who.tenant_id),
                    name: Set(name.to_owned()),
                    address: Set(None),
                    city: Set(None),
                    country: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(conn)
                .await?;
                locations.insert(name.to_owned(), l.id);
                l.id
            }
        });
    }
    Ok((dep, loc))
}

/// Upserts people from an HR system (`source`, e.g. `bamboohr`) by the vendor's id, in one
/// transaction per call. Only real changes are written, audited and published; a terminated
/// person is marked, never deleted; a record that cannot be stored (no email, email taken by
/// someone else) counts as failed and the rest go on. Existing hand-made records with the
/// same email are adopted rather than duplicated.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, source = %source, records = records.len()))]
pub async fn upsert_from_hris(
    state: &AppState,
    who: &Principal,
    source: &str,
    records: &[assetronics_integrations::hris::HrisEmployee],
) -> ApiResult<UpsertStats> {
    use assetronics_integrations::hris::EmploymentStatus;
    let mut stats = UpsertStats::default();
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    // Only the people this batch can touch: by the vendor's id, or by email (to adopt a record
    // made by hand, or to refuse merging two people).
    let external_ids: Vec<String> = records.iter().map(|r| r.external_id.clone()).collect();
    let emails: Vec<String> = records
        .iter()
        .filter_map(|r| r.work_email.as_deref())
        .filter_map(|e| v::email("email", e).ok())
        .collect();
    let mut existing = employee::Entity::find()
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .filter(employee::Column::ExternalSource.eq(source))
        .filter(employee::Column::ExternalId.is_in(external_ids))
        .all(&txn)
        .await?;
    existing.extend(
        employee::Entity::find()
            .filter(employee::Column::TenantId.eq(who.tenant_id))
            .filter(employee::Column::DeletedAt.is_null())
            .filter(employee::Column::Email.is_in(emails))
            .all(&txn)
            .await?,
    );
    let mut by_external: HashMap<String, employee::Model> = HashMap::new();
    let mut by_email: HashMap<String, employee::Model> = HashMap::new();
    for e in existing {
        if e.external_source.as_deref() == Some(source)
            && let Some(x) = e.external_id.clone()
        {
            by_external.insert(x, e.clone());
        }
        by_email.insert(e.email.clone(), e);
    }
    // Managers this batch points at, so that people are linked as they are written (a new
    // hire's approval goes to their manager). Managers not yet known are linked after the sync.
    let manager_ids: Vec<String> = records
        .iter()
        .filter_map(|r| r.manager_external_id.clone())
        .collect();
    let mut managers: HashMap<String, Uuid> = employee::Entity::find()
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::DeletedAt.is_null())
        .filter(employee::Column::ExternalSource.eq(source))
        .filter(employee::Column::ExternalId.is_in(manager_ids))
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|e| Some((e.external_id?, e.id)))
        .collect();
    let mut departments: HashMap<String, Uuid> = department::Entity::find()
        .filter(department::Column::TenantId.eq(who.tenant_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|d| (d.name, d.id))
        .collect();
    let mut locations: HashMap<String, Uuid> = location::Entity::find()
        .filter(location::Column::TenantId.eq(who.tenant_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|l| (l.name, l.id))
        .collect();
    let mut creates: Vec<(employee::ActiveModel, employee::Model)> = Vec::new();
    let mut updates: Vec<(employee::Model, employee::ActiveModel, employee::Model)> = Vec::new();
    let now = crate::platform::clock::now();
    for r in records {
        let Some(email) = r
            .work_email
            .as_deref()
            .and_then(|e| v::email("email", e).ok())
        else {
            stats.failed += 1;
            continue;
        };
        let name = if r.display_name.trim().is_empty() {
            format!("{} {}", r.first_name, r.last_name)
                .trim()
                .to_owned()
        } else {
            r.display_name.trim().to_owned()
        };
        let status = match r.status {
            EmploymentStatus::Active => "active",
            EmploymentStatus::Terminated => "terminated",
        };
        let (dep, loc) = ensure_named(
            &txn,
            who,
            &mut departments,
            &mut locations,
            r.department.as_deref(),
            r.location.as_deref(),
        )
        .await?;
        let current = by_external.get(&r.external_id).cloned().or_else(|| {
            by_email
                .get(&email)
                .filter(|e| e.external_id.is_none())
                .cloned()
        });
        if current.is_none() && by_email.contains_key(&email) {
            // The email belongs to another person's record: do not merge two people.
            stats.failed += 1;
            continue;
        }
        let mut am = match &current {
            Some(e) => e.clone().into_active_model(),
            None => employee::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(who.tenant_id),
                manager_id: Set(None),
                version: Set(1),
                created_at: Set(now),
                deleted_at: Set(None),
                ..Default::default()
            },
        };
        am.name = Set(name.clone());
        am.email = Set(email.clone());
        am.employee_number = Set(r.employee_number.clone());
        am.title = Set(r.job_title.clone());
        am.department_id = Set(dep);
        am.location_id = Set(loc);
        am.status = Set(status.to_owned());
        am.start_date = Set(r.hire_date);
        am.end_date = Set(r.termination_date);
        am.external_source = Set(Some(source.to_owned()));
        am.external_id = Set(Some(r.external_id.clone()));
        if let Some(m) = r
            .manager_external_id
            .as_ref()
            .and_then(|x| managers.get(x))
            .filter(|m| current.as_ref().is_none_or(|c| c.id != **m))
        {
            am.manager_id = Set(Some(*m));
        }
        am.search_text = Set(search_text(&name, &email, r.employee_number.as_deref()));
        match current {
            Some(before) => {
                let mut candidate =
                    employee::Model::try_from(am.clone()).map_err(ApiError::internal)?;
                candidate.updated_at = before.updated_at;
                let linked = before.external_id.is_none();
                if snapshot(&candidate) == snapshot(&before) && !linked {
                    stats.unchanged += 1;
                    continue;
                }
                am.version = Set(before.version + 1);
                am.updated_at = Set(now);
                let after = employee::Model::try_from(am.clone()).map_err(ApiError::internal)?;
                by_external.insert(r.external_id.clone(), after.clone());
                updates.push((before, am, after));
                stats.updated += 1;
            }
            None => {
                am.updated_at = Set(now);
                let created = employee::Model::try_from(am.clone()).map_err(ApiError::internal)?;
                managers.insert(r.external_id.clone(), created.id);
                by_email.insert(email, created.clone());
                by_external.insert(r.external_id.clone(), created.clone());
                creates.push((am, created));
                stats.created += 1;
            }
        }
    }
    // The batch's writes, in bulk: new people first (others may now point at them as their
    // manager), then changes; then the audit entries, events and workflows of both.
    for chunk in creates.chunks(200) {
        // 19 columns a row: 200 rows stay far below SQLite's bound-parameter limit.
        let rows: Vec<employee::ActiveModel> = chunk.iter().map(|(am, _)| am.clone()).collect();
        employee::Entity::insert_many(rows).exec(&txn).await?;
    }
    for (_, am, _) in &updates {
        am.clone().update(&txn).await?;
    }
    let mut entries = Vec::with_capacity(creates.len() + updates.len());
    for (_, created) in &creates {
        entries.push(Entry {
            action: "employee.created",
            entity_type: "employee",
            entity_id: Some(created.id),
            changes: diff(&Value::Null, &snapshot(created)),
        });
    }
    for (before, _, after) in &updates {
        entries.push(Entry {
            action: "employee.updated",
            entity_type: "employee",
            entity_id: Some(after.id),
            changes: diff(&snapshot(before), &snapshot(after)),
        });
    }
    audit::record_many(&txn, who, entries).await?;
    let written: Vec<employee::Model> = creates
        .iter()
        .map(|(_, m)| m.clone())
        .chain(updates.iter().map(|(_, _, m)| m.clone()))
        .collect();
    let n_created = creates.len();
    let events_out: Vec<(&'static str, Value)> = views(&txn, who.tenant_id, written)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let name = if i < n_created {
                "employee_created"
            } else {
                "employee_updated"
            };
            (name, json!({"employee": v}))
        })
        .collect();
    events::enqueue_many(&txn, who.tenant_id, TOPIC, events_out).await?;
    for (_, created) in &creates {
        crate::workflows::service::on_employee_changed(&txn, who, None, created).await?;
    }
    for (before, _, after) in &updates {
        crate::workflows::service::on_employee_changed(&txn, who, Some(before), after).await?;
    }
    txn.commit().await?;
    state.events.kick();
    Ok(stats)
}

/// Refreshes the planner's statistics of the employees table (PostgreSQL; SQLite's planner
/// needs none for these lookups), after a bulk import changed its size.
pub async fn refresh_statistics(db: &sea_orm::DatabaseConnection) -> ApiResult<()> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared("ANALYZE employees").await?;
    }
    Ok(())
}

/// The tenant's (not deleted) employees among `ids`, by id.
pub async fn by_ids<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, employee::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(employee::Entity::find()
        .filter(employee::Column::TenantId.eq(tenant_id))
        .filter(employee::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// The tenant's (not deleted) employees whose email (lowercased) is among `emails`, by email.
pub async fn by_emails<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    emails: &[String],
) -> ApiResult<HashMap<String, employee::Model>> {
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
        .map(|e| (e.email.to_lowercase(), e))
        .collect())
}

/// Links people from an HR system to their managers: `links` are `(external_id,
/// manager_external_id)` pairs of that source. Only real changes are written, audited and
/// published, in batches.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, source = %source, links = links.len()))]
pub async fn link_managers_from_hris(
    state: &AppState,
    who: &Principal,
    source: &str,
    links: &[(String, String)],
) -> ApiResult<u64> {
    if links.is_empty() {
        return Ok(0);
    }
    let people: Vec<(Uuid, Option<String>, Option<Uuid>)> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .column(employee::Column::ExternalId)
        .column(employee::Column::ManagerId)
        .filter(employee::Column::TenantId.eq(who.tenant_id))
        .filter(employee::Column::ExternalSource.eq(source))
        .filter(employee::Column::DeletedAt.is_null())
        .into_tuple()
        .all(&state.db)
        .await?;
    let by_external: HashMap<&str, (Uuid, Option<Uuid>)> = people
        .iter()
        .filter_map(|(id, x, m)| Some((x.as_deref()?, (*id, *m))))
        .collect();
    let changes: Vec<(Uuid, Option<Uuid>, Uuid)> = links
        .iter()
        .filter_map(|(person, manager)| {
            let (id, current) = *by_external.get(person.as_str())?;
            let (manager_id, _) = *by_external.get(manager.as_str())?;
            (current != Some(manager_id) && manager_id != id).then_some((id, current, manager_id))
        })
        .collect();
    let mut changed = 0;
    for batch in changes.chunks(500) {
        let txn = db::begin_write(&state.db, who.tenant_id).await?;
        for (id, from, to) in batch {
            employee::Entity::update_many()
                .col_expr(employee::Column::ManagerId, Expr::value(Some(*to)))
                .col_expr(
                    employee::Column::Version,
                    Expr::col(employee::Column::Version).add(1),
                )
                .col_expr(
                    employee::Column::UpdatedAt,
                    Expr::value(crate::platform::clock::now()),
                )
                .filter(employee::Column::TenantId.eq(who.tenant_id))
                .filter(employee::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
            audit::record(
                &txn,
                who,
                Entry {
                    action: "employee.updated",
                    entity_type: "employee",
                    entity_id: Some(*id),
                    changes: json!({"manager_id": {"from": from, "to": to}}),
                },
            )
            .await?;
        }
        let ids: Vec<Uuid> = batch.iter().map(|(id, _, _)| *id).collect();
        let rows = by_ids(&txn, who.tenant_id, &ids)
            .await?
            .into_values()
            .collect();
        for view in views(&txn, who.tenant_id, rows).await? {
            events::enqueue(
                &txn,
                who.tenant_id,
                TOPIC,
                "employee_updated",
                json!({"employee": view}),
            )
            .await?;
            changed += 1;
        }
        txn.commit().await?;
        state.events.kick();
    }
    Ok(changed)
}
