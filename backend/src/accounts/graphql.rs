//! GraphQL resolvers of the accounts context: who the caller is.

use async_graphql::{Context, Object};

use super::model::Me;
use super::service;
use crate::graphql::{GqlResult, scope};

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The caller's user, role and tenant, as `GET /api/v1/me`.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        let s = scope(ctx)?;
        service::me(&s.state, &s.who).await.gql()
    }
}
