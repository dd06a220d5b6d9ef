//! GraphQL resolvers of the audit log: the same list and chain check as REST.

use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{AuditEventView, ChainVerification};
use super::service::{self, AuditFilter};
use crate::graphql::{GqlResult, connection, first_to_limit, paging_error, scope};

/// Which entries to list; every field optional, combined with AND.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// e.g. `asset`.
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// e.g. `asset.checked_out`.
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    /// From this instant on.
    pub since: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first. Forward pagination: `first` (1 to 500, default 50), `after`.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AuditEventView>> {
        let s = scope(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            entity_type: f.entity_type,
            entity_id: f.entity_id,
            action: f.action,
            actor_id: f.actor_id,
            since: f.since,
            until: f.until,
        };
        let page = service::list(
            &s.state.db,
            &s.who,
            filter,
            first_to_limit(first),
            after.as_deref(),
        )
        .await
        .map_err(paging_error)?;
        Ok(connection(page, after.as_deref(), service::cursor_for))
    }

    /// Walks the tenant's hash chain and reports the first broken link.
    async fn audit_chain(&self, ctx: &Context<'_>) -> async_graphql::Result<ChainVerification> {
        let s = scope(ctx)?;
        service::verify(&s.state.db, &s.who).await.gql()
    }
}
