//! IT service desk (ITSM) connections: a workflow step opens a ticket in the tenant's service
//! desk and a job reads its state until it is resolved.

use super::providers::Kind;
use super::service::{ActionFailure, action_failure, active_of_kind, find_in};
use crate::platform::error::ApiResult;
use crate::platform::ids::{IntegrationId, TenantId};
use crate::platform::state::AppState;
use assetronics_integrations::itsm::{NewTicket, Ticket};

/// Opens a ticket in the tenant's (oldest active) service desk; answers the integration it
/// went to and the ticket, or `None` when no service desk is connected.
pub async fn open_ticket(
    state: &AppState,
    tenant_id: TenantId,
    ticket: &NewTicket,
) -> ApiResult<Option<Result<(IntegrationId, Ticket), ActionFailure>>> {
    let Some(row) = active_of_kind(&state.db, tenant_id, Kind::Itsm)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let itsm = super::providers::itsm(state, &row)?;
    Ok(Some(match itsm.create_ticket(ticket).await {
        Ok(t) => Ok((row.id.into(), t)),
        Err(e) => Err(action_failure(state, &row, "could not open a ticket", e).await?),
    }))
}

/// The ticket's current state at its service desk; `Ok(None)` when the service desk no longer
/// has it or the integration is gone.
pub async fn ticket(
    state: &AppState,
    tenant_id: TenantId,
    integration_id: IntegrationId,
    external_id: &str,
) -> ApiResult<Result<Option<Ticket>, ActionFailure>> {
    let Some(row) = find_in(&state.db, tenant_id, integration_id).await? else {
        return Ok(Ok(None));
    };
    let itsm = super::providers::itsm(state, &row)?;
    Ok(match itsm.tickets(&[external_id.to_owned()]).await {
        Ok(mut found) => Ok(found.pop()),
        Err(e) => Err(action_failure(state, &row, "could not read a ticket", e).await?),
    })
}
