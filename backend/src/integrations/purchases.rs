//! Finance connections: a sync reads the purchase lines of the books (bills, expenses, purchase
//! orders) and hands them to the assets context, which turns lines naming a serial number into
//! assets or enriches the asset with that serial (cost, supplier, order number, date).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::entity::integration;
use super::service::{SYNC_BATCH, SyncOutcome, notify, row_aad, vendor_failed};
use crate::assets::published::{self as assets, PurchaseStats};
use crate::platform::auth::Principal;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::state::AppState;

/// Stores a refresh token the vendor rotated (QuickBooks retires the old one on each use: a
/// token not stored is a connection lost). Called after every use of the client, failed or not.
async fn keep_rotated_token(
    state: &AppState,
    row: &integration::Model,
    finance: &super::providers::Finance,
) -> ApiResult<()> {
    let mut creds = super::providers::credentials(state, row)?;
    let Some(token) = finance.rotated_refresh_token(&creds) else {
        return Ok(());
    };
    if let Some(obj) = creds.as_object_mut() {
        obj.insert("refresh_token".into(), Value::String(token));
    }
    let sealed = state
        .secrets
        .seal(&creds, &row_aad(row))
        .map_err(ApiError::internal)?;
    integration::Entity::update_many()
        .col_expr(
            integration::Column::Credentials,
            sea_orm::sea_query::Expr::value(sealed),
        )
        .filter(integration::Column::Id.eq(row.id))
        .filter(integration::Column::TenantId.eq(row.tenant_id))
        .exec(&state.db)
        .await?;
    tracing::info!(integration_id = %row.id, "stored the rotated refresh token");
    Ok(())
}

/// Calls the finance system with the stored credentials, keeping a rotated refresh token.
pub(super) async fn test_connection(
    state: &AppState,
    row: &integration::Model,
) -> ApiResult<Result<(), assetronics_integrations::finance::FinanceError>> {
    let finance = super::providers::finance(state, row)?;
    let out = finance.test_connection().await;
    keep_rotated_token(state, row, &finance).await?;
    Ok(out)
}

/// Pulls every purchase line and applies them in batches, with the same events as the other
/// syncs. Lines without a serial number (accessories bought by the box, software, services)
/// are counted as `ignored`; unreadable ones as failed.
pub(super) async fn run_finance_sync(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
) -> ApiResult<SyncOutcome> {
    let finance = super::providers::finance(state, row)?;
    notify(
        state,
        who.tenant_id,
        "sync_started",
        json!({"integration_id": row.id}),
    )
    .await?;
    let pulled = finance.fetch_purchases(None).await;
    keep_rotated_token(state, row, &finance).await?;
    let pull = match pulled {
        Ok(p) => p,
        Err(e) => return vendor_failed(state, who, row, e).await,
    };
    let total = pull.lines.len();
    let mut stats = PurchaseStats::default();
    for (i, batch) in pull.lines.chunks(SYNC_BATCH).enumerate() {
        let s = assets::apply_purchase_lines(state, who, row.id.into(), batch).await?;
        stats.add(s);
        let done = ((i + 1) * SYNC_BATCH).min(total);
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
    let counts = crate::people::published::UpsertStats {
        created: stats.created,
        updated: stats.updated,
        unchanged: stats.unchanged,
        failed,
    };
    let details = json!({"ignored": stats.ignored});
    notify(
        state,
        who.tenant_id,
        "sync_finished",
        json!({"integration_id": row.id, "status": status, "stats": counts, "details": details}),
    )
    .await?;
    Ok(SyncOutcome {
        status: status.into(),
        stats: counts,
        details: Some(details),
        error: None,
        retryable: false,
        retry_after: None,
    })
}
