//! Talking to a vendor as the tenant: "test connection", and what a vendor's failure means for
//! the integration (bad credentials mark it as needing attention; an outage or a rate limit may
//! pass and is retried).

use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::json;

use super::{SyncOutcome, TOPIC, find, mark_needs_attention, notify, view};
use crate::audit::published::{self as audit, Entry};
use crate::integrations::entity::integration;
use crate::integrations::model::TestResult;
use crate::integrations::providers::{self, Kind};
use crate::platform::auth::{Action, Principal};
use crate::platform::clock;
use crate::platform::db;
use crate::platform::error::ApiResult;
use crate::platform::events;
use crate::platform::ids::IntegrationId;
use crate::platform::state::AppState;

/// Calls the vendor with the stored credentials. Bad credentials mark the integration as
/// needing attention; a working connection clears that.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id, integration_id = %id))]
pub async fn test(state: &AppState, who: &Principal, id: IntegrationId) -> ApiResult<TestResult> {
    who.require(Action::IntegrationsManage)?;
    let row = find(state, who, id).await?;
    let outcome = test_vendor(state, &row).await?;
    let (ok, detail, status) = match &outcome {
        Ok(()) => (true, "connected".to_owned(), "active"),
        Err(e) if e.needs_attention() => (false, e.to_string(), "needs_attention"),
        Err(e) => (false, e.to_string(), row.status.as_str()),
    };
    let txn = db::begin_write(&state.db, who.tenant_id).await?;
    let before = row.status.clone();
    let mut am = row.clone().into_active_model();
    am.status = Set(status.to_owned());
    am.status_detail = Set((!ok).then(|| detail.clone()));
    am.last_tested_at = Set(Some(clock::now()));
    am.updated_at = Set(clock::now());
    let after = am.update(&txn).await?;
    audit::record(
        &txn,
        who,
        Entry {
            action: "integration.tested",
            entity_type: "integration",
            entity_id: Some(id.uuid()),
            changes: json!({"ok": ok, "status": {"from": before, "to": after.status}}),
        },
    )
    .await?;
    events::enqueue(
        &txn,
        who.tenant_id,
        TOPIC,
        "integration_updated",
        json!({"integration": view(state, &after)}),
    )
    .await?;
    txn.commit().await?;
    state.events.kick();
    Ok(TestResult { ok, detail })
}

/// Calls the vendor of any provider kind with the stored credentials.
async fn test_vendor(
    state: &AppState,
    row: &integration::Model,
) -> ApiResult<Result<(), Box<dyn VendorFailure + Send + Sync>>> {
    fn boxed<E: VendorFailure + Send + Sync + 'static>(
        r: Result<(), E>,
    ) -> Result<(), Box<dyn VendorFailure + Send + Sync>> {
        r.map_err(|e| Box::new(e) as Box<dyn VendorFailure + Send + Sync>)
    }
    Ok(match providers::kind_of(&row.provider) {
        Some(Kind::Mdm) => boxed(providers::mdm(state, row)?.test_connection().await),
        Some(Kind::Itsm) => boxed(providers::itsm(state, row)?.test_connection().await),
        Some(Kind::Finance) => {
            boxed(crate::integrations::purchases::test_connection(state, row).await?)
        }
        Some(Kind::Chat) => boxed(
            providers::slack(state, row, providers::policy())?
                .auth_test()
                .await
                .map(|_| ()),
        ),
        _ => boxed(providers::hris(state, row)?.test_connection().await),
    })
}

/// What every vendor client's error tells a sync.
pub(in crate::integrations) trait VendorFailure: std::fmt::Display {
    fn needs_attention(&self) -> bool;
    fn is_retryable(&self) -> bool;
    fn retry_after(&self) -> Option<std::time::Duration>;
}

macro_rules! vendor_failure {
    ($($t:ty),*) => {$(
        impl VendorFailure for $t {
            fn needs_attention(&self) -> bool {
                <$t>::needs_attention(self)
            }
            fn is_retryable(&self) -> bool {
                <$t>::is_retryable(self)
            }
            fn retry_after(&self) -> Option<std::time::Duration> {
                <$t>::retry_after(self)
            }
        }
    )*};
}
vendor_failure!(
    assetronics_integrations::hris::HrisError,
    assetronics_integrations::mdm::MdmError,
    assetronics_integrations::itsm::ItsmError,
    assetronics_integrations::finance::FinanceError,
    assetronics_integrations::slack::SlackError
);

/// Records a failed vendor call: bad credentials mark the integration as needing attention.
pub(in crate::integrations) async fn vendor_failed(
    state: &AppState,
    who: &Principal,
    row: &integration::Model,
    e: impl VendorFailure,
) -> ApiResult<SyncOutcome> {
    if e.needs_attention() {
        mark_needs_attention(state, row, &e.to_string()).await?;
    }
    notify(
        state,
        who.tenant_id,
        "sync_failed",
        json!({"integration_id": row.id, "error": e.to_string(), "will_retry": e.is_retryable()}),
    )
    .await?;
    Ok(SyncOutcome {
        status: "failed".into(),
        stats: Default::default(),
        details: None,
        error: Some(e.to_string()),
        retryable: e.is_retryable(),
        retry_after: e.retry_after(),
    })
}

/// Why an action at a vendor (a wipe, a ticket) did not happen.
#[derive(Debug)]
pub enum ActionFailure {
    /// The vendor refused our credentials or the request: someone must look (the integration
    /// is marked as needing attention when it is the credentials).
    NeedsAttention(String),
    /// An outage or a rate limit: try again later.
    Retry {
        detail: String,
        after: Option<std::time::Duration>,
    },
}

/// Classifies a vendor error of an action at `row`'s vendor; bad credentials mark the
/// integration as needing attention.
pub(in crate::integrations) async fn action_failure(
    state: &AppState,
    row: &integration::Model,
    what: &str,
    e: impl VendorFailure,
) -> ApiResult<ActionFailure> {
    let detail = format!("{} {what}: {e}", row.name);
    if e.is_retryable() {
        return Ok(ActionFailure::Retry {
            detail,
            after: e.retry_after(),
        });
    }
    if e.needs_attention() {
        mark_needs_attention(state, row, &e.to_string()).await?;
    }
    Ok(ActionFailure::NeedsAttention(detail))
}
