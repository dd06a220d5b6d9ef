//! People use-cases, by what they do: employees (the directory of people), the directory's
//! departments and locations, and the HR-system sync. This module holds what they share:
//! rendering rows as views, the audit snapshot and the search text.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::{department, employee, location};
use super::model::*;
use crate::assets::published::NamedRef;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::TenantId;

mod directory;
mod employees;
mod hris;
mod lookups;

pub use directory::*;
pub use employees::*;
pub use hris::*;
pub use lookups::*;

/// The realtime topic of employee changes.
const TOPIC: &str = "employees";

impl From<employee::Model> for Employee {
    fn from(e: employee::Model) -> Self {
        Employee {
            id: e.id.into(),
            tenant_id: e.tenant_id.into(),
            status: EmployeeStatus::from_stored(&e.status),
            name: e.name,
            email: e.email,
            employee_number: e.employee_number,
            title: e.title,
            department_id: e.department_id.map(Into::into),
            location_id: e.location_id.map(Into::into),
            manager_id: e.manager_id.map(Into::into),
            start_date: e.start_date,
            end_date: e.end_date,
            external_source: e.external_source,
            external_id: e.external_id,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
            deleted_at: e.deleted_at,
        }
    }
}

/// What the audit log records of an employee (and what tells a real change from none).
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
async fn views<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
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
            id: e.id.into(),
            name: e.name,
            email: e.email,
            employee_number: e.employee_number,
            title: e.title,
            manager_id: e.manager_id.map(Into::into),
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
    let t = e.tenant_id.into();
    views(conn, t, vec![e])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("employee view missing"))
}
