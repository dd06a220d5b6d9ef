//! What an MDM says about the devices behind assets: the device facts it reports (OS, model,
//! last check-in, its user) land on the asset matched by serial number; a device with an
//! unknown serial becomes an in-stock asset when the tenant wants that; and where the MDM's
//! user is not the person we have the asset checked out to, an assignee discrepancy is opened
//! for an admin to look at, and resolved by itself once the two agree again.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::entity::{asset, asset_model, category, discrepancy};
use super::error::AssetError;
use super::model::*;
use super::service::{generate_tag, record, search_text};
use crate::audit::published::{self as audit, Entry};
use crate::people::published as people;
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::events;
use crate::platform::ids::{AssetId, DiscrepancyId, EmployeeId, IntegrationId, TenantId};
use crate::platform::state::AppState;

const TOPIC: &str = "assets";
const ASSIGNEE_MISMATCH: &str = "assignee_mismatch";

/// One device as an MDM reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceFacts {
    /// The MDM's id for the enrolment (what a remote wipe addresses).
    pub device_id: String,
    pub serial_number: String,
    pub name: String,
    pub model: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub last_check_in: Option<DateTime<Utc>>,
    /// Lowercased.
    pub user_email: Option<String>,
}

/// What applying a batch of devices did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeviceStats {
    /// Assets created for unknown serial numbers.
    pub created: u64,
    /// Assets whose device facts changed.
    pub updated: u64,
    pub unchanged: u64,
    /// Devices with an unknown serial left out (the tenant does not create assets for them).
    pub ignored: u64,
    pub discrepancies_opened: u64,
    pub discrepancies_resolved: u64,
}

impl DeviceStats {
    pub fn add(&mut self, o: DeviceStats) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.ignored += o.ignored;
        self.discrepancies_opened += o.discrepancies_opened;
        self.discrepancies_resolved += o.discrepancies_resolved;
    }
}

/// The manufacturer an OS implies, for a model an MDM names without one.
fn manufacturer_for(os: Option<&str>) -> &'static str {
    match os.map(str::to_lowercase).as_deref() {
        Some("macos" | "ios" | "ipados" | "tvos" | "watchos" | "visionos") => "Apple",
        _ => "Unknown",
    }
}

/// The category a new asset of this OS goes to, if the tenant has a category of that name.
fn category_for(os: Option<&str>) -> &'static str {
    match os.map(str::to_lowercase).as_deref() {
        Some("ios" | "android") => "Phone",
        Some("ipados") => "Tablet",
        _ => "Laptop",
    }
}

/// The tenant's live assets with any of these serial numbers, keyed by the serial in upper
/// case. Serials are matched as given and in either case: people type them either way. Where
/// two assets share a serial, the oldest wins.
pub(super) async fn live_by_serial<'a, C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    serials: impl IntoIterator<Item = &'a str>,
) -> ApiResult<HashMap<String, asset::Model>> {
    let mut wanted: HashSet<String> = HashSet::new();
    for s in serials {
        wanted.insert(s.to_owned());
        wanted.insert(s.to_uppercase());
        wanted.insert(s.to_lowercase());
    }
    let mut by_serial: HashMap<String, asset::Model> = HashMap::new();
    if wanted.is_empty() {
        return Ok(by_serial);
    }
    for a in asset::Entity::find()
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .filter(asset::Column::SerialNumber.is_in(wanted))
        .order_by_asc(asset::Column::Id)
        .all(conn)
        .await?
    {
        if let Some(s) = a.serial_number.as_deref() {
            by_serial.entry(s.to_uppercase()).or_insert(a);
        }
    }
    Ok(by_serial)
}

