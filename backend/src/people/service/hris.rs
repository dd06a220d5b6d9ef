//! The HR-system sync: upserting a batch of people by the vendor's id, linking them to their
//! managers afterwards, and refreshing the planner's statistics after a bulk import.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::entity::{department, employee, location};
use super::super::model::Employee;
use super::{TOPIC, search_text, snapshot, views};
use crate::audit::published::diff;
use crate::audit::published::{self as audit, Entry};
use crate::platform::auth::Principal;
use crate::platform::db;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::events;
use crate::platform::ids::{DepartmentId, EmployeeId, LocationId};
use crate::platform::state::AppState;
use crate::platform::validation as v;

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
                    id: Set(DepartmentId::new().uuid()),
                    tenant_id: Set(who.tenant_id.uuid()),
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
                    id: Set(LocationId::new().uuid()),
                    tenant_id: Set(who.tenant_id.uuid()),
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
                id: Set(EmployeeId::new().uuid()),
                tenant_id: Set(who.tenant_id.uuid()),
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
        match r.manager_external_id.as_ref() {
            // The HR system says the person reports to nobody (any more): approvals must not
            // go to a former manager.
            None => am.manager_id = Set(None),
            // A manager not known yet is linked after the sync (`link_managers_from_hris`).
            Some(x) => {
                if let Some(m) = managers
                    .get(x)
                    .filter(|m| current.as_ref().is_none_or(|c| c.id != **m))
                {
                    am.manager_id = Set(Some(*m));
                }
            }
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
    for (_, created) in creates {
        let created = Employee::from(created);
        crate::workflows::published::on_employee_changed(&txn, who, None, &created).await?;
    }
    for (before, _, after) in updates {
        let (before, after) = (Employee::from(before), Employee::from(after));
        crate::workflows::published::on_employee_changed(&txn, who, Some(&before), &after).await?;
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
        let rows = employee::Entity::find()
            .filter(employee::Column::TenantId.eq(who.tenant_id))
            .filter(employee::Column::Id.is_in(ids))
            .all(&txn)
            .await?;
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
