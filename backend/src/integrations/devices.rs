//! Device management (MDM) connections: a sync reads every device the MDM manages and hands
//! them to the assets context (matched by serial number); an offboarding's wipe step asks the
//! MDM that manages each device to erase it.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::entity::integration;
use super::service::{
    ActionFailure, SYNC_BATCH, SyncOutcome, action_failure, notify, vendor_failed,
};
use crate::assets::published::{self as assets, DeviceFacts, DeviceStats};
use crate::platform::auth::Principal;
use crate::platform::error::ApiResult;
use crate::platform::ids::{AssetId, TenantId};
use crate::platform::state::AppState;
use assetronics_integrations::mdm::{MdmDevice, WipeOptions};

/// A device's facts for the assets context; `None` without a serial number (it cannot be
/// matched to hardware).
pub(super) fn facts(d: MdmDevice) -> Option<DeviceFacts> {
    let serial = d.serial_number?.trim().to_owned();
    if serial.is_empty() {
        return None;
    }
    Some(DeviceFacts {
        device_id: d.external_id,
        serial_number: serial,
        name: d.name,
        model: d.model,
        os_name: d.os_name,
        os_version: d.os_version,
        last_check_in: d.last_check_in,
        user_email: d.user_email.map(|e| e.to_lowercase()),
    })
}

/// Pulls every device from the MDM and applies them to the tenant's assets in batches, with
/// the same `sync_started` / `sync_progress` / `sync_finished` events as an HR sync. Devices
/// without a serial number (personal enrolments) cannot be matched to hardware and are left
/// out; records the MDM sent broken count as failed.
pub(super) async fn run_device_sync(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
) -> ApiResult<SyncOutcome> {
    let mdm = super::providers::mdm(state, row)?;
    notify(
        state,
        who.tenant_id,
        "sync_started",
        json!({"integration_id": row.id}),
    )
    .await?;
    let pull = match mdm.fetch_all().await {
        Ok(p) => p,
        Err(e) => return vendor_failed(state, who, row, e).await,
    };
    let create_unknown =
        crate::accounts::published::mdm_creates_assets_for(&state.db, who.tenant_id).await?;
    let total = pull.devices.len();
    let mut without_serial = 0u64;
    let devices: Vec<DeviceFacts> = pull
        .devices
        .into_iter()
        .filter_map(|d| {
            let f = facts(d);
            if f.is_none() {
                without_serial += 1;
            }
            f
        })
        .collect();
    let mut stats = DeviceStats::default();
    for (i, batch) in devices.chunks(SYNC_BATCH).enumerate() {
        let s =
            assets::apply_device_facts(state, who, row.id.into(), create_unknown, batch).await?;
        stats.add(s);
        let done = ((i + 1) * SYNC_BATCH).min(devices.len());
        notify(
            state,
            who.tenant_id,
            "sync_progress",
            json!({"integration_id": row.id, "processed": done, "total": total, "stats": stats}),
        )
        .await?;
    }
    let failed = pull.malformed.len() as u64;
    let status = if failed > 0 { "partial" } else { "succeeded" };
    let people = crate::people::published::UpsertStats {
        created: stats.created,
        updated: stats.updated,
        unchanged: stats.unchanged,
        failed,
    };
    let details = json!({
        "ignored": stats.ignored + without_serial,
        "discrepancies_opened": stats.discrepancies_opened,
        "discrepancies_resolved": stats.discrepancies_resolved,
    });
    notify(
        state,
        who.tenant_id,
        "sync_finished",
        json!({"integration_id": row.id, "status": status, "stats": people, "details": details}),
    )
    .await?;
    Ok(SyncOutcome {
        status: status.into(),
        stats: people,
        details: Some(details),
        error: None,
        retryable: false,
        retry_after: None,
    })
}

/// What asking MDMs to wipe devices came to.
#[derive(Debug, Default)]
pub struct WipeReport {
    /// Tags of the devices whose MDM accepted the wipe.
    pub wiped: Vec<String>,
    /// Tags of the assets no active MDM manages.
    pub unmanaged: Vec<String>,
}

/// Asks the MDM managing each of these assets to erase it. Wipes are idempotent on the vendor
/// side (a second erase of a device already told to erase queues the same command), so a
/// retried step may repeat a call but never does anything new.
pub async fn wipe_assets(
    state: &AppState,
    tenant_id: TenantId,
    asset_ids: &[AssetId],
) -> ApiResult<Result<WipeReport, ActionFailure>> {
    let managed = assets::managed_devices(&state.db, tenant_id, asset_ids.iter().copied()).await?;
    let mut report = WipeReport::default();
    let managed_ids: Vec<AssetId> = managed.iter().map(|m| m.0).collect();
    for id in asset_ids.iter().filter(|id| !managed_ids.contains(id)) {
        if let Some((tag, _, _)) = assets::brief(&state.db, tenant_id, *id).await? {
            report.unmanaged.push(tag);
        }
    }
    for (_, tag, integration_id, device_id) in managed {
        let Some(row) = integration::Entity::find_by_id(integration_id.uuid())
            .filter(integration::Column::TenantId.eq(tenant_id))
            .filter(integration::Column::Status.ne("disabled"))
            .one(&state.db)
            .await?
        else {
            report.unmanaged.push(tag);
            continue;
        };
        let mdm = super::providers::mdm(state, &row)?;
        match mdm.wipe(&device_id, &WipeOptions::default()).await {
            Ok(_) => report.wiped.push(tag),
            Err(e) => {
                let what = format!("could not wipe {tag}");
                return Ok(Err(action_failure(state, &row, &what, e).await?));
            }
        }
    }
    Ok(Ok(report))
}