/// Applies one batch of an MDM's devices (at most a few hundred) in one transaction: facts on
/// matched assets, new in-stock assets for unknown serials when `create_unknown`, and
/// discrepancies opened or resolved. Only real changes are written, audited and published.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, devices = devices.len()))]
pub async fn apply_device_facts(
    state: &AppState,
    who: &Principal,
    integration_id: IntegrationId,
    create_unknown: bool,
    devices: &[DeviceFacts],
) -> ApiResult<DeviceStats> {
    let mut stats = DeviceStats::default();
    if devices.is_empty() {
        return Ok(stats);
    }
    let tenant_id = who.tenant_id;
    let txn = db::begin_write(&state.db, tenant_id).await?;

    let mut by_serial = live_by_serial(
        &txn,
        tenant_id,
        devices.iter().map(|d| d.serial_number.as_str()),
    )
    .await?;
    let emails: Vec<String> = devices
        .iter()
        .filter_map(|d| d.user_email.clone())
        .collect();
    let people_by_email = people::by_emails(&txn, tenant_id, &emails).await?;
    let holder_ids: Vec<EmployeeId> = by_serial
        .values()
        .filter_map(|a| a.assigned_employee_id.map(EmployeeId::from))
        .collect();
    let holders = people::by_ids(&txn, tenant_id, &holder_ids).await?;
    let asset_ids: Vec<Uuid> = by_serial.values().map(|a| a.id).collect();
    let mut open: HashMap<Uuid, discrepancy::Model> = if asset_ids.is_empty() {
        HashMap::new()
    } else {
        discrepancy::Entity::find()
            .filter(discrepancy::Column::TenantId.eq(tenant_id))
            .filter(discrepancy::Column::AssetId.is_in(asset_ids))
            .filter(discrepancy::Column::Kind.eq(ASSIGNEE_MISMATCH))
            .filter(discrepancy::Column::Status.eq("open"))
            .all(&txn)
            .await?
            .into_iter()
            .map(|d| (d.asset_id, d))
            .collect()
    };
    let mut models: HashMap<String, asset_model::Model> = HashMap::new();
    let categories: Vec<category::Model> = category::Entity::find()
        .filter(category::Column::TenantId.eq(tenant_id))
        .all(&txn)
        .await?;
    let now = clock::now();

    for d in devices {
        let model = match &d.model {
            Some(name) if !name.trim().is_empty() => {
                Some(model_named(&txn, who, &mut models, name.trim(), d).await?)
            }
            _ => None,
        };
        let existing = by_serial.get(&d.serial_number.to_uppercase()).cloned();
        let row = match existing {
            Some(before) => {
                let mut am = before.clone().into_active_model();
                let mut changed = false;
                macro_rules! put {
                    ($col:ident, $val:expr) => {
                        if before.$col != $val {
                            am.$col = Set($val);
                            changed = true;
                        }
                    };
                }
                put!(os_name, d.os_name.clone());
                put!(os_version, d.os_version.clone());
                put!(last_check_in_at, d.last_check_in);
                put!(mdm_user_email, d.user_email.clone());
                put!(mdm_integration_id, Some(integration_id.uuid()));
                put!(mdm_device_id, Some(d.device_id.clone()));
                if before.model_id.is_none()
                    && let Some(m) = &model
                {
                    am.model_id = Set(Some(m.id));
                    am.search_text = Set(search_text(
                        &before.tag,
                        &before.name,
                        before.serial_number.as_deref(),
                        Some(m),
                    ));
                    if before.category_id.is_none() {
                        am.category_id = Set(m.category_id);
                    }
                    changed = true;
                }
                if changed {
                    am.mdm_synced_at = Set(Some(now));
                    am.updated_at = Set(now);
                    am.version = Set(before.version + 1);
                    let after = am.update(&txn).await?;
                    record(
                        &txn,
                        who,
                        "asset.device_synced",
                        "asset_updated",
                        Some(&before),
                        &after,
                    )
                    .await?;
                    stats.updated += 1;
                    after
                } else {
                    stats.unchanged += 1;
                    before
                }
            }
            None if create_unknown => {
                let tag = generate_tag(&txn, tenant_id).await?;
                let name = if d.name.trim().is_empty() {
                    d.model.clone().unwrap_or_else(|| d.serial_number.clone())
                } else {
                    d.name.trim().to_owned()
                };
                let wanted = category_for(d.os_name.as_deref()).to_lowercase();
                let category_id = model.as_ref().and_then(|m| m.category_id).or_else(|| {
                    categories
                        .iter()
                        .find(|c| c.name.to_lowercase() == wanted)
                        .map(|c| c.id)
                });
                let row = asset::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant_id.uuid()),
                    search_text: Set(search_text(
                        &tag,
                        &name,
                        Some(&d.serial_number),
                        model.as_ref(),
                    )),
                    tag: Set(tag),
                    name: Set(name),
                    serial_number: Set(Some(d.serial_number.clone())),
                    status: Set(AssetStatus::InStock.as_str().into()),
                    category_id: Set(category_id),
                    model_id: Set(model.as_ref().map(|m| m.id)),
                    custom_fields: Set(json!({})),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    os_name: Set(d.os_name.clone()),
                    os_version: Set(d.os_version.clone()),
                    last_check_in_at: Set(d.last_check_in),
                    mdm_user_email: Set(d.user_email.clone()),
                    mdm_integration_id: Set(Some(integration_id.uuid())),
                    mdm_device_id: Set(Some(d.device_id.clone())),
                    mdm_synced_at: Set(Some(now)),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                record(&txn, who, "asset.created", "asset_created", None, &row).await?;
                by_serial.insert(d.serial_number.to_uppercase(), row.clone());
                stats.created += 1;
                row
            }
            None => {
                stats.ignored += 1;
                continue;
            }
        };

        // Does the MDM's user agree with our assignment?
        let holder = row
            .assigned_employee_id
            .and_then(|id| holders.get(&EmployeeId::from(id)));
        let mdm_person = d.user_email.as_deref().and_then(|e| people_by_email.get(e));
        let agrees = match (&d.user_email, holder) {
            // An MDM without a user for the device says nothing either way.
            (None, _) => true,
            (Some(_), Some(h)) => mdm_person.is_some_and(|p| p.id == h.id),
            (Some(_), None) => false,
        };
        let facts = json!({
            "mdm_user_email": d.user_email,
            "assigned_email": holder.map(|h| h.email.clone()),
            "assigned_employee_id": holder.map(|h| h.id),
            "mdm_employee_id": mdm_person.map(|p| p.id),
        });
        match (agrees, open.remove(&row.id)) {
            (true, None) => {}
            (true, Some(was)) => {
                let mut am = was.into_active_model();
                am.status = Set("resolved".into());
                am.resolved_at = Set(Some(now));
                am.updated_at = Set(now);
                let d = am.update(&txn).await?;
                publish(&txn, who, "discrepancy_resolved", &d, &row).await?;
                stats.discrepancies_resolved += 1;
            }
            (false, Some(was)) if was.facts == facts => {}
            (false, was) => {
                let detail = match holder {
                    Some(h) => format!(
                        "The MDM's user is {}, but {} is checked out to {} ({})",
                        d.user_email.as_deref().unwrap_or("nobody"),
                        row.tag,
                        h.name,
                        h.email
                    ),
                    None => format!(
                        "The MDM's user is {}, but {} is not checked out to anyone",
                        d.user_email.as_deref().unwrap_or("nobody"),
                        row.tag
                    ),
                };
                let saved = match was {
                    Some(was) => {
                        let mut am = was.into_active_model();
                        am.detail = Set(detail);
                        am.facts = Set(facts);
                        am.updated_at = Set(now);
                        am.update(&txn).await?
                    }
                    None => {
                        stats.discrepancies_opened += 1;
                        discrepancy::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            tenant_id: Set(tenant_id.uuid()),
                            asset_id: Set(row.id),
                            kind: Set(ASSIGNEE_MISMATCH.into()),
                            status: Set("open".into()),
                            detail: Set(detail),
                            facts: Set(facts),
                            integration_id: Set(Some(integration_id.uuid())),
                            created_at: Set(now),
                            updated_at: Set(now),
                            resolved_at: Set(None),
                        }
                        .insert(&txn)
                        .await?
                    }
                };
                publish(&txn, who, "discrepancy_opened", &saved, &row).await?;
            }
        }
    }
    txn.commit().await?;
    state.events.kick();
    Ok(stats)
}

/// The tenant's model of this name, created (audited) when missing.
async fn model_named<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    cache: &mut HashMap<String, asset_model::Model>,
    name: &str,
    d: &DeviceFacts,
) -> ApiResult<asset_model::Model> {
    let key = name.to_lowercase();
    if let Some(m) = cache.get(&key) {
        return Ok(m.clone());
    }
    let found = asset_model::Entity::find()
        .filter(asset_model::Column::TenantId.eq(who.tenant_id))
        .filter(asset_model::Column::Name.eq(name))
        .one(conn)
        .await?;
    let m = match found {
        Some(m) => m,
        None => {
            let now = clock::now();
            let m = asset_model::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(who.tenant_id.uuid()),
                category_id: Set(None),
                manufacturer: Set(manufacturer_for(d.os_name.as_deref()).into()),
                name: Set(name.to_owned()),
                model_number: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?;
            audit::record(
                conn,
                who,
                Entry {
                    action: "model.created",
                    entity_type: "model",
                    entity_id: Some(m.id),
                    changes: json!({"name": {"from": null, "to": m.name}, "manufacturer": {"from": null, "to": m.manufacturer}}),
                },
            )
            .await?;
            m
        }
    };
    cache.insert(key, m.clone());
    Ok(m)
}

fn discrepancy_view(d: &discrepancy::Model, a: &asset::Model) -> DiscrepancyView {
    DiscrepancyView {
        id: d.id.into(),
        asset_id: d.asset_id.into(),
        asset_tag: a.tag.clone(),
        asset_name: a.name.clone(),
        kind: d.kind.clone(),
        status: d.status.clone(),
        detail: d.detail.clone(),
        facts: d.facts.clone(),
        integration_id: d.integration_id.map(IntegrationId::from),
        created_at: d.created_at,
        updated_at: d.updated_at,
        resolved_at: d.resolved_at,
    }
}

async fn publish<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    event: &str,
    d: &discrepancy::Model,
    a: &asset::Model,
) -> ApiResult<()> {
    audit::record(
        conn,
        who,
        Entry {
            action: match event {
                "discrepancy_resolved" => "asset.discrepancy_resolved",
                "discrepancy_dismissed" => "asset.discrepancy_dismissed",
                _ => "asset.discrepancy_opened",
            },
            entity_type: "asset",
            entity_id: Some(a.id),
            changes: json!({"kind": d.kind, "detail": d.detail, "facts": d.facts}),
        },
    )
    .await?;
    events::enqueue(
        conn,
        who.tenant_id,
        TOPIC,
        event,
        json!({"discrepancy": discrepancy_view(d, a)}),
    )
    .await?;
    Ok(())
}

/// Discrepancies of the tenant, newest first (at most 500), optionally of one status.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn list_discrepancies(
    state: &AppState,
    who: &Principal,
    status: Option<&str>,
) -> ApiResult<Vec<DiscrepancyView>> {
    who.require(Action::AssetsWrite)?;
    if let Some(s) = status
        && !matches!(s, "open" | "resolved" | "dismissed")
    {
        return Err(AssetError::field(
            "status",
            "invalid_value",
            "must be open, resolved or dismissed",
        )
        .into());
    }
    let mut q = discrepancy::Entity::find().filter(discrepancy::Column::TenantId.eq(who.tenant_id));
    if let Some(s) = status {
        q = q.filter(discrepancy::Column::Status.eq(s));
    }
    let rows = q
        .order_by_desc(discrepancy::Column::Id)
        .limit(500)
        .all(&state.db)
        .await?;
    let assets = db::tenant_rows_by_ids::<asset::Entity, _>(
        &state.db,
        asset::Column::TenantId,
        asset::Column::Id,
        who.tenant_id,
        rows.iter().map(|d| d.asset_id),
        |a| a.id,
    )
    .await?;
    Ok(rows
        .iter()
        .filter_map(|d| Some(discrepancy_view(d, assets.get(&d.asset_id)?)))
        .collect())
}

/// An admin says an open discrepancy is not worth acting on; the next sync that finds the same
/// facts leaves it dismissed, and different facts open a new one.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, discrepancy_id = %id))]
pub async fn dismiss_discrepancy(
    state: &AppState,
    who: &Principal,
    id: DiscrepancyId,
) -> ApiResult<DiscrepancyView> {
    who.require(Action::AssetsWrite)?;
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let d = discrepancy::Entity::find_by_id(id.uuid())
        .filter(discrepancy::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AssetError::NotFound("discrepancy"))?;
    if d.status != "open" {
        return Err(AssetError::DiscrepancyNotOpen(d.status).into());
    }
    let a = asset::Entity::find_by_id(d.asset_id)
        .filter(asset::Column::TenantId.eq(who.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AssetError::NotFound("asset"))?;
    let mut am = d.into_active_model();
    am.status = Set("dismissed".into());
    am.resolved_at = Set(Some(clock::now()));
    am.updated_at = Set(clock::now());
    let d = am.update(&txn).await?;
    publish(&txn, who, "discrepancy_dismissed", &d, &a).await?;
    txn.commit().await?;
    state.events.kick();
    Ok(discrepancy_view(&d, &a))
}

/// The MDM enrolments of assets: `(asset id, tag, MDM integration id, MDM device id)` for the
/// live assets among `ids` that an MDM manages.
pub async fn managed_devices<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    ids: impl IntoIterator<Item = AssetId>,
) -> ApiResult<Vec<(AssetId, String, IntegrationId, String)>> {
    let ids: Vec<Uuid> = ids.into_iter().map(AssetId::uuid).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(asset::Entity::find()
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::Id.is_in(ids))
        .filter(asset::Column::DeletedAt.is_null())
        .order_by_asc(asset::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|a| {
            Some((
                a.id.into(),
                a.tag,
                a.mdm_integration_id?.into(),
                a.mdm_device_id?,
            ))
        })
        .collect())
}

/// Live assets whose MDM user is this email (what an offboarding wipes besides what the person
/// was checked out).
pub async fn ids_by_mdm_user<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    email: &str,
) -> ApiResult<Vec<AssetId>> {
    Ok(asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .filter(asset::Column::TenantId.eq(tenant_id))
        .filter(asset::Column::DeletedAt.is_null())
        .filter(asset::Column::MdmUserEmail.eq(email.to_lowercase()))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .map(AssetId::from)
        .collect())
}
